"""Child side of :mod:`fdiv._sandbox`: import one untrusted function and call it on a list of cases.

This file runs as a script in a fresh ``python -I`` process (isolated mode: no ``PYTHONPATH``, no
user site, no current directory on ``sys.path``) and must not import :mod:`fdiv`: it is copied into
the sandbox's scratch directory and depends only on the standard library (plus numpy, imported
lazily, when the cases carry arrays).

Protocol
--------
``python -I _sandbox_runner.py REQUEST.json RESULT_FD``.  The request names the target and the
calls; results go, one JSON object per line, to the inherited file descriptor ``RESULT_FD`` —
never to stdout or stderr, which belong to the student's code::

    {"kind": "start"}
    {"kind": "import", "ok": false, "error_type": ..., "message": ..., "traceback": ...}
    {"kind": "call", "index": i, "ok": true, "value": <encoded>, "elapsed": s}
    {"kind": "call", "index": i, "ok": false, "error_type": ..., "message": ..., "traceback": ...}
    {"kind": "done"}

Each line is written as soon as its call returns, so a call that hangs or kills the process costs
only itself and the calls after it.

Values cross the process boundary as strict JSON with tags for what JSON cannot carry
(:func:`encode` / :func:`decode`, shared with the parent):
``{"__float__": "inf" | "-inf" | "nan"}``, ``{"__ndarray__": [...], "dtype": ..., "shape": [...]}``,
``{"__scalar__": v, "dtype": ...}`` (numpy scalars), ``{"__tuple__": [...]}``,
``{"__complex__": [re, im]}``, ``{"__dict__": [[k, v], ...]}`` and, for anything else,
``{"__object__": type name, "repr": ...}``.

Before the student's module is imported the runner applies the isolation the parent asked for
(``unshare`` of the network namespace, ``setrlimit``, dropping to an unprivileged user: see
:func:`_apply_isolation`) and deletes the request file.  After the import, ``prerequisites`` (if
any) replace named functions of the student's module by reference versions.

Guards installed before the student's module is imported (best effort: code in the same
interpreter can get around them with ctypes; the real limits are the parent's rlimits, process
group, user and network namespace):

* an audit hook refusing network access (``socket.*``) and process creation (``os.fork``,
  ``os.system``, ``subprocess.Popen``, ``os.exec*``, ``os.posix_spawn``, ``os.spawn*``),
* a per-call wall-clock alarm (``signal.setitimer``) raising :class:`CallTimeout`, a
  ``BaseException`` that ``except Exception`` in student code does not swallow.
"""
import json
import math
import os
import signal
import sys
import time
import traceback

MAX_ELEMENTS = 1_000_000   # larger returned arrays are reported by shape only
MAX_DEPTH = 32
MAX_REPR = 200
MAX_MESSAGE = 2000


