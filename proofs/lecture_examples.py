"""The lecture's worked examples (§16.2.2): conjugates of ½‖x‖² and log-sum-exp, the χ²
expansion, KL and TV as f-divergences, and "max" versus "sup" in f = f**.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from ._verdict import (DPS, FAILED, NUMERIC, PROVED, ClaimSpec, Outcome, combine,
                       grade_identity, require_engine, rng_for, symbolic_zero)

__all__ = ["claims", "random_gaussian_pairs", "mp_expect"]

SEC = "§16.2.2"


def _pts(rng, n, sampler):
    return [sampler(rng) for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# ½‖x‖² is self-conjugate

def _quadratic() -> Outcome:
    outs = []
    for n in (1, 2, 3):
        x = sp.symbols(f"x1:{n + 1}", real=True)
        y = sp.symbols(f"y1:{n + 1}", real=True)
        obj = sum(a * b for a, b in zip(x, y)) - sp.Rational(1, 2) * sum(a**2 for a in x)
        grad = [sp.diff(obj, a) for a in x]
        crit = sp.solve(grad, x, dict=True)
        if len(crit) != 1 or any(sp.simplify(crit[0][a] - b) != 0 for a, b in zip(x, y)):
            return Outcome(FAILED, f"n={n}: stationary point {crit} is not x* = y")
        hess = sp.hessian(obj, x)
        if hess != -sp.eye(n):
            return Outcome(FAILED, f"n={n}: Hessian {hess} is not -I")
        value = obj.subs(crit[0])
        yy = sum(b**2 for b in y)
        middle = yy - sp.Rational(1, 2) * yy            # the lecture's y^T y - ½ y^T y
        pts = _pts(rng_for(f"lecture.quadratic.{n}"), 20,
                   lambda r: [mpmath.mpf(v) for v in r.normal(0, 2, n)])
        outs.append(grade_identity(value - yy / 2, list(y), pts))
        outs.append(grade_identity(value - middle, list(y), pts))
        # and the conjugate of ½‖y‖² is ½‖x‖² again (f** = f)
        obj2 = sum(a * b for a, b in zip(x, y)) - yy / 2
        crit2 = sp.solve([sp.diff(obj2, b) for b in y], y, dict=True)[0]
        outs.append(grade_identity(obj2.subs(crit2) - sum(a**2 for a in x) / 2, list(x), pts))
    out = combine(outs)
    if out.verdict == PROVED:
        return Outcome(PROVED, "n = 1, 2, 3: unique stationary point x* = y, Hessian -I (strictly "
                               "concave, so the global max), value ½ yᵀy = yᵀy - ½ yᵀy; and the "
                               "conjugate of ½‖y‖² is ½‖x‖²")
    return out


# ---------------------------------------------------------------------------------------------
# log-sum-exp ↔ negative entropy on the simplex

def _lse(n: int) -> Outcome:
    """f(x) = log Σ e^{x_i}: f*(y) = Σ y_i log y_i on the simplex, +∞ off it."""
    x = sp.symbols(f"x1:{n + 1}", real=True)
    yp = sp.symbols(f"y1:{n}", positive=True)        # y_1..y_{n-1} > 0, y_n = 1 - Σ
    y = list(yp) + [1 - sum(yp)]
    lse = sp.log(sum(sp.exp(a) for a in x))
    obj = sum(a * b for a, b in zip(x, y)) - lse
    # stationary point x_i = log y_i: gradient y_i - softmax_i(x) vanishes there (Σ y = 1)
    at = {a: sp.log(b) for a, b in zip(x, y)}
    rng = rng_for(f"lecture.lse.{n}")

    def simplex_pt(r):
        w = r.dirichlet(np.ones(n))
        return [mpmath.mpf(v) for v in w[:-1]]

    pts = _pts(rng, 24, simplex_pt)
    # the points keep y_n = 1 - Σ > 0; the residuals are in y_1..y_{n-1} only
    outs = [grade_identity(sp.diff(obj, a).subs(at), list(yp), pts) for a in x]
    value = obj.subs(at)
    outs.append(grade_identity(value - sum(b * sp.log(b) for b in y), list(yp), pts))
    # concavity of the objective: the Hessian of LSE is diag(s) - s sᵀ, PSD (its quadratic form
    # is a variance); checked here through the leading principal minors at the stationary point
    H = sp.hessian(lse, x).subs(at)
    minors = [sp.simplify(H[:k, :k].det()) for k in range(1, n)]
    mins = []
    for m in minors:
        fn = sp.lambdify(yp, m, modules="mpmath")
        with mpmath.workdps(DPS):
            mins.append(min(fn(*p) for p in pts))
    if any(v < 0 for v in mins) or sp.simplify(H.det()) != 0:
        return Outcome(FAILED, f"Hessian of LSE not PSD as expected: minors {minors}")
    # off the simplex: Σ y = s ≠ 1 along x = c·1; a negative y_k along x = -c e_k
    c = sp.Symbol("c", positive=True)
    e = sp.Symbol("e", positive=True)
    s = sp.Symbol("s", real=True)                     # s = Σ y_i
    along = lambda k: k * s - (k + sp.log(n))         # noqa: E731  x = k·1: yᵀx - LSE(x)
    lim_up = sp.limit(along(c).subs(s, 1 + e), c, sp.oo)      # Σy > 1: x = +c·1
    lim_dn = sp.limit(along(-c).subs(s, 1 - e), c, sp.oo)     # Σy < 1: x = -c·1
    yk = -sp.Symbol("m", positive=True)               # y_k < 0, other y arbitrary: x = -c e_k
    neg = sp.limit(-c * yk - sp.log(sp.exp(-c) + (n - 1)), c, sp.oo)
    if not (lim_up == sp.oo and lim_dn == sp.oo and neg == sp.oo):
        return Outcome(FAILED, f"off-simplex limits {lim_up}, {lim_dn}, {neg}: expected +oo")
    # boundary of the simplex (n = 2, y = (0, 1)): sup_x x2 - LSE = 0 = 0 log 0 + 1 log 1, approached
    bd = sp.limit(-sp.log(1 + sp.exp(-c)), c, sp.oo)
    if bd != 0:
        return Outcome(FAILED, f"boundary value {bd}")
    out = combine(outs)
    if out.verdict == PROVED:
        return Outcome(PROVED, f"n = {n}: gradient of yᵀx - LSE(x) vanishes at x = log y when Σy = 1; "
                               "LSE convex (Hessian diag(s) - ssᵀ PSD, minors >= 0 at 24 random "
                               "points), so this is the max, value Σ y log y; off the simplex "
                               "yᵀx - LSE(x) -> +oo along x = ±c·1 (Σy ≠ 1) or x = -c e_k (y_k < 0); "
                               "on the boundary the sup (0 log 0 = 0) is approached, not attained")
    return out


def _lse_general() -> Outcome:
    """General n via the Lagrangian: the conjugate of g(y) = Σ y log y + ι_simplex is LSE."""
    n = sp.Symbol("n", integer=True, positive=True)
    i = sp.Idx("i", (1, n))
    x = sp.IndexedBase("x", real=True)
    yv = sp.IndexedBase("y", positive=True)
    lam = sp.Symbol("lambda", real=True)
    S = sp.Symbol("S", positive=True)                # S = Σ_j exp(x_j)
    # Lagrangian L = Σ x_i y_i - Σ y_i log y_i - λ(Σ y_i - 1); ∂L/∂y_i = x_i - log y_i - 1 - λ
    dL = x[i] - sp.log(yv[i]) - 1 - lam
    y_star = sp.exp(x[i] - 1 - lam)
    r1 = sp.expand_log(dL.subs(yv[i], y_star))
    # constraint Σ y_i = 1 fixes e^{1+λ} = S, i.e. y_i = e^{x_i}/S
    lam_star = sp.log(S) - 1
    y_i = sp.simplify(y_star.subs(lam, lam_star))
    r2 = sp.simplify(y_i - sp.exp(x[i]) / S)
    # value Σ y_i (x_i - log y_i) = Σ (e^{x_i}/S) log S = log S  (Σ e^{x_i} = S)
    term = sp.expand(sp.expand_log(y_i * (x[i] - sp.log(y_i)), force=False))
    total = sp.Sum(term, (i, 1, n))
    total = sp.factor_terms(sp.expand(total.doit()))
    total = total.subs(sp.Sum(sp.exp(x[i]), (i, 1, n)), S)
    r3 = sp.simplify(total - sp.log(S))
    # the constraint itself: Σ e^{x_i}/S = 1
    cons = sp.factor_terms(sp.Sum(y_i, (i, 1, n)).doit()).subs(sp.Sum(sp.exp(x[i]), (i, 1, n)), S)
    r4 = sp.simplify(cons - 1)
    if all(r == 0 for r in (r1, r2, r3, r4)):
        return Outcome(PROVED, "Lagrangian stationarity x_i - log y_i - 1 - λ = 0 gives "
                               "y_i = e^{x_i}/Σ_j e^{x_j}; the value Σ y_i(x_i - log y_i) "
                               "reduces to log Σ e^{x_j} for symbolic n (sympy Sum); the objective "
                               "is strictly concave in y, so g* = LSE, and g = g** = LSE* "
                               "(g closed convex: Fenchel-Moreau)")
    return Outcome(NUMERIC if symbolic_zero(r3) else FAILED,
                   f"residuals {r1}, {r2}, {r3}, {r4} did not all reduce to 0")


# ---------------------------------------------------------------------------------------------
# χ², KL and TV as f-divergences

def _chi2() -> Outcome:
    p, q = sp.symbols("p q", positive=True)
    lhs = q * (p / q - 1) ** 2
    mid = q * ((p / q) ** 2 - 2 * p / q + 1)
    rhs = q * (p / q) ** 2 - 2 * p + q
    pts = _pts(rng_for("lecture.chi2"), 20,
               lambda r: [mpmath.mpf(v) for v in r.uniform(0.01, 3, 2)])
    outs = [grade_identity(lhs - mid, [p, q], pts), grade_identity(mid - rhs, [p, q], pts)]
    # integrated: ∫p = ∫q = 1, so -∫2p + ∫q = -1 (the lecture's brace must include the minus)
    P, Q = sp.symbols("P Q")   # the integrals ∫p, ∫q
    braced = (-2 * P + Q).subs({P: 1, Q: 1})
    if braced != -1:
        outs.append(Outcome(FAILED, f"-2∫p + ∫q = {braced}"))
    return combine(outs)


def random_gaussian_pairs(key: str, k: int = 3, sd=(0.9, 1.0), sdq=(1.0, 1.1)):
    """Random (μ₁, σ₁, μ₂, σ₂) with σ₁ ≤ σ₂ close to 1: every member's D_f is finite."""
    rng = rng_for(key)
    return [(rng.uniform(-1, 1), rng.uniform(*sd), rng.uniform(-1, 1), rng.uniform(*sdq))
            for _ in range(k)]


