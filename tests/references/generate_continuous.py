#!/usr/bin/env python
"""Generate ``continuous.json``: 30+ digit references for ``fdiv.divergence`` on continuous pairs.

Run from the repository root (``python tests/references/generate_continuous.py``; ``--only TAG``
for some pairs, ``--dry-run`` to print); rerun when members are added to the registry (it loops
over ``fdiv.names()``).  Cost: ~2.7 CPU-minutes for 341 cases on 2 worker processes (about
1.5 min wall on an idle 2-core machine; 9 min when the machine was shared).

Independence from the code under test
-------------------------------------
* The generator f of each member comes from its ``formula`` string (sympy syntax) parsed by sympy
  and lambdified to mpmath; ``f(0+)`` and ``f′(∞) = lim f(u)/u`` come from ``sympy.limit``.
  Members of issue 2's table that are not registered yet use the table's formula
  (``formula_source`` says which).  No numeric code of fdiv is called.
* Log-densities are written here in mpmath from the textbook formulas (not scipy, not fdiv).
* ``D_f(P‖Q) = ∫_{p>0,q>0} q f(p/q) dx + f(0)·Q(p = 0) + f′(∞)·P(q = 0)`` (Csiszár's conventions;
  ``0·∞ = 0``), each piece by ``mpmath.quad`` (tanh–sinh) between explicit breakpoints: support
  ends, kinks and component locations with their scale multiples, and, for non-smooth f, the
  crossing points of p and q (sign changes of log p − log q on a grid, refined by
  ``mpmath.findroot``).
* Every value is computed twice: at ``DPS`` digits, and at ``CHECK_DPS`` digits with every finite
  piece split in two, infinite ends mapped explicitly (``x = b ± (1 − t)/t``) rather than by
  mpmath, and another power in the endpoint substitution; the two must agree to ``CONFIRM``
  (relative), else the case is refused (reported in the header's ``skipped``, not written).
* Infinite values are decided analytically, never by quadrature: support mismatch with an
  infinite ``f(0)`` or ``f′(∞)``, or a tail/endpoint where ``q·φ(p/q)`` is not integrable.  The
  latter uses the growth of the centred generator ``φ(u) = f(u) − f(1) − f′(1)(u − 1) ~ u^k``
  (k measured at u = 10^{±30…±120}) and, per pair, the analytic set of exponents k for which
  ``∫p^k q^{1−k}`` converges (linear constraints ``c₀ + c₁k > 0``, derived from tail exponents
  in each case's ``note``) plus whether ``E_P|log(p/q)|`` and ``E_Q|log(q/p)|`` are finite (for
  ``u log u`` and ``−log u`` growth).  A member whose exponent falls within a margin of a
  constraint's boundary is skipped for that pair (undecidable here), not guessed.

Output: ``tests/references/continuous.json`` with a header (mpmath version, dps, date) and one
record per case: id, divergence {name, params}, formula, formula_source, p and q as
{family, args, kwds} (mixtures: {family: "mixture", weights, components}), expected (decimal
string or "inf"), rtol, flags (naming the trap), note (how the value or the infinity was
decided).
"""
from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field

import mpmath as mp
import sympy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

DPS = 40
CHECK_DPS = 48
CONFIRM = mp.mpf("1e-20")
DIGITS = 30  # significant digits written
RTOL = 1e-10  # what fdiv.divergence must achieve (issue 2 §3)

#: issue 2's table (used for names not registered yet)
SPEC = {
    "kl": "u*log(u)",
    "reverse_kl": "-log(u)",
    "pearson": "(u - 1)**2",
    "neyman": "(1 - u)**2/u",
    "squared_hellinger": "(sqrt(u) - 1)**2",
    "jeffreys": "(u - 1)*log(u)",
    "js": "(u*log(u) - (u + 1)*log((u + 1)/2))/2",
    "gan": "u*log(u) - (u + 1)*log(u + 1)",
    "tv": "Abs(u - 1)",
    "triangular": "(u - 1)**2/(u + 1)",
    "alpha": "(u**a - 1 - a*(u - 1))/(a*(a - 1))",
}
SPEC_PARAMS = {"alpha": [{"a": 0.5}, {"a": 2.0}, {"a": -1.0}]}
#: the members computed on every hard case (all members go on the ALL pairs)
CORE = ("kl", "reverse_kl", "tv", "js", "squared_hellinger", "pearson", "neyman", "jeffreys")

FLAGS = {
    "smooth": "smooth densities, everything finite",
    "published": "value printed in FIELD_NOTES / closed form known (checks the generator too)",
    "heavy_tail": "polynomial tails (t, cauchy): slow decay, tail exponents decide finiteness",
    "kink": "a density has a kink inside the support (laplace, uniform ends)",
    "crossing": "tv: |p − q| has kinks where p = q; the engine must split there",
    "support_mismatch": "supports differ: Csiszár terms f(0)·Q(p=0) and f′(∞)·P(q=0)",
    "far_apart": "narrow densities far from 0 (scipy.quad returns 0 here)",
    "narrow_wide": "scales differing by 1e3",
    "endpoint_singular": "a density is infinite at a support end (beta, gamma shape < 1)",
    "mixture": "a 2-component mixture",
    "diverges": "the divergence is infinite (decided analytically, see note)",
    "all_members": "every registry member on this pair",
}


