"""Lecture 16 — f-divergences, GANs and energy-based models: REFERENCE SOLUTION (staff only).

Conventions (the lecture's and fdiv's): natural logarithms (nats); the f-divergence is
D_f(P‖Q) = Σ_i q_i f(p_i / q_i); the divergence of this assignment is Pearson's χ² with generator
f(u) = (u − 1)² (lecture §16.2.2); all functions are vectorised with NumPy.
"""
import numpy as np


# --- Part A: the generator and its conjugate --------------------------------------------------
def generator(u):
    """f(u) = (u − 1)² for u ≥ 0 (elementwise)."""
    u = np.asarray(u, dtype=np.float64)
    return (u - 1.0) ** 2


def generator_prime(u):
    """f′(u) = 2(u − 1) for u > 0 (elementwise)."""
    u = np.asarray(u, dtype=np.float64)
    return 2.0 * (u - 1.0)


def conjugate(t):
    """f*(t) = sup_{u ≥ 0} (t u − f(u)): t²/4 + t for t ≥ −2 (maximiser u = 1 + t/2), −1 below."""
    t = np.asarray(t, dtype=np.float64)
    return np.where(t >= -2.0, 0.25 * t * t + t, -1.0)


def f_divergence(p, q):
    """D_f(P‖Q) = Σ_{q_i > 0} q_i f(p_i/q_i), +inf if some q_i = 0 < p_i (f′(∞) = ∞)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if np.any((q == 0) & (p > 0)):
        return float("inf")
    m = q > 0
    return float(np.sum(q[m] * generator(p[m] / q[m])))


# --- Part B: the GAN at its optimal discriminator ----------------------------------------------
def optimal_discriminator(p, q):
    """D*(x) = p(x) / (p(x) + q(x)); ½ where p(x) = q(x) = 0 (elementwise)."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    s = p + q
    return np.divide(p, s, out=np.full(np.broadcast(p, q).shape, 0.5), where=s > 0)


def gan_value(p, q):
    """V(D*) = Σ p_i log D*_i + Σ q_i log(1 − D*_i) = 2·JS(P‖Q) − log 4, with 0·log 0 = 0."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    d = optimal_discriminator(p, q)
    with np.errstate(divide="ignore"):
        real = np.where(p > 0, p * np.log(np.where(p > 0, d, 1.0)), 0.0)
        fake = np.where(q > 0, q * np.log(np.where(q > 0, 1.0 - d, 1.0)), 0.0)
    return float(np.sum(real) + np.sum(fake))


def variational_bound(t_p, t_q):
    """mean_i T(x_i^P) − mean_j f*(T(x_j^Q)): the f-GAN lower bound on D_f from critic values."""
    t_p = np.asarray(t_p, dtype=np.float64)
    t_q = np.asarray(t_q, dtype=np.float64)
    return float(np.mean(t_p) - np.mean(conjugate(t_q)))


# --- Part C: energy-based models and the Gibbs variational identity -----------------------------
def log_partition(d):
    """log Z = log Σ_x exp(D(x)), computed stably (shift by the maximum)."""
    d = np.asarray(d, dtype=np.float64)
    m = np.max(d)
    if not np.isfinite(m):
        return float(m)
    return float(m + np.log(np.sum(np.exp(d - m))))


def gibbs_kl(d, q):
    """KL(q‖p_D), p_D = exp(D)/Z, from log Z = E_q[D] + H(q) + KL(q‖p_D); 0·log 0 = 0."""
    d = np.asarray(d, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    m = q > 0
    expected_score = np.sum(q[m] * d[m])
    entropy = -np.sum(q[m] * np.log(q[m]))
    return float(log_partition(d) - expected_score - entropy)
