"""Generate ``generators.json``: 30-digit mpmath references for every registry generator.

Run from the repository root::

    python tests/references/generate_generators.py            # all cases (~1-2 min)
    python tests/references/generate_generators.py kl alpha   # only these names (merged in)

Independence: the only thing read from fdiv is each member's ``formula`` (sympy syntax over
``u`` and the parameters) and ``activation_form`` (the declared activation, over ``v``).  Everything
else is derived here, at ``DPS`` decimal digits, from those strings:

* ``f``: the formula parsed by sympy (parameters substituted as the *exact* binary value of the
  double) and lambdified to mpmath; ``f′``: sympy's derivative of ``formula.rewrite(Piecewise)``;
* the centred generator ``φ(u) = f(u) − f(1) − f′(1)(u − 1)`` (phi_lo = φ(e^r) for r ≤ 0,
  phi_hi = e^{−r} φ(e^r) for r ≥ 0), in 100-digit arithmetic, so the cancellation near r = 0
  (up to ~35 digits at |r| = 1e-12 with a = 1 ± 1e-9) leaves > 60 correct digits;
* limits (f(0+), f′(∞) = lim f(u)/u, f(∞), f′(0+), the growth exponents of φ) by evaluating at
  |r| = 1e6, 1e12, 1e18 (mpmath has an unbounded exponent range) and checking convergence;
* the conjugate ``f*(t) = sup_{u ≥ 0} (t u − f(u))`` by bisection in ``r = log u`` on the sign of
  ``f′(e^r) − t`` (monotone for convex f, also across a kink), then ``t e^r − f(e^r)``, compared
  with the boundary value ``−f(0+)``; ``+inf`` when ``t > lim f′``;
* the condition numbers ``|x F′(x)|`` (absolute sensitivity to the input) used by the tests'
  tolerances, by ``mpmath.diff``.
"""
from __future__ import annotations

import datetime
import json
import os
import sys

import mpmath as mp
import sympy as sp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "generators.json")
DPS = 100
HIGH = 700  # digits for exact constants (f(1), f′(1), limits): above any working precision used
DIGITS = 30

#: Extra parameter values beyond each member's defaults (every registry name is always included).
EXTRA_CASES = [
    ("alpha", {"a": 1.0}), ("alpha", {"a": 0.0}), ("alpha", {"a": 1.0 + 1e-9}),
    ("alpha", {"a": 1.0 - 1e-9}), ("alpha", {"a": 1e-9}), ("alpha", {"a": -1e-9}),
    ("alpha", {"a": -1.0}), ("alpha", {"a": 2.0}), ("alpha", {"a": 3.5}), ("alpha", {"a": 0.7}),
    ("weighted_js", {"pi": 0.1}), ("weighted_js", {"pi": 0.9}), ("weighted_js", {"pi": 1e-3}),
    ("weighted_js", {"pi": 0.999}),
    ("t_power", {"power": 0.5}), ("t_power", {"power": -1.0}), ("t_power", {"power": 3.0}),
]

LOGU = ["-inf", -745.0, -720.0, -700.0, -300.0, -50.0, -10.0, -3.0, -1.0, -0.75, -0.5, -0.25, -0.1,
        -1e-3, -1e-6, -1e-9, -1e-12, -1e-300, 0.0, 1e-300, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.25, 0.5,
        0.75, 1.0, 3.0, 10.0, 50.0, 300.0, 700.0, 720.0, 745.0, "inf"]
V = [-1e3, -300.0, -30.0, -5.0, -1.0, -0.1, -1e-6, 0.0, 1e-6, 0.1, 1.0, 5.0, 30.0, 300.0, 1e3]
#: the conjugate is checked at t = f′(e^r) for these r (t rounded to a double), plus the special
#: points below/above the range of f′.
R_FOR_T = [-30.0, -10.0, -3.0, -1.0, -0.3, -1e-3, -1e-8, 0.0, 1e-8, 1e-3, 0.3, 1.0, 3.0, 10.0, 30.0]


def case_key(name, params):
    if not params:
        return name
    return name + "(" + ", ".join(f"{k}={float(v)!r}" for k, v in sorted(params.items())) + ")"


def cases():
    import fdiv

    out = [(n, {}) for n in fdiv.names()]
    return out + [c for c in EXTRA_CASES if c[0] in fdiv.names()]