# -- log-densities in mpmath (textbook formulas) -----------------------------------------------
SHAPES = {"norm": [], "t": ["df"], "laplace": [], "logistic": [], "cauchy": [], "gumbel_r": [],
          "expon": [], "gamma": ["a"], "lognorm": ["s"], "beta": ["a", "b"], "uniform": []}


class MDist:
    """A distribution in mpmath: ``logpdf``, support ``(lo, hi)``, ``landmarks``, ``kinks``."""

    def __init__(self, spec):
        self.spec = spec
        fam = spec["family"]
        if fam == "mixture":
            self.parts = [(mp.log(mp.mpf(str(w))), MDist(c)) for w, c in zip(spec["weights"], spec["components"])]
            self.lo = min(d.lo for _, d in self.parts)
            self.hi = max(d.hi for _, d in self.parts)
            self.landmarks = sorted({x for _, d in self.parts for x in d.landmarks})
            self.logpdf = lambda x: mp.log(mp.fsum(mp.exp(lw + d.logpdf(x)) for lw, d in self.parts)) \
                if all(d.lo < x < d.hi for _, d in self.parts) else self._mix_slow(x)
            return
        names = SHAPES[fam] + ["loc", "scale"]
        bound = dict(zip(names, spec.get("args", [])))
        bound.update(spec.get("kwds", {}))
        sh = [mp.mpf(str(bound[s])) for s in SHAPES[fam]]
        loc = mp.mpf(str(bound.get("loc", 0)))
        s = mp.mpf(str(bound.get("scale", 1)))
        logs = mp.log(s)
        inf = mp.inf
        z = lambda x: (x - loc) / s  # noqa: E731
        self.lo, self.hi = -inf, inf
        ks = [1, 4, 16]
        both = [loc] + [loc + sg * k * s for k in ks for sg in (-1, 1)]
        right = [loc + k * s for k in [mp.mpf(1) / 4] + ks]
        if fam == "norm":
            c = -mp.log(2 * mp.pi) / 2 - logs
            self.logpdf = lambda x: c - z(x) ** 2 / 2
            self.landmarks = both
        elif fam == "t":
            nu = sh[0]
            c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2 - logs
            self.logpdf = lambda x: c - (nu + 1) / 2 * mp.log1p(z(x) ** 2 / nu)
            self.landmarks = both + [loc + sg * 100 * s for sg in (-1, 1)]
        elif fam == "cauchy":
            c = -mp.log(mp.pi) - logs
            self.logpdf = lambda x: c - mp.log1p(z(x) ** 2)
            self.landmarks = both + [loc + sg * 100 * s for sg in (-1, 1)]
        elif fam == "laplace":
            c = -mp.log(2) - logs
            self.logpdf = lambda x: c - abs(z(x))
            self.landmarks = both
        elif fam == "logistic":
            self.logpdf = lambda x: -abs(z(x)) - 2 * mp.log1p(mp.exp(-abs(z(x)))) - logs
            self.landmarks = both
        elif fam == "gumbel_r":
            # beyond z < −10⁵ the density is below exp(−e^{10⁵}); returning −inf there keeps mpmath
            # from building exponents with ~10^30 digits at far tanh–sinh nodes
            self.logpdf = lambda x: -z(x) - mp.exp(-z(x)) - logs if z(x) > -100000 else -inf
            self.landmarks = both
        elif fam in ("expon", "gamma", "lognorm"):
            self.lo = loc
            if fam == "expon":
                self.logpdf = lambda x: -z(x) - logs if x > loc else -inf
                self.landmarks = [loc] + right
            elif fam == "gamma":
                a = sh[0]
                c = -mp.loggamma(a) - logs
                self.logpdf = lambda x: c + (a - 1) * mp.log(z(x)) - z(x) if x > loc else -inf
                self.landmarks = [loc] + right
            else:
                sg = sh[0]
                c = -mp.log(2 * mp.pi) / 2 - mp.log(sg) - logs
                self.logpdf = lambda x: (c - mp.log(z(x)) - mp.log(z(x)) ** 2 / (2 * sg ** 2)) if x > loc else -inf
                self.landmarks = [loc] + [loc + s * mp.exp(k * sg) for k in (-4, -1, 0, 1, 4)]
        elif fam in ("beta", "uniform"):
            self.lo, self.hi = loc, loc + s
            if fam == "uniform":
                self.logpdf = lambda x: -logs if loc <= x <= loc + s else -inf
                self.landmarks = [loc, loc + s]
            else:
                a, b = sh
                c = mp.loggamma(a + b) - mp.loggamma(a) - mp.loggamma(b) - logs
                self.logpdf = lambda x: (c + (a - 1) * mp.log(z(x)) + (b - 1) * mp.log1p(-z(x))) \
                    if loc < x < loc + s else -inf
                self.landmarks = [loc, loc + s / 2, loc + s]
        else:
            raise ValueError(f"unknown family {fam!r}")

    def _mix_slow(self, x):
        terms = [lw + d.logpdf(x) for lw, d in self.parts]
        terms = [t for t in terms if t != -mp.inf]
        return mp.log(mp.fsum(mp.exp(t) for t in terms)) if terms else -mp.inf


