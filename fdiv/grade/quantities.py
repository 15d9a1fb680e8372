"""What an assignment task can ask for: case generators and reference answers.

A *quantity* knows three things about one kind of student function:

* ``generate(rng, index, params) -> Case``: the inputs of case number ``index`` drawn with ``rng``
  (cases cycle through the quantity's *kinds* — zeros in P, zeros in Q, large log-ratios … — so
  every trap is covered whatever the number of cases);
* ``expected(args, params)``: the reference answer, from fdiv's own reference functions (the
  registry, :func:`fdiv.divergence`, :mod:`fdiv.bounds`) or from mpmath at 40 digits where the
  formula is a plain sum;
* ``alternatives(args, params)``: the answers of common wrong conventions (swapped arguments,
  a factor ½, √JS, the conjugate over ℝ …), used only to word a hint when *every* failing case
  matches one of them.

``params`` always holds the task's ``divergence`` (a registry name) plus anything the task's
``params`` table adds.  Inputs are plain floats and 1-D float64 arrays, so they cross the sandbox
boundary exactly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Case", "Quantity", "QUANTITIES", "get_quantity"]

_MP_DPS = 40


@dataclass
class Case:
    """One set of inputs for a student function, with the trap it targets."""

    args: list
    kwargs: dict = field(default_factory=dict)
    kind: str = ""


@dataclass(frozen=True)
class Quantity:
    name: str
    summary: str
    kinds: tuple
    generate: Callable
    expected: Callable
    alternatives: Callable | None = None
    shape: str = "array"  # 'array' (same shape as the first argument) or 'scalar'


QUANTITIES: dict[str, Quantity] = {}


def _register(q: Quantity) -> Quantity:
    QUANTITIES[q.name] = q
    return q


def get_quantity(name: str) -> Quantity:
    try:
        return QUANTITIES[name]
    except KeyError:
        raise ValueError(f"unknown quantity={name!r}; known: {', '.join(sorted(QUANTITIES))}") from None


def _div(params):
    import fdiv

    return fdiv.get(params["divergence"], **dict(params.get("divergence_params", {})))


def _kind(quantity_kinds, index):
    return quantity_kinds[index % len(quantity_kinds)]


# ----------------------------------------------------------------------------- generators
def _positive(rng, n, lo=-3.0, hi=3.0):
    """Log-uniform positive numbers in [e^lo, e^hi]."""
    return np.exp(rng.uniform(lo, hi, size=n))


def _simplex(rng, n, kind):
    """A pair of probability vectors of length n with the structure ``kind`` asks for."""
    p = rng.dirichlet(np.full(n, 1.5))
    q = rng.dirichlet(np.full(n, 1.5))
    if kind == "zeros in p":
        p[rng.choice(n, size=max(1, n // 3), replace=False)] = 0.0
    elif kind == "zeros in q":
        q[rng.choice(n, size=max(1, n // 3), replace=False)] = 0.0
    elif kind == "zeros in both":
        idx = rng.permutation(n)
        p[idx[0]] = 0.0
        q[idx[1]] = 0.0
        p[idx[2]] = q[idx[2]] = 0.0
    elif kind == "disjoint supports":
        half = n // 2
        p[half:] = 0.0
        q[:half] = 0.0
    elif kind == "identical":
        q = p.copy()
    elif kind == "tiny masses":
        p[0] = 1e-12
        q[1] = 1e-12
    p = p / p.sum()
    q = q / q.sum()
    return p, q


def _u_values(rng, kind, div):
    n = int(rng.integers(3, 9))
    if kind == "interior":
        u = _positive(rng, n, -2.0, 2.0)
    elif kind == "zero and one":
        u = _positive(rng, n, -2.0, 2.0)
        u[0], u[1] = 0.0, 1.0
    elif kind == "near one":
        u = 1.0 + rng.uniform(-1e-3, 1e-3, size=n)
    else:  # "large and small ratios"
        u = _positive(rng, n, -12.0, 12.0)
    return u


# ----------------------------------------------------------------------------- f, f′, f*
def _gen_f(rng, index, params):
    kinds = QUANTITIES["f"].kinds
    kind = _kind(kinds, index)
    return Case([_u_values(rng, kind, _div(params))], kind=kind)


_register(Quantity(
    name="f", summary="the generator f(u), vectorised over u ≥ 0",
    kinds=("interior", "zero and one", "near one", "large and small ratios"),
    generate=_gen_f,
    expected=lambda args, params: np.asarray(_div(params).f(args[0]), dtype=np.float64),
    alternatives=lambda args, params: {
        "f(u)/2 (a factor ½)": 0.5 * _div(params).f(args[0]),
        "2·f(u) (a factor 2)": 2.0 * _div(params).f(args[0]),
        "u·f(1/u) (the generator of the reversed divergence)": _reversed_f(params, args[0]),
    },
))


def _reversed_f(params, u):
    u = np.asarray(u, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return u * _div(params).f(1.0 / u)


def _gen_f_prime(rng, index, params):
    kinds = QUANTITIES["f_prime"].kinds
    kind = _kind(kinds, index)
    u = _u_values(rng, "interior" if kind == "zero and one" else kind, _div(params))
    return Case([u], kind=kind)


_register(Quantity(
    name="f_prime", summary="the derivative f′(u), vectorised over u > 0",
    kinds=("interior", "near one", "large and small ratios"),
    generate=_gen_f_prime,
    expected=lambda args, params: np.asarray(_div(params).f_prime(args[0]), dtype=np.float64),
    alternatives=lambda args, params: {
        "f′(u)/2 (a factor ½)": 0.5 * _div(params).f_prime(args[0]),
        "2·f′(u) (a factor 2)": 2.0 * _div(params).f_prime(args[0]),
    },
))


def _gen_conjugate(rng, index, params):
    """t on the conjugate's domain: Fenchel–Young points t = f′(u) (reference f′) and beyond."""
    div = _div(params)
    kind = _kind(QUANTITIES["conjugate"].kinds, index)
    n = int(rng.integers(4, 9))
    lo, hi = div.conjugate_domain
    t_floor = float(div.f_prime(0.0))  # f′(0+): below it the sup over u ≥ 0 sits at u = 0
    if kind == "Fenchel–Young points t = f′(u)":
        t = np.asarray(div.f_prime(_positive(rng, n, -2.0, 2.0)), dtype=np.float64)
    elif kind == "t below f′(0+), where u ≥ 0 binds" and np.isfinite(t_floor):
        t = t_floor - _positive(rng, n, -2.0, 2.0)
    else:
        a = max(lo, t_floor - 4.0) if np.isfinite(t_floor) else (lo if np.isfinite(lo) else -6.0)
        b = hi - 1e-3 if np.isfinite(hi) else a + 10.0
        t = rng.uniform(a, b, size=n)
        kind = "mixed"
    return Case([t], kind=kind)


