"""The report of ``fdiv check``: per-case results and renderings (text, JSON, JUnit, Gradescope)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .._encoding import encode_float

__all__ = ["CaseResult", "Report"]


@dataclass
class CaseResult:
    """One case: what went in, what was expected, what came out."""

    key: str                 # unique id, e.g. "vectors:kl#3" or "hypothesis#7"
    source: str              # 'vectors' or 'hypothesis'
    inputs: dict
    describe: str            # the inputs in the function's own terms
    expected_text: str       # decimal string (exact reference, 40 digits for vectors)
    expected: float
    rtol: float
    atol: float
    flags: list
    comment: str
    numbers: list            # every numeric input (sets the reference's working precision)
    reference: object = None  # mpmath value used by the diagnosis
    got: float | None = None
    error: str | None = None
    rel_error: float | None = None
    passed: bool = False
    repro: str = ""

    def to_dict(self):
        return {"id": self.key, "source": self.source, "inputs": self.describe,
                "expected": self.expected_text, "got": encode_float(self.got), "error": self.error,
                "rel_error": encode_float(self.rel_error), "rtol": self.rtol, "atol": self.atol,
                "passed": self.passed, "flags": list(self.flags), "comment": self.comment,
                "reproduce": self.repro}


@dataclass
class Report:
    """The outcome of :func:`fdiv.check`.

    Attributes
    ----------
    target : str
    quantity, divergence, input : str
    params : dict
    results : list of CaseResult
    diagnosis : Diagnosis or None
    notes : dict
        Flag → explanation, for the flags of the cases run (from the vector files).
    error : str or None
        A task-level problem (the target failed to import, timed out …).
    """

    target: str
    quantity: str
    divergence: str | None
    params: dict
    input: str
    results: list = field(default_factory=list)
    diagnosis: object = None
    notes: dict = field(default_factory=dict)
    error: str | None = None
    error_kind: str | None = None
    seed: int = 0
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.results) and all(r.passed for r in self.results)

    @property
    def failures(self) -> list:
        return [r for r in self.results if not r.passed]

    def __bool__(self):
        return self.passed

    def summary(self) -> str:
        n = len(self.results)
        nf = len(self.failures)
        by = {}
        for r in self.results:
            by.setdefault(r.source, [0, 0])
            by[r.source][0] += 1
            by[r.source][1] += r.passed
        parts = ", ".join(f"{s} {p}/{t}" for s, (t, p) in by.items())
        what = f"{self.quantity}" + (f" of {self.divergence}" if self.divergence else "")
        if self.params:
            what += "(" + ", ".join(f"{k}={v}" for k, v in self.params.items()) + ")"
        status = "PASS" if self.passed else "FAIL"
        return f"{status}: {self.target} as {what} [input {self.input}]: {n - nf}/{n} cases passed ({parts})"

    # -- renderings ----------------------------------------------------------------------
    def to_dict(self):
        return {
            "target": self.target, "quantity": self.quantity, "divergence": self.divergence,
            "params": dict(self.params), "input": self.input, "passed": self.passed,
            "error": self.error, "seed": self.seed, "elapsed": round(self.elapsed, 3),
            "cases": len(self.results), "failed": len(self.failures),
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "notes": self.notes,
            "failures": [r.to_dict() for r in self.failures],
            "results": [r.to_dict() for r in self.results],
        }

    def to_json(self, indent=1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_text(self, max_failures=15) -> str:
        lines = [self.summary()]
        if self.error:
            lines.append(f"error: {self.error}")
        d = self.diagnosis
        if d is not None and (d.mistake or d.description):
            lines.append("")
            lines.append("diagnosis: " + (d.mistake or "none") + ("" if d.explains_all or not d.mistake else " (partial)"))
            lines.append("  " + d.description)
            if d.alternatives:
                lines.append("  also consistent with: " + ", ".join(d.alternatives))
            if d.common_flags:
                lines.append("  every failing case is flagged: " + ", ".join(
                    f"{f} ({self.notes.get(f, '')})" if self.notes.get(f) else f for f in d.common_flags))
            if d.errors:
                lines.append("  raised: " + ", ".join(f"{k} ×{v}" for k, v in d.errors.items()))
        fails = self.failures
        if fails:
            lines.append("")
            lines.append(f"failing cases ({len(fails)}):")
        for r in fails[:max_failures]:
            lines.append(f"- {r.key}" + (f" [{', '.join(r.flags)}]" if r.flags else ""))
            lines.append(f"    input:    {r.describe}")
            lines.append(f"    expected: {r.expected_text}  (rtol {r.rtol:g}, atol {r.atol:g})")
            if r.error is not None:
                lines.append(f"    got:      error {r.error}")
            else:
                rel = "" if r.rel_error is None else f"  (relative error {r.rel_error:.3g})"
                lines.append(f"    got:      {r.got!r}{rel}")
            if r.comment:
                lines.append(f"    note:     {r.comment}")
            lines.append(f"    reproduce: {r.repro}")
        if len(fails) > max_failures:
            lines.append(f"… and {len(fails) - max_failures} more (--format json lists all)")
        return "\n".join(lines)

    def to_junit(self) -> str:
        from xml.sax.saxutils import escape, quoteattr  # imports urllib: only when asked for

        name = f"fdiv.check.{self.quantity}" + (f".{self.divergence}" if self.divergence else "")
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               f'<testsuite name={quoteattr(name)} tests="{len(self.results)}" '
               f'failures="{len(self.failures)}" errors="{1 if self.error else 0}" '
               f'time="{self.elapsed:.3f}">']
        if self.error:
            out.append(f'  <testcase classname={quoteattr(name)} name="setup">'
                       f'<error message={quoteattr(self.error)}/></testcase>')
        for r in self.results:
            out.append(f'  <testcase classname={quoteattr(name)} name={quoteattr(r.key)}>')
            if not r.passed:
                msg = (f"expected {r.expected_text}, got "
                       + (f"error {r.error}" if r.error else repr(r.got)))
                body = f"input: {r.describe}\nflags: {', '.join(r.flags)}\nreproduce: {r.repro}"
                out.append(f'    <failure message={quoteattr(msg)}>{escape(body)}</failure>')
            out.append("  </testcase>")
        if self.diagnosis is not None and self.diagnosis.description:
            out.append(f"  <system-out>{escape('diagnosis: ' + self.diagnosis.description)}</system-out>")
        out.append("</testsuite>")
        return "\n".join(out) + "\n"

    def to_gradescope(self) -> dict:
        """Gradescope ``results.json``: one test per case source, score = fraction passed."""
        tests = []
        sources = sorted({r.source for r in self.results}) or ["vectors"]
        for i, s in enumerate(sources, 1):
            rs = [r for r in self.results if r.source == s]
            ok = sum(r.passed for r in rs)
            fails = [r for r in rs if not r.passed]
            body = [f"{ok}/{len(rs)} cases passed."]
            if self.error:
                body.append(f"Error: {self.error}")
            if fails and self.diagnosis is not None and self.diagnosis.description:
                body.append(f"Diagnosis: {self.diagnosis.description}")
            for r in fails[:5]:
                body.append(f"- `{r.key}`: input {r.describe}; expected {r.expected_text}, got "
                            + (f"error {r.error}" if r.error else repr(r.got)))
            score = (ok / len(rs)) if rs and not self.error else 0.0
            tests.append({"name": f"{self.quantity}" + (f" ({self.divergence})" if self.divergence else "")
                          + f": {s}", "number": str(i), "score": round(score, 4), "max_score": 1.0,
                          "status": "passed" if rs and ok == len(rs) and not self.error else "failed",
                          "output": "\n".join(body), "output_format": "md", "visibility": "visible"})
        return {"score": round(sum(t["score"] for t in tests), 4), "execution_time": round(self.elapsed, 3),
                "output": self.summary(), "visibility": "visible", "tests": tests}

    def __str__(self):
        return self.to_text()
