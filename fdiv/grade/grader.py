"""Grading one submission (or a directory of them) into Gradescope's ``results.json``.

For every task: generate the visible cases (fixed seed) and the hidden cases (seed derived from the
assignment seed and the submission id), compute the reference answers in this process, run the
student's function on the inputs in a sandboxed child (:func:`fdiv._sandbox.run_calls`, one child
per task, the task's prerequisites replaced by the reference versions), compare, score.

Nothing the student's code does can stop :func:`grade_submission` from returning a complete
results object, and :func:`safe_grade` turns even a crash of the grader into a results object with
a visible "autograder error" test.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._encoding import array_literal, float_literal
from .._sandbox import run_calls
from .assignment import Assignment, Task, load_assignment
from .compare import compare, fmt, matches
from .prerequisites import prerequisite_source
from .quantities import Case, get_quantity

__all__ = ["grade_submission", "safe_grade", "crash_results", "write_results", "grade_batch",
           "find_submission_file", "case_rng", "task_cases"]

_STDOUT_SHOWN = 1500
_MAX_HIDDEN_ROWS = 10


# ----------------------------------------------------------------------------- seeds and cases
def _id_key(submission_id) -> int:
    digest = hashlib.sha256(str(submission_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def case_rng(seed: int, task_index: int, submission_id=None) -> np.random.Generator:
    """The generator for a task's cases: visible cases use ``submission_id=None`` (same for all)."""
    key = [int(seed), int(task_index), 0 if submission_id is None else 1]
    if submission_id is not None:
        key.append(_id_key(submission_id))
    return np.random.default_rng(np.random.SeedSequence(key))


def task_cases(task: Task, index: int, seed: int, submission_id) -> tuple[list, list]:
    """(visible, hidden) lists of :class:`Case` for one task."""
    from .._sandbox import decode

    q = get_quantity(task.quantity)
    visible = [Case(list(decode(c.get("args", []))), dict(decode(c.get("kwargs", {}))), "given")
               for c in task.cases]
    rng = case_rng(seed, index)
    visible += [q.generate(rng, i, task.params) for i in range(task.visible)]
    rng = case_rng(seed, index, submission_id)
    # hidden cases start where the visible ones stopped in the cycle of kinds
    hidden = [q.generate(rng, task.visible + i, task.params) for i in range(task.hidden)]
    return visible, hidden


# ----------------------------------------------------------------------------- submission files
def find_submission_file(assignment: Assignment, submission) -> tuple[Path | None, str]:
    """The Python file to grade: ``submission`` itself, or the assignment's file name inside it.

    Returns ``(path, note)``; ``path`` is None (with the reason in ``note``) when there is none.
    """
    path = Path(submission)
    if path.is_file():
        return path, ""
    if path.is_dir():
        wanted = path / assignment.submission
        if wanted.is_file():
            return wanted, ""
        found = sorted(p for p in path.rglob(assignment.submission) if p.is_file())
        if found:
            return found[0], f"found {assignment.submission} at {found[0].relative_to(path)}"
        pys = sorted(p for p in path.glob("*.py") if p.is_file())
        if len(pys) == 1:
            return pys[0], f"graded {pys[0].name} (the only Python file; expected {assignment.submission})"
        listing = ", ".join(sorted(p.name for p in path.iterdir())[:20]) or "(empty)"
        return None, (f"no `{assignment.submission}` in the submission (files: {listing}); "
                      f"submit a file named `{assignment.submission}`")
    return None, f"submission {str(path)!r} not found"


# ----------------------------------------------------------------------------- one task
@dataclass
class _Row:
    label: str
    kind: str
    ok: bool
    public: str
    detail: str
    error: float
    hidden: bool
    call: Case | None = None


def _md_escape(text: str) -> str:
    return str(text).replace("\n", " ").replace("`", "'")


def _code_block(text: str) -> str:
    return "```\n" + str(text).replace("```", "'''") + "\n```"


