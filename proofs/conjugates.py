"""Conjugate claims for every registry member, derived from its sympy ``formula``.

Nothing here names a member: :func:`generators` walks ``fdiv.names()``, parses each member's
``formula`` (f(u) in sympy syntax over ``u`` and its ``params``) and derives, per member,

``conj.<m>.registry_f``        registry f, f′ agree with the formula (1e-12 relative)
``conj.<m>.f_at_one``          f(1) = 0 (or the recorded value, −log 4 for gan)
``conj.<m>.limits``            f(0+) and f′(∞) = lim f(u)/u equal the recorded ones
``conj.<m>.convex``            f″ ≥ 0 on every smooth piece of u > 0, slopes increase at kinks
``conj.<m>.conjugate``         f*(t) = sup_{u≥0}(tu − f(u)) derived piecewise, checked against an
                               independent numeric supremum
``conj.<m>.domain``            dom f* = (−∞, f′(∞)) (closed when the edge value is finite)
``conj.<m>.registry_conjugate``registry conjugate agrees with the derivation (1e-12 relative)
``conj.<m>.fenchel_young``     f*(f′(u)) = u f′(u) − f(u) (and f(u) + f*(t) ≥ ut)
``conj.<m>.biconjugate``       f** = f on u ≥ 0
``conj.<m>.activation``        g_f maps ℝ into dom f*; conjugate_activation = f*∘g_f
``conj.<m>.critic``            T* = f′(p/q): (f*)′(f′(u)) = u; registry optimal_critic agrees

Parameterised families (``alpha``) are checked at a few representative parameter values and,
where sympy can, with the parameter kept symbolic (``conj.alpha[a].…``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from ._symbolic import (Derivation, derive, mp_concave_max, mp_golden_max, mp_sup_over_u,
                        piece_substitution,
                        t_substitution)
from ._verdict import (DPS, FAILED, NUMERIC, PROVED, ClaimSpec, Outcome, bounded, combine,
                       grade_identity, rng_for)

__all__ = ["Generator", "generators", "generator_for", "claims", "member_claims", "sup_agreement",
           "grade_candidate_conjugate", "REL"]

SECTION = "§16.2.2 (f-GAN background)"
#: float64 cross-checks: registry vs 50-digit derived expression, relative.
REL = 1e-12
#: golden-section suprema are good to ~1e-23 (kinks) or better; claims use this tolerance.
SUP_TOL = mpmath.mpf(10) ** -20

_PARAM_CANDIDATES = (sp.Rational(1, 2), sp.Integer(2), sp.Integer(3), sp.Integer(-1),
                     sp.Rational(1, 3), sp.Rational(3, 2))
_MAX_REPS = 4


@dataclass
class Generator:
    """A registry member seen symbolically."""

    label: str
    member: object            # FDivergence, or None for the symbolic-parameter view
    f: sp.Expr
    u: sp.Symbol
    t: sp.Symbol
    params: dict = field(default_factory=dict)       # sympy Symbol -> value (or the symbol)
    symbolic_params: tuple = ()                        # symbols left free
    reps: list = field(default_factory=list)           # representative Generators (symbolic view)
    _deriv: object = None

    def derivation(self) -> Derivation:
        if self._deriv is None:
            try:
                self._deriv = derive(self.f, self.u, self.t, rng_for("derive." + self.label))
            except Exception as exc:  # remembered: every claim of the member reports it
                self._deriv = exc
        if isinstance(self._deriv, Exception):
            raise RuntimeError(f"derivation of f* failed: {self._deriv}") from self._deriv
        return self._deriv


def generator_for(member, label: str | None = None, values: dict | None = None) -> Generator:
    """A :class:`Generator` for any :class:`fdiv.FDivergence` (registered or not): the negative
    controls feed deliberately wrong members through the same claims."""
    vals = values if values is not None else {k: _as_sympy(v) for k, v in member.params.items()}
    f, u, _ = parse_formula(member.formula, member.params, vals)
    return Generator(label or member.name, member, f, u, _tsym(member.params), params=vals)


def _tsym(params):
    for name in ("t", "y", "s", "tau"):
        if name not in params:
            return sp.Symbol(name, real=True)
    raise ValueError("no free name for the conjugate variable")


def parse_formula(formula: str, params: dict, values: dict | None = None):
    """``(f, u, param_symbols)`` from a member's formula string, params substituted by values."""
    u = sp.Symbol("u", positive=True)
    syms = {k: sp.Symbol(k, real=True) for k in params}
    f = sp.sympify(formula, locals={"u": u, **syms})
    if values:
        f = f.subs({syms[k]: v for k, v in values.items()})
    return f, u, syms


def _as_sympy(x):
    return sp.nsimplify(x, rational=True) if isinstance(x, float) else sp.sympify(x)


def _fmt(v):
    return str(v).replace(" ", "")


_GENERATORS: dict = {}


def generators():
    """One :class:`Generator` per registry member (several per parameterised family).

    Memoised per registry content, so the conjugate and variational claims of a member share
    one derivation.
    """
    import fdiv

    key = tuple(fdiv.names())
    if key not in _GENERATORS:
        _GENERATORS.clear()
        _GENERATORS[key] = _build_generators(fdiv)
    return _GENERATORS[key]


def _build_generators(fdiv):
    out = []
    for name in fdiv.names():
        base = fdiv.get(name)
        if not base.params:
            f, u, _ = parse_formula(base.formula, {})
            out.append(Generator(name, base, f, u, _tsym({})))
            continue
        reps = []
        for pname, default in base.params.items():
            tried = []
            for cand in (_as_sympy(default), *_PARAM_CANDIDATES):
                if cand in tried or len(tried) >= _MAX_REPS:
                    continue
                vals = {k: _as_sympy(v) for k, v in base.params.items()}
                vals[pname] = cand
                try:
                    m = fdiv.get(name, **{k: float(v) for k, v in vals.items()})
                except (ValueError, TypeError):
                    continue
                tried.append(cand)
                f, u, _ = parse_formula(m.formula, m.params, vals)
                label = f"{name}[" + ",".join(f"{k}={_fmt(v)}" for k, v in vals.items()) + "]"
                reps.append(Generator(label, m, f, u, _tsym(m.params), params=vals))
        out.extend(reps)
        try:
            f, u, syms = parse_formula(base.formula, base.params)
        except (sp.SympifyError, TypeError):
            continue
        label = f"{name}[" + ",".join(base.params) + "]"
        out.append(Generator(label, None, f, u, _tsym(base.params), params=dict(syms),
                             symbolic_params=tuple(syms.values()), reps=reps))
    return out


