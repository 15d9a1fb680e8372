"""Implementation of :func:`fdiv.check` (imported lazily: sympy and mpmath load here)."""
from __future__ import annotations

import math
import os
import time
import warnings

import mpmath as mp
import numpy as np

from .. import vectors as _vectors
from ..vectors import reference as R
from ._diagnose import Diagnosis, diagnose
from ._quantities import get_quantity
from ._report import CaseResult, Report

__all__ = ["check", "assert_conforms"]

_USAGE_IMPORT_ERRORS = ("ModuleNotFoundError", "FileNotFoundError", "AttributeError")


# ----------------------------------------------------------------------------- cases
def _numbers(obj):
    if isinstance(obj, dict):
        out = []
        for v in obj.values():
            out += _numbers(v)
        return out
    if isinstance(obj, (list, tuple)):
        out = []
        for v in obj:
            out += _numbers(v)
        return out
    try:
        return [float(obj)]
    except (TypeError, ValueError):
        return []


def _decode_inputs(inputs):
    return {k: _vectors.decode(v) if isinstance(v, (list, str, int, float)) else v
            for k, v in inputs.items()}


def _vector_cases(q, form, divergence, member):
    out = []
    params = dict(member.params) if member is not None else None
    for g, t in _vectors.cases(q.vectors, divergence=divergence, params=params):
        inputs = _decode_inputs(t["inputs"])
        text = t.get("expected_by_input", {}).get(form, t["expected"])
        label = f"vectors:{g.get('divergence', q.vectors)}#{t['tcId']}"
        out.append(CaseResult(
            key=label, source="vectors", inputs=inputs, describe=q.describe(inputs, form),
            expected_text=text, expected=float(text), rtol=float(t["rtol"]), atol=float(t["atol"]),
            flags=list(t["flags"]), comment=t.get("comment", ""), numbers=_numbers(inputs),
            reference=mp.mpf(text)))
    return out


def _seeded_backend():
    """A Hypothesis backend whose draws depend on the seed alone, or None (older Hypothesis).

    Hypothesis ≥ 6.131 also draws literals found in the source of every *local* module loaded
    (outside the standard library and site-packages: an editable fdiv, the caller's code, their
    tests), through a cache shared by all providers, so the same seed gave other cases
    depending on what had been imported, and in what order.  This provider is Hypothesis's own
    with its own draw of constants: Hypothesis's built-in ones only, cached here."""
    try:
        from hypothesis.internal.conjecture import providers as hp
        base, registry = hp.HypothesisProvider, hp.AVAILABLE_PROVIDERS
        pool_of = hp.GLOBAL_CONSTANTS.set_for_type
        key_of, permitted = hp.choice_constraints_key, hp.choice_permitted
    except (ImportError, AttributeError):
        return None

    if "fdiv_seeded" not in registry:
        pools = {}

        class SeededProvider(base):
            def _maybe_draw_constant(self, choice_type, constraints, *, p=0.05):
                if self._random.random() > p:
                    return None
                key = (choice_type, key_of(choice_type, constraints))
                if key not in pools:
                    pools[key] = tuple(c for c in pool_of(choice_type) if permitted(c, constraints))
                return self._random.choice(pools[key]) if pools[key] else None

        registry["fdiv_seeded"] = SeededProvider
    return "fdiv_seeded"


def _draw(strategy, n, seed):
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    drawn = []
    backend = _seeded_backend()
    extra = {"backend": backend} if backend else {}

    @hseed(seed)
    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False, **extra)
    @given(strategy)
    def collect(x):
        drawn.append(x)

    collect()
    return drawn


def _hypothesis_cases(q, form, gen, n, seed):
    try:
        drawn = _draw(q.strategy(form), n, seed)
    except ImportError:
        warnings.warn("hypothesis is not installed: only the test vectors are used", stacklevel=3)
        return []
    out, seen = [], set()
    for inputs in drawn:
        key = repr(sorted(inputs.items()))
        if key in seen:
            continue
        seen.add(key)
        nums = _numbers(inputs)
        try:
            ref = R.precise(lambda _x, i=inputs: q.reference(gen, i, form), nums, digits=30)
        except (R.PrecisionError, ValueError, ZeroDivisionError):
            continue
        text = R.fmt(ref, 20)
        out.append(CaseResult(
            key=f"hypothesis#{len(out) + 1}", source="hypothesis", inputs=inputs,
            describe=q.describe(inputs, form), expected_text=text, expected=float(text),
            rtol=q.hyp_rtol, atol=q.hyp_atol, flags=[], comment="", numbers=nums, reference=ref))
    return out