def _repro(function: str, case: Case) -> str:
    def arg(a):
        if isinstance(a, np.ndarray):
            return array_literal(a.ravel(), "numpy")
        return float_literal(a, "numpy") if isinstance(a, float) else repr(a)

    parts = [arg(a) for a in case.args] + [f"{k}={arg(v)}" for k, v in case.kwargs.items()]
    return f"{function}({', '.join(parts)})"


def _task_error_text(res, task, assignment) -> str:
    if res.error == "import" and res.imported:
        return (f"`{task.function}` is not defined (or not a function) in your submission: "
                f"{res.message.split(': ', 1)[-1]}")
    if res.error == "import":
        return f"your module could not be imported: {res.message.split(': ', 1)[-1]}"
    if res.error == "timeout":
        return (f"time limit exceeded ({task.timeout:g} s for this task, {task.call_timeout:g} s per "
                f"case): cases that did not finish count as failed")
    if res.error == "memory":
        return f"memory limit exceeded ({assignment.memory_mb} MiB)"
    if res.error == "crash":
        return res.message
    if res.error == "exit":
        return ("the process ended before all cases ran (os._exit, a crash, or closing "
                "stdout/stderr?): cases that did not finish count as failed")
    if res.error == "output":
        return "the returned values were too large"
    return res.message


def _call_error_text(outcome, task, assignment) -> str:
    et = outcome.error_type
    if et == "Timeout":
        return f"time limit exceeded ({task.call_timeout:g} s per case)"
    if et == "MemoryError":
        return f"MemoryError (memory limit {assignment.memory_mb} MiB)"
    if et == "NotRun":
        return outcome.message or "not run"
    if et in ("Exit", "Crash", "OutputLimit"):
        return outcome.message
    if et == "SystemExit":
        return f"called sys.exit({outcome.message})"
    if et == "NotImplementedError":
        return "not implemented yet (NotImplementedError)"
    msg = outcome.message.strip().splitlines()[0] if outcome.message.strip() else ""
    return f"raised {et}" + (f": {msg[:300]}" if msg else "")


def grade_task(assignment: Assignment, task: Task, index: int, file: Path, submission_id, seed,
               solution_source: str | None):
    """One Gradescope test for one task, and the sandbox result it came from.

    Never raises for anything the student's code does (a reference answer that cannot be computed
    raises: that is the grader's fault, reported as an autograder error by the caller).
    """
    t0 = time.monotonic()
    q = get_quantity(task.quantity)
    visible, hidden = task_cases(task, index, seed, submission_id)
    cases = visible + hidden
    expected = [q.expected(c.args, task.params) for c in cases]
    for i, (case, exp) in enumerate(zip(cases, expected)):
        if np.any(np.isnan(np.asarray(exp, dtype=np.float64))):
            # never grade against a wrong number: this is an autograder error, not a student's
            raise RuntimeError(f"the reference answer of case {i + 1} ({case.kind}) of quantity "
                               f"{task.quantity!r} is NaN: a bug in fdiv's reference functions")
    prereq = None
    if task.prerequisites:
        if solution_source is None:
            raise ValueError(f"task {task.id!r} has prerequisites but the assignment has no solution file")
        prereq = {"source": prerequisite_source(solution_source, task.prerequisites),
                  "names": list(task.prerequisites)}
    res = run_calls(f"{file}:{task.function}",
                    [{"args": c.args, "kwargs": c.kwargs} for c in cases],
                    timeout=task.timeout, call_timeout=task.call_timeout,
                    memory_mb=assignment.memory_mb, max_output_bytes=assignment.max_output_bytes,
                    prerequisites=prereq)
    rows, got_arrays = [], []
    for i, (case, exp, outcome) in enumerate(zip(cases, expected, res.calls)):
        is_hidden = i >= len(visible)
        label = f"hidden {i - len(visible) + 1}" if is_hidden else f"visible {i + 1}"
        if outcome.ok:
            v = compare(outcome.value, exp, rtol=task.rtol, atol=task.atol, scalar=q.shape == "scalar")
            rows.append(_Row(label, case.kind, v.ok, v.public, v.detail, v.error, is_hidden, case))
            got_arrays.append(v.got)
        else:
            text = _call_error_text(outcome, task, assignment)
            rows.append(_Row(label, case.kind, False, text, text, float("inf"), is_hidden, case))
            got_arrays.append(None)
    n_pass = sum(r.ok for r in rows)
    total = len(rows)
    if task.partial_credit == "fraction":
        score = task.points * n_pass / total if total else 0.0
    else:
        score = task.points if n_pass == total else 0.0
    score = round(score, 4)

    hint = _hint(q, task, cases, rows, got_arrays)
    if res.error is None and res.calls and all(
            not r.ok and "NotImplementedError" in r.public for r in rows):
        hint = hint or "this function still raises NotImplementedError: implement it"
    output = _task_markdown(assignment, task, rows, score, res, hint)
    worst = max(rows, key=lambda r: r.error) if rows else None
    extra = {
        "task": task.id, "quantity": task.quantity, "function": task.function,
        "passed": n_pass, "total": total,
        "visible_passed": sum(r.ok for r in rows if not r.hidden), "visible_total": len(visible),
        "hidden_passed": sum(r.ok for r in rows if r.hidden), "hidden_total": len(hidden),
        "tolerance": {"rtol": task.rtol, "atol": task.atol},
        "partial_credit": task.partial_credit,
        # the error of a hidden case, with the student's own value, would pin down its answer
        "worst_case": None if worst is None or worst.ok else {
            "case": worst.label, "kind": worst.kind, "verdict": worst.public,
            "scaled_error": None if worst.hidden else _json_float(worst.error)},
        "error": res.error, "elapsed": round(time.monotonic() - t0, 3),
        "prerequisites": list(task.prerequisites),
    }
    test = {
        "name": f"{task.title} — {task.function}()",
        "number": str(index + 1),
        "score": score,
        "max_score": float(task.points),
        "status": "passed" if n_pass == total else "failed",
        "output": output,
        "output_format": "md",
        "visibility": task.visibility,
        "tags": [task.quantity],
        "extra_data": extra,
    }
    return test, res


