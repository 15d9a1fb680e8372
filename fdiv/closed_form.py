"""Closed-form f-divergences: the independent oracles the quadrature engine is judged against.

``closed_form(div, p, q)`` returns ``D_f(P‖Q) = ∫ q f(p/q)`` (nats) from a formula, never from
quadrature, for the pairs of families where one exists:

* Gaussian–Gaussian (``scipy.stats.norm``): kl, reverse_kl, jeffreys, pearson, neyman,
  squared_hellinger, alpha (any ``a``), tv;
* exponential–exponential (``scipy.stats.expon``, any ``loc`` and ``scale``, so supports may
  differ): kl, reverse_kl, jeffreys, pearson, neyman, squared_hellinger, alpha, tv;
* Bernoulli–Bernoulli (``scipy.stats.bernoulli``, any ``loc``): every registry member, by the
  discrete formula with Csiszár's conventions at zeros.

Everything else raises :class:`NotImplementedError` naming the combination.  Frozen
distributions with array parameters broadcast (the result is an ndarray then).

The formulas are assembled in log space (``log1p``, ``expm1``) so that nearly equal
distributions lose no relative accuracy.
"""
from __future__ import annotations

import math

import numpy as np

from ._registry import resolve

__all__ = ["closed_form"]

#: The generators the continuous closed forms are derived for (checked against the member).
_GENERATORS = {
    "kl": lambda u, a: u * np.log(u),
    "reverse_kl": lambda u, a: -np.log(u),
    "jeffreys": lambda u, a: (u - 1.0) * np.log(u),
    "pearson": lambda u, a: (u - 1.0) ** 2,
    "neyman": lambda u, a: (1.0 - u) ** 2 / u,
    "squared_hellinger": lambda u, a: (np.sqrt(u) - 1.0) ** 2,
    "tv": lambda u, a: np.abs(u - 1.0),
    "alpha": lambda u, a: (u ** a - 1.0 - a * (u - 1.0)) / (a * (a - 1.0)),
}


