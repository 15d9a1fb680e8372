"""Run untrusted code (a student's or user's function) in a separate, resource-limited process.

Used by ``fdiv check`` and ``fdiv grade``: the code under test never runs inside the calling
process, so a submission that raises, loops, exhausts memory, calls ``sys.exit``/``os._exit``,
prints megabytes or fails to import costs only its own results.

What the sandbox does (POSIX; Linux for the namespace part)
------------------------------------------------------------
* One child per :func:`run_calls` (i.e. per task): ``python -I`` (isolated mode) running
  :mod:`fdiv._sandbox_runner`, copied with the submission into a fresh scratch directory that is
  the child's working directory and ``HOME``.  The child never sees expected values: it only
  computes the function on the given inputs; comparison happens in the parent.
* Results come back on a dedicated pipe (one JSON line per call, streamed), never on stdout/stderr,
  which the student controls; stdout and stderr are captured separately and truncated to
  ``max_output_bytes`` *while reading* (the rest is drained and counted, not buffered).
* Limits, applied by the runner to itself before it imports anything untrusted (no
  ``preexec_fn``, so the sandbox is safe to use from threads, as batch grading does):
  ``RLIMIT_AS`` (memory), ``RLIMIT_CPU``, ``RLIMIT_FSIZE`` (files it writes), ``RLIMIT_CORE`` = 0
  and, when the child runs as a non-root user, ``RLIMIT_NPROC`` (fork bombs).  A wall-clock
  ``timeout`` for the whole child (kills its process group, ``start_new_session``, with SIGKILL),
  and an optional per-call ``call_timeout`` (an alarm in the runner), so one looping case does not
  cost the others.
* Network: the child first enters a new, empty network namespace (``unshare(CLONE_NEWNET)`` as
  root; ``CLONE_NEWUSER | CLONE_NEWNET`` otherwise, where unprivileged user namespaces are
  allowed): no interface but a down loopback.  Everywhere, an audit hook in the runner refuses
  ``socket.*`` and process-creation events.  The hook is best effort — code in the same
  interpreter can bypass it through ``ctypes`` — so where no namespace can be made there is no
  hard network isolation; :attr:`SandboxResult.isolation` says what was in force.
* User: when the parent runs as root (Gradescope does) the child drops to an unprivileged user
  (``user='auto'``: ``fdiv-sandbox`` if it exists, else ``nobody``) **provided that user can run
  the interpreter** (checked once: e.g. a Python under ``/root/.pyenv`` is not readable by
  ``nobody``).  Otherwise it stays root, and :attr:`SandboxResult.isolation` records why; process
  creation is then limited only by the audit hook (root ignores ``RLIMIT_NPROC``).
* Processes that escape the process group (``setsid`` in a fork) are not tracked: containment
  beyond that needs cgroups, which this module does not manage.

Not a security boundary against a determined attacker; a robust harness against accidents and
crude abuse, like the autograders it is modelled on.  (Code in the child could, for instance, write
forged lines to the inherited result descriptor — but it never holds the expected values, so a
forged value is worth no more than a returned one.)

Example
-------
>>> res = run_calls("student.py:kl", [{"args": [np.array([0.5, 0.5]), np.array([0.9, 0.1])]}],
...                 timeout=10, call_timeout=2)                       # doctest: +SKIP
>>> res.ok, res.error, res.calls[0].ok, res.calls[0].value           # doctest: +SKIP
(True, None, True, 0.5108256237659907)

``res.error`` is a task-level failure (``'import'``, ``'timeout'``, ``'memory'``,
``'crash'``, ``'exit'``, ``'output'``, ``'internal'``); each :class:`CallOutcome` carries a value
or an ``error_type`` (the exception's class name, ``'Timeout'``, ``'NotRun'`` …) and message.
"""
from __future__ import annotations

import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import _sandbox_runner as _runner

__all__ = ["run_calls", "SandboxResult", "CallOutcome", "parse_target", "encode", "decode",
           "describe_value"]

encode = _runner.encode
decode = _runner.decode