# ---------------------------------------------------------------------------------------------
# sampling

def t_samples(d: Derivation, rng, per_branch=8, minimum=24):
    """In-domain t points covering every branch of the derived conjugate."""
    pts = []
    with mpmath.workdps(DPS):
        interior = [b for b in d.branches if b.kind == "interior"]
        for br in d.branches:
            lo = None if br.t_lo == -sp.oo else mpmath.mpf(sp.N(br.t_lo, DPS))
            hi = None if br.t_hi == sp.oo else mpmath.mpf(sp.N(br.t_hi, DPS))
            if br.kind == "boundary":
                pts += [hi - mpmath.e ** mpmath.mpf(rng.uniform(-4, 2)) for _ in range(per_branch)]
            elif br.kind == "interior":
                pts += [d.mp_fp(br.piece, u0) for u0 in br.piece.mp_sample(rng, per_branch)]
            elif br.kind == "kink":
                pts += [lo + (hi - lo) * mpmath.mpf(rng.uniform(0.01, 0.99))
                        for _ in range(per_branch)]
            elif br.kind == "edge":
                pts.append(hi)
        while len(pts) < minimum:
            if interior:
                br = interior[len(pts) % len(interior)]
                pts += [d.mp_fp(br.piece, u0) for u0 in br.piece.mp_sample(rng, 4)]
            else:
                br = [b for b in d.branches if b.kind != "edge"][len(pts) % 2 % max(1, len(d.branches) - 1)]
                pts += t_samples_one(br, rng, 4)
    return pts


def t_samples_one(br, rng, n):
    lo = mpmath.mpf(sp.N(br.t_lo, DPS)) if br.t_lo != -sp.oo else None
    hi = mpmath.mpf(sp.N(br.t_hi, DPS))
    if lo is None:
        return [hi - mpmath.e ** mpmath.mpf(rng.uniform(-4, 2)) for _ in range(n)]
    return [lo + (hi - lo) * mpmath.mpf(rng.uniform(0.01, 0.99)) for _ in range(n)]


def u_samples(d: Derivation, rng, per_piece=12, minimum=24):
    pts = []
    for p in d.pieces:
        pts += p.mp_sample(rng, per_piece)
    while len(pts) < minimum:
        pts += d.pieces[len(pts) % len(d.pieces)].mp_sample(rng, 4)
    return pts


def _mp_f(g: Generator):
    fn = sp.lambdify(g.u, g.f, modules="mpmath")
    return lambda u: mpmath.mpmathify(fn(u)).real


#: absolute floor of the float64 cross-checks, for points where the function crosses 0 (there a
#: relative error is meaningless: f(1) = 0 comes out as 0.0 in float64 and -1e-51 in mpmath).
ABS = 1e-14


def _rel_close(got, want, rel=REL, abs_=ABS):
    got = float(got)
    want = float(want)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= rel * abs(want) + abs_


def _compare_float(fn, want_fn, points, what, rel=REL):
    """Max relative error of a float64 registry callable against 50-digit values."""
    xs = np.array([float(x) for x in points])
    got = np.asarray(fn(xs), dtype=np.float64)
    worst, where = 0.0, None
    with mpmath.workdps(DPS):
        for x, mpx, g in zip(xs, points, got):
            w = want_fn(mpmath.mpf(float(x)))      # compare at the float the registry saw
            w = float(w) if mpmath.isfinite(w) else (math.inf if w > 0 else -math.inf)
            if not _rel_close(g, w, rel):
                err = math.inf if not math.isfinite(g) or not math.isfinite(w) else \
                    abs(g - w) / max(abs(w), 1e-300)
                if err >= worst:
                    worst, where = err, (x, g, w)
    if where is not None:
        return Outcome(FAILED, f"{what}: relative error {worst:.3g} > {rel:g} at {where[0]!r} "
                               f"(registry {where[1]!r}, derived {where[2]!r})")
    return Outcome(NUMERIC, f"{what} agree to {rel:g} relative (+{ABS:g} absolute) at {len(xs)} "
                            f"random points (float64 vs {DPS}-digit derived values)")


# ---------------------------------------------------------------------------------------------
# the checks

def sup_agreement(g: Generator, value_fn, points, what="f*"):
    """Compare ``value_fn(t)`` with an independent golden-section ``sup_{u≥0}(tu − f(u))``."""
    d = g.derivation()
    fmp = _mp_f(g)
    worst, where = mpmath.mpf(0), None
    with mpmath.workdps(DPS):
        f0 = mpmath.mpf(sp.N(d.f0, DPS)) if d.f0.is_finite else None
        for t in points:
            sup, at_edge = mp_sup_over_u(fmp, f0, t)
            val = mpmath.mpmathify(value_fn(t))
            if at_edge and val == mpmath.inf:
                continue
            err = abs(val - sup) / max(1, abs(sup)) if mpmath.isfinite(val) else mpmath.inf
            if err > worst or where is None:
                worst, where = max(worst, err), (t, val, sup) if err >= worst else where
    if worst > SUP_TOL:
        t, val, sup = where
        return Outcome(FAILED, f"{what}({mpmath.nstr(t, 10)}) = {mpmath.nstr(val, 12)} but "
                               f"sup_(u>=0)(tu - f(u)) = {mpmath.nstr(sup, 12)} "
                               f"(golden section, {DPS} digits)")
    return Outcome(NUMERIC, f"agrees with an independent golden-section sup over u >= 0 to 1e-20 "
                            f"at {len(points)} random t covering every branch ({DPS} digits)")