# -- generators from the formula strings --------------------------------------------------------
U = sympy.Symbol("u", positive=True)


class Gen:
    """``f`` (mpmath), ``f(0+)``, ``f′(∞)``, smoothness and the growth of φ, from a formula."""

    def __init__(self, name, params, formula, source):
        self.name, self.params, self.formula, self.source = name, dict(params), formula, source
        syms = {k: sympy.Symbol(k) for k in params}
        expr = sympy.sympify(formula, locals={"u": U, **syms})
        expr = expr.subs({syms[k]: sympy.nsimplify(v, rational=True) for k, v in params.items()})
        self.expr = expr
        self.f = sympy.lambdify(U, expr, "mpmath")
        self.smooth = not expr.has(sympy.Abs, sympy.Piecewise, sympy.Max, sympy.Min, sympy.sign,
                                   sympy.Heaviside)
        self.f0 = _limit(expr, sympy.S(0), lambda t: self.f(t), "f(0+)")
        self.fpinf = _limit(expr / U, sympy.oo, lambda t: self.f(t) / t, "f'(inf)")
        with mp.workdps(60):
            h = mp.mpf("1e-25")
            self.f1 = self.f(mp.mpf(1))
            self.fp1 = (self.f(1 + h) - self.f(1 - h)) / (2 * h)
            phi = lambda u: abs(self.f(u) - self.f1 - self.fp1 * (u - 1))  # noqa: E731

            def slope(u1, u2):
                return (mp.log(phi(u2)) - mp.log(phi(u1))) / (mp.log(u2) - mp.log(u1))

            e = mp.mpf(10)
            self.k_hi, k_hi2 = slope(e ** 30, e ** 60), slope(e ** 60, e ** 120)
            self.log_hi = abs(self.k_hi - k_hi2) > 1e-4
            self.k_hi = k_hi2
            self.k_lo, k_lo2 = slope(e ** -30, e ** -60), slope(e ** -60, e ** -120)
            self.log_lo = abs(self.k_lo - k_lo2) > 1e-4
            self.k_lo = k_lo2

    @property
    def label(self):
        p = ",".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.name}({p})" if p else self.name


def _limit(expr, at, fun, what):
    """``sympy.limit``; if sympy cannot (Max, sign …), the value at u = 10^{∓200} when it has
    settled (agrees with u = 10^{∓100} to 1e-50), or ±inf when it grows past 10^90."""
    try:
        return _to_mp(sympy.limit(expr, U, at, "+" if at == 0 else "-"))
    except (NotImplementedError, ValueError, TypeError):
        pass
    with mp.workdps(60):
        e = -1 if at == 0 else 1
        v1, v2 = fun(mp.mpf(10) ** (100 * e)), fun(mp.mpf(10) ** (200 * e))
        if abs(v2) > mp.mpf(10) ** 90 and abs(v2) > 10 * abs(v1):
            return mp.inf if v2 > 0 else -mp.inf
        if abs(v1 - v2) < mp.mpf(10) ** -50:
            return +v2
    raise ValueError(f"{what}: sympy.limit failed and the numeric limit has not settled ({v1}, {v2})")


def _to_mp(v):
    if v == sympy.oo:
        return mp.inf
    if v == -sympy.oo:
        return -mp.inf
    if not v.is_real:
        raise ValueError(f"limit {v} is not a real number")
    return mp.mpf(str(sympy.N(v, 70)))


def members():
    """(name, params, formula, source) for every registry member and every issue-2 entry."""
    try:
        import fdiv
        registered = {n: fdiv.get(n) for n in fdiv.names()}
    except Exception as exc:  # noqa: BLE001  (the generator also runs without fdiv)
        print(f"fdiv registry unavailable ({exc}); using issue 2's table only", file=sys.stderr)
        registered = {}
    out = []
    for name in sorted(set(registered) | set(SPEC)):
        if name in registered:
            d = registered[name]
            formula, source = d.formula, "registry"
            plist = [dict(d.params)] if d.params else [{}]
        else:
            formula, source = SPEC[name], "issue-2 table (not registered when generated)"
            plist = [{}]
        if name in SPEC_PARAMS:
            plist = plist + [p for p in SPEC_PARAMS[name] if p not in plist]
            plist = [p for p in plist if p]  # alpha needs a
        for params in plist:
            out.append((name, params, formula, source))
    return out


# -- cases --------------------------------------------------------------------------------------
def D(family, *args, **kwds):
    return {"family": family, "args": list(args), "kwds": kwds}


def M(weights, *components):
    return {"family": "mixture", "weights": list(weights), "components": list(components)}


