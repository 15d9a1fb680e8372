"""The Gibbs variational principle behind the EBM–GAN connection (lecture §16.2.3).

For an energy ``D`` (the lecture's sign: density ``p_D ∝ e^{D}``) and any distribution ``q``::

    log Z = log ∫ e^{D(x)} dx = E_q[D] + H(q) + KL(q‖p_D)  ≥  E_q[D] + H(q),

with equality iff ``q = p_D``: ``log Z = sup_q E_q[D] + H(q)`` is the convex conjugate of the
negative entropy (Donsker & Varadhan 1975; Wainwright & Jordan 2008, §3.6).  :func:`gibbs_gap`
computes each term separately by certified quadrature so the identity is a numerical check.

References
----------
M. J. Wainwright, M. I. Jordan (2008), Graphical models, exponential families, and variational
inference, Found. Trends Mach. Learn. 1(1–2), Theorem 3.4.
Lecture 16 (CSE6243), §16.2.3.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp

from .bounds import _critic_values, _fsum, _is_discrete, _logpdf
from .discrete import as_probabilities

__all__ = ["gibbs_gap", "GibbsGap", "GibbsDistribution"]


class GibbsGap(NamedTuple):
    """Terms of ``log Z = E_q[D] + H(q) + KL(q‖p_D)``.

    Attributes
    ----------
    log_z : float
        ``log ∫ e^D`` (``log Σ e^{D_i}`` for discrete).
    expected_energy : float
        ``E_q[D]``.
    entropy : float
        ``H(q) = −E_q[log q]`` (differential entropy for densities).
    kl : float
        ``KL(q‖p_D)``, computed by :func:`fdiv.divergence` against ``p_D = e^{D − log Z}`` (a
        separate code path: it integrates the centred generator, so an error in ``log Z`` shows
        up as a violated identity instead of cancelling).
    lower_bound : float
        ``E_q[D] + H(q) ≤ log Z`` (the lecture's variational objective).
    error : float
        Sum of the absolute quadrature error estimates of the four integrals.
    """

    log_z: float
    expected_energy: float
    entropy: float
    kl: float
    lower_bound: float
    error: float

    @property
    def residual(self) -> float:
        """``log Z − (E_q[D] + H(q) + KL(q‖p_D))``; zero up to quadrature error."""
        return self.log_z - (self.lower_bound + self.kl)


class GibbsDistribution:
    """``p_D(x) = e^{D(x) − log Z}`` on ``support``: an object :func:`fdiv.divergence` accepts.

    The Gibbs (Boltzmann) density of an energy ``D`` in the lecture's sign convention
    (``p_D ∝ e^{+D}``), normalised by a given ``log Z`` (see :func:`gibbs_gap`, which computes
    it); zero outside ``support``.

    Parameters
    ----------
    energy : callable
        ``D: ℝ → ℝ``, vectorised over a 1-D float64 array.
    log_z : float
        ``log ∫_support e^D``; 0 gives the unnormalised ``e^D``.
    support : (float, float)
        The interval the density lives on (default the real line).
    centre, scale : float
        Where the mass of ``e^D`` sits and how wide it is: returned by :meth:`median` and
        :meth:`std`, the landmarks the quadrature splits at.
    """

    def __init__(self, energy, log_z, support=(-math.inf, math.inf), centre=0.0, scale=1.0):
        self.energy, self.log_z = energy, float(log_z)
        self._support = (float(support[0]), float(support[1]))
        self._centre, self._scale = float(centre), float(scale)

    def logpdf(self, x):
        """``log p_D(x) = D(x) − log Z`` inside the support, ``-inf`` outside.

        Parameters
        ----------
        x : array_like
            Points (any shape).

        Returns
        -------
        numpy.ndarray
            float64, the shape of ``x``.
        """
        x = np.asarray(x, dtype=np.float64)
        lo, hi = self._support
        inside = (x >= lo) & (x <= hi)
        out = np.full(x.shape, -np.inf)
        if inside.any():
            out[inside] = _critic_values(self.energy, x[inside], "energy D") - self.log_z
        return out

    def support(self):
        """``(lo, hi)``: the interval the density lives on."""
        return self._support

    def median(self):
        """The ``centre`` landmark (a quadrature hint, not the exact median)."""
        return self._centre

    def std(self):
        """The ``scale`` landmark (a quadrature hint, not the exact standard deviation)."""
        return self._scale

    def __repr__(self):
        return f"GibbsDistribution({self.energy!r}, log_z={self.log_z!r}, support={self._support!r})"


def _energy_landmarks(energy, q, support):
    """``(centre, scale, max D seen)`` of ``e^D`` from a probe over a wide grid and q's bulk."""
    from .bounds import _probe_points

    lo, hi = support
    grid = np.concatenate([-np.geomspace(1e3, 1e-3, 120), [0.0], np.geomspace(1e-3, 1e3, 120),
                           _probe_points(q)])
    grid = grid[(grid >= lo) & (grid <= hi)]
    if math.isfinite(lo) and math.isfinite(hi):
        grid = np.concatenate([grid, np.linspace(lo, hi, 257)])
    grid = np.unique(grid)
    d = _critic_values(energy, grid, "energy D")
    k = int(np.argmax(d))
    top = float(d[k])
    near = grid[d > top - 30.0]
    scale = float(near.max() - near.min()) / 6.0 if near.size > 1 else 1.0
    return float(grid[k]), (scale if scale > 0 else 1.0), top


def gibbs_gap(energy, q, *, support=(-math.inf, math.inf), rtol=1e-10):
    r"""``log Z``, ``E_q[D] + H(q)`` and ``KL(q‖p_D)`` for a 1-D energy ``D`` by quadrature.

    Parameters
    ----------
    energy : callable or array_like
        ``D: ℝ → ℝ`` vectorised (``p_D ∝ e^{D}``); ``e^D`` must be integrable over ``support``.
        For discrete q, an array of ``n`` energies (or a callable on the indices).
    q : distribution or 1-D probability array
        Any distribution :func:`fdiv.integrate` accepts; its support must lie in ``support``.
    support : (float, float)
        The base measure's range (Lebesgue measure on it); default the real line.
    rtol : float

    Returns
    -------
    GibbsGap
        With ``log_z = lower_bound + kl`` up to ``error`` (see :attr:`GibbsGap.residual`).

    Notes
    -----
    ``log Z = M + log ∫ e^{D − M}`` with ``M`` the largest energy seen (re-integrated if the
    quadrature finds a larger one), so energies near ±700 neither overflow nor underflow.
    """
    from . import divergence, integrate

    if _is_discrete(q):
        qv = as_probabilities(q, "q")
        d = _critic_values(energy, np.arange(qv.size, dtype=np.float64), "energy D") if callable(energy) \
            else np.asarray(energy, dtype=np.float64)
        if d.shape != qv.shape or not np.isfinite(d).all():
            raise ValueError(f"energy must give {qv.size} finite values, one per atom of q")
        log_z = float(logsumexp(d))
        pos = qv > 0
        e_d = _fsum(qv[pos] * d[pos])
        h = -_fsum(qv[pos] * np.log(qv[pos]))
        kl = float(divergence("kl", qv, np.exp(d - log_z), normalize=True))
        return GibbsGap(log_z, e_d, h, kl, e_d + h, 0.0)

    lo, hi = (float(support[0]), float(support[1]))
    if not lo < hi:
        raise ValueError(f"support={support!r}: need lo < hi")
    qlo, qhi = (float(v) for v in q.support())
    if qlo < lo or qhi > hi:
        raise ValueError(f"q has support ({qlo}, {qhi}), not inside support={support!r}: "
                         "KL(q‖p_D) would be infinite; widen support")
    centre, scale, top = _energy_landmarks(energy, q, (lo, hi))
    base = GibbsDistribution(energy, 0.0, (lo, hi), centre, scale)

    def energy_at(x):
        return _critic_values(energy, x, "energy D")

    shift = top
    for _ in range(3):
        seen = [-math.inf]

        def boltzmann(x, m=shift):
            v = energy_at(x)
            seen[0] = max(seen[0], float(np.max(v)) if v.size else -math.inf)
            with np.errstate(over="ignore"):
                return np.exp(v - m)

        z, err_z = integrate(boltzmann, base, rtol=rtol, return_error=True)
        if seen[0] <= shift + 600.0:
            break
        shift = seen[0]
    if not (math.isfinite(z) and z > 0):
        raise ValueError(f"∫ e^D is not a positive finite number ({z!r}): e^D must be integrable")
    log_z = shift + math.log(z)

    def q_energy(x):
        lq = _logpdf(q, x)
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(np.isneginf(lq), 0.0, np.exp(lq) * energy_at(x))

    def q_log_q(x):
        lq = _logpdf(q, x)
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(np.isneginf(lq), 0.0, np.exp(lq) * lq)

    e_d, err_e = integrate(q_energy, q, rtol=rtol, return_error=True)
    neg_h, err_h = integrate(q_log_q, q, rtol=rtol, return_error=True)
    p_d = GibbsDistribution(energy, log_z, (lo, hi), centre, scale)
    kl, err_kl = divergence("kl", q, p_d, rtol=rtol, return_error=True)
    e_d, h = float(e_d), -float(neg_h)
    if math.isinf(kl) and math.isfinite(h) and not math.isfinite(e_d):
        # D ≤ max D, so E_q[D] ∈ [−∞, max D]; with H(q) and log Z finite, KL = ∞ ⟺ E_q[D] = −∞
        # (the quadrature of a divergent integral returned nan, with its IntegrationWarning)
        e_d = -math.inf
    error = float(err_z / z + err_e + err_h + err_kl)
    return GibbsGap(log_z, e_d, h, float(kl), e_d + h, error)
