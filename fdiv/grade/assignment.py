"""Assignments: a declarative file (TOML, or YAML when PyYAML is installed) naming the tasks.

Format (TOML; YAML has the same keys)::

    [assignment]
    name = "Lecture 16: f-divergences, GANs and EBMs"
    submission = "submission.py"   # the file a student hands in
    solution = "solution.py"       # reference solution (prerequisites are taken from it)
    template = "template.py"       # handed out to students
    seed = 16                      # hidden cases: derived from seed + submission id
    divergence = "pearson"         # default for tasks (a registry name)
    timeout = 20.0                 # wall-clock seconds per task (one sandboxed process per task)
    call_timeout = 2.0             # seconds per case
    memory_mb = 1024
    show_output = true             # show (truncated) student stdout/stderr in the results
    time_budget = 540              # the tasks' timeouts must add up to less (Gradescope: 600 s)

    [[tasks]]
    id = "conjugate"               # unique; also the default function name
    function = "conjugate"         # what the student must define
    title = "Fenchel conjugate over u ≥ 0"
    quantity = "conjugate"         # see fdiv.grade.quantities.QUANTITIES
    points = 3
    partial_credit = "fraction"    # or "all_or_nothing"
    visible = 2                    # generated cases shown in full to students (fixed seed)
    hidden = 10                    # generated per submission, reported without their answers
    rtol = 1e-8
    atol = 1e-10
    prerequisites = ["generator_prime"]   # replaced by the reference versions when grading
    [[tasks.cases]]                # optional explicit visible cases (JSON-style data; non-finite
    args = [[0.5, 1.0, 2.0]]       # floats as {__float__ = "inf"})

Unknown keys are errors (a typo must not silently change grading).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .quantities import get_quantity

__all__ = ["Assignment", "Task", "load_assignment", "BUILTIN_ASSIGNMENTS", "builtin_assignment"]

_ASSIGNMENT_KEYS = {"name", "submission", "solution", "template", "seed", "divergence", "timeout",
                    "call_timeout", "memory_mb", "show_output", "description", "max_output_bytes",
                    "rtol", "atol", "time_budget"}
_TASK_KEYS = {"id", "function", "title", "quantity", "points", "partial_credit", "visible", "hidden",
              "rtol", "atol", "timeout", "call_timeout", "prerequisites", "cases", "divergence",
              "params", "description", "visibility"}
_PARTIAL = ("fraction", "all_or_nothing")
_VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")

BUILTIN_ASSIGNMENTS = {"lecture16": "lecture16"}


@dataclass(frozen=True)
class Task:
    id: str
    function: str
    title: str
    quantity: str
    points: float
    partial_credit: str = "fraction"
    visible: int = 2
    hidden: int = 10
    rtol: float = 1e-8
    atol: float = 1e-10
    timeout: float = 20.0
    call_timeout: float = 2.0
    prerequisites: tuple = ()
    cases: tuple = ()
    params: dict = field(default_factory=dict)
    description: str = ""
    visibility: str = "visible"


@dataclass(frozen=True)
class Assignment:
    name: str
    path: Path
    tasks: tuple
    submission: str = "submission.py"
    solution: str | None = "solution.py"
    template: str | None = "template.py"
    seed: int = 0
    memory_mb: int = 1024
    show_output: bool = True
    max_output_bytes: int = 65536
    description: str = ""

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def max_score(self) -> float:
        return float(sum(t.points for t in self.tasks))

    @property
    def solution_path(self) -> Path | None:
        return self.directory / self.solution if self.solution else None

    @property
    def template_path(self) -> Path | None:
        return self.directory / self.template if self.template else None


def builtin_assignment(name: str = "lecture16") -> Path:
    """Path of a shipped assignment file (``fdiv/assignments/<name>/assignment.toml``)."""
    if name not in BUILTIN_ASSIGNMENTS:
        raise ValueError(f"unknown built-in assignment {name!r}; known: {', '.join(BUILTIN_ASSIGNMENTS)}")
    return Path(__file__).resolve().parent.parent / "assignments" / BUILTIN_ASSIGNMENTS[name] / "assignment.toml"


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"assignment {str(path)!r}: invalid TOML: {exc}") from None
    if suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ValueError(f"assignment {str(path)!r}: YAML needs PyYAML (pip install pyyaml), "
                             f"or write the assignment in TOML") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"assignment {str(path)!r}: invalid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"assignment {str(path)!r}: the top level must be a mapping")
        return data
    raise ValueError(f"assignment {str(path)!r}: expected a .toml, .yaml or .yml file")


def load_assignment(path) -> Assignment:
    """Read and validate an assignment file; ``ValueError`` naming the key and the fix otherwise.

    ``path`` may also be the name of a built-in assignment (``'lecture16'``) or a directory holding
    ``assignment.toml``.
    """
    if isinstance(path, str) and path in BUILTIN_ASSIGNMENTS and not Path(path).exists():
        path = builtin_assignment(path)
    path = Path(path)
    if path.is_dir():
        candidates = [path / n for n in ("assignment.toml", "assignment.yaml", "assignment.yml")]
        found = [c for c in candidates if c.is_file()]
        if not found:
            raise ValueError(f"assignment directory {str(path)!r} has no assignment.toml")
        path = found[0]
    if not path.is_file():
        raise ValueError(f"assignment file {str(path)!r} not found")
    data = _read(path)
    where = str(path)
    unknown_top = set(data) - {"assignment", "tasks"}
    if unknown_top:
        raise ValueError(f"{where}: unknown top-level keys {sorted(unknown_top)}; "
                         f"expected [assignment] and [[tasks]]")
    head = data.get("assignment", {})
    if not isinstance(head, dict):
        raise ValueError(f"{where}: [assignment] must be a table")
    unknown = set(head) - _ASSIGNMENT_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown [assignment] keys {sorted(unknown)}; "
                         f"allowed: {sorted(_ASSIGNMENT_KEYS)}")
    defaults = {k: head[k] for k in ("timeout", "call_timeout", "divergence", "rtol", "atol")
                if k in head}
    raw_tasks = data.get("tasks", [])
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise ValueError(f"{where}: no [[tasks]]: an assignment needs at least one task")
    tasks, seen = [], set()
    for i, raw in enumerate(raw_tasks):
        task = _task(raw, defaults, f"{where}: tasks[{i}]")
        if task.id in seen:
            raise ValueError(f"{where}: tasks[{i}]: duplicate id {task.id!r}")
        seen.add(task.id)
        tasks.append(task)
    for task in tasks:
        for name in task.prerequisites:
            if name == task.function:
                raise ValueError(f"{where}: task {task.id!r} lists its own function as a prerequisite")
    # Gradescope kills a run at its global limit (10 min by default) and then shows no per-test
    # output at all: the tasks' own limits must add up to less than that.
    budget = _positive_number(head.get("time_budget", 540.0), f"{where}: [assignment] time_budget")
    worst = sum(t.timeout for t in tasks)
    if worst > budget:
        raise ValueError(f"{where}: the tasks' timeouts add up to {worst:g} s, over the time_budget "
                         f"of {budget:g} s (Gradescope's global limit gives no per-test output): "
                         f"lower the timeouts or raise time_budget")
    seed = head.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{where}: [assignment] seed must be a non-negative integer, got {seed!r}")
    return Assignment(
        name=str(head.get("name", path.parent.name)),
        path=path.resolve(),
        tasks=tuple(tasks),
        submission=str(head.get("submission", "submission.py")),
        solution=head.get("solution", "solution.py"),
        template=head.get("template", "template.py"),
        seed=seed,
        memory_mb=int(head.get("memory_mb", 1024)),
        show_output=bool(head.get("show_output", True)),
        max_output_bytes=int(head.get("max_output_bytes", 65536)),
        description=str(head.get("description", "")),
    )


def _positive_number(value, what, *, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{what} must be a {'non-negative' if allow_zero else 'positive'} number, "
                         f"got {value!r}")
    return float(value)


def _task(raw, defaults, where) -> Task:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: each [[tasks]] entry must be a table")
    unknown = set(raw) - _TASK_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_TASK_KEYS)}")
    tid = raw.get("id") or raw.get("function")
    if not isinstance(tid, str) or not tid:
        raise ValueError(f"{where}: give an id (or a function) for every task")
    function = raw.get("function", tid)
    if not isinstance(function, str) or not all(p.isidentifier() for p in function.split(".")):
        raise ValueError(f"{where}: function={function!r} must be a Python identifier")
    quantity = raw.get("quantity")
    if quantity is None:
        raise ValueError(f"{where}: quantity is required (one of the names in "
                         f"fdiv.grade.quantities.QUANTITIES)")
    get_quantity(quantity)  # raises on unknown names
    partial = raw.get("partial_credit", "fraction")
    if partial not in _PARTIAL:
        raise ValueError(f"{where}: partial_credit={partial!r}; use one of {_PARTIAL}")
    visibility = raw.get("visibility", "visible")
    if visibility not in _VISIBILITY:
        raise ValueError(f"{where}: visibility={visibility!r}; use one of {_VISIBILITY}")
    params = dict(raw.get("params", {}))
    divergence = raw.get("divergence", defaults.get("divergence"))
    if divergence is not None:
        params.setdefault("divergence", divergence)
    cases = raw.get("cases", [])
    if not isinstance(cases, list) or not all(isinstance(c, dict) and set(c) <= {"args", "kwargs"}
                                              for c in cases):
        raise ValueError(f"{where}: cases must be a list of tables with 'args' and/or 'kwargs'")
    prereq = raw.get("prerequisites", [])
    if not isinstance(prereq, list) or not all(isinstance(p, str) and p.isidentifier() for p in prereq):
        raise ValueError(f"{where}: prerequisites must be a list of function names")
    visible = raw.get("visible", 2)
    hidden = raw.get("hidden", 10)
    for name, n in (("visible", visible), ("hidden", hidden)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{where}: {name} must be a non-negative integer number of cases")
    if visible + hidden + len(cases) == 0:
        raise ValueError(f"{where}: a task needs at least one case (visible, hidden or cases)")
    return Task(
        id=tid, function=function, title=str(raw.get("title", tid)), quantity=quantity,
        points=_positive_number(raw.get("points", 1), f"{where}: points", allow_zero=True),
        partial_credit=partial, visible=visible, hidden=hidden,
        rtol=_positive_number(raw.get("rtol", defaults.get("rtol", 1e-8)), f"{where}: rtol", allow_zero=True),
        atol=_positive_number(raw.get("atol", defaults.get("atol", 1e-10)), f"{where}: atol", allow_zero=True),
        timeout=_positive_number(raw.get("timeout", defaults.get("timeout", 20.0)), f"{where}: timeout"),
        call_timeout=_positive_number(raw.get("call_timeout", defaults.get("call_timeout", 2.0)),
                                      f"{where}: call_timeout"),
        prerequisites=tuple(prereq), cases=tuple(cases), params=params,
        description=str(raw.get("description", "")), visibility=visibility,
    )
