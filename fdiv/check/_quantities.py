"""What ``fdiv check`` knows about each quantity: call arguments, references, mistake models.

A :class:`Quantity` says how a case's ``inputs`` become the arguments of the user's function for
each input form, how to print them in a reproduction line, how to draw fresh inputs with
hypothesis and compute their reference (mpmath, :mod:`fdiv.vectors.reference`), and which
*mistakes* to try when results are off: each mistake is a transformation of the reference applied
to the same inputs (swapped arguments, a factor, bits, a square root, a dropped boundary term,
the f-GAN conjugate over ℝ, a missing activation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import mpmath as mp
import numpy as np

from .._encoding import array_literal as _src_arr
from .._encoding import float_literal as _src_float
from ..vectors import reference as R

__all__ = ["Quantity", "QUANTITIES", "ALIASES", "Mistake", "get_quantity"]

_LN2 = mp.log(2)


def _f(x):
    return R.to_mpf(x)


def _arr(xs):
    return np.asarray([float(x) for x in xs], dtype=np.float64)


@dataclass(frozen=True)
class Mistake:
    """A model of a mistake: ``value(ctx, case_inputs)`` → what a function with it would return.

    ``kind`` is ``'value'`` (a transformation of the reference value: factor, bits, root — it
    composes after a ``'structural'`` one) or ``'structural'`` (recomputed from the inputs).
    """

    name: str
    kind: str
    description: str
    fn: Callable
    cost: int = 1


# value transformations (applied to a reference value x, an mpmath number)
def _half(x):
    return x / 2


def _double(x):
    return 2 * x


def _bits(x):
    return x / _LN2


def _sqrt(x):
    return mp.sqrt(x) if x >= 0 else mp.nan


def _neg(x):
    return -x


VALUE_MISTAKES = {
    "half": Mistake("half", "value", "a factor ½ (the halved convention)", _half),
    "double": Mistake("double", "value", "a factor 2", _double),
    "log2": Mistake("log2", "value", "log base 2 (bits instead of nats)", _bits),
    "sqrt": Mistake("sqrt", "value", "a square root (a distance instead of the divergence, "
                    "like scipy.spatial.distance.jensenshannon = √JS)", _sqrt),
    "negated": Mistake("negated", "value", "the sign flipped (a loss vs an objective)", _neg),
}


@dataclass
class Quantity:
    """One checkable quantity (see the module docstring)."""

    name: str
    vectors: str                     # vector file (fdiv.vectors quantity)
    inputs: tuple                    # input forms, the first is the default
    signature: str
    needs_divergence: bool
    call: Callable                   # (inputs, form) -> list of args
    source: Callable                 # (inputs, form) -> argument source text
    reference: Callable              # (gen, inputs, form) -> mp value (at current precision)
    strategy: Callable | None = None  # (form) -> hypothesis strategy of inputs dicts
    structural: dict = field(default_factory=dict)   # name -> Mistake(fn(gen, inputs, form))
    value_mistakes: tuple = ("half", "double", "log2", "sqrt")
    hyp_rtol: float = 1e-9
    hyp_atol: float = 1e-12
    describe: Callable | None = None  # (inputs, form) -> short text of the inputs
    sandbox_args: Callable | None = None  # (inputs, form) -> JSON args for the child adapter


# ----------------------------------------------------------------------------- divergence
def _pq(inputs, form):
    if form == "logprobs":
        return inputs["logp"], inputs["logq"]
    return inputs["p"], inputs["q"]


def _pq_exact(inputs, form):
    """The probabilities the function actually receives, as exact mpmath numbers."""
    a, b = _pq(inputs, form)
    if form == "logprobs":
        return [mp.exp(_f(x)) for x in a], [mp.exp(_f(x)) for x in b]
    return [_f(x) for x in a], [_f(x) for x in b]


def _div_ref(gen, inputs, form):
    p, q = _pq_exact(inputs, form)
    return R.divergence_discrete(gen, p, q)


def _div_swapped(gen, inputs, form):
    p, q = _pq_exact(inputs, form)
    return R.divergence_discrete(gen, q, p)


def _div_drop(which):
    def fn(gen, inputs, form):
        p, q = _pq_exact(inputs, form)
        keep = [(a, b) for a, b in zip(p, q)
                if not ((which in ("p0", "both") and a == 0 and b > 0)
                        or (which in ("q0", "both") and b == 0 and a > 0))]
        if not keep:
            return mp.mpf(0)
        return R.divergence_discrete(gen, [a for a, _ in keep], [b for _, b in keep])
    return fn


def _div_strategy(form):
    from hypothesis import strategies as st

    try:
        from ..testing import discrete_pairs
        pairs = discrete_pairs(2, 6, zeros=True)
    except ImportError:  # pragma: no cover  (fdiv.testing ships with fdiv)
        entry = st.one_of(st.just(0.0), st.floats(0.01, 1.0))
        pairs = st.tuples(st.lists(entry, min_size=3, max_size=3),
                          st.lists(entry, min_size=3, max_size=3)).filter(
            lambda t: sum(t[0]) > 0 and sum(t[1]) > 0).map(
            lambda t: (np.asarray(t[0]) / sum(t[0]), np.asarray(t[1]) / sum(t[1])))

    def to_inputs(pq):
        p, q = (np.asarray(v, dtype=np.float64) for v in pq)
        with np.errstate(divide="ignore"):
            return {"p": p.tolist(), "q": q.tolist(), "logp": np.log(p).tolist(),
                    "logq": np.log(q).tolist()}

    return pairs.map(to_inputs)


DIVERGENCE = Quantity(
    name="divergence", vectors="divergence_discrete", inputs=("probs", "logprobs"),
    signature="D(p, q) -> float for 1-D float64 arrays (probabilities, or log-probabilities "
              "with --input logprobs)",
    needs_divergence=True,
    call=lambda i, form: [_arr(x) for x in _pq(i, form)],
    source=lambda i, form: ", ".join(_src_arr(x) for x in _pq(i, form)),
    reference=_div_ref,
    strategy=_div_strategy,
    structural={
        "swapped": Mistake("swapped", "structural", "the arguments swapped: D(Q‖P) instead of "
                           "D(P‖Q)", _div_swapped),
        "drop_q_f0": Mistake("drop_q_f0", "structural", "the boundary term q·f(0) dropped where "
                             "p = 0 < q (summing only over p > 0, as dit does)", _div_drop("p0")),
        "drop_p_fprime_inf": Mistake("drop_p_fprime_inf", "structural", "the boundary term "
                                     "p·f′(∞) dropped where q = 0 < p (summing only over q > 0)",
                                     _div_drop("q0")),
        "drop_boundary": Mistake("drop_boundary", "structural", "both boundary terms dropped "
                                 "(summing only where p > 0 and q > 0)", _div_drop("both"), 2),
    },
    describe=lambda i, form: f"p={list(_pq(i, form)[0])}, q={list(_pq(i, form)[1])}",
)


# ----------------------------------------------------------------------------- continuous
def _dist(spec):
    import scipy.stats

    return getattr(scipy.stats, spec["family"])(*spec.get("args", []), **spec.get("kwds", {}))


def _src_dist(spec):
    parts = [repr(a) for a in spec.get("args", [])]
    parts += [f"{k}={v!r}" for k, v in spec.get("kwds", {}).items()]
    return f"__import__('scipy.stats').stats.{spec['family']}({', '.join(parts)})"


def _describe_dist(spec):
    parts = [repr(a) for a in spec.get("args", [])]
    parts += [f"{k}={v!r}" for k, v in spec.get("kwds", {}).items()]
    return f"{spec['family']}({', '.join(parts)})"


def _no_reference(gen, i, form):
    raise NotImplementedError("continuous references come from the shipped vectors only")


DIVERGENCE_CONTINUOUS = Quantity(
    name="divergence_continuous", vectors="divergence_continuous", inputs=("dists",),
    signature="D(P, Q) -> float for scipy.stats frozen continuous distributions",
    needs_divergence=True,
    call=lambda i, form: [_dist(i["p"]), _dist(i["q"])],
    source=lambda i, form: f"{_src_dist(i['p'])}, {_src_dist(i['q'])}",
    reference=_no_reference,
    strategy=None,  # quadrature references are generated offline (vectors only)
    structural={},
    value_mistakes=("half", "double", "log2", "sqrt"),
    hyp_rtol=1e-8,
    describe=lambda i, form: f"P={_describe_dist(i['p'])}, Q={_describe_dist(i['q'])}",
    sandbox_args=lambda i, form: [i["p"], i["q"]],
)


# ----------------------------------------------------------------------------- f and f′
def _u_arg(i, form):
    return i["logu"] if form == "logu" else i["u"]


def _f_ref(which):
    def fn(gen, i, form):
        if form == "logu":
            return gen.f_log(i["logu"]) if which == "f" else gen.f_prime_log(i["logu"])
        return gen.f(i["u"]) if which == "f" else gen.f_prime(i["u"])
    return fn


def _u_exact(i, form):
    return mp.exp(_f(i["logu"])) if form == "logu" else _f(i["u"])


def _f_swapped(which):
    """The generator of the swapped divergence, ``f̃(u) = u f(1/u)`` (and its derivative)."""
    def fn(gen, i, form):
        u = _u_exact(i, form)
        if u == 0 or mp.isinf(u):
            return mp.nan
        if which == "f":
            return u * gen.f(1 / u)
        return gen.f(1 / u) - gen.f_prime(1 / u) / u
    return fn


def _u_strategy(form):
    from hypothesis import strategies as st

    r = st.floats(-40.0, 40.0, allow_nan=False)
    return r.map(lambda x: {"logu": x, "u": math.exp(x)})


def _mk_gen_quantity(which):
    return Quantity(
        name=which, vectors=which, inputs=("u", "logu"),
        signature=f"{'f' if which == 'f' else 'f′'}(u) -> float for a float64 u ≥ 0 (or log u "
                  "with --input logu)",
        needs_divergence=True,
        call=lambda i, form: [np.float64(_u_arg(i, form))],
        source=lambda i, form: f"np.float64({_src_float(_u_arg(i, form))})",
        reference=_f_ref(which),
        strategy=_u_strategy,
        structural={"swapped": Mistake("swapped", "structural", "the generator of the swapped "
                                       "divergence, u·f(1/u) (P and Q exchanged)",
                                       _f_swapped(which))},
        value_mistakes=("half", "double", "log2", "negated"),
        describe=lambda i, form: f"{form}={_u_arg(i, form)!r}",
    )


F = _mk_gen_quantity("f")
F_PRIME = _mk_gen_quantity("f_prime")


# ----------------------------------------------------------------------------- conjugate
def _scalar_strategy(lo, hi, key):
    def strat(form):
        from hypothesis import strategies as st

        return st.floats(lo, hi, allow_nan=False).map(lambda x: {key: x})
    return strat


CONJUGATE = Quantity(
    name="conjugate", vectors="conjugate", inputs=("t",),
    signature="f*(t) -> float: sup over u ≥ 0 of t·u − f(u); +inf outside its domain",
    needs_divergence=True,
    call=lambda i, form: [np.float64(i["t"])],
    source=lambda i, form: f"np.float64({_src_float(i['t'])})",
    reference=lambda gen, i, form: R.conjugate(gen, i["t"]),
    strategy=_scalar_strategy(-20.0, 20.0, "t"),
    structural={"over_reals": Mistake(
        "over_reals", "structural", "the f-GAN table's conjugate, f extended to u < 0 (sup over "
        "u ∈ ℝ instead of u ≥ 0: pearson t²/4 + t for t < −2 instead of −1)",
        lambda gen, i, form: R.conjugate_over_reals(gen, i["t"]))},
    value_mistakes=("half", "double", "log2", "negated"),
    describe=lambda i, form: f"t={i['t']!r}",
)


# ----------------------------------------------------------------------------- activations
ACTIVATION = Quantity(
    name="activation", vectors="activation", inputs=("v",),
    signature="g_f(v) -> float: the f-GAN output activation mapping ℝ into dom f*",
    needs_divergence=True,
    call=lambda i, form: [np.float64(i["v"])],
    source=lambda i, form: f"np.float64({_src_float(i['v'])})",
    reference=lambda gen, i, form: gen.activation(i["v"]),
    strategy=_scalar_strategy(-30.0, 30.0, "v"),
    structural={"activation_not_applied": Mistake(
        "activation_not_applied", "structural", "the activation not applied (returns v)",
        lambda gen, i, form: _f(i["v"]))},
    value_mistakes=("half", "double", "negated"),
    describe=lambda i, form: f"v={i['v']!r}",
)

CONJUGATE_ACTIVATION = Quantity(
    name="conjugate_activation", vectors="conjugate_activation", inputs=("v",),
    signature="f*(g_f(v)) -> float, composed stably",
    needs_divergence=True,
    call=lambda i, form: [np.float64(i["v"])],
    source=lambda i, form: f"np.float64({_src_float(i['v'])})",
    reference=lambda gen, i, form: R.conjugate(gen, gen.activation(i["v"])),
    strategy=_scalar_strategy(-20.0, 20.0, "v"),
    structural={"activation_not_applied": Mistake(
        "activation_not_applied", "structural", "the activation not applied: f*(v) on the raw "
        "critic output instead of f*(g_f(v))", lambda gen, i, form: R.conjugate(gen, i["v"]))},
    value_mistakes=("half", "double", "negated"),
    describe=lambda i, form: f"v={i['v']!r}",
)


def _fgan_not_activated(gen, i, form):
    vr, vf = i["v_real"], i["v_fake"]
    return (mp.fsum(_f(v) for v in vr) / len(vr)
            - mp.fsum(R.conjugate(gen, _f(v)) for v in vf) / len(vf))


def _lists_strategy(lo, hi, keys, max_size=5):
    def strat(form):
        from hypothesis import strategies as st

        one = st.lists(st.floats(lo, hi, allow_nan=False), min_size=1, max_size=max_size)
        return st.fixed_dictionaries({k: one for k in keys})
    return strat


FGAN_OBJECTIVE = Quantity(
    name="fgan_objective", vectors="fgan_objective", inputs=("logits",),
    signature="J(v_real, v_fake) -> float = mean g_f(v_real) − mean f*(g_f(v_fake)) (to maximise)",
    needs_divergence=True,
    call=lambda i, form: [_arr(i["v_real"]), _arr(i["v_fake"])],
    source=lambda i, form: f"{_src_arr(i['v_real'])}, {_src_arr(i['v_fake'])}",
    reference=lambda gen, i, form: R.fgan_objective(gen, i["v_real"], i["v_fake"]),
    strategy=_lists_strategy(-5.0, 5.0, ("v_real", "v_fake")),
    structural={"activation_not_applied": Mistake(
        "activation_not_applied", "structural", "the activation not applied: mean v_real − "
        "mean f*(v_fake) on raw critic outputs", _fgan_not_activated)},
    value_mistakes=("half", "double", "negated"),
    describe=lambda i, form: f"v_real={i['v_real']}, v_fake={i['v_fake']}",
)


# ----------------------------------------------------------------------------- GAN
def _dstar_args(i, form):
    return (i["logp"], i["logq"]) if form == "logprobs" else (i["p"], i["q"])


def _dstar_ref(gen, i, form):
    if form == "logprobs":
        return R.optimal_discriminator(i["logp"], i["logq"])
    p, q = _f(i["p"]), _f(i["q"])
    return R.optimal_discriminator(mp.log(p) if p > 0 else -mp.inf, mp.log(q) if q > 0 else -mp.inf)


def _dstar_strategy(form):
    from hypothesis import strategies as st

    lp = st.floats(-30.0, 3.0, allow_nan=False)
    return st.tuples(lp, lp).map(lambda t: {"logp": t[0], "logq": t[1], "p": math.exp(t[0]),
                                            "q": math.exp(t[1])})


OPTIMAL_DISCRIMINATOR = Quantity(
    name="optimal_discriminator", vectors="optimal_discriminator", inputs=("logprobs", "probs"),
    signature="D*(p, q) -> float = p/(p + q) from densities at one point (log densities with "
              "--input logprobs, the default)",
    needs_divergence=False,
    call=lambda i, form: [np.float64(x) for x in _dstar_args(i, form)],
    source=lambda i, form: ", ".join(f"np.float64({_src_float(x)})" for x in _dstar_args(i, form)),
    reference=_dstar_ref,
    strategy=_dstar_strategy,
    structural={"swapped": Mistake(
        "swapped", "structural", "the arguments swapped: q/(p + q)",
        lambda gen, i, form: 1 - _dstar_ref(gen, i, form))},
    value_mistakes=("half", "double"),
    hyp_atol=1e-15,
    describe=lambda i, form: ", ".join(f"{k}={i[k]!r}" for k in (("logp", "logq") if form == "logprobs" else ("p", "q"))),
)


def _loss_quantity(name, signature, ref, keys, swapped=None):
    structural = {}
    if swapped is not None:
        structural["swapped"] = Mistake("swapped", "structural", "real and fake swapped", swapped)
    return Quantity(
        name=name, vectors=name, inputs=("logits",), signature=signature, needs_divergence=False,
        call=lambda i, form: [_arr(i[k]) for k in keys],
        source=lambda i, form: ", ".join(_src_arr(i[k]) for k in keys),
        reference=lambda gen, i, form: ref(*[i[k] for k in keys]),
        strategy=_lists_strategy(-20.0, 20.0, keys),
        structural=structural,
        value_mistakes=("half", "double", "log2", "negated"),
        describe=lambda i, form: ", ".join(f"{k}={i[k]}" for k in keys),
    )


DISCRIMINATOR_LOSS = _loss_quantity(
    "discriminator_loss", "L_D(v_real, v_fake) -> float = −mean log σ(v_real) − mean log(1 − "
    "σ(v_fake)), from logits (to minimise)", R.gan_discriminator_loss, ("v_real", "v_fake"),
    swapped=lambda gen, i, form: R.gan_discriminator_loss(i["v_fake"], i["v_real"]))
GENERATOR_LOSS = _loss_quantity(
    "generator_loss", "L_G(v_fake) -> float = mean log(1 − σ(v_fake)) (minimax, to minimise)",
    R.gan_generator_loss, ("v_fake",))
GENERATOR_LOSS_NS = _loss_quantity(
    "generator_loss_nonsaturating", "L_G(v_fake) -> float = −mean log σ(v_fake) "
    "(non-saturating, to minimise)", R.gan_generator_loss_nonsaturating, ("v_fake",))

QUANTITIES = {q.name: q for q in (
    DIVERGENCE, DIVERGENCE_CONTINUOUS, F, F_PRIME, CONJUGATE, ACTIVATION, CONJUGATE_ACTIVATION, FGAN_OBJECTIVE,
    OPTIMAL_DISCRIMINATOR, DISCRIMINATOR_LOSS, GENERATOR_LOSS, GENERATOR_LOSS_NS)}
ALIASES = {"divergence_discrete": "divergence", "fprime": "f_prime",
           "discriminator": "optimal_discriminator", "d_star": "optimal_discriminator",
           "f_star": "conjugate", "gan_loss": "discriminator_loss"}


def get_quantity(name) -> Quantity:
    key = ALIASES.get(name, name)
    if key not in QUANTITIES:
        raise ValueError(f"quantity={name!r}: one of {', '.join(QUANTITIES)}")
    return QUANTITIES[key]
