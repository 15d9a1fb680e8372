"""Energy functions ``D_φ`` with the lecture's sign: ``p_φ(x) = exp(D_φ(x)) / Z(φ)``.

Every energy exposes the same small protocol, used by the grid, the losses and the trainers:

- ``params`` (list of float arrays, updated in place by the optimisers), ``dim``;
- ``forward(x) -> (D, cache)`` with ``D`` of shape (n,), and
  ``backward(cache, grad_D, param_grads=True) -> (grads, grad_x)``;
- ``energy(x)`` (values only), ``grad_x(x)`` (``∇_x D``, for Langevin and the sampler);
- ``log_tail_bound(lo, hi)``: an upper bound on ``log ∫_{ℝ^d ∖ box} exp D(x) dx``;
- ``config()``, ``save(path)``, ``load(path)``.

:class:`EnergyNet` is an ``fdiv.nn`` MLP with scalar output plus a fixed quartic confinement,
``D_φ(x) = MLP_φ(x) − Σ_i x_i⁴ / (4 s⁴)``.  The confinement is needed, not decorative: a tanh or
sigmoid MLP is bounded, so ``∫_{ℝ^d} exp MLP = ∞`` and the model would not be normalisable; a
ReLU MLP can even grow linearly.  With the quartic term, and ``|MLP| ≤ M`` (``M = Σ_j |W_j| + b``
for tanh, since ``|tanh| ≤ 1``), the mass outside a box has the closed-form bound
``e^M · ∫_{ℝ^d∖B} Π_i exp(−x_i⁴/4s⁴) dx`` through the upper incomplete gamma function
(``∫_a^∞ e^{−t⁴/4s⁴} dt = s 4^{1/4} Γ(5/4) Q(1/4, a⁴/4s⁴)`` for ``a ≥ 0``).  The quartic is nearly
flat inside the data region and overwhelming outside it.

:class:`QuadraticEnergy` is the Gaussian family ``D(x) = bᵀx − ½ xᵀ L Lᵀ x`` (``L`` lower
triangular), whose MLE is the sample mean and covariance: ``Λ = LLᵀ = Σ̂⁻¹``, ``b = Λ μ̂``.

References
----------
LeCun, Chopra, Hadsell, Ranzato & Huang (2006), A tutorial on energy-based learning.
Lecture 16 (Bo Dai), §16.2.3 — sign convention ``p_φ ∝ exp(D_φ)``.
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
from scipy.special import gammaincc, log_ndtr, logsumexp

from ..nn import MLP

__all__ = ["EnergyNet", "QuadraticEnergy", "load_energy"]

_BOUNDED = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _check_points(x, dim):
    x = np.asarray(x, dtype=np.float64)
    if dim == 1 and x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"x has shape {x.shape}; expected (n, {dim})")
    return x


def _log_quartic_tail(a, s):
    """``log ∫_a^∞ exp(−t⁴ / 4s⁴) dt`` for any real ``a``."""
    k = s * 4.0 ** 0.25 * math.gamma(1.25)          # ∫_0^∞
    q = gammaincc(0.25, a ** 4 / (4.0 * s ** 4))     # ∫_{|a|}^∞ / k
    if a >= 0:
        return math.log(k) + (math.log(q) if q > 0 else -math.inf)
    return math.log(k) + math.log(2.0 - q)


def _log_quartic_interval(a, b, s):
    """``log ∫_a^b exp(−t⁴/4s⁴) dt`` for arrays ``a < b`` (no cancellation in the tails)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    k = s * 4.0 ** 0.25 * math.gamma(1.25)
    # mirror intervals on the negative side; intervals straddling 0 are handled directly
    neg = b <= 0
    a2, b2 = np.where(neg, -b, a), np.where(neg, -a, b)
    qa = gammaincc(0.25, a2 ** 4 / (4.0 * s ** 4))
    qb = gammaincc(0.25, b2 ** 4 / (4.0 * s ** 4))
    out = np.empty_like(a)
    pos = a2 >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # T(a) − T(b) = T(a)(1 − T(b)/T(a)) with T = k·Q
        la = np.log(qa[pos])
        out[pos] = math.log(k) + la + np.log1p(-np.exp(np.log(qb[pos]) - la))
    st = ~pos                     # a < 0 < b: (k − T(−a)) + (k − T(b)) = k(2 − Q(−a) − Q(b))
    out[st] = math.log(k) + np.log(2.0 - qa[st] - qb[st])
    return np.where(np.isnan(out), -np.inf, out)


