"""A multilayer perceptron with hand-written forward and backward passes.

``MLP([d_0, d_1, …, d_L])`` computes ``h_0 = x``, ``z_l = h_{l−1} W_{l−1} + b_{l−1}``,
``h_l = σ(z_l)`` for hidden layers and a linear last layer ``y = z_L``.  Backpropagation
(the chain rule in reverse, Rumelhart, Hinton & Williams 1986) with ``δ_L = ∂ℓ/∂y``::

    ∂ℓ/∂W_{l−1} = h_{l−1}ᵀ δ_l,   ∂ℓ/∂b_{l−1} = Σ_batch δ_l,   δ_{l−1} = (δ_l W_{l−1}ᵀ) ⊙ σ′(z_{l−1})

and ``∂ℓ/∂x = δ_1 W_0ᵀ``.  Weights are stored ``(fan_in, fan_out)`` so a batch is ``x @ W``.

Initialisers: ``'he'`` draws ``W ~ N(0, 2/fan_in)`` (He et al. 2015, for ReLU-like units);
``'glorot'`` draws ``W ~ U(±√(6/(fan_in + fan_out)))`` (Glorot & Bengio 2010, for tanh and
sigmoid); ``'auto'`` picks glorot for tanh/sigmoid and he otherwise.  Biases start at zero.
"""
from __future__ import annotations

import json
import os

import numpy as np

from .activations import get_activation

__all__ = ["MLP", "as_generator"]

_INITS = ("he", "glorot", "auto")


def as_generator(seed) -> np.random.Generator:
    """``numpy.random.Generator`` from an int seed (or a Generator, returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"seed must be an int or a numpy.random.Generator (same seed → same bits), got {seed!r}"
        )
    return np.random.default_rng(int(seed))


class MLP:
    """Fully connected network ``x ↦ y`` with a linear output layer.

    Parameters
    ----------
    sizes : sequence of int
        ``[d_in, hidden…, d_out]`` (at least two entries).
    activation : str
        Hidden activation: relu, leaky_relu, tanh, softplus, elu, sigmoid (or linear).
    seed : int or numpy.random.Generator
        Source of the initial weights.
    dtype : numpy float dtype
        ``np.float64`` (default, needed for gradient checks) or ``np.float32``.
    init : {'auto', 'he', 'glorot'}
    negative_slope : float
        Slope of leaky_relu for negative inputs.

    Attributes
    ----------
    params : list of ndarray
        ``[W0, b0, W1, b1, …]``, updated in place by the optimisers.
    """

    def __init__(self, sizes, activation="tanh", seed=0, dtype=np.float64, init="auto",
                 negative_slope=0.01):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes={sizes!r}: need [d_in, ..., d_out] with every width ≥ 1")
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"dtype={dtype}: use np.float64 (default) or np.float32")
        if init not in _INITS:
            raise ValueError(f"init={init!r}: choose one of {', '.join(_INITS)}")
        self.sizes = sizes
        self.activation = activation
        self.negative_slope = float(negative_slope)
        self.act = get_activation(activation, negative_slope)
        self.dtype = dtype
        self.init = init
        if init == "auto":
            init = "glorot" if activation in ("tanh", "sigmoid", "linear") else "he"
        rng = as_generator(seed)
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            if init == "he":
                w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
            else:
                lim = np.sqrt(6.0 / (fan_in + fan_out))
                w = rng.uniform(-lim, lim, (fan_in, fan_out))
            self.params.append(np.ascontiguousarray(w, dtype=dtype))
            self.params.append(np.zeros(fan_out, dtype=dtype))

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def _check_x(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"x has shape {x.shape}; the network expects (batch, {self.sizes[0]}): "
                "reshape 1-D data with x[:, None]"
            )
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x

    def forward(self, x):
        """``(y, cache)``: outputs of shape (batch, d_out) and what :meth:`backward` needs.

        The cache holds the layer inputs ``h_0 = x, h_1, …`` (hidden activations); the
        activation derivatives are computed from them, so pre-activations are not kept.
        """
        h = self._check_x(x)
        hs = [h]
        p = self.params
        last = self.n_layers - 1
        act = self.act.forward_inplace
        for i in range(self.n_layers):
            z = h @ p[2 * i]
            z += p[2 * i + 1]
            if i < last:
                h = act(z)
                hs.append(h)
            else:
                h = z
        return h, hs

    def __call__(self, x):
        """Outputs only (no cache)."""
        return self.forward(x)[0]

    def backward(self, cache, grad_out, param_grads=True, input_grad=True):
        """Backpropagate ``grad_out = ∂ℓ/∂y`` (batch, d_out).

        Returns
        -------
        grads : list of ndarray or None
            ``∂ℓ/∂params`` in the order of :attr:`params` (None when ``param_grads=False``,
            which skips the weight gradients: the generator step needs only ``∂ℓ/∂x``).
        grad_x : ndarray or None
            ``∂ℓ/∂x``, shape (batch, d_in) (None when ``input_grad=False``, which skips the
            last matmul: a critic update needs only the parameter gradients).
        """
        hs = cache
        p = self.params
        d = np.asarray(grad_out, dtype=self.dtype)
        if d.shape != (hs[0].shape[0], self.sizes[-1]):
            raise ValueError(
                f"grad_out has shape {d.shape}; expected {(hs[0].shape[0], self.sizes[-1])}"
            )
        grads = [None] * len(p) if param_grads else None
        go = self.act.grad_from_output
        for i in range(self.n_layers - 1, -1, -1):
            if param_grads:
                grads[2 * i] = hs[i].T @ d
                grads[2 * i + 1] = d.sum(axis=0)
            if i == 0 and not input_grad:
                return grads, None
            d = d @ p[2 * i].T
            if i > 0:
                d = go(hs[i], d)
        return grads, d

    # -- persistence ---------------------------------------------------------------------
    def config(self) -> dict:
        return {"sizes": self.sizes, "activation": self.activation, "dtype": self.dtype.name,
                "init": self.init, "negative_slope": self.negative_slope}

    def save(self, path):
        """Write the configuration and parameters to ``path`` (``.npz``)."""
        arrays = {f"p{i}": a for i, a in enumerate(self.params)}
        arrays["config"] = np.array(json.dumps(self.config()))
        with open(os.fspath(path), "wb") as fh:
            np.savez(fh, **arrays)

    @classmethod
    def load(cls, path) -> "MLP":
        """An MLP restored bit-for-bit from :meth:`save`'s file."""
        with np.load(os.fspath(path), allow_pickle=False) as z:
            cfg = json.loads(str(z["config"]))
            net = cls(cfg["sizes"], activation=cfg["activation"], seed=0, dtype=cfg["dtype"],
                      init=cfg["init"], negative_slope=cfg["negative_slope"])
            for i in range(len(net.params)):
                a = z[f"p{i}"]
                if a.shape != net.params[i].shape:
                    raise ValueError(f"{path}: parameter p{i} has shape {a.shape}, "
                                     f"expected {net.params[i].shape}")
                net.params[i][...] = a
        return net

    def __repr__(self):
        return (f"MLP({self.sizes}, activation={self.activation!r}, dtype={self.dtype.name}, "
                f"init={self.init!r})")