def closed_form(div, p, q):
    r"""The f-divergence ``D_f(P‖Q) = ∫ q f(p/q)`` in closed form (an oracle for tests).

    Parameters
    ----------
    div : str or FDivergence
        A registry name (``'kl'``) or member (``fdiv.get('alpha', a=2.0)``).
    p, q : scipy.stats frozen distributions
        Both ``norm``, both ``expon`` or both ``bernoulli``; parameters may be given
        positionally or by keyword and may be arrays (broadcast against each other).

    Returns
    -------
    float or ndarray
        ``D_f(P‖Q)`` in nats; ``inf`` where the divergence is infinite.

    Raises
    ------
    NotImplementedError
        For a (divergence, family, family) combination without a closed form here.
    ValueError
        For a non-positive scale or a Bernoulli probability outside [0, 1].
    TypeError
        When ``p`` or ``q`` is not a frozen scipy.stats distribution.

    Notes
    -----
    **Gaussians** ``P = N(μ₁, σ₁²)``, ``Q = N(μ₂, σ₂²)``, ``δ = μ₁ − μ₂``, ``c = σ₁²/σ₂² − 1``:

    * ``KL = ½(c − log(1 + c)) + δ²/(2σ₂²)`` (= ``log(σ₂/σ₁) + (σ₁² + δ²)/(2σ₂²) − ½``);
      reverse_kl swaps P and Q, jeffreys is their sum.
    * pearson ``χ²(P‖Q) = ∫p²/q − 1 = exp(−½ log(1 − c²) + δ²/(σ₂²(1 − c))) − 1``, finite iff
      ``2σ₂² > σ₁²`` (else ``inf``); neyman is ``χ²(Q‖P)``, finite iff ``2σ₁² > σ₂²``.
    * squared_hellinger ``∫(√p − √q)² = 2(1 − BC)``,
      ``BC = √(2σ₁σ₂/(σ₁² + σ₂²)) exp(−δ²/(4(σ₁² + σ₂²)))``.
    * alpha ``(∫p^a q^{1−a} − 1)/(a(a − 1))`` with the exponential-family integral
      ``∫p^a q^{1−a} = exp(−(1 − a) R_a)``, the Rényi divergence
      ``R_a = ½[log(1 + (1−a)c)/(1−a) − log(1 + c)] + aδ²/(2σ_a²)``,
      ``σ_a² = aσ₂² + (1 − a)σ₁²``; ``inf`` when ``σ_a² ≤ 0``.  ``a = 1`` is KL, ``a = 0``
      reverse KL; for ``a < ½`` the identity ``D_a(P‖Q) = D_{1−a}(Q‖P)`` is used.
    * tv ``∫|p − q| = 2 Σ_I (P(I) − Q(I))`` over the intervals ``I`` where ``p > q`` (ends at
      the roots of the quadratic ``log p = log q``); for ``σ₁ = σ₂ = σ`` this is
      ``2(2Φ(|δ|/(2σ)) − 1) = 2 erf(|δ|/(2√2 σ))``.

    **Exponentials** ``P = Exp(ℓ₁, s₁)``, ``Q = Exp(ℓ₂, s₂)`` (``scipy.stats.expon(loc, scale)``).
    On the common support ``[L, ∞)``, ``L = max(ℓ₁, ℓ₂)``, ``P`` has mass ``m_p = e^{−(L−ℓ₁)/s₁}``
    and ``Q`` mass ``m_q = e^{−(L−ℓ₂)/s₂}``; restricted and renormalised both are exponentials
    from ``L`` with rate ratio ``ρ = s₁/s₂`` and ``∫p'^a q'^{1−a} = ρ^{1−a}/(a + (1 − a)ρ)``
    (finite iff ``a + (1 − a)ρ > 0``), ``KL(P'‖Q') = ρ − 1 − log ρ``.  With ``κ = m_p/m_q``,
    Csiszár's conventions give
    ``D = m_q ∫q' f(κ p'/q') + (1 − m_q) f(0) + (1 − m_p) f′(∞)`` (a zero mass times an
    infinite limit counts 0), and ``∫q' f(κ p'/q')`` is elementary for each generator, e.g.
    ``κ(log κ + KL(P'‖Q'))`` for kl, ``(κ − 1)² + κ²χ²(P'‖Q')`` for pearson,
    ``κ + 1 − 2√κ BC'`` for squared_hellinger.  For tv, ``κp' − q'`` changes sign at most once,
    at ``y* = log(κ/ρ)/(1/s₁ − 1/s₂)``.

    **Bernoulli** (and any ``loc``): ``D = Σ_x q(x) f(p(x)/q(x))`` over the (at most four)
    atoms, evaluated as ``q·f_log(log p − log q)``; an atom with ``p = 0 < q`` contributes
    ``q·f(0)``, one with ``q = 0 < p`` contributes ``p·f′(∞)``, one with both zero nothing
    (Csiszár 1967).  This uses the member's own generator, so it checks the engine's
    bookkeeping of atoms and zeros rather than the generator itself.

    References
    ----------
    .. [1] I. Csiszár (1967), Information-type measures of difference of probability
       distributions and indirect observations, Studia Sci. Math. Hungar. 2, 299–318.
    .. [2] F. Nielsen & R. Nock (2011), On Rényi and Tsallis entropies and divergences for
       exponential families, arXiv:1105.3259 (``∫p^a q^{1−a}`` for exponential families).
    .. [3] M. Gil, F. Alajaji & T. Linder (2013), Rényi divergence measures for commonly used
       univariate continuous distributions, Information Sciences 249, 124–131.
    .. [4] F. Nielsen & R. Nock (2014), On the chi square and higher-order chi distances for
       approximating f-divergences, IEEE Signal Processing Letters 21(1), 10–13.

    Examples
    --------
    >>> from scipy import stats
    >>> float(closed_form('kl', stats.norm(0, 1), stats.norm(1, 2)))  # ln 2 − 1/4
    0.4431471805599453
    """
    d = resolve(div)
    fp, fq = _Frozen.of(p, "p"), _Frozen.of(q, "q")
    pair = (fp.family, fq.family)
    if pair == ("bernoulli", "bernoulli"):
        return _result(_bernoulli(d, fp, fq))
    handler = {("norm", "norm"): _gaussian, ("expon", "expon"): _exponential}.get(pair)
    if handler is None or d.name not in _GENERATORS:
        raise NotImplementedError(
            f"closed_form has no formula for {d.name!r} between {fp.family} and {fq.family}; "
            "available: norm–norm and expon–expon for "
            f"{', '.join(sorted(_GENERATORS))}, and bernoulli–bernoulli for every member"
        )
    a = _check_generator(d)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _result(handler(d.name, a, fp, fq))