_RESULT_CAP = 64 * 1024 * 1024      # bytes of result stream accepted from the child
_SIBLING_CAP = 5 * 1024 * 1024      # bytes of sibling *.py files copied next to a file target


@dataclass
class CallOutcome:
    """The outcome of one call: a decoded ``value`` or the exception raised (type + message).

    ``error_type`` is the exception class name (``'ValueError'``, ``'SystemExit'``,
    ``'MemoryError'``), ``'Timeout'`` for a call stopped by its per-call alarm,
    ``'UnencodableResult'`` when the return value could not be serialised, or ``'NotRun'`` when
    the child died or ran out of time before reaching the call.
    """

    ok: bool
    value: Any = None
    error_type: str | None = None
    message: str = ""
    traceback: str = ""
    elapsed: float | None = None


@dataclass
class SandboxResult:
    """Everything known about one sandboxed run.

    Attributes
    ----------
    ok : bool
        True when the target imported and every call was attempted (individual calls may still
        have raised: see :attr:`calls`).
    error : str or None
        Task-level failure: ``'import'`` (the module failed to import or, with
        :attr:`imported` True, has no such callable), ``'timeout'`` (wall clock or CPU),
        ``'memory'``, ``'crash'`` (killed by a signal), ``'exit'`` (the process ended before
        finishing, e.g. ``os._exit``), ``'output'`` (result stream over its cap) or
        ``'internal'`` (the sandbox itself failed).
    message : str
        One line for humans explaining ``error`` (empty when ok).
    calls : list of CallOutcome
        One per requested call, in order (``'NotRun'`` for calls never reached).
    stdout, stderr : str
        What the child printed, truncated to ``max_output_bytes`` each.
    stdout_bytes, stderr_bytes : int
        Total bytes the child wrote to each stream (beyond the cap they were discarded).
    elapsed : float
        Wall-clock seconds for the whole child.
    returncode : int or None
    isolation : dict
        What was in force: ``user``, ``network`` (``'namespace'`` or ``'audit-hook'``),
        limits, and ``notes`` explaining anything weaker than asked.
    import_traceback : str
        The traceback of a failed import (empty otherwise).
    imported : bool or None
        Whether the target *module* was imported (True even when the function was then missing;
        False when importing it failed or never finished; None for early failures).
    """

    ok: bool
    error: str | None
    message: str
    calls: list
    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    elapsed: float = 0.0
    returncode: int | None = None
    isolation: dict = field(default_factory=dict)
    import_traceback: str = ""
    imported: bool | None = None

    @property
    def stdout_truncated(self) -> bool:
        return self.stdout_bytes > len(self.stdout.encode("utf-8", "replace"))

    @property
    def stderr_truncated(self) -> bool:
        return self.stderr_bytes > len(self.stderr.encode("utf-8", "replace"))


# ----------------------------------------------------------------------------- targets
def parse_target(target: str):
    """Split ``'module:function'`` or ``'path/to/file.py:function'``.

    Returns ``(kind, where, function)`` with kind ``'file'`` (where is a :class:`Path`) or
    ``'module'``.  Raises ``ValueError`` when there is no ``:function`` part.
    """
    if not isinstance(target, str):
        raise TypeError(f"target must be a str 'module:function' or 'file.py:function', "
                        f"not {type(target).__name__}")
    where, sep, function = target.rpartition(":")
    if not sep or not where or not function:
        raise ValueError(f"target={target!r}: expected 'module:function' or "
                         f"'path/to/file.py:function'")
    if where.endswith(".py") or os.sep in where or "/" in where:
        return "file", Path(where), function
    return "module", where, function


