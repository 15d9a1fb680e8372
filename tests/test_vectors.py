"""The shipped reference vectors: format, coverage, regeneration, and the reference machinery
against closed forms (independent of fdiv's numeric code)."""
import json
import math

import mpmath as mp
import pytest

import fdiv
from fdiv import vectors
from fdiv.vectors import generate as G
from fdiv.vectors import reference as R


@pytest.fixture(autouse=True)
def _high_precision():
    """Parse the 40-digit strings without rounding them to doubles (restored after each test)."""
    with mp.workdps(60):
        yield


PER_MEMBER = ("divergence_discrete", "f", "f_prime", "conjugate", "activation",
              "conjugate_activation", "fgan_objective")
SHIPPED = [q for q in vectors.QUANTITIES if vectors.path(q).is_file()]


# ----------------------------------------------------------------------------- format
def test_every_quantity_is_shipped():
    missing = [q for q in vectors.QUANTITIES if not vectors.path(q).is_file()]
    assert not missing, f"regenerate with `python -m fdiv.vectors.generate --only {' '.join(missing)}`"


@pytest.mark.parametrize("quantity", SHIPPED)
def test_file_format(quantity):
    doc = vectors.load(quantity)
    assert doc["schema"] == G.SCHEMA and doc["quantity"] == quantity and doc["version"]
    assert doc["mpmath"] and doc["dps"] and doc["signature"] and doc["conventions"]
    n = 0
    for g in doc["testGroups"]:
        ids = [t["tcId"] for t in g["tests"]]
        assert len(ids) == len(set(ids)), "tcId unique within a group"
        for t in g["tests"]:
            n += 1
            assert set(t) >= {"tcId", "flags", "inputs", "expected", "rtol", "atol"}
            assert isinstance(t["expected"], str), "expected is a decimal string"
            float(t["expected"])  # decodes (inf/nan spelled out)
            for v in t.get("expected_by_input", {}).values():
                float(v)
            assert 0 <= t["rtol"] < 1e-5 and t["atol"] >= 0
            for f in t["flags"]:
                assert f in doc["notes"] and doc["notes"][f], f"flag {f!r} explained in notes"
            json.dumps(t["inputs"], allow_nan=False)  # strict JSON: no bare NaN/Infinity
    assert n == doc["numberOfTests"] > 0


@pytest.mark.parametrize("quantity", [q for q in PER_MEMBER if q in SHIPPED])
def test_every_registry_member_has_vectors(quantity):
    doc = vectors.load(quantity)
    have = {g["divergence"] for g in doc["testGroups"]}
    missing = sorted(set(fdiv.names()) - have)
    assert not missing, (f"{quantity}: no vectors for {missing}; run "
                         f"`python -m fdiv.vectors.generate --only {quantity}`")
    for g in doc["testGroups"]:
        assert g["formula"] == fdiv.get(g["divergence"], **g["params"]).formula, \
            f"{g['divergence']} formula changed since generation: regenerate"


def test_traps_are_covered():
    flags = {f for q in SHIPPED for _, t in vectors.cases(q) for f in t["flags"]}
    for needed in ("zeros_in_p", "zeros_in_q", "disjoint_support", "large_logu", "float32_overflow",
                   "alpha_near_0", "alpha_near_1", "outside_domain", "below_fprime_zero",
                   "large_logit", "infinite", "heavy_tail"):
        assert needed in flags, needed


# ----------------------------------------------------------------------------- regeneration
def _compare_groups(fresh, shipped_doc):
    shipped = {(g.get("divergence"), json.dumps(g.get("params", {}), sort_keys=True)): g
               for g in shipped_doc["testGroups"]}
    assert fresh["testGroups"]
    for g in fresh["testGroups"]:
        s = shipped[(g.get("divergence"), json.dumps(g.get("params", {}), sort_keys=True))]
        assert [t["tcId"] for t in g["tests"]] == [t["tcId"] for t in s["tests"]]
        for a, b in zip(g["tests"], s["tests"]):
            assert a["inputs"] == b["inputs"] and a["flags"] == b["flags"]
            for x, y in [(a["expected"], b["expected"])] + [
                    (a["expected_by_input"][k], b["expected_by_input"][k])
                    for k in a.get("expected_by_input", {})]:
                X, Y = mp.mpf(x), mp.mpf(y)
                assert X == Y or abs(X - Y) <= mp.mpf("1e-35") * abs(Y), (g.get("divergence"), a["tcId"], x, y)


