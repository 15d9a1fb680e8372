"""Seeded toy data for the GAN and EBM trainers, with exact log-densities where they exist.

Every dataset is a :class:`ToyData` with ``sample(n, seed) -> (n, dim)`` float64 array (``seed``
an int or a ``numpy.random.Generator``; same seed → same bits) and, when the density is
known in closed form or as a one-dimensional integral, ``logpdf(x)``.

1-D (usable directly as ``p``/``q`` of :func:`fdiv.divergence`: they have ``logpdf`` on 1-D
arrays and ``support()``)
    ``gaussian(mu, sigma)``, ``gaussian_mixture(weights, means, sigmas)`` and the named
    ``'gauss1d'`` = N(0, 1) and ``'mog1d'`` = ½N(−2, ½²) + ½N(2, ½²).
2-D mode-collapse benchmarks (VEEGAN, Srivastava et al. 2017; PacGAN; GDPP)
    ``'ring'``: 8 Gaussians on the circle of radius 1 at angles 2πk/8 (``endpoint=False``:
    ``np.linspace(0, 2π, 8)`` would make 7 modes), σ = 0.01;
    ``'grid'``: 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05.  Both parameterisable.
2-D density-estimation toys (FFJORD, Grathwohl et al. 2019, ``toy_data.py``), same constants
    ``'8gaussians'`` (centres 4·(unit vectors at multiples of 45°)/1.414, σ = 0.5/1.414),
    ``'checkerboard'`` (uniform on 8 of the 16 2×2 squares of [−4, 4]², density 1/32),
    ``'rings'`` (4 circles of radii 3, 2.25, 1.5, 0.75, weight ¼ each, noise σ = 0.08),
    ``'circles'`` (sklearn ``make_circles(factor=.5, noise=.08)`` × 3),
    ``'moons'`` (sklearn ``make_moons(noise=.1)`` × 2 + (−1, −0.2)),
    ``'swissroll'`` (sklearn ``make_swiss_roll(noise=1)[:, [0, 2]] / 5``),
    ``'pinwheel'`` (5 arms, radial σ 0.3, tangential σ 0.1, rate 0.25, × 2; no logpdf).

Densities: Gaussian mixtures in closed form (``logsumexp``); a circle of radius r blurred by
N(0, σ²I) has ``p(x) = exp(−(|x| − r)²/2σ²) · I0e(|x| r/σ²) / (2πσ²)`` (the angular average of a
Gaussian, exact); moons and swiss roll are a curve ``c(t)`` with ``t`` uniform blurred by
N(0, σ²I): ``p(x) = E_t N(x; c(t), σ²I)``, evaluated by composite Gauss–Legendre quadrature with
panels much shorter than the blur (relative error < 1e-10).  Where the original code places
points on an even ``linspace`` of t (sklearn), the samplers here draw t uniformly: the same
distribution in the limit, and the one the densities describe.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.special import i0e, logsumexp

from .nn.mlp import as_generator

__all__ = ["ToyData", "GaussianMixture", "gaussian", "gaussian_mixture", "ring", "grid",
           "get_dataset", "dataset_names"]

_LOG2PI = math.log(2.0 * math.pi)


def _as_points(x, dim, name):
    x = np.asarray(x, dtype=np.float64)
    if dim == 1 and x.ndim <= 1:
        return x.reshape(-1, 1), x.shape
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"{name}.logpdf: x has shape {x.shape}; expected (n, {dim})")
    return x, x.shape[:1]


@dataclass(frozen=True)
class ToyData:
    """A named toy distribution on ℝ^dim: ``sample(n, seed)`` and (maybe) ``logpdf(x)``.

    Parameters
    ----------
    name : str
        The registry name (:func:`dataset_names`).
    dim : int
        The dimension of a point.
    sampler : callable
        ``sampler(n, rng) -> (n, dim)`` with ``rng`` a :class:`numpy.random.Generator`.
    log_density : callable or None
        ``log_density(x) -> (n,)`` for ``x`` of shape ``(n, dim)``; None when the density has no
        closed form.
    params : dict
        The parameters the dataset was built with (for metrics and checkpoints).
    """

    name: str
    dim: int
    sampler: Callable            # (n, rng) -> (n, dim)
    log_density: Callable | None = None   # (n, dim) -> (n,)
    params: dict = field(default_factory=dict)

    @property
    def has_logpdf(self) -> bool:
        """Whether :meth:`logpdf` is available (the density is known)."""
        return self.log_density is not None

    def sample(self, n, seed=0):
        """``n`` points, shape ``(n, dim)``, float64.

        Parameters
        ----------
        n : int
            The number of points (≥ 0).
        seed : int or numpy.random.Generator
            Same seed → same bits.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, dim)``.
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"n={n}: the number of samples must be ≥ 0")
        return np.asarray(self.sampler(n, as_generator(seed)), dtype=np.float64).reshape(n, self.dim)

    def rvs(self, size=1, random_state=None):
        """scipy-style alias of :meth:`sample`: 1-D data come back with shape ``(size,)``.

        Parameters
        ----------
        size : int
            The number of points.
        random_state : int or numpy.random.Generator or None
            The seed (None: seed 0, so the call is reproducible).

        Returns
        -------
        numpy.ndarray
            Shape ``(size,)`` for 1-D data, else ``(size, dim)``.
        """
        x = self.sample(size, 0 if random_state is None else random_state)
        return x[:, 0] if self.dim == 1 else x

    def logpdf(self, x):
        """``log p(x)``: x of shape (n, dim) (or (n,) for 1-D) → (n,) (or the shape of x).

        Parameters
        ----------
        x : array_like
            Points, shape ``(n, dim)``; for 1-D data any shape.

        Returns
        -------
        numpy.ndarray
            The log density (``-inf`` outside the support).

        Raises
        ------
        NotImplementedError
            The dataset has no closed-form density (``has_logpdf`` is False).
        ValueError
            ``x`` does not have shape ``(n, dim)``.
        """
        if self.log_density is None:
            raise NotImplementedError(
                f"dataset {self.name!r} has no closed-form density; use a sample-based metric"
            )
        pts, shape = _as_points(x, self.dim, self.name)
        return self.log_density(pts).reshape(shape)

    def pdf(self, x):
        """``p(x) = exp(logpdf(x))`` (see :meth:`logpdf`)."""
        return np.exp(self.logpdf(x))

    def support(self):
        """``(-inf, inf)``: every toy density is positive on all of ℝ (or zero on a bounded set).

        Lets 1-D datasets serve as ``p``/``q`` of :func:`fdiv.divergence`.
        """
        return (-math.inf, math.inf)


