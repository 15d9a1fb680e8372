"""Elementwise activations for :class:`fdiv.nn.MLP`, each with its derivative.

Every activation is a pair ``(forward(z) -> a, backward(z, a, g) -> g·σ′(z))``; the backward
may reuse the stored output ``a`` (``tanh′ = 1 − a²``, ``sigmoid′ = a(1 − a)``, ``elu′ = a + 1``
for ``z ≤ 0``), which is cheaper and as accurate as recomputing from ``z``.  All forms are
overflow-free for any finite ``z`` (softplus via ``logaddexp``, sigmoid via ``expit``).

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


ACTIVATIONS = ("relu", "leaky_relu", "tanh", "softplus", "elu", "sigmoid", "linear")


def get_activation(name: str, negative_slope: float = 0.01) -> Activation:
    """The activation called ``name`` (one of :data:`ACTIVATIONS`).

    ``negative_slope`` is the leaky-ReLU slope for ``z < 0`` (PyTorch's default 0.01).
    """
    if name == "relu":
        return Activation("relu", _relu_f, _relu_b)
    if name == "leaky_relu":
        f, b = _leaky(float(negative_slope))
        return Activation("leaky_relu", f, b)
    if name == "tanh":
        return Activation("tanh", np.tanh, _tanh_b)
    if name == "softplus":
        return Activation("softplus", _softplus_f, _softplus_b)
    if name == "elu":
        return Activation("elu", _elu_f, _elu_b)
    if name == "sigmoid":
        return Activation("sigmoid", expit, _sigmoid_b)
    if name == "linear":
        return Activation("linear", _identity_f, _identity_b)
    raise ValueError(f"activation={name!r} is unknown; choose one of {', '.join(ACTIVATIONS)}")