def _json_float(x):
    return x if np.isfinite(x) else ("inf" if x > 0 else "nan")


def _hint(q, task, cases, rows, got_arrays) -> str:
    """A wrong convention that explains *every* failing case, if there is one."""
    if q.alternatives is None:
        return ""
    failing = [(c, g) for c, r, g in zip(cases, rows, got_arrays) if not r.ok]
    if not failing or any(g is None for _, g in failing):
        return ""
    candidates = None
    for case, got in failing:
        try:
            alts = q.alternatives(case.args, task.params)
        except Exception:  # noqa: BLE001  (an alternative may not exist for this input)
            return ""
        hit = {label for label, val in alts.items()
               if matches(got, val, rtol=max(task.rtol, 1e-7), atol=max(task.atol, 1e-9))}
        candidates = hit if candidates is None else candidates & hit
        if not candidates:
            return ""
    return ("every failing case matches a known mistake: " + " / ".join(sorted(candidates)))


def _task_markdown(assignment, task, rows, score, res, hint) -> str:
    n_vis = sum(not r.hidden for r in rows)
    vis_pass = sum(r.ok for r in rows if not r.hidden)
    hid = [r for r in rows if r.hidden]
    hid_pass = sum(r.ok for r in hid)
    credit = "fraction of cases passed" if task.partial_credit == "fraction" else "all cases must pass"
    lines = [
        f"**Score {score:g} / {task.points:g}** ({credit}) · visible cases {vis_pass}/{n_vis} · "
        f"hidden cases {hid_pass}/{len(hid)} · tolerance rtol {task.rtol:g}, atol {task.atol:g}",
        "",
    ]
    if task.description:
        lines += [task.description.strip(), ""]
    if res.error is not None:
        lines += [f"**Problem:** {_task_error_text(res, task, assignment)}", ""]
        if res.error == "import" and res.import_traceback:
            lines += [_code_block(_tail(res.import_traceback, 12)), ""]
    if task.prerequisites:
        lines += [f"Graded with the reference versions of {', '.join(f'`{p}`' for p in task.prerequisites)}"
                  " (a mistake there is not counted twice).", ""]
    # a plain list, not a table: Gradescope's Markdown flavour is not documented to have tables
    shown_hidden = 0
    for r in rows:
        if r.hidden:
            if r.ok:
                continue
            shown_hidden += 1
            if shown_hidden > _MAX_HIDDEN_ROWS:
                continue
            text = r.public
        else:
            text = r.detail
        verdict = "passed" if r.ok else "**failed**: " + _md_escape(text)
        lines.append(f"- {r.label} ({_md_escape(r.kind)}): {verdict}")
    failed_hidden = sum(not r.ok for r in hid)
    if failed_hidden > _MAX_HIDDEN_ROWS:
        lines.append(f"- … and {failed_hidden - _MAX_HIDDEN_ROWS} more hidden cases failed")
    if hid_pass:
        lines.append(f"- {hid_pass} hidden case{'s' if hid_pass != 1 else ''} passed")
    lines.append("")
    first_bad = next((r for r in rows if not r.hidden and not r.ok and r.call is not None), None)
    if first_bad is not None:
        lines += [f"Reproduce {first_bad.label}:", _code_block("import numpy as np\n" +
                  _repro(task.function, first_bad.call)), ""]
    if hint:
        lines += [f"**Hint:** {hint}.", ""]
    if assignment.show_output and not task.prerequisites:
        for name, text, total in (("stdout", res.stdout, res.stdout_bytes),
                                  ("stderr", res.stderr, res.stderr_bytes)):
            if text.strip():
                shown = text[:_STDOUT_SHOWN]
                more = f" (first {len(shown)} of {total} bytes)" if total > len(shown) else ""
                lines += [f"Your {name}{more}:", _code_block(shown), ""]
    return "\n".join(lines).rstrip() + "\n"


