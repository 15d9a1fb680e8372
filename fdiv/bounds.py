"""Variational lower bounds on f-divergences, optimal critics, and KL's other bounds.

The variational representation (Nguyen, Wainwright & Jordan 2010; Nowozin, Cseke & Tomioka 2016;
the lecture, §16.2.2)::

    D_f(P‖Q) = sup_T  E_P[T] − E_Q[f*(T)],      attained at T*(x) = f′(p(x)/q(x)),

with ``f*`` the Fenchel conjugate of ``f`` restricted to ``u ≥ 0`` (``FDivergence.conjugate``).
For every critic the gap is the Fenchel–Young gap::

    D_f − bound(T) = E_Q[f(r) + f*(T) − r·T] ≥ 0,      r = p/q.

Conventions
-----------
* **Domain of the critic.**  ``f* = +∞`` outside ``dom f*``; a critic with ``T(x) ∉ dom f*`` at a
  point where ``q(x) > 0`` makes ``E_Q[f*(T)] = +∞`` and the bound ``−∞``.  Where ``q(x) = 0 < p(x)``
  the critic must still lie in the *closure* of ``dom f*`` (whose supremum is ``f′(∞)``): that is
  what keeps ``bound ≤ D_f`` when P is not absolutely continuous w.r.t. Q (otherwise
  ``0·f*(T) = 0`` would let ``E_P[T]`` grow without limit).  Either violation gives ``−inf`` and a
  :class:`CriticDomainWarning` whose ``where`` attribute lists the offending points.
* Zeros: ``0·(±∞) = 0`` (a point with ``p = 0`` contributes nothing to ``E_P[T]``; a point with
  ``q = 0`` nothing to ``E_Q[f*(T)]``), as in Csiszár's conventions.  Products of a density and
  a value are formed in log space, so a density below the smallest double still counts.  The
  optimal critic's products ``p·T*`` and ``q·f*(T*)`` are evaluated exactly (mpmath) wherever
  ``T*`` or ``f*(T*)`` overflow or round onto an end of ``dom f*``.
* Single points: a log density of ``+inf`` (Beta with a shape < 1 at its end) and an infinite
  integrand seen only at a finite support end are measure zero.
* ``raw=True``: the critic returns an unconstrained ``V`` and ``T = g_f(V)`` is the f-GAN output
  activation (``FDivergence.activation``); ``f*(g_f(V))`` is ``FDivergence.conjugate_activation``,
  composed in closed form (softplus, expm1), never ``conjugate(activation(v))``.
* Critics may return any real dtype (float32 included); values are promoted to float64.

Distributions are 1-D continuous (scipy.stats frozen, :class:`fdiv.Mixture`, objects with
``logpdf``/``support``) and then every expectation is computed by :func:`fdiv.integrate`; or 1-D
probability arrays (discrete), and then expectations are exact sums and a critic is an array of
values (or a callable applied to the indices ``0 … n−1``).

References
----------
X. Nguyen, M. J. Wainwright, M. I. Jordan (2010), Estimating divergence functionals and the
likelihood ratio by convex risk minimization, IEEE Trans. Inf. Theory 56(11).
S. Nowozin, B. Cseke, R. Tomioka (2016), f-GAN, NeurIPS.
M. D. Donsker, S. R. S. Varadhan (1983), Asymptotic evaluation of certain Markov process
expectations for large time IV, Comm. Pure Appl. Math. 36(2).
I. Goodfellow et al. (2014), Generative adversarial nets, NeurIPS (the optimal discriminator).
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
from scipy.special import expit, logsumexp

from ._registry import resolve
from ._kernels import integrand as _centred_integrand
from .discrete import as_probabilities

__all__ = [
    "bound", "bound_mc", "bound_gap", "optimal_critic", "optimal_discriminator", "gan_value",
    "donsker_varadhan", "nwj", "donsker_varadhan_mc", "nwj_mc", "MCEstimate",
    "CriticDomainWarning",
]


class CriticDomainWarning(UserWarning):
    """A critic left ``dom f*`` on the support: the bound is ``−inf``.

    Attributes
    ----------
    where : ndarray
        Up to 20 points (x values, or indices for discrete distributions) where it happened.
    values : ndarray
        The critic's values there.
    """

    def __init__(self, message, where=(), values=()):
        super().__init__(message)
        self.where = np.asarray(where, dtype=np.float64)
        self.values = np.asarray(values, dtype=np.float64)


class MCEstimate(NamedTuple):
    """A Monte Carlo estimate with its standard error (``estimate ± stderr``)."""

    estimate: float
    stderr: float
    n_p: int
    n_q: int


# --------------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------------
def _is_discrete(obj) -> bool:
    return isinstance(obj, (list, tuple, np.ndarray)) and not hasattr(obj, "logpdf")


def _pair(p, q):
    dp, dq = _is_discrete(p), _is_discrete(q)
    if dp != dq:
        raise TypeError("p and q must both be probability arrays or both be distributions")
    if dp:
        p = as_probabilities(p, "p")
        q = as_probabilities(q, "q")
        if p.shape != q.shape:
            raise ValueError(f"p and q have lengths {p.size} and {q.size}; they must match")
    return dp, p, q


def _critic_values(critic, x, name="critic"):
    """Critic values at ``x`` as float64 with x's shape; NaN is an error.

    A callable is evaluated at the finite points only: quadrature of a divergent integral may
    probe ``x = ±inf``, where every density vanishes; the value there is set to 0.
    """
    if callable(critic):
        x = np.asarray(x)
        fin = np.isfinite(x)
        if fin.all():
            v = critic(x)
        else:
            v = np.zeros(x.shape)
            if fin.any():
                v[fin] = _critic_values(critic, x[fin], name)
    else:
        v = critic
    try:
        v = np.asarray(v)
        if not (np.issubdtype(v.dtype, np.floating) or np.issubdtype(v.dtype, np.integer)
                or v.dtype == np.bool_):
            raise TypeError
        v = np.broadcast_to(v.astype(np.float64), np.shape(x))
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must return real numbers with the shape of its input {np.shape(x)}, "
            f"got {getattr(v, 'dtype', type(v))} of shape {np.shape(v)}"
        ) from None
    if np.isnan(v).any():
        i = int(np.flatnonzero(np.isnan(v).ravel())[0])
        xi = np.ravel(x)[i]
        raise ValueError(f"{name} returned NaN at x={xi!r}; a critic must be real-valued")
    return v


def _discrete_critic(critic, n):
    if callable(critic):
        return _critic_values(critic, np.arange(n, dtype=np.float64))
    arr = np.asarray(critic)
    if arr.shape != (n,):
        raise ValueError(f"critic has shape {arr.shape}; for discrete p, q give {n} values (one per atom)")
    return _critic_values(arr, np.arange(n))


def _geometry(div, critic, p, q, raw):
    """``(kinks, ends)``: breakpoints for the quadrature and the finite support ends.

    Where f is not smooth (tv, …) the optimal critic and the gap integrand jump where p = q:
    those crossings (found by the engine's root finder) become quadrature breakpoints.
    """
    from .distributions import as_normal
    from .engine import _crossings, _support_ends

    P, Q = as_normal(p, "p"), as_normal(q, "q")
    left, right = _support_ends([P, Q])
    kinks = []
    if not div.smooth and (critic is None or isinstance(critic, _OptimalCritic)) and not raw:
        pts = np.unique(np.concatenate([P.landmarks, Q.landmarks]))
        if pts.size:
            kinks = _crossings(P, Q, pts, max(P.scale, Q.scale))
    return kinks, left | right


def _as_critic(critic, values):
    """A discrete critic as a callable on indices (keeping an optimal critic recognisable)."""
    return critic if isinstance(critic, _OptimalCritic) else (lambda _x: values)


def _logpdf(dist, x):
    from . import logpdf

    return logpdf(dist, x)


def _integrate(func, *dists, rtol, points=()):
    """``(∫ func, abs error)`` by :func:`fdiv.integrate`, certified relative to ``∫|func|``.

    An expectation like ``E_P[T]`` may be 0 or tiny by cancellation (an odd critic under a
    symmetric P), where no relative tolerance on the value can be met.  When the engine reports
    that ``rtol·|value|`` was not reached, the error estimate is compared with ``rtol·∫|func|``
    (the scale the quadrature can certify) and :class:`fdiv.IntegrationWarning` is re-issued
    only if it exceeds that too.
    """
    from . import integrate
    from .engine import IntegrationWarning

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", IntegrationWarning)
        val, err = integrate(func, *dists, rtol=rtol, return_error=True, points=points)
    val, err = float(val), float(err)
    if any(issubclass(w.category, IntegrationWarning) for w in rec):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IntegrationWarning)
            l1 = float(integrate(lambda x: np.abs(func(x)), *dists, rtol=1e-3, points=points))
        if not err <= rtol * l1:
            warnings.warn(IntegrationWarning(
                f"expectation did not reach rtol={rtol:g}: value {val!r}, error estimate {err:.3g} "
                f"(∫|integrand| = {l1:.3g})", err), stacklevel=4)
    return val, err


# --------------------------------------------------------------------------------------------
# the pointwise pieces
# --------------------------------------------------------------------------------------------
def _violations(div, t, p_pos, q_pos, fstar):
    """Points where ``t`` is outside dom f* (q > 0) or outside its closure (p > 0 or q > 0).

    ``f*(t) = +inf`` strictly inside ``conjugate_domain`` is a float overflow, not a violation
    (see :func:`_q_times_conjugate`).
    """
    lo, hi = div.conjugate_domain
    outside_closure = (t < lo) | (t > hi)
    inside = (t > lo) & (t < hi)
    return (q_pos & np.isposinf(fstar) & ~inside) | ((p_pos | q_pos) & outside_closure)


def mp_generator(div):
    """``(f, f′)`` of a member as mpmath functions of ``u``, from its sympy ``formula``.

    Independent of the member's float numerics; used for overflowed conjugates here and by
    :func:`fdiv.testing.check_fenchel_young`.
    """
    key = (div.name, div.formula, tuple(sorted(div.params.items())))
    got = _MP_GENERATORS.get(key)
    if got is None:
        import sympy

        u = sympy.Symbol("u", positive=True)
        syms = {k: sympy.Symbol(k) for k in div.params}
        expr = sympy.sympify(div.formula, locals={**syms, "u": u})
        expr = expr.subs({syms[k]: sympy.nsimplify(v) for k, v in div.params.items()})
        got = (sympy.lambdify(u, expr, "mpmath"), sympy.lambdify(u, sympy.diff(expr, u), "mpmath"))
        _MP_GENERATORS[key] = got
    return got


_MP_GENERATORS: dict = {}


def _log_conjugate_large(div, t):
    """``log f*(t)`` for a large ``t`` where the float ``f*(t)`` overflowed.

    ``f*(t) = t·u* − f(u*)`` with ``f′(u*) = t`` (Fenchel–Young equality): ``r* = log u*`` by
    bisection on the member's ``f_prime_log`` (nondecreasing), then ``t e^{r*} − f(e^{r*})`` in
    mpmath from the sympy ``formula`` (an error in ``r*`` changes the value only at second
    order, since ``u*`` maximises ``t u − f(u)``).
    """
    import mpmath

    def fp(r):
        with np.errstate(all="ignore"):
            return float(div.f_prime_log(np.float64(r)))

    lo, hi = 0.0, 1.0
    while fp(hi) < t:
        lo, hi = hi, 2.0 * hi
        if hi > 1e300:
            raise FloatingPointError(f"f*(t) of {div.name!r}: no u with f'(u) = t = {t!r}")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if fp(mid) < t else (lo, mid)
    r = 0.5 * (lo + hi)
    f, _ = mp_generator(div)
    with mpmath.workdps(50):  # t u and f(u) cancel only by a factor ~t here
        u = mpmath.exp(mpmath.mpf(r))
        val = mpmath.mpf(float(t)) * u - f(u)
        if not val > 0:
            raise FloatingPointError(f"f*(t) of {div.name!r} at t={t!r}: FY value {val} not positive")
        return float(mpmath.log(val))


def _q_times_conjugate(div, lq, t, fs):
    """``q·f*(t)`` with ``0·f* = 0`` where q = 0, and in log space where ``f*(t)`` overflowed.

    ``f*`` of kl, jeffreys (and alpha near 1) grows like ``e^t``: ``f*(t) = inf`` for ``t ≳ 710``
    while ``q·f*(t)`` is usually tiny.  There ``exp(log q + log f*(t))`` is formed with
    ``log f*`` from :func:`_log_conjugate_large`.
    """
    out = _times(lq, fs)
    lo, hi = div.conjugate_domain
    over = np.isposinf(fs) & (t > lo) & (t < hi) & np.isfinite(t) & ~np.isneginf(lq)
    if over.any():
        vals = np.array([_log_conjugate_large(div, float(tv)) for tv in np.ravel(t[over])])
        with np.errstate(over="ignore"):
            out[over] = np.exp(lq[over] + vals)
    return out


def _warn_domain(div, where, values):
    where = np.asarray(where)[:20]
    values = np.asarray(values)[:20]
    lo, hi = div.conjugate_domain
    msg = (f"critic leaves dom f* = ({lo}, {hi}) of {div.name!r} at {len(where)}+ points "
           f"(first: x={where[0]!r}, T={values[0]!r}); the bound is -inf. Use raw=True with an "
           f"unconstrained critic to map it through the f-GAN activation.")
    warnings.warn(CriticDomainWarning(msg, where, values), stacklevel=3)


class _Tracker:
    """Collects non-finite integrand values and domain violations seen during quadrature.

    An infinite integrand value makes the integral infinite unless it is seen only at finite
    support ends (``ends``): a node that rounded onto an end, where e.g. ``p = 0 < q`` and
    ``f(0) = ∞`` at that one point only, is measure zero.  NaN is never zeroed: it makes the
    total NaN (and the bound an error).
    """

    def __init__(self, ends=()):
        self.ends = set(ends)
        self.nan = False
        self.pos_x = set()
        self.neg_x = set()
        self.bad_x = []
        self.bad_t = []

    def finite(self, v, x=None):
        v = np.asarray(v, dtype=np.float64)
        if np.isnan(v).any():
            self.nan = True
        if not np.isfinite(v).all():
            xs = np.ravel(x) if x is not None else np.arange(v.size, dtype=np.float64)
            self.pos_x.update(xs[np.ravel(np.isposinf(v))][:8].tolist())
            self.neg_x.update(xs[np.ravel(np.isneginf(v))][:8].tolist())
        return np.where(np.isfinite(v), v, 0.0)

    def flag(self, x, t, bad):
        if bad.any():
            self.bad_x.extend(np.ravel(x)[np.ravel(bad)][:20].tolist())
            self.bad_t.extend(np.ravel(t)[np.ravel(bad)][:20].tolist())

    def total(self, value):
        if self.ends is None:  # infinities known to be artefacts (see _bound_continuous)
            return math.nan if self.nan else value
        pos, neg = bool(self.pos_x - self.ends), bool(self.neg_x - self.ends)
        if self.nan or (pos and neg):
            return math.nan
        if pos:
            return math.inf
        if neg:
            return -math.inf
        return value


def _times(dens_log, v):
    """``exp(dens_log)·v`` formed in log space (``sign(v)·exp(dens_log + log|v|)``).

    So a density that underflows (log density below −745) times a large value keeps its
    product; ``0·(±inf) = 0`` where the density is zero; a log density of ``+inf`` (Beta with a
    shape < 1 at its end point) is a single point, measure zero, and contributes 0.
    """
    dens_log = np.asarray(dens_log, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        out = np.sign(v) * np.exp(dens_log + np.log(np.abs(v)))
    out = np.where(v == 0.0, 0.0, out)
    return np.where(np.isinf(dens_log), 0.0, out)


def _probe_points(dist):
    """Points spread over the bulk and tails of ``dist`` (for the domain check), or empty."""
    u = np.concatenate([np.geomspace(1e-12, 0.01, 40), np.linspace(0.01, 0.99, 197),
                        1.0 - np.geomspace(0.01, 1e-12, 40)])
    comps = getattr(dist, "components", None) or [dist]
    pts = []
    for c in comps:
        ppf = getattr(c, "ppf", None)
        if callable(ppf):
            try:
                v = np.asarray(ppf(u), dtype=np.float64)
            except Exception:  # pragma: no cover - exotic user objects
                continue
            pts.append(v[np.isfinite(v)])
    return np.unique(np.concatenate(pts)) if pts else np.empty(0)


def _terms(div, critic, raw, x, lp, lq):
    """``(T, f*(T))`` at points ``x`` (``raw`` applies the activation)."""
    v = _critic_values(critic, x)
    if raw:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            t = np.asarray(div.activation(v), dtype=np.float64)
            fs = np.asarray(div.conjugate_activation(v), dtype=np.float64)
        return t, fs, np.zeros(np.shape(x), dtype=bool)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        fs = np.asarray(div.conjugate(v), dtype=np.float64)
    # f*(−∞) = lim_{t→−∞} sup_u (tu − f(u)) = −f(0+), whatever the member's formula gives there
    fs = np.where(np.isneginf(v), -div.f_at_zero, fs)
    bad = _violations(div, v, ~np.isneginf(lp), ~np.isneginf(lq), fs)
    bad &= ~(np.isposinf(lp) | np.isposinf(lq))  # a singular end point is a single point
    if isinstance(critic, _OptimalCritic) and critic.div is div:
        # T* = f′(p/q) is in dom f* wherever p, q > 0; it can only *round* onto the open end
        # (p/q beyond float resolution): not a violation (see _products)
        bad &= ~(np.isfinite(lp) & np.isfinite(lq))
    return v, fs, bad


def _products(div, critic, raw, x, lp, lq):
    """``(T, p·T, q·f*(T), violations)`` at points ``x`` (0·(±∞) = 0 where a density is 0).

    For the optimal critic ``T* = f′(u)``, ``u = p/q``, at points where both densities are
    positive but ``T*`` or ``f*(T*)`` overflowed or rounded onto the open end of ``dom f*``
    (``|log u|`` in the hundreds), the two products ``p f′(u)`` and
    ``q f*(f′(u)) = p f′(u) − q f(u)`` (Fenchel–Young equality) are evaluated in mpmath from the
    member's sympy ``formula``: far in the tails ``p·T*`` can be O(q), e.g. ``−q`` for reverse KL.
    """
    t, fs, bad = _terms(div, critic, raw, x, lp, lq)
    lp = np.asarray(lp, dtype=np.float64)
    lq = np.asarray(lq, dtype=np.float64)
    pt = _times(lp, t)
    optimal = isinstance(critic, _OptimalCritic) and critic.div is div and not raw
    if optimal:  # overflowed f*(T*) is recomputed below, from p and q
        qf = _times(lq, np.where(bad, 0.0, fs))
    else:
        qf = _q_times_conjugate(div, lq, t, np.where(bad, 0.0, fs))
    if optimal:
        lo, hi = div.conjugate_domain
        both = np.isfinite(lp) & np.isfinite(lq)
        fix = both & (~np.isfinite(pt) | ~np.isfinite(qf) | ~np.isfinite(t) | ~np.isfinite(fs)
                      | (t == hi) | (t == lo))
        if fix.any():
            idx = np.flatnonzero(fix.ravel())
            pt, qf = pt.astype(np.float64).ravel(), qf.astype(np.float64).ravel()
            for i in idx:
                pt[i], qf[i] = _optimal_products_mp(div, float(np.ravel(lp)[i]), float(np.ravel(lq)[i]))
            pt, qf = pt.reshape(np.shape(t)), qf.reshape(np.shape(t))
    return t, pt, qf, bad


def _optimal_products_mp(div, lp, lq):
    """``(p f′(u), p f′(u) − q f(u))`` with ``u = p/q``, in mpmath.

    ``log u = log p − log q`` is formed in mpmath from the two (exact) float logs: in a
    double-exponential tail (Gumbel) ``|log q|`` reaches 1e20 and a float difference would
    lose ``u`` entirely.  50 significant digits beyond the integer part of the logs: the
    products are needed to absolute accuracy ~1e-50·max(p, q), whatever the cancellation in
    ``p f′(u) − q f(u)`` does to their relative accuracy.
    """
    import mpmath

    f, fp = mp_generator(div)
    extra = int(math.log10(max(abs(lp), abs(lq), 1.0)))
    with mpmath.workdps(50 + extra):
        mlp, mlq = mpmath.mpf(lp), mpmath.mpf(lq)
        u = mpmath.exp(mlp - mlq)
        p, q = mpmath.exp(mlp), mpmath.exp(mlq)
        a = p * fp(u)
        return float(a), float(a - q * f(u))


# --------------------------------------------------------------------------------------------
# the bound
# --------------------------------------------------------------------------------------------
def bound(div, critic, p, q, *, raw=False, rtol=1e-10, return_error=False):
    r"""The variational lower bound ``E_P[T] − E_Q[f*(T)] ≤ D_f(P‖Q)`` for a critic ``T``.

    Parameters
    ----------
    div : str or FDivergence
        Registry name (``'kl'``) or member.
    critic : callable or array_like
        ``T: ℝ → ℝ`` (vectorised over a 1-D float array); for discrete p, q an array of ``n``
        values or a callable applied to the indices ``0 … n−1``.  With ``raw=True`` it returns
        the unconstrained ``V`` and ``T = g_f(V)``.
    p, q : distributions or 1-D probability arrays
    raw : bool
        Apply the f-GAN activation (``T = g_f(V)``, ``f*(T)`` composed stably).
    rtol : float
        Relative tolerance handed to :func:`fdiv.integrate` for each of the two expectations.
    return_error : bool
        Also return the absolute error estimate (sum of the two quadrature errors; 0 for
        discrete inputs).

    Returns
    -------
    float, or (float, float) with ``return_error``
        ``-inf`` (with a :class:`CriticDomainWarning`) if the critic leaves ``dom f*`` on the
        supports (see the module conventions); ``+inf`` when ``E_P[T] = +∞`` with finite
        ``E_Q[f*(T)]`` (e.g. the optimal critic where ``D_f = ∞``).

    Notes
    -----
    ``D_f(P‖Q) ≥ E_P[T] − E_Q[f*(T)]`` for every T, with equality at ``T = f′(p/q)``
    (Nguyen et al. 2010, Lemma 1; Nowozin et al. 2016, eq. 4).

    Examples
    --------
    >>> import numpy as np, fdiv
    >>> p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    >>> T = fdiv.optimal_critic('kl', p, q)
    >>> round(fdiv.bound('kl', T, p, q), 12) == round(0.5*np.log(2) + 0.5*np.log(2/3), 12)
    True
    """
    div = resolve(div)
    discrete, p, q = _pair(p, q)
    if discrete:
        value = _bound_discrete(div, critic, p, q, raw)
        return (value, 0.0) if return_error else value
    value, err = _bound_continuous(div, critic, p, q, raw, rtol)
    return (value, err) if return_error else value


def _bound_discrete(div, critic, p, q, raw):
    n = p.size
    idx = np.arange(n)
    with np.errstate(divide="ignore"):
        lp, lq = np.log(p), np.log(q)
    v = _discrete_critic(critic, n)
    t, ep, eq, bad = _products(div, _as_critic(critic, v), raw, idx, lp, lq)
    if bad.any():
        _warn_domain(div, idx[bad], t[bad])
        return -math.inf
    return _combine(_fsum(ep), _fsum(eq))


def _fsum(terms):
    if np.isposinf(terms).any() and np.isneginf(terms).any():
        return math.nan
    if not np.isfinite(terms).all():
        return float(np.sum(terms))
    return math.fsum(terms)


def _combine(ep, eq):
    """``E_P[T] − E_Q[f*(T)]`` with infinities; an undefined ∞ − ∞ is an error."""
    if math.isnan(ep) or math.isnan(eq) or (math.isinf(ep) and math.isinf(eq) and ep == eq):
        raise ValueError(
            f"the bound is undefined: E_P[T] = {ep}, E_Q[f*(T)] = {eq}; the critic must make at "
            "least one of the two expectations finite"
        )
    return ep - eq


def _bound_continuous(div, critic, p, q, raw, rtol):
    if isinstance(critic, _OptimalCritic) and critic.div is div and not raw:
        from . import divergence

        # where D_f = ∞ (decided analytically by the engine: support mismatch, tails) the bound
        # at T* is ∞ too (the limit of its truncations), while its two expectations diverge
        # and no quadrature of them could be trusted
        if divergence(div, p, q, rtol=rtol) == math.inf:
            return math.inf, 0.0
    kinks, ends = _geometry(div, critic, p, q, raw)
    trk_p, trk_q, dom = _Tracker(ends), _Tracker(ends), _Tracker()
    if isinstance(critic, _OptimalCritic) and critic.div is div and not raw:
        # D_f < ∞ here, so E_P[T*] and E_Q[f*(T*)] = E_P[T*] − D_f are finite: an infinite
        # value at a node is a float artefact (a log density that underflowed to −inf inside its
        # support, e.g. a Gumbel tail −e^{|x|} beyond |x| ≈ 709), not a divergent integral
        trk_p.ends = trk_q.ends = None

    def integrand_p(x):
        lp, lq = _logpdf(p, x), _logpdf(q, x)
        t, pt, _qf, bad = _products(div, critic, raw, x, lp, lq)
        dom.flag(x, t, bad)
        return trk_p.finite(pt, x)

    def integrand_q(x):
        lp, lq = _logpdf(p, x), _logpdf(q, x)
        t, _pt, qf, bad = _products(div, critic, raw, x, lp, lq)
        dom.flag(x, t, bad)
        return trk_q.finite(qf, x)

    if not raw:  # probe the bulk and tails too, so a narrow excursion is not missed
        x = np.unique(np.concatenate([_probe_points(p), _probe_points(q)]))
        if x.size:
            lp, lq = _logpdf(p, x), _logpdf(q, x)
            t, _fs, bad = _terms(div, critic, raw, x, lp, lq)
            dom.flag(x, t, bad)
    # both over the union of the supports, so each uses the other's landmarks and end points:
    # T(x) (T* certainly) may be singular or kinked where the *other* density is
    ep, err_p = _integrate(integrand_p, p, q, rtol=rtol, points=kinks)
    eq, err_q = _integrate(integrand_q, p, q, rtol=rtol, points=kinks)
    if dom.bad_x:
        _warn_domain(div, dom.bad_x, dom.bad_t)
        return -math.inf, 0.0
    ep, eq = trk_p.total(ep), trk_q.total(eq)
    if isinstance(critic, _OptimalCritic) and math.isinf(ep) and ep == eq:
        # ∞ − ∞ at T*: both E_P[f′(r)] and E_Q[f*(f′(r))] = E_P[f′(r)] − D_f diverge, so D_f = ∞;
        # the bounds of the truncations of T* increase to it (the pointwise gap decreases to 0)
        return math.inf, 0.0
    return _combine(ep, eq), err_p + err_q


def bound_gap(div, critic, p, q, *, raw=False, rtol=1e-10, return_error=False):
    r"""The Fenchel–Young gap ``E_Q[f(r) + f*(T) − r·T] = D_f(P‖Q) − bound(T) ≥ 0``.

    Computed directly as one integral (sum) of the pointwise gap
    ``q f(p/q) + q f*(T) − p T`` (with ``q f(p/q) = p f′(∞)`` where ``q = 0``), so it is an
    independent check of ``D_f − bound`` (Fenchel–Young: each point contributes ≥ 0).
    Returns ``inf`` when the critic leaves ``dom f*`` where ``q > 0``.
    """
    div = resolve(div)
    discrete, p, q = _pair(p, q)

    def density(lp, lq, t, pt, qf):
        # q f(p/q) = q φ(p/q) + f(1) q + f′(1)(p − q), with q φ(p/q) from the engine's kernel
        # (log space, larger density in front; p (f′(∞) − f′(1)) where q = 0)
        lp = np.ascontiguousarray(lp, dtype=np.float64).ravel()
        lq = np.ascontiguousarray(lq, dtype=np.float64).ravel()
        t, pt, qf = np.ravel(t), np.ravel(pt), np.ravel(qf)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            q_phi = _centred_integrand(div, lp, lq)
            pd, qd = np.exp(lp), np.exp(lq)
            g = q_phi + qf + (div.f_at_one - div.f_prime_at_one) * qd + div.f_prime_at_one * pd - pt
            # where q = 0 < p the pointwise gap is p (f′(∞) − T): 0 at T = f′(∞) even if infinite
            qzero = np.isneginf(lq) & (pd > 0)
            g = np.where(qzero & (t == div.f_prime_at_inf), 0.0, g)
            g = np.where(np.isposinf(lp) | np.isposinf(lq), 0.0, g)  # singular end points
            return np.where(np.isneginf(lp) & np.isneginf(lq), 0.0, g)

    if discrete:
        with np.errstate(divide="ignore"):
            lp, lq = np.log(p), np.log(q)
        idx = np.arange(p.size)
        v = _discrete_critic(critic, p.size)
        t, pt, qf, bad = _products(div, _as_critic(critic, v), raw, idx, lp, lq)
        value = math.inf if bad.any() else _fsum(density(lp, lq, t, pt, qf))
        return (value, 0.0) if return_error else value
    _kinks, ends = _geometry(div, None, p, q, False)  # φ(p/q) has its kink where p = q
    trk = _Tracker(ends)
    hit = [False]

    def integrand(x):
        lp, lq = _logpdf(p, x), _logpdf(q, x)
        t, pt, qf, bad = _products(div, critic, raw, x, lp, lq)
        hit[0] |= bool(bad.any())
        return trk.finite(density(lp, lq, t, pt, qf), x)

    value, err = _integrate(integrand, p, q, rtol=rtol, points=_kinks)
    value = math.inf if hit[0] else trk.total(value)
    return (value, err) if return_error else value


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------
def _samples(x, name):
    x = np.asarray(x)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 samples, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must contain finite real samples")
    return x


def bound_mc(div, critic, x_p, x_q, *, raw=False):
    r"""Monte Carlo estimate of ``E_P[T] − E_Q[f*(T)]`` from samples, with its standard error.

    ``estimate = mean T(x_p) − mean f*(T(x_q))`` is unbiased for :func:`bound`; ``stderr =
    sqrt(s_P²/n_P + s_Q²/n_Q)`` with the sample variances (ddof = 1) of the two independent
    samples.  A critic value outside ``dom f*`` at a Q sample gives ``estimate = -inf`` (with a
    :class:`CriticDomainWarning`) and ``stderr = nan``.

    Returns
    -------
    MCEstimate
        ``(estimate, stderr, n_p, n_q)``.
    """
    div = resolve(div)
    x_p, x_q = _samples(x_p, "x_p"), _samples(x_q, "x_q")
    vp = _critic_values(critic, x_p)
    vq = _critic_values(critic, x_q)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if raw:
            tp = np.asarray(div.activation(vp), dtype=np.float64)
            fq = np.asarray(div.conjugate_activation(vq), dtype=np.float64)
        else:
            tp, fq = vp, np.asarray(div.conjugate(vq), dtype=np.float64)
    if not raw:
        lo, hi = div.conjugate_domain
        bad_p = (tp < lo) | (tp > hi)
        bad_q = (np.isposinf(fq) & ~((vq > lo) & (vq < hi))) | (vq < lo) | (vq > hi)
        if bad_p.any() or bad_q.any():
            _warn_domain(div, np.concatenate([x_p[bad_p], x_q[bad_q]]),
                         np.concatenate([tp[bad_p], vq[bad_q]]))
            return MCEstimate(-math.inf, math.nan, x_p.size, x_q.size)
    return _two_sample(tp, fq)


def _two_sample(a, b):
    est = _combine(float(np.mean(a)), float(np.mean(b)))
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return MCEstimate(est, math.nan, a.size, b.size)
    se = math.sqrt(np.var(a, ddof=1) / a.size + np.var(b, ddof=1) / b.size)
    return MCEstimate(est, se, a.size, b.size)


# --------------------------------------------------------------------------------------------
# optimal critics
# --------------------------------------------------------------------------------------------
class _LogRatioCallable:
    """``x ↦ h(log p(x), log q(x))`` for continuous p, q (a picklable, printable callable)."""

    def __init__(self, kind, fn, p, q, label):
        self.kind, self._fn, self.p, self.q, self._label = kind, fn, p, q, label

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(over="ignore"):  # f′ far in the tails may overflow to ±inf: intended
            return self._fn(_logpdf(self.p, x), _logpdf(self.q, x))

    def __repr__(self):
        return f"<{self.kind} {self._label}>"


class _OptimalCritic(_LogRatioCallable):
    """``x ↦ f′(p(x)/q(x))`` of one member (recognised by :func:`bound` at the open end)."""

    def __init__(self, div, p, q):
        super().__init__("optimal critic", div.optimal_critic, p, q, f"f'(p/q) of {div.name!r}")
        self.div = div


def optimal_critic(div, p, q):
    r"""The maximiser of the variational bound, ``T*(x) = f′(p(x)/q(x))``.

    Computed from ``log p − log q`` by the member's ``optimal_critic`` (never ``p/q``); where
    ``q = 0 < p`` it is ``f′(∞)``, where ``p = 0 < q`` it is ``f′(0+)``, and where both vanish the
    member's convention (``r = 0``, i.e. ``f′(1)``) — irrelevant to the bound.

    Returns
    -------
    callable or ndarray
        A vectorised callable for continuous p, q; the array ``(T*_i)`` for probability arrays.
    """
    div = resolve(div)
    discrete, p, q = _pair(p, q)
    if discrete:
        with np.errstate(divide="ignore"):
            return np.asarray(div.optimal_critic(np.log(p), np.log(q)), dtype=np.float64)
    return _OptimalCritic(div, p, q)


def _log_ratio(lp, lq):
    with np.errstate(invalid="ignore"):
        return np.where(np.isneginf(lp) & np.isneginf(lq), 0.0, lp - lq)


def _discriminator(lp, lq):
    return expit(_log_ratio(np.asarray(lp, dtype=np.float64), np.asarray(lq, dtype=np.float64)))


class _Discriminator(_LogRatioCallable):
    """``x ↦ σ(log p − log q)``; ``.logit(x)`` gives ``log p − log q`` itself (no rounding to 0/1)."""

    def __init__(self, p, q):
        super().__init__("optimal discriminator", _discriminator, p, q, "p/(p+q)")

    def logit(self, x):
        x = np.asarray(x, dtype=np.float64)
        return _log_ratio(_logpdf(self.p, x), _logpdf(self.q, x))


def optimal_discriminator(p, q):
    r"""The GAN's optimal discriminator ``D*(x) = p/(p + q) = σ(log p − log q)`` (lecture §16.2.1).

    The sigmoid of the log ratio (``scipy.special.expit``): no overflow, exactly 1 where
    ``q = 0 < p`` and 0 where ``p = 0 < q``.  Where both densities vanish ``D*`` is arbitrary (it
    does not enter the GAN value); we return ½ (log ratio 0, the same convention as
    :func:`optimal_critic`), never NaN.

    Returns
    -------
    callable or ndarray
        A vectorised callable for continuous p, q (its ``logit(x)`` method returns
        ``log p − log q``, which :func:`gan_value` uses); the array ``(D*_i)`` for probability
        arrays.
    """
    discrete, p, q = _pair(p, q)
    if discrete:
        with np.errstate(divide="ignore"):
            return _discriminator(np.log(p), np.log(q))
    return _Discriminator(p, q)


def gan_value(discriminator, p, q, *, logits=False, rtol=1e-10, return_error=False):
    r"""The GAN objective ``V(D) = E_P[log D] + E_Q[log(1 − D)]`` (lecture §16.2.1).

    This is the f-GAN bound of the ``'gan'`` member with ``T = log D``
    (``f*(t) = −log(1 − e^t)``), so ``V(D) ≤ V(D*) = 2·JS(P‖Q) − log 4``.  With ``logits=True``
    the discriminator returns logits ``v`` (``D = σ(v)``) and ``log D = −softplus(−v)``,
    ``log(1 − D) = −softplus(v)`` are used (no ``log(sigmoid)``).  A discriminator equal to 1
    where ``q > 0`` (or 0 where ``p > 0``) gives ``−inf``.
    """
    if isinstance(discriminator, _Discriminator) and not logits:
        # D* from optimal_discriminator: use its exact logit, so log D* does not round to −inf
        # where D* underflows (far tails, where p·log D* ≈ p·log(p/q) still counts)
        discriminator, logits = discriminator.logit, True
    if logits:
        return bound("gan", discriminator, p, q, raw=True, rtol=rtol, return_error=return_error)
    if _is_discrete(p):
        d = _discrete_critic(discriminator, np.asarray(p).size)
        crit = _log_of(d)
    elif callable(discriminator):
        def crit(x):
            return _log_of(_critic_values(discriminator, x, "discriminator"))
    else:
        raise TypeError("discriminator must be callable for continuous p, q")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CriticDomainWarning)
        return bound("gan", crit, p, q, rtol=rtol, return_error=return_error)


def _log_of(d):
    if np.any((d < 0) | (d > 1)):
        raise ValueError("a discriminator returns probabilities in [0, 1]; use logits=True for logits")
    with np.errstate(divide="ignore"):
        return np.log(d)


# --------------------------------------------------------------------------------------------
# KL's other bounds
# --------------------------------------------------------------------------------------------
def nwj(critic, p, q, *, rtol=1e-10, return_error=False):
    r"""The NWJ bound ``KL(P‖Q) ≥ E_P[T] − E_Q[e^{T−1}]`` (Nguyen, Wainwright & Jordan 2010).

    It is the f-divergence bound of ``'kl'`` (``f*(t) = e^{t−1}``); tight at ``T = 1 + log(p/q)``.
    """
    return bound("kl", critic, p, q, rtol=rtol, return_error=return_error)


def nwj_mc(critic, x_p, x_q):
    """Monte Carlo NWJ estimate (unbiased for :func:`nwj`) with its standard error."""
    return bound_mc("kl", critic, x_p, x_q)


def donsker_varadhan(critic, p, q, *, rtol=1e-10, return_error=False):
    r"""The Donsker–Varadhan bound ``KL(P‖Q) ≥ E_P[T] − log E_Q[e^T]``.

    Tight at ``T = log(p/q) + c`` for any constant c; ``DV(T) ≥ NWJ(T)`` for every T (since
    ``log y ≤ y/e``).  ``log E_Q[e^T]`` is computed in log space: ``M + log ∫ q e^{T − M}`` with
    ``M`` the maximum of ``log q + T`` seen (re-integrated if the quadrature finds a larger one),
    the discrete sum by ``logsumexp``.
    """
    discrete, p, q = _pair(p, q)
    if discrete:
        t = _discrete_critic(critic, p.size)
        with np.errstate(invalid="ignore"):
            ep = _fsum(np.where(p > 0, p * t, 0.0))
            with np.errstate(divide="ignore"):
                lq = np.log(q)
            terms = np.where(q > 0, lq + t, -np.inf)
        value = _combine(ep, float(logsumexp(terms)))
        return (value, 0.0) if return_error else value
    trk = _Tracker()

    def integrand_p(x):
        lp = _logpdf(p, x)
        return trk.finite(_times(lp, _critic_values(critic, x)), x)

    ep, err_p = _integrate(integrand_p, p, rtol=rtol)
    ep = trk.total(ep)
    log_mgf, err_q = _log_expectation_exp(critic, q, rtol)
    value = _combine(ep, log_mgf)
    return (value, err_p + err_q) if return_error else value


def _log_expectation_exp(critic, q, rtol):
    """``(log E_Q[e^T], abs error)`` by quadrature with a max shift."""

    def g(x):
        lq = _logpdf(q, x)
        t = _critic_values(critic, x)
        with np.errstate(invalid="ignore"):
            return np.where(np.isneginf(lq), -np.inf, lq + t)

    x = _probe_points(q)
    shift = float(np.max(g(x))) if x.size else 0.0
    if not math.isfinite(shift):
        shift = 0.0 if shift == -math.inf else shift
    if shift == math.inf:
        return math.inf, 0.0
    for _ in range(3):
        seen = [-math.inf]

        def h(x, m=shift):
            v = g(x)
            seen[0] = max(seen[0], float(np.max(v)) if v.size else -math.inf)
            with np.errstate(over="ignore"):
                return np.exp(v - m)

        val, err = _integrate(h, q, rtol=rtol)
        if seen[0] == math.inf or not math.isfinite(val):
            return math.inf, 0.0
        if seen[0] <= shift + 600.0:
            break
        shift = seen[0]
    if val <= 0.0:
        return -math.inf, 0.0
    return shift + math.log(val), err / val


def donsker_varadhan_mc(critic, x_p, x_q):
    r"""Monte Carlo DV estimate ``mean T(x_p) − log mean e^{T(x_q)}`` with a delta-method stderr.

    The log of a sample mean is biased low for ``log E_Q[e^T]`` (Jensen), so this estimator is
    biased (upward by ``O(1/n_Q)``); ``stderr = sqrt(s_T²/n_P + s_w²/(n_Q w̄²))`` with
    ``w = e^{T(x_q)}`` (computed shifted by its maximum).
    """
    x_p, x_q = _samples(x_p, "x_p"), _samples(x_q, "x_q")
    tp = _critic_values(critic, x_p)
    tq = _critic_values(critic, x_q)
    m = float(np.max(tq))
    if not math.isfinite(m) or not np.isfinite(tp).all():
        est = _combine(float(np.mean(tp)), m if m == math.inf else float(logsumexp(tq) - math.log(tq.size)))
        return MCEstimate(est, math.nan, tp.size, tq.size)
    w = np.exp(tq - m)
    wbar = float(np.mean(w))
    est = float(np.mean(tp)) - (m + math.log(wbar))
    se = math.sqrt(np.var(tp, ddof=1) / tp.size + np.var(w, ddof=1) / (tq.size * wbar**2))
    return MCEstimate(est, se, tp.size, tq.size)