_register(Quantity(
    name="conjugate", summary="the Fenchel conjugate f*(t) = sup_{u ≥ 0} (t·u − f(u))",
    kinds=("Fenchel–Young points t = f′(u)", "t below f′(0+), where u ≥ 0 binds", "mixed"),
    generate=_gen_conjugate,
    expected=lambda args, params: np.asarray(_div(params).conjugate(args[0]), dtype=np.float64),
    alternatives=lambda args, params: _conjugate_alternatives(args, params),
))


def _conjugate_alternatives(args, params):
    div = _div(params)
    out = {}
    if div.name == "pearson":
        t = np.asarray(args[0], dtype=np.float64)
        out["t²/4 + t for every t (the conjugate of f extended to u < 0, as in the f-GAN table; "
            "with u ≥ 0 it is −1 for t < −2)"] = 0.25 * t * t + t
    return out


# ----------------------------------------------------------------------------- GAN
def _gen_pair(name):
    def gen(rng, index, params):
        kind = _kind(QUANTITIES[name].kinds, index)
        n = int(rng.integers(4, 9))
        p, q = _simplex(rng, n, kind)
        return Case([p, q], kind=kind)

    return gen


def _optimal_discriminator(args, params):
    from fdiv.bounds import optimal_discriminator

    return np.asarray(optimal_discriminator(args[0], args[1]), dtype=np.float64)


