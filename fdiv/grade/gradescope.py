"""Gradescope glue: the results.json schema check, the autograder bundle, ``--init``.

Gradescope's autograder contract (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``setup.sh`` installs dependencies when the image is built; ``run_autograder`` runs in
``/autograder`` with the student's files in ``/autograder/submission`` and must write
``/autograder/results/results.json``.  That file has top-level ``score``, ``execution_time``,
``output``, ``output_format``, ``visibility``, ``stdout_visibility``, ``extra_data`` and ``tests``;
each test has ``name``, ``number``, ``score``, ``max_score``, ``status`` (passed/failed),
``output``, ``output_format`` (text/html/simple_format/md/ansi), ``tags``, ``visibility``
(hidden/after_due_date/after_published/visible) and ``extra_data``.  A missing or malformed file
shows as "the autograder failed", so the generated ``run_autograder`` writes a fallback file when
Python itself cannot start.
"""
from __future__ import annotations

import json
import math
import shutil
import stat
import zipfile
from pathlib import Path

from .assignment import load_assignment

__all__ = ["validate_results", "write_gradescope", "init_assignment"]

_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
_TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format",
             "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
             "leaderboard"}
_TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
              "output_format", "tags", "visibility", "extra_data"}


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def validate_results(results) -> list[str]:
    """Problems that would make Gradescope reject or misread ``results`` (empty list: valid)."""
    problems = []
    try:
        json.dumps(results, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not strict JSON: {exc}")
    if not isinstance(results, dict):
        return problems + ["the top level must be an object"]
    for key in set(results) - _TOP_KEYS:
        problems.append(f"unknown top-level key {key!r}")
    tests = results.get("tests")
    if "score" not in results and not tests:
        problems.append("neither a top-level score nor tests")
    if "score" in results and not _number(results["score"]):
        problems.append(f"score must be a finite number, got {results['score']!r}")
    if "execution_time" in results and not (_number(results["execution_time"])
                                            and results["execution_time"] >= 0):
        problems.append("execution_time must be a non-negative number of seconds")
    for key in ("output",):
        if key in results and not isinstance(results[key], str):
            problems.append(f"{key} must be a string")
    for key in ("output_format", "test_output_format"):
        if key in results and results[key] not in _FORMATS:
            problems.append(f"{key}={results[key]!r} not in {sorted(_FORMATS)}")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in _VISIBILITY:
            problems.append(f"{key}={results[key]!r} not in {sorted(_VISIBILITY)}")
    if "extra_data" in results and not isinstance(results["extra_data"], dict):
        problems.append("extra_data must be an object")
    if tests is not None and not isinstance(tests, list):
        return problems + ["tests must be a list"]
    for i, t in enumerate(tests or []):
        where = f"tests[{i}]"
        if not isinstance(t, dict):
            problems.append(f"{where} must be an object")
            continue
        for key in set(t) - _TEST_KEYS:
            problems.append(f"{where}: unknown key {key!r}")
        if not isinstance(t.get("name"), str) or not t.get("name"):
            problems.append(f"{where}: name must be a non-empty string")
        for key in ("score", "max_score"):
            if key in t and not _number(t[key]):
                problems.append(f"{where}: {key} must be a finite number")
        if "status" in t and t["status"] not in ("passed", "failed"):
            problems.append(f"{where}: status must be 'passed' or 'failed'")
        if "number" in t and not isinstance(t["number"], str):
            problems.append(f"{where}: number must be a string such as '1' or '2.3'")
        if "output" in t and not isinstance(t["output"], str):
            problems.append(f"{where}: output must be a string")
        if "output_format" in t and t["output_format"] not in _FORMATS:
            problems.append(f"{where}: output_format={t['output_format']!r} not in {sorted(_FORMATS)}")
        if "visibility" in t and t["visibility"] not in _VISIBILITY:
            problems.append(f"{where}: visibility={t['visibility']!r} not in {sorted(_VISIBILITY)}")
        if "tags" in t and not (isinstance(t["tags"], list) and all(isinstance(s, str) for s in t["tags"])):
            problems.append(f"{where}: tags must be a list of strings")
        if "extra_data" in t and not isinstance(t["extra_data"], dict):
            problems.append(f"{where}: extra_data must be an object")
    return problems


# ----------------------------------------------------------------------------- --init
def _assignment_files(assignment):
    a = load_assignment(assignment)
    files = [a.path]
    for p in (a.template_path, a.solution_path):
        if p is not None and p.is_file():
            files.append(p)
    return a, files


def init_assignment(directory, assignment="lecture16", *, force=False) -> list[Path]:
    """Copy an assignment (file, student template, reference solution) into ``directory``.

    Hand ``template.py`` to students; keep ``solution.py`` (the grader takes the reference
    prerequisites from it).  Existing files are not overwritten unless ``force``.
    """
    _, files = _assignment_files(assignment)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    targets = [directory / f.name for f in files]
    clash = [str(t) for t in targets if t.exists()]
    if clash and not force:
        raise ValueError(f"would overwrite {clash}; pass --force to replace them")
    for src, dst in zip(files, targets):
        shutil.copyfile(src, dst)
    return targets


# ----------------------------------------------------------------------------- --gradescope
_SETUP = r"""#!/usr/bin/env bash
# Generated by `fdiv grade --gradescope`: runs once when Gradescope builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# fdiv needs Python >= 3.11 (tomllib).
PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$(command -v "$cand")"; break
  fi
done
if [ -z "$PY" ]; then
  apt-get update
  apt-get install -y python3.11 python3.11-venv
  PY="$(command -v python3.11)"
fi
if ! "$PY" -m venv --help >/dev/null 2>&1; then
  apt-get update
  apt-get install -y "python3-venv" || apt-get install -y "$(basename "$PY")-venv"
fi
"$PY" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install {requirements}
chmod -R a+rX /autograder/venv /autograder/source

# Student code runs as this unprivileged user (the sandbox falls back to root, and says so, if it
# cannot run the interpreter as this user).
id -u fdiv-sandbox >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin fdiv-sandbox
"""

_RUN = r"""#!/usr/bin/env bash
# Generated by `fdiv grade --gradescope`: grades the submission in /autograder/submission with fdiv.
# results.json is always written: by fdiv (even if the grader itself fails) or, if Python cannot
# start at all, by the fallback below.  AUTOGRADER_ROOT and FDIV_PYTHON override the locations
# (for trying the bundle outside Gradescope).
AG="${AUTOGRADER_ROOT:-/autograder}"
PY="${FDIV_PYTHON:-$AG/venv/bin/python}"
RESULTS="$AG/results/results.json"
mkdir -p "$AG/results"
cd "$AG/source" || true
PYTHONPATH="$AG/source/vendor" "$PY" -m fdiv.grade.cli \
    "$AG/source/assignment/{assignment_name}" "$AG/submission" \
    --out "$RESULTS" --metadata "$AG/submission_metadata.json"
if [ ! -s "$RESULTS" ]; then
  cat > "$RESULTS" <<'JSON'
{fallback}
JSON
fi
exit 0
"""

_FALLBACK = {
    "score": 0.0, "output": "Autograder error: the grader could not start. Please tell the course "
    "staff; this is not a verdict on your code.", "visibility": "visible",
    "tests": [{"name": "autograder error", "number": "1", "score": 0.0, "max_score": 0.0,
               "status": "failed", "visibility": "visible",
               "output": "fdiv could not run (see the autograder's stdout)."}],
}

_REQUIREMENTS = ["numpy>=1.24", "scipy>=1.11", "sympy>=1.12", "numba>=0.59", "mpmath>=1.3"]


def _copy_package(dst: Path):
    src = Path(__file__).resolve().parent.parent
    shutil.copytree(src, dst / "fdiv", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))