@pytest.mark.parametrize("quantity,names", [
    ("f", {"kl", "js", "alpha"}),
    ("f_prime", {"tv", "gan", "log1p_abs"}),
    ("divergence_discrete", {"kl", "tv", "gan", "neyman"}),
    ("conjugate", {"pearson", "tv"}),
    ("activation", {"gan", "alpha"}),
    ("optimal_discriminator", None),
    ("discriminator_loss", None),
    ("generator_loss_nonsaturating", None),
])
def test_regenerated_sample_matches_shipped(quantity, names):
    fresh = G.build(quantity, names=names)
    _compare_groups(fresh, vectors.load(quantity))


def test_regenerated_continuous_case_matches_shipped():
    mod = G._teammate_continuous()
    if mod is None:
        pytest.skip("tests/references/generate_continuous.py not in this checkout")
    if not vectors.path("divergence_continuous").is_file():
        pytest.fail("divergence_continuous.json missing")
    jobs = [j for j in G.continuous_jobs(mod, ("norm-fieldnotes",)) if j[1][0] == "kl"]
    if not jobs:
        pytest.skip("the continuous generator no longer has the 'norm-fieldnotes' pair")
    job = jobs[0]
    rec, msg = mod.run_case(job)
    assert rec is not None, msg
    shipped = [t for g, t in vectors.cases("divergence_continuous", divergence="kl")
               if t["inputs"]["p"] == G._spec(rec["p"]) and t["inputs"]["q"] == G._spec(rec["q"])]
    assert shipped and mp.mpf(shipped[0]["expected"]) == mp.mpf(rec["expected"])


# ----------------------------------------------------------------------------- independent oracles
def test_continuous_vectors_match_closed_forms():
    if not vectors.path("divergence_continuous").is_file():
        pytest.fail("divergence_continuous.json missing")
    spec = {"p": {"family": "norm", "args": [0, 1], "kwds": {}},
            "q": {"family": "norm", "args": [1, 2], "kwds": {}}}
    got = {}
    for g, t in vectors.cases("divergence_continuous"):
        if t["inputs"] == spec:
            got[(g["divergence"], json.dumps(g["params"]))] = mp.mpf(t["expected"])
    with mp.workdps(40):
        assert abs(got[("kl", "{}")] - (mp.log(2) - mp.mpf(1) / 4)) < mp.mpf("1e-28")
        assert abs(got[("js", "{}")] - mp.mpf("0.128174973054398010424818")) < mp.mpf("1e-23")
        bc = mp.sqrt(2 * 1 * 2 / mp.mpf(5)) * mp.exp(-mp.mpf(1) / (4 * 5))
        assert abs(got[("squared_hellinger", "{}")] - 2 * (1 - bc)) < mp.mpf("1e-28")


def test_discrete_vectors_known_values():
    # dit's example: P = [1, 0], Q = [1/2, 1/2]: TV = |1 − ½| + |0 − ½| = 1 (dit: 0.25)
    t = [t for _, t in vectors.cases("divergence_discrete", divergence="tv") if t["comment"] == "dit's TV example"][0]
    assert float(t["expected"]) == 1.0
    t = [t for _, t in vectors.cases("divergence_discrete", divergence="js") if "disjoint_support" in t["flags"]][0]
    assert mp.mpf(t["expected"]) == +mp.log(2) or abs(mp.mpf(t["expected"]) - mp.log(2)) < 1e-39
    t = [t for _, t in vectors.cases("divergence_discrete", divergence="kl") if "zeros_in_q" in t["flags"]][0]
    assert t["expected"] == "inf"
    # P = Q: f(1)·Σq = −log 4 · (0.3 + 0.7), the exact binary sum being 1 − 5.55e-17
    t = [t for _, t in vectors.cases("divergence_discrete", divergence="gan") if "equal" in t["flags"]][0]
    total = sum(mp.mpf(x) for x in t["inputs"]["q"])
    assert total != 1 and abs(mp.mpf(t["expected"]) + mp.log(4) * total) < 1e-39