def grade_candidate_conjugate(formula: str, candidate: str, params: dict | None = None,
                              label="candidate") -> Outcome:
    """Grade a proposed conjugate expression (sympy text over ``t``) of ``formula`` over u ≥ 0.

    FAILED when it disagrees with the supremum anywhere in the derived domain (e.g. Pearson's
    table form ``t**2/4 + t`` for t < −2).  Used by the negative controls.
    """
    params = params or {}
    f, u, syms = parse_formula(formula, {k: None for k in params}, params)
    t = _tsym(params)
    g = Generator(label, None, f, u, t)
    cand = sp.lambdify(t, sp.sympify(candidate, locals={"t": t}), modules="mpmath")
    pts = t_samples(g.derivation(), rng_for("cand." + label))
    return sup_agreement(g, lambda x: mpmath.mpmathify(cand(x)).real, pts, "candidate")


def _why(residual, what):
    """Why the symbolic step did not close, for the NUMERICALLY VERIFIED reason."""
    if residual.has(sp.LambertW):
        return (f"sympy did not reduce {what} to 0, even with LambertW(x e^x) = x (x >= 0) "
                "applied inside the Lambert-W root of f'(u) = t")
    return f"sympy did not reduce {what} to 0"


def _grade(g: Generator, key, residual, symbols, points, what, substitutions=()):
    """grade_identity, memoised per generator (conjugate, biconjugate and critic share the
    root and envelope identities)."""
    cache = g.__dict__.setdefault("_grades", {})
    if key not in cache:
        cache[key] = grade_identity(residual, symbols, points, substitutions=substitutions,
                                    why=_why(residual, what))
    return cache[key]


def _root_identity(g: Generator, br) -> Outcome:
    """u*(f'(u)) = u on the branch's piece: the root chosen inverts f' there."""
    p = br.piece
    res = br.ustar.subs(g.t, p.fp) - g.u
    pts = p.mp_sample(rng_for(f"conj.{g.label}.root"), 24)
    return _grade(g, ("root", id(br)), res, [g.u], [[x] for x in pts], "u*(f'(u)) - u",
                  piece_substitution(g.u, p.a, p.b))


def _envelope_identity(g: Generator, br) -> Outcome:
    """(f*)'(t) = u*(t) on an interior branch (the envelope theorem, checked)."""
    d = g.derivation()
    env = sp.diff(br.value, g.t) - br.ustar
    tp = [[d.mp_fp(br.piece, x)] for x in br.piece.mp_sample(rng_for(f"conj.{g.label}.env"), 24)]
    # t = f'(u) with u in the piece covers the branch exactly once (f' is continuous and
    # strictly increasing onto it), so the identity in u is the identity in t
    return _grade(g, ("env", id(br)), env, [g.t], tp, "(f*)'(t) - u*(t)",
                  t_substitution(g.t, br.t_lo, br.t_hi) + [{g.t: br.piece.fp}])


def _check_registry(g: Generator) -> Outcome:
    """Every float64 callable of the member against the 50-digit derivation."""
    d = g.derivation()
    m = g.member
    rng = rng_for(f"conj.{g.label}.registry")
    pts = u_samples(d, rng) + [mpmath.mpf(x) for x in (1e-8, 0.5, 1.0, 2.0, 1e6)]
    fmp = _mp_f(g)
    fp = sp.lambdify(g.u, sp.diff(g.f, g.u), modules="mpmath")
    pts_fp = [p for p in pts if all(p != piece.b and p != piece.a for piece in d.pieces)]
    outs = [
        _compare_float(m.f, fmp, pts, "f(u)"),
        _compare_float(m.f_prime, lambda x: mpmath.mpmathify(fp(x)).real, pts_fp, "f'(u)"),
        _compare_float(m.conjugate, d.mp_value, t_samples(d, rng), "conjugate(t)"),
    ]
    # optimal critic from log densities
    logp, logq = rng.normal(0, 3, 24), rng.normal(0, 3, 24)
    got = np.asarray(m.optimal_critic(logp, logq), dtype=float)
    with mpmath.workdps(DPS):
        bad = [(a, b, x, w) for a, b, x in zip(logp, logq, got)
               for w in [float(mpmath.mpmathify(fp(mpmath.e ** (mpmath.mpf(a) - mpmath.mpf(b)))).real)]
               if not _rel_close(x, w)]
    if bad:
        a, b, x, w = bad[0]
        outs.append(Outcome(FAILED, f"optimal_critic({a!r}, {b!r}) = {x!r}, f'(p/q) = {w!r}"))
    else:
        outs.append(Outcome(NUMERIC, "optimal_critic(log p, log q) = f'(p/q) at 24 random points"))
    # activation: inside dom f* wherever representable; conjugate_activation = f*(g(v))
    v, expr = _activation_expr(g)
    if expr is not None:
        fg = sp.lambdify(v, expr, modules="mpmath")
        gmp = lambda x: mpmath.mpmathify(fg(x)).real  # noqa: E731
        outs.append(_compare_float(m.activation, gmp,
                                   [mpmath.mpf(x) for x in np.linspace(-30, 30, 25)],
                                   "activation vs activation_form"))
    else:
        gmp = lambda x: mpmath.mpf(float(m.activation(float(x))))  # noqa: E731
    vs = np.linspace(-30, 30, 61)
    gv = np.asarray(m.activation(vs), dtype=float)
    hi = float(d.hi)
    inside = np.isfinite(gv) & ((gv <= hi) if d.hi_closed else (gv < hi))
    if not np.all(inside):
        bad = vs[~inside][0]
        outs.append(Outcome(FAILED, f"activation({bad}) = {float(m.activation(bad))!r} is outside "
                                    f"dom f* (sup {d.hi})"))
    ext = np.array([-1e3, -700.0, 700.0, 1e3])
    with np.errstate(over="ignore"):
        ca = np.asarray(m.conjugate_activation(np.concatenate([vs, ext])), dtype=float)
    if np.any(np.isnan(ca)) or not np.all(np.isfinite(ca[:len(vs)])):
        outs.append(Outcome(FAILED, "conjugate_activation is NaN somewhere in [-1e3, 1e3] or not "
                                    "finite on [-30, 30]"))
    outs.append(_compare_float(m.conjugate_activation, lambda x: d.mp_value(gmp(x)),
                               [mpmath.mpf(x) for x in np.linspace(-25, 25, 26)],
                               "conjugate_activation vs f*(g_f(v))"))
    return combine(outs)


