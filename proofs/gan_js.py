"""GAN → Jensen–Shannon (§16.2.1): the optimal discriminator and the value at it.

``max_y a log y + b log(1 − y)`` is attained at ``y* = a/(a + b)`` (strictly concave); the
plug-in value ``a log(a/(a+b)) + b log(b/(a+b))`` is exactly ``2·JS-integrand − (a + b) log 2``
pointwise, so the integrated value is ``2·JS(P_d ‖ P_g) − log 4`` (the lecture's "∝ 2JS + const").
The registry's ``gan`` and ``js`` generators are checked to produce these integrands, and the
engine re-checks the integrated identity on random distribution pairs.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from ._verdict import (FAILED, NUMERIC, PROVED, ClaimSpec, Outcome, combine, grade_identity,
                       require_engine, rng_for)

__all__ = ["claims"]

SEC1 = "§16.2.1 Step 1"
SEC2 = "§16.2.1 Step 2"

a, b = sp.symbols("a b", positive=True)          # P_d(x), P_g(x) at one point
y = sp.Symbol("y", positive=True)                # D(x) ∈ (0, 1)


def _pts(key, n=24):
    rng = rng_for(key)
    return [[mpmath.mpf(v) for v in rng.uniform(0.01, 3, 2)] for _ in range(n)]


def _pointwise_max() -> Outcome:
    obj = a * sp.log(y) + b * sp.log(1 - y)
    crit = sp.solve(sp.diff(obj, y), y)
    if crit != [a / (a + b)]:
        return Outcome(FAILED, f"stationary points {crit}, expected [a/(a+b)]")
    d2 = sp.diff(obj, y, 2)
    # y ∈ (0, 1): y = w/(1 + w) with w > 0
    w = sp.Symbol("w", positive=True)
    d2w = sp.simplify(d2.subs(y, w / (1 + w)))
    if d2w.is_negative is not True:
        return Outcome(FAILED, f"second derivative {d2w} not shown negative")
    return Outcome(PROVED, f"d/dy = a/y - b/(1-y) vanishes only at y* = a/(a+b) ∈ (0, 1); "
                           f"d²/dy² = {d2} < 0 on (0, 1) (sympy, y = w/(1+w)): the unique maximiser")


def _plugin_value() -> Outcome:
    value = a * sp.log(a / (a + b)) + b * sp.log(b / (a + b))
    js_integrand = (a * sp.log(2 * a / (a + b)) + b * sp.log(2 * b / (a + b))) / 2
    res = value - (2 * js_integrand - (a + b) * sp.log(2))
    out = grade_identity(res, [a, b], _pts("gan.plugin"))
    if out.verdict != PROVED:
        return out
    return Outcome(PROVED, "pointwise: a log(a/(a+b)) + b log(b/(a+b)) = 2·½[a log(2a/(a+b)) + "
                           "b log(2b/(a+b))] - (a+b) log 2; integrating with ∫P_d = ∫P_g = 1 gives "
                           "L(θ, φ*) = 2·JS(P_d‖P_g) - 2 log 2 = 2·JS - log 4 exactly (sympy)")


def _registry_generators() -> Outcome:
    """q·f_gan(p/q) is the plug-in value; q·f_js(p/q) is the JS integrand (registry formulas)."""
    import fdiv

    outs = []
    u = sp.Symbol("u", positive=True)
    value = a * sp.log(a / (a + b)) + b * sp.log(b / (a + b))
    js_integrand = (a * sp.log(2 * a / (a + b)) + b * sp.log(2 * b / (a + b))) / 2
    for name, want in (("gan", value), ("js", js_integrand)):
        if name not in fdiv.names():
            outs.append(Outcome(FAILED, f"registry member {name!r} is missing"))
            continue
        f = sp.sympify(fdiv.get(name).formula, locals={"u": u})
        res = b * f.subs(u, a / b) - want          # q f(p/q) with p = a, q = b
        outs.append(grade_identity(res, [a, b], _pts(f"gan.registry.{name}")))
    f_gan = sp.sympify(fdiv.get("gan").formula, locals={"u": u}) if "gan" in fdiv.names() else None
    f_js = sp.sympify(fdiv.get("js").formula, locals={"u": u}) if "js" in fdiv.names() else None
    if f_gan is not None and f_js is not None:
        # generator-level: f_gan(u) = 2 f_js(u) - (u + 1) log 2
        outs.append(grade_identity(f_gan - (2 * f_js - (u + 1) * sp.log(2)), [u],
                                   [[p[0]] for p in _pts("gan.registry.f")]))
    return combine(outs)


def _pairs(key):
    """Random continuous pairs (scipy frozen): Gaussians, a Laplace/logistic and a t pair."""
    from scipy import stats

    rng = rng_for(key)
    out = []
    for _ in range(3):
        out.append((stats.norm(rng.uniform(-1, 1), rng.uniform(0.5, 2)),
                    stats.norm(rng.uniform(-1, 1), rng.uniform(0.5, 2))))
    out.append((stats.laplace(rng.uniform(-1, 1), rng.uniform(0.5, 2)),
                stats.logistic(rng.uniform(-1, 1), rng.uniform(0.5, 2))))
    out.append((stats.t(5, rng.uniform(-1, 1)), stats.cauchy(rng.uniform(-1, 1))))
    return out


def _desc(d):
    return f"{d.dist.name}{tuple(round(float(v), 3) for v in d.args)}{dict((k, round(float(v), 3)) for k, v in d.kwds.items())}"


def _engine_value() -> Outcome:
    fdiv = require_engine("divergence", "integrate", "logpdf")
    outs = []
    # the published anchor: JS(N(0,1) ‖ N(1, 2²)) = 0.128174973054398010424818… (FIELD_NOTES)
    from scipy import stats

    js0 = fdiv.divergence("js", stats.norm(0, 1), stats.norm(1, 2))
    if abs(js0 - 0.128174973054398010424818) > 1e-12:
        outs.append(Outcome(FAILED, f"JS(N(0,1)||N(1,2²)) = {js0!r}, published 0.1281749730543980"))
    for P, Q in _pairs("gan.engine"):
        gan = fdiv.divergence("gan", P, Q)
        js = fdiv.divergence("js", P, Q)

        def value(x, P=P, Q=Q):
            lp, lq = fdiv.logpdf(P, x), fdiv.logpdf(Q, x)
            lm = np.logaddexp(lp, lq)
            # P_d log D* + P_g log(1 - D*), D* = p/(p+q), in log space
            return np.exp(lp) * (lp - lm) + np.exp(lq) * (lq - lm)

        direct = fdiv.integrate(value, P, Q)
        target = 2 * js - math.log(4)
        for what, got in (("fdiv.divergence('gan')", gan), ("∫ P_d log D* + P_g log(1-D*)", direct)):
            if not abs(got - target) <= 1e-9 * abs(target):
                outs.append(Outcome(FAILED, f"{what} = {got!r} but 2·JS - log 4 = {target!r} for "
                                            f"P = {_desc(P)}, Q = {_desc(Q)}"))
        if not (0 <= js <= math.log(2) + 1e-15):
            outs.append(Outcome(FAILED, f"JS = {js!r} outside [0, log 2]"))
    if outs:
        return combine(outs)
    return Outcome(NUMERIC, "on 5 random pairs (3 Gaussian, laplace/logistic, t/cauchy): "
                            "fdiv.divergence('gan') = ∫ P_d log D* + P_g log(1 - D*) (fdiv.integrate, "
                            "log space) = 2·fdiv.divergence('js') - log 4 to 1e-9 relative; "
                            "JS ∈ [0, log 2]; JS(N(0,1)‖N(1,2²)) matches the published 0.128174973054398")


def _step_directions() -> Outcome:
    """The algorithm's update signs: ascent on φ, descent on θ with ∇_θ."""
    th, ph, eta = sp.symbols("theta phi eta", real=True)
    sig = lambda z: 1 / (1 + sp.exp(-z))  # noqa: E731
    # toy: data point x = 1, generator g_θ = θ, discriminator D_φ(x) = σ(φ x)
    L = sp.log(sig(ph)) + sp.log(1 - sig(ph * th))
    Lp, Lt = sp.diff(L, ph), sp.diff(L, th)
    up = sp.diff(L.subs(ph, ph + eta * Lp), eta).subs(eta, 0)          # φ + η ∇_φ L
    down = sp.diff(L.subs(th, th - eta * Lt), eta).subs(eta, 0)        # θ - λ ∇_θ L
    wrong = sp.diff(L.subs(th, th + eta * Lp), eta).subs(eta, 0)       # the printed θ + λ ∇_φ L
    rng = rng_for("gan.steps")
    pts = [[mpmath.mpf(v) for v in rng.uniform(-2, 2, 2)] for _ in range(24)]
    outs = [grade_identity(up - Lp**2, [th, ph], pts), grade_identity(down + Lt**2, [th, ph], pts)]
    fn = sp.lambdify([th, ph], wrong / Lt, modules="mpmath")
    # the printed step moves θ along ∇_φ L, which is not -∇_θ L: at some points it increases L
    with mpmath.workdps(30):
        inc = [p for p in pts if fn(*p) > 0]
    if not inc:
        outs.append(Outcome(FAILED, "the printed generator step never increased L on the toy"))
    out = combine(outs)
    if out.verdict == PROVED:
        return Outcome(PROVED, "d/dη L(θ, φ + η∇_φL)|₀ = (∇_φL)² >= 0 (ascent for the maximising "
                               "discriminator) and d/dλ L(θ - λ∇_θL, φ)|₀ = -(∇_θL)² <= 0 (descent for "
                               "the generator), on the logistic toy L = log σ(φ) + log(1 - σ(φθ)); the "
                               f"printed step θ + λ∇_φL increases L at {len(inc)} of {len(pts)} random points")
    return out


