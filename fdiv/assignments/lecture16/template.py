"""Lecture 16 — f-divergences, GANs and energy-based models: programming assignment.

Fill in every function below and submit this file as ``submission.py``.

Conventions (used throughout, as in the lecture)
------------------------------------------------
* Natural logarithms (results in nats).
* The f-divergence of P from Q is  D_f(P‖Q) = E_Q[f(p/q)] = Σ_i q_i f(p_i / q_i).
* The divergence of this assignment is **Pearson's χ²**, generator  f(u) = (u − 1)²  (§16.2.2).
* Inputs are NumPy arrays of float64 (or plain floats); return float64 arrays of the same shape
  for elementwise functions and a single Python float for sums and expectations.
* Use NumPy only (``import numpy as np``); no other third-party packages.
* Each task is graded on visible cases (shown in full in the feedback) and hidden cases (drawn for
  your submission; you see whether they pass, not their answers), with a relative tolerance of
  about 1e-8.  Edge cases matter: zeros in P or Q, very large or very small ratios, scores whose
  exponential overflows.
* Where a function builds on another one (e.g. ``f_divergence`` on ``generator``), it is graded
  with the *reference* version of the function it builds on, so a mistake is only counted once —
  but only if you call it by its name.
"""
import numpy as np


# --- Part A: the generator and its conjugate --------------------------------------------------
def generator(u):
    """Task 1. The generator f(u) = (u − 1)² of Pearson's χ², elementwise for u ≥ 0.

    >>> generator(np.array([0.0, 1.0, 3.0]))
    array([1., 0., 4.])
    """
    raise NotImplementedError


def generator_prime(u):
    """Task 2. Its derivative f′(u), elementwise for u > 0."""
    raise NotImplementedError


def conjugate(t):
    """Task 3. The Fenchel conjugate f*(t) = sup_{u ≥ 0} (t·u − f(u)), elementwise for real t.

    The supremum is over u ≥ 0 only (a density ratio is never negative). Work out where the
    maximiser lies for every t — the f-GAN paper's table gives a formula for f extended to u < 0,
    which is *not* what is asked here.
    """
    raise NotImplementedError


def f_divergence(p, q):
    """Task 4. D_f(P‖Q) = Σ_i q_i f(p_i / q_i) for probability vectors p, q (1-D, same length).

    Use Csiszár's conventions at zeros: a term with p_i = q_i = 0 contributes 0; a term with
    p_i = 0 < q_i contributes q_i·f(0); a term with q_i = 0 < p_i contributes p_i·lim_{u→∞} f(u)/u
    (which is +inf here, so the divergence is then +inf). Return a float (``float('inf')``
    when infinite). Call ``generator`` for f.
    """
    raise NotImplementedError


# --- Part B: the GAN at its optimal discriminator ----------------------------------------------
def optimal_discriminator(p, q):
    """Task 5. The optimal GAN discriminator D*(x) = p(x) / (p(x) + q(x)), elementwise (§16.2.1).

    p holds data probabilities P_d(x), q model probabilities P_g(x), at the same points. Where
    both vanish, return 0.5. Never return NaN.
    """
    raise NotImplementedError


def gan_value(p, q):
    """Task 6. The GAN objective at the optimal discriminator, for probability vectors p (data)
    and q (model):

        V(D*) = Σ_i p_i log D*_i + Σ_i q_i log(1 − D*_i)

    with 0·log 0 = 0.  (The lecture shows it equals 2·JS(P‖Q) − log 4.)  Return a float.
    Call ``optimal_discriminator`` for D*.
    """
    raise NotImplementedError


def variational_bound(t_p, t_q):
    """Task 7. The f-GAN variational lower bound on D_f(P‖Q) estimated from samples:

        mean over x ~ P of T(x)  −  mean over x ~ Q of f*(T(x))

    where ``t_p`` holds critic values T(x) at samples from P and ``t_q`` at samples from Q (the two
    arrays may have different lengths). Return a float. Call ``conjugate`` for f*.
    """
    raise NotImplementedError


# --- Part C: energy-based models and the Gibbs variational identity -----------------------------
def log_partition(d):
    """Task 8. log Z = log Σ_x exp(D(x)) for a 1-D array of scores D(x) over a finite set of
    states (§16.2.3). Must stay finite and accurate when the scores are around +1000 (exp
    overflows) or −1000 (exp underflows). Return a float.
    """
    raise NotImplementedError


def gibbs_kl(d, q):
    """Task 9. The gap in the Gibbs variational identity (§16.2.3)

        log Z = E_q[D] + H(q) + KL(q ‖ p_D),     p_D(x) = exp(D(x)) / Z,

    i.e. return KL(q ‖ p_D) for scores ``d`` and a probability vector ``q`` over the same states
    (0·log 0 = 0 in the entropy H(q) = −Σ q log q). Return a float. Call ``log_partition`` for
    log Z.
    """
    raise NotImplementedError
