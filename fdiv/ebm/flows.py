"""A NumPy normalising flow ``x = f_ψ(z)``, ``z ~ N(0, I_d)``: the dual's sampler ``q``.

Why a flow
----------
The lecture's dual ``max_φ min_q E_{P_d}[D_φ] − E_q[D_φ] − H(q)`` needs a sampler whose entropy
is *tractable*; the change of variables gives it exactly::

    log q(x) = log N(z) − log |det ∂f/∂z|,   H(q) = H(N(0, I)) + E_z[log |det ∂f/∂z|],

and reparameterised samples ``x = f_ψ(z)`` give the gradient of ``E_q[D] + H(q)`` with respect to
``ψ`` by backprop through ``f`` (Rezende & Mohamed 2015; Kingma & Welling 2014).  Each layer
below has a triangular Jacobian (log-det in O(d)), an analytic inverse (or a monotone 1-D one,
so the density ``q(x)`` can be evaluated on a quadrature grid to measure ``KL(q‖p_φ)``), and a
hand-written backward pass.  A GAN-style generator would not do: its entropy is intractable.

Layers
------
- :class:`AffineTriangular` — ``x = μ + L z`` with ``L`` lower triangular, ``L_ii = e^{θ_i}``:
  every Gaussian (the exact family for a quadratic energy).
- :class:`MonotoneTanh` — elementwise ``y = a x + b + Σ_k c_k tanh(w_k x + u_k)`` with
  ``a, c_k, w_k > 0`` (log-parameterised): strictly increasing, ``y′ = a + Σ c_k w_k sech²``, the
  1-D flow (a sum of tanh bumps can split one Gaussian into several modes).
- :class:`AffineCoupling` — RealNVP (Dinh, Sohl-Dickstein & Bengio 2017): the coordinates in
  ``mask`` pass through, the others become ``z_t e^{s} + t`` with ``(s̃, t) = MLP(z_c)`` and
  ``s = α tanh(s̃/α)`` (a soft clamp, as in Glow/RealNVP codes) — the 2-D flow.

Each layer: ``forward(z) -> (x, logdet, cache)``, ``backward(cache, g_x, g_logdet) ->
(param grads, g_z)``, ``inverse(x) -> (z, logdet)`` where ``logdet`` is that of the forward map.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from ..nn import MLP, as_generator

__all__ = ["AffineTriangular", "MonotoneTanh", "AffineCoupling", "Flow", "make_flow"]

_LOG2PI = np.log(2.0 * np.pi)


class AffineTriangular:
    """``x = μ + L z``, ``L = tril(B, −1) + diag(e^θ)``; params ``[μ, θ, B]``."""

    def __init__(self, dim, mu=None, log_scale=None):
        self.dim = d = int(dim)
        mu = np.zeros(d) if mu is None else np.array(mu, dtype=np.float64).reshape(d)
        th = np.zeros(d) if log_scale is None else np.array(log_scale, np.float64).reshape(d)
        self.params = [mu, th, np.zeros((d, d))]

    def matrix(self):
        mu, th, B = self.params
        return np.tril(B, -1) + np.diag(np.exp(th))

    def forward(self, z):
        L = self.matrix()
        x = z @ L.T + self.params[0]
        return x, np.full(len(z), np.sum(self.params[1])), (z, L)

    def backward(self, cache, gx, gld):
        z, L = cache
        gL = gx.T @ z
        g_mu = gx.sum(axis=0)
        g_th = np.diag(gL) * np.exp(self.params[1]) + np.sum(gld)
        return [g_mu, g_th, np.tril(gL, -1)], gx @ L

    def inverse(self, x):
        L = self.matrix()
        z = solve_triangular(L, (x - self.params[0]).T, lower=True).T
        return z, np.full(len(x), np.sum(self.params[1]))


class MonotoneTanh:
    """Elementwise ``y = e^α x + b + Σ_k e^{γ_k} tanh(e^{ω_k} x + u_k)``; params ``[α, b, γ, ω, u]``.

    Initialised close to the identity (small bumps spread over ``[−2, 2]``).
    """

    def __init__(self, dim, units=8, seed=0):
        rng = as_generator(seed)
        d, k = int(dim), int(units)
        self.dim = d
        self.params = [np.zeros(d), np.zeros(d), np.full((d, k), np.log(0.1)),
                       np.zeros((d, k)),
                       np.tile(np.linspace(-2.0, 2.0, k), (d, 1)) + 0.1 * rng.standard_normal((d, k))]

    def _parts(self, x):
        al, b, ga, om, u = self.params
        a, c, w = np.exp(al), np.exp(ga), np.exp(om)
        t = np.tanh(x[:, :, None] * w + u)          # (n, d, k)
        s = 1.0 - t * t
        dy = a + np.sum(c * w * s, axis=2)           # (n, d) > 0
        return a, c, w, t, s, dy

    def forward(self, x):
        a, c, w, t, s, dy = self._parts(x)
        y = a * x + self.params[1] + np.sum(c * t, axis=2)
        return y, np.sum(np.log(dy), axis=1), (x, t, s, dy)

    def backward(self, cache, gy, gld):
        x, t, s, dy = cache
        al, b, ga, om, u = self.params
        a, c, w = np.exp(al), np.exp(ga), np.exp(om)
        r = gld[:, None] / dy                                     # ∂ℓ/∂y′  (n, d)
        gy3, r3, x3 = gy[:, :, None], r[:, :, None], x[:, :, None]
        dts = -2.0 * t * s                                        # ∂s/∂(wx+u)
        g_al = a * np.sum(gy * x + r, axis=0)
        g_b = gy.sum(axis=0)
        g_c = c * np.sum(gy3 * t + r3 * w * s, axis=0)
        g_w = w * np.sum(gy3 * c * s * x3 + r3 * c * (s + w * dts * x3), axis=0)
        g_u = np.sum(gy3 * c * s + r3 * c * w * dts, axis=0)
        gx = gy * dy + r * np.sum(c * w * w * dts, axis=2)
        return [g_al, g_b, g_c, g_w, g_u], gx

    def inverse(self, y, iters=200):
        al, b, ga, om, u = self.params
        a, C = np.exp(al), np.sum(np.exp(ga), axis=1)
        lo = (y - b - C) / a                          # y(lo) ≤ y ≤ y(hi): |Σ c tanh| ≤ C
        hi = (y - b + C) / a
        for _ in range(iters):                        # bisection to the last ulp
            mid = 0.5 * (lo + hi)
            up = self.forward(mid)[0] < y
            lo = np.where(up, mid, lo)
            hi = np.where(up, hi, mid)
            if np.all((hi - lo) <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(hi))):
                break
        x = 0.5 * (lo + hi)
        for _ in range(2):                            # Newton polish
            f, _, (_, _, _, dy) = self.forward(x)
            x = x - (f - y) / dy
        return x, self.forward(x)[1]


class AffineCoupling:
    """RealNVP coupling: ``x_c = z_c``, ``x_t = z_t ⊙ e^{s(z_c)} + t(z_c)``, ``s = α tanh(s̃/α)``.

    ``(s̃, t) = MLP(z_c)`` (an ``fdiv.nn`` MLP whose last layer starts at zero: identity map).
    """

    def __init__(self, dim, mask, hidden=(32, 32), activation="tanh", clamp=2.0, seed=0):
        self.dim = int(dim)
        self.mask = np.asarray(mask, dtype=bool).reshape(self.dim)
        if self.mask.all() or not self.mask.any():
            raise ValueError(f"mask={mask}: a coupling needs both kept and transformed coordinates")
        self.ic, self.it = np.flatnonzero(self.mask), np.flatnonzero(~self.mask)
        self.clamp = float(clamp)
        self.net = MLP([len(self.ic), *hidden, 2 * len(self.it)], activation=activation, seed=seed)
        self.net.params[-2][...] = 0.0
        self.net.params[-1][...] = 0.0

    @property
    def params(self):
        return self.net.params

    def _st(self, zc):
        out, cache = self.net.forward(zc)
        m = len(self.it)
        th = np.tanh(out[:, :m] / self.clamp)
        return self.clamp * th, out[:, m:], th, cache

    def forward(self, z):
        zc, zt = z[:, self.ic], z[:, self.it]
        s, t, th, cache = self._st(zc)
        es = np.exp(s)
        x = np.empty_like(z)
        x[:, self.ic] = zc
        x[:, self.it] = zt * es + t
        return x, s.sum(axis=1), (zt, es, th, cache)

    def backward(self, cache, gx, gld):
        zt, es, th, ncache = cache
        gxt = gx[:, self.it]
        g_s = gxt * zt * es + gld[:, None]
        g_raw = g_s * (1.0 - th * th)
        grads, g_zc = self.net.backward(ncache, np.concatenate([g_raw, gxt], axis=1))
        gz = np.empty_like(gx)
        gz[:, self.ic] = gx[:, self.ic] + g_zc
        gz[:, self.it] = gxt * es
        return grads, gz

    def inverse(self, x):
        xc, xt = x[:, self.ic], x[:, self.it]
        s, t, _, _ = self._st(xc)
        z = np.empty_like(x)
        z[:, self.ic] = xc
        z[:, self.it] = (xt - t) * np.exp(-s)
        return z, s.sum(axis=1)


class Flow:
    """``q_ψ``: push ``N(0, I_d)`` through ``layers`` (applied in order).

    ``sample(n, rng) -> (x, log_q, cache)`` draws reparameterised samples;
    ``backward(cache, g_x, g_logq)`` returns the parameter gradients (list matching
    :attr:`params`); ``log_prob(x)`` inverts the layers; ``params`` concatenates the layers'.
    """

    def __init__(self, layers):
        self.layers = list(layers)
        self.dim = self.layers[0].dim

    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    def forward(self, z):
        """``(x, log q(x), cache)`` for base points ``z`` (n, d)."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.dim:
            raise ValueError(f"z has shape {z.shape}; expected (n, {self.dim})")
        log_q = -0.5 * np.sum(z * z, axis=1) - 0.5 * self.dim * _LOG2PI
        caches, x = [], z
        for layer in self.layers:
            x, ld, c = layer.forward(x)
            log_q = log_q - ld
            caches.append(c)
        return x, log_q, (z, caches)

    def sample(self, n, rng):
        """``n`` reparameterised samples: ``(x, log q(x), cache)``; ``rng`` a Generator or seed."""
        z = as_generator(rng).standard_normal((int(n), self.dim))
        return self.forward(z)

    def backward(self, cache, g_x, g_logq):
        """Gradients of ``ℓ(x, log q)`` with respect to :attr:`params` (and ``z``).

        ``log q = log N(z) − Σ logdet``, so ``∂ℓ/∂logdet = −g_logq`` for every layer.
        """
        z, caches = cache
        g_ld = -np.asarray(g_logq, dtype=np.float64)
        grads, g = [], np.asarray(g_x, dtype=np.float64)
        for layer, c in zip(reversed(self.layers), reversed(caches)):
            gp, g = layer.backward(c, g, g_ld)
            grads[:0] = gp
        return grads, g - g_logq[:, None] * z   # ∂ log N(z)/∂z = −z

    def log_prob(self, x):
        """``log q(x)`` by inverting the layers."""
        x = np.asarray(x, dtype=np.float64)
        if self.dim == 1 and x.ndim == 1:
            x = x[:, None]
        total = np.zeros(len(x))
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            total += ld
        return -0.5 * np.sum(x * x, axis=1) - 0.5 * self.dim * _LOG2PI - total

    def state(self):
        return [p.copy() for p in self.params]

    def load(self, arrays):
        for p, a in zip(self.params, arrays):
            p[...] = a