@dataclass
class Pair:
    """A (P, Q) pair with the analytic facts deciding finiteness.

    ``constraints``: ``(c0, c1, why)`` — ``∫p^k q^{1−k} < ∞`` iff ``c0 + c1·k > 0`` for all;
    ``log_p_ok``: ``E_P|log(p/q)| < ∞``; ``log_q_ok``: ``E_Q|log(q/p)| < ∞``.
    """

    tag: str
    p: dict
    q: dict
    members: str = "core"  # "all", "core" or a tuple of names
    constraints: list = field(default_factory=list)
    log_p_ok: bool = True
    log_q_ok: bool = True
    flags: tuple = ()
    note: str = ""


def gauss_c(s1, s2):
    """Gaussian tails: ``p^k q^{1−k} ∝ exp(−x²(k/σ₁² + (1−k)/σ₂²)/2)``, needs ``k/σ₁² + (1−k)/σ₂² > 0``."""
    a, b = 1 / s1 ** 2, 1 / s2 ** 2
    return [(b, a - b, f"Gaussian tails: k/σ₁² + (1−k)/σ₂² > 0 with σ₁={s1:g}, σ₂={s2:g}")]


def poly_c(ap, aq):
    """Tails ``p ~ |x|^{−ap}``, ``q ~ |x|^{−aq}``: ``k·ap + (1−k)·aq > 1``."""
    return [(aq - 1, ap - aq, f"polynomial tails |x|^-{ap:g} (p), |x|^-{aq:g} (q): k·{ap:g} + (1−k)·{aq:g} > 1")]


def rate_c(lp, lq, where="right tail"):
    """Tails ``p ~ e^{−lp x}``, ``q ~ e^{−lq x}`` (polynomial prefactors): ``k·lp + (1−k)·lq > 0``."""
    return [(lq, lp - lq, f"{where}: exponential rates {lp:g} (p), {lq:g} (q): k·{lp:g} + (1−k)·{lq:g} > 0")]


def end_c(bp, bq, where="endpoint"):
    """At a support end ``p ~ x^{bp}``, ``q ~ x^{bq}``: ``k·bp + (1−k)·bq > −1``."""
    return [(1 + bq, bp - bq, f"{where}: p ~ x^{bp:g}, q ~ x^{bq:g}: k·{bp:g} + (1−k)·{bq:g} > −1")]


