"""``fdiv check``: correct implementations pass, each deliberately broken one (tests/broken/) is
diagnosed as its mistake, reports render, the CLI keeps its exit codes, the sandbox is used."""
import json
import runpy
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import fdiv
import fdiv.vectors
from fdiv.check import assert_conforms, check

BROKEN = Path(__file__).parent / "broken"


def _fn(module, name):
    return runpy.run_path(str(BROKEN / f"{module}.py"))[name]


# ----------------------------------------------------------------------------- diagnosis
@pytest.mark.parametrize("module,func,quantity,divergence,mistake", [
    ("kl_swapped", "kl", "divergence", "kl", "swapped"),
    ("kl_bits", "kl", "divergence", "kl", "log2"),
    ("kl_drop_q_zero", "kl", "divergence", "kl", "drop_p_fprime_inf"),
    ("tv_half", "tv", "divergence", "tv", "half"),
    ("tv_dit", "tv", "divergence", "tv", "drop_q_f0+half"),
    ("tv_drop_p_zero", "tv", "divergence", "tv", "drop_q_f0"),
    ("js_double", "js", "divergence", "js", "double"),
    ("js_scipy", "js", "divergence", "js", "sqrt"),
    ("jeffreys_half", "jeffreys", "divergence", "jeffreys", "half"),
    ("hellinger_half", "squared_hellinger", "divergence", "squared_hellinger", "half"),
    ("pearson_conjugate_reals", "conjugate", "conjugate", "pearson", "over_reals"),
    ("gan_activation_not_applied", "conjugate_activation", "conjugate_activation", "gan",
     "activation_not_applied"),
    ("fgan_neyman_raw", "objective", "fgan_objective", "neyman", "activation_not_applied"),
])
def test_broken_implementation_is_diagnosed(module, func, quantity, divergence, mistake):
    report = check(_fn(module, func), quantity, divergence, examples=12, seed=1)
    assert not report.passed and report.failures
    d = report.diagnosis
    assert d is not None and d.mistake == mistake and d.explains_all, report.to_text()
    assert not d.alternatives, d.alternatives  # unambiguous
    text = report.to_text()
    assert "diagnosis: " + mistake in text and "reproduce:" in text


@pytest.mark.parametrize("module,func,quantity,divergence,kw", [
    ("kl_correct", "kl", "divergence", "kl", {}),
    ("kl_correct", "kl_logprobs", "divergence", "kl", {"input": "logprobs"}),
    ("gan_losses_correct", "discriminator_loss", "discriminator_loss", None, {}),
])
def test_correct_implementation_passes(module, func, quantity, divergence, kw):
    report = check(_fn(module, func), quantity, divergence, examples=12, **kw)
    assert report.passed, report.to_text()
    assert report.diagnosis is None
    assert {r.source for r in report.results} == {"vectors", "hypothesis"}


def test_naive_sigmoid_loss_fails_only_on_large_logits():
    report = check(_fn("gan_losses_correct", "discriminator_loss_naive"), "discriminator_loss",
                   examples=12)
    assert not report.passed
    assert all("large_logit" in r.flags for r in report.failures if r.source == "vectors")
    assert "large_logit" in report.diagnosis.common_flags
    assert report.diagnosis.mistake == "precision"


def test_density_space_discriminator_is_a_precision_problem():
    def naive(logp, logq):
        p, q = np.exp(logp), np.exp(logq)
        return p / (p + q)

    report = check(naive, "optimal_discriminator", examples=10)
    assert not report.passed and report.diagnosis.mistake == "precision", report.to_text()
    assert all("subnormal_density" in r.flags for r in report.failures)


# fdiv's own members against the vectors (dogfooding); known engine bugs are listed, not hidden
_KNOWN: dict = {}  # (member, quantity) -> reason, for known non-conformances