def describe_value(value) -> str:
    """A short type/shape description of a decoded value (for messages that must not leak it)."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return f"ndarray of shape {value.shape}, dtype {value.dtype}"
        if isinstance(value, np.generic):
            return f"numpy {value.dtype} scalar"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, dict) and "__object__" in value:
        return f"object of type {value['__object__']}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    return type(value).__name__


# ----------------------------------------------------------------------------- isolation
def _sandbox_user(user, python):
    """(uid, gid, name) to run as, or None to keep the current user; plus a note."""
    if user is None or os.geteuid() != 0:
        return None, "" if user is None else "not root: child runs as the current user"
    import pwd

    if user == "auto":
        candidates = ["fdiv-sandbox", "nobody"]
    else:
        candidates = [user]
    for name in candidates:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if pw.pw_uid == 0:
            continue
        if _user_can_run_python(pw.pw_uid, pw.pw_gid, python):
            return (pw.pw_uid, pw.pw_gid, name), ""
        return None, (f"user {name!r} cannot run {python} (unreadable path?): "
                      f"child runs as root")
    return None, f"no unprivileged user among {candidates}: child runs as root"


@lru_cache(maxsize=None)
def _user_can_run_python(uid, gid, python) -> bool:
    try:
        proc = subprocess.run([python, "-I", "-c", "import json"], user=uid, group=gid,
                              extra_groups=[], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
                              cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def _count_user_processes(uid) -> int:
    n = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == uid:
                        n += 1
                except OSError:
                    pass
    except OSError:
        return 0
    return n


def _default_env(workdir, env):
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8:backslashreplace",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "NUMBA_NUM_THREADS": "1",
        "NUMBA_CACHE_DIR": str(Path(workdir) / ".numba_cache"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir),
    }
    if env:
        base.update({str(k): str(v) for k, v in env.items()})
    return base


# ----------------------------------------------------------------------------- reading
class _CappedBuffer:
    def __init__(self, cap):
        self.cap = cap
        self.data = bytearray()
        self.total = 0

    def feed(self, chunk):
        self.total += len(chunk)
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    def text(self):
        return bytes(self.data).decode("utf-8", "replace")


class _ResultStream:
    def __init__(self, cap):
        self.cap = cap
        self.pending = bytearray()
        self.total = 0
        self.records = []
        self.overflow = False
        self.garbled = 0

    def feed(self, chunk):
        self.total += len(chunk)
        if self.total > self.cap:
            self.overflow = True
            return
        self.pending += chunk
        while True:
            nl = self.pending.find(b"\n")
            if nl < 0:
                break
            line = bytes(self.pending[:nl])
            del self.pending[: nl + 1]
            try:
                rec = json.loads(line.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError
                self.records.append(rec)
            except (ValueError, UnicodeDecodeError):
                self.garbled += 1


def _read_all(proc, result_r, deadline, max_output_bytes):
    """Drain stdout, stderr and the result pipe until EOF on all or the deadline; True if timed out."""
    out, err = _CappedBuffer(max_output_bytes), _CappedBuffer(max_output_bytes)
    results = _ResultStream(_RESULT_CAP)
    sel = selectors.DefaultSelector()
    sinks = {proc.stdout.fileno(): out, proc.stderr.fileno(): err, result_r: results}
    for fd in sinks:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    timed_out = False
    try:
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in sel.select(timeout=min(remaining, 0.5)):
                try:
                    chunk = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(key.fd)
                else:
                    sinks[key.fd].feed(chunk)
            if results.overflow:
                break
    finally:
        sel.close()
    return out, err, results, timed_out


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


# ----------------------------------------------------------------------------- main entry
def run_calls(target, calls, *, timeout=10.0, memory_mb=1024, max_output_bytes=65536,
              cpu_seconds=None, env=None, call_timeout=None, user="auto", network=False,
              sys_path=None, max_processes=64, max_file_mb=16, prerequisites=None,
              python=None) -> SandboxResult:
    """Call ``target`` on each entry of ``calls`` in one sandboxed child process.

    Parameters
    ----------
    target : str
        ``'module:function'`` (importable from ``sys_path`` or site-packages) or
        ``'path/to/file.py:function'`` (the file and its sibling ``*.py`` files are copied to the
        child's scratch directory and imported as module ``submission``).  ``function`` may be
        dotted (``Class.method``); ``'*'`` only imports the module (a probe, with ``calls=[]``).
    calls : list of dict
        ``{"args": [...], "kwargs": {...}}`` each.  Plain JSON data, numpy arrays and non-finite
        floats are all accepted (encoded with :func:`encode`).
    timeout : float
        Wall-clock budget in seconds for the whole child (start-up, import and all calls).
    memory_mb : int
        Address-space limit (``RLIMIT_AS``) in MiB.
    max_output_bytes : int
        Bytes of stdout and of stderr kept (each); the rest is discarded.
    cpu_seconds : int, optional
        ``RLIMIT_CPU``; default ``ceil(timeout) + 1``.
    env : mapping, optional
        Extra environment variables for the child (on top of a minimal, single-threaded one).
    call_timeout : float, optional
        Per-call wall-clock budget (an alarm inside the child); a call over it fails with
        ``error_type='Timeout'`` and the next call runs.
    user : str or None
        ``'auto'`` (drop to ``fdiv-sandbox``/``nobody`` when root and possible), a user name, or
        None to keep the current user.
    network : bool
        Allow network access (default False: blocked as far as the platform allows).
    sys_path : list of str, optional
        Directories prepended to the child's ``sys.path`` (for ``module:function`` targets).
    max_processes : int
        ``RLIMIT_NPROC`` headroom when the child runs as a non-root user.
    max_file_mb : int
        ``RLIMIT_FSIZE``: largest file the child may write.
    prerequisites : dict, optional
        ``{"source": python_source, "names": [...]}``: after importing the target module, its
        functions ``names`` are replaced by those ``source`` defines (reference versions of the
        functions a task builds on; see :func:`fdiv.grade` ).  ``source`` is passed in the request
        file, which the child deletes before importing the target.

    Returns
    -------
    SandboxResult
        Never raises for anything the child does; ``ValueError``/``TypeError`` only for a
        malformed ``target`` or ``calls``.
    """
    kind, where, function = parse_target(target)
    calls = list(calls)
    req_calls = []
    for i, call in enumerate(calls):
        if not isinstance(call, dict) or not set(call) <= {"args", "kwargs"}:
            raise ValueError(f"calls[{i}] must be a dict with keys 'args' and/or 'kwargs', got {call!r}")
        req_calls.append({"args": encode(list(call.get("args", []))),
                          "kwargs": encode(dict(call.get("kwargs", {})))})
    timeout = float(timeout)
    if not timeout > 0:
        raise ValueError(f"timeout={timeout!r} must be a positive number of seconds")
    if cpu_seconds is None:
        cpu_seconds = int(math.ceil(timeout)) + 1

    python = str(python or sys.executable)
    run_as, user_note = _sandbox_user(user, python)
    notes = [n for n in [user_note] if n]
    isolation = {
        "user": run_as[2] if run_as else _current_user(),
        "network": "allowed" if network else "audit-hook",
        "memory_mb": memory_mb, "cpu_seconds": cpu_seconds, "timeout": timeout,
        "call_timeout": call_timeout, "notes": notes,
    }

    t_start = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="fdiv-sandbox-"))
    try:
        request = {"kind": kind, "function": function, "calls": req_calls,
                   "call_timeout": call_timeout, "block_network": not network,
                   "block_processes": True, "sys_path": [str(workdir)]}
        if kind == "file":
            if not where.is_file():
                return _early_failure(calls, "import", f"submission file {str(where)!r} not found",
                                      isolation, t_start)
            _copy_submission(where, workdir)
            request["file"] = str(workdir / where.name)
            request["module_name"] = "submission"
        else:
            request["module"] = where
            request["sys_path"] = [str(workdir)] + [str(Path(p).resolve()) for p in (sys_path or [])]
        runner = workdir / "_fdiv_sandbox_runner.py"
        shutil.copyfile(_runner.__file__, runner)
        req_path = workdir / "_fdiv_request.json"
        if prerequisites:
            request["prerequisites"] = {"source": str(prerequisites["source"]),
                                        "names": list(prerequisites["names"])}
        limits = [
            ("RLIMIT_AS", memory_mb * 1024 * 1024, memory_mb * 1024 * 1024),
            ("RLIMIT_CPU", int(cpu_seconds), int(cpu_seconds) + 1),
            ("RLIMIT_FSIZE", max_file_mb * 1024 * 1024, max_file_mb * 1024 * 1024),
            ("RLIMIT_CORE", 0, 0),
        ]
        if run_as is not None or os.geteuid() != 0:
            uid = run_as[0] if run_as else os.geteuid()
            nproc = _count_user_processes(uid) + int(max_processes)
            limits.append(("RLIMIT_NPROC", nproc, nproc))
        else:
            notes.append("child runs as root: RLIMIT_NPROC does not apply, process creation "
                         "blocked only by the audit hook")
        request["limits"] = limits
        request["unshare_net"] = not network and sys.platform.startswith("linux")
        request["run_as"] = list(run_as[:2]) if run_as else None
        req_path.write_text(json.dumps(request, allow_nan=False), encoding="utf-8")
        if run_as is not None:
            uid, gid, _ = run_as
            for p in [workdir, *workdir.iterdir()]:
                os.chown(p, uid, gid)
        os.chmod(workdir, 0o700)

        result_r, result_w = os.pipe()
        try:
            proc = subprocess.Popen(
                [python, "-I", "-X", "utf8", str(runner), str(req_path), str(result_w)],
                cwd=str(workdir), env=_default_env(workdir, env), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(result_w,),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(result_r)
            os.close(result_w)
            return _early_failure(calls, "internal", f"could not start the sandbox: {exc}",
                                  isolation, t_start)
        os.close(result_w)
        pgid = proc.pid
        try:
            out, err, results, timed_out = _read_all(proc, result_r, t_start + timeout,
                                                     max_output_bytes)
            if timed_out or results.overflow:
                _kill_group(pgid)
            try:
                returncode = proc.wait(timeout=max(0.5, t_start + timeout + 1 - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(pgid)
                returncode = proc.wait()
            _kill_group(pgid)  # leftovers (forked children) of a finished child
        finally:
            os.close(result_r)
            for stream in (proc.stdout, proc.stderr):
                stream.close()
        elapsed = time.monotonic() - t_start
        return _assemble(calls, results, out, err, returncode, timed_out, elapsed, isolation,
                         memory_mb, cpu_seconds, timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _current_user():
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def _copy_submission(path, workdir):
    shutil.copyfile(path, workdir / path.name)
    total = 0
    for sib in sorted(path.parent.glob("*.py")):
        if sib.name == path.name or sib.name.startswith("_fdiv_"):
            continue
        try:
            size = sib.stat().st_size
        except OSError:
            continue
        total += size
        if total > _SIBLING_CAP:
            break
        shutil.copyfile(sib, workdir / sib.name)


def _early_failure(calls, error, message, isolation, t_start):
    return SandboxResult(
        ok=False, error=error, message=message, isolation=isolation,
        calls=[CallOutcome(ok=False, error_type="NotRun", message=f"not run: {message}")
               for _ in calls],
        elapsed=time.monotonic() - t_start)


def _assemble(calls, results, out, err, returncode, timed_out, elapsed, isolation, memory_mb,
              cpu_seconds, timeout):
    outcomes: list = [None] * len(calls)
    imported = None
    import_tb = ""
    done = False
    for rec in results.records:
        kind = rec.get("kind")
        if kind == "start" and isinstance(rec.get("isolation"), dict):
            info = rec["isolation"]
            if info.get("netns"):
                isolation["network"] = "namespace+audit-hook"
            elif isolation["network"] != "allowed":
                isolation["notes"].append(
                    "no network namespace (needs root, or unprivileged user namespaces, on "
                    "Linux): network blocked only by a best-effort audit hook")
            if info.get("failed"):
                isolation["notes"].append("limits not applied: " + "; ".join(info["failed"]))
        elif kind == "isolation":
            imported = {"ok": False, "error_type": "GraderIsolationError",
                        "message": rec.get("message", "")}
        elif kind == "import":
            imported = rec
            import_tb = rec.get("traceback", "")
        elif kind == "call":
            idx = rec.get("index")
            if not isinstance(idx, int) or not 0 <= idx < len(calls) or outcomes[idx] is not None:
                continue
            if rec.get("ok"):
                try:
                    value = decode(rec.get("value"))
                except Exception as exc:  # noqa: BLE001  (a forged or corrupted record)
                    outcomes[idx] = CallOutcome(False, None, "UnencodableResult", str(exc))
                    continue
                outcomes[idx] = CallOutcome(True, value, elapsed=rec.get("elapsed"))
            else:
                etype = rec.get("error_type") or "Exception"
                if etype == "CallTimeout":
                    etype = "Timeout"
                outcomes[idx] = CallOutcome(False, None, etype, str(rec.get("message", "")),
                                            str(rec.get("traceback", "")), rec.get("elapsed"))
        elif kind == "done":
            done = True

    error, message = None, ""
    sig = -returncode if isinstance(returncode, int) and returncode < 0 else None
    if imported is not None and not imported.get("ok"):
        etype = imported.get("error_type", "Exception")
        if etype.startswith("Grader"):
            error = "internal"
            message = f"the grader's sandbox setup failed: {etype}: {imported.get('message', '')}"
        elif imported.get("stage") == "function":
            # still 'import' (callers key on it); ``imported=True`` tells it apart
            error = "import"
            message = f"the function could not be found: {etype}: {imported.get('message', '')}"
        else:
            error = "memory" if etype == "MemoryError" else "import"
            message = f"importing the submission failed: {etype}: {imported.get('message', '')}"
    elif results.overflow:
        error, message = "output", "the result stream exceeded its size limit"
    elif timed_out:
        error, message = "timeout", f"time limit exceeded ({timeout:g} s wall clock)"
    elif sig is not None and sig in (getattr(signal, "SIGXCPU", -1),):
        error, message = "timeout", f"CPU time limit exceeded ({cpu_seconds} s)"
    elif sig == signal.SIGKILL:
        error, message = "memory", "killed (SIGKILL): most likely out of memory"
    elif sig is not None:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        error = "crash"
        message = f"the process crashed with signal {name}"
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            message += f" (often memory exhaustion under the {memory_mb} MiB limit or deep recursion)"
    elif imported is None:
        error = "crash" if returncode not in (0, None) else "exit"
        tail = err.text().strip().splitlines()[-1:] or [""]
        message = (f"the sandbox did not start (exit code {returncode}) {tail[0]}".strip())
    elif not done:
        error = "exit"
        message = (f"the process ended early (exit code {returncode}): os._exit, a crash or a "
                   f"closed result channel")
    if error is None and any(o is None for o in outcomes):
        error, message = "exit", "some calls returned no result"
    reason = {"timeout": "time limit exceeded", "memory": "out of memory",
              "crash": "the process crashed", "exit": "the process ended before this call",
              "output": "result too large", "import": "import failed",
              "internal": "sandbox error"}.get(error, "not run")
    first = True
    for i, o in enumerate(outcomes):
        if o is None:
            if first and imported is not None and imported.get("ok"):
                # the call in progress when the child stopped
                etype = {"timeout": "Timeout", "memory": "MemoryError", "crash": "Crash",
                         "exit": "Exit", "output": "OutputLimit"}.get(error, "NotRun")
                outcomes[i] = CallOutcome(False, None, etype, message or reason)
                first = False
            else:
                outcomes[i] = CallOutcome(False, None, "NotRun", f"not run: {reason}")
    module_imported = imported is not None and (imported.get("ok") or imported.get("stage") == "function")
    return SandboxResult(
        ok=error is None, error=error, message=message, calls=outcomes, imported=module_imported,
        stdout=out.text(), stderr=err.text(), stdout_bytes=out.total, stderr_bytes=err.total,
        elapsed=elapsed, returncode=returncode, isolation=isolation, import_traceback=import_tb,
    )