def _check_f_at_one(g: Generator) -> Outcome:
    v = sp.simplify(g.f.subs(g.u, 1))
    rec = g.member.f_at_one
    if v == 0:
        if rec != 0.0:
            return Outcome(FAILED, f"f(1) = 0 but the registry records f_at_one = {rec!r}")
        return Outcome(PROVED, "f(1) simplifies to 0; f_at_one = 0 recorded")
    if not _rel_close(rec, float(v), 1e-15):
        return Outcome(FAILED, f"f(1) = {v} = {float(v)!r} but f_at_one = {rec!r}")
    return Outcome(PROVED, f"f(1) = {v} exactly, as recorded (f_at_one = {rec!r}); not the "
                           f"lecture's normalisation f(1) = 0, so D_f(P||P) = {v}")


def _f_at_one_statement(g):
    v = sp.simplify(g.f.subs(g.u, 1))
    return f"f(1) = {v} for f(u) = {g.f}"


def _check_limits(g: Generator) -> Outcome:
    d = g.derivation()
    slope = sp.limit(d.pieces[-1].f / g.u, g.u, sp.oo)
    outs = []
    for what, sym, rec in (("f(0+)", d.f0, g.member.f_at_zero),
                           ("lim f(u)/u", slope, g.member.f_prime_at_inf)):
        if not _rel_close(rec, float(sym), 1e-15):
            outs.append(Outcome(FAILED, f"{what} = {sym} but the registry records {rec!r}"))
        else:
            outs.append(Outcome(PROVED, f"{what} = {sym} (sympy limit) matches {rec!r}"))
    if slope != d.hi and sp.simplify(slope - d.hi) != 0:
        outs.append(Outcome(FAILED, f"lim f(u)/u = {slope} differs from lim f'(u) = {d.hi}"))
    return combine(outs)


def _check_convex(g: Generator) -> Outcome:
    d = g.derivation()
    outs = []
    rng = rng_for(f"conj.{g.label}.convex")
    for p in d.pieces:
        f2 = sp.simplify(sp.diff(p.f, g.u, 2))
        neg = None
        try:
            neg = sp.solveset(f2 < 0, g.u, sp.Interval.open(p.a, p.b))
        except (NotImplementedError, TypeError, ValueError):
            pass
        pts = p.mp_sample(rng, 24)
        fn = sp.lambdify(g.u, f2, modules="mpmath")
        with mpmath.workdps(DPS):
            mn = min(mpmath.mpmathify(fn(x)).real for x in pts)
        if mn < 0:
            outs.append(Outcome(FAILED, f"f''(u) = {f2} < 0 on ({p.a}, {p.b}): min {mpmath.nstr(mn, 6)}"))
        elif neg == sp.S.EmptySet or f2.is_nonnegative:
            outs.append(Outcome(PROVED, f"f''(u) = {f2}: sympy solveset(f'' < 0) on ({p.a}, {p.b}) "
                                        "is empty"))
        else:
            outs.append(Outcome(NUMERIC, f"sympy could not decide the sign of f''(u) = {f2} on "
                                         f"({p.a}, {p.b}); f'' >= 0 at 24 random points ({DPS} digits)"))
    for p, q in zip(d.pieces, d.pieces[1:]):
        if (q.d_lo - p.d_hi).is_extended_nonnegative:
            outs.append(Outcome(PROVED, f"at the kink u = {p.b}: f'(-) = {p.d_hi} <= f'(+) = {q.d_lo}"))
        else:
            outs.append(Outcome(FAILED, f"at the kink u = {p.b}: slope decreases {p.d_hi} -> {q.d_lo}"))
    return combine(outs)


def _check_conjugate(g: Generator) -> Outcome:
    d = g.derivation()
    outs = []
    for br in d.branches:
        if br.kind != "interior":
            continue
        if br.ustar is None:
            outs.append(Outcome(NUMERIC, br.note + "; the branch is evaluated by an mpmath root"))
            continue
        outs.append(_root_identity(g, br))
    pts = t_samples(d, rng_for(f"conj.{g.label}.conjugate"))
    outs.append(sup_agreement(g, d.mp_value, pts))
    out = combine(outs)
    if out.verdict == NUMERIC and all(o.verdict in (PROVED, NUMERIC) for o in outs) and \
            d.closed_form and all(o.verdict == PROVED for o in outs[:-1]):
        # every branch derived in closed form and its root proved: the sup check is a guard
        lead = ("stationary point u*(t) proved to invert f' on each piece (u*(f'(u)) = u); "
                if any(b.kind == "interior" for b in d.branches) else
                "f is piecewise linear: no stationary branch; ")
        return Outcome(PROVED, lead + "boundary (u = 0) and kink branches follow from convexity "
                               "(t - f'(u) keeps one sign); " + outs[-1].reason)
    return out


def _conjugate_statement(g: Generator):
    d = g._deriv
    body = d.text() if isinstance(d, Derivation) else "(derivation failed)"
    return f"f*(t) = sup_(u>=0) (t u - f(u)) = {body}   [f(u) = {g.f}]"


