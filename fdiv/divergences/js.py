"""Jensen–Shannon divergence, ``f(u) = ½[u log u − (u + 1) log((u + 1)/2)]`` (the lecture's JS).

``JS(P‖Q) = ½ KL(P‖M) + ½ KL(Q‖M) ≤ log 2``, ``M = (P + Q)/2``: :mod:`weighted_js` at ``π = ½``,
whose kernels it reuses (``φ = f``; a series near r = 0, where the closed form cancels, and
closed forms in ``log1p``/``expm1`` elsewhere; ``f(e^r)`` is exact to a few ulps for |r| ≤ 700, unlike
TFP's JS, which loses 1.0 at logu ≈ 37).

Conjugate over ``u ≥ 0``: ``f*(t) = −½ log(2 − e^{2t})`` for ``t < ½ log 2``.  Activation
``g(v) = ½(log 2 − softplus(−v))`` (the f-GAN activation, halved), ``f*(g(v)) = ½(softplus(v) − log 2)``.
"""
import math

from .._generator import FDivergence
from .._registry import register
from ._special import centred_f_log
from .weighted_js import (activation_pi, conjugate_activation_pi, conjugate_pi, f_prime_log_pi,
                          wjs_phi)


def phi_lo(r, theta):
    return wjs_phi(-r, 0.5, 0.5)


def phi_hi(r, theta):
    return wjs_phi(r, 0.5, 0.5)


JS = register(FDivergence(
    name="js",
    formula="(u*log(u) - (u + 1)*log((u + 1)/2))/2",
    f_log=centred_f_log(phi_lo, phi_hi),
    f_prime_log=lambda logu: f_prime_log_pi(logu, 0.5),
    conjugate=lambda t: conjugate_pi(t, 0.5),
    conjugate_domain=(-math.inf, 0.5 * math.log(2.0)),
    activation=lambda v: activation_pi(v, 0.5),
    conjugate_activation=lambda v: conjugate_activation_pi(v, 0.5),
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=0.5 * math.log(2.0),
    f_prime_at_inf=0.5 * math.log(2.0),
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 0.0),
    symmetric=True,
    upper_bound=math.log(2.0),
    conjugate_form="-log(2 - exp(2*t))/2",
    activation_form="(log(2) - log(1 + exp(-v)))/2",
    conjugate_table_form="-log(2 - exp(t)) (f-GAN, for the generator 2f: the paper prints the "
                         "1/2 but its conjugate, domain t < log 2 and activation "
                         "log(2) - log(1 + exp(-v)) belong to 2*JS)",
    references=(
        "Lin (1991), Divergence measures based on the Shannon entropy, IEEE Trans. Inf. Theory 37(1)",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2",
        "Lecture 16 (CSE6243), §16.2.2",
    ),
    conventions="JS = KL(P||M)/2 + KL(Q||M)/2 in nats, <= log 2. scipy.spatial.distance."
                "jensenshannon returns sqrt(JS); TFP tfp.vi.jensen_shannon is 2 JS "
                "(self_normalized=True) or 2 JS - log 4 (default; = fdiv's gan); dit reports "
                "bits; the f-GAN generator integrates to 2 JS.",
))