_register(Quantity(
    name="optimal_discriminator",
    summary="the GAN's optimal discriminator D*(x) = p(x)/(p(x) + q(x)) (½ where both vanish)",
    kinds=("interior", "zeros in p", "zeros in q", "zeros in both", "tiny masses"),
    generate=_gen_pair("optimal_discriminator"),
    expected=_optimal_discriminator,
    alternatives=lambda args, params: {
        "q/(p + q): the arguments are swapped": _optimal_discriminator([args[1], args[0]], params),
    },
))


def _js(p, q):
    import fdiv

    return float(fdiv.divergence("js", np.asarray(p), np.asarray(q)))


_register(Quantity(
    name="gan_value",
    summary="the GAN value at the optimal discriminator, V(D*) = 2·JS(P‖Q) − log 4",
    kinds=("interior", "zeros in p", "zeros in q", "disjoint supports", "identical"),
    generate=_gen_pair("gan_value"),
    expected=lambda args, params: 2.0 * _js(args[0], args[1]) - math.log(4.0),
    alternatives=lambda args, params: {
        "2·√JS − log 4 (√JS is what scipy.spatial.distance.jensenshannon returns)":
            2.0 * math.sqrt(_js(args[0], args[1])) - math.log(4.0),
        "JS − log 4 (a factor ½ on JS)": _js(args[0], args[1]) - math.log(4.0),
        "2·JS (the constant −log 4 dropped)": 2.0 * _js(args[0], args[1]),
    },
    shape="scalar",
))


# ----------------------------------------------------------------------------- D_f, bounds
def _divergence(params, p, q):
    import fdiv

    return float(fdiv.divergence(_div(params), np.asarray(p), np.asarray(q)))


def _dropped_zero_terms(params, p, q):
    """Σ over p_i > 0 only: Csiszár's q_i·f(0) terms (p_i = 0 < q_i) left out."""
    p, q = np.asarray(p), np.asarray(q)
    keep = p > 0
    div = _div(params)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q[keep] > 0, q[keep] * div.f(p[keep] / np.where(q[keep] > 0, q[keep], 1)),
                         p[keep] * div.f_prime_at_inf)
    return float(np.sum(terms))


_register(Quantity(
    name="divergence",
    summary="D_f(P‖Q) = Σ q_i f(p_i/q_i) for probability vectors, with Csiszár's conventions at zeros",
    kinds=("interior", "zeros in p", "zeros in q", "identical", "tiny masses"),
    generate=_gen_pair("divergence"),
    expected=lambda args, params: _divergence(params, args[0], args[1]),
    alternatives=lambda args, params: {
        "D_f(Q‖P): the arguments are swapped": _divergence(params, args[1], args[0]),
        "the terms with p_i = 0 < q_i (q_i·f(0)) are missing": _dropped_zero_terms(params, *args),
        "a factor ½": 0.5 * _divergence(params, args[0], args[1]),
    },
    shape="scalar",
))