def _check_domain(g: Generator) -> Outcome:
    d = g.derivation()
    outs = []
    lo, hi = g.member.conjugate_domain
    if lo != -math.inf:
        outs.append(Outcome(FAILED, f"conjugate_domain lower end {lo!r}: over u >= 0, f* is finite "
                                    "for every t below f'(oo) (f* is nondecreasing)"))
    if not _rel_close(hi, float(d.hi), 1e-15):
        outs.append(Outcome(FAILED, f"sup dom f* = lim f'(u) = {d.hi}, registry says {hi!r}"))
    else:
        outs.append(Outcome(PROVED, f"sup dom f* = lim_(u->oo) f'(u) = {d.hi} (sympy limit)"))
    if d.hi.is_finite:
        eps = sp.Symbol("epsilon", positive=True)
        lim = sp.limit((d.hi + eps) * g.u - d.pieces[-1].f, g.u, sp.oo)
        if lim == sp.oo:
            outs.append(Outcome(PROVED, "for t = f'(oo) + eps: lim_(u->oo) (t u - f(u)) = +oo"))
        else:
            outs.append(Outcome(NUMERIC, f"sympy gave lim (t u - f(u)) = {lim} beyond the domain"))
        probe = np.array([float(d.hi) + x for x in (1e-6, 1e-2, 1.0, 100.0)])
        vals = np.asarray(g.member.conjugate(probe), dtype=float)
        if not np.all(np.isposinf(vals)):
            outs.append(Outcome(FAILED, f"registry conjugate at t > {float(d.hi)!r} gives {vals}, "
                                        "expected +inf"))
        at_hi = np.asarray(g.member.conjugate(np.array([float(d.hi)])), dtype=float)[0]
        # only where f'(oo) is exactly representable (an irrational end rounds to either side)
        if d.hi.is_Rational and d.hi_closed != bool(np.isfinite(at_hi)):
            outs.append(Outcome(FAILED, f"f*({d.hi}) is {'finite' if d.hi_closed else '+oo'} "
                                        f"but the registry returns {at_hi!r}"))
    else:
        if hi != math.inf:
            outs.append(Outcome(FAILED, f"registry domain ends at {hi!r}, derived +oo"))
    return combine(outs)


def _domain_statement(g):
    d = g._deriv
    if not isinstance(d, Derivation):
        return "dom f*"
    r = "]" if d.hi_closed else ")"
    return f"dom f* = (-oo, {d.hi}{r}; registry conjugate = +inf beyond"


def _fy_pieces(g: Generator):
    """Per smooth piece: the derived f*(f'(u)) as an expression of u (None when numeric)."""
    d = g.derivation()
    out = []
    for p in d.pieces:
        if p.fp.free_symbols.isdisjoint({g.u}):        # linear piece: f' is a constant c
            c = p.fp
            with mpmath.workdps(DPS):
                br = d.branch_at(mpmath.mpf(sp.N(c, DPS)))
            out.append((p, None if br is None or br.value is None else br.value.subs(g.t, c)))
        else:
            br = next(b for b in d.branches if b.kind == "interior" and b.piece is p)
            out.append((p, None if br.value is None else br.value.subs(g.t, p.fp)))
    return out


def _check_fenchel_young(g: Generator) -> Outcome:
    if "_fy" not in g.__dict__:
        g.__dict__["_fy"] = _fenchel_young(g)
    return g.__dict__["_fy"]


def _fenchel_young(g: Generator) -> Outcome:
    d = g.derivation()
    outs = []
    rng = rng_for(f"conj.{g.label}.fenchel_young")
    for p, fstar_fp in _fy_pieces(g):
        pts = p.mp_sample(rng, 24)
        rhs = g.u * p.fp - p.f
        if fstar_fp is None:
            def res(x, p=p):
                return d.mp_value(d.mp_fp(p, x)) - (x * d.mp_fp(p, x) - d.mp_f(p, x))
            outs.append(grade_identity(res, [g.u], [[x] for x in pts], skip_symbolic=True,
                                       why="f* has no closed form on this piece"))
        else:
            res = fstar_fp - rhs
            outs.append(grade_identity(res, [g.u], [[x] for x in pts],
                                       substitutions=piece_substitution(g.u, p.a, p.b),
                                       why=_why(res, "f*(f'(u)) - (u f'(u) - f(u))")))
    # the inequality f(u) + f*(t) >= u t at random (u, t) pairs, from the derivation
    us = u_samples(d, rng)
    ts = t_samples(d, rng)
    fmp = _mp_f(g)
    with mpmath.workdps(DPS):
        gap = min(fmp(x) + d.mp_value(y) - x * y for x, y in zip(us, ts))
    if gap < -mpmath.mpf(10) ** -35:
        outs.append(Outcome(FAILED, f"Fenchel-Young inequality violated: gap {mpmath.nstr(gap, 6)}"))
    return combine(outs)