def mp_expect(fn, lo=-mpmath.inf, hi=mpmath.inf):
    """∫ fn(x) dx by mpmath.quad at 30 digits (the independent reference)."""
    with mpmath.workdps(30):
        return mpmath.quad(fn, [lo, -5, 0, 5, hi])


def _mp_norm(mu, s):
    mu, s = mpmath.mpf(mu), mpmath.mpf(s)
    return lambda x: mpmath.npdf(x, mu, s)


def _engine_lecture(name, reference, what, key):
    def check():
        fdiv = require_engine("divergence")
        from scipy import stats
        outs = []
        for m1, s1, m2, s2 in random_gaussian_pairs(key):
            P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
            got = fdiv.divergence(name, P, Q)
            want = float(reference(m1, s1, m2, s2))
            if not abs(got - want) <= 1e-9 * abs(want) + 1e-13:
                outs.append(Outcome(FAILED, f"fdiv.divergence({name!r}, N({m1:.3f},{s1:.3f}²), "
                                            f"N({m2:.3f},{s2:.3f}²)) = {got!r}, {what} = {want!r}"))
        if outs:
            return combine(outs)
        return Outcome(NUMERIC, f"fdiv.divergence({name!r}) equals {what} to 1e-9 relative on 3 "
                                "random Gaussian pairs")
    return check


