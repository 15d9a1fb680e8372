"""The :class:`FDivergence` bundle: one f-divergence as an immutable set of pure functions.

Conventions (fixed for the whole package)
-----------------------------------------
* ``D_f(P‖Q) = E_Q[f(p/q)] = ∫ q f(p/q) dx`` in nats, ``u = p/q``.
* Csiszár's conventions at zeros: ``0·f(0/0) = 0``, a point with ``p = 0 < q`` contributes
  ``q·f(0)`` (``f(0) = f(0+)``), a point with ``q = 0 < p`` contributes ``p·f′(∞)`` with
  ``f′(∞) = lim_{u→∞} f(u)/u``.
* ``conjugate`` is the Fenchel conjugate of ``f`` **restricted to u ≥ 0**:
  ``f*(t) = sup_{u ≥ 0} (t·u − f(u))``; ``+inf`` outside its domain.
* The quadrature engine integrates the *centred* generator
  ``φ(u) = f(u) − f(1) − f′(1)(u − 1) ≥ 0``; every member supplies ``φ`` in log space through two
  scalar kernels (compiled by numba):

  - ``phi_lo(r, theta) = φ(e^r)`` for ``r ≤ 0`` (including ``r = −inf``, where it is ``φ(0)``),
  - ``phi_hi(r, theta) = e^{−r} φ(e^r)`` for ``r ≥ 0`` (including ``r = +inf``, where it is
    ``f′(∞) − f′(1)``),

  so the integrand ``q·φ(p/q)`` is always evaluated as (larger density) × (bounded factor):
  ``q·phi_lo(r)`` where ``p ≤ q`` and ``p·phi_hi(r)`` where ``p > q``, with ``r = log p − log q``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

__all__ = ["FDivergence", "Integrand"]


def _with_limits(conjugate, f_at_zero):
    """The conjugate with its limits at ``t = ±inf`` made exact for every member:
    ``f*(−∞) = −f(0+)`` (the supremum sits at u = 0) and ``f*(+∞) = +∞``."""
    if getattr(conjugate, "_fdiv_limits", False):
        return conjugate

    def conj(t):
        t = np.asarray(t, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            out = np.asarray(conjugate(t), dtype=np.float64)
            out = np.where(t == -np.inf, -f_at_zero, np.where(t == np.inf, np.inf, out))
        return out[()] if out.ndim == 0 else out

    conj._fdiv_limits = True
    conj.__doc__ = conjugate.__doc__
    return conj


@dataclass(frozen=True, eq=False)
class Integrand:
    """What the engine integrates for a member in place of ``f(1) + ∫ q φ(p/q)``:
    ``D_f(P‖Q) = sign · ∫ q ψ(p/q)`` with ``ψ ≥ 0`` given like a centred generator, by the scalar
    kernels ``phi_lo(r) = ψ(e^r)`` (``r ≤ 0``) and ``phi_hi(r) = e^{−r} ψ(e^r)`` (``r ≥ 0``)
    and their growths (see :class:`FDivergence`).

    For a member with ``f(1) < 0`` the sum ``f(1) + ∫ q φ`` cancels where the value is small;
    when ``−f ≥ 0`` (gan: ``D = 2·JS − log 4 → 0⁻`` as P and Q part) ``ψ = −f`` and
    ``sign = −1`` integrate the value itself, to a relative tolerance.
    """

    phi_lo: Callable
    phi_hi: Callable
    sign: float
    growth_lo: tuple = (0.0, 0.0)
    growth_hi: tuple = (0.0, 0.0)
    theta: float = 0.0
    phi_block: Callable | None = None
    smooth: bool = True
    entire: bool = False
    f_at_one: float = 0.0  # the engine's offset: ψ is integrated as it is
    compiled: bool = True


@dataclass(frozen=True, eq=False)
class FDivergence:
    """One f-divergence ``D_f(P‖Q) = ∫ q f(p/q)``: an immutable bundle of vectorised functions.

    Members are built once by a factory in :mod:`fdiv.divergences` and handed out by
    :func:`fdiv.get`.  All callables accept array-likes and return float64 arrays (or numpy
    scalars), broadcasting like ufuncs.

    Attributes
    ----------
    name : str
        Registry name (``'kl'``, ``'js'``, ``'alpha'`` …).
    formula : str
        ``f(u)`` in sympy syntax over the symbol ``u`` and the member's parameters
        (``'u*log(u)'``); :mod:`proofs` derives everything symbolic from it.
    f_prime_log : callable
        ``logu ↦ f′(e^logu)``: the optimal critic ``T* = f′(p/q)`` from ``log p − log q``.
    conjugate : callable
        ``t ↦ f*(t) = sup_{u ≥ 0} (t u − f(u))``, ``+inf`` outside :attr:`conjugate_domain`.
    conjugate_domain : tuple of float
        ``(lo, hi)``: ``f*`` is finite on the interval between them (open ends where it blows up).
    activation : callable
        The f-GAN output activation ``g_f: ℝ → dom f*`` (Nowozin et al. 2016, Table 2).
    conjugate_activation : callable
        ``v ↦ f*(g_f(v))`` composed in closed form (no overflow, no NaN).
    f_at_one, f_prime_at_one, f_at_zero, f_prime_at_inf : float
        ``f(1)``, ``f′(1)`` (a subgradient where f has a kink), ``f(0+)``,
        ``f′(∞) = lim f(u)/u``.
    phi_lo, phi_hi : callable or None
        Scalar kernels of the centred generator (see module docstring); plain Python using
        :mod:`math` so numba can compile them.  ``None`` for user generators (generic path).
    phi_block : callable or None
        Optional: the same factor as ``phi_lo``/``phi_hi`` for a whole block of ``r`` values,
        written without branches so that numba vectorises it (:mod:`fdiv._blocks`); the batch
        engine uses it when given.
    theta : float
        The one real parameter passed to ``phi_lo``/``phi_hi`` (``a`` for alpha; 0 otherwise).
    growth_lo, growth_hi : tuple (k, m)
        Asymptotic growth of ``phi_lo(r) ~ C |r|^m e^{k|r|}`` as ``r → −∞`` and of
        ``phi_hi(r) ~ C r^m e^{k r}`` as ``r → +∞``; used to decide finiteness in tails.
    smooth : bool
        False when f has a kink at u = 1 (tv): the engine then splits at the crossings p = q.
    entire : bool
        ``φ(e^r)`` extends to an entire function of ``r`` (it is built from ``e^{cr}`` and
        polynomials in ``r``: kl, reverse_kl, jeffreys, squared_hellinger, pearson, neyman,
        alpha, t_power).  Members with ``log(1 + e^r)`` or ``1/(1 + e^r)`` (js, gan, triangular,
        …) are singular at ``r = ±iπ``.  With polynomial growth on both sides (``k = 0`` in
        ``growth_lo`` and ``growth_hi``) this lets the batch kernel use its trapezoidal window
        on Gaussian pairs (:mod:`fdiv._fused`).
    symmetric : bool
        ``D_f(P‖Q) = D_f(Q‖P)`` for all P, Q.
    upper_bound : float or None
        ``sup D_f`` (attained for disjoint supports), or None when unbounded.
    params : mapping
        Parameters the member was built with (``{'a': 0.5}``).
    conjugate_form, activation_form, conjugate_table_form : str
        Text of ``f*`` over u ≥ 0, of ``g_f``, and of the f-GAN paper's table entry (which may
        extend f to u < 0).
    references : tuple of str
    conventions : str
        How other libraries name or scale the same quantity.
    f_log : callable, optional
        ``logu ↦ f(e^logu)``, stable for ``|logu|`` up to ~700 and at ``logu = ±inf``.  Derived
        from ``phi_lo``/``phi_hi`` when not given (``f(e^r) = f(1) + f′(1) expm1(r) + φ(e^r)``).
    integrand : Integrand, optional
        What the engine integrates instead of ``φ`` (gan: ``−f``, free of the cancellation of
        ``f(1) + ∫ q φ``); ``phi_lo``/``phi_hi`` still define ``f_log``.
    """

    name: str
    formula: str
    f_prime_log: Callable
    conjugate: Callable
    conjugate_domain: tuple
    activation: Callable
    conjugate_activation: Callable
    f_at_one: float
    f_prime_at_one: float
    f_at_zero: float
    f_prime_at_inf: float
    phi_lo: Callable | None = None
    phi_hi: Callable | None = None
    phi_block: Callable | None = None
    theta: float = 0.0
    growth_lo: tuple = (0.0, 0.0)
    growth_hi: tuple = (0.0, 0.0)
    smooth: bool = True
    entire: bool = False
    symmetric: bool = False
    upper_bound: float | None = None
    params: Mapping = field(default_factory=dict)
    conjugate_form: str = ""
    activation_form: str = ""
    conjugate_table_form: str = ""
    references: tuple = ()
    conventions: str = ""
    f_log: Callable | None = None
    integrand: Integrand | None = None

    def __post_init__(self):
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "conjugate", _with_limits(self.conjugate, self.f_at_zero))
        if self.f_log is None:
            if not self.compiled:
                raise TypeError(
                    f"FDivergence {self.name!r}: give either f_log or both phi_lo and phi_hi"
                )
            from ._kernels import f_log_from_phi

            object.__setattr__(self, "f_log", lambda logu, _d=self: f_log_from_phi(_d, logu))

    # -- derived, vectorised -------------------------------------------------------------
    def f(self, u):
        """``f(u)`` for ``u ≥ 0`` (``f(0)`` is the limit ``f(0+)``); NaN for ``u < 0``."""
        u = np.asarray(u, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(self.f_log(np.log(u)), dtype=np.float64)
        return out[()] if out.ndim == 0 else out

    def f_prime(self, u):
        """``f′(u)`` for ``u > 0`` (``f′(0) = f′(0+)``, possibly ``-inf``)."""
        u = np.asarray(u, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(self.f_prime_log(np.log(u)), dtype=np.float64)
        return out[()] if out.ndim == 0 else out

    def optimal_critic(self, logp, logq):
        """``T*(x) = f′(p(x)/q(x))`` from log densities (the maximiser of the variational bound)."""
        logp = np.asarray(logp, dtype=np.float64)
        logq = np.asarray(logq, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            r = np.where(np.isneginf(logp) & np.isneginf(logq), 0.0, logp - logq)
        return self.f_prime_log(r)

    def phi_log(self, r):
        """The centred generator ``φ(e^r) = f(e^r) − f(1) − f′(1)(e^r − 1) ≥ 0``, vectorised."""
        from ._kernels import centred_phi

        return centred_phi(self, r)

    @property
    def compiled(self) -> bool:
        """True when the member has numba scalar kernels (the fast engine path)."""
        return self.phi_lo is not None and self.phi_hi is not None

    def __repr__(self):
        p = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"FDivergence({self.name!r}{', ' + p if p else ''}: f(u) = {self.formula})"