def _tail(text, n):
    return "\n".join(str(text).rstrip().splitlines()[-n:])


# ----------------------------------------------------------------------------- a submission
def _import_failure_text(res, assignment, task) -> str:
    if res.error == "timeout":
        return ("importing your module did not finish within the time limit "
                f"({task.timeout:g} s; a long loop or computation at the top level?)")
    if res.error == "import":
        return f"your module could not be imported: {res.message.split(': ', 1)[-1]}"
    return f"importing your module failed: {_task_error_text(res, task, assignment)}"


def _zero_test(task, index, text, extra_error):
    return {
        "name": f"{task.title} — {task.function}()", "number": str(index + 1),
        "score": 0.0, "max_score": float(task.points), "status": "failed",
        "output": f"**Score 0 / {task.points:g}** · {text}\n", "output_format": "md",
        "visibility": task.visibility, "tags": [task.quantity],
        "extra_data": {"task": task.id, "quantity": task.quantity, "function": task.function,
                       "passed": 0, "total": None, "error": extra_error,
                       "tolerance": {"rtol": task.rtol, "atol": task.atol}, "worst_case": None},
    }


def grade_submission(assignment, submission, *, seed=None, submission_id=None,
                     progress=None) -> dict:
    """Gradescope ``results.json`` content for one submission (a file or a directory).

    Parameters
    ----------
    assignment : Assignment or path
    submission : path
        A ``.py`` file or a directory holding the assignment's submission file.
    seed : int, optional
        Overrides the assignment's seed.
    submission_id : str, optional
        Hidden cases depend on it (with the seed); defaults to the submission's file/dir name.
    progress : callable, optional
        Called with a complete, valid results object after every task (the tasks not graded yet
        replaced by one "grading did not finish" test), so that a caller can keep a results file
        on disk that stays meaningful if the platform kills the grader mid-way.

    A task whose grading itself fails (a bug in the grader or the assignment) gets a visible
    "autograder error" in its output and 0 points; the other tasks are unaffected.
    """
    t0 = time.monotonic()
    if not isinstance(assignment, Assignment):
        assignment = load_assignment(assignment)
    seed = assignment.seed if seed is None else int(seed)
    if submission_id is None:
        submission_id = Path(submission).stem if Path(submission).is_file() else Path(submission).name
    file, note = find_submission_file(assignment, submission)
    solution_source = None
    if assignment.solution_path is not None and assignment.solution_path.is_file():
        solution_source = assignment.solution_path.read_text(encoding="utf-8")
    tests, notes, isolation = [], [], {}
    if note:
        notes.append(note)
    import_failure = ""  # set when the module itself cannot be imported: every task scores 0
    for index, task in enumerate(assignment.tasks):
        if file is None:
            tests.append(_zero_test(task, index, note, "missing"))
            continue
        if import_failure:
            tests.append(_zero_test(task, index, f"not graded: {import_failure}", "import"))
            continue
        try:
            test, res = grade_task(assignment, task, index, file, submission_id, seed,
                                   solution_source)
        except Exception as exc:  # noqa: BLE001  (a grader bug: visible, and contained)
            test = _zero_test(task, index, "**autograder error** while grading this task (not a "
                              "verdict on your code; please tell the course staff): "
                              f"{type(exc).__name__}: {exc}", "autograder")
            test["extra_data"]["traceback"] = traceback.format_exc()[-3000:]
            tests.append(test)
            notes.append(f"autograder error in task {task.id!r}: {type(exc).__name__}: {exc}")
            continue
        isolation = isolation or res.isolation
        if res.imported is False and res.error in ("import", "timeout", "memory", "crash", "exit"):
            # The module never finished importing: say so once, and score every task 0.
            import_failure = _import_failure_text(res, assignment, task)
            notes.append(f"**Every task scored 0:** {import_failure}")
            if res.import_traceback:
                notes.append(_code_block(_tail(res.import_traceback, 12)))
            if assignment.show_output and res.stdout.strip():
                notes.append("Output while importing:\n" + _code_block(res.stdout[:_STDOUT_SHOWN]))
            test = _zero_test(task, index, f"not graded: {import_failure}", "import")
        tests.append(test)
        if progress is not None and index + 1 < len(assignment.tasks):
            pending = [t.id for t in assignment.tasks[index + 1:]]
            partial = tests + [_unfinished_test(len(tests), pending)]
            progress(_results(assignment, partial, notes, t0, seed, submission_id, file, isolation))
    return _results(assignment, tests, notes, t0, seed, submission_id, file, isolation)