@pytest.mark.parametrize("name", fdiv.names())
@pytest.mark.parametrize("quantity,attr,form", [
    ("f", "f_log", "logu"), ("f_prime", "f_prime", "u"), ("conjugate", "conjugate", "t"),
    ("activation", "activation", "v"), ("conjugate_activation", "conjugate_activation", "v"),
])
def test_fdiv_members_conform(name, quantity, attr, form, request):
    if (name, quantity) in _KNOWN:
        request.applymarker(pytest.mark.xfail(reason=_KNOWN[(name, quantity)], strict=False))
    m = fdiv.get(name)
    if not any(True for _ in fdiv.vectors.cases(quantity, divergence=name)):
        pytest.skip(f"no vectors for {name!r} yet: test_every_registry_member_has_vectors says "
                    f"how to regenerate them")
    report = check(getattr(m, attr), quantity, name, examples=0,
                   input=form if form in ("u", "logu") else None)
    assert report.passed, report.to_text()


# ----------------------------------------------------------------------------- report
def test_report_renderings_and_repro(tmp_path):
    report = check(_fn("tv_half", "tv"), "divergence", "tv", examples=5)
    d = json.loads(report.to_json())
    assert d["passed"] is False and d["diagnosis"]["mistake"] == "half"
    f = d["failures"][0]
    assert {"id", "inputs", "expected", "got", "rel_error", "reproduce", "flags"} <= set(f)
    root = ET.fromstring(report.to_junit())
    assert root.tag == "testsuite" and int(root.get("failures")) == len(report.failures)
    gs = report.to_gradescope()
    assert {"score", "tests", "execution_time"} <= set(gs) and all(
        {"name", "score", "max_score", "status", "output"} <= set(t) for t in gs["tests"])
    assert gs["tests"][0]["status"] == "failed"


def test_assert_conforms():
    with pytest.raises(AssertionError, match="diagnosis: swapped"):
        assert_conforms(_fn("kl_swapped", "kl"), "divergence", "kl", examples=5)
    assert assert_conforms(_fn("kl_correct", "kl"), "divergence", "kl", examples=5).passed
    assert fdiv.check.assert_conforms is assert_conforms


def test_hypothesis_cases_are_seeded():
    fn = _fn("kl_correct", "kl")
    a = [r.describe for r in check(fn, "divergence", "kl", examples=8, seed=3, vectors=False).results]
    b = [r.describe for r in check(fn, "divergence", "kl", examples=8, seed=3, vectors=False).results]
    c = [r.describe for r in check(fn, "divergence", "kl", examples=8, seed=4, vectors=False).results]
    assert a == b and a != c


def test_bad_arguments():
    fn = _fn("kl_correct", "kl")
    with pytest.raises(ValueError, match="quantity"):
        check(fn, "entropy", "kl")
    with pytest.raises(ValueError, match="needs divergence"):
        check(fn, "divergence")
    with pytest.raises(ValueError, match="input"):
        check(fn, "divergence", "kl", input="logu")
    with pytest.raises(ValueError, match="unknown divergence"):
        check(fn, "divergence", "kll")
    with pytest.raises(TypeError):
        check(42, "divergence", "kl")
    with pytest.raises(ValueError, match="no test vectors"):
        check(fn, "divergence", "alpha", params={"a": 0.3}, examples=0)


def test_wrong_return_types_are_failures_not_crashes():
    report = check(lambda p, q: np.array([1.0, 2.0]), "divergence", "kl", examples=0)
    assert not report.passed and all("shape" in r.error for r in report.failures)
    report = check(lambda p, q: 1 / 0, "divergence", "kl", examples=0)
    assert all(r.error.startswith("ZeroDivisionError") for r in report.failures)