# -- parameters of frozen scipy distributions ----------------------------------------------
class _Frozen:
    """Family name and broadcastable float parameters of a frozen scipy.stats distribution."""

    def __init__(self, family, shapes, loc, scale):
        self.family, self.shapes, self.loc, self.scale = family, shapes, loc, scale

    @classmethod
    def of(cls, dist, argname):
        gen = getattr(dist, "dist", None)
        if gen is None or not hasattr(dist, "args") or not hasattr(dist, "kwds"):
            raise TypeError(
                f"{argname} must be a frozen scipy.stats distribution such as "
                f"scipy.stats.norm(0, 1), not {type(dist).__name__}"
            )
        from scipy.stats import rv_discrete  # lazy: scipy.stats costs ~0.6 s to import

        discrete = isinstance(gen, rv_discrete)
        shapes = [s.strip() for s in gen.shapes.split(",")] if gen.shapes else []
        order = shapes + ["loc"] + ([] if discrete else ["scale"])
        if len(dist.args) > len(order):
            raise TypeError(f"{argname}: {gen.name} takes at most {len(order)} parameters {order}")
        bound = dict(zip(order, dist.args))
        for key, value in dist.kwds.items():
            if key in bound or key not in order:
                raise TypeError(f"{argname}: bad or repeated parameter {key!r} for {gen.name}")
            bound[key] = value
        missing = [s for s in shapes if s not in bound]
        if missing:
            raise TypeError(f"{argname}: {gen.name} needs shape parameters {missing}")
        loc = np.asarray(bound.get("loc", 0.0), dtype=np.float64)
        scale = np.asarray(bound.get("scale", 1.0), dtype=np.float64)
        if np.any(~(scale > 0)):
            raise ValueError(f"{argname}: scale must be positive (got {scale})")
        return cls(gen.name, [np.asarray(bound[s], dtype=np.float64) for s in shapes], loc, scale)