def _unfinished_test(n_done, pending):
    return {
        "name": "autograder error", "number": str(n_done + 1), "score": 0.0, "max_score": 0.0,
        "status": "failed", "visibility": "visible", "output_format": "md",
        "output": ("**Grading did not finish** (the grader was stopped, e.g. by the platform's time "
                   f"limit) before these tasks: {', '.join(pending)}. Please tell the course staff."),
        "extra_data": {"pending": list(pending)},
    }


def _results(assignment, tests, notes, t0, seed, submission_id, file, isolation) -> dict:
    score = round(sum(t["score"] for t in tests), 4)
    max_score = assignment.max_score
    head = [f"## {assignment.name}", "",
            f"**Total: {score:g} / {max_score:g}** — each task below lists its visible cases in full "
            f"and its hidden cases (drawn for this submission) without their answers.", ""]
    head += [n + "\n" for n in notes]
    return {
        "score": score,
        "execution_time": round(time.monotonic() - t0, 3),
        "output": "\n".join(head).rstrip() + "\n",
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": list(tests),
        "extra_data": {
            "assignment": assignment.name, "seed": seed, "submission_id": str(submission_id),
            "submission_file": str(file) if file else None, "max_score": max_score,
            "fdiv_version": _version(), "sandbox": isolation,
        },
    }


def _version():
    try:
        from .. import __version__

        return __version__
    except ImportError:  # pragma: no cover
        return None