def test_conjugate_vectors_closed_forms():
    for _, t in vectors.cases("conjugate", divergence="pearson"):
        x = t["inputs"]["t"]
        want = -1.0 if x < -2 else x * x / 4 + x
        assert math.isclose(float(t["expected"]), want, rel_tol=1e-15), x
    for _, t in vectors.cases("conjugate", divergence="kl"):
        x = t["inputs"]["t"]
        with mp.workdps(50):
            want = mp.exp(mp.mpf(x) - 1)
            assert abs(mp.mpf(t["expected"]) - want) <= mp.mpf("1e-38") * want, x
    for _, t in vectors.cases("conjugate", divergence="tv"):
        x = t["inputs"]["t"]
        want = math.inf if x > 1 else max(x, -1.0)
        assert float(t["expected"]) == want, x


def test_gan_conjugate_activation_is_softplus():
    # f*(g(v)) for gan = −log(1 − e^{g(v)}) with g(v) = −log(1 + e^{−v}): softplus(v)
    for _, t in vectors.cases("conjugate_activation", divergence="gan"):
        v = t["inputs"]["v"]
        with mp.workdps(60):
            want = mp.log1p(mp.exp(mp.mpf(v)))
            assert abs(mp.mpf(t["expected"]) - want) <= mp.mpf("1e-38") * want, v


def test_optimal_discriminator_is_sigmoid():
    for _, t in vectors.cases("optimal_discriminator"):
        lp, lq = (vectors.decode(t["inputs"][k]) for k in ("logp", "logq"))
        with mp.workdps(60):
            if lp == lq == -math.inf:
                continue
            want = mp.mpf(0) if lp == -math.inf else 1 / (1 + mp.exp(mp.mpf(lq) - mp.mpf(lp)))
            assert abs(mp.mpf(t["expected"]) - want) <= mp.mpf("1e-38") * max(want, mp.mpf(10) ** -400)


def test_alpha_near_its_limits():
    # a → 1: u log u − (u − 1) (kl centred); a → 0: −log u + (u − 1); error O(|a − limit|)
    for a, limit in ((1 - 1e-6, lambda u: u * mp.log(u) - (u - 1)),
                     (1e-6, lambda u: -mp.log(u) + (u - 1))):
        n = 0
        for _, t in vectors.cases("f", divergence="alpha", params={"a": a}):
            u = mp.mpf(t["inputs"]["u"])
            if 0.2 < u < 20:
                want = limit(u)
                assert abs(mp.mpf(t["expected"]) - want) < 1e-5 * (1 + abs(want)), (a, u)
                n += 1
        assert n >= 4


def test_precise_refuses_disagreement_and_rescues_cancellation():
    gen = R.generator("(u*log(u) - (u+1)*log((u+1)/2))/2")
    u = 1 + 2.0 ** -26
    val = R.precise(gen.f, u)
    with mp.workdps(200):
        x = mp.mpf(u)
        exact = (x * mp.log(x) - (x + 1) * mp.log((x + 1) / 2)) / 2
    assert abs(val - exact) < mp.mpf("1e-45") * abs(exact)
    with pytest.raises(R.PrecisionError):
        R.precise(lambda: mp.rand())


def test_conjugate_by_maximisation_matches_fenchel_young():
    # f*(f′(u)) = u f′(u) − f(u) (Fenchel–Young equality) for every member
    for name in fdiv.names():
        m = fdiv.get(name)
        gen = R.generator(m.formula, dict(m.params))
        for u in (0.3, 2.5):
            if not gen.smooth_at_one and u == 1:
                continue
            with mp.workdps(50):
                t = gen.f_prime(u)
                lhs = R.conjugate(gen, t)
                rhs = mp.mpf(u) * t - gen.f(u)
                assert abs(lhs - rhs) <= mp.mpf("1e-30") * (1 + abs(rhs)), (name, u)


# ----------------------------------------------------------------------------- export
def test_cli_export_writes_identical_files(tmp_path):
    from fdiv.cli import main

    assert main(["vectors", "export", str(tmp_path / "out")]) == 0
    for q in SHIPPED:
        assert (tmp_path / "out" / f"{q}.json").read_bytes() == vectors.path(q).read_bytes()
    assert main(["vectors"]) == 2
