"""TensorFlow Probability's modified-GAN Csiszár function, ``f(u) = log(1 + u) − log u = log(1 + 1/u)``.

``D_f(P‖Q) = ∫ q log(1 + q/p)``: the non-saturating ("−log D") generator loss of a GAN at the optimal
discriminator, with Q the model.  ``f(1) = log 2`` is kept (not normalised away, like :mod:`gan`),
``f′(1) = −½``, ``f(0) = ∞``, ``f′(∞) = 0``.  Centred generator (no cancellation: two non-negative
terms)

    φ(e^r) = log cosh(r/2) + ½ (e^r − 1 − r),

* ``phi_lo(r) = logcosh(r/2) + ½ expm1mx(r)`` (grows like ``|r|/2``),
* ``phi_hi(r) = e^{−r} logcosh(r/2) + ½ e^{−r} expm1mx(r)`` (→ ½ = f′(∞) − f′(1)).

Conjugate over ``u ≥ 0``: for ``t = −τ < 0``, ``u* = 2/(τ + √(τ² + 4τ))`` and
``f*(t) = −τu* − log1p(1/u*)``; ``f*(0) = 0`` (a supremum); ``+∞`` for ``t > 0``.  Activation
``g(v) = −e^{−v}``; ``f*(g(v))`` is composed in log space (finite for all finite v).
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import LOG2, expm1mx, logcosh, np_softplus


def phi_lo(r, theta):
    if r == -math.inf:
        return math.inf
    return logcosh(0.5 * r) + 0.5 * expm1mx(r)


def phi_hi(r, theta):
    if r == math.inf:
        return 0.5
    e = math.exp(-r)
    if r < 700.0:
        tail = e * expm1mx(r)
    else:
        tail = 1.0 - e * (1.0 + r)
    return e * logcosh(0.5 * r) + 0.5 * tail


def f_log(logu):
    return np_softplus(-np.asarray(logu, dtype=np.float64))


def f_prime_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return -np.exp(-r - np_softplus(r))


def conjugate_activation(v):
    """``f*(−e^{−v})``: with ``w = √(1 + 4e^v)``, ``τu* = 2/(1 + w)``, ``log(1/u*) = −v + log((1 + w)/2)``."""
    v = np.asarray(v, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        # v ≥ 0: factor e^{v/2} out of w to avoid overflow
        em = np.exp(-np.abs(v))  # ≤ 1
        hp = np.exp(-0.5 * np.abs(v))
        root_pos = np.sqrt(1.0 + 0.25 * em)  # w/(2e^{v/2}) for v ≥ 0
        tu_pos = hp / (root_pos + 0.5 * hp)
        lg_pos = 0.5 * v + np.log(root_pos + 0.5 * hp)
        w_neg = np.sqrt(1.0 + 4.0 * em)  # v < 0: e^v = em
        tu_neg = 2.0 / (1.0 + w_neg)
        lg_neg = np.log1p(2.0 * em / (1.0 + w_neg))  # log((1 + w)/2), w − 1 = 4e^v/(w + 1)
        pos = v >= 0.0
        tu = np.where(pos, tu_pos, tu_neg)
        log_inv_u = -v + np.where(pos, lg_pos, lg_neg)
        return -tu - np_softplus(log_inv_u)


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = conjugate_activation(-np.log(-t))
        out = np.where(t < 0.0, out, np.where(t == 0.0, 0.0, np.inf))
        return np.where(np.isnan(t), np.nan, out)


def activation(v):
    return -np.exp(-np.asarray(v, dtype=np.float64))


MODIFIED_GAN = register(FDivergence(
    name="modified_gan",
    formula="log(1 + u) - log(u)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 0.0),
    activation=activation,
    conjugate_activation=conjugate_activation,
    f_at_one=LOG2,
    f_prime_at_one=-0.5,
    f_at_zero=math.inf,
    f_prime_at_inf=0.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 1.0),
    growth_hi=(0.0, 0.0),
    conjugate_form="-tau*u - log(1 + 1/u) with tau = -t, u = 2/(tau + sqrt(tau**2 + 4*tau)); "
                   "0 at t = 0; +oo for t > 0",
    activation_form="-exp(-v)",
    conjugate_table_form="(not in the f-GAN table)",
    references=(
        "TensorFlow Probability, tfp.vi.modified_gan (csiszar_divergence.py)",
        "Goodfellow et al. (2014), Generative adversarial nets, NeurIPS (the -log D heuristic)",
    ),
    conventions="TFP's modified_gan with self_normalized=False (the default); "
                "self_normalized=True adds (u - 1)/2, making f'(1) = 0 but leaving f(1) = log 2, "
                "so D_f(P||P) = log 2 in both.",
))