def crash_results(exc: BaseException | str, *, tests=None, execution_time=None) -> dict:
    """A results object for a grader that crashed: a visible "autograder error" test."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    tb = "" if isinstance(exc, str) else "".join(traceback.format_exception(exc))[-3000:]
    tests = list(tests or [])
    tests.append({
        "name": "autograder error", "number": str(len(tests) + 1), "score": 0.0, "max_score": 0.0,
        "status": "failed", "visibility": "visible", "output_format": "md",
        "output": ("**The autograder failed before it could grade your submission.** This is not "
                   "a verdict on your code; please tell the course staff.\n\n" + _code_block(text)),
        "extra_data": {"traceback": tb},
    })
    return {
        "score": round(sum(float(t.get("score", 0)) for t in tests), 4),
        "execution_time": execution_time or 0.0,
        "output": "**Autograder error**: results are incomplete; please tell the course staff.\n",
        "output_format": "md", "visibility": "visible", "stdout_visibility": "hidden",
        "tests": tests,
    }


def safe_grade(assignment, submission, **kwargs) -> dict:
    """:func:`grade_submission`, turning any exception into :func:`crash_results`."""
    t0 = time.monotonic()
    try:
        return grade_submission(assignment, submission, **kwargs)
    except BaseException as exc:  # noqa: BLE001  (KeyboardInterrupt too: results must exist)
        return crash_results(exc, execution_time=round(time.monotonic() - t0, 3))


def write_results(results: dict, path) -> Path:
    """Write ``results`` as strict JSON, atomically (a partial file is never left behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = json.dumps(results, indent=2, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        text = json.dumps(crash_results(f"results were not serialisable: {exc}"), indent=2)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


# ----------------------------------------------------------------------------- batch
def _batch_entries(directory: Path):
    entries = []
    for p in sorted(directory.iterdir()):
        if p.name.startswith((".", "_")) or p.name == "__pycache__":
            continue
        if p.is_dir() or p.suffix == ".py":
            entries.append(p)
    return entries


def grade_batch(assignment, directory, *, jobs=1, seed=None, out_dir=None, csv_path=None,
                progress=True) -> list[dict]:
    """Grade every submission in ``directory`` (``*.py`` files or one sub-directory each).

    Submissions run in parallel (``jobs`` threads, each driving sandboxed children).  The
    submission id is the file stem or directory name, so the same seed gives the same hidden
    cases and grades whatever the order or the parallelism.  Writes ``out_dir/<id>.json`` and a
    CSV summary (one row per submission, one column per task) when asked.

    Returns the rows of the summary, sorted by submission id.
    """
    if not isinstance(assignment, Assignment):
        assignment = load_assignment(assignment)
    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"submissions directory {str(directory)!r} not found")
    entries = _batch_entries(directory)
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)

    def one(entry):
        sid = entry.stem if entry.is_file() else entry.name
        results = safe_grade(assignment, entry, seed=seed, submission_id=sid)
        if out_dir is not None:
            write_results(results, Path(out_dir) / f"{sid}.json")
        return sid, results

    bar = _progress(len(entries), progress)
    rows = []
    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        futures = [pool.submit(one, e) for e in entries]
        for fut in as_completed(futures):
            sid, results = fut.result()
            rows.append(_summary_row(assignment, sid, results))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    rows.sort(key=lambda r: r["submission"])
    if csv_path is not None:
        _write_csv(assignment, rows, csv_path)
    return rows


def _progress(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="submission", desc="grading", disable=None)


def _summary_row(assignment, sid, results):
    row = {"submission": sid, "score": results.get("score", 0.0),
           "max_score": assignment.max_score}
    by_task = {t.get("extra_data", {}).get("task"): t for t in results.get("tests", [])}
    errors = []
    for task in assignment.tasks:
        t = by_task.get(task.id)
        row[task.id] = t["score"] if t else 0.0
        err = t.get("extra_data", {}).get("error") if t else "autograder"
        if err:
            errors.append(f"{task.id}:{err}")
    if any(t.get("name") == "autograder error" for t in results.get("tests", [])):
        errors.append("autograder error")
    row["errors"] = ";".join(errors)
    return row


def _write_csv(assignment, rows, csv_path):
    fields = ["submission", "score", "max_score"] + [t.id for t in assignment.tasks] + ["errors"]
    path = Path(csv_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (fmt(v, 6) if isinstance(v, float) else v) for k, v in row.items()})
