"""f-divergences between discrete distributions, exactly (to rounding).

``D_f(P‖Q) = Σ_{q_i > 0} q_i f(p_i/q_i) + f′(∞) Σ_{q_i = 0} p_i`` (Csiszár's conventions: a term
with ``p_i = 0 < q_i`` is ``q_i f(0)``; ``0·f′(∞) = 0``).  Terms are formed in log space with the
larger probability in front (the same kernel as the continuous engine).
"""
from __future__ import annotations

import math

import numpy as np

from ._kernels import integrand

__all__ = ["as_probabilities", "divergence_discrete", "is_discrete"]


def is_discrete(obj) -> bool:
    """True for array-likes of numbers and scipy.stats frozen *discrete* distributions.

    Parameters
    ----------
    obj : object
        A ``p`` or ``q`` argument of :func:`fdiv.divergence`.

    Returns
    -------
    bool
        True for lists, tuples and arrays (probability vectors) and frozen distributions with a
        ``pmf`` (and no ``pdf``); False otherwise.
    """
    if isinstance(obj, (list, tuple, np.ndarray)):
        return True
    dist = getattr(obj, "dist", None)
    return dist is not None and hasattr(dist, "pmf") and not hasattr(dist, "pdf")


def as_probabilities(obj, name="p", *, normalize=False, support=None) -> np.ndarray:
    """A validated 1-D float64 probability vector.

    Parameters
    ----------
    obj : array_like or scipy.stats frozen discrete distribution
        The probabilities; a frozen distribution is tabulated as ``obj.pmf(support)`` (and not
        validated further).
    name : str
        The argument's name, used in error messages.
    normalize : bool
        Divide by the sum instead of requiring it to be 1.
    support : array_like of int, optional
        The atoms at which to tabulate a frozen distribution (required for one).

    Returns
    -------
    numpy.ndarray
        1-D float64, entries ≥ 0 summing to 1 (within 1e-9, or exactly rescaled).

    Raises
    ------
    TypeError
        Not numbers, or a frozen distribution without ``support``.
    ------
    ValueError
        NaN or infinite entries, negative entries, a non-1-D shape, or a sum off 1 by more than
        1e-9 (unless ``normalize=True``).
    """
    if not isinstance(obj, (list, tuple, np.ndarray)):
        if support is None:
            raise TypeError(f"{name}: a frozen discrete distribution needs a support to tabulate")
        return np.asarray(obj.pmf(support), dtype=np.float64)
    try:
        p = np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of probabilities; got {obj!r:.80}") from None
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of probabilities; got shape {p.shape}")
    if np.isnan(p).any():
        raise ValueError(f"{name} contains NaN at index {int(np.flatnonzero(np.isnan(p))[0])}")
    if not np.isfinite(p).all():
        raise ValueError(f"{name} contains an infinite entry")
    if (p < 0).any():
        i = int(np.flatnonzero(p < 0)[0])
        raise ValueError(f"{name}[{i}] = {p[i]!r} is negative: probabilities must be >= 0")
    total = p.sum()
    if normalize:
        if total <= 0:
            raise ValueError(f"{name} sums to {total!r}; cannot normalise")
        return p / total
    if abs(total - 1.0) > 1e-9:
        raise ValueError(
            f"{name} sums to {total!r}, not 1 (tolerance 1e-9); pass normalize=True to rescale"
        )
    return p


def _discrete_support(p, q):
    """A finite integer grid holding all but ≤ 1e-17 of the mass of two frozen discrete dists."""
    lo = min(p.ppf(1e-17) if hasattr(p, "ppf") else 0, q.ppf(1e-17))
    hi = max(p.isf(1e-17), q.isf(1e-17))
    lo = max(lo, min(p.support()[0], q.support()[0]))
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > 5e7:
        raise ValueError("discrete support too large to tabulate exactly")
    return np.arange(int(lo), int(hi) + 1)


def divergence_discrete(div, p, q, *, normalize=False):
    """``D_f(P‖Q)`` for probability vectors or frozen discrete distributions, exactly.

    ``D_f(P‖Q) = f(1) + Σ_i q_i φ(p_i/q_i)`` with the centred generator
    ``φ(u) = f(u) − f(1) − f′(1)(u − 1)`` (the same value as ``Σ_i q_i f(p_i/q_i)`` when both
    sum to 1), with Csiszár's conventions: a term with ``p_i = 0 < q_i`` is ``q_i f(0)``, one
    with ``q_i = 0 < p_i`` is ``p_i f′(∞)`` (``+inf`` for KL), ``0·f′(∞) = 0``, and atoms with
    ``p_i = q_i = 0`` contribute nothing.  Terms are formed from ``log p_i − log q_i`` with the
    larger probability in front and summed with :func:`math.fsum`.

    Parameters
    ----------
    div : FDivergence
        The registry member (:func:`fdiv.get`).
    p, q : array_like or scipy.stats frozen discrete distribution
        Probability vectors over one common support (same length), or two frozen discrete
        distributions (tabulated on an integer grid holding all but ≤ 1e-17 of their mass).
    normalize : bool
        Rescale ``p`` and ``q`` to sum to 1 instead of requiring it.

    Returns
    -------
    float
        ``D_f(P‖Q)``, possibly ``+inf``.

    Raises
    ------
    ValueError
        Invalid probabilities (see :func:`as_probabilities`), different lengths, or a support too
        large to tabulate.
    TypeError
        One array and one frozen distribution.

    References
    ----------
    I. Csiszár (1967), Information-type measures of difference of probability distributions and
    indirect observations, Studia Sci. Math. Hungar. 2, 299–318.
    """
    support = None
    if not isinstance(p, (list, tuple, np.ndarray)) or not isinstance(q, (list, tuple, np.ndarray)):
        if isinstance(p, (list, tuple, np.ndarray)) or isinstance(q, (list, tuple, np.ndarray)):
            raise TypeError("p and q must both be probability arrays or both frozen discrete distributions")
        support = _discrete_support(p, q)
    p = as_probabilities(p, "p", normalize=normalize, support=support)
    q = as_probabilities(q, "q", normalize=normalize, support=support)
    if p.shape != q.shape:
        raise ValueError(
            f"p and q have different lengths ({p.size} and {q.size}): they must share one support"
        )
    with np.errstate(divide="ignore"):
        lp, lq = np.log(p), np.log(q)
    terms = integrand(div, lp, lq)
    return math.fsum([div.f_at_one, *terms.tolist()])