def _gen_bound(rng, index, params):
    """Critic values on samples x_P ~ N(0, 1), x_Q ~ N(μ, σ²): the optimal critic, perturbed."""
    div = _div(params)
    kind = _kind(QUANTITIES["variational_bound"].kinds, index)
    n_p, n_q = int(rng.integers(20, 60)), int(rng.integers(20, 60))
    mu, sigma = rng.uniform(-1.0, 1.0), rng.uniform(0.7, 1.5)
    x_p, x_q = rng.normal(size=n_p), rng.normal(mu, sigma, size=n_q)

    def critic(x):
        logp = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
        logq = -0.5 * ((x - mu) / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)
        return np.asarray(div.optimal_critic(logp, logq), dtype=np.float64)

    t_p, t_q = critic(x_p), critic(x_q)
    if kind == "perturbed critic":
        t_p = t_p + rng.normal(0, 0.3, n_p)
        t_q = t_q + rng.normal(0, 0.3, n_q)
    elif kind == "critic below f′(0+)":
        floor = float(div.f_prime(0.0))
        if np.isfinite(floor):
            t_q[: max(1, n_q // 4)] = floor - _positive(rng, max(1, n_q // 4), -1.0, 1.5)
    lo, hi = div.conjugate_domain
    t_p, t_q = np.clip(t_p, lo, hi), np.clip(t_q, lo, hi)
    return Case([t_p, t_q], kind=kind)


def _bound_estimate(params, t_p, t_q):
    from fdiv.bounds import bound_mc

    return float(bound_mc(_div(params), _identity, np.asarray(t_p), np.asarray(t_q)).estimate)


def _identity(x):
    return x


_register(Quantity(
    name="variational_bound",
    summary="the Monte Carlo variational lower bound mean_P T − mean_Q f*(T) from critic values",
    kinds=("optimal critic", "perturbed critic", "critic below f′(0+)"),
    generate=_gen_bound,
    expected=lambda args, params: _bound_estimate(params, args[0], args[1]),
    alternatives=lambda args, params: {
        "mean_Q T − mean_P f*(T): the samples are swapped": _bound_estimate(params, args[1], args[0]),
    },
    shape="scalar",
))


# ----------------------------------------------------------------------------- EBM / Gibbs
def _gen_scores(name):
    def gen(rng, index, params):
        kind = _kind(QUANTITIES[name].kinds, index)
        n = int(rng.integers(3, 9))
        d = rng.normal(0.0, 2.0, size=n)
        if kind == "large scores, exp overflows":
            d = d + rng.uniform(750.0, 1000.0)
        elif kind == "very negative scores, exp underflows":
            d = d - rng.uniform(750.0, 1000.0)
        elif kind == "a single state":
            d = d[:1]
        args = [d]
        if name == "gibbs_kl":
            q = rng.dirichlet(np.full(d.size, 1.5))
            if kind == "zeros in q" and d.size > 1:
                q[rng.choice(d.size, size=max(1, d.size // 3), replace=False)] = 0.0
                if q.sum() == 0:
                    q[0] = 1.0
            elif kind == "q is the Gibbs distribution":
                q = np.exp(d - d.max())
            q = q / q.sum()
            args.append(q)
        return Case(args, kind=kind)

    return gen


def _mp_context():
    """A private mpmath context at 40 digits (the global one is shared between threads)."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = _MP_DPS
    return ctx


def _mp_log_partition(d, ctx=None):
    ctx = ctx or _mp_context()
    vals = [ctx.mpf(float(x)) for x in np.asarray(d, dtype=np.float64)]
    return ctx.log(ctx.fsum(ctx.exp(v) for v in vals))


def _mp_gibbs_kl(d, q):
    """KL(q‖p_D) = Σ_{q_i>0} q_i (log q_i − d_i + log Z), at 40 digits."""
    ctx = _mp_context()
    log_z = _mp_log_partition(d, ctx)
    total = ctx.mpf(0)
    for di, qi in zip(np.asarray(d, dtype=np.float64), np.asarray(q, dtype=np.float64)):
        if qi > 0:
            qi = ctx.mpf(float(qi))
            total += qi * (ctx.log(qi) - ctx.mpf(float(di)) + log_z)
    return float(total)


_register(Quantity(
    name="log_partition",
    summary="log Z = log Σ_x exp(D(x)), stable for large and very negative scores",
    kinds=("moderate scores", "large scores, exp overflows",
           "very negative scores, exp underflows", "a single state"),
    generate=_gen_scores("log_partition"),
    expected=lambda args, params: float(_mp_log_partition(args[0])),
    shape="scalar",
))

_register(Quantity(
    name="gibbs_kl",
    summary="KL(q‖p_D) with p_D = exp(D)/Z, from the identity log Z = E_q[D] + H(q) + KL(q‖p_D)",
    kinds=("moderate scores", "zeros in q", "large scores, exp overflows",
           "q is the Gibbs distribution"),
    generate=_gen_scores("gibbs_kl"),
    expected=lambda args, params: _mp_gibbs_kl(args[0], args[1]),
    alternatives=lambda args, params: {
        "E_q[D] + H(q) (the lower bound on log Z, not the gap)":
            float(_mp_log_partition(args[0])) - _mp_gibbs_kl(args[0], args[1]),
    },
    shape="scalar",
))
