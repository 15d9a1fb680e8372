"""The proofs package (issue 3): the whole suite, the report, and negative controls.

The suite runs once per session (``proofs.report.run_all``, two worker processes); the negative
controls prove the checker can fail: a wrong conjugate, a wrong sign, a member whose numbers
disagree with its formula, and a missing engine all come out FAILED / NOT RUN.
"""
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

import fdiv
from proofs import FAILED, NOT_RUN, NUMERIC, PROVED, conjugates, report
from proofs._verdict import grade_identity, symbolic_zero

REPORT = Path(__file__).resolve().parent.parent / "proofs" / "REPORT.md"
MEMBER_CLAIMS = ("registry", "f_at_one", "limits", "convex", "conjugate", "domain",
                 "fenchel_young", "biconjugate", "activation", "critic")


@pytest.fixture(scope="module")
def claims():
    return report.run_all(jobs=2)


def test_no_claim_failed_or_skipped(claims):
    bad = [f"{c.id}: {c.verdict}: {c.reason}" for c in claims if c.verdict in (FAILED, NOT_RUN)]
    assert not bad, "\n".join(bad)
    assert report.exit_code(claims) == 0


def test_every_registry_member_has_its_conjugate_claims(claims):
    ids = {c.id for c in claims}
    for name in fdiv.names():
        member = fdiv.get(name)
        if member.params:
            labels = {i.split(".")[1] for i in ids if i.startswith(f"conj.{name}[") and
                      "=" in i.split(".")[1]}
            assert len(labels) >= 2, f"{name}: representative parameter values missing"
        else:
            labels = {name}
        for label in labels:
            for what in MEMBER_CLAIMS:
                assert f"conj.{label}.{what}" in ids, f"conj.{label}.{what} missing"
            assert f"var.{label}.pointwise" in ids and f"var.{label}.engine" in ids


def test_every_claim_is_graded_with_a_reason(claims):
    for c in claims:
        assert c.verdict in (PROVED, NUMERIC, FAILED, NOT_RUN)
        assert c.reason, f"{c.id} has no reason"
        assert c.section, f"{c.id} has no lecture section"
    assert len({c.id for c in claims}) == len(claims), "claim ids must be unique"


def test_checked_in_report_is_current(claims):
    fresh = report.to_markdown(claims, timings=False)
    assert REPORT.exists(), "proofs/REPORT.md missing: python -m proofs --no-timings --markdown proofs/REPORT.md"
    assert REPORT.read_text(encoding="utf-8") == fresh, (
        "proofs/REPORT.md is stale: regenerate with "
        "`python -m proofs --no-timings --markdown proofs/REPORT.md`")


def test_errata_cite_existing_claims(claims):
    import re

    text = (REPORT.parent / "ERRATA.md").read_text(encoding="utf-8")
    ids = {c.id for c in claims}
    refs = set(re.findall(r"`((?:conj|var|lecture|gan|ebm)\.[^`]+)`", text))
    assert len(refs) >= 20
    for ref in refs:
        if "<m>." in ref:      # a claim every registry member has
            suffix = ref.split("<m>.")[1]
            assert suffix == "*" or any(i.endswith("." + suffix) for i in ids), ref
        elif ref.endswith(".*"):
            assert any(i.startswith(ref[:-1]) for i in ids), ref
        else:
            assert ref in ids, f"ERRATA.md cites {ref}, which is not a claim"


# --------------------------------------------------------------------------------------------
# negative controls: the checker can fail

def test_pearson_table_conjugate_over_u_nonnegative_fails():
    # the f-GAN table's t²/4 + t extends f to u < 0; over u >= 0 it is wrong for t < -2
    out = conjugates.grade_candidate_conjugate("(u - 1)**2", "t**2/4 + t")
    assert out.verdict == FAILED, out
    good = conjugates.grade_candidate_conjugate(
        "(u - 1)**2", "Piecewise((-1, t <= -2), (t**2/4 + t, True))")
    assert good.verdict == NUMERIC, good


def test_wrong_sign_conjugate_fails():
    assert conjugates.grade_candidate_conjugate("u*log(u)", "exp(-t - 1)").verdict == FAILED
    assert conjugates.grade_candidate_conjugate("u*log(u)", "exp(t - 1)").verdict == NUMERIC


def test_tv_table_form_fails():
    # ½|u - 1|-style table entry t for |t| <= ½ applied to the lecture's |u - 1| is wrong
    assert conjugates.grade_candidate_conjugate("Abs(u - 1)", "t").verdict == FAILED
    assert conjugates.grade_candidate_conjugate(
        "Abs(u - 1)", "Piecewise((-1, t <= -1), (t, t <= 1), (oo, True))").verdict == NUMERIC


def _run(member, what):
    g = conjugates.generator_for(member, label="control")
    spec = next(s for s in conjugates.member_claims(g) if s.id.endswith("." + what))
    return spec.run()


def test_registry_member_with_wrong_conjugate_fails():
    bad = dataclasses.replace(fdiv.get("pearson"),
                              conjugate=lambda t: np.asarray(t, float) ** 2 / 4 + np.asarray(t, float))
    c = _run(bad, "registry")
    assert c.verdict == FAILED and "conjugate" in c.reason, c
    assert _run(fdiv.get("pearson"), "registry").verdict == NUMERIC


def test_member_whose_formula_disagrees_with_its_numbers_fails():
    bad = dataclasses.replace(fdiv.get("kl"), formula="2*u*log(u)")
    assert _run(bad, "registry").verdict == FAILED


def test_wrong_domain_fails():
    bad = dataclasses.replace(fdiv.get("reverse_kl"), conjugate_domain=(-math.inf, 1.0))
    assert _run(bad, "domain").verdict == FAILED


def test_nonzero_residual_fails_and_unsimplified_zero_does_not():
    import mpmath
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    pts = [[mpmath.mpf(v)] for v in np.linspace(0.1, 5, 20)]
    assert grade_identity(sp.log(x) - x + 1, [x], pts).verdict == FAILED
    # acos(cos x) = x on (0, π): zero on the sampled domain, which sympy (told only x > 0)
    # cannot close; undecided is not a disproof
    res = sp.acos(sp.cos(x)) - x
    assert not symbolic_zero(res)
    assert grade_identity(res, [x], [[mpmath.mpf(v)] for v in np.linspace(0.1, 3.0, 20)]).verdict \
        == NUMERIC
    # W(x e^x) = x for x >= 0 is closed by the Lambert-W rewrite
    assert symbolic_zero(sp.LambertW(x * sp.exp(x)) - x)


def test_missing_engine_is_not_run_and_exits_nonzero(monkeypatch):
    monkeypatch.delattr(fdiv, "divergence")
    specs = [s for s in report.all_specs("gan.value_at_optimum.engine")]
    got = [s.run() for s in specs]
    assert got and all(c.verdict == NOT_RUN for c in got)
    assert report.exit_code(got) == 1


def test_fdiv_verify_cli(capsys):
    from fdiv.cli import main

    rc = main(["verify", "--only", "lecture.quadratic", "--json", "--jobs", "1"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [c["id"] for c in out["claims"]] == ["lecture.quadratic_self_conjugate"]
    assert out["claims"][0]["verdict"] == PROVED
