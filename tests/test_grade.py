"""``fdiv grade``: the Lecture 16 assignment, wrong and hostile submissions, results.json, batch.

Submissions under ``tests/submissions/`` hold only a student's *changes*: each file is appended to
the reference solution to make a complete module (later definitions override earlier ones, as in a
student's file), and declares ``AFFECTED`` — the tasks its mistake must cost, or ``"all"``.
"""
import ast
import csv
import json
import math
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from fdiv.grade import (grade_batch, grade_submission, load_assignment, safe_grade,
                        validate_results, write_results)
from fdiv.grade.compare import compare, fmt
from fdiv.grade.grader import task_cases
from fdiv.grade.prerequisites import prerequisite_source
from fdiv.grade.quantities import get_quantity

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the grading sandbox needs POSIX")

SUBMISSIONS = Path(__file__).parent / "submissions"
LECTURE16 = load_assignment("lecture16")
SOLUTION = LECTURE16.solution_path


def _affected(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "AFFECTED" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} declares no AFFECTED")


def _build(directory, pattern):
    """Write complete submissions (solution + changes) for tests/submissions/<pattern> files."""
    directory.mkdir(parents=True, exist_ok=True)
    base = SOLUTION.read_text()
    out = {}
    for src in sorted(SUBMISSIONS.glob(pattern)):
        (directory / src.name).write_text(base + "\n\n# --- the student's changes ---\n" + src.read_text())
        out[src.stem] = _affected(src)
    return out