# ----------------------------------------------------------------------------- CLI + sandbox
@pytest.fixture
def cli(capsys):
    """``fdiv check …`` through ``fdiv.cli.main`` (the target still runs in the sandbox child)."""
    from fdiv.cli import main

    def run(*args):
        try:
            rc = main(["check", *args])
        except SystemExit as exc:  # argparse usage errors
            rc = exc.code
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def test_cli_exit_codes_and_formats(tmp_path, cli):
    rc, out, err = cli(str(BROKEN / "kl_correct.py") + ":kl", "--divergence", "kl",
                        "--examples", "5", "--format", "junit")
    assert rc == 0, out + err
    assert ET.fromstring(out).get("failures") == "0"
    rc, out, err = cli(str(BROKEN / "js_scipy.py") + ":js", "--divergence", "js", "--examples",
                        "5", "--json")
    assert rc == 1, out + err
    d = json.loads(out)
    assert d["diagnosis"]["mistake"] == "sqrt"
    # the reproduction line really reproduces the failing value
    f = d["failures"][0]
    repro = subprocess.run(f["reproduce"], shell=True, capture_output=True, text=True, timeout=120)
    assert float(repro.stdout.strip()) == f["got"], repro.stderr
    rc, out, err = cli(str(tmp_path / "missing.py") + ":kl", "--divergence", "kl")
    assert rc == 2 and "not found" in err
    rc, out, err = cli("no_such_module_xyz:kl", "--divergence", "kl")
    assert rc == 2
    rc, out, err = cli(str(BROKEN / "kl_correct.py") + ":kl", "--quantity", "entropy")
    assert rc == 2
    bad = tmp_path / "raises.py"
    bad.write_text("raise RuntimeError('broken at import')\n")
    rc, out, err = cli(str(bad) + ":kl", "--divergence", "kl", "--examples", "0")
    assert rc == 1 and "broken at import" in out


def test_cli_continuous_through_the_adapter(cli):
    # scipy.stats distributions are rebuilt inside the sandbox from JSON specs
    rc, out, err = cli(str(BROKEN / "kl_continuous_quad.py") + ":kl", "--quantity",
                       "divergence_continuous", "--divergence", "kl", "--json")
    assert rc == 1, out + err
    d = json.loads(out)
    assert all(r["error"] is None for r in d["results"]), out
    far = [r for r in d["failures"] if "far_apart" in r["flags"]]
    assert far and far[0]["got"] == 0.0  # scipy.quad misses the narrow peak at 1000


def test_continuous_halved_is_diagnosed():
    fn = _fn("kl_continuous_quad", "kl_halved")
    report = check(fn, "divergence_continuous", "kl")
    assert report.diagnosis.mistake == "half" and report.diagnosis.explains_all, report.to_text()


@pytest.mark.parametrize("name", ["kl", "js", "tv", "squared_hellinger"])
def test_fdiv_divergence_conforms_on_continuous_vectors(name):
    report = check(lambda P, Q: fdiv.divergence(name, P, Q), "divergence_continuous", name)
    assert report.passed, report.to_text()


def test_cli_gradescope_output_file(tmp_path, cli):
    out_file = tmp_path / "results.json"
    rc, out, err = cli(str(BROKEN / "pearson_conjugate_reals.py") + ":conjugate", "--quantity",
                        "conjugate", "--divergence", "pearson", "--examples", "0", "--format",
                        "gradescope", "--output", str(out_file))
    assert rc == 1
    gs = json.loads(out_file.read_text())
    assert gs["tests"][0]["status"] == "failed" and "over" in gs["tests"][0]["output"]


def test_the_implementation_shares_the_public_docstrings():
    import importlib

    core = importlib.import_module("fdiv.check._core")
    assert fdiv.check.__doc__.startswith("Check ``fn`` against fdiv's references")
    assert core.check.__doc__ is fdiv.check.__doc__
    assert core.assert_conforms.__doc__ is assert_conforms.__doc__
    assert "Pytest helper" in assert_conforms.__doc__


def test_hypothesis_cases_depend_on_the_seed_alone(tmp_path, monkeypatch):
    # Hypothesis >= 6.131 also draws literals from the source of every local module loaded;
    # fdiv.check's draws must not change when one more is imported
    import importlib
    import sys

    from hypothesis import strategies as st_

    core = importlib.import_module("fdiv.check._core")
    strategy = st_.floats(-1e3, 1e3)
    before = core._draw(strategy, 200, 7)
    (tmp_path / "fdiv_literals_probe.py").write_text("X = [777.25, 123.5, -999.0, 31.0, -5.5, 0.3]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("fdiv_literals_probe")
    try:
        assert core._draw(strategy, 200, 7) == before
        # nor after a test of the caller's, on Hypothesis's default backend, filled its shared
        # cache of constants for the same strategy
        from hypothesis import Phase, given, settings

        given(strategy)(settings(max_examples=50, database=None, phases=[Phase.generate])(
            lambda x: None))()
        assert core._draw(strategy, 200, 7) == before
    finally:
        sys.modules.pop("fdiv_literals_probe", None)
