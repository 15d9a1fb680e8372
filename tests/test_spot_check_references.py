"""``tests/references/continuous.json`` is not stale.

* A few of its cases are recomputed here with the generator's own mpmath code (independent of
  fdiv's numerics) at 30 digits: a smooth Gaussian pair, a tv case with kinks and crossings, a
  support-mismatch case and a heavy-tailed one.
* Every registered member's generator is the one the references were computed from, and every
  registered member has references (rerun the generator after adding a member).
"""
import importlib.util
import json
import os
import sys

import mpmath as mp
import pytest
import sympy

import fdiv

HERE = os.path.dirname(os.path.abspath(__file__))
REF_DIR = os.path.join(HERE, "references")
with open(os.path.join(REF_DIR, "continuous.json")) as _fh:
    DOC = json.load(_fh)
CASES = {c["id"]: c for c in DOC["cases"]}
REGENERATE = "rerun `python tests/references/generate_continuous.py` and commit continuous.json"


def _generator_module():
    spec = importlib.util.spec_from_file_location(
        "generate_continuous", os.path.join(REF_DIR, "generate_continuous.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


SPOT = ["kl|norm-fieldnotes", "tv|laplace-logistic", "js|uniform-overlap", "squared_hellinger|t3-t5"]


@pytest.mark.parametrize("case_id", SPOT)
def test_recompute_cases_with_mpmath(case_id):
    gen_mod = _generator_module()
    case = CASES.get(case_id)
    assert case is not None, f"continuous.json lacks {case_id}; {REGENERATE}"
    d = case["divergence"]
    gen = gen_mod.Gen(d["name"], d["params"], case["formula"], case["formula_source"])
    with mp.workdps(30):
        value, err, _, _ = gen_mod.compute(case["p"], case["q"], gen, extra_split=False)
        want = mp.mpf(case["expected"])
        assert abs(value - want) <= mp.mpf("1e-25") * abs(want), (case_id, value, want)


def test_published_values_in_the_file():
    # FIELD_NOTES: P = N(0,1), Q = N(1,2²): KL = ln 2 − 1/4, JS = 0.128174973054398010424818…
    with mp.workdps(40):
        kl = mp.mpf(CASES["kl|norm-fieldnotes"]["expected"])
        assert abs(kl - (mp.log(2) - mp.mpf(1) / 4)) < mp.mpf("1e-28")
    js = CASES["js|norm-fieldnotes"]["expected"]
    assert js.startswith("0.128174973054398010424818")


def test_header_records_the_generation():
    h = DOC["header"]
    assert h["dps"] >= 40 and h["check_dps"] > h["dps"]
    assert h["mpmath"] and h["date"]


def _same_generator(a, b, params):
    u = sympy.Symbol("u", positive=True)
    subs = {sympy.Symbol(k): sympy.nsimplify(v, rational=True) for k, v in params.items()}
    ea = sympy.sympify(a, locals={"u": u, **{k: sympy.Symbol(k) for k in params}}).subs(subs)
    eb = sympy.sympify(b, locals={"u": u, **{k: sympy.Symbol(k) for k in params}}).subs(subs)
    for x in ("0.37", "1.9", "11"):
        va = sympy.N(ea.subs(u, sympy.Rational(x)), 30)
        vb = sympy.N(eb.subs(u, sympy.Rational(x)), 30)
        if abs(va - vb) > 1e-20 * (1 + abs(vb)):
            return False
    return True


def test_references_match_the_registry():
    by_name = {}
    for c in DOC["cases"]:
        by_name.setdefault(c["divergence"]["name"], []).append(c)
    missing = [n for n in fdiv.names() if n not in by_name]
    assert not missing, f"registered members without references: {missing}; {REGENERATE}"
    stale = []
    for name, cases in by_name.items():
        if name not in fdiv.names():
            continue
        for c in cases:
            params = c["divergence"]["params"]
            if not _same_generator(fdiv.get(name, **params).formula, c["formula"], params):
                stale.append(c["id"])
                break
    assert not stale, f"references computed with another generator: {stale}; {REGENERATE}"