def claims():
    yield ClaimSpec("gan.optimal_discriminator",
                    "argmax_y a log y + b log(1 - y) = a/(a+b) (strictly concave), i.e. "
                    "D*(x) = P_d(x)/(P_d(x) + P_g(x))", SEC1, _pointwise_max)
    yield ClaimSpec("gan.value_at_optimum",
                    "L(θ, φ*) = ∫P_d log D* + ∫P_g log(1 - D*) = 2·JS(P_d‖P_g) - log 4 "
                    "(exactly; the lecture writes ∝ 2JS + const)", SEC2, _plugin_value)
    yield ClaimSpec("gan.registry_generators",
                    "registry: q·f_gan(p/q) is the plug-in value, q·f_js(p/q) the JS integrand, "
                    "f_gan(u) = 2 f_js(u) - (u+1) log 2", SEC2, _registry_generators)
    yield ClaimSpec("gan.value_at_optimum.engine",
                    "fdiv: D_gan(P‖Q) = ∫ P log D* + Q log(1 - D*) = 2·JS(P‖Q) - log 4 on random pairs",
                    SEC2, _engine_value)
    yield ClaimSpec("gan.algorithm_step_signs",
                    "step 3 is gradient ascent on φ; step 4 is θ - λ∇_θL (descent), not θ λ ∇_φ L",
                    "§16.2.1 Algorithm", _step_directions)