def pairs():
    N, T = "norm", "t"
    return [
        # every member
        Pair("norm-equal-var", D(N, 0, 1), D(N, 1, 1), "all", [], flags=("smooth", "all_members"),
             note="equal variances: p^k q^(1-k) is Gaussian for every k"),
        Pair("norm-fieldnotes", D(N, 0, 1), D(N, 1, 2), "all", gauss_c(1, 2), flags=("smooth", "published", "all_members"),
             note="P=N(0,1), Q=N(1,2^2): KL = ln 2 - 1/4, JS = 0.128174973054398010424818... (FIELD_NOTES)"),
        Pair("t4-scaled", D(T, 4, 0, 1), D(T, 4, loc=0.5, scale=1.3), "all", [], flags=("heavy_tail", "all_members"),
             note="same degrees of freedom: p/q is bounded above and below, every f gives a finite value"),
        Pair("laplace-logistic", D("laplace", 0, 1), D("logistic", 0, 1), "all", [],
             flags=("kink", "crossing", "all_members"),
             note="tails e^-|x|/2 vs e^-|x|: p/q bounded; laplace kink at 0; p and q cross"),
        Pair("laplace-shift", D("laplace", 0, 1), D("laplace", 0.7, 1), "all", [], flags=("kink", "all_members"),
             note="kinks at 0 and 0.7; p/q bounded"),
        Pair("uniform-in-norm", D("uniform", 0, 1), D(N, 0.5, 1), "all", [], flags=("kink", "support_mismatch", "all_members"),
             note="p = 0 < q outside [0,1]: adds f(0)·Q(p=0); p/q bounded on [0,1]"),
        # hard cases
        Pair("norm-scales-crossing", D(N, 0, 1), D(N, 0.3, 2), "core", gauss_c(1, 2), flags=("crossing",),
             note="different scales: p and q cross twice"),
        Pair("norm-var-4-vs-1", D(N, 0, 2), D(N, 0, 1), "core", gauss_c(2, 1), flags=("diverges",),
             note="Pearson chi^2(N(0,2^2)||N(0,1)) = inf (p^2/q ~ exp(+x^2/4))"),
        Pair("norm-far-apart", D(N, 1000, 1), D(N, 1001, 2), "core", gauss_c(1, 2), flags=("far_apart",),
             note="scipy.quad returns -0.0 for KL here"),
        Pair("norm-narrow-q", D(N, 0, 1), D(N, 0, 1e-3), "core", gauss_c(1, 1e-3), flags=("narrow_wide",)),
        Pair("norm-narrow-p", D(N, 0, 1e-3), D(N, 0, 1), "core", gauss_c(1e-3, 1), flags=("narrow_wide",)),
        Pair("t3-t5", D(T, 3), D(T, 5), "core", poly_c(4, 6), flags=("heavy_tail",)),
        Pair("t5-t3", D(T, 5), D(T, 3), "core", poly_c(6, 4), flags=("heavy_tail",)),
        Pair("cauchy-t3", D("cauchy", 0, 1), D(T, 3, 0.5, 1), "core", poly_c(2, 4), flags=("heavy_tail",)),
        Pair("cauchy-norm", D("cauchy", 0, 1), D(N, 0, 1), ("kl", "reverse_kl", "jeffreys", "pearson", "tv", "js"),
             [(1, -1, "q Gaussian, p polynomial: p^k q^(1-k) integrable iff k < 1 (k = 1: ∫p)")],
             log_p_ok=False, flags=("heavy_tail", "diverges"),
             note="E_P log(p/q) ~ E_P[x^2/2] = inf for a Cauchy P: KL(Cauchy||N) = inf (scipy.quad: -2.43)"),
        Pair("uniform-overlap", D("uniform", 0, 2), D("uniform", 1, 2), "all", [], flags=("support_mismatch", "kink", "all_members"),
             note="U[0,2] vs U[1,3]: D = f'(inf)/2 + f(1)/2 + f(0)/2"),
        Pair("uniform-inside", D("uniform", 0, 1), D("uniform", -1, 3), "core", [], flags=("support_mismatch", "kink"),
             note="U[0,1] inside U[-1,2]: only f(0)·Q(p=0)"),
        Pair("expon-shift-p-later", D("expon", 0.5, 1), D("expon", 0, 1), "core", [], flags=("support_mismatch", "kink"),
             note="Q puts mass on [0, 0.5) where p = 0"),
        Pair("expon-shift-q-later", D("expon", 0, 1), D("expon", 0.5, 1.5), "core", rate_c(1, 1 / 1.5),
             flags=("support_mismatch", "kink"), note="P puts mass on [0, 0.5) where q = 0"),
        Pair("beta-half-vs-uniform", D("beta", 0.5, 0.5), D("uniform", 0, 1), "core",
             end_c(-0.5, 0, "ends 0 and 1"), flags=("endpoint_singular",),
             note="beta(1/2,1/2) density ~ x^-1/2 at both ends; Pearson: ∫p^2/q ~ ∫dx/x = inf"),
        Pair("uniform-vs-beta-half", D("uniform", 0, 1), D("beta", 0.5, 0.5), "core",
             end_c(0, -0.5, "ends 0 and 1"), flags=("endpoint_singular",)),
        Pair("gamma-shape-below-1", D("gamma", 0.5, scale=2), D("gamma", 0.8, scale=1.5), "core",
             end_c(-0.5, -0.2, "x -> 0") + rate_c(0.5, 1 / 1.5), flags=("endpoint_singular",)),
        Pair("lognorm", D("lognorm", 0.5), D("lognorm", 0.7, scale=1.3), "core", gauss_c(0.5, 0.7),
             flags=("smooth",), note="= N(0, 0.5^2) vs N(log 1.3, 0.7^2) in log x"),
        Pair("gumbel", D("gumbel_r", 0, 1), D("gumbel_r", 0.5, 1.5), "core",
             rate_c(1, 1 / 1.5) + [(0, 1, "left tail: p ~ exp(-e^-x) decays faster than q: p^k q^(1-k) integrable iff k >= 0")],
             flags=("smooth",), note="neyman = inf: q^2/p ~ exp(e^-x - 2 e^{-(x-0.5)/1.5}) in the left tail"),
        Pair("mixture-vs-norm", M([0.3, 0.7], D(N, -2, 1), D(N, 1, 0.5)), D(N, 0, 2), "core", gauss_c(1, 2),
             flags=("mixture",), note="widest component σ=1 sets the tail"),
        Pair("mixture-vs-mixture", M([0.5, 0.5], D(N, -1, 1), D(N, 1, 1)), M([0.4, 0.6], D(N, -1.5, 1), D(N, 0.5, 1)),
             "core", [], flags=("mixture", "crossing"), note="equal component scales: every power integrable"),
        Pair("mixture-laplace-vs-t", M([0.5, 0.5], D("laplace", -1, 1), D("laplace", 2, 0.5)), D(T, 5), "core",
             [(0, 1, "p exponential, q ~ |x|^-6 tails: p^k q^(1-k) = e^(-k|x|)·poly integrable iff k >= 0")],
             flags=("mixture", "kink", "crossing"),
             note="neyman = inf: q^2/p grows like e^|x| |x|^-12"),
    ]