def _reduced_assignment(tmp_path, tasks=None, name="assignment.toml"):
    """The Lecture 16 assignment with fewer cases and tighter limits, optionally only ``tasks``."""
    import tomllib

    data = tomllib.loads(LECTURE16.path.read_text())
    head = data["assignment"]
    head.update(solution=str(SOLUTION), template=str(LECTURE16.template_path), timeout=6.0,
                call_timeout=1.0, memory_mb=512)
    data["tasks"] = [dict(t, visible=1, hidden=2) for t in data["tasks"]
                     if tasks is None or t["id"] in tasks]
    lines = ["[assignment]"] + [f"{k} = {json.dumps(v)}" for k, v in head.items()]
    for t in data["tasks"]:
        lines += ["", "[[tasks]]"] + [f"{k} = {json.dumps(v)}" for k, v in t.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return load_assignment(path)


def main(argv):
    """``fdiv grade …`` through the grade subcommand's own parser (other subcommands not loaded)."""
    from fdiv.grade import cli

    assert argv[0] == "grade"
    return cli.main(argv[1:])


def _by_task(results):
    return {t["extra_data"]["task"]: t for t in results["tests"] if "task" in t.get("extra_data", {})}


# ----------------------------------------------------------------------------- reference, template
@pytest.fixture(scope="module")
def reference_results(tmp_path_factory):
    d = tmp_path_factory.mktemp("reference")
    (d / "submission.py").write_text(SOLUTION.read_text())
    return grade_submission(LECTURE16, d, submission_id="reference-student")


def test_reference_solution_scores_full_marks(reference_results):
    res = reference_results
    assert validate_results(res) == []
    failing = {t["name"]: t["output"] for t in res["tests"] if t["status"] != "passed"}
    assert not failing, failing
    assert res["score"] == LECTURE16.max_score == sum(t.points for t in LECTURE16.tasks)
    assert len(res["tests"]) == len(LECTURE16.tasks)


def test_results_carry_the_gradescope_fields(reference_results):
    res = reference_results
    assert {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"} <= set(res)
    for i, t in enumerate(res["tests"]):
        assert t["number"] == str(i + 1)
        assert t["output_format"] == "md" and t["visibility"] == "visible"
        assert {"worst_case", "tolerance"} <= set(t["extra_data"])
        assert t["extra_data"]["tolerance"]["rtol"] > 0
    json.dumps(res, allow_nan=False)


def test_each_task_runs_hidden_cases(reference_results):
    for task, t in zip(LECTURE16.tasks, reference_results["tests"]):
        extra = t["extra_data"]
        assert extra["hidden_total"] == task.hidden and extra["hidden_passed"] == task.hidden
        assert extra["visible_total"] == task.visible + len(task.cases)


# ----------------------------------------------------------------------------- wrong submissions
@pytest.fixture(scope="module")
def wrong_batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("wrong")
    affected = _build(d / "subs", "wrong_*.py")
    rows = grade_batch(LECTURE16, d / "subs", jobs=2, out_dir=d / "out", csv_path=d / "summary.csv",
                       progress=False)
    results = {p.stem: json.loads(p.read_text()) for p in (d / "out").glob("*.json")}
    return affected, rows, results, d


def test_wrong_submissions_lose_exactly_the_affected_tasks(wrong_batch):
    affected, rows, results, _ = wrong_batch
    assert set(affected) <= set(results) and len(affected) >= 6
    for name, tasks in affected.items():
        by_task = _by_task(results[name])
        for task in LECTURE16.tasks:
            t = by_task[task.id]
            if task.id in tasks:
                assert t["score"] < t["max_score"], (name, task.id)
                assert t["status"] == "failed"
                if task.partial_credit == "all_or_nothing":
                    assert t["score"] == 0
            else:
                assert t["score"] == t["max_score"], (name, task.id, t["output"])


def test_wrong_submissions_get_a_diagnosis(wrong_batch):
    _, _, results, _ = wrong_batch
    expect = {
        "wrong_swapped": ("optimal_discriminator", "swapped"),
        "wrong_half": ("generator", "factor ½"),
        "wrong_boundary": ("f_divergence", "q_i·f(0)"),
        "wrong_sqrt_js": ("gan_value", "√JS"),
        "wrong_conjugate_r": ("conjugate", "t²/4 + t"),
    }
    for name, (task, phrase) in expect.items():
        out = _by_task(results[name])[task]["output"]
        assert "**Hint:**" in out and phrase in out, (name, out)


def test_hidden_answers_are_not_revealed(wrong_batch):
    """No hidden case's expected value appears in any feedback (visible ones may)."""
    affected, _, results, _ = wrong_batch
    for name in affected:
        res = results[name]
        for index, task in enumerate(LECTURE16.tasks):
            q = get_quantity(task.quantity)
            visible, hidden = task_cases(task, index, LECTURE16.seed, name)
            shown = {fmt(v) for c in visible for v in np.ravel(q.expected(c.args, task.params))}
            secrets = {fmt(v) for c in hidden for v in np.ravel(q.expected(c.args, task.params))}
            secrets = {s for s in secrets - shown if len(s) >= 8}
            text = json.dumps(res["tests"][index]) + res["output"]
            leaked = [s for s in secrets if s in text]
            assert not leaked, (name, task.id, leaked)


def test_batch_csv_summary(wrong_batch):
    affected, rows, _, d = wrong_batch
    with open(d / "summary.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["submission"] for r in table] == sorted(r["submission"] for r in table)
    assert {r["submission"] for r in table} == set(affected)
    for r in table:
        assert math.isclose(float(r["score"]),
                            sum(float(r[t.id]) for t in LECTURE16.tasks), abs_tol=1e-6)
    assert [r["submission"] for r in rows] == [r["submission"] for r in table]


# ----------------------------------------------------------------------------- hostile submissions
@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    assignment = _reduced_assignment(d)
    affected = _build(d / "subs", "hostile_*.py")
    (d / "subs" / "template.py").write_text(LECTURE16.template_path.read_text())
    affected["template"] = [t.id for t in assignment.tasks]
    rows = grade_batch(assignment, d / "subs", jobs=2, out_dir=d / "out", csv_path=d / "summary.csv",
                       progress=False)
    results = {p.stem: json.loads(p.read_text()) for p in (d / "out").glob("*.json")}
    return assignment, affected, rows, results


def test_hostile_submissions_never_lose_results(hostile_batch):
    assignment, affected, rows, results = hostile_batch
    assert set(results) == set(affected) == {r["submission"] for r in rows}
    for name, res in results.items():
        assert validate_results(res) == [], name
        assert len(res["tests"]) == len(assignment.tasks), name
        assert not any(t["name"] == "autograder error" for t in res["tests"]), name


def test_hostile_submissions_cost_only_their_tasks(hostile_batch):
    assignment, affected, _, results = hostile_batch
    for name, tasks in affected.items():
        by_task = _by_task(results[name])
        for task in assignment.tasks:
            t = by_task[task.id]
            hit = tasks == "all" or task.id in tasks
            assert t["score"] == (0 if hit else t["max_score"]), (name, task.id, t["output"])


@pytest.mark.parametrize("name, task, phrase", [
    ("hostile_runtime", "generator_prime", "time limit exceeded (1 s per case)"),
    ("hostile_runtime", "conjugate", "raised ValueError: I give up"),
    ("hostile_runtime", "f_divergence", "process ended"),
    ("hostile_runtime", "optimal_discriminator", "returned NaN"),
    ("hostile_runtime", "gan_value", "called sys.exit(1)"),
    ("hostile_runtime", "variational_bound", "returned a str"),
    ("hostile_runtime", "log_partition", "MemoryError (memory limit 512 MiB)"),
    ("hostile_runtime", "gibbs_kl", "time limit exceeded"),
    ("hostile_shapes", "generator", "returned shape ("),
    ("hostile_shapes", "log_partition", "a single number was expected"),
    ("hostile_shapes", "gibbs_kl", "object of type object"),
    ("hostile_print", "generator", "first 1500 of 3015000 bytes"),
    ("template", "conjugate", "NotImplementedError"),
])
def test_hostile_feedback_says_what_happened(hostile_batch, name, task, phrase):
    _, _, _, results = hostile_batch
    out = _by_task(results[name])[task]["output"]
    assert phrase in out, out


@pytest.mark.parametrize("name, phrase", [
    ("hostile_import_loop", "did not finish within the time limit"),
    ("hostile_import_error", "a_module_that_does_not_exist_anywhere"),
    ("hostile_exit_at_import", "SystemExit"),
])
def test_import_failures_are_reported_once_at_the_top(hostile_batch, name, phrase):
    _, _, _, results = hostile_batch
    assert phrase in results[name]["output"]
    assert results[name]["score"] == 0


# ----------------------------------------------------------------------------- determinism
def test_same_seed_same_grades_whatever_the_parallelism(tmp_path):
    assignment = _reduced_assignment(tmp_path, tasks=["gan_value", "log_partition"])
    _build(tmp_path / "subs", "wrong_[os]*.py")  # overflow, sqrt_js, swapped: partial credit
    a = grade_batch(assignment, tmp_path / "subs", jobs=2, seed=7, progress=False)
    b = grade_batch(assignment, tmp_path / "subs", jobs=1, seed=7, progress=False)
    assert a == b
    assert all(r["errors"] == "" for r in a)
    assert any(0 < r["score"] < r["max_score"] for r in a)


def test_hidden_cases_depend_on_seed_and_submission_only():
    task = next(t for t in LECTURE16.tasks if t.id == "f_divergence")

    def draw(seed, sid):
        vis, hid = task_cases(task, 3, seed, sid)
        return [np.concatenate(c.args) for c in vis], [np.concatenate(c.args) for c in hid]

    v1, h1 = draw(16, "alice")
    v2, h2 = draw(16, "alice")
    v3, h3 = draw(16, "bob")
    v4, h4 = draw(17, "alice")
    assert all(np.array_equal(x, y) for x, y in zip(h1, h2))
    assert all(np.array_equal(x, y) for x, y in zip(v1, v3))  # visible cases are the same for all
    assert not all(np.array_equal(x, y) for x, y in zip(h1, h3))
    assert not all(np.array_equal(x, y) for x, y in zip(h1, h4))


# ----------------------------------------------------------------------------- pieces
def test_compare_verdicts():
    ok = compare(np.array([1.0, np.inf]), np.array([1.0 + 1e-12, np.inf]), rtol=1e-8, atol=0, scalar=False)
    assert ok.ok
    assert not compare(np.nan, 1.0, rtol=1e-8, atol=0, scalar=True).ok
    assert "shape" in compare(np.ones(2), np.ones(3), rtol=1e-8, atol=0, scalar=False).public
    assert "single number" in compare(np.ones(1), 1.0, rtol=1e-8, atol=0, scalar=True).public
    assert "None" in compare(None, 1.0, rtol=1e-8, atol=0, scalar=True).public
    assert "str" in compare("1.0", 1.0, rtol=1e-8, atol=0, scalar=True).public
    v = compare(np.float32(1 / 3), 1 / 3, rtol=1e-12, atol=0, scalar=True)
    assert not v.ok and "float32" in v.public
    wrong = compare(2.5, 1.25, rtol=1e-8, atol=0, scalar=True)
    assert "1.25" in wrong.detail and "1.25" not in wrong.public  # the public text hides the answer
    assert not compare(np.inf, 1e300, rtol=1e-8, atol=0, scalar=True).ok


def test_prerequisite_source_holds_only_what_is_needed():
    src = prerequisite_source(SOLUTION.read_text(), ["optimal_discriminator"])
    namespace = {}
    exec(compile(src, "<prereq>", "exec"), namespace)
    assert "optimal_discriminator" in namespace
    assert "conjugate" not in namespace and "gan_value" not in namespace
    d = namespace["optimal_discriminator"](np.array([0.25, 0.0, 0.0]), np.array([0.75, 0.0, 1.0]))
    np.testing.assert_array_equal(d, [0.25, 0.5, 0.0])
    with pytest.raises(ValueError, match="no"):
        prerequisite_source(SOLUTION.read_text(), ["not_there"])


def test_assignment_validation(tmp_path):
    good = LECTURE16.path.read_text()
    cases = {
        "typo": (good.replace("points = 1\n", "pionts = 1\n", 1), "unknown keys"),
        "credit": (good.replace('partial_credit = "all_or_nothing"', 'partial_credit = "half"'), "partial_credit"),
        "quantity": (good.replace('quantity = "f"\n', 'quantity = "nope"\n', 1), "unknown quantity"),
        "toml": (good + "\n[[tasks]\n", "invalid TOML"),
        "dup": (good + '\n[[tasks]]\nid = "generator"\nquantity = "f"\n', "duplicate"),
        "budget": (good.replace("timeout = 20.0", "timeout = 100.0"), "time_budget"),
    }
    for name, (text, match) in cases.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        with pytest.raises(ValueError, match=match):
            load_assignment(path)
    with pytest.raises(ValueError, match="not found"):
        load_assignment(tmp_path / "missing.toml")


def test_yaml_assignment_matches_toml(tmp_path):
    yaml = pytest.importorskip("yaml", reason="YAML assignments need PyYAML (optional)")
    import tomllib

    data = tomllib.loads(LECTURE16.path.read_text())
    path = tmp_path / "assignment.yaml"
    path.write_text(yaml.safe_dump(data))
    for name in ("solution.py", "template.py"):
        (tmp_path / name).write_text((LECTURE16.directory / name).read_text())
    loaded = load_assignment(path)
    assert loaded.tasks == LECTURE16.tasks and loaded.seed == LECTURE16.seed


def test_task_grading_error_is_contained(tmp_path, monkeypatch):
    """A bug in a reference answer costs that task only, visibly flagged as an autograder error."""
    from fdiv.grade import quantities

    assignment = _reduced_assignment(tmp_path, tasks=["generator", "generator_prime"])
    broken = quantities.QUANTITIES["f_prime"]
    monkeypatch.setitem(quantities.QUANTITIES, "f_prime",
                        broken.__class__(**{**broken.__dict__, "expected": _boom}))
    (tmp_path / "submission.py").write_text(SOLUTION.read_text())
    res = grade_submission(assignment, tmp_path)
    by_task = _by_task(res)
    assert "autograder error" in by_task["generator_prime"]["output"]
    assert by_task["generator"]["score"] == by_task["generator"]["max_score"]
    assert validate_results(res) == []


def _boom(args, params):
    raise RuntimeError("reference exploded")


def test_grader_crash_still_writes_results(tmp_path, monkeypatch):
    import fdiv.grade.grader as grader

    def crash(*a, **k):
        raise KeyError("internal")

    monkeypatch.setattr(grader, "grade_submission", crash)
    res = safe_grade(LECTURE16, tmp_path)
    assert validate_results(res) == []
    assert res["tests"][-1]["name"] == "autograder error" and res["tests"][-1]["visibility"] == "visible"
    out = tmp_path / "results.json"
    assert main(["grade", "lecture16", str(tmp_path), "--out", str(out)]) == 1
    assert json.loads(out.read_text())["tests"][-1]["name"] == "autograder error"


# ----------------------------------------------------------------------------- CLI
def test_cli_unreadable_assignment_still_writes_results(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[assignment\n")
    out = tmp_path / "results.json"
    assert main(["grade", str(bad), str(tmp_path), "--out", str(out)]) == 2
    res = json.loads(out.read_text())
    assert validate_results(res) == [] and res["tests"][0]["name"] == "autograder error"


def test_cli_missing_submission_file(tmp_path, capsys):
    out = tmp_path / "results.json"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("hi")
    assert main(["grade", "lecture16", str(tmp_path / "sub"), "--out", str(out)]) == 1
    res = json.loads(out.read_text())
    assert res["score"] == 0 and "submission.py" in res["tests"][0]["output"]
    assert validate_results(res) == []


def test_cli_init_writes_template_solution_assignment(tmp_path):
    assert main(["grade", "--init", str(tmp_path / "a")]) == 0
    names = {p.name for p in (tmp_path / "a").iterdir()}
    assert names == {"assignment.toml", "template.py", "solution.py"}
    template = ast.parse((tmp_path / "a" / "template.py").read_text())
    defined = {n.name for n in template.body if isinstance(n, ast.FunctionDef)}
    assert {t.function for t in LECTURE16.tasks} <= defined
    for fn in (n for n in template.body if isinstance(n, ast.FunctionDef)):
        assert ast.get_docstring(fn), fn.name
    assert load_assignment(tmp_path / "a").tasks == LECTURE16.tasks
    assert main(["grade", "--init", str(tmp_path / "a")]) == 2  # no silent overwrite


def test_cli_gradescope_bundle(tmp_path):
    d = tmp_path / "gs"
    assert main(["grade", "--gradescope", str(d)]) == 0
    for script in ("setup.sh", "run_autograder"):
        path = d / script
        assert os.access(path, os.X_OK)
        subprocess.run(["bash", "-n", str(path)], check=True)
    run = (d / "run_autograder").read_text()
    assert "${AUTOGRADER_ROOT:-/autograder}" in run and "results/results.json" in run
    assert "--metadata" in run
    fallback = run.split("<<'JSON'\n", 1)[1].split("\nJSON", 1)[0]
    assert validate_results(json.loads(fallback)) == []
    with zipfile.ZipFile(d / "autograder.zip") as zf:
        names = set(zf.namelist())
    assert {"setup.sh", "run_autograder", "assignment/assignment.toml", "assignment/solution.py",
            "vendor/fdiv/grade/cli.py", "vendor/fdiv/_sandbox_runner.py"} <= names


def test_gradescope_run_autograder_end_to_end(tmp_path):
    """The generated run_autograder, pointed at a fake /autograder, grades and writes results."""
    import sys

    assignment = _reduced_assignment(tmp_path, tasks=["generator", "gibbs_kl"])
    root = tmp_path / "autograder"
    assert main(["grade", str(assignment.path), "--gradescope", str(root / "source")]) == 0
    (root / "submission").mkdir()
    (root / "submission" / "submission.py").write_text(SOLUTION.read_text())
    (root / "submission_metadata.json").write_text(json.dumps({"id": 4242}))
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), FDIV_PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True,
                   timeout=300, capture_output=True)
    res = json.loads((root / "results" / "results.json").read_text())
    assert validate_results(res) == []
    assert res["score"] == assignment.max_score and res["extra_data"]["submission_id"] == "4242"
    # Python that cannot start at all: the script's own fallback file
    (root / "results" / "results.json").unlink()
    env["FDIV_PYTHON"] = "/bin/false"
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True,
                   timeout=60, capture_output=True)
    res = json.loads((root / "results" / "results.json").read_text())
    assert validate_results(res) == [] and res["tests"][0]["name"] == "autograder error"


def test_cli_single_submission_json_and_metadata(tmp_path, capsys):
    assignment = _reduced_assignment(tmp_path, tasks=["generator", "gan_value"])
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "submission.py").write_text(SOLUTION.read_text())
    meta = tmp_path / "submission_metadata.json"
    meta.write_text(json.dumps({"id": 123456, "users": []}))
    out = tmp_path / "results.json"
    code = main(["grade", str(assignment.path), str(sub), "--out", str(out), "--json",
                 "--metadata", str(meta)])
    printed = json.loads(capsys.readouterr().out)
    written = json.loads(out.read_text())
    assert code == 0 and printed["score"] == written["score"] == assignment.max_score
    assert written["extra_data"]["submission_id"] == "123456"


def test_write_results_is_strict_json(tmp_path):
    path = write_results({"score": float("nan"), "tests": []}, tmp_path / "r.json")
    res = json.loads(path.read_text())  # NaN could not be written: crash results instead
    assert res["tests"][-1]["name"] == "autograder error"


def test_grade_is_a_registered_subcommand():
    from fdiv import cli

    assert "grade.cli" in cli._SUBCOMMANDS


def test_reference_answers_exist_for_every_registry_member():
    """Staff may pick any divergence: every quantity must give a number (never NaN) for each."""
    import warnings

    import fdiv

    problems = []
    for name in fdiv.names():
        params = {"divergence": name}
        for qname in ("f", "f_prime", "conjugate", "divergence", "variational_bound"):
            q = get_quantity(qname)
            rng = np.random.default_rng(1)
            for i in range(len(q.kinds) * 2):
                case = q.generate(rng, i, params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = np.asarray(q.expected(case.args, params), dtype=np.float64)
                if np.isnan(value).any():
                    problems.append(f"{name}/{qname}/{case.kind}: {[a.tolist() for a in case.args]}")
                    break
    assert not problems, "reference answers that are NaN:\n" + "\n".join(problems)


def test_results_on_disk_stay_valid_while_grading(tmp_path):
    """After every task the results file is complete and says which tasks are still pending."""
    assignment = _reduced_assignment(tmp_path, tasks=["generator", "generator_prime", "conjugate"])
    (tmp_path / "submission.py").write_text(SOLUTION.read_text())
    snapshots = []
    final = grade_submission(assignment, tmp_path, progress=snapshots.append)
    assert len(snapshots) == 2
    for snap, pending in zip(snapshots, (["generator_prime", "conjugate"], ["conjugate"])):
        assert validate_results(snap) == []
        assert snap["tests"][-1]["name"] == "autograder error"
        assert snap["tests"][-1]["extra_data"]["pending"] == pending
    assert validate_results(final) == [] and final["score"] == assignment.max_score


def test_a_missing_function_costs_only_its_task(tmp_path):
    assignment = _reduced_assignment(tmp_path, tasks=["generator", "log_partition"])
    source = SOLUTION.read_text().replace("def log_partition(d):", "def log_partition_(d):")
    (tmp_path / "submission.py").write_text(source)
    by_task = _by_task(grade_submission(assignment, tmp_path))
    assert by_task["generator"]["score"] == by_task["generator"]["max_score"]
    assert by_task["log_partition"]["score"] == 0
    assert "`log_partition` is not defined" in by_task["log_partition"]["output"]