def write_gradescope(directory, assignment="lecture16", *, zip_name="autograder.zip") -> list[Path]:
    """Write a Gradescope autograder bundle into ``directory`` and zip it.

    Contents: ``setup.sh`` (Python ≥ 3.11 venv with fdiv's dependencies, an unprivileged
    ``fdiv-sandbox`` user), ``run_autograder`` (grades ``/autograder/submission``, passing
    Gradescope's submission metadata so hidden cases differ per submission, and writes a fallback
    results.json if Python cannot start), ``assignment/`` (assignment file, template, solution)
    and ``vendor/fdiv`` (this fdiv).  Upload ``autograder.zip``.
    """
    a, files = _assignment_files(assignment)
    directory = Path(directory)
    (directory / "assignment").mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, directory / "assignment" / f.name)
    _copy_package(directory / "vendor")
    setup = directory / "setup.sh"
    setup.write_text(_SETUP.replace("{requirements}", " ".join(f"'{r}'" for r in _REQUIREMENTS)),
                     encoding="utf-8")
    run = directory / "run_autograder"
    run.write_text(_RUN.replace("{assignment_name}", a.path.name)
                   .replace("{fallback}", json.dumps(_FALLBACK)), encoding="utf-8")
    for p in (setup, run):
        p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    written = [setup, run, directory / "assignment", directory / "vendor"]
    if zip_name:
        zpath = directory / zip_name
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(directory.rglob("*")):
                if p.is_file() and p != zpath:
                    info = zipfile.ZipInfo.from_file(p, p.relative_to(directory).as_posix())
                    with open(p, "rb") as fh:
                        zf.writestr(info, fh.read(), zipfile.ZIP_DEFLATED)
        written.append(zpath)
    return written
