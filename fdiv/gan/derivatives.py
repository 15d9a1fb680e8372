"""Derivatives of the f-GAN output activation and of the composed conjugate, per member.

For a registry member with activation ``g_f`` and composed conjugate ``h_f(v) = f*(g_f(v))``
(``FDivergence.activation`` / ``conjugate_activation``) the trainers need ``g_f′(v)`` and
``h_f′(v)``.  By the envelope theorem ``(f*)′(t) = u*(t)``, the maximiser of ``t·u − f(u)``
(``f′(u*) = t``), so ``h_f′(v) = u*(g_f(v)) · g_f′(v)``; with the activations of Nowozin et al.
(2016, Table 2) this gives the closed forms below, written without overflow (``expit``,
``exp`` of the sign that cannot blow up, ``wrightomega`` for Lambert W of an exponential).

==================  =========================  =====================================
member              g′(v)                      h′(v)
==================  =========================  =====================================
kl                  1                          e^{v−1}
reverse_kl          e^{−v}                     1
pearson             1                          max(v/2 + 1, 0)   (f* over u ≥ 0)
neyman              e^{−v}                     e^{−v/2}
squared_hellinger   e^{−v}                     e^{v}
gan                 σ(−v)                      σ(v)
js (halved)         σ(−v)/2                    σ(v)/2
weighted_js(π)      π σ(−v)                    (1 − π) σ(v)
tv                  1 − tanh²v                 1 − tanh²v
log1p_abs           e^{−v}                     e^{−v} for v ≥ −log 2, e^{−v/2}/√(1 − e^v) below
triangular          e^{−v}                     2e^{−v/2} − e^{−v} for v ≥ −log 4, 0 below
jeffreys            1                          1/W(e^{1−v}) = 1/ω(1 − v)
modified_gan        e^{−v}                     2/(1 + √(1 + 4e^{v}))
alpha(a)            e^{(a−1)v}                 e^{a v}
t_power(p)          |p(p−1)| e^{(p−1)v}        |p(p−1)| e^{p v}
==================  =========================  =====================================

A table entry is used only after it agrees (relative 1e-6) with a 5-point central difference of
the member's own callables at probe points; otherwise, and for members not in the table
(``arithmetic_geometric``, user members), the derivative *is* the 5-point central difference
``[h(v−2δ) − 8h(v−δ) + 8h(v+δ) − h(v+2δ)]/12δ`` with ``δ = 1e-3·max(1, |v|)`` (error O(δ⁴),
~1e-12 relative for these smooth functions).  ``ActivationDerivatives.source`` says which.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, wrightomega

__all__ = ["ActivationDerivatives", "activation_derivatives", "central_difference"]


def _f64(v):
    return np.asarray(v, dtype=np.float64)


def _exp_neg(v):
    with np.errstate(over="ignore"):
        return np.exp(-_f64(v))


def _exp(v):
    with np.errstate(over="ignore"):
        return np.exp(_f64(v))


def _one(v):
    return np.ones_like(_f64(v))


def _sech2(v):
    t = np.tanh(_f64(v))
    return 1.0 - t * t


def _log1p_abs_h(v):
    v = _f64(v)
    with np.errstate(over="ignore"):
        lo = np.minimum(v, -math.log(2.0))
        return np.where(v >= -math.log(2.0), np.exp(-v), np.exp(-0.5 * lo) / np.sqrt(-np.expm1(lo)))


def _triangular_h(v):
    v = _f64(v)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-0.5 * np.maximum(v, -math.log(4.0)))
        return np.where(v >= -math.log(4.0), e * (2.0 - e), 0.0)


def _modified_gan_h(v):
    v = _f64(v)
    with np.errstate(over="ignore"):
        half = np.exp(0.5 * np.minimum(v, 0.0)), np.exp(-0.5 * np.maximum(v, 0.0))
        # v ≤ 0: √(1 + 4e^v);  v > 0: e^{v/2} √(e^{−v} + 4), so 2/(1 + w) = 2e^{−v/2}/(e^{−v/2} + √(e^{−v}+4))
        lo = 2.0 / (1.0 + np.sqrt(1.0 + 4.0 * half[0] ** 2))
        hi = 2.0 * half[1] / (half[1] + np.sqrt(half[1] ** 2 + 4.0))
    return np.where(v <= 0.0, lo, hi)


def _table(div):
    """(g′, h′) closed forms for known members, or None."""
    name, prm = div.name, dict(div.params)
    if name == "kl":
        return _one, lambda v: _exp(_f64(v) - 1.0)
    if name == "reverse_kl":
        return _exp_neg, _one
    if name == "pearson":
        return _one, lambda v: np.maximum(0.5 * _f64(v) + 1.0, 0.0)
    if name == "neyman":
        return _exp_neg, lambda v: _exp_neg(0.5 * _f64(v))
    if name == "squared_hellinger":
        return _exp_neg, _exp
    if name == "gan":
        return lambda v: expit(-_f64(v)), lambda v: expit(_f64(v))
    if name == "js":
        return lambda v: 0.5 * expit(-_f64(v)), lambda v: 0.5 * expit(_f64(v))
    if name == "weighted_js" and "pi" in prm:
        pi = float(prm["pi"])
        return lambda v: pi * expit(-_f64(v)), lambda v: (1.0 - pi) * expit(_f64(v))
    if name == "tv":
        return _sech2, _sech2
    if name == "log1p_abs":
        return _exp_neg, _log1p_abs_h
    if name == "triangular":
        return _exp_neg, _triangular_h
    if name == "jeffreys":
        return _one, lambda v: 1.0 / np.real(wrightomega(1.0 - _f64(v)))
    if name == "modified_gan":
        return _exp_neg, _modified_gan_h
    if name == "alpha" and "a" in prm:
        a = float(prm["a"])
        return lambda v: _exp((a - 1.0) * _f64(v)), lambda v: _exp(a * _f64(v))
    if name == "t_power" and "power" in prm:
        p = float(prm["power"])
        c = abs(p * (p - 1.0))
        return lambda v: c * _exp((p - 1.0) * _f64(v)), lambda v: c * _exp(p * _f64(v))
    return None


def central_difference(fun, v):
    """5-point central difference of a vectorised ``fun`` at ``v`` (step 1e-3·max(1, |v|)).

    ``f′(v) ≈ (f(v − 2d) − 8 f(v − d) + 8 f(v + d) − f(v + 2d)) / 12d``, error O(d⁴).

    Parameters
    ----------
    fun : callable
        Vectorised over float64 arrays.
    v : array_like
        Where to differentiate.

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``v``.
    """
    v = _f64(v)
    d = 1e-3 * np.maximum(1.0, np.abs(v))
    with np.errstate(over="ignore", invalid="ignore"):
        out = (_f64(fun(v - 2 * d)) - 8 * _f64(fun(v - d)) + 8 * _f64(fun(v + d))
               - _f64(fun(v + 2 * d))) / (12 * d)
    return out


#: Probe points for validating a table entry (avoids the kinks of pearson, log1p_abs, triangular).
_PROBES = np.array([-2.5, -1.7, -1.1, -0.6, -0.25, 0.0, 0.3, 0.8, 1.3, 2.1, 3.0])


class ActivationDerivatives:
    """``g′`` and ``h′`` for one member; ``source`` is ``'closed form'`` or ``'central difference'``.

    ``g = g_f`` is the output activation and ``h(v) = f*(g_f(v))`` the conjugate activation.  A
    closed-form table entry is used when it agrees with :func:`central_difference` at fixed probe
    points (rtol 1e-6); otherwise both derivatives fall back to central differences.

    Parameters
    ----------
    div : FDivergence
        The registry member.
    """

    def __init__(self, div):
        self.div = div
        table = _table(div)
        ok = False
        if table is not None:
            g1, h1 = table
            with np.errstate(all="ignore"):
                ok = (np.allclose(g1(_PROBES), central_difference(div.activation, _PROBES),
                                  rtol=1e-6, atol=1e-9)
                      and np.allclose(h1(_PROBES),
                                      central_difference(div.conjugate_activation, _PROBES),
                                      rtol=1e-6, atol=1e-9))
        if ok:
            self._g1, self._h1, self.source = g1, h1, "closed form"
        else:
            self._g1 = lambda v: central_difference(div.activation, v)
            self._h1 = lambda v: central_difference(div.conjugate_activation, v)
            self.source = "central difference"

    def activation_prime(self, v):
        """``g_f′(v)``."""
        return self._g1(v)

    def conjugate_activation_prime(self, v):
        """``d/dv f*(g_f(v))``."""
        return self._h1(v)


_CACHE: dict = {}


def activation_derivatives(div) -> ActivationDerivatives:
    """Cached :class:`ActivationDerivatives` for a member (keyed by name and parameters).

    Parameters
    ----------
    div : FDivergence
        The registry member.

    Returns
    -------
    ActivationDerivatives
    """
    key = (div.name, tuple(sorted((k, float(v)) for k, v in div.params.items())), id(div))
    if key not in _CACHE:
        _CACHE[key] = ActivationDerivatives(div)
    return _CACHE[key]