# -- integration --------------------------------------------------------------------------------
def _crossings(P, Q, lo, hi, pts):
    """Roots of log p − log q in (lo, hi): sign changes on a grid refined by findroot."""
    def g(x):
        return P.logpdf(x) - Q.logpdf(x)
    grid = sorted({x for x in pts if lo <= x <= hi and mp.isfinite(x)})
    fine = set()
    for a, b in zip(grid[:-1], grid[1:]):
        fine |= {a + (b - a) * i / 64 for i in range(65)}
    fine = sorted(x for x in fine if lo < x < hi)
    roots = []
    for a, b in zip(fine[:-1], fine[1:]):
        ga, gb = g(a), g(b)
        if ga == 0:
            roots.append(a)
        elif ga * gb < 0:
            try:
                r = mp.findroot(g, (a, b), solver="anderson")
            except (ValueError, ZeroDivisionError):
                r = None
            if r is None or not (a <= r <= b) or abs(g(r)) > mp.mpf(10) ** (-mp.mp.dps + 8):
                for _ in range(mp.mp.prec + 10):  # bisection fallback
                    m = (a + b) / 2
                    if g(m) * ga > 0:
                        a, ga = m, g(m)
                    else:
                        b = m
                r = (a + b) / 2
            roots.append(r)
    return roots


def _pieces(P, Q, gen, extra_split):
    """Breakpoints of the region where both densities are positive, and the mismatch intervals."""
    lo, hi = max(P.lo, Q.lo), min(P.hi, Q.hi)
    pts = [x for x in P.landmarks + Q.landmarks if lo < x < hi]
    if not gen.smooth:
        pts += _crossings(P, Q, lo, hi, P.landmarks + Q.landmarks + [lo, hi])
    pts = sorted(set([lo, hi] + pts))
    if extra_split:
        more = [(a + b) / 2 for a, b in zip(pts[:-1], pts[1:]) if mp.isfinite(a) and mp.isfinite(b)]
        if mp.isinf(pts[0]) and len(pts) > 1:
            more.append(pts[1] - 2 * (pts[-2] - pts[1] + 1) - 3)
        if mp.isinf(pts[-1]) and len(pts) > 1:
            more.append(pts[-2] + 2 * (pts[-2] - pts[1] + 1) + 3)
        pts = sorted(set(pts + more))
    return pts


def _mass(dist, intervals):
    total = mp.mpf(0)
    for a, b in intervals:
        if b > a:
            total += mp.quad(lambda x: mp.exp(dist.logpdf(x)), [a, b])
    return total


def _outside(P, Q):
    """Intervals of supp P minus supp Q (both are intervals)."""
    out = []
    if P.lo < Q.lo:
        out.append((P.lo, min(P.hi, Q.lo)))
    if P.hi > Q.hi:
        out.append((max(P.lo, Q.hi), P.hi))
    return out


def canon(spec):
    """``{family, args: shapes + [loc, scale], kwds: {}}`` with mpmath values (mixtures recurse)."""
    if spec["family"] == "mixture":
        return {**spec, "components": [canon(c) for c in spec["components"]]}
    fam = spec["family"]
    names = SHAPES[fam] + ["loc", "scale"]
    bound = dict(zip(names, spec.get("args", [])))
    bound.update(spec.get("kwds", {}))
    bound.setdefault("loc", 0)
    bound.setdefault("scale", 1)
    return {"family": fam, "args": [mp.mpf(str(bound[n])) for n in names], "kwds": {}}


def shifted(spec, c):
    """The law of X − c."""
    spec = canon(spec)
    if spec["family"] == "mixture":
        return {**spec, "components": [shifted(x, c) for x in spec["components"]]}
    args = list(spec["args"])
    args[-2] -= c
    return {**spec, "args": args}


def mirrored(spec, c):
    """The law of c − X, or None when the family is not closed under reflection."""
    spec = canon(spec)
    if spec["family"] == "mixture":
        comps = [mirrored(x, c) for x in spec["components"]]
        return None if any(x is None for x in comps) else {**spec, "components": comps}
    fam, args = spec["family"], list(spec["args"])
    if fam in ("norm", "t", "laplace", "logistic", "cauchy"):
        args[-2] = c - args[-2]
    elif fam == "uniform":
        args[-2] = c - args[-2] - args[-1]
    elif fam == "beta":
        args = [args[1], args[0], c - args[2] - args[3], args[3]]
    else:
        return None
    return {**spec, "args": args}


def _integrand(P, Q, f):
    """``q f(p/q)`` with the larger density in front: ``p·(f(u)/u)`` where ``p > q``.

    (``exp(lq)·f(exp(lp − lq))`` would multiply two numbers whose exponents carry the absolute
    rounding error of huge log-densities, e.g. a Gaussian q at x = 10^30.)
    """
    def integrand(x):
        lp, lq = P.logpdf(x), Q.logpdf(x)
        if lq == -mp.inf or lp == -mp.inf:
            # a support end hit exactly, or a double-exponential tail cut off where the other
            # density is below exp(−10^50) too (its contribution is below that)
            other = lp if lq == -mp.inf else lq
            if other < -mp.mpf(10) ** 50 or other == -mp.inf:
                return mp.mpf(0)
            raise ArithmeticError(f"density vanishes inside the common support at x = {x}")
        if lp > lq:
            u = mp.exp(lp - lq)
            return mp.exp(lp) * (f(u) / u)
        return mp.exp(lq) * f(mp.exp(lp - lq))
    return integrand


