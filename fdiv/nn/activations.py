"""Elementwise activations for :class:`fdiv.nn.MLP`, each with its derivative.

Every activation has ``forward(z) -> a`` (pure), ``backward(z, a, g) -> g·σ′(z)``, and the pair
the MLP uses on its hot path: ``forward_inplace(z)`` (overwrites ``z`` with ``a``) and
``grad_from_output(a, g) = g·σ′(z)`` written in terms of the output alone — ``relu′ = [a > 0]``,
``tanh′ = 1 − a²``, ``sigmoid′ = a(1 − a)``, ``elu′ = a + 1`` for ``a ≤ 0``, and
``softplus′ = σ(z) = 1 − e^{−a} = −expm1(−a)`` (accurate for tiny ``a`` too) — so the
pre-activations need not be stored.  All forms are overflow-free for any finite ``z``
(softplus via ``logaddexp``, sigmoid via ``expit``).

References
----------
Goodfellow, Bengio & Courville (2016), *Deep Learning*, §6.3 (hidden units).
Clevert, Unterthiner & Hochreiter (2016), ELU, ICLR.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

__all__ = ["Activation", "get_activation", "ACTIVATIONS"]


@dataclass(frozen=True)
class Activation:
    """An activation ``σ`` with ``forward(z) = σ(z)`` and ``backward(z, a, g) = g · σ′(z)``."""

    name: str
    forward: Callable
    backward: Callable
    forward_inplace: Callable = None
    grad_from_output: Callable = None


def _relu_f(z):
    return np.maximum(z, 0.0, dtype=z.dtype)


def _relu_b(z, a, g):
    return g * (z > 0)


def _leaky(slope):
    def f(z):
        return np.where(z > 0, z, z * z.dtype.type(slope))

    def b(z, a, g):
        return g * np.where(z > 0, z.dtype.type(1.0), z.dtype.type(slope))

    return f, b


def _tanh_b(z, a, g):
    d = a * a
    np.subtract(1.0, d, out=d)
    d *= g
    return d


def _softplus_f(z):
    return np.logaddexp(z.dtype.type(0.0), z)


def _softplus_b(z, a, g):
    return g * expit(z)


def _elu_f(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def _elu_b(z, a, g):
    return g * np.where(z > 0, z.dtype.type(1.0), a + 1.0)


def _sigmoid_b(z, a, g):
    return g * (a * (1.0 - a))


def _identity_f(z):
    return z


def _identity_b(z, a, g):
    return g


def _relu_i(z):
    return np.maximum(z, 0.0, out=z)


def _relu_go(a, g):
    g *= a > 0
    return g


def _leaky_i(slope):
    def f(z):
        np.multiply(z, np.where(z > 0, z.dtype.type(1.0), z.dtype.type(slope)), out=z)
        return z

    def go(a, g):
        g *= np.where(a > 0, a.dtype.type(1.0), a.dtype.type(slope))
        return g

    return f, go


def _tanh_i(z):
    return np.tanh(z, out=z)


def _tanh_go(a, g):
    d = a * a
    np.subtract(1.0, d, out=d)
    g *= d
    return g


def _softplus_i(z):
    return np.logaddexp(z.dtype.type(0.0), z, out=z)


def _softplus_go(a, g):
    d = np.negative(a)
    np.expm1(d, out=d)
    g *= d
    np.negative(g, out=g)
    return g


def _elu_i(z):
    neg = z <= 0
    z[neg] = np.expm1(z[neg])
    return z


def _elu_go(a, g):
    g *= np.where(a > 0, a.dtype.type(1.0), a + 1.0)
    return g


def _sigmoid_i(z):
    return expit(z, out=z)


def _sigmoid_go(a, g):
    g *= a * (1.0 - a)
    return g


def _identity_go(a, g):
    return g


ACTIVATIONS = ("relu", "leaky_relu", "tanh", "softplus", "elu", "sigmoid", "linear")


def get_activation(name: str, negative_slope: float = 0.01) -> Activation:
    """The activation called ``name`` (one of :data:`ACTIVATIONS`).

    ``negative_slope`` is the leaky-ReLU slope for ``z < 0`` (PyTorch's default 0.01).
    """
    if name == "relu":
        return Activation("relu", _relu_f, _relu_b, _relu_i, _relu_go)
    if name == "leaky_relu":
        f, b = _leaky(float(negative_slope))
        fi, go = _leaky_i(float(negative_slope))
        return Activation("leaky_relu", f, b, fi, go)
    if name == "tanh":
        return Activation("tanh", np.tanh, _tanh_b, _tanh_i, _tanh_go)
    if name == "softplus":
        return Activation("softplus", _softplus_f, _softplus_b, _softplus_i, _softplus_go)
    if name == "elu":
        return Activation("elu", _elu_f, _elu_b, _elu_i, _elu_go)
    if name == "sigmoid":
        return Activation("sigmoid", expit, _sigmoid_b, _sigmoid_i, _sigmoid_go)
    if name == "linear":
        return Activation("linear", _identity_f, _identity_b, _identity_f, _identity_go)
    raise ValueError(f"activation={name!r} is unknown; choose one of {', '.join(ACTIVATIONS)}")
