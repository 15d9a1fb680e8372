"""The fused batch kernel (:mod:`fdiv._fused`): its breakpoints, and its values against mpmath and
against the general path (which builds its pieces independently, in Python)."""
import math
import warnings

import mpmath
import numpy as np
import pytest
from scipy import stats

import fdiv
from fdiv._families import FAMILIES, rows
from fdiv._fused import (MAX_CROSSINGS, MAX_POINTS, _normal_crossings, _searched_crossings,
                         adaptive_pairs, breakpoints, core_and_guards)
from fdiv.engine import DIVERGENCE_ATOL

NORM = FAMILIES["norm"]


def _kernel_row(fam, loc, scale):
    """One member as the kernel unpacks a table row: ``(log weight, code, loc, scale, s1, s2,
    c)``."""
    row = rows(fam, np.array([float(loc)]), np.array([float(scale)]), ())[0]
    return tuple(row[[1, 0, 2, 3, 4, 5, 6]])


def _points(p, q):
    core, guards = core_and_guards(NORM)
    P, Q = _kernel_row(NORM, *p), _kernel_row(NORM, *q)
    out = np.empty(MAX_POINTS)
    none = np.empty(0)  # the normal has no kinks
    n = breakpoints(P, Q, core, guards, none, core, guards, none, np.zeros(4), out,
                    np.empty(MAX_CROSSINGS))
    return out[:n]


def test_overlapping_pair_merges_close_points_and_needs_no_guard():
    pts = _points((0.0, 1.0), (0.1, 1.0))
    assert np.all(np.diff(pts) >= 1.0)  # merged to the smaller scale
    assert pts.size == 5
    assert not np.any(np.isin(np.abs(pts), [15.0, 15.1]))


def test_far_apart_pair_gets_the_guards_between_the_densities():
    pts = _points((0.0, 1.0), (40.0, 1.0))
    assert 15.0 in pts and 25.0 in pts  # P's right guard, Q's left guard
    assert -15.0 not in pts and 55.0 not in pts  # beyond the hull: tail pieces cover them
    assert np.all(np.diff(pts) > 0)


def test_narrow_inside_wide_keeps_the_narrow_core():
    pts = _points((0.0, 1e-3), (0.0, 1.0))
    for z in (-9e-3, -3e-3, 0.0, 3e-3, 9e-3):
        assert np.any(np.isclose(pts, z, rtol=0, atol=1e-15))
    # the narrow density's guards (±0.015) fall inside the wide density's piece [0.009, 3]:
    # wider than their distance to the narrow core, so they are added
    assert np.any(np.isclose(pts, 0.015, rtol=0, atol=1e-15))


def _kl_normal_mp(m1, s1, m2, s2):
    with mpmath.workdps(40):
        m1, s1, m2, s2 = (mpmath.mpf(float(v)) for v in (m1, s1, m2, s2))
        return float(mpmath.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - mpmath.mpf(1) / 2)


HARD_PAIRS = [
    (0.0, 1.0, 30.0, 10.0),  # the guard at 15 is inside the piece [9, 30]
    (30.0, 10.0, 0.0, 1.0),
    (0.0, 1.0, 0.0, 1e-3),  # narrow vs wide
    (1000.0, 1.0, 1001.0, 2.0),  # far from the origin
    (0.3, 1.7, 0.3 + 1e-4, 1.7 * (1 + 2e-4)),  # nearly equal: KL ≈ 1e-8
    (-5.0, 0.01, 5.0, 3.0),
    (0.0, 1.0, 60.0, 1.0),  # far apart: KL = 1800
]


# the members with SIMD block kernels, from mpmath's KL: KL(P‖Q), KL(Q‖P) and their sum
_FROM_KL = {
    "kl": lambda m1, s1, m2, s2: _kl_normal_mp(m1, s1, m2, s2),
    "reverse_kl": lambda m1, s1, m2, s2: _kl_normal_mp(m2, s2, m1, s1),
    "jeffreys": lambda m1, s1, m2, s2: _kl_normal_mp(m1, s1, m2, s2) + _kl_normal_mp(m2, s2, m1, s1),
}


@pytest.mark.parametrize("name", sorted(_FROM_KL))
def test_batch_matches_mpmath_on_hard_pairs(name):
    m1, s1, m2, s2 = (np.array(c) for c in zip(*HARD_PAIRS))
    got, err = fdiv.divergence(name, stats.norm(m1, s1), stats.norm(m2, s2), return_error=True)
    for i, pair in enumerate(HARD_PAIRS):
        want = _FROM_KL[name](*pair)
        assert abs(got[i] - want) <= 1e-10 * want, (pair, got[i], want)
        assert err[i] <= 1e-10 * want