class GaussianMixture(ToyData):
    """Isotropic Gaussian mixture ``Σ_k w_k N(μ_k, σ_k² I)`` on ℝ^d.

    Attributes ``weights`` (k,), ``means`` (k, d), ``sigmas`` (k,) are used by the mode metrics.

    Parameters
    ----------
    name : str
        The dataset name.
    weights : array_like, shape (k,)
        Finite non-negative mixture weights (normalised to sum 1).
    means : array_like, shape (k, d) or (k,)
        Component means (a 1-D array: k means on ℝ).
    sigmas : float or array_like, shape (k,)
        Finite positive standard deviations (broadcast to every component).
    params : dict, optional
        The parameters to record in ``params``.

    Raises
    ------
    ValueError
        Weights, means or standard deviations that are not finite, negative, or of the wrong
        shape.

    Notes
    -----
    ``log p(x) = logsumexp_k (log w_k − d log σ_k − (d/2) log 2π − |x − μ_k|²/2σ_k²)``.
    """

    def __init__(self, name, weights, means, sigmas, params=None):
        w = np.asarray(weights, dtype=np.float64)
        mu = np.asarray(means, dtype=np.float64)
        if mu.ndim == 1:
            mu = mu[:, None]
        s = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (mu.shape[0],)).copy()
        if w.shape != (mu.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights={weights!r}: need {mu.shape[0]} finite non-negative weights")
        if not np.all(s > 0) or not np.all(np.isfinite(s)):
            raise ValueError(f"sigmas={sigmas!r}: every standard deviation must be finite and > 0")
        if not np.all(np.isfinite(mu)):
            raise ValueError("means must be finite")
        w = w / w.sum()
        d = mu.shape[1]
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", mu)
        object.__setattr__(self, "sigmas", s)
        super().__init__(name, d, self._sample, self._logpdf, dict(params or {}))

    def _sample(self, n, rng):
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        return self.means[k] + self.sigmas[k, None] * rng.standard_normal((n, self.dim))

    def _logpdf(self, x):
        d = self.dim
        sq = ((x[:, None, :] - self.means[None, :, :]) ** 2).sum(-1)       # (n, k)
        with np.errstate(divide="ignore"):
            logw = np.log(self.weights)
        comp = logw - d * np.log(self.sigmas) - 0.5 * d * _LOG2PI - 0.5 * sq / self.sigmas ** 2
        return logsumexp(comp, axis=1)


# -- 1-D ---------------------------------------------------------------------------------
def gaussian(mu=0.0, sigma=1.0):
    """N(μ, σ²) on ℝ (the dataset ``'gauss1d'``).

    Parameters
    ----------
    mu : float
        The mean.
    sigma : float
        The standard deviation (> 0).

    Returns
    -------
    GaussianMixture
        One component, ``dim == 1``.
    """
    return GaussianMixture("gauss1d", [1.0], [mu], [sigma], {"mu": mu, "sigma": sigma})


def gaussian_mixture(weights=(0.5, 0.5), means=(-2.0, 2.0), sigmas=(0.5, 0.5)):
    """``Σ_k w_k N(μ_k, σ_k²)`` on ℝ (weights normalised; the dataset ``'mog1d'``).

    Parameters
    ----------
    weights, means, sigmas : sequence of float
        One entry per component; the default is ½N(−2, ½²) + ½N(2, ½²).

    Returns
    -------
    GaussianMixture
        ``dim == 1``.
    """
    return GaussianMixture("mog1d", weights, list(means), sigmas,
                           {"weights": list(weights), "means": list(means), "sigmas": list(sigmas)})


# -- 2-D mode-collapse benchmarks -----------------------------------------------------------
def ring(n_modes=8, radius=1.0, sigma=0.01):
    """``n_modes`` Gaussians at angles 2πk/n_modes on a circle (VEEGAN protocol).

    Parameters
    ----------
    n_modes : int
        The number of equally weighted modes (angles ``endpoint=False``).
    radius : float
        The radius of the circle.
    sigma : float
        The standard deviation of every mode.

    Returns
    -------
    GaussianMixture
        ``dim == 2``.
    """
    ang = np.linspace(0.0, 2.0 * np.pi, int(n_modes), endpoint=False)
    means = radius * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    return GaussianMixture("ring", np.ones(len(ang)), means, sigma,
                           {"n_modes": n_modes, "radius": radius, "sigma": sigma})


def grid(side=5, spacing=2.0, sigma=0.05):
    """``side × side`` Gaussians at spacing·{−(side−1)/2, …, (side−1)/2}² (VEEGAN protocol).

    Parameters
    ----------
    side : int
        Modes per row and column.
    spacing : float
        The distance between neighbouring modes.
    sigma : float
        The standard deviation of every mode.

    Returns
    -------
    GaussianMixture
        ``dim == 2``, equally weighted.
    """
    c = spacing * (np.arange(side) - (side - 1) / 2.0)
    gx, gy = np.meshgrid(c, c, indexing="ij")
    means = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return GaussianMixture("grid", np.ones(len(means)), means, sigma,
                           {"side": side, "spacing": spacing, "sigma": sigma})


# -- FFJORD toys ------------------------------------------------------------------------------
def eight_gaussians(scale=4.0, sigma=0.5):
    """FFJORD's ``'8gaussians'``: centres ``scale``·(unit vectors at multiples of 45°)/1.414.

    Parameters
    ----------
    scale : float
        The radius before the division by 1.414.
    sigma : float
        The standard deviation before the division by 1.414.

    Returns
    -------
    GaussianMixture
        ``dim == 2``, 8 equally weighted modes.
    """
    r = 1.0 / math.sqrt(2.0)
    c = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (r, r), (r, -r), (-r, r), (-r, -r)])
    return GaussianMixture("8gaussians", np.ones(8), scale * c / 1.414, sigma / 1.414,
                           {"scale": scale, "sigma": sigma})