def make_flow(dim, kind="auto", *, n_layers=4, hidden=(32, 32), units=8, mu=None,
              log_scale=None, seed=0):
    """The dual's default sampler.

    ``kind='gaussian'``: ``[AffineTriangular]`` (exact for a quadratic energy).
    ``kind='monotone'`` (1-D default): affine then ``n_layers`` :class:`MonotoneTanh`.
    ``kind='coupling'`` (2-D default): affine, then ``n_layers`` blocks of
    (coupling on x₁ | x₀, coupling on x₀ | x₁, elementwise :class:`MonotoneTanh`).
    """
    rng = as_generator(seed)
    dim = int(dim)
    if kind == "auto":
        kind = "monotone" if dim == 1 else "coupling"
    layers = [AffineTriangular(dim, mu, log_scale)]
    if kind == "gaussian":
        pass
    elif kind == "monotone":
        layers += [MonotoneTanh(dim, units, seed=rng) for _ in range(n_layers)]
    elif kind == "coupling":
        if dim < 2:
            raise ValueError("kind='coupling' needs dim ≥ 2; use 'monotone' in 1-D")
        mask = np.arange(dim) % 2 == 0
        for _ in range(n_layers):
            layers.append(AffineCoupling(dim, mask, hidden, seed=rng))
            layers.append(AffineCoupling(dim, ~mask, hidden, seed=rng))
            layers.append(MonotoneTanh(dim, units, seed=rng))
    else:
        raise ValueError(f"kind={kind!r}: choose 'auto', 'gaussian', 'monotone' or 'coupling'")
    return Flow(layers)