#: power substitution x = end + t^m on the pieces at finite support ends: an integrable
#: singularity x^β (β > −1) becomes t^{m(β+1)−1}, smooth enough for tanh–sinh (which alone
#: stops at ~10^−dps from the end and would leave an error ~ (10^−dps)^{β+1})
END_POWER = 8


def _end_piece(pspec, qspec, width, f, m=END_POWER):
    """∫ over [0, width] of the (shifted or mirrored) pair, by the substitution x = t^m."""
    P, Q = MDist(pspec), MDist(qspec)
    g = _integrand(P, Q, f)
    return mp.quad(lambda t: g(t ** m) * m * t ** (m - 1), [0, mp.root(width, m)], error=True,
                   maxdegree=10)


def compute(pspec, qspec, gen, extra_split):
    """``D_f(P‖Q)`` and the quadrature error estimate at the current mp.dps."""
    P, Q = MDist(pspec), MDist(qspec)
    q_only = _mass(Q, _outside(Q, P))  # Q(p = 0)
    p_only = _mass(P, _outside(P, Q))  # P(q = 0)
    value, err = mp.mpf(0), mp.mpf(0)
    if q_only > 0:
        value += q_only * gen.f0
    if p_only > 0:
        value += p_only * gen.fpinf
    lo, hi = max(P.lo, Q.lo), min(P.hi, Q.hi)
    if hi > lo:
        pts = _pieces(P, Q, gen, extra_split)
        if len(pts) == 2:
            pts = [lo, (lo + hi) / 2, hi] if mp.isfinite(lo) and mp.isfinite(hi) else \
                [lo, (hi - 1 if mp.isfinite(hi) else lo + 1 if mp.isfinite(lo) else 0), hi]
        inner = list(pts)
        pieces = []
        m = END_POWER - 2 if extra_split else END_POWER  # the check pass uses other nodes
        if mp.isfinite(lo):
            pieces.append(_end_piece(shifted(pspec, lo), shifted(qspec, lo), pts[1] - lo, gen.f, m))
            inner = inner[1:]
        if mp.isfinite(hi):
            mp_, mq_ = mirrored(pspec, hi), mirrored(qspec, hi)
            if mp_ is not None and mq_ is not None:
                pieces.append(_end_piece(mp_, mq_, hi - pts[-2], gen.f, m))
                inner = inner[:-1]
        g = _integrand(P, Q, gen.f)
        if extra_split and len(inner) >= 3:
            # the check pass maps infinite ends itself, x = b ± (1 − t)/t, t ∈ (0, 1], instead of
            # mpmath's internal transformation
            if mp.isinf(inner[0]):
                b = inner[1]
                pieces.append(mp.quad(lambda t: g(b - (1 - t) / t) / t ** 2, [0, mp.mpf(1) / 8, 1],
                                      error=True, maxdegree=10))
                inner = inner[1:]
            if mp.isinf(inner[-1]):
                b = inner[-2]
                pieces.append(mp.quad(lambda t: g(b + (1 - t) / t) / t ** 2, [0, mp.mpf(1) / 8, 1],
                                      error=True, maxdegree=10))
                inner = inner[:-1]
        if len(inner) >= 2:
            pieces.append(mp.quad(g, inner, error=True, maxdegree=10))
        for v, e in pieces:
            value += v
            err += e
    return value, err, q_only, p_only


def decide_infinite(pair, gen, q_only, p_only):
    """``(True, why)`` if infinite, ``(False, why)`` if finite, ``(None, why)`` if undecidable."""
    if q_only > 0 and gen.f0 == mp.inf:
        return True, f"p = 0 < q on a set of Q-probability {mp.nstr(q_only, 6)} and f(0) = inf"
    if p_only > 0 and gen.fpinf == mp.inf:
        return True, f"q = 0 < p on a set of P-probability {mp.nstr(p_only, 6)} and f'(inf) = inf"
    for side, k, has_log, log_ok, what in (
        ("u -> inf", gen.k_hi, gen.log_hi, pair.log_p_ok, "E_P|log(p/q)|"),
        ("u -> 0", gen.k_lo, gen.log_lo, pair.log_q_ok, "E_Q|log(q/p)|"),
    ):
        kk = float(k)
        near = round(kk)
        if has_log and abs(kk - (1 if side == "u -> inf" else 0)) < 0.03:
            if not log_ok:
                return True, f"phi(u) ~ u^{near} log u as {side} and {what} = inf ({pair.note})"
            continue
        if (side == "u -> inf" and kk <= 1.02) or (side == "u -> 0" and kk >= -0.02):
            continue  # phi grows at most like u (resp. stays bounded): always integrable
        for c0, c1, why in pair.constraints:
            v = c0 + c1 * kk
            scale = max(1.0, abs(c0), abs(c1))
            if v > 0.02 * scale:
                continue
            exact = abs(kk - near) < 1e-6 and abs(c0 + c1 * near) <= 1e-12 * scale
            if v < -0.02 * scale or (exact and not has_log):
                return True, f"phi(u) ~ u^{mp.nstr(k, 4)} as {side} and ∫p^k q^(1-k) = inf: {why}"
            return None, f"phi(u) ~ u^{mp.nstr(k, 4)} as {side} is too close to the boundary of {why}"
    return False, ""