def _s(x):
    """A reference as a JSON string: 30 significant digits, or 'inf'/'-inf'/'nan'."""
    if x is None:
        return None
    if mp.isinf(x):
        return "inf" if x > 0 else "-inf"
    if mp.isnan(x):
        return "nan"
    return mp.nstr(mp.mpf(x), DIGITS, strip_zeros=False, min_fixed=1, max_fixed=0)


class Generator:
    """mpmath functions of one member, built from its formula string only."""

    def __init__(self, formula, params, activation_form=None):
        u, v = sp.Symbol("u", positive=True), sp.Symbol("v", real=True)
        names = {k: sp.Symbol(k, real=True) for k in params}
        loc = {"u": u, "v": v, **names}
        subs = {names[k]: sp.Rational(float(x)) for k, x in params.items()}
        expr = sp.sympify(formula, locals=loc).subs(subs)
        self.expr = expr
        self._f = sp.lambdify(u, expr, "mpmath")
        self._fp = sp.lambdify(u, sp.diff(expr.rewrite(sp.Piecewise), u), "mpmath")
        self.smooth = not expr.has(sp.Abs, sp.Max, sp.Min, sp.sign, sp.Piecewise, sp.Heaviside)
        self._g = self._gp = None
        if activation_form:
            g0 = sp.sympify(activation_form, locals=loc)
            g = g0.subs(subs)
            if g.has(sp.nan, sp.zoo) and len(subs) == 1:  # e.g. alpha at a = 1: a removable 0/0
                (sym, val), = subs.items()
                g = sp.limit(g0.subs({s_: x for s_, x in subs.items() if s_ != sym}), sym, val)
            if g.free_symbols <= {v}:
                self._g = sp.lambdify(v, g, "mpmath")
                self._gp = sp.lambdify(v, sp.diff(g, v), "mpmath")
        one = mp.mpf(1)
        with mp.workdps(HIGH):  # constants to HIGH digits: φ near r = 0 cancels against them
            self.f1 = mp.mpf(sp.N(expr.subs(u, 1), HIGH))  # exact: no rounding noise at u = 1
        if self.smooth:
            with mp.workdps(HIGH):
                self.fp1 = mp.mpf(sp.N(sp.diff(expr, u).subs(u, 1), HIGH))
            self.fp1_left = self.fp1_right = self.fp1
        else:
            h = mp.mpf(10) ** (-DPS // 2)
            self.fp1_left = (self.F(mp.mpf(0)) - self.F(-h)) / h
            self.fp1_right = (self.F(h) - self.F(mp.mpf(0))) / h
            self.fp1 = (self.fp1_left + self.fp1_right) / 2

    # --- f, f′, φ in r = log u --------------------------------------------------------------
    @staticmethod
    def _extra(r):
        """Digits to add at r = log u: terms like u log u cancel down to O(log u) (gan)."""
        r = abs(r)
        if r == 0:
            return 0
        if r < 1:  # e^r − 1 at r = 1e-300 needs 300 more digits
            return int(-mp.log10(r)) + 5
        return int(0.4343 * float(r)) + 5 if r <= 5000 else 0

    def F(self, r):
        """f(e^r)."""
        if r == 0:
            return self.f1
        with mp.workdps(mp.mp.dps + self._extra(r)):
            return +mp.mpf(self._f(mp.exp(r)))

    def FP(self, r):
        """f′(e^r)."""
        with mp.workdps(mp.mp.dps + self._extra(r)):
            return +mp.mpf(self._fp(mp.exp(r)))

    def phi(self, r):
        """φ(e^r) = f(e^r) − f(1) − f′(1) expm1(r)."""
        with mp.workdps(mp.mp.dps + self._extra(r)):
            return +(self.F(r) - self.f1 - self.fp1 * mp.expm1(r))

    def phi_scaled(self, r):
        """phi_lo (r ≤ 0) or phi_hi = e^{−r} φ(e^r) (r > 0)."""
        return self.phi(r) if r <= 0 else mp.exp(-r) * self.phi(r)

    # --- limits --------------------------------------------------------------------------------
    def sym_limit(self, expr, point):
        """sympy's limit of an expression in u (exact), as an mpf; None if sympy cannot."""
        u = sp.Symbol("u", positive=True)
        try:
            lim = sp.limit(expr, u, point, "+" if point == 0 else "-")
        except Exception:  # noqa: BLE001  (sympy raises many things; fall back to numbers)
            return None
        if lim in (sp.oo, -sp.oo):
            return mp.inf if lim == sp.oo else -mp.inf
        if lim.is_number and lim.is_real:
            with mp.workdps(HIGH):  # keep all HIGH digits (mpf rounds to the current dps)
                return +mp.mpf(sp.N(lim, HIGH))
        return None

    def lim(self, expr, point, fun, sign):
        got = self.sym_limit(expr, point)
        return got if got is not None else self.limit(fun, sign)

    @staticmethod
    def limit(fun, sign):
        """lim_{r → sign·∞} fun(r) from r = ±1e6, 1e12, 1e18: converged value or ±inf."""
        vals = [fun(sign * mp.mpf(10) ** k) for k in (6, 12, 18)]
        a, b, c = vals
        if abs(c - b) <= mp.mpf(10) ** -40 * max(1, abs(c)):
            return c
        if abs(c) > abs(b) > abs(a) and abs(c) > 1e15:
            return mp.inf if c > 0 else -mp.inf
        raise RuntimeError(f"limit did not settle: {[mp.nstr(x, 10) for x in vals]}")

    def growth(self, side):
        """log of the φ kernel at r = side·1e12 and side·1e18 (the tests check the declared
        (k, m) by ``L − k|r| − m log|r|`` being the same at both)."""
        return [mp.log(self.phi_scaled(side * mp.mpf(10) ** e)) for e in (12, 18)]

    # --- conjugate -----------------------------------------------------------------------------
    def conjugate(self, t, fp_lo, fp_hi, f0):
        """(sup_{u ≥ 0} (t u − f(u)), its maximiser u*) by bisection in r on f′(e^r) − t."""
        t = mp.mpf(t)
        if t > fp_hi:
            return mp.inf, mp.inf
        if t < fp_lo or (t == fp_lo and mp.isfinite(fp_lo)):
            return -f0, mp.mpf(0)
        if t == fp_hi:
            u = sp.Symbol("u", positive=True)
            tt = sp.Rational(str(t)) if t == int(t) else sp.Rational(float(t))
            return self.lim(tt * u - self.expr, sp.oo,
                            lambda r: t * mp.exp(r) - self.F(r), +1), mp.inf
        for _ in range(4):  # raise the precision until t u* − f(u*) no longer cancels
            val, arg = self._conjugate_at(t, f0)
            if not mp.isfinite(val) or arg == 0 or t == 0 or val == 0:
                return val, arg
            lost = mp.log10(abs(t * arg) / abs(val))
            if lost < mp.mp.dps - 45:
                return val, arg
            mp.mp.dps = int(mp.mp.dps + lost + 20)
        raise RuntimeError(f"conjugate at t={t} keeps cancelling")

    def _conjugate_at(self, t, f0):
        lo, hi = mp.mpf(-1), mp.mpf(1)
        while self.FP(lo) > t:
            lo *= 2
            if lo < -1e30:
                return -f0, mp.mpf(0)
        while self.FP(hi) < t:
            hi *= 2
            if hi > 1e30:
                raise RuntimeError(f"no bracket for t={t}")
        for _ in range(20000):
            mid = (lo + hi) / 2
            if self.FP(mid) < t:
                lo = mid
            else:
                hi = mid
            if hi - lo < mp.mpf(10) ** (-mp.mp.dps + 10) * max(1, abs(mid)):
                break
        best, arg = -mp.inf, None
        for r in (lo, (lo + hi) / 2, hi):  # the best of the final bracket (exact at r = 0)
            val = t * mp.exp(r) - self.F(r)
            if val > best:
                best, arg = val, mp.exp(r)
        if mp.isfinite(f0) and -f0 > best:
            best, arg = -f0, mp.mpf(0)
        return best, arg

    def g(self, v):
        return mp.mpf(self._g(mp.mpf(v)))


def _sens(fun, x):
    """|x · fun′(x)| (absolute sensitivity of fun to a relative perturbation of its input)."""
    x = mp.mpf(x)
    if x == 0 or mp.isinf(x):
        return mp.mpf(0)
    try:
        return abs(x * mp.diff(fun, x))
    except (ValueError, ZeroDivisionError, OverflowError):
        return mp.inf


def reference_case(name, params):
    """All references of one registry case (a JSON-ready dict)."""
    import fdiv

    mp.mp.dps = DPS
    div = fdiv.get(name, **params)
    gen = Generator(div.formula, dict(div.params), div.activation_form)
    u = sp.Symbol("u", positive=True)
    fpx = sp.diff(gen.expr.rewrite(sp.Piecewise), u)
    f0 = gen.lim(gen.expr, 0, gen.F, -1)
    fpinf = gen.lim(gen.expr / u, sp.oo, lambda r: gen.F(r) / mp.exp(r), +1)
    finf = gen.lim(gen.expr, sp.oo, gen.F, +1)
    fp0 = gen.lim(fpx, 0, gen.FP, -1)
    glo, ghi = gen.growth(-1), gen.growth(+1)
    meta = {
        "f_at_one": _s(gen.f1), "f_prime_at_one_left": _s(gen.fp1_left),
        "f_prime_at_one_right": _s(gen.fp1_right), "f_at_zero": _s(f0),
        "f_prime_at_inf": _s(fpinf), "f_at_inf": _s(finf), "f_prime_at_zero": _s(fp0),
        "growth_lo": [_s(glo[0]), _s(glo[1])], "growth_hi": [_s(ghi[0]), _s(ghi[1])],
        "smooth": gen.smooth,
    }
    rows = []
    for r in LOGU:
        rr = mp.mpf(r) if not isinstance(r, str) else (mp.inf if r == "inf" else -mp.inf)
        if mp.isinf(rr):
            f = f0 if rr < 0 else finf
            fp = fp0 if rr < 0 else fpinf
            ph = (f0 - gen.f1 + gen.fp1) if rr < 0 else (fpinf - gen.fp1)
            sf = sfp = sph = mp.mpf(0)
        else:
            f, fp, ph = gen.F(rr), gen.FP(rr), gen.phi_scaled(rr)
            sf = _sens(gen.F, rr)
            sfp = _sens(gen.FP, rr) if (gen.smooth or rr != 0) else mp.inf
            sph = _sens(gen.phi_scaled, rr) if rr != 0 else mp.mpf(0)
            if not gen.smooth and rr == 0:
                fp = None  # a kink: f′(1) is only a subgradient (checked via the meta entries)
        rows.append({"logu": r if isinstance(r, str) else float(r), "f": _s(f), "f_prime": _s(fp),
                     "phi": _s(ph), "sens_f": _s(sf), "sens_f_prime": _s(sfp),
                     "sens_phi": _s(sph)})
    # conjugate points
    ts = set()
    for r in R_FOR_T:
        t = float(gen.FP(mp.mpf(r)))
        if abs(t) != float("inf"):
            ts.add(t)
    for t in (-1e3, -3.0, 0.0, 3.0, 1e3):
        ts.add(t)
    for edge in (fp0, fpinf):
        if mp.isfinite(edge):
            e = float(edge)
            for d in (0.0, 1.0, -1.0, 1e-3, -1e-3, 1e3, -1e3):
                ts.add(e + d)
    conj = []
    for t in sorted(ts):
        with mp.workdps(DPS):
            val, ustar = gen.conjugate(t, fp0, fpinf, f0)
        sens = abs(t * ustar) if (mp.isfinite(val) and t != 0) else mp.mpf(0)  # f*′ = u*
        conj.append({"t": t, "conj": _s(val), "sens": _s(sens)})
    act = []
    if gen._g is not None:
        for v in V:
            with mp.workdps(DPS + int(0.4343 * abs(v)) + 5):
                g = gen.g(v)
                gp = mp.mpf(gen._gp(mp.mpf(v)))
                val, ustar = gen.conjugate(g, fp0, fpinf, f0)
            sg = abs(v * gp)
            sc = abs(v * ustar * gp) if (mp.isfinite(val) and v != 0) else mp.mpf(0)
            act.append({"v": v, "act": _s(g), "conj_act": _s(val), "sens_act": _s(sg),
                        "sens_conj_act": _s(sc)})
    return {"name": name, "params": dict(div.params), "formula": div.formula,
            "activation_form": div.activation_form, "meta": meta, "points": rows,
            "conjugate": conj, "activation": act}


def main(argv):
    only = set(argv)
    data = {"cases": {}}
    if os.path.exists(OUT):
        with open(OUT) as fh:
            data = json.load(fh)
    for name, params in cases():
        if only and name not in only:
            continue
        key = case_key(name, params)
        print("…", key, flush=True)
        data["cases"][key] = reference_case(name, params)
    data["header"] = {
        "generator": "tests/references/generate_generators.py",
        "mpmath": mp.__version__, "sympy": sp.__version__, "dps": DPS, "digits": DIGITS,
        "date": datetime.date.today().isoformat(),
        "note": "f, f′ from each member's sympy `formula`; conjugate by bisection on f′(e^r) = t; "
                "activation from `activation_form`; sens_* = |x dF/dx| for tolerances.",
    }
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    print("wrote", OUT, len(data["cases"]), "cases")


if __name__ == "__main__":
    sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))
    main(sys.argv[1:])
