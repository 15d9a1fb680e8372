"""Repository invariants: the README's two set-up commands and CI running the test one verbatim."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands():
    text = (ROOT / "README.rst").read_text()
    head = text.split("Conventions")[0]
    return re.findall(r"^   (python -m pip install .+)$", head, flags=re.M)


def test_readme_opens_with_exactly_two_setup_commands():
    cmds = _commands()
    assert len(cmds) == 2, cmds
    assert "fdiv verify" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _commands()[1] in ci.splitlines()


def test_public_namespace_is_complete():
    import fdiv

    for name in fdiv.__all__:
        assert getattr(fdiv, name) is not None, name
    for name in ("divergence", "integrate", "bound", "bound_mc", "optimal_critic",
                 "optimal_discriminator", "donsker_varadhan", "nwj", "gibbs_gap", "check",
                 "closed_form", "custom"):
        assert name in fdiv.__all__, name


def test_import_leaves_the_heavy_pieces_for_first_use():
    # every millisecond of ``import fdiv`` is paid by each fresh process (the cold start the
    # benchmark reports); these load when first used
    import subprocess
    import sys

    lazy = ("hypothesis", "mpmath", "sympy", "scipy.stats", "scipy.integrate", "urllib.request",
            "xml.sax", "fdiv.check._core", "fdiv.nn", "fdiv.gan", "fdiv.ebm", "fdiv.grade")
    code = f"import sys, fdiv; print([m for m in {lazy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