def _check_biconjugate(g: Generator) -> Outcome:
    """f** = f: symbolic envelope (f*)′ = u* + stationarity at t = f′(u); numeric sup over t."""
    d = g.derivation()
    outs = []
    for br in d.branches:
        if br.kind != "interior":
            continue
        if br.value is None:
            outs.append(Outcome(NUMERIC, "f* has no closed form on a branch; f** checked numerically"))
            continue
        # envelope: d/dt f*(t) = u*(t) on the branch, so t u - f*(t) is stationary at t = f'(u)
        outs.append(_envelope_identity(g, br))
    # u = 0: f**(0) = -inf_t f*(t) = -lim_(t -> -oo) f*(t) must be f(0+)
    first = d.branches[0]
    if first.value is not None:
        lim = sp.limit(first.value, g.t, -sp.oo)
        if (-lim == d.f0 == sp.oo) or sp.simplify(-lim - d.f0) == 0:
            outs.append(Outcome(PROVED, f"f**(0) = -lim_(t->-oo) f*(t) = {-lim} = f(0+)"))
        else:
            outs.append(Outcome(FAILED, f"f**(0) = {-lim} but f(0+) = {d.f0}"))
    # numeric: sup over t of (t u - f*(t)) by golden section on dom f*, at random u >= 0
    rng = rng_for(f"conj.{g.label}.biconjugate")
    us = u_samples(d, rng, per_piece=10, minimum=20) + [mpmath.mpf(p.b) for p in d.pieces[:-1]]
    # a smooth concave maximum is located to 1e-13 (value error ~1e-26); a kink of f* (a linear
    # piece of f) needs the full golden-section resolution
    kinks = any(b.kind == "kink" for b in d.branches)
    tol = None if kinks else mpmath.mpf(10) ** -13
    fmp = _mp_f(g)
    worst, where = mpmath.mpf(0), None
    with mpmath.workdps(DPS):
        for x in us:
            fx = fmp(x)
            # the maximiser (f'(x)) is located by a bracketing search, not from f'
            hi = mpmath.mpf(sp.N(d.hi, DPS)) if d.hi.is_finite else None
            if hi is not None and not d.hi_closed:
                hi = hi - mpmath.mpf(10) ** -(DPS - 10)
            v = sup_t(d, x, hi, tol)
            err = abs(v - fx) / max(1, abs(fx))
            if err > worst or where is None:
                worst, where = max(worst, err), (x, v, fx) if err >= worst else where
    if worst > SUP_TOL:
        x, v, fx = where
        outs.append(Outcome(FAILED, f"f**({mpmath.nstr(x, 8)}) = {mpmath.nstr(v, 12)} but "
                                    f"f = {mpmath.nstr(fx, 12)}"))
    else:
        outs.append(Outcome(NUMERIC, f"sup_t (t u - f*(t)) located by golden section equals f(u) to 1e-20 "
                                     f"at {len(us)} random u (and the kinks)"))
    out = combine(outs)
    if out.verdict == NUMERIC and all(o.verdict == PROVED for o in outs[:-1]) and \
            d.closed_form and len(outs) > 1 and all(b.kind != "kink" for b in d.branches):
        return Outcome(PROVED, "f* convex (a sup of affine maps) and (f*)'(f'(u)) = u*(f'(u)) = u, "
                               "so t u - f*(t) is maximised at t = f'(u) with value f(u) by "
                               "Fenchel-Young; f**(0) = f(0+) by the limit; " + outs[-1].reason)
    kinks = [b for b in d.branches if b.kind == "kink"]
    if out.verdict == NUMERIC and kinks:
        where = ", ".join(f"u = {b.ustar}" for b in kinks)
        return Outcome(NUMERIC, f"f has a kink at {where} (f* is affine on [f'(k-), f'(k+)]), where "
                                "the stationary-point argument used symbolically does not apply; "
                                + out.reason)
    return out


def _activation_expr(g: Generator):
    """The member's ``activation_form`` as a sympy expression in ``v`` (None if not sympy)."""
    m = g.member
    v = sp.Symbol("v", real=True)
    if not m.activation_form:
        return v, None
    try:
        syms = {k: sp.Symbol(k, real=True) for k in m.params}
        expr = sp.sympify(m.activation_form, locals={"v": v, **syms})
        expr = expr.subs({syms[k]: g.params.get(k, _as_sympy(val)) for k, val in m.params.items()})
    except (sp.SympifyError, TypeError, SyntaxError, AttributeError):
        return v, None
    if expr.free_symbols - {v}:
        return v, None
    return v, expr


def sup_t(d: Derivation, x, hi, tol=None):
    """``sup_t (t x − f*(t))`` over dom f* at DPS digits.

    With a closed-form f*: golden section over t.  When f* is only numeric (each value a root
    solve), t is parametrised by the slope it comes from, t = f′(u′) (every t of the interior
    branch is one), so ``t x − f*(t) = f′(u′)(x − u′) + f(u′)``, unimodal in ``log u′``, and the
    supremum is searched over ``u′`` without nested root finding.
    """
    if d.closed_form or len(d.pieces) != 1:
        _, v = mp_concave_max(lambda t: t * x - d.mp_value(t), hi, tol=tol)
        return v
    p = d.pieces[0]

    def h(s):
        up = mpmath.e ** s
        return d.mp_fp(p, up) * (x - up) + d.mp_f(p, up)

    _, v = mp_golden_max(h, -60, 60, tol=tol)
    if d.f0.is_finite and p.d_lo.is_finite:                 # the boundary branch t <= f'(0+)
        v = max(v, mpmath.mpf(sp.N(p.d_lo, DPS)) * x - mpmath.mpf(sp.N(d.f0, DPS)))
    return v


def _check_activation(g: Generator) -> Outcome:
    """g_f(ℝ) ⊂ dom f*: sympy's function_range of the activation_form, else numerically."""
    d = g.derivation()
    v, expr = _activation_expr(g)
    dom = sp.Interval(-sp.oo, d.hi, right_open=not d.hi_closed) if d.hi.is_finite else sp.S.Reals
    if expr is not None:
        rng_ = bounded(sp.calculus.util.function_range, expr, v, sp.S.Reals, seconds=4.0)
        sub = rng_.is_subset(dom) if rng_ is not None else None
        if sub is True:
            return Outcome(PROVED, f"sympy: range of g_f over R is {rng_}, inside dom f* = {dom}")
        if sub is False:
            return Outcome(FAILED, f"range of g_f(v) = {expr} is {rng_}, not inside dom f* = {dom}")
        why = f"sympy could not find the range of g_f(v) = {expr}"
        gmp = sp.lambdify(v, expr, modules="mpmath")
    else:
        why = "activation_form is not a sympy expression in v"
        gmp = None
    # numeric: g_f at 40 digits over a wide grid stays strictly inside (or on a closed end)
    with mpmath.workdps(DPS):
        hi = mpmath.mpf(sp.N(d.hi, DPS)) if d.hi.is_finite else mpmath.inf
        for x in np.concatenate([np.linspace(-60, 60, 41), [-700.0, 700.0]]):
            gv = mpmath.mpmathify(gmp(mpmath.mpf(x))).real if gmp else \
                mpmath.mpf(float(g.member.activation(x)))
            if not (gv < hi or (d.hi_closed and gv == hi)):
                return Outcome(FAILED, f"g_f({x}) = {mpmath.nstr(gv, 15)} is not in dom f* = {dom}")
    return Outcome(NUMERIC, f"{why}; g_f(v) lies in dom f* = {dom} at 43 points of [-700, 700] "
                            f"({DPS} digits)")


