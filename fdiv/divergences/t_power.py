"""TensorFlow Probability's T-power Csiszár function, parameter ``power`` (TFP's ``t``).

``f(u) = s [u^t − 1 − t(u − 1)]`` with ``s = −1`` for ``0 < t < 1`` and ``+1`` otherwise, i.e.
``f = |t(t − 1)| · f_alpha(t)``: a positive multiple of :mod:`alpha`, whose kernels, conjugate and
activation it reuses (``f*(τ) = C f_α*(τ/C)``, ``g = C g_α``, ``f*(g(v)) = C f_α*(g_α(v))``,
``C = |t(t − 1)|``).  ``t = 0`` and ``t = 1`` give ``f ≡ 0`` and are rejected.
The parameter is called ``power``, not ``t``: ``t`` is the conjugate's variable in every formula.
"""

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import centred_f_log
from .alpha import (_domain, _f_at_zero, _f_prime_at_inf, _growth, alpha_phi, activation_a,
                    check_param, conjugate_a, conjugate_activation_a, f_prime_log_a)


def phi_lo(r, theta):
    return abs(theta * (theta - 1.0)) * alpha_phi(r, theta, 1.0 - theta)


def phi_hi(r, theta):
    return abs(theta * (theta - 1.0)) * alpha_phi(-r, 1.0 - theta, theta)


def t_power(power=2.0):
    """``f(u) = s[u^t − 1 − t(u − 1)]`` (TFP ``tfp.vi.t_power`` with ``self_normalized=True``)."""
    t = check_param("power", power)
    if t == 0.0 or t == 1.0:
        raise ValueError(f"power={power!r} gives f = 0; use power outside {{0, 1}} "
                         "(or fdiv.get('alpha', a=...) for the limits)")
    C = abs(t * (t - 1.0))
    lo, hi = _domain(t)
    glo, ghi = _growth(t)
    return FDivergence(
        name="t_power",
        formula="sign(power*(power - 1))*(u**power - 1 - power*(u - 1))",
        params={"power": t},
        f_log=centred_f_log(phi_lo, phi_hi, t),
        f_prime_log=lambda logu: C * np.asarray(f_prime_log_a(logu, t)),
        conjugate=lambda x: C * np.asarray(conjugate_a(np.asarray(x, dtype=np.float64) / C, t)),
        conjugate_domain=(lo * C, hi * C),
        activation=lambda v: C * np.asarray(activation_a(v, t)),
        conjugate_activation=lambda v: C * np.asarray(conjugate_activation_a(v, t)),
        f_at_one=0.0,
        f_prime_at_one=0.0,
        f_at_zero=C * _f_at_zero(t),
        f_prime_at_inf=C * _f_prime_at_inf(t),
        phi_lo=phi_lo,
        phi_hi=phi_hi,
        theta=t,
        entire=True,
        growth_lo=glo,
        growth_hi=ghi,
        symmetric=False,
        upper_bound=C * (_f_at_zero(t) + _f_prime_at_inf(t)) if 0.0 < t < 1.0 else None,
        conjugate_form="|t(t-1)| f_alpha*(tau/|t(t-1)|) with f_alpha* of alpha(a=power)",
        activation_form="Abs(power*(power - 1))*(exp((power - 1)*v) - 1)/(power - 1)",
        conjugate_table_form="(not in the f-GAN table)",
        references=(
            "TensorFlow Probability, tfp.vi.t_power (csiszar_divergence.py)",
            "Cichocki & Amari (2010), Families of alpha- beta- and gamma-divergences, Entropy 12(6)",
        ),
        conventions="TFP's t_power with self_normalized=True; without it TFP omits -t(u - 1) "
                    "(same divergence for normalised P, Q). Equals |t(t-1)| times fdiv's alpha "
                    "(a = t); power = 2 is Pearson chi^2, power = 1/2 is half the squared "
                    "Hellinger, (sqrt u - 1)^2/2.",
    )


register(t_power)