def _kl_ref(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def _chi2_ref(m1, s1, m2, s2):
    p, q = _mp_norm(m1, s1), _mp_norm(m2, s2)
    return mp_expect(lambda x: p(x) ** 2 / q(x)) - 1


def _crossings(m1, s1, m2, s2):
    """Real x with N(x; m1, s1) = N(x; m2, s2): roots of a quadratic (kinks of |p - q|)."""
    a = 1 / (2 * s2**2) - 1 / (2 * s1**2)
    b = m1 / s1**2 - m2 / s2**2
    c = m2**2 / (2 * s2**2) - m1**2 / (2 * s1**2) + math.log(s2 / s1)
    if abs(a) < 1e-15:
        return [-c / b] if b else []
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    r = math.sqrt(disc)
    return sorted([(-b - r) / (2 * a), (-b + r) / (2 * a)])


def _tv_ref(m1, s1, m2, s2):
    p, q = _mp_norm(m1, s1), _mp_norm(m2, s2)
    with mpmath.workdps(30):
        pts = [-mpmath.inf, *[mpmath.mpf(c) for c in _crossings(m1, s1, m2, s2)], mpmath.inf]
        return mpmath.quad(lambda x: abs(p(x) - q(x)), pts)


def _kl_pointwise() -> Outcome:
    p, q = sp.symbols("p q", positive=True)
    pts = _pts(rng_for("lecture.kl"), 20, lambda r: [mpmath.mpf(v) for v in r.uniform(0.01, 3, 2)])
    return grade_identity(q * (p / q) * sp.log(p / q) - p * sp.log(p / q), [p, q], pts)


def _tv_pointwise() -> Outcome:
    p, q = sp.symbols("p q", positive=True)
    pts = _pts(rng_for("lecture.tv"), 20, lambda r: [mpmath.mpf(v) for v in r.uniform(0.01, 3, 2)])
    return grade_identity(q * sp.Abs(p / q - 1) - sp.Abs(p - q), [p, q], pts)


def _max_vs_sup() -> Outcome:
    """f(x) = sup_y (y x - f*(y)); for kl at u = 0 the sup is not attained ("max" is wrong)."""
    t = sp.Symbol("t", real=True)
    fstar = sp.exp(t - 1)                           # kl's conjugate
    gap = -fstar                                     # t·0 - f*(t), to be compared with f(0) = 0
    if not (gap.is_negative and sp.limit(gap, t, -sp.oo) == 0):
        return Outcome(FAILED, "expected -e^{t-1} < 0 for all t with sup 0")
    return Outcome(PROVED, "for f = u log u at u = 0: t·0 - f*(t) = -e^{t-1} < 0 = f(0) for every "
                           "t, and -> 0 as t -> -oo: f(0) = sup, not max")


def claims():
    yield ClaimSpec("lecture.quadratic_self_conjugate",
                    "f(x) = ½‖x‖²: f*(y) = sup_x (xᵀy - ½‖x‖²) = yᵀy - ½yᵀy = ½‖y‖², x* = y (n = 1, 2, 3)",
                    SEC + " (2) example", _quadratic)
    yield ClaimSpec("lecture.lse_conjugate_n2",
                    "f(x) = log(e^x1 + e^x2): f*(y) = y1 log y1 + y2 log y2 on the simplex, +oo off it",
                    SEC + " (2) example", lambda: _lse(2))
    yield ClaimSpec("lecture.lse_conjugate_n3",
                    "f(x) = log Σ_{i<=3} e^xi: f*(y) = Σ yi log yi on the simplex, +oo off it",
                    SEC + " (2) example", lambda: _lse(3))
    yield ClaimSpec("lecture.lse_conjugate_general_n",
                    "general n, via the Lagrangian: the conjugate of Σ yi log yi (+ simplex "
                    "indicator) is log Σ e^xi, hence (Fenchel-Moreau) LSE* = Σ yi log yi on the simplex",
                    SEC + " (2) example", _lse_general)
    yield ClaimSpec("lecture.biconjugate_sup_not_max",
                    "f(x) = sup_y (yx - f*(y)) need not be attained: kl at u = 0",
                    SEC + " (2) f** = f", _max_vs_sup)
    yield ClaimSpec("lecture.chi2_expansion",
                    "q(p/q - 1)² = q(p/q)² - 2p + q pointwise; with ∫p = ∫q = 1: D_chi2 = ∫q(p/q)² - 1",
                    SEC + " χ²-divergence", _chi2)
    yield ClaimSpec("lecture.chi2_expansion.engine",
                    "fdiv.divergence('pearson', P, Q) = ∫p²/q - 1 (mpmath quadrature, 30 digits)",
                    SEC + " χ²-divergence", _engine_lecture("pearson", _chi2_ref, "∫p²/q - 1 (mpmath)",
                                                            "lecture.chi2.engine"))
    yield ClaimSpec("lecture.kl_f_divergence", "q·(p/q) log(p/q) = p log(p/q): KL is the "
                    "f-divergence of f(u) = u log u", SEC + " KL", _kl_pointwise)
    yield ClaimSpec("lecture.kl_f_divergence.engine",
                    "fdiv.divergence('kl') = log(σ2/σ1) + (σ1² + (μ1-μ2)²)/(2σ2²) - ½ (closed form)",
                    SEC + " KL", _engine_lecture("kl", _kl_ref, "the Gaussian closed form",
                                                 "lecture.kl.engine"))
    yield ClaimSpec("lecture.tv_f_divergence", "q|p/q - 1| = |p - q| for q > 0: TV = ∫|p - q| "
                    "(no ½: TV <= 2)", SEC + " TV", _tv_pointwise)
    yield ClaimSpec("lecture.tv_f_divergence.engine",
                    "fdiv.divergence('tv') = ∫|p - q| (mpmath quadrature, 30 digits)",
                    SEC + " TV", _engine_lecture("tv", _tv_ref, "∫|p - q| (mpmath)", "lecture.tv.engine"))