def _check_critic(g: Generator) -> Outcome:
    """(f*)'(f'(u)) = u: the pointwise objective p T - q f*(T) is stationary at T = f'(p/q).

    It is the composition of the envelope identity (f*)' = u* and the root identity
    u*(f'(u)) = u, both graded (and memoised) by the conjugate and biconjugate claims; the
    composition itself is checked numerically with mpmath's derivative of the derived f*.
    """
    d = g.derivation()
    outs = []
    for br in d.branches:
        if br.kind != "interior":
            continue
        if br.ustar is None or br.value is None:
            outs.append(Outcome(NUMERIC, "f* has no closed form on the branch"))
        else:
            outs += [_root_identity(g, br), _envelope_identity(g, br)]
        p = br.piece
        us = p.mp_sample(rng_for(f"conj.{g.label}.critic"), 20)
        with mpmath.workdps(DPS):
            worst = max(abs(mpmath.diff(d.mp_value, d.mp_fp(p, x)) - x) / max(1, x) for x in us)
        if worst > mpmath.mpf(10) ** -25:
            outs.append(Outcome(FAILED, f"(f*)'(f'(u)) - u = {mpmath.nstr(worst, 5)} (mpmath diff)"))
        else:
            outs.append(Outcome(NUMERIC, "(f*)'(f'(u)) = u to 1e-25 at 20 random u (mpmath "
                                         "numerical derivative of the derived f*)"))
    if not any(b.kind == "interior" for b in d.branches):
        # piecewise-linear f (tv): T* = f'(p/q) is a subgradient; check p T - q f*(T) at T*
        us = u_samples(d, rng_for(f"conj.{g.label}.critic"))
        fmp = _mp_f(g)
        with mpmath.workdps(DPS):
            worst = max(abs(x * d.mp_fp(_piece_of(d, x), x) - d.mp_value(d.mp_fp(_piece_of(d, x), x))
                            - fmp(x)) for x in us)
        if worst > mpmath.mpf(10) ** -35:
            return Outcome(FAILED, f"u T* - f*(T*) differs from f(u) by {mpmath.nstr(worst, 5)}")
        return Outcome(NUMERIC, "f is piecewise linear: T* = f'(u) is a subgradient, and "
                                f"u T* - f*(T*) = f(u) at {len(us)} random u ({DPS} digits)")
    out = combine(outs)
    if out.verdict == NUMERIC and all(o.verdict == PROVED for o in outs
                                      if "mpmath diff" not in o.reason and "numerical derivative"
                                      not in o.reason):
        return Outcome(PROVED, "composition of the proved identities (f*)'(t) = u*(t) and "
                               "u*(f'(u)) = u; " + outs[-1].reason)
    return out


def _piece_of(d, x):
    for p in d.pieces:
        if p.a < x and (p.b == sp.oo or x < p.b):
            return p
    return d.pieces[-1]


# ---------------------------------------------------------------------------------------------
# symbolic parameters (alpha with a left free)

def _symbolic_root(g: Generator):
    """The root of f′(u) = t (parameters symbolic) agreeing with every representative's root."""
    if "_root" not in g.__dict__:
        g.__dict__["_root"] = _find_symbolic_root(g)
    return g.__dict__["_root"]


def _find_symbolic_root(g: Generator):
    fp = sp.diff(g.f, g.u)
    cands = bounded(sp.solve, sp.Eq(fp, g.t), g.u, seconds=4.0, default=None) or []
    for c in cands:
        ok = True
        for r in g.reps:
            rd = r.derivation()
            ints = [b for b in rd.branches if b.kind == "interior" and b.ustar is not None]
            if len(ints) != 1:
                continue
            br = ints[0]
            with mpmath.workdps(DPS):
                t0 = rd.mp_fp(br.piece, br.piece.mp_sample(rng_for("symroot"), 1)[0])
                sub = {s: r.params[str(s)] for s in g.symbolic_params}
                try:
                    got = mpmath.mpmathify(sp.N(c.subs(sub).subs(g.t, sp.Float(t0, DPS)), DPS))
                except (TypeError, ValueError):
                    ok = False
                    break
                want = rd.mp_ustar(br, t0)
                if abs(got - want) > mpmath.mpf(10) ** -30 * max(1, abs(want)):
                    ok = False
                    break
        if ok:
            return c
    return None


def _param_points(g: Generator, rng, n=24):
    """Random (u, params…) points near the representative parameter values (in-domain)."""
    pts = []
    for i in range(n):
        rep = g.reps[i % len(g.reps)]
        vals = []
        for s in g.symbolic_params:
            v = float(rep.params[str(s)])
            vals.append(mpmath.mpf(v * (1 + 0.1 * rng.uniform(-1, 1))))
        pts.append([mpmath.e ** mpmath.mpf(rng.uniform(-4, 4)), *vals])
    return pts


def _sym_fy(g: Generator) -> Outcome:
    root = _symbolic_root(g)
    if root is None:
        return Outcome(NUMERIC, "no root of f'(u) = t with symbolic parameters matches the "
                                "representatives; the representatives carry the proof")
    fp = sp.diff(g.f, g.u)
    value = g.t * root - g.f.subs(g.u, root)
    syms = [g.u, *g.symbolic_params]
    pts = _param_points(g, rng_for(f"conj.{g.label}.fy"))
    return combine([
        grade_identity(root.subs(g.t, fp) - g.u, syms, pts,
                       why="sympy did not reduce u*(f'(u)) - u with symbolic parameters"),
        grade_identity(value.subs(g.t, fp) - (g.u * fp - g.f), syms, pts,
                       why="sympy did not reduce f*(f'(u)) - (u f'(u) - f(u))"),
        grade_identity(sp.diff(value, g.t) - root, [g.t, *g.symbolic_params],
                       [[mpmath.mpmathify(sp.N(fp.subs(dict(zip(syms, p))), DPS)), *p[1:]]
                        for p in pts],
                       substitutions=[{g.t: fp}],
                       why="sympy did not reduce (f*)'(t) - u*(t)"),
    ])