def _result(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _check_generator(d):
    """The alpha parameter, after checking the member's f is the generator derived for."""
    a = float(d.params.get("a", 0.5)) if d.name == "alpha" else 0.0
    u = np.array([0.3, 2.5])
    with np.errstate(all="ignore"):
        want = _GENERATORS[d.name](u, a)
        got = np.asarray(d.f(u), dtype=np.float64)
    if d.name == "alpha" and a in (0.0, 1.0):
        want = _GENERATORS["reverse_kl" if a == 0.0 else "kl"](u, a)
    if not np.allclose(got, want, rtol=1e-8, atol=1e-12):
        raise NotImplementedError(
            f"member {d.name!r} has f(u) = {d.formula}, not the generator closed_form derives for"
            f" the name {d.name!r}"
        )
    return a


# -- small stable helpers --------------------------------------------------------------------
def _log1p_gap(c, b):
    """``g(c, b) = log(1 + b c)/b − log(1 + c)`` (``b = 0``: ``c − log(1 + c)``), stable.

    Series ``Σ_{k≥2} (−1)^{k+1} (b^{k−1} − 1) c^k / k`` for small ``|c|``.
    """
    c, b = np.broadcast_arrays(np.asarray(c, float), np.asarray(b, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        bsafe = np.where(b == 0.0, 1.0, b)
        direct = np.where(b == 0.0, c - np.log1p(c), np.log1p(b * c) / bsafe - np.log1p(c))
    series = np.zeros_like(c)
    ck = c * c
    for k in range(2, 48):
        series = series + (-1.0) ** (k + 1) * (b ** (k - 1) - 1.0) * ck / k
        ck = ck * c
    use = (np.abs(c) < 0.1) & (np.abs(b) <= 2.0)
    return np.where(use, series, direct)


def _renyi_gauss(a, m1, s1, m2, s2):
    """Rényi divergence ``R_a(N(m1,s1²)‖N(m2,s2²))`` (``inf`` where ``σ_a² ≤ 0``)."""
    b = 1.0 - a
    c = (s1 - s2) * (s1 + s2) / s2 ** 2
    w = 1.0 + b * c  # σ_a² / σ₂²
    delta = m1 - m2
    r = 0.5 * _log1p_gap(c, b) + a * delta ** 2 / (2.0 * s2 ** 2 * np.where(w > 0, w, 1.0))
    return np.where(w > 0, r, np.inf)


def _alpha_gauss(a, m1, s1, m2, s2):
    if a < 0.5:  # D_a(P‖Q) = D_{1−a}(Q‖P): keeps a → 0 as accurate as a → 1
        a, m1, s1, m2, s2 = 1.0 - a, m2, s2, m1, s1
    b = 1.0 - a
    r = _renyi_gauss(a, m1, s1, m2, s2)
    if b == 0.0:
        return r
    return np.where(np.isinf(r), np.inf, -np.expm1(-b * r) / (b * (1.0 - b)))


def _chi2_gauss(m1, s1, m2, s2):
    """``χ²(P‖Q) = ∫p²/q − 1``; ``inf`` unless ``2σ₂² > σ₁²``."""
    c = (s1 - s2) * (s1 + s2) / s2 ** 2
    ok = c < 1.0
    den = np.where(ok, 1.0 - c, 1.0)
    log_int = -0.5 * np.log1p(-c * c * ok) + (m1 - m2) ** 2 / (s2 ** 2 * den)
    return np.where(ok, np.expm1(log_int), np.inf)


def _kl_gauss(m1, s1, m2, s2):
    c = (s1 - s2) * (s1 + s2) / s2 ** 2
    return 0.5 * _log1p_gap(c, 0.0) + (m1 - m2) ** 2 / (2.0 * s2 ** 2)


def _hellinger_gauss(m1, s1, m2, s2):
    v = s1 ** 2 + s2 ** 2
    log_bc = 0.5 * np.log1p(-((s1 - s2) ** 2) / v) - (m1 - m2) ** 2 / (4.0 * v)
    return -2.0 * np.expm1(log_bc)


def _tv_gauss(m1, s1, m2, s2):
    m1, s1, m2, s2 = np.broadcast_arrays(m1, s1, m2, s2)
    equal = _tv_gauss_equal(m1, s1, m2)
    out = np.array(equal, dtype=float)
    unequal = s1 != s2
    if np.any(unequal):
        out[unequal] = _tv_gauss_roots(m1[unequal], s1[unequal], m2[unequal], s2[unequal])
    return out


def _tv_gauss_equal(m1, s, m2):
    from scipy import special

    return 2.0 * special.erf(np.abs(m1 - m2) / (2.0 * math.sqrt(2.0) * s))


def _tv_gauss_roots(m1, s1, m2, s2):
    # log p − log q = A x² + B x + C with A ≠ 0: two real roots (both are densities)
    A = 0.5 / s2 ** 2 - 0.5 / s1 ** 2
    B = m1 / s1 ** 2 - m2 / s2 ** 2
    C = 0.5 * m2 ** 2 / s2 ** 2 - 0.5 * m1 ** 2 / s1 ** 2 + np.log(s2 / s1)
    disc = np.sqrt(B * B - 4.0 * A * C)
    t = -0.5 * (B + np.copysign(disc, B))
    x1, x2 = t / A, C / t
    lo, hi = np.minimum(x1, x2), np.maximum(x1, x2)

    def mass(m, s):  # P((lo, hi)) accurately on either side of the mean
        zl, zh = (lo - m) / s, (hi - m) / s
        from scipy import special

        return np.where(zl > 0, special.ndtr(-zl) - special.ndtr(-zh), special.ndtr(zh) - special.ndtr(zl))

    inner = mass(m1, s1) - mass(m2, s2)  # p > q inside iff σ₁ < σ₂
    return 2.0 * np.where(s1 < s2, inner, -inner)


def _gaussian(name, a, fp, fq):
    m1, s1, m2, s2 = np.broadcast_arrays(fp.loc, fp.scale, fq.loc, fq.scale)
    if name == "alpha" and a == 1.0:
        name = "kl"
    if name == "alpha" and a == 0.0:
        name = "reverse_kl"
    if name == "kl":
        return _kl_gauss(m1, s1, m2, s2)
    if name == "reverse_kl":
        return _kl_gauss(m2, s2, m1, s1)
    if name == "jeffreys":
        return _kl_gauss(m1, s1, m2, s2) + _kl_gauss(m2, s2, m1, s1)
    if name == "pearson":
        return _chi2_gauss(m1, s1, m2, s2)
    if name == "neyman":
        return _chi2_gauss(m2, s2, m1, s1)
    if name == "squared_hellinger":
        return _hellinger_gauss(m1, s1, m2, s2)
    if name == "tv":
        return _tv_gauss(m1, s1, m2, s2)
    return _alpha_gauss(a, m1, s1, m2, s2)


# -- exponentials -----------------------------------------------------------------------------
def _exponential(name, a, fp, fq):
    l1, s1, l2, s2 = np.broadcast_arrays(fp.loc, fp.scale, fq.loc, fq.scale)
    L = np.maximum(l1, l2)
    log_mp, log_mq = -(L - l1) / s1, -(L - l2) / s2  # masses on the common support [L, ∞)
    only_q = -np.expm1(log_mq)  # Q-mass where p = 0
    only_p = -np.expm1(log_mp)  # P-mass where q = 0
    log_k = log_mp - log_mq  # κ = m_p / m_q
    km1 = np.expm1(log_k)  # κ − 1
    kappa = np.exp(log_k)
    mq = np.exp(log_mq)
    rho = s1 / s2  # λ₂/λ₁
    log_rho = np.log(s1) - np.log(s2)

    def log_power(b):  # log ∫p'^b q'^{1−b} and whether it is finite
        den = b + (1.0 - b) * rho
        ok = den > 0
        return np.where(ok, (1.0 - b) * log_rho - np.log(np.where(ok, den, 1.0)), np.inf), ok

    def kl_restricted(r):  # KL(Exp(λ₁)‖Exp(λ₂)) = ρ − 1 − log ρ with ρ = λ₂/λ₁
        return _log1p_gap(r - 1.0, 0.0)

    if name == "alpha" and a == 1.0:
        name = "kl"
    if name == "alpha" and a == 0.0:
        name = "reverse_kl"

    def csiszar(inner, f0, fpinf):
        out = mq * inner
        out = out + np.where(only_q > 0, only_q * f0, 0.0)
        return out + np.where(only_p > 0, only_p * fpinf, 0.0)

    if name == "kl":
        return csiszar(kappa * (log_k + kl_restricted(rho)), 0.0, np.inf)
    if name == "reverse_kl":
        return csiszar(-log_k + kl_restricted(1.0 / rho), np.inf, 0.0)
    if name == "jeffreys":
        kl = csiszar(kappa * (log_k + kl_restricted(rho)), 0.0, np.inf)
        rkl = csiszar(-log_k + kl_restricted(1.0 / rho), np.inf, 0.0)
        return kl + rkl
    if name == "pearson":
        lp, ok = log_power(2.0)
        inner = np.where(ok, km1 ** 2 + kappa ** 2 * np.expm1(lp), np.inf)
        return csiszar(inner, 1.0, np.inf)
    if name == "neyman":
        lp, ok = log_power(-1.0)
        inner = np.where(ok, np.expm1(lp) / kappa + km1 ** 2 / kappa, np.inf)
        return csiszar(inner, np.inf, 1.0)
    if name == "squared_hellinger":
        lp, _ = log_power(0.5)
        sk = np.exp(0.5 * log_k)
        return csiszar(np.expm1(0.5 * log_k) ** 2 - 2.0 * sk * np.expm1(lp), 1.0, 1.0)
    if name == "tv":
        lam1, lam2 = 1.0 / s1, 1.0 / s2
        same = lam1 == lam2
        with np.errstate(all="ignore"):
            y = (log_k - log_rho) / np.where(same, 1.0, lam1 - lam2)  # κλ₁e^{−λ₁y} = λ₂e^{−λ₂y}
        cross = ~same & (y > 0) & np.isfinite(y)
        yc = np.where(cross, y, 0.0)
        # A(y) = ∫_0^y (κp' − q') = κ(1 − e^{−λ₁y}) − (1 − e^{−λ₂y})
        Ay = -kappa * np.expm1(-lam1 * yc) + np.expm1(-lam2 * yc)
        inner = np.where(cross, np.abs(Ay) + np.abs(km1 - Ay), np.abs(km1))
        return csiszar(inner, 1.0, 1.0)
    # alpha, a ∉ {0, 1}
    lp, ok = log_power(a)
    inner = (np.expm1(a * log_k + lp) - a * km1) / (a * (a - 1.0))
    inner = np.where(ok, inner, np.inf)
    f0 = 1.0 / a if a > 0 else np.inf
    fpinf = 1.0 / (1.0 - a) if a < 1 else np.inf
    return csiszar(inner, f0, fpinf)


# -- Bernoulli ------------------------------------------------------------------------------
def _bernoulli(d, fp, fq):
    (tp,), (tq,) = fp.shapes, fq.shapes
    if np.any((tp < 0) | (tp > 1) | np.isnan(tp)) or np.any((tq < 0) | (tq > 1) | np.isnan(tq)):
        raise ValueError("bernoulli probabilities p must lie in [0, 1]")
    tp, lp, tq, lq = np.broadcast_arrays(tp, fp.loc, tq, fq.loc)
    atoms = [lp, lp + 1.0, lq, lq + 1.0]

    def mass(theta, loc, x):
        return np.where(x == loc, 1.0 - theta, 0.0) + np.where(x == loc + 1.0, theta, 0.0)

    total = np.zeros(np.shape(tp))
    f0, fpinf = float(d.f_at_zero), float(d.f_prime_at_inf)
    for i, x in enumerate(atoms):
        first = np.ones(np.shape(tp), dtype=bool)
        for y in atoms[:i]:
            first &= x != y
        px, qx = mass(tp, lp, x), mass(tq, lq, x)
        both = (px > 0) & (qx > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(both, np.log(np.where(both, px, 1.0)) - np.log(np.where(both, qx, 1.0)), 0.0)
            term = np.where(both, qx * np.asarray(d.f_log(r), dtype=float), 0.0)
            term = term + np.where((px == 0) & (qx > 0), qx * f0, 0.0)
            term = term + np.where((qx == 0) & (px > 0), px * fpinf, 0.0)
        total = total + np.where(first, term, 0.0)
    return total
