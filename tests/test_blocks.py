"""The SIMD building blocks of the batch kernel: :mod:`fdiv._vmath` against mpmath,
:func:`fdiv._blocks.integrand_block` against :func:`~fdiv._kernels.integrand_point` (the code it
replaces), :func:`fdiv._quadrature.rule_weighed` against NumPy.  The members' block kernels
themselves are checked against mpmath in ``test_generators.check_phi_block``."""
import math

import mpmath
import numpy as np
import pytest
from numba import njit

import fdiv
from fdiv._blocks import block_kernel, integrand_block
from fdiv._kernels import integrand_point, scalar_kernels
from fdiv._quadrature import WG7, WG21, WK7, WK21, rule_weighed, weigh
from fdiv._vmath import EXP_ULPS, exp


@njit
def _exp_loop(x, out):
    for i in range(x.size):
        out[i] = exp(x[i])


def _correctly_rounded_exp(x):
    with mpmath.workdps(40):
        return float(mpmath.exp(mpmath.mpf(float(x))))


def test_exp_is_within_its_stated_ulps_of_the_correctly_rounded_value():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-745.1, 709.7, 3000), rng.uniform(-1, 1, 1000),
                        rng.uniform(-745.1, -708, 500),  # gradual underflow
                        [0.0, -0.0, 1e-300, -1e-300, 709.78, -708.39, -745.13, 0.5 * math.log(2)]])
    got = np.empty_like(x)
    _exp_loop(x, got)
    want = np.array([_correctly_rounded_exp(v) for v in x])
    ulps = np.abs(got - want) / np.spacing(want)
    assert ulps.max() <= EXP_ULPS, x[np.argmax(ulps)]


@pytest.mark.parametrize("x, want", [(-math.inf, 0.0), (math.inf, math.inf), (709.79, math.inf),
                                     (-745.14, 0.0), (-1e300, 0.0), (1e300, math.inf),
                                     (-745.13, 5e-324)])
def test_exp_special_values(x, want):
    got = np.empty(1)
    _exp_loop(np.array([x]), got)
    assert got[0] == want


def test_exp_of_nan_is_nan():
    got = np.empty(1)
    _exp_loop(np.array([math.nan]), got)
    assert math.isnan(got[0])


def _log_densities(rng, n):
    """Pairs of log densities covering the cases integrand_point special-cases."""
    lp = rng.uniform(-800, 5, n)
    lq = lp - rng.choice([1e-9, 0.3, 3.0, 40.0, 700.0, 1e4], n) * rng.choice([-1, 1], n)
    special = [(-math.inf, -math.inf), (-math.inf, -1.0), (-1.0, -math.inf), (math.inf, -2.0),
               (-2.0, math.inf), (-700.0, -0.5), (-0.5, -700.0), (-680.0, -1e5), (-1e5, -680.0),
               (-740.0, -730.0), (0.0, 0.0)]
    lp = np.concatenate([lp, [a for a, b in special]])
    lq = np.concatenate([lq, [b for a, b in special]])
    return lp, lq


@pytest.mark.parametrize("name", [n for n in fdiv.names() if fdiv.get(n).phi_block is not None])
def test_integrand_block_agrees_with_integrand_point(name):
    div = fdiv.get(name)
    lo, hi = scalar_kernels(div)
    blk, has_blk = block_kernel(div)
    assert has_blk
    (klo, mlo), (khi, mhi) = div.growth_lo, div.growth_hi
    lp, lq = _log_densities(np.random.default_rng(3), 4000)
    n = lp.size
    got, r, v = np.empty(n), np.empty(n), np.empty(n)
    integrand_block(lo, hi, blk, True, div.theta, klo, mlo, khi, mhi, lp, lq, got, n, r, v)
    want = np.array([integrand_point(lo, hi, div.theta, klo, mlo, khi, mhi, a, b)
                     for a, b in zip(lp, lq)])
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        # absolute 1e-290: below a front density of 1e-290 the two round differently
        close = np.abs(got - want) <= 4e-15 * np.abs(want) + 1e-290
    assert np.all(same | close), (lp[~(same | close)][:5], lq[~(same | close)][:5])


def test_members_without_a_block_kernel_use_the_scalar_path():
    div = fdiv.get("pearson")  # growth e^{r}: the asymptote branch of integrand_point matters
    lo, hi = scalar_kernels(div)
    blk, has_blk = block_kernel(div)
    (klo, mlo), (khi, mhi) = div.growth_lo, div.growth_hi
    lp, lq = _log_densities(np.random.default_rng(4), 500)
    n = lp.size
    got = np.empty(n)
    integrand_block(lo, hi, blk, has_blk, div.theta, klo, mlo, khi, mhi, lp, lq, got, n,
                    np.empty(n), np.empty(n))
    want = [integrand_point(lo, hi, div.theta, klo, mlo, khi, mhi, a, b) for a, b in zip(lp, lq)]
    np.testing.assert_array_equal(got, want)


def _rule_numpy(vals, jac, wk, wg):
    """The Kronrod pair's sums in NumPy: nodes with Jacobian 0 carry no weight."""
    with np.errstate(invalid="ignore"):
        f = np.where(jac != 0.0, vals * jac, 0.0)
        if np.isnan(f).any():
            return math.nan, math.inf, math.inf
        k, g, a = float(wk @ f), float(wg @ f), float(wk @ np.abs(f))
    if math.isinf(k):
        return k, 0.0, a
    return k, abs(k - g), a


@pytest.mark.parametrize("wk, wg", [(WK21, WG21), (WK7, WG7)], ids=["K21", "K7"])
def test_rule_weighed_agrees_with_the_sums_in_numpy(wk, wg):
    rng = np.random.default_rng(5)
    m = wk.size
    for trial in range(300):
        vals = rng.lognormal(0.0, 3.0, m) * rng.choice([1.0, -1.0], m)
        jac = rng.uniform(0.0, 2.0, m)
        if trial % 5 == 0:
            jac[rng.integers(m)] = 0.0  # a node mapped onto an end: no weight
            vals[rng.integers(m)] = rng.choice([math.nan, math.inf])
            vals[np.flatnonzero(jac == 0.0)] = math.nan  # whatever it is there
        if trial % 7 == 0:
            vals[rng.integers(m)] = math.inf
        want = _rule_numpy(vals, jac, wk, wg)
        f = vals.copy()
        weigh(f, jac, m)
        got = rule_weighed(f, 0, wk, wg)
        for g, w in zip(got, want):
            assert g == pytest.approx(w, rel=1e-13, abs=1e-300, nan_ok=True), (trial, got, want)