def run_case(job):
    pair, member = job
    gen = _gen(member)
    t0 = time.time()
    with mp.workdps(DPS):
        P, Q = MDist(pair.p), MDist(pair.q)
        q_only = _mass(Q, _outside(Q, P))  # Q(p = 0)
        p_only = _mass(P, _outside(P, Q))  # P(q = 0)
        infinite, why = decide_infinite(pair, gen, q_only, p_only)
        record = {
            "id": f"{gen.label}|{pair.tag}",
            "divergence": {"name": gen.name, "params": gen.params},
            "formula": gen.formula,
            "formula_source": gen.source,
            "p": pair.p,
            "q": pair.q,
            "rtol": RTOL,
            "flags": list(pair.flags),
            "note": pair.note,
        }
        if infinite is None:
            return None, f"{record['id']}: skipped, {why}"
        if infinite:
            flags = [f for f in pair.flags if f != "diverges"] + ["diverges"]
            record.update(expected="inf", flags=flags, note=(why + ". " + pair.note).strip())
            return record, None
        v1, e1, _, _ = compute(pair.p, pair.q, gen, extra_split=False)
        if not mp.isfinite(v1):
            return None, f"{record['id']}: analytic finiteness says finite but the sum is {v1}"
    with mp.workdps(CHECK_DPS):
        v2, e2, _, _ = compute(pair.p, pair.q, gen, extra_split=True)
    gap = abs(v1 - v2)
    scale = max(abs(v2), mp.mpf("1e-30"))
    if gap > CONFIRM * scale or e1 > CONFIRM * scale:
        return None, (f"{record['id']}: NOT CONFIRMED (dps {DPS}: {mp.nstr(v1, 25)} ± {mp.nstr(e1, 3)},"
                      f" dps {CHECK_DPS}: {mp.nstr(v2, 25)})")
    record["flags"] = [f for f in pair.flags if f != "diverges"]
    record["expected"] = mp.nstr(v2, DIGITS)
    record["confirmed_to"] = float(gap / scale) if gap else 0.0
    record["seconds"] = round(time.time() - t0, 2)
    return record, None


_GEN_CACHE: dict = {}


def _gen(member):
    key = (member[0], tuple(sorted(member[1].items())), member[2])
    if key not in _GEN_CACHE:
        _GEN_CACHE[key] = Gen(*member)
    return _GEN_CACHE[key]


def jobs(selected=None):
    ms = members()
    out = []
    for pair in pairs():
        if selected and not any(s in pair.tag for s in selected):
            continue
        for m in ms:
            name = m[0]
            if pair.members == "core":
                if name not in CORE and name != "alpha":
                    continue
            elif pair.members != "all" and name not in pair.members:
                continue
            out.append((pair, m))
    return out


def _key(res):
    rec, msg = res
    if rec is None:
        return None
    d = rec["divergence"]
    return (rec["id"].split("|", 1)[1], d["name"], tuple(sorted(d["params"].items())))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "continuous.json"))
    ap.add_argument("--only", nargs="*", help="pair tags (substrings) to compute")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dry-run", action="store_true", help="print, don't write")
    args = ap.parse_args(argv)
    todo = jobs(args.only)
    t0 = time.time()
    print(f"{len(todo)} cases, {args.workers} workers", file=sys.stderr)
    results = []

    def progress(res):
        results.append(res)
        rec, msg = res
        what = msg or f"{rec['id']}: {rec['expected']} ({rec.get('seconds', 0)} s)"
        print(f"[{len(results)}/{len(todo)} {time.time() - t0:.0f}s] {what}", file=sys.stderr, flush=True)

    if args.workers > 1:
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            for res in pool.imap_unordered(run_case, todo, chunksize=1):
                progress(res)
    else:
        for job in todo:
            progress(run_case(job))
    order = {(j[0].tag, j[1][0], tuple(sorted(j[1][1].items()))): i for i, j in enumerate(todo)}
    results.sort(key=lambda r: order.get(_key(r), 0))
    cases, refused = [], []
    for rec, msg in results:
        if rec is not None:
            cases.append(rec)
        if msg:
            refused.append(msg)
    print(f"{len(cases)} cases written, {len(refused)} skipped/refused, {time.time() - t0:.0f} s",
          file=sys.stderr)
    doc = {
        "header": {
            "generator": "tests/references/generate_continuous.py",
            "mpmath": mp.__version__,
            "sympy": sympy.__version__,
            "dps": DPS,
            "check_dps": CHECK_DPS,
            "confirmed_to": float(CONFIRM),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "definition": "D_f(P||Q) = ∫ q f(p/q) dx in nats; Csiszár: p=0<q adds q·f(0), q=0<p adds p·f'(inf)",
            "flags": FLAGS,
            "skipped": refused,
        },
        "cases": cases,
    }
    if args.dry_run:
        for c in cases:
            print(c["id"], c["expected"])
        return 0
    with open(args.out, "w") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