def _circles_logpdf(radii, weights, sigma):
    radii = np.asarray(radii, dtype=np.float64)
    logw = np.log(np.asarray(weights, dtype=np.float64) / np.sum(weights))

    def logpdf(x):
        rho = np.hypot(x[:, 0], x[:, 1])[:, None]
        z = rho * radii / sigma ** 2
        terms = (logw - math.log(2 * math.pi * sigma ** 2)
                 - 0.5 * ((rho - radii) / sigma) ** 2 + np.log(i0e(z)))
        return logsumexp(terms, axis=1)

    return logpdf


def _circles_sampler(radii, weights, sigma):
    radii = np.asarray(radii, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64) / np.sum(weights)

    def sample(n, rng):
        k = rng.choice(len(radii), size=n, p=w)
        th = rng.uniform(0.0, 2.0 * np.pi, size=n)
        pts = radii[k, None] * np.stack([np.cos(th), np.sin(th)], axis=1)
        return pts + sigma * rng.standard_normal((n, 2))

    return sample


def rings(sigma=0.08):
    """FFJORD's ``'rings'``: circles of radii 3, 2.25, 1.5, 0.75 (weight ¼ each), blur N(0, σ²I).

    Parameters
    ----------
    sigma : float
        The blur.

    Returns
    -------
    ToyData
        ``dim == 2``, with the exact density
        ``p(x) = Σ_j w_j exp(−(|x| − r_j)²/2σ²) I0e(|x| r_j/σ²) / (2πσ²)``.
    """
    radii, w = [3.0, 2.25, 1.5, 0.75], [1, 1, 1, 1]
    return ToyData("rings", 2, _circles_sampler(radii, w, sigma), _circles_logpdf(radii, w, sigma),
                   {"sigma": sigma})


