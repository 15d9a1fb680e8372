"""``fdiv grade``: the autograder's command line.

::

    fdiv grade --init DIR [--assignment lecture16]          # template, solution, assignment file
    fdiv grade --gradescope DIR [--assignment lecture16]    # setup.sh, run_autograder, zip
    fdiv grade ASSIGNMENT SUBMISSION [--out results.json] [--seed N] [--submission-id ID]
    fdiv grade ASSIGNMENT DIR --jobs N --csv summary.csv [--out RESULTS_DIR]   # batch

Exit codes: 0 full marks (batch: everything graded), 1 points lost (batch: an autograder error),
2 usage error.  With ``--out``, a results file is written even when the assignment cannot be read
or the grader crashes (a visible "autograder error" test).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(subparsers):
    p = subparsers.add_parser(
        "grade", help="autograde submissions (Gradescope results.json)",
        description="Grade a submission against an assignment file, write Gradescope's "
                    "results.json; batch-grade a directory; scaffold an assignment or a "
                    "Gradescope autograder bundle.")
    p.add_argument("assignment", nargs="?",
                   help="assignment file (.toml/.yaml), its directory, or a built-in name (lecture16)")
    p.add_argument("submission", nargs="?",
                   help="a submission (.py file or directory), or a directory of submissions (batch)")
    p.add_argument("--out", "-o", help="results.json path (batch mode: a directory for <id>.json files)")
    p.add_argument("--seed", type=int, help="override the assignment's seed")
    p.add_argument("--submission-id", help="id that (with the seed) draws the hidden cases")
    p.add_argument("--metadata", help="Gradescope submission_metadata.json (its id is the submission id)")
    p.add_argument("--jobs", "-j", type=int, help="batch: submissions graded in parallel")
    p.add_argument("--csv", help="batch: summary CSV (one row per submission)")
    p.add_argument("--batch", action="store_true", help="treat SUBMISSION as a directory of submissions")
    p.add_argument("--no-progress", action="store_true", help="batch: no progress bar")
    p.add_argument("--init", metavar="DIR", help="write the assignment, template and solution to DIR")
    p.add_argument("--gradescope", metavar="DIR",
                   help="write setup.sh, run_autograder and autograder.zip for Gradescope to DIR")
    p.add_argument("--force", action="store_true", help="--init: overwrite existing files")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=run)
    return p


def _is_batch(args, assignment) -> bool:
    if args.batch or args.jobs is not None or args.csv is not None:
        return True
    path = Path(args.submission)
    if not path.is_dir():
        return False
    from .grader import find_submission_file

    if (path / assignment.submission).is_file():
        return False
    entries = [p for p in path.iterdir() if not p.name.startswith((".", "_"))
               and (p.is_dir() or p.suffix == ".py")]
    file, _ = find_submission_file(assignment, path)
    return file is None and len(entries) > 1


def _metadata_id(path):
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sid = data.get("id") if isinstance(data, dict) else None
    return None if sid is None else str(sid)


def run(args) -> int:
    from . import gradescope
    from .grader import crash_results, grade_batch, safe_grade, write_results

    t0 = time.monotonic()
    if args.init or args.gradescope:
        source = args.assignment or "lecture16"
        try:
            if args.init:
                written = gradescope.init_assignment(args.init, source, force=args.force)
            else:
                written = gradescope.write_gradescope(args.gradescope, source)
        except ValueError as exc:
            print(f"fdiv grade: error: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps({"written": [str(w) for w in written]}))
        else:
            for w in written:
                print(w)
        return 0
    if not args.assignment or not args.submission:
        print("fdiv grade: error: give ASSIGNMENT and SUBMISSION (or --init DIR / --gradescope DIR)",
              file=sys.stderr)
        return _usage_failure(args, "no assignment or submission given", t0)

    from .assignment import load_assignment

    try:
        assignment = load_assignment(args.assignment)
    except (ValueError, OSError) as exc:
        print(f"fdiv grade: error: {exc}", file=sys.stderr)
        return _usage_failure(args, f"the assignment could not be read: {exc}", t0)

    if _is_batch(args, assignment):
        try:
            rows = grade_batch(assignment, args.submission, jobs=args.jobs or 1, seed=args.seed,
                               out_dir=args.out, csv_path=args.csv,
                               progress=not args.no_progress and not args.json)
        except ValueError as exc:
            print(f"fdiv grade: error: {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                err = f"  [{r['errors']}]" if r["errors"] else ""
                print(f"{r['submission']}: {r['score']:g} / {r['max_score']:g}{err}")
        return 1 if any("autograder" in r["errors"] for r in rows) else 0

    sid = args.submission_id or _metadata_id(args.metadata)
    progress = None
    if args.out:
        # A valid file from the start, kept current after every task: if the platform kills the
        # grader mid-way, what is on disk still says so (a missing file reads as "failed").
        write_results(crash_results("the grader was stopped before it graded anything (the "
                                    "platform's time limit?)"), args.out)

        def progress(partial):
            write_results(partial, args.out)

    results = safe_grade(assignment, args.submission, seed=args.seed, submission_id=sid,
                         progress=progress)
    _warn_isolation(results.get("extra_data", {}).get("sandbox", {}))
    if args.out:
        try:
            write_results(results, args.out)
        except OSError as exc:
            print(f"fdiv grade: error: cannot write {args.out}: {exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(results, indent=2, allow_nan=False))
    else:
        for t in results["tests"]:
            print(f"{t.get('number', ''):>3} {t['name']}: {t['score']:g} / {t['max_score']:g}")
        print(f"total: {results['score']:g} / {assignment.max_score:g}")
        if args.out:
            print(f"results written to {args.out}")
    crashed = any(t.get("name") == "autograder error" for t in results["tests"])
    return 0 if not crashed and results["score"] >= assignment.max_score else 1


def _warn_isolation(sandbox):
    """Tell the operator (stderr, not the student) when student code ran with weak isolation."""
    for note in sandbox.get("notes", []):
        print(f"fdiv grade: warning: {note}", file=sys.stderr)


def _usage_failure(args, message, t0) -> int:
    """A usage error still leaves a results file behind when --out was given."""
    if args.out and not args.batch and args.jobs is None and args.csv is None:
        from .grader import crash_results, write_results

        try:
            write_results(crash_results(message, execution_time=round(time.monotonic() - t0, 3)),
                          args.out)
        except OSError:
            pass
    return 2


def main(argv=None) -> int:
    """``python -m fdiv.grade.cli …``: the grade subcommand alone.

    Used by the generated ``run_autograder`` so that grading does not depend on every other
    subcommand of ``fdiv`` importing cleanly.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="fdiv")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["grade", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
