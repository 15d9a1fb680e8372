"""Tensor-product quadrature over a box, and log Z(φ) = log ∫ exp D_φ(x) dx with error bars.

Rule
----
Each axis ``[lo_i, hi_i]`` is cut into ``panels`` equal panels, each carrying an ``order``-point
(``order`` even) Clenshaw–Curtis rule on the Chebyshev extreme points
``x_k = cos(kπ/n)``, ``k = 0 … n`` with weights (Waldvogel 2006, eq. 2.4)::

    w_k = (c_k / n) · [1 − Σ_{j=1}^{n/2} b_j cos(2jkπ/n) / (4j² − 1)],
    c_0 = c_n = 1, c_k = 2 otherwise;  b_{n/2} = 1, b_j = 2 otherwise.

Neighbouring panels share their end node.  The tensor product of the axes gives nodes ``x_m``
and weights ``w_m`` over the box ``B``; the same nodes carry, for free, the *embedded* rule of
half the order (every other Chebyshev point), and ``|I_n − I_{n/2}|`` is reported as the
quadrature-error estimate (it over-estimates the error of the full rule for analytic
integrands, whose error decays geometrically in ``n``).

Log partition function
----------------------
``log Z_B = logsumexp_m (D(x_m) + log w_m)`` — computed in log space, never as a sum of
``exp D``.  The mass outside the box is bounded by the energy model itself
(``energy.log_tail_bound(lo, hi)`` ≥ ``log ∫_{ℝ^d∖B} exp D``), which gives a rigorous bound on
the truncation error::

    0 ≤ log Z − log Z_B ≤ log1p(exp(log_tail − log Z_B)).

References
----------
Clenshaw & Curtis (1960), Numer. Math. 2, 197–205.
Waldvogel (2006), Fast construction of the Fejér and Clenshaw–Curtis quadrature rules,
BIT 46, 195–202.
Trefethen (2008), Is Gauss quadrature better than Clenshaw–Curtis?, SIAM Review 50, 67–87.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

__all__ = ["Grid", "LogPartition", "GridWarning", "clenshaw_curtis", "log_partition"]


class GridWarning(UserWarning):
    """The grid cannot certify log Z to the requested tolerance; ``.error`` holds the bound."""

    def __init__(self, message, error=np.nan):
        super().__init__(message)
        self.error = error


def clenshaw_curtis(n: int):
    """Nodes (ascending, on [−1, 1]) and weights of the ``n + 1``-point Clenshaw–Curtis rule.

    ``n`` must be even and ≥ 2 (so that the half-order rule nests in it).
    """
    n = int(n)
    if n < 2 or n % 2:
        raise ValueError(f"order={n}: the Clenshaw–Curtis order must be an even integer ≥ 2")
    k = np.arange(n + 1)
    theta = k * np.pi / n
    j = np.arange(1, n // 2 + 1)
    b = np.where(j == n // 2, 1.0, 2.0)
    s = (b / (4.0 * j * j - 1.0)) @ np.cos(2.0 * np.outer(j, theta))
    c = np.where((k == 0) | (k == n), 1.0, 2.0)
    w = c / n * (1.0 - s)
    x = -np.cos(theta)  # ascending
    return x, w


def _axis_rule(lo, hi, panels, order):
    """Composite CC nodes on [lo, hi] with full and embedded (half-order) weights."""
    xr, wr = clenshaw_curtis(order)
    xh, wh = clenshaw_curtis(order // 2)
    edges = np.linspace(lo, hi, panels + 1)
    n_nodes = panels * order + 1
    x = np.empty(n_nodes)
    w = np.zeros(n_nodes)
    wc = np.zeros(n_nodes)
    for p in range(panels):
        a, b = edges[p], edges[p + 1]
        half = 0.5 * (b - a)
        sl = slice(p * order, (p + 1) * order + 1)
        x[sl] = a + half * (xr + 1.0)
        w[sl] += half * wr
        wc[p * order:(p + 1) * order + 1:2] += half * wh
    x[0], x[-1] = lo, hi
    return x, w, wc


class Grid:
    """A tensor-product composite Clenshaw–Curtis rule over the box ``[lo, hi]`` (d = 1 or 2).

    Parameters
    ----------
    lo, hi : float or sequence of float
        Box corners (one entry per dimension; scalars mean d = 1).
    panels : int or sequence of int
        Panels per axis.
    order : int
        Even Clenshaw–Curtis order per panel (``order + 1`` nodes, shared ends).

    Attributes
    ----------
    nodes : ndarray (N, d)
    log_weights : ndarray (N,)
        ``log w_m`` of the full rule.
    log_weights_coarse : ndarray (N,)
        The embedded half-order rule on the same nodes (−inf where unused).
    axes : list of ndarray
        The per-axis node vectors (the grid is ``meshgrid(*axes, indexing='ij')``).
    shape : tuple
        Nodes per axis.
    """

    def __init__(self, lo, hi, panels=16, order=8):
        lo = np.atleast_1d(np.asarray(lo, dtype=np.float64))
        hi = np.atleast_1d(np.asarray(hi, dtype=np.float64))
        if lo.shape != hi.shape or lo.ndim != 1 or lo.size not in (1, 2):
            raise ValueError(f"lo={lo}, hi={hi}: give matching scalars (1-D) or pairs (2-D)")
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(hi > lo)):
            raise ValueError(f"lo={lo}, hi={hi}: the box needs finite corners with hi > lo")
        d = lo.size
        panels = np.broadcast_to(np.asarray(panels, dtype=int), (d,))
        if np.any(panels < 1):
            raise ValueError(f"panels={panels}: need at least one panel per axis")
        self.lo, self.hi, self.dim = lo, hi, d
        self.panels, self.order = tuple(int(p) for p in panels), int(order)
        rules = [_axis_rule(lo[i], hi[i], self.panels[i], self.order) for i in range(d)]
        self.axes = [r[0] for r in rules]
        self.shape = tuple(len(a) for a in self.axes)
        mesh = np.meshgrid(*self.axes, indexing="ij")
        self.nodes = np.stack([m.reshape(-1) for m in mesh], axis=1)
        with np.errstate(divide="ignore"):
            lw = [np.log(r[1]) for r in rules]
            lwc = [np.log(r[2]) for r in rules]
        self.log_weights = _outer_sum(lw)
        self.log_weights_coarse = _outer_sum(lwc)

    @property
    def volume(self) -> float:
        return float(np.prod(self.hi - self.lo))

    def __len__(self):
        return self.nodes.shape[0]

    def integrate_log(self, log_f):
        """``(log ∫_B f, error estimate of that log)`` from ``log f`` at the nodes (log space)."""
        log_f = self._check_values(log_f, "log_f")
        full = logsumexp(log_f + self.log_weights)
        coarse = logsumexp(log_f + self.log_weights_coarse)
        return float(full), float(abs(full - coarse))

    def integrate(self, f):
        """``(∫_B f, error estimate)`` for signed values ``f`` at the nodes."""
        f = self._check_values(f, "f")
        w = np.exp(self.log_weights)
        wc = np.exp(self.log_weights_coarse)
        full = float(w @ f)
        return full, float(abs(full - wc @ f))

    def _check_values(self, v, name):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (len(self),):
            raise ValueError(f"{name} has shape {v.shape}; expected ({len(self)},), one value "
                             "per node of the grid")
        return v

    def __repr__(self):
        return (f"Grid(lo={self.lo.tolist()}, hi={self.hi.tolist()}, panels={self.panels}, "
                f"order={self.order}, nodes={len(self)})")


def _outer_sum(parts):
    out = parts[0]
    for p in parts[1:]:
        out = (out[:, None] + p[None, :]).reshape(-1)
    return np.ascontiguousarray(out)


@dataclass(frozen=True)
class LogPartition:
    """``log Z`` over the box with its error budget.

    Attributes
    ----------
    value : float
        ``log Z_B`` by the full rule.
    quad_error : float
        ``|log Z_B(n) − log Z_B(n/2)|`` (embedded-rule estimate of the quadrature error).
    trunc_bound : float
        Rigorous bound ``log Z − log Z_B ∈ [0, trunc_bound]`` (inf when the energy cannot bound its
        tail).
    probs : ndarray (N,)
        ``exp(D(x_m) + log w_m − log Z_B)``: the model's mass on each node (sums to 1); the
        gradient ``∇_φ log Z_B = Σ_m probs_m ∇_φ D(x_m)``.
    energies : ndarray (N,)
        ``D(x_m)``.
    """

    value: float
    quad_error: float
    trunc_bound: float
    probs: np.ndarray
    energies: np.ndarray

    @property
    def error(self) -> float:
        """Total error budget ``quad_error + trunc_bound``."""
        return self.quad_error + self.trunc_bound


def log_partition(energy, grid: Grid, *, tol=None, energies=None, bound=True) -> LogPartition:
    """``log Z(φ) = log ∫ exp D_φ(x) dx`` on ``grid`` with the quadrature and truncation errors.

    Parameters
    ----------
    energy : object with ``energy(x) -> (N,)`` and ``log_tail_bound(lo, hi) -> float``
        e.g. :class:`fdiv.ebm.EnergyNet`, :class:`fdiv.ebm.QuadraticEnergy`.
    grid : Grid
    tol : float or None
        When given, a :class:`GridWarning` is issued if ``quad_error + trunc_bound > tol``.
    energies : ndarray, optional
        ``D`` already evaluated at ``grid.nodes`` (saves a forward pass).
    bound : bool
        Compute the truncation bound (``trunc_bound`` is NaN otherwise: training steps skip it).
    """
    if energy.dim != grid.dim:
        raise ValueError(f"energy has dim {energy.dim} but grid has dim {grid.dim}")
    D = energy.energy(grid.nodes) if energies is None else energies
    D = grid._check_values(D, "energies")
    if not np.all(np.isfinite(D)):
        raise ValueError("the energy is not finite on the grid (NaN/inf): the network diverged")
    value, quad_error = grid.integrate_log(D)
    if bound:
        log_tail = float(energy.log_tail_bound(grid.lo, grid.hi))
        trunc = float(np.log1p(np.exp(log_tail - value))) if log_tail - value < 700 else np.inf
    else:
        trunc = np.nan
    probs = np.exp(D + grid.log_weights - value)
    res = LogPartition(value, quad_error, trunc, probs, D)
    budget = res.error if bound else quad_error
    if tol is not None and not budget <= tol:
        warnings.warn(GridWarning(
            f"log Z certified only to {res.error:.3g} (quadrature {quad_error:.2g}, truncation "
            f"{trunc:.2g}) > tol={tol:g}: refine the grid or enlarge the box", res.error),
            stacklevel=2)
    return res