@pytest.mark.parametrize("trapezoid", [None, False])
@pytest.mark.parametrize("name", sorted(_FROM_KL))
def test_kernel_matches_mpmath_on_hard_pairs_with_and_without_the_window(name, trapezoid):
    """The kernel itself, by default (the trapezoidal window where it applies) and with G10/K21
    everywhere (``f(1) = 0`` for these members, so its integral is the divergence)."""
    m1, s1, m2, s2 = (np.array(c) for c in zip(*HARD_PAIRS))
    d = fdiv.get(name)
    value, err, ok, _ = adaptive_pairs(d, rows(NORM, m1, s1, ()), rows(NORM, m2, s2, ()), NORM,
                                       NORM, 1e-10, DIVERGENCE_ATOL, trapezoid=trapezoid)
    assert d.f_at_one == 0.0 and ok.all()
    for i, pair in enumerate(HARD_PAIRS):
        want = _FROM_KL[name](*pair)
        assert abs(value[i] - want) <= 1e-10 * want and err[i] <= 1e-10 * want, (pair, value[i])


@pytest.mark.parametrize("name", ["kl", "js", "squared_hellinger", "pearson", "reverse_kl", "gan",
                                  "jeffreys"])
def test_batch_agrees_with_the_general_path(name):
    """The general path (a one-component Mixture) builds its pieces from the full landmark sets in
    Python: an independent construction of the same integral."""
    rng = np.random.default_rng(11)
    m1, m2 = rng.normal(0, 3, 12), rng.normal(0, 3, 12)
    s1, s2 = np.exp(rng.normal(0, 1, 12)), np.exp(rng.normal(0, 1, 12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = fdiv.divergence(name, stats.norm(m1, s1), stats.norm(m2, s2))
        for i in range(m1.size):
            general = fdiv.divergence(name, fdiv.Mixture([1.0], [stats.norm(m1[i], s1[i])]),
                                      fdiv.Mixture([1.0], [stats.norm(m2[i], s2[i])]))
            if math.isinf(general):
                assert batch[i] == general
            else:
                assert abs(batch[i] - general) <= 3e-10 * abs(general), (i, batch[i], general)


def test_normal_crossings_agree_with_the_bisection_search():
    """The closed-form crossings of two normals (a quadratic in x − loc_p) against the bisection
    search the other families use, on random pairs (both searched over a fine grid of pieces)."""
    rng = np.random.default_rng(2)
    for _ in range(200):
        m1, m2 = rng.normal(0, 5, 2)
        s1, s2 = np.exp(rng.normal(0, 1, 2))
        P = (0.0, 0.0, m1, s1, 0.0, 0.0, -math.log(s1) - 0.5 * math.log(2 * math.pi))
        Q = (0.0, 0.0, m2, s2, 0.0, 0.0, -math.log(s2) - 0.5 * math.log(2 * math.pi))
        lo, hi = min(m1 - 12 * s1, m2 - 12 * s2), max(m1 + 12 * s1, m2 + 12 * s2)
        grid = np.linspace(lo, hi, 60)
        closed, searched = np.empty(MAX_CROSSINGS), np.empty(MAX_CROSSINGS)
        k = _normal_crossings(P, Q, closed)
        inside = np.sort([x for x in closed[:k] if lo < x < hi])
        j = _searched_crossings(P, Q, grid, np.int64(grid.size), searched)
        assert inside.size == j, (m1, s1, m2, s2)
        assert np.allclose(inside, np.sort(searched[:j]), rtol=0, atol=1e-9 * (hi - lo))


def test_crossings_are_breakpoints():
    """Where p and q cross far out in each other's tails, |d log(p/q)/dx| is large and q φ(p/q)
    dips to 0 over a width ~1/|r′| that no landmark resolves."""
    from scipy.optimize import brentq

    p, q = stats.norm(0.0, 1.0), stats.norm(7.087362454151383, 0.45)
    x = brentq(lambda t: p.logpdf(t) - q.logpdf(t), 3.0, 6.0, xtol=1e-14)  # r′ ≈ −16 there
    pts = _points((0.0, 1.0), (7.087362454151383, 0.45))
    assert np.any(np.isclose(pts, x, rtol=0, atol=1e-12))
    # an overlapping pair's crossing is no breakpoint: its dip is wider than the scale
    assert not np.any(np.isclose(_points((0.0, 1.0), (0.1, 1.0)), 0.05, rtol=0, atol=1e-9))


def _triangular_mp(m1, s1, m2, s2):
    with mpmath.workdps(30):
        m1, s1, m2, s2 = (mpmath.mpf(v) for v in (m1, s1, m2, s2))

        def g(x):
            p = mpmath.npdf(x, m1, s1)
            q = mpmath.npdf(x, m2, s2)
            return (p - q) ** 2 / (p + q)
        pts = sorted({m1 + k * s1 for k in range(-12, 13)} | {m2 + k * s2 for k in range(-12, 13)})
        return float(mpmath.quad(g, [-mpmath.inf] + pts + [mpmath.inf]))


def test_the_dip_at_a_crossing_is_resolved():
    """Found in review: without the crossing as a breakpoint, G10 and K21 both stepped over the
    dip, and the value (wrong by 7e-9 relative) was certified at rtol 1e-10."""
    pair = (0.0, 1.0, 7.087362454151383, 0.45)
    got, err = fdiv.divergence("triangular", stats.norm(*pair[:2]), stats.norm(*pair[2:]),
                               return_error=True)
    want = _triangular_mp(*pair)
    assert abs(got - want) <= 1e-10 * want and err <= 1e-10 * want


@pytest.mark.parametrize("p,q", [(stats.laplace(0, 1), stats.logistic(6, 0.5)),
                                 (stats.t(4, 0, 1), stats.norm(5, 0.4)),
                                 (stats.logistic(0, 2), stats.laplace(-9, 0.7))])
def test_searched_crossings_batch_against_general_path(p, q):
    """Other families: crossings found by the search; the batch kernel against the general path
    (pieces built independently, in Python) for a member with a sharp dip (triangular)."""
    batch = fdiv.divergence("triangular", p, q)
    general = fdiv.divergence("triangular", fdiv.Mixture([1.0], [p]), fdiv.Mixture([1.0], [q]))
    assert abs(batch - general) <= 3e-10 * general


def test_kinks_survive_the_merge():
    """laplace(0, 1) against laplace(0.7, 1): the centres are closer than the scale, so merging
    drops 0.7; it is put back, being a kink (``Family.kinks``), and so is the crossing 0.35
    (``|r′| = 2`` there)."""
    lap = FAMILIES["laplace"]
    core, guards = core_and_guards(lap)
    kinks = np.asarray(lap.kinks, dtype=np.float64)
    P, Q = _kernel_row(lap, 0.0, 1.0), _kernel_row(lap, 0.7, 1.0)
    out = np.empty(MAX_POINTS)
    n = breakpoints(P, Q, core, guards, kinks, core, guards, kinks, np.zeros(4), out,
                    np.empty(MAX_CROSSINGS))
    pts = out[:n]
    assert np.all(np.diff(pts) > 0)
    for x in (0.0, 0.35, 0.7):
        assert np.any(np.isclose(pts, x, rtol=0, atol=1e-12)), x


@pytest.mark.parametrize("name,params,pair,rtol", [
    ("pearson", {}, (0.4927984727498653, 0.7737880305689036,
                     22.94594017145121, 1.3681168181494763), 1e-6),
    ("pearson", {}, (-0.6338514911946994, 1.2124487606005119,
                     -36.62582643156181, 2.383538418575577), 1e-10),
    ("neyman", {}, (-0.3094025555968319, 1.2095970035534125,
                    31.881711338519914, 0.5006355769244023), 1e-6),
    ("neyman", {}, (1.0403671465412743, 1.1707990716251748,
                    -23.370185658796412, 0.48444687598332864), 1e-10),
    ("neyman", {}, (-1.2119936653640695, 2.656293735671813,
                    30.647023974704954, 1.659061387788616), 1e-8),
    ("alpha", {"a": 2.5}, (1.1918299926140086, 1.5820543474735287,
                           -43.43267450349275, 2.953610021954196), 1e-6),
    ("alpha", {"a": 2.5}, (-0.01896469248392837, 1.1349145694451361,
                           -21.687878983845135, 1.9830745633139382), 1e-10),
    ("alpha", {"a": -1.5}, (0.5288167021982181, 0.7919913982869566,
                            16.400029501115988, 0.35430700274153976), 1e-6),
    ("alpha", {"a": -1.5}, (0.24393336794842915, 0.5254050018311615,
                            -9.118869070895652, 0.22399031939854658), 1e-10),
])
def test_exponential_growth_members_far_apart(name, params, pair, rtol):
    """Members whose φ grows exponentially (pearson's p²/q, …): between far-apart normals the
    integrand is a Gaussian peaking outside both densities' cores, and before its own core was
    added to the breakpoints these values were certified while wrong by up to 27 times rtol
    (found by a scan of 3,000 random pairs against the closed forms)."""
    d = fdiv.get(name, **params)
    P, Q = stats.norm(*pair[:2]), stats.norm(*pair[2:])
    got, err = fdiv.divergence(d, P, Q, rtol=rtol, return_error=True)
    want = fdiv.closed_form(d, P, Q)
    assert abs(got - want) <= rtol * want and err <= rtol * want