# ----------------------------------------------------------------------------- codec
def _enc_float(x):
    x = float(x)
    if math.isfinite(x):
        return x
    return {"__float__": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _safe_repr(obj):
    try:
        text = repr(obj)
    except BaseException as exc:  # noqa: BLE001  (a hostile __repr__)
        text = f"<unrepresentable: {type(exc).__name__}>"
    return text if len(text) <= MAX_REPR else text[:MAX_REPR] + "…"


def _type_name(obj):
    t = type(obj)
    mod = getattr(t, "__module__", "") or ""
    return t.__qualname__ if mod == "builtins" else f"{mod}.{t.__qualname__}"


def encode(obj, _depth=0):
    """A strict-JSON-able image of ``obj`` (see the module docstring for the tags)."""
    if _depth > MAX_DEPTH:
        return {"__object__": _type_name(obj), "repr": "<nested too deeply>"}
    t = type(obj)
    if obj is None or t is bool or t is str:
        return obj
    if t is int:
        return obj
    if t is float:
        return _enc_float(obj)
    if t is complex:
        return {"__complex__": [_enc_float(obj.real), _enc_float(obj.imag)]}
    mod = getattr(t, "__module__", "") or ""
    if mod == "numpy" or mod.startswith("numpy."):
        import numpy as np

        if isinstance(obj, np.ndarray):
            if obj.size > MAX_ELEMENTS:
                return {"__object__": "numpy.ndarray", "repr": f"<array of shape {obj.shape}, "
                        f"dtype {obj.dtype}: too large to return>"}
            kind = obj.dtype.kind
            if kind in "biuf":
                data = _enc_nested(obj.tolist())
            else:
                data = encode(obj.tolist(), _depth + 1)
            return {"__ndarray__": data, "dtype": str(obj.dtype), "shape": list(obj.shape)}
        if isinstance(obj, np.generic):
            if obj.dtype.kind in "biuf":
                item = obj.item()
                return {"__scalar__": _enc_float(item) if isinstance(item, float) else item,
                        "dtype": str(obj.dtype)}
            if obj.dtype.kind == "c":
                return {"__complex__": [_enc_float(obj.real), _enc_float(obj.imag)]}
    if t is list:
        return [encode(v, _depth + 1) for v in obj]
    if t is tuple:
        return {"__tuple__": [encode(v, _depth + 1) for v in obj]}
    if t is dict:
        return {"__dict__": [[encode(k, _depth + 1), encode(v, _depth + 1)] for k, v in obj.items()]}
    # subclasses of float/int (e.g. a float subclass with odd methods) keep their type name
    return {"__object__": _type_name(obj), "repr": _safe_repr(obj)}


def _enc_nested(data):
    if isinstance(data, list):
        return [_enc_nested(v) for v in data]
    if isinstance(data, float):
        return _enc_float(data)
    return data  # int or bool from a numeric array


def _dec_float(x):
    if isinstance(x, dict):
        return float(x["__float__"])
    return x


def decode(obj):
    """Inverse of :func:`encode` (numpy imported when arrays occur); unknown objects → dict."""
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__ndarray__" in obj:
        import numpy as np

        data = decode(obj["__ndarray__"])
        dtype = obj.get("dtype", "float64")
        try:
            arr = np.array(data, dtype=dtype)
        except (TypeError, ValueError):
            arr = np.array(data, dtype=object)
        return arr.reshape(obj.get("shape", arr.shape))
    if "__scalar__" in obj:
        import numpy as np

        return np.dtype(obj.get("dtype", "float64")).type(decode(obj["__scalar__"]))
    if "__complex__" in obj:
        re, im = obj["__complex__"]
        return complex(_dec_float(re), _dec_float(im))
    if "__tuple__" in obj:
        return tuple(decode(v) for v in obj["__tuple__"])
    if "__dict__" in obj:
        out = {}
        for k, v in obj["__dict__"]:
            k = decode(k)
            try:
                out[k] = decode(v)
            except TypeError:  # unhashable key
                out[repr(k)] = decode(v)
        return out
    return obj  # {"__object__": ..., "repr": ...} stays a dict for the parent to recognise


# ----------------------------------------------------------------------------- guards
class CallTimeout(BaseException):
    """Raised inside a call that exceeds its per-call wall-clock budget."""


_BLOCKED_PREFIXES = ("socket.", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec",
                     "os.system", "subprocess.Popen", "os.startfile", "pty.spawn")


def _install_audit_hook(block_network, block_processes):
    blocked = []
    if block_network:
        blocked.append("socket.")
    if block_processes:
        blocked.extend(p for p in _BLOCKED_PREFIXES if p != "socket.")
    blocked = tuple(blocked)
    if not blocked:
        return

    def hook(event, args, _blocked=blocked):
        if event.startswith(_blocked):
            raise PermissionError(f"{event} is not allowed in the grading sandbox")

    sys.addaudithook(hook)


_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def _apply_isolation(request):
    """Enter an empty network namespace, set rlimits, drop to the sandbox user; report what held.

    Done here, in the child, before any untrusted code runs (rather than in a ``preexec_fn``,
    which is unsafe when the parent has threads, as in batch grading).
    """
    info = {"netns": False, "uid": None, "failed": []}
    if request.get("unshare_net"):
        try:
            import ctypes
            import ctypes.util

            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            if os.geteuid() == 0:
                info["netns"] = libc.unshare(_CLONE_NEWNET) == 0
            elif request.get("run_as") is None:
                # unprivileged user namespaces (allowed on many Linux distributions)
                info["netns"] = libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
        except (OSError, AttributeError):
            pass
    try:
        import resource
    except ImportError:  # pragma: no cover  (not POSIX)
        resource = None
    for name, soft, hard in request.get("limits", []):
        res = getattr(resource, name, None) if resource else None
        try:
            if res is None:
                raise ValueError("not available")
            resource.setrlimit(res, (soft, hard))
        except (ValueError, OSError) as exc:
            info["failed"].append(f"{name}: {exc}")
    run_as = request.get("run_as")
    if run_as:
        uid, gid = run_as
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    info["uid"] = os.getuid()
    return info


def _on_alarm(signum, frame):
    raise CallTimeout("call exceeded its time limit")


# ----------------------------------------------------------------------------- main
def main(argv):
    request_path, result_fd = argv[0], int(argv[1])
    # Move the result channel to a high descriptor and keep private references to what we need,
    # so that student code rebinding json/os/sys attributes does not break reporting.
    out_fd = os.dup2(result_fd, 1000) if result_fd != 1000 else result_fd
    if out_fd != result_fd:
        os.close(result_fd)
    _write = os.write
    _dumps = json.dumps
    _perf = time.perf_counter
    _format_exc = traceback.format_exc

    def emit(record):
        try:
            line = _dumps(record, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError) as exc:
            line = _dumps({"kind": record.get("kind"), "index": record.get("index"), "ok": False,
                           "error_type": "UnencodableResult", "message": str(exc)[:MAX_MESSAGE]})
        data = (line + "\n").encode("utf-8", "replace")
        while data:
            n = _write(out_fd, data)
            data = data[n:]

    def failure(exc):
        tb = _format_exc()
        # numpy's _ArrayMemoryError and friends: report the builtin class students know
        name = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
        return {"ok": False, "error_type": name,
                "message": _safe_str(exc)[:MAX_MESSAGE], "traceback": tb[-4000:]}

    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    try:
        isolation = _apply_isolation(request)
    except BaseException as exc:  # noqa: BLE001  (never run untrusted code half-isolated)
        emit({"kind": "isolation", "ok": False, "message": f"{type(exc).__name__}: {exc}"})
        return 4
    # The request may carry reference code for prerequisites: keep it out of the student's reach.
    try:
        os.unlink(request_path)
    except OSError:
        pass

    for entry in request.get("sys_path", []):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    _install_audit_hook(request.get("block_network", True), request.get("block_processes", True))
    emit({"kind": "start", "isolation": isolation})

    # --- import the target (stage "module"), then find the function (stage "function")
    try:
        if request["kind"] == "file":
            import importlib.util

            name = request.get("module_name", "submission")
            spec = importlib.util.spec_from_file_location(name, request["file"])
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        else:
            import importlib

            module = importlib.import_module(request["module"])
    except BaseException as exc:  # noqa: BLE001  (SystemExit, KeyboardInterrupt … at import)
        emit({"kind": "import", "stage": "module", **failure(exc)})
        return 3
    try:
        prereq = request.get("prerequisites")
        if prereq:
            _install_prerequisites(module, prereq)
        func = None
        if request["function"] != "*":  # '*': import only (a probe)
            func = module
            for part in request["function"].split("."):
                func = getattr(func, part)
            if not callable(func):
                raise TypeError(f"{request['function']} is a {type(func).__name__}, not a function")
    except BaseException as exc:  # noqa: BLE001
        emit({"kind": "import", "stage": "function", **failure(exc)})
        return 3

    emit({"kind": "import", "ok": True})

    # --- the calls
    call_timeout = request.get("call_timeout")
    use_alarm = bool(call_timeout) and hasattr(signal, "setitimer")
    if use_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
    for index, call in enumerate(request["calls"]):
        try:
            args = decode(call.get("args", []))
            kwargs = decode(call.get("kwargs", {}))
            if isinstance(kwargs, list):
                kwargs = dict(kwargs)
        except Exception as exc:  # noqa: BLE001  (a grader bug, reported per call)
            emit({"kind": "call", "index": index, **failure(exc), "error_type": "BadCallSpec"})
            continue
        t0 = _perf()
        try:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, float(call_timeout))
            try:
                value = func(*args, **kwargs)
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0.0)
            elapsed = _perf() - t0
            try:
                encoded = encode(value)
            except BaseException as exc:  # noqa: BLE001  (hostile __array__, __repr__ …)
                emit({"kind": "call", "index": index, **failure(exc), "elapsed": elapsed,
                      "error_type": "UnencodableResult"})
                continue
            emit({"kind": "call", "index": index, "ok": True, "value": encoded, "elapsed": elapsed})
        except BaseException as exc:  # noqa: BLE001  (SystemExit, CallTimeout, MemoryError …)
            emit({"kind": "call", "index": index, **failure(exc), "elapsed": _perf() - t0})
    emit({"kind": "done"})
    return 0


def _install_prerequisites(module, prereq):
    """Replace the module's functions ``prereq['names']`` by reference versions.

    ``prereq['source']`` defines them (with only the imports and helpers they need); it is
    executed in a private namespace that is not registered in ``sys.modules``.  This is how a task
    is graded with the reference versions of the functions it builds on, so that one mistake is
    not penalised twice.
    """
    namespace = {"__name__": "_fdiv_reference", "__builtins__": __builtins__}
    try:
        exec(compile(prereq["source"], "<reference prerequisite>", "exec"), namespace)
        for name in prereq["names"]:
            setattr(module, name, namespace[name])
    except Exception as exc:  # noqa: BLE001  (a grader bug, not the student's)
        raise GraderPrerequisiteError(f"{type(exc).__name__}: {exc}") from None


class GraderPrerequisiteError(Exception):
    """The reference prerequisites could not be installed (an error in the grader's files)."""


def _safe_str(exc):
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001
        return f"<{type(exc).__name__} with an unprintable message>"


if __name__ == "__main__":
    code = main(sys.argv[1:])
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)  # skip atexit handlers and finalizers the student may have registered
