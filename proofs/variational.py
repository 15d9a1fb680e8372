"""The variational representation (§16.2.2), for every registry member.

``D_f(P‖Q) = ∫ q sup_T [T p/q − f*(T)] = sup_T E_P[T] − E_Q[f*(T)]``, attained at
``T* = f′(p/q)``.  Per member:

``var.<m>.pointwise``  sup_T (p T − q f*(T)) = q f(p/q) at random (p, q) (golden-section
                       supremum over dom f*, independent of f′), attained at T* = f′(p/q): the
                       value there is q·[u f′(u) − f*(f′(u))] = q f(u) by Fenchel–Young
``var.<m>.engine``     E_P[T*] − E_Q[f*(T*)] (``fdiv.integrate``) = ``fdiv.divergence`` on random
                       Gaussian pairs, and a perturbed critic gives a smaller bound
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from . import conjugates as C
from ._verdict import (DPS, FAILED, NUMERIC, PROVED, ClaimSpec, Outcome, require_engine, rng_for)
from .lecture_examples import random_gaussian_pairs

__all__ = ["claims"]

SEC = "§16.2.2 (f-GAN: D_f = max_D E_p[D] - E_q[f*(D)])"


def _pointwise(g: C.Generator) -> Outcome:
    d = g.derivation()
    fmp = C._mp_f(g)
    rng = rng_for(f"var.{g.label}.pointwise")
    worst, where = mpmath.mpf(0), None
    n = 20
    kinks = any(b.kind == "kink" for b in d.branches)
    with mpmath.workdps(DPS):
        hi = mpmath.mpf(sp.N(d.hi, DPS)) if d.hi.is_finite else None
        if hi is not None and not d.hi_closed:
            hi = hi - mpmath.mpf(10) ** -(DPS - 10)
        for _ in range(n):
            p, q = (mpmath.e ** mpmath.mpf(v) for v in rng.uniform(-3, 3, 2))
            # sup_T (p T - q f*(T)) = q sup_T (T p/q - f*(T))
            sup = q * C.sup_t(d, p / q, hi, tol=None if kinks else mpmath.mpf(10) ** -13)
            want = q * fmp(p / q)
            err = abs(sup - want) / max(1, abs(want))
            if err > worst or where is None:
                worst, where = max(err, worst), ((p, q, sup, want) if err >= worst else where)
    if worst > C.SUP_TOL:
        p, q, sup, want = where
        return Outcome(FAILED, f"p={mpmath.nstr(p, 6)}, q={mpmath.nstr(q, 6)}: sup_T = "
                               f"{mpmath.nstr(sup, 12)} but q f(p/q) = {mpmath.nstr(want, 12)}")
    num = (f"golden-section sup over T ∈ dom f* equals q f(p/q) to 1e-20 at {n} random (p, q) "
           f"({DPS} digits)")
    fy = C._check_fenchel_young(g)
    if fy.verdict == PROVED:
        return Outcome(PROVED, "p T - q f*(T) is concave in T (f* convex) and, at T* = f'(p/q), "
                               "equals q[u f'(u) - f*(f'(u))] = q f(u) by the proved Fenchel-Young "
                               f"equality (conj.{g.label}.fenchel_young); " + num)
    if fy.verdict == FAILED:
        return Outcome(FAILED, f"conj.{g.label}.fenchel_young failed: {fy.reason}")
    return Outcome(NUMERIC, f"Fenchel-Young at T* is {fy.verdict.lower()}: {fy.reason}; " + num)


def _engine(g: C.Generator) -> Outcome:
    fdiv = require_engine("divergence", "integrate", "logpdf")
    from scipy import stats

    m = g.member
    outs = []
    for m1, s1, m2, s2 in random_gaussian_pairs(f"var.{g.label}.engine", k=2):
        P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
        D = fdiv.divergence(m, P, Q)

        def bound(shift):
            def crit(x):
                lp, lq = fdiv.logpdf(P, x), fdiv.logpdf(Q, x)
                return m.optimal_critic(lp, lq) - shift * (1 + np.sin(3 * x)) / 2

            def weighted(dist, fn):
                # density × value, with 0 where the density underflows (far tails, < 1e-300)
                def h(x):
                    w = np.exp(fdiv.logpdf(dist, x))
                    with np.errstate(invalid="ignore", over="ignore"):
                        v = w * fn(x)
                    return np.where(w == 0.0, 0.0, v)
                return h

            ep = fdiv.integrate(weighted(P, crit), P, Q)
            eq = fdiv.integrate(weighted(Q, lambda x: m.conjugate(crit(x))), P, Q)
            return ep - eq

        at_opt = bound(0.0)
        worse = bound(0.2)           # shifted down: stays inside dom f* = (-oo, hi)
        pair = f"P = N({m1:.3f}, {s1:.3f}²), Q = N({m2:.3f}, {s2:.3f}²)"
        if not abs(at_opt - D) <= 1e-7 * max(abs(D), 1e-3):
            outs.append(Outcome(FAILED, f"{pair}: E_P[T*] - E_Q[f*(T*)] = {at_opt!r} but "
                                        f"fdiv.divergence = {D!r}"))
        if not worse < at_opt:
            outs.append(Outcome(FAILED, f"{pair}: a perturbed critic gives {worse!r} >= {at_opt!r}"))
    if outs:
        return C.combine(outs)
    return Outcome(NUMERIC, "on 2 random Gaussian pairs: E_P[T*] - E_Q[f*(T*)] with T* = "
                            "optimal_critic (fdiv.integrate) equals fdiv.divergence to 1e-7 relative, "
                            "and T* - 0.1(1 + sin 3x) gives a strictly smaller bound")


def claims():
    for g in C.generators():
        if g.symbolic_params or g.member is None:
            continue
        yield ClaimSpec(f"var.{g.label}.pointwise",
                        "sup_T [p T - q f*(T)] = q f(p/q), attained at T* = f'(p/q) (p, q > 0)",
                        SEC, lambda g=g: _pointwise(g))
        yield ClaimSpec(f"var.{g.label}.engine",
                        "D_f(P‖Q) = E_P[T*] - E_Q[f*(T*)] (fdiv.integrate vs fdiv.divergence); "
                        "any other critic gives less", SEC, lambda g=g: _engine(g))