def _log_outside(log_in, log_out, log_all):
    """``log`` of the mass of ℝ^d ∖ Π_i B_i, split as disjoint slabs:
    ``Σ_i (Π_{j<i} in_j) · out_i · (Π_{j>i} all_j)`` (no cancellation)."""
    terms = []
    d = len(log_in)
    for i in range(d):
        terms.append(sum(log_in[:i]) + log_out[i] + sum(log_all[i + 1:]))
    return float(logsumexp(terms))


class EnergyNet:
    """``D_φ(x) = MLP_φ(x) − Σ_i x_i⁴ / (4 s⁴)``, an ``fdiv.nn`` MLP with one output.

    Parameters
    ----------
    dim : int
        Data dimension (1 or 2 for the grid; any for the trainers that sample).
    hidden : sequence of int
        Hidden widths of the MLP.
    activation : str
        Hidden activation (``'tanh'`` or ``'sigmoid'`` make the tail bound finite).
    confinement : float
        ``s`` of the quartic confinement (> 0): ``−x⁴/4s⁴`` is −1/4 at ``|x| = s``.
    seed : int or numpy.random.Generator
    dtype : np.float64 (default) or np.float32
    """

    def __init__(self, dim, hidden=(64, 64), activation="tanh", confinement=3.0, seed=0,
                 dtype=np.float64, net=None):
        if int(dim) < 1:
            raise ValueError(f"dim={dim}: need a positive data dimension")
        confinement = float(confinement)
        if not (confinement > 0 and np.isfinite(confinement)):
            raise ValueError(f"confinement={confinement}: need a finite s > 0 (the quartic "
                             "term makes exp D integrable)")
        self.dim = int(dim)
        self.confinement = confinement
        self.net = net if net is not None else MLP([self.dim, *hidden, 1], activation=activation,
                                                   seed=seed, dtype=dtype)
        self.hidden = tuple(self.net.sizes[1:-1])
        self.activation = self.net.activation

    @property
    def params(self):
        return self.net.params

    def _base(self, x):
        return -np.sum(x ** 4, axis=1) / (4.0 * self.confinement ** 4)

    def forward(self, x):
        """``(D, cache)`` with ``D`` of shape (n,)."""
        x = _check_points(x, self.dim)
        out, cache = self.net.forward(x)
        return out[:, 0].astype(np.float64) + self._base(x), (cache, x)

    def backward(self, cache, grad_D, param_grads=True):
        """``(∂ℓ/∂φ, ∂ℓ/∂x)`` from ``grad_D = ∂ℓ/∂D`` (n,)."""
        net_cache, x = cache
        g = np.asarray(grad_D, dtype=np.float64).reshape(-1, 1)
        grads, gx = self.net.backward(net_cache, g, param_grads=param_grads)
        gx = gx.astype(np.float64) - g * x ** 3 / self.confinement ** 4
        return grads, gx

    def energy(self, x, chunk=32768):
        """``D(x)`` (n,), evaluated in chunks to bound memory."""
        x = _check_points(x, self.dim)
        return np.concatenate([self.forward(x[i:i + chunk])[0]
                               for i in range(0, max(len(x), 1), chunk)])[:len(x)]

    def grad_x(self, x):
        """``(D(x), ∇_x D(x))``."""
        D, cache = self.forward(x)
        return D, self.backward(cache, np.ones_like(D), param_grads=False)[1]

    def sup_mlp(self) -> float:
        """An upper bound ``M ≥ sup_x MLP_φ(x)`` (inf for unbounded activations)."""
        if self.activation not in _BOUNDED:
            return math.inf
        lo, hi = _BOUNDED[self.activation]
        w, b = self.net.params[-2][:, 0], float(self.net.params[-1][0])
        return float(np.sum(np.maximum(w * lo, w * hi)) + b)

    def mlp_upper(self, cell_lo, cell_hi):
        """Upper bounds of ``MLP_φ`` over boxes ``[cell_lo, cell_hi]`` (m, d), by interval bound
        propagation (every hidden activation is non-decreasing, so ``[σ(z − r), σ(z + r)]``
        encloses the layer's output for inputs ``z ± r``)."""
        c = 0.5 * (cell_lo + cell_hi)
        r = 0.5 * (cell_hi - cell_lo)
        p, last = self.net.params, self.net.n_layers - 1
        for i in range(self.net.n_layers):
            W, b = p[2 * i].astype(np.float64), p[2 * i + 1].astype(np.float64)
            zc, zr = c @ W + b, r @ np.abs(W)
            if i == last:
                return (zc + zr)[:, 0]
            lo_a, hi_a = self.net.act.forward(zc - zr), self.net.act.forward(zc + zr)
            c, r = 0.5 * (lo_a + hi_a), 0.5 * (hi_a - lo_a)

    def log_tail_bound(self, lo, hi, cells_per_axis=16) -> float:
        """Upper bound on ``log ∫_{ℝ^d∖[lo,hi]} exp D`` (inf if the MLP is unbounded).

        The outside is covered by a ring of cells (width ``(hi − lo)/cells_per_axis``) out to the
        radius ``R`` where the quartic reaches ``M + 60`` nats (``M`` = :meth:`sup_mlp`); on each
        cell ``exp D ≤ exp(IBP upper bound of the MLP) · exp(quartic)``, integrated in closed form;
        beyond ``R`` the global bound ``M`` is used.  (Floating-point rounding in the interval
        propagation is not accounted for: it is ~1e-15 relative.)
        """
        m = self.sup_mlp()
        if not np.isfinite(m):
            return math.inf
        lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (self.dim,))
        hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (self.dim,))
        s = self.confinement
        radius = s * (4.0 * (max(m, 0.0) + 60.0)) ** 0.25
        edges, inside = [], []
        for a, b in zip(lo, hi):
            h = (b - a) / cells_per_axis
            k_lo = int(min(max(math.ceil((radius + a) / h), 1), 256))
            k_hi = int(min(max(math.ceil((radius - b) / h), 1), 256))
            e = np.concatenate([a - h * np.arange(k_lo, 0, -1),
                                np.linspace(a, b, cells_per_axis + 1),
                                b + h * np.arange(1, k_hi + 1)])
            edges.append(e)
            inside.append((e[:-1] >= a) & (e[1:] <= b))
        # cells of the ring: every product cell except those inside the box
        idx = np.meshgrid(*[np.arange(len(e) - 1) for e in edges], indexing="ij")
        idx = [i.reshape(-1) for i in idx]
        keep = ~np.all([inside[j][idx[j]] for j in range(self.dim)], axis=0)
        idx = [i[keep] for i in idx]
        c_lo = np.stack([edges[j][idx[j]] for j in range(self.dim)], 1)
        c_hi = np.stack([edges[j][idx[j] + 1] for j in range(self.dim)], 1)
        log_cell = sum(_log_quartic_interval(c_lo[:, j], c_hi[:, j], s) for j in range(self.dim))
        terms = [self.mlp_upper(c_lo, c_hi) + log_cell]
        # beyond the ring: the global bound
        log_all = [math.log(2.0) + _log_quartic_tail(0.0, s)] * self.dim
        log_out, log_in = [], []
        for e in edges:
            out = np.logaddexp(_log_quartic_tail(e[-1], s), _log_quartic_tail(-e[0], s))
            log_out.append(float(out))
            log_in.append(float(_log_quartic_interval(np.array([e[0]]), np.array([e[-1]]), s)[0]))
        terms.append(np.array([m + _log_outside(log_in, log_out, log_all)]))
        return float(logsumexp(np.concatenate(terms)))

    # -- persistence -------------------------------------------------------------------
    def config(self) -> dict:
        return {"kind": "EnergyNet", "dim": self.dim, "confinement": self.confinement,
                "net": self.net.config()}

    def save(self, path):
        arrays = {f"p{i}": a for i, a in enumerate(self.params)}
        arrays["config"] = np.array(json.dumps(self.config()))
        with open(os.fspath(path), "wb") as fh:
            np.savez(fh, **arrays)

    def __repr__(self):
        return (f"EnergyNet(dim={self.dim}, hidden={self.hidden}, "
                f"activation={self.activation!r}, confinement={self.confinement})")