def circles(sigma=0.24):
    """``'circles'``: sklearn ``make_circles(factor=.5, noise=.08)`` × 3 (radii 3 and 1.5).

    Parameters
    ----------
    sigma : float
        The blur (0.08 × 3).

    Returns
    -------
    ToyData
        ``dim == 2``, with the exact density of :func:`rings` for two circles.
    """
    radii, w = [3.0, 1.5], [1, 1]
    return ToyData("circles", 2, _circles_sampler(radii, w, sigma),
                   _circles_logpdf(radii, w, sigma), {"sigma": sigma})


def _curve_logpdf(curves, t_range, sigma, max_speed):
    """``log Σ_j w_j E_{t~U(t_range)} N(x; c_j(t), σ²I)`` by composite Gauss–Legendre."""
    lo, hi = t_range
    panel = 2.0 * sigma / max_speed           # two blur widths per 16-node panel (error < 1e-12)
    n_pan = int(math.ceil((hi - lo) / panel))
    nodes, wts = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(lo, hi, n_pan + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    t = ((edges[:-1] + half)[:, None] + half[:, None] * nodes).ravel()
    lw = np.log((half[:, None] * wts).ravel() / (hi - lo))
    cs = [(math.log(wj), c(t)) for wj, c in curves]      # each c(t): (m, 2)
    cs = [(lwj, pts.T / sigma ** 2, lw - 0.5 * (pts ** 2).sum(1) / sigma ** 2) for lwj, pts in cs]

    def logpdf(x):
        out = np.empty(len(x))
        for s in range(0, len(x), 512):
            xs = x[s:s + 512]
            half_sq = 0.5 * (xs ** 2).sum(1) / sigma ** 2
            parts = []
            for lwj, pts_t, base in cs:
                # −|x − c|²/2σ² = x·c/σ² − |c|²/2σ² − |x|²/2σ²
                parts.append(lwj - half_sq + logsumexp(xs @ pts_t + base, axis=1))
            out[s:s + 512] = (logsumexp(np.stack(parts), axis=0)
                              - math.log(2 * math.pi * sigma ** 2))
        return out

    return logpdf


def moons(sigma=0.2):
    """``'moons'``: sklearn ``make_moons(noise=.1)`` × 2 + (−1, −0.2).

    Parameters
    ----------
    sigma : float
        The blur (0.1 × 2).

    Returns
    -------
    ToyData
        ``dim == 2``; ``p(x) = Σ_j ½ E_{t~U(0, π)} N(x; c_j(t), σ²I)`` over the two half circles,
        by composite Gauss–Legendre quadrature.
    """
    shift = np.array([-1.0, -0.2])

    def outer(t):
        return 2.0 * np.stack([np.cos(t), np.sin(t)], axis=-1) + shift

    def inner(t):
        return 2.0 * np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=-1) + shift

    def sample(n, rng):
        which = rng.random(n) < 0.5
        t = rng.uniform(0.0, np.pi, size=n)
        pts = np.where(which[:, None], outer(t), inner(t))
        return pts + sigma * rng.standard_normal((n, 2))

    return ToyData("moons", 2, sample,
                   _curve_logpdf([(0.5, outer), (0.5, inner)], (0.0, np.pi), sigma, 2.0),
                   {"sigma": sigma})


