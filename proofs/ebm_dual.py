"""EBM ↔ GAN (§16.2.3): the Gibbs variational principle and the MLE min–max.

``log Z = sup_q E_q[D] + H(q)`` with gap ``log Z − E_q[D] − H(q) = KL(q ‖ p_D) ≥ 0``,
``p_D = e^D / Z``, attained at ``q = p_D``; hence the log-likelihood
``E_{P_d}[D] − log Z = min_q E_{P_d}[D] − E_q[D] − H(q)`` and
``MLE = max_φ min_q E_{P_d}[D_φ] − E_q[D_φ] − H(q)``.  Proved for n-point distributions
(n = 2, 3 explicitly and general n with sympy sums), in closed form for a Gaussian energy, and
re-checked with ``fdiv.divergence('kl', q, p_D)`` for a non-Gaussian energy.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from ._verdict import (FAILED, NUMERIC, PROVED, ClaimSpec, Outcome, combine, grade_identity,
                       require_engine, rng_for)

__all__ = ["claims"]

SEC = "§16.2.3"


def _discrete(n: int) -> Outcome:
    D = sp.symbols(f"D1:{n + 1}", real=True)
    qp = sp.symbols(f"q1:{n}", positive=True)
    q = list(qp) + [1 - sum(qp)]                      # on the simplex
    Z = sum(sp.exp(d) for d in D)
    p = [sp.exp(d) / Z for d in D]                   # p_D
    H = -sum(qi * sp.log(qi) for qi in q)
    gap = sp.log(Z) - sum(qi * di for qi, di in zip(q, D)) - H
    kl = sum(qi * sp.log(qi / pi) for qi, pi in zip(q, p))
    rng = rng_for(f"ebm.discrete.{n}")
    pts = []
    for _ in range(24):
        w = rng.dirichlet(np.ones(n))
        pts.append([mpmath.mpf(v) for v in rng.normal(0, 2, n)] + [mpmath.mpf(v) for v in w[:-1]])
    syms = list(D) + list(qp)
    outs = [grade_identity(gap - kl, syms, pts)]
    # attained at q = p_D: E_p[D] + H(p) = log Z
    at = sum(pi * di for pi, di in zip(p, D)) - sum(pi * sp.log(pi) for pi in p) - sp.log(Z)
    outs.append(grade_identity(at, list(D), [pt[:n] for pt in pts]))
    # MLE: E_Pd[D] - E_q[D] - H(q) = (E_Pd[D] - log Z) + KL(q‖p_D)
    r = sp.symbols(f"r1:{n + 1}", positive=True)     # P_d weights (any)
    Epd = sum(ri * di for ri, di in zip(r, D))
    mle = Epd - sum(qi * di for qi, di in zip(q, D)) - H - ((Epd - sp.log(Z)) + kl)
    pts2 = [pt + [mpmath.mpf(v) for v in rng.dirichlet(np.ones(n))] for pt in pts]
    outs.append(grade_identity(mle, syms + list(r), pts2))
    return combine(outs)


def _general_n() -> Outcome:
    """Symbolic n: Σ q_i log(q_i/p_i) = Σ q_i log q_i − Σ q_i D_i + log Z · Σ q_i, and Σ q_i = 1."""
    n = sp.Symbol("n", integer=True, positive=True)
    i = sp.Idx("i", (1, n))
    q = sp.IndexedBase("q", positive=True)
    D = sp.IndexedBase("D", real=True)
    Z = sp.Symbol("Z", positive=True)
    term = sp.expand(sp.expand_log(q[i] * sp.log(q[i] / (sp.exp(D[i]) / Z))))
    kl = sp.expand(sp.Sum(term, (i, 1, n)))
    kl = sp.factor_terms(kl)
    kl = kl.subs(sp.Sum(q[i], (i, 1, n)), 1)
    gap = sp.log(Z) - sp.Sum(q[i] * D[i], (i, 1, n)) + sp.Sum(q[i] * sp.log(q[i]), (i, 1, n))
    res = sp.simplify(sp.expand(sp.factor_terms(sp.expand(kl - gap))).doit())
    if res == 0:
        return Outcome(PROVED, "for symbolic n (sympy Sum over indexed q_i, D_i): log(q_i Z e^{-D_i}) "
                               "expands to log q_i - D_i + log Z and Σ q_i = 1 leaves "
                               "KL(q‖p_D) = log Z - E_q[D] - H(q)")
    return Outcome(FAILED, f"residual {res}")


def _gibbs_inequality() -> Outcome:
    """KL ≥ 0 from log x ≤ x − 1, with equality only at x = 1."""
    x = sp.Symbol("x", positive=True)
    h = x - 1 - sp.log(x)
    crit = sp.solve(sp.diff(h, x), x)
    d2 = sp.diff(h, x, 2)
    if crit != [1] or h.subs(x, 1) != 0 or d2.is_positive is not True:
        return Outcome(FAILED, f"h(x) = x - 1 - log x: critical points {crit}, h'' = {d2}")
    # KL = -Σ q log(p/q) >= -Σ q (p/q - 1) = -(Σp - Σq) = 0
    p, q = sp.symbols("p q", positive=True)
    bound = sp.expand(-q * (p / q - 1))
    if bound != q - p:
        return Outcome(FAILED, f"-q(p/q - 1) = {bound}")
    return Outcome(PROVED, "h(x) = x - 1 - log x has h(1) = 0, h' = 1 - 1/x, h'' = 1/x² > 0, so "
                           "log x <= x - 1 with equality only at x = 1; hence KL(q‖p) = -Σ q log(p/q) "
                           ">= -Σ (p - q) = 0, with equality iff q = p: the sup is attained at q = p_D")


def _gaussian() -> Outcome:
    """Quadratic energy D(x) = -x²/(2s²) + m x/s² and q = N(μ, σ²): every term by sympy."""
    m, mu = sp.symbols("m mu", real=True)
    s, sig = sp.symbols("s sigma", positive=True)
    z = sp.Symbol("z", real=True)
    D = lambda v: -v**2 / (2 * s**2) + m * v / s**2          # noqa: E731
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)              # standard normal density
    # every integral over x is taken after the affine change x = c + w z (dx = w dz)
    logZ = sp.log(sp.integrate(sp.expand(sp.exp(sp.expand(D(m + s * z))) * s), (z, -sp.oo, sp.oo),
                               conds="none"))
    EqD = sp.integrate(sp.expand(phi * D(mu + sig * z)), (z, -sp.oo, sp.oo), conds="none")
    # log q(mu + sig z) = -z²/2 - log(2π sig²)/2
    H = -sp.integrate(sp.expand(phi * (-z**2 / 2 - sp.log(2 * sp.pi * sig**2) / 2)),
                      (z, -sp.oo, sp.oo), conds="none")
    kl = sp.log(s / sig) + (sig**2 + (mu - m) ** 2) / (2 * s**2) - sp.Rational(1, 2)
    rng = rng_for("ebm.gaussian")
    pts = [[mpmath.mpf(v) for v in (rng.normal(), rng.normal(), rng.uniform(0.3, 3), rng.uniform(0.3, 3))]
           for _ in range(24)]
    outs = [grade_identity(logZ - EqD - H - kl, [m, mu, s, sig], pts),
            grade_identity((EqD + H).subs({mu: m, sig: s}) - logZ, [m, s],
                           [[p[0], p[2]] for p in pts])]
    out = combine(outs)
    if out.verdict == PROVED:
        return Outcome(PROVED, f"sympy integrates log Z = {sp.simplify(logZ)}, E_q[D] and H(q); "
                               "log Z - E_q[D] - H(q) equals the Gaussian KL(N(μ,σ²)‖N(m,s²)) "
                               "identically, and the sup is attained at μ = m, σ = s")
    return out


class _Gibbs:
    """p_D(x) = exp(D(x)) / Z for the non-Gaussian energy D(x) = -x⁴/4 + x (logpdf, support)."""

    def __init__(self, logZ):
        self.logZ = logZ

    @staticmethod
    def energy(x):
        x = np.asarray(x, dtype=float)
        return -x**4 / 4 + x

    def logpdf(self, x):
        return self.energy(x) - self.logZ

    def support(self):
        return (-np.inf, np.inf)


def _engine() -> Outcome:
    fdiv = require_engine("divergence", "integrate", "logpdf")
    from scipy import stats

    with mpmath.workdps(30):
        logZ_ref = mpmath.log(mpmath.quad(lambda t: mpmath.exp(-t**4 / 4 + t), [-mpmath.inf, 0, 1, mpmath.inf]))
    logZ = math.log(fdiv.integrate(lambda x: np.exp(_Gibbs.energy(x)), stats.norm(0, 1)))
    outs = []
    if abs(logZ - float(logZ_ref)) > 1e-10:
        outs.append(Outcome(FAILED, f"log Z by fdiv.integrate {logZ!r}, mpmath {mpmath.nstr(logZ_ref, 17)}"))
    pD = _Gibbs(float(logZ_ref))
    rng = rng_for("ebm.engine")
    for _ in range(3):
        Q = stats.norm(rng.uniform(-0.5, 1.5), rng.uniform(0.5, 1.5))
        EqD = fdiv.integrate(lambda x: np.exp(fdiv.logpdf(Q, x)) * _Gibbs.energy(x), Q)
        H = float(Q.entropy())
        gap = float(logZ_ref) - EqD - H
        kl = fdiv.divergence("kl", Q, pD)
        if not abs(gap - kl) <= 1e-8 * max(abs(kl), 1e-3):
            outs.append(Outcome(FAILED, f"q = N({Q.mean():.3f}, {Q.std():.3f}²): log Z - E_q[D] - H(q) "
                                        f"= {gap!r} but fdiv.divergence('kl', q, p_D) = {kl!r}"))
        if not kl > 0:
            outs.append(Outcome(FAILED, f"KL(q‖p_D) = {kl!r} not > 0"))
    if outs:
        return combine(outs)
    return Outcome(NUMERIC, "energy D(x) = -x⁴/4 + x: log Z by fdiv.integrate matches mpmath.quad "
                            "(30 digits) to 1e-10; for 3 random Gaussian q, log Z - E_q[D] - H(q) "
                            "equals fdiv.divergence('kl', q, p_D) (generic logpdf path) to 1e-8 "
                            "and is > 0")


def claims():
    yield ClaimSpec("ebm.gap_is_kl_n2",
                    "n = 2: log Z - E_q[D] - H(q) = KL(q‖p_D); attained at q = p_D; "
                    "E_Pd[D] - E_q[D] - H(q) = (E_Pd[D] - log Z) + KL(q‖p_D)", SEC, lambda: _discrete(2))
    yield ClaimSpec("ebm.gap_is_kl_n3", "the same for n = 3", SEC, lambda: _discrete(3))
    yield ClaimSpec("ebm.gap_is_kl_general_n",
                    "general n: KL(q‖p_D) = log Z - E_q[D] - H(q), H(q) = -Σ q log q", SEC, _general_n)
    yield ClaimSpec("ebm.gibbs_inequality",
                    "KL(q‖p) >= 0 with equality iff q = p, so log Z = sup_q E_q[D] + H(q) and "
                    "MLE = max_φ min_q E_Pd[D_φ] - E_q[D_φ] - H(q)", SEC, _gibbs_inequality)
    yield ClaimSpec("ebm.gaussian_closed_form",
                    "Gaussian energy: log Z - E_q[D] - H(q) = KL(N(μ,σ²)‖N(m,s²)) in closed form "
                    "(sympy integrals)", SEC, _gaussian)
    yield ClaimSpec("ebm.gap_is_kl.engine",
                    "fdiv: log Z - E_q[D] - H(q) = fdiv.divergence('kl', q, p_D) for D = -x⁴/4 + x",
                    SEC, _engine)