class QuadraticEnergy:
    """The Gaussian family ``D(x) = bᵀx − ½ ‖Lᵀx‖²`` with ``L`` lower triangular.

    ``p ∝ exp D`` is ``N(μ, Σ)`` with ``Λ = L Lᵀ = Σ⁻¹`` and ``b = Λ μ``;
    ``log Z = (d/2) log 2π − ½ log det Λ + ½ bᵀ Λ⁻¹ b``.  Parameters: ``[b, L]``; the entries of
    ``L`` above the diagonal are inert (zero gradient).
    """

    def __init__(self, dim, b=None, L=None):
        self.dim = int(dim)
        b = np.zeros(self.dim) if b is None else np.array(b, dtype=np.float64).reshape(self.dim)
        L = np.eye(self.dim) if L is None else np.array(L, dtype=np.float64).reshape(
            self.dim, self.dim)
        self.params = [b, np.tril(L)]
        self.confinement = None

    @property
    def precision(self):
        L = np.tril(self.params[1])
        return L @ L.T

    def mean_cov(self):
        """``(μ, Σ)`` of the normalised density (requires ``LLᵀ`` positive definite)."""
        cov = np.linalg.inv(self.precision)
        return cov @ self.params[0], cov

    def log_partition_exact(self) -> float:
        """Closed-form ``log Z`` (inf when ``LLᵀ`` is singular)."""
        lam = self.precision
        sign, logdet = np.linalg.slogdet(lam)
        if sign <= 0:
            return math.inf
        b = self.params[0]
        return float(0.5 * self.dim * math.log(2 * math.pi) - 0.5 * logdet
                     + 0.5 * b @ np.linalg.solve(lam, b))

    def forward(self, x):
        x = _check_points(x, self.dim)
        b, L = self.params[0], np.tril(self.params[1])
        y = x @ L                      # rows: (Lᵀ x)ᵀ
        return x @ b - 0.5 * np.sum(y * y, axis=1), (x, y)

    def backward(self, cache, grad_D, param_grads=True):
        x, y = cache
        g = np.asarray(grad_D, dtype=np.float64)
        L = np.tril(self.params[1])
        gx = g[:, None] * (self.params[0][None, :] - y @ L.T)
        if not param_grads:
            return None, gx
        gb = g @ x
        gL = np.tril(-(x * g[:, None]).T @ y)       # ∂(−½‖Lᵀx‖²)/∂L = −x xᵀ L
        return [gb, gL], gx

    def energy(self, x):
        return self.forward(x)[0]

    def grad_x(self, x):
        D, cache = self.forward(x)
        return D, self.backward(cache, np.ones_like(D), param_grads=False)[1]

    def log_tail_bound(self, lo, hi) -> float:
        """``log Z + log Σ_i P(x_i ∉ [lo_i, hi_i])`` (union bound on the Gaussian marginals)."""
        log_z = self.log_partition_exact()
        if not np.isfinite(log_z):
            return math.inf
        mu, cov = self.mean_cov()
        sd = np.sqrt(np.diag(cov))
        lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (self.dim,))
        hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (self.dim,))
        terms = np.concatenate([log_ndtr((lo - mu) / sd), log_ndtr((mu - hi) / sd)])
        return float(log_z + logsumexp(terms))

    def config(self) -> dict:
        return {"kind": "QuadraticEnergy", "dim": self.dim}

    def save(self, path):
        with open(os.fspath(path), "wb") as fh:
            np.savez(fh, p0=self.params[0], p1=self.params[1],
                     config=np.array(json.dumps(self.config())))

    def __repr__(self):
        return f"QuadraticEnergy(dim={self.dim})"


def load_energy(path):
    """An energy restored bit-for-bit from ``save``."""
    with np.load(os.fspath(path), allow_pickle=False) as z:
        cfg = json.loads(str(z["config"]))
        if cfg["kind"] == "QuadraticEnergy":
            return QuadraticEnergy(cfg["dim"], z["p0"], z["p1"])
        if cfg["kind"] != "EnergyNet":
            raise ValueError(f"{path}: unknown energy kind {cfg['kind']!r}")
        n = cfg["net"]
        net = MLP(n["sizes"], activation=n["activation"], seed=0, dtype=n["dtype"],
                  init=n["init"], negative_slope=n["negative_slope"])
        for i, p in enumerate(net.params):
            p[...] = z[f"p{i}"]
        return EnergyNet(cfg["dim"], confinement=cfg["confinement"], net=net)