def swiss_roll(sigma=0.2):
    """``'swissroll'``: sklearn ``make_swiss_roll(noise=1)[:, [0, 2]] / 5``.

    Parameters
    ----------
    sigma : float
        The blur (1/5).

    Returns
    -------
    ToyData
        ``dim == 2``; ``p(x) = E_{t~U(1.5π, 4.5π)} N(x; t(cos t, sin t)/5, σ²I)`` by composite
        Gauss–Legendre quadrature.
    """
    def curve(t):
        return np.stack([t * np.cos(t), t * np.sin(t)], axis=-1) / 5.0

    lo, hi = 1.5 * np.pi, 4.5 * np.pi

    def sample(n, rng):
        t = rng.uniform(lo, hi, size=n)
        return curve(t) + sigma * rng.standard_normal((n, 2))

    speed = math.hypot(1.0, hi) / 5.0
    return ToyData("swissroll", 2, sample, _curve_logpdf([(1.0, curve)], (lo, hi), sigma, speed),
                   {"sigma": sigma})


def checkerboard():
    """FFJORD's ``'checkerboard'``: uniform on 8 of the 16 2×2 squares of [−4, 4]².

    Returns
    -------
    ToyData
        ``dim == 2``; density 1/32 on the black squares, 0 elsewhere.
    """
    def sample(n, rng):
        x1 = rng.random(n) * 4 - 2
        x2 = rng.random(n) - rng.integers(0, 2, n) * 2 + np.floor(x1) % 2
        return 2.0 * np.stack([x1, x2], axis=1)

    def logpdf(x):
        inside = np.all((x >= -4) & (x < 4), axis=1)
        even = (np.floor(x[:, 0] / 2) + np.floor(x[:, 1] / 2)) % 2 == 0
        return np.where(inside & even, -math.log(32.0), -np.inf)

    return ToyData("checkerboard", 2, sample, logpdf, {})


def pinwheel(radial_std=0.3, tangential_std=0.1, num_classes=5, rate=0.25):
    """FFJORD's ``'pinwheel'``: ``num_classes`` arms, × 2 (no closed-form density).

    Parameters
    ----------
    radial_std, tangential_std : float
        Standard deviations along and across an arm.
    num_classes : int
        The number of arms.
    rate : float
        How fast an arm turns with the radius.

    Returns
    -------
    ToyData
        ``dim == 2``, ``has_logpdf`` False.
    """
    rads = np.linspace(0, 2 * np.pi, num_classes, endpoint=False)

    def sample(n, rng):
        feats = rng.standard_normal((n, 2)) * np.array([radial_std, tangential_std])
        feats[:, 0] += 1.0
        ang = rads[rng.integers(0, num_classes, n)] + rate * np.exp(feats[:, 0])
        c, s = np.cos(ang), np.sin(ang)
        # FFJORD's einsum('ti,tij->tj', f, [[c, -s], [s, c]])
        return 2.0 * np.stack([feats[:, 0] * c + feats[:, 1] * s,
                               -feats[:, 0] * s + feats[:, 1] * c], axis=1)

    return ToyData("pinwheel", 2, sample, None,
                   {"radial_std": radial_std, "tangential_std": tangential_std,
                    "num_classes": num_classes, "rate": rate})


_DATASETS = {
    "gauss1d": gaussian,
    "mog1d": gaussian_mixture,
    "ring": ring,
    "grid": grid,
    "8gaussians": eight_gaussians,
    "checkerboard": checkerboard,
    "rings": rings,
    "circles": circles,
    "moons": moons,
    "swissroll": swiss_roll,
    "pinwheel": pinwheel,
}


def dataset_names() -> list[str]:
    """The names :func:`get_dataset` accepts, in registration order."""
    return list(_DATASETS)


def get_dataset(name, **params) -> ToyData:
    """The toy dataset ``name`` (see :func:`dataset_names`), built with ``params``.

    Parameters
    ----------
    name : str
        A name from :func:`dataset_names`, e.g. ``'ring'``.
    **params
        Keyword parameters of the dataset's factory, e.g. ``sigma=0.02``.

    Returns
    -------
    ToyData

    Raises
    ------
    ValueError
        An unknown name, or parameters the factory does not take.
    """
    try:
        factory = _DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dataset name={name!r}; choose one of "
                         f"{', '.join(_DATASETS)}") from None
    try:
        return factory(**params)
    except TypeError as exc:
        raise ValueError(f"dataset {name!r}: bad parameters {params}: {exc}") from None