# ----------------------------------------------------------------------------- running
def _to_float(value):
    """The user's return value as a float, or raise TypeError saying what came back."""
    if isinstance(value, dict):  # an unencodable object from the sandbox
        raise TypeError(f"returned an object of type {value.get('__object__', 'dict')}, expected a float")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("returned a bool, expected a float")
    if isinstance(value, (list, tuple)):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise TypeError(f"returned an array of shape {value.shape}, expected a scalar")
        value = value.reshape(())[()]
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"returned a complex number {value!r}, expected a float")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"returned {type(value).__name__}, expected a float") from None


def _target_of(fn):
    """``'module:qualname'`` for an importable callable, else None."""
    mod, qual = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    if mod and qual and mod != "__main__" and "<" not in qual + mod:
        return f"{mod}:{qual}"
    return None


def _repro(target, q, inputs, form):
    args = q.source(inputs, form)
    if target is None:
        return f"fn({args})"
    where, _, func = target.rpartition(":")
    if where.endswith(".py") or "/" in where or os.sep in where:
        load = f"import numpy as np, runpy; fn = runpy.run_path({where!r})[{func.split('.')[0]!r}]"
        if "." in func:
            load += "".join(f".{p}" for p in func.split(".")[1:])
    else:
        head, *rest = func.split(".")
        load = f"import numpy as np; from {where} import {head} as fn"
        if rest:
            load += "; fn = fn" + "".join(f".{p}" for p in rest)
    return f'python -c "{load}; print(repr(fn({args})))"'


def _run_inprocess(fn, calls):
    outs = []
    for args in calls:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outs.append((True, fn(*args), None))
        except Exception as exc:  # noqa: BLE001  (the function under test may raise anything)
            outs.append((False, None, f"{type(exc).__name__}: {exc}"))
    return outs, None, None


_ADAPTER = """\
# Written by fdiv check: builds scipy.stats distributions from JSON specs in the sandbox, then
# calls the function under test (which never sees JSON).
import importlib

MODULE, FUNCTION = {module!r}, {function!r}


def call(p_spec, q_spec):
    import scipy.stats

    fn = importlib.import_module(MODULE)
    for part in FUNCTION.split("."):
        fn = getattr(fn, part)
    def dist(s):
        return getattr(scipy.stats, s["family"])(*s.get("args", []), **s.get("kwds", {{}}))
    return fn(dist(p_spec), dist(q_spec))
"""


def _adapter_target(target, tmpdir):
    """A file target in ``tmpdir`` that rebuilds the arguments (distributions) in the child."""
    import shutil
    from pathlib import Path

    from .._sandbox import parse_target

    kind, where, function = parse_target(target)
    tmp = Path(tmpdir)
    if kind == "file":
        module = "fdiv_user_" + where.stem  # (the sandbox skips _fdiv_* siblings)
        shutil.copyfile(where, tmp / f"{module}.py")
        for sib in where.parent.glob("*.py"):  # the user's helper modules
            if sib != where and not (tmp / sib.name).exists():
                shutil.copyfile(sib, tmp / sib.name)
    else:
        module = where
    adapter = tmp / "_fdiv_check_adapter.py"
    adapter.write_text(_ADAPTER.format(module=module, function=function), encoding="utf-8")
    return f"{adapter}:call"


def _run_sandboxed(target, calls, timeout, call_timeout, memory_mb, adapter=False):
    import tempfile

    from .._sandbox import run_calls

    with tempfile.TemporaryDirectory(prefix="fdiv-check-") as tmpdir:
        run_target = _adapter_target(target, tmpdir) if adapter else target
        res = run_calls(run_target, [{"args": list(a)} for a in calls], timeout=timeout,
                        call_timeout=call_timeout, memory_mb=memory_mb, max_output_bytes=65536,
                        sys_path=[os.getcwd()])
    outs = []
    for o in res.calls:
        if o.ok:
            outs.append((True, o.value, None))
        else:
            outs.append((False, None, f"{o.error_type}: {o.message}".strip()))
    error = kind = None
    if res.error == "import":
        error = res.message
        tb = (res.import_traceback or "").strip().splitlines()
        etype = res.message.split(":", 2)[1].strip() if res.message.count(":") >= 2 else ""
        kind = "usage" if etype in _USAGE_IMPORT_ERRORS else "import"
        if tb:
            error += "\n" + "\n".join(tb[-6:])
    elif res.error:
        error, kind = res.message, res.error
    return outs, error, kind


