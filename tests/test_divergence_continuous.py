"""``fdiv.divergence`` on continuous pairs against independent references.

* every case of ``tests/references/continuous.json`` (mpmath at 40 digits, confirmed at 55, by
  ``tests/references/generate_continuous.py``): the value within the case's ``rtol``, ``inf``
  exactly where the reference is infinite (decided analytically there);
* random Gaussian and shifted-exponential pairs against :func:`fdiv.closed_form`, one at a time
  and batched (array parameters).
"""
import json
import math
import os
import warnings

import numpy as np
import pytest
import sympy
from scipy import stats

import fdiv

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCES = os.path.join(HERE, "references", "continuous.json")

with open(REFERENCES) as _fh:
    _DOC = json.load(_fh)
CASES = _DOC["cases"]


def _engine():
    return fdiv.divergence


def build(spec):
    """A distribution object from a JSON spec ({family, args, kwds} or a mixture)."""
    if spec["family"] == "mixture":
        return fdiv.Mixture(spec["weights"], [build(c) for c in spec["components"]])
    return getattr(stats, spec["family"])(*spec["args"], **spec["kwds"])


def member(case):
    """The registry member of a case, after checking its generator is the one referenced."""
    name, params = case["divergence"]["name"], case["divergence"]["params"]
    if name not in fdiv.names():
        pytest.fail(f"member {name!r} is not registered yet (reference from {case['formula_source']})")
    div = fdiv.get(name, **params)
    if div.formula != case["formula"]:
        u = sympy.Symbol("u", positive=True)
        subs = {sympy.Symbol(k): sympy.nsimplify(v, rational=True) for k, v in params.items()}
        a = sympy.sympify(div.formula, locals={"u": u}).subs(subs)
        b = sympy.sympify(case["formula"], locals={"u": u}).subs(subs)
        for x in ("0.37", "1.9", "11"):
            va, vb = sympy.N(a.subs(u, sympy.Rational(x)), 30), sympy.N(b.subs(u, sympy.Rational(x)), 30)
            if abs(va - vb) > 1e-20 * (1 + abs(vb)):
                pytest.fail(f"{name}: registry f(u) = {div.formula} differs from the reference's "
                            f"{case['formula']}; rerun tests/references/generate_continuous.py")
    return div


def _relerr(got, want):
    return abs(got - want) / abs(want) if want != 0 else abs(got)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_case(case):
    divergence = _engine()
    div = member(case)
    p, q = build(case["p"]), build(case["q"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = divergence(div, p, q, rtol=case["rtol"])
    assert np.ndim(got) == 0, f"scalar parameters should give a float, got {type(got)}"
    got = float(got)
    notes = "; ".join(str(w.message) for w in caught)
    if case["expected"] == "inf":
        assert got == math.inf, f"expected inf ({case['note']}), got {got!r}. warnings: {notes}"
        return
    want = float(case["expected"])
    assert math.isfinite(got), f"expected {want!r}, got {got!r}. warnings: {notes}"
    err = _relerr(got, want)
    assert err <= case["rtol"], (
        f"got {got!r}, reference {case['expected']} (relative error {err:.2e} > rtol "
        f"{case['rtol']:g}; flags {case['flags']}). warnings: {notes}")


# -- against the closed forms --------------------------------------------------------------------
GAUSS_NAMES = ("kl", "reverse_kl", "jeffreys", "pearson", "neyman", "squared_hellinger", "tv", "alpha")


def _available(names):
    return [n for n in names if n in fdiv.names()]


def _random_gaussians(seed, n):
    rng = np.random.default_rng(seed)
    m1, m2 = rng.normal(0.0, 2.0, n), rng.normal(0.0, 2.0, n)
    s1, s2 = np.exp(rng.uniform(-1.0, 1.0, n)), np.exp(rng.uniform(-1.0, 1.0, n))
    return m1, s1, m2, s2


def _check(got, want, rtol, what):
    if math.isinf(want):
        assert got == math.inf, f"{what}: expected inf, got {got!r}"
    else:
        assert _relerr(got, want) <= rtol, f"{what}: got {got!r}, closed form {want!r}"


@pytest.mark.parametrize("name", GAUSS_NAMES)
def test_random_gaussian_pairs_match_closed_form(name):
    divergence = _engine()
    if name not in fdiv.names():
        pytest.fail(f"member {name!r} is not registered yet")
    divs = [fdiv.get(name, a=a) for a in (-0.5, 0.5, 2.0)] if name == "alpha" else [fdiv.get(name)]
    m1, s1, m2, s2 = _random_gaussians(20261124, 12)
    for div in divs:
        for i in range(len(m1)):
            p, q = stats.norm(m1[i], s1[i]), stats.norm(m2[i], s2[i])
            want = fdiv.closed_form(div, p, q)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = float(divergence(div, p, q))
            _check(got, want, 1e-9, f"{div!r} N({m1[i]:.3g},{s1[i]:.3g}²)‖N({m2[i]:.3g},{s2[i]:.3g}²)")


@pytest.mark.parametrize("name", ["kl", "squared_hellinger", "pearson", "tv"])
def test_batched_gaussian_pairs_match_closed_form(name):
    divergence = _engine()
    if name not in fdiv.names():
        pytest.fail(f"member {name!r} is not registered yet")
    m1, s1, m2, s2 = _random_gaussians(7, 64)
    p, q = stats.norm(m1, s1), stats.norm(m2, s2)
    want = fdiv.closed_form(name, p, q)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = divergence(name, p, q)
    assert isinstance(got, np.ndarray) and got.shape == want.shape
    for i in range(len(want)):
        _check(float(got[i]), float(want[i]), 1e-9, f"{name} batch element {i}")


EXPON_PAIRS = [(0, 1, 0, 2), (0, 2, 0, 0.7), (0.5, 1, 0, 1), (0, 1, 0.5, 1.5), (1.0, 0.8, 0.2, 1.3),
               (3.0, 1e-3, 3.0, 2e-3)]


@pytest.mark.parametrize("name", GAUSS_NAMES)
def test_shifted_exponential_pairs_match_closed_form(name):
    divergence = _engine()
    if name not in fdiv.names():
        pytest.fail(f"member {name!r} is not registered yet")
    divs = [fdiv.get(name, a=a) for a in (-0.5, 0.5, 2.0)] if name == "alpha" else [fdiv.get(name)]
    for div in divs:
        for l1, s1, l2, s2 in EXPON_PAIRS:
            p, q = stats.expon(l1, s1), stats.expon(l2, s2)
            want = fdiv.closed_form(div, p, q)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = float(divergence(div, p, q))
            _check(got, want, 1e-9, f"{div!r} Exp({l1},{s1})‖Exp({l2},{s2})")


def test_reference_file_covers_the_hard_cases():
    flags = {f for c in CASES for f in c["flags"]}
    for needed in ("kink", "crossing", "support_mismatch", "heavy_tail", "far_apart", "narrow_wide",
                   "endpoint_singular", "mixture", "diverges"):
        assert needed in flags, f"continuous.json has no case flagged {needed!r}"
    ids = {c["id"] for c in CASES}
    for must in ("kl|cauchy-norm", "pearson|norm-var-4-vs-1", "kl|norm-far-apart", "tv|laplace-logistic"):
        assert must in ids, f"continuous.json lacks {must}"
    infinite = {c["id"] for c in CASES if c["expected"] == "inf"}
    assert {"kl|cauchy-norm", "pearson|norm-var-4-vs-1"} <= infinite