def _sym_convex(g: Generator) -> Outcome:
    f2 = sp.simplify(sp.diff(g.f, g.u, 2))
    syms = [g.u, *g.symbolic_params]
    pts = _param_points(g, rng_for(f"conj.{g.label}.convex"))
    fn = sp.lambdify(syms, f2, modules="mpmath")
    with mpmath.workdps(DPS):
        mn = min(mpmath.mpmathify(fn(*p)).real for p in pts)
    if mn < 0:
        return Outcome(FAILED, f"f''(u) = {f2} negative at a sampled point")
    if f2.is_nonnegative:
        return Outcome(PROVED, f"f''(u) = {f2} is nonnegative for u > 0 and real parameters (sympy)")
    if isinstance(f2, sp.Piecewise) and all(
            e.is_nonnegative or (sp.numer(sp.together(e)).is_nonnegative and
                                 sp.denom(sp.together(e)).is_nonnegative) for e, _ in f2.args):
        return Outcome(PROVED, f"f''(u) = {f2}: every piece is nonnegative for u > 0 and real "
                               "parameters (numerator and denominator signs, sympy)")
    # parameter ranges the registry accepts (its representatives all in (0, 1), or all > 0)
    sub, rng_txt = {}, []
    for sym in g.symbolic_params:
        vals = [float(r.params[str(sym)]) for r in g.reps]
        w = sp.Symbol(f"w_{sym}", positive=True)
        if vals and all(0 < v < 1 for v in vals):
            sub[sym], _ = w / (1 + w), rng_txt.append(f"{sym} in (0, 1)")
        elif vals and all(v > 0 for v in vals):
            sub[sym], _ = w, rng_txt.append(f"{sym} > 0")
    if sub:
        f2w = sp.factor(sp.simplify(f2.subs(sub)))
        if f2w.is_nonnegative:
            return Outcome(PROVED, f"f''(u) = {f2} is nonnegative for u > 0 and {', '.join(rng_txt)} "
                                   f"(the range of the values the registry accepts; sympy with "
                                   f"{', '.join(f'{k} = {v}' for k, v in sub.items())}, w > 0)")
    return Outcome(NUMERIC, f"sympy could not decide the sign of f''(u) = {f2}; nonnegative at "
                            f"24 random (u, parameter) points ({DPS} digits)")


# ---------------------------------------------------------------------------------------------

def member_claims(g: Generator):
    """The conjugate claims of one generator (registry member or symbolic-parameter family)."""
    L = g.label
    if g.symbolic_params:
        out = [ClaimSpec(f"conj.{L}.convex", f"f''(u) >= 0 on u > 0 for f(u) = {g.f}, parameters "
                         "symbolic", SECTION + ": (1) f convex", lambda: _sym_convex(g))]
        if g.reps and _symbolic_root(g) is not None:   # "the symbolic a where sympy can"
            out.append(ClaimSpec(f"conj.{L}.fenchel_young", "interior branch of f* with symbolic "
                                 "parameters: u*(f'(u)) = u, f*(f'(u)) = u f'(u) - f(u), (f*)' = u*",
                                 SECTION + ": (2) conjugate", lambda: _sym_fy(g)))
        return out
    return [
        ClaimSpec(f"conj.{L}.registry", f"registry numerics of {L!r} (f, f', conjugate, "
                  "optimal_critic, activation, conjugate_activation) agree with the derivation "
                  "to 1e-12 relative", "registry (issue 2)", lambda: _check_registry(g)),
        ClaimSpec(f"conj.{L}.f_at_one", lambda: _f_at_one_statement(g),
                  "§16.2.2: f(1) = 0", lambda: _check_f_at_one(g)),
        ClaimSpec(f"conj.{L}.limits", "f(0+) and f'(oo) = lim f(u)/u equal the recorded "
                  "f_at_zero, f_prime_at_inf (Csiszar's conventions at zeros)",
                  "§16.2.2: D_f definition", lambda: _check_limits(g)),
        ClaimSpec(f"conj.{L}.convex", f"f''(u) >= 0 on u > 0 (piecewise), f(u) = {g.f}",
                  SECTION + ": (1) f convex", lambda: _check_convex(g)),
        ClaimSpec(f"conj.{L}.conjugate", lambda: _conjugate_statement(g),
                  SECTION + ": (2) conjugate", lambda: _check_conjugate(g)),
        ClaimSpec(f"conj.{L}.domain", lambda: _domain_statement(g),
                  SECTION + ": (2) conjugate", lambda: _check_domain(g)),
        ClaimSpec(f"conj.{L}.fenchel_young", "f*(f'(u)) = u f'(u) - f(u) on u > 0, and "
                  "f(u) + f*(t) >= u t", SECTION + ": (2) conjugate",
                  lambda: _check_fenchel_young(g)),
        ClaimSpec(f"conj.{L}.biconjugate", "f**(u) = sup_t (t u - f*(t)) = f(u) on u >= 0",
                  SECTION + ": (2) f** = f", lambda: _check_biconjugate(g)),
        ClaimSpec(f"conj.{L}.activation", lambda: f"g_f(v) = {g.member.activation_form or '?'} "
                  "maps R into dom f*",
                  "§16.2.2: max_D E_p[D] - E_q[f*(D)]", lambda: _check_activation(g)),
        ClaimSpec(f"conj.{L}.critic", "optimal critic T* = f'(p/q): (f*)'(f'(u)) = u, so "
                  "p T - q f*(T) is stationary (and concave) at T = T*", "§16.2.2: y(x) maximiser",
                  lambda: _check_critic(g)),
    ]


def claims():
    """Claim specs for every registry member (evaluated lazily, in registry order)."""
    for g in generators():
        yield from member_claims(g)