def _compare(r, got):
    exp = r.expected
    if math.isnan(exp):
        ok = math.isnan(got)
    elif math.isinf(exp):
        ok = got == exp
    elif not math.isfinite(got):
        ok = False
    else:
        ok = abs(got - exp) <= r.atol + r.rtol * abs(exp)
    if got == exp or (math.isnan(got) and math.isnan(exp)):
        rel = 0.0
    elif math.isfinite(got) and math.isfinite(exp) and exp != 0:
        rel = abs(got - exp) / abs(exp)
    else:
        rel = math.inf
    return ok, rel


def check(fn, quantity="divergence", divergence=None, *, params=None, input=None,
          hypothesis=True, examples=25, seed=0, vectors=True, sandbox=None, timeout=120.0,
          call_timeout=30.0, memory_mb=2048) -> Report:
    import fdiv

    q = get_quantity(quantity)
    form = input or q.inputs[0]
    if form not in q.inputs:
        raise ValueError(f"input={form!r}: quantity {q.name!r} takes {' or '.join(q.inputs)}")
    member = gen = None
    if q.needs_divergence:
        if not divergence:
            raise ValueError(f"quantity {q.name!r} needs divergence=NAME (one of {', '.join(fdiv.names())})")
        member = fdiv.get(divergence, **(params or {}))
        gen = R.generator(member.formula, dict(member.params), member.activation_form or None)
    elif divergence:
        divergence = None  # not used by this quantity
    if isinstance(fn, str):
        target = fn
        from .._sandbox import parse_target

        kind, where, _ = parse_target(target)
        if kind == "file" and not where.is_file():
            raise ValueError(f"target file {str(where)!r} not found")
        use_sandbox = True if sandbox is None else sandbox
        if not use_sandbox:
            raise ValueError("a target string always runs sandboxed; pass a callable for in-process")
    elif callable(fn):
        target = _target_of(fn)
        use_sandbox = bool(sandbox)
        if use_sandbox and target is None:
            raise ValueError("sandbox=True needs a callable importable as module:qualname")
    else:
        raise TypeError(f"fn must be a callable or a 'module:function' string, not {type(fn).__name__}")

    t0 = time.perf_counter()
    cases = _vector_cases(q, form, divergence, member) if vectors else []
    if hypothesis and q.strategy is not None and examples > 0:
        cases += _hypothesis_cases(q, form, gen, int(examples), int(seed))
    if not cases:
        what = f"{divergence}{dict(member.params) if member is not None else ''}"
        raise ValueError(f"no test vectors for {q.name} of {what} and no hypothesis cases: "
                         f"pass examples > 0 (vectors exist for each member's default parameters "
                         f"and a few more, see fdiv.vectors)")
    if use_sandbox:
        adapter = q.sandbox_args is not None
        calls = [(q.sandbox_args if adapter else q.call)(c.inputs, form) for c in cases]
        outs, error, kind = _run_sandboxed(target, calls, timeout, call_timeout, memory_mb,
                                           adapter=adapter)
    else:
        outs, error, kind = _run_inprocess(fn, [q.call(c.inputs, form) for c in cases])
    for c, (ok, value, err) in zip(cases, outs):
        c.repro = _repro(target, q, c.inputs, form)
        if not ok:
            c.error, c.passed = err, False
            continue
        try:
            c.got = _to_float(value)
        except TypeError as exc:
            c.error, c.passed = str(exc), False
            continue
        c.passed, c.rel_error = _compare(c, c.got)
    notes = {}
    try:
        doc_notes = _vectors.load(q.vectors).get("notes", {})
        used = {f for c in cases for f in c.flags}
        notes = {k: v for k, v in doc_notes.items() if k in used}
    except FileNotFoundError:
        pass
    report = Report(target=target or getattr(fn, "__name__", repr(fn)), quantity=q.name,
                    divergence=divergence if q.needs_divergence else None,
                    params=dict(member.params) if member is not None else {}, input=form,
                    results=cases, notes=notes, error=error, error_kind=kind, seed=int(seed))
    if error is None or kind not in ("usage", "import"):
        try:
            report.diagnosis = diagnose(q, gen, cases, form, divergence)
        except Exception as exc:  # noqa: BLE001  (never lose the report over the diagnosis)
            report.diagnosis = Diagnosis(None, False, 0, 0, f"diagnosis failed: {exc}")
    report.elapsed = time.perf_counter() - t0
    return report


def assert_conforms(fn, quantity="divergence", divergence=None, **kwargs) -> Report:
    report = check(fn, quantity, divergence, **kwargs)
    if not report.passed:
        raise AssertionError("\n" + report.to_text())
    return report


# the public wrappers in fdiv.check hold the docstrings (read without importing this module)
def _share_docs():
    from . import assert_conforms as public_assert, check as public_check

    check.__doc__, assert_conforms.__doc__ = public_check.__doc__, public_assert.__doc__


_share_docs()
