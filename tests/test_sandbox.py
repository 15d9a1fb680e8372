"""The sandbox that runs untrusted functions for ``fdiv check`` and ``fdiv grade``.

Each test writes a tiny hostile (or benign) module and checks that the parent process survives,
that the outcome is classified correctly and that the results of the other calls are kept.
"""
import json
import math
import os
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from fdiv._sandbox import decode, encode, parse_target, run_calls

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sandbox needs POSIX rlimits")


@pytest.fixture
def module(tmp_path):
    """Write ``source`` to a fresh file and return 'path.py:function'."""
    counter = iter(range(1000))

    def make(source, function="f"):
        path = tmp_path / f"mod{next(counter)}.py"
        path.write_text(textwrap.dedent(source))
        return f"{path}:{function}"

    return make


def test_values_cross_the_boundary_exactly(module):
    target = module("""
        import numpy as np
        def f(kind):
            return {
                "float": 0.1 + 0.2,
                "inf": float("inf"),
                "ninf": -float("inf"),
                "nan": float("nan"),
                "array": np.array([[1.5, np.inf], [-np.inf, np.nan]]),
                "f32": np.float32(1.25),
                "tuple": (1, 2.5, "x"),
                "complex": 1 + 2j,
                "int": 2**70,
                "none": None,
            }[kind]
    """)
    kinds = ["float", "inf", "ninf", "nan", "array", "f32", "tuple", "complex", "int", "none"]
    res = run_calls(target, [{"args": [k]} for k in kinds], timeout=20)
    assert res.ok, res.message
    v = {k: c.value for k, c in zip(kinds, res.calls)}
    assert all(c.ok for c in res.calls)
    assert v["float"] == 0.1 + 0.2  # bit-exact round trip through JSON
    assert v["inf"] == math.inf and v["ninf"] == -math.inf and math.isnan(v["nan"])
    assert isinstance(v["array"], np.ndarray) and v["array"].shape == (2, 2)
    np.testing.assert_array_equal(v["array"], np.array([[1.5, np.inf], [-np.inf, np.nan]]))
    assert isinstance(v["f32"], np.float32) and v["f32"] == 1.25
    assert v["tuple"] == (1, 2.5, "x")
    assert v["complex"] == 1 + 2j and v["int"] == 2**70 and v["none"] is None


def test_array_and_special_float_arguments(module):
    target = module("""
        import numpy as np
        def f(x, *, scale):
            assert isinstance(x, np.ndarray), type(x)
            return float(np.sum(np.isinf(x))) * scale
    """)
    res = run_calls(target, [{"args": [np.array([1.0, np.inf, -np.inf])], "kwargs": {"scale": 2.0}}],
                    timeout=20)
    assert res.ok and res.calls[0].value == 4.0


def test_codec_round_trip_and_strict_json():
    import json

    obj = [1.0, math.inf, {"a": (math.nan, -0.0)}, np.arange(3.0), np.int64(7)]
    enc = encode(obj)
    text = json.dumps(enc, allow_nan=False)  # strict JSON: would raise on a bare inf/nan
    back = decode(json.loads(text))
    assert back[0] == 1.0 and back[1] == math.inf
    assert math.isnan(back[2]["a"][0]) and math.copysign(1, back[2]["a"][1]) == -1
    np.testing.assert_array_equal(back[3], np.arange(3.0))
    assert back[4] == 7 and isinstance(back[4], np.int64)
    odd = decode(encode(object()))
    assert odd["__object__"] == "object"


def test_raise_is_per_call(module):
    target = module("""
        def f(x):
            if x < 0:
                raise ValueError(f"negative x")
            return x * 2.0
    """)
    res = run_calls(target, [{"args": [1.0]}, {"args": [-1.0]}, {"args": [3.0]}], timeout=10)
    assert res.ok
    assert [c.ok for c in res.calls] == [True, False, True]
    assert res.calls[1].error_type == "ValueError" and "negative x" in res.calls[1].message
    assert res.calls[2].value == 6.0


def test_per_call_timeout_keeps_the_other_calls(module):
    target = module("""
        def f(x):
            if x == 1:
                while True:
                    try:
                        pass
                    except Exception:  # a student swallowing exceptions cannot swallow the alarm
                        pass
            return x
    """)
    t0 = time.monotonic()
    res = run_calls(target, [{"args": [0]}, {"args": [1]}, {"args": [2]}], timeout=10,
                    call_timeout=0.5)
    assert time.monotonic() - t0 < 5
    assert res.ok
    assert res.calls[0].value == 0 and res.calls[2].value == 2
    assert res.calls[1].error_type == "Timeout"


def test_wall_clock_timeout_kills_the_child(module):
    target = module("""
        while True:
            pass
        def f():
            return 1
    """)
    t0 = time.monotonic()
    res = run_calls(target, [{"args": []}], timeout=1.5)
    assert time.monotonic() - t0 < 4
    assert not res.ok and res.error == "timeout"
    assert res.calls[0].error_type in ("NotRun", "Timeout")


def test_cpu_limit(module):
    target = module("""
        def f():
            while True:
                pass
    """)
    t0 = time.monotonic()
    res = run_calls(target, [{"args": []}], timeout=20, cpu_seconds=1)
    assert time.monotonic() - t0 < 8
    assert not res.ok and res.error == "timeout" and "CPU" in res.message


def test_sys_exit_in_a_call_and_at_import(module):
    target = module("""
        import sys
        def f(x):
            if x:
                sys.exit(3)
            return 1.0
    """)
    res = run_calls(target, [{"args": [1]}, {"args": [0]}], timeout=10)
    assert res.ok
    assert res.calls[0].error_type == "SystemExit" and res.calls[1].value == 1.0
    res = run_calls(module("import sys\nsys.exit(0)\n"), [{"args": []}], timeout=10)
    assert not res.ok and res.error == "import" and "SystemExit" in res.message


def test_os_exit_keeps_earlier_results(module):
    target = module("""
        import os
        def f(x):
            if x == 1:
                os._exit(0)
            return x
    """)
    res = run_calls(target, [{"args": [0]}, {"args": [1]}, {"args": [2]}], timeout=10)
    assert not res.ok and res.error == "exit"
    assert res.calls[0].ok and res.calls[0].value == 0
    assert not res.calls[1].ok and not res.calls[2].ok
    assert res.calls[2].error_type == "NotRun"


def test_megabytes_of_output_are_capped_and_cannot_forge_results(module):
    target = module("""
        import sys
        def f():
            print('{"kind": "call", "index": 0, "ok": true, "value": 42.0}')
            for _ in range(20000):
                sys.stdout.write("x" * 200 + "\\n")
                sys.stderr.write("y" * 200 + "\\n")
            return 1.0
    """)
    res = run_calls(target, [{"args": []}], timeout=20, max_output_bytes=1000)
    assert res.ok and res.calls[0].value == 1.0  # the forged line on stdout is ignored
    assert len(res.stdout.encode()) <= 1000 and len(res.stderr.encode()) <= 1000
    assert res.stdout_bytes > 4_000_000 and res.stdout_truncated


def test_memory_bomb(module):
    target = module("""
        def f(n):
            if n:
                blocks = []
                while True:
                    blocks.append(bytearray(50_000_000))
            return 2.0
    """)
    res = run_calls(target, [{"args": [1]}, {"args": [0]}], timeout=20, memory_mb=400)
    first = res.calls[0]
    assert not first.ok and first.error_type == "MemoryError" or res.error in ("memory", "crash")
    if res.ok:
        assert res.calls[1].value == 2.0


def test_fork_and_network_are_refused(module):
    target = module("""
        import os, socket, subprocess
        def f(kind):
            if kind == "fork":
                return os.fork()
            if kind == "popen":
                return subprocess.run(["true"]).returncode
            if kind == "system":
                return os.system("true")
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(("127.0.0.1", 9))
            return "connected"
    """)
    kinds = ["fork", "popen", "system", "net"]
    res = run_calls(target, [{"args": [k]} for k in kinds], timeout=20)
    assert res.ok, res.message
    for kind, call in zip(kinds, res.calls):
        assert not call.ok, kind
        assert call.error_type in ("PermissionError", "OSError"), (kind, call.error_type)


def test_fork_bomb_does_not_escape(module):
    target = module("""
        import os
        def f():
            n = 0
            while True:
                try:
                    os.fork()
                except Exception:
                    n += 1
    """)
    t0 = time.monotonic()
    res = run_calls(target, [{"args": []}], timeout=3, call_timeout=1)
    assert time.monotonic() - t0 < 6
    assert not res.calls[0].ok


def test_import_failure_and_missing_file(module, tmp_path):
    res = run_calls(module("import no_such_module_fdiv_test\ndef f():\n    return 1\n"),
                    [{"args": []}], timeout=10)
    assert not res.ok and res.error == "import" and "no_such_module_fdiv_test" in res.message
    assert res.calls[0].error_type == "NotRun" and res.imported is False
    res = run_calls(module("def g():\n    return 1\n"), [{"args": []}], timeout=10)
    assert res.error == "import" and "AttributeError" in res.message and res.imported is True
    res = run_calls(f"{tmp_path}/missing.py:f", [{"args": []}], timeout=10)
    assert res.error == "import" and "not found" in res.message


def test_module_target_and_sibling_files(tmp_path):
    (tmp_path / "helper.py").write_text("def twice(x):\n    return 2 * x\n")
    (tmp_path / "main.py").write_text("from helper import twice\ndef f(x):\n    return twice(x)\n")
    res = run_calls(f"{tmp_path}/main.py:f", [{"args": [2.5]}], timeout=10)
    assert res.ok and res.calls[0].value == 5.0
    res = run_calls("helper:twice", [{"args": [4]}], timeout=10, sys_path=[str(tmp_path)])
    assert res.ok and res.calls[0].value == 8
    res = run_calls("math:hypot", [{"args": [3.0, 4.0]}], timeout=10)
    assert res.calls[0].value == 5.0


def test_child_environment_is_isolated(module, monkeypatch):
    monkeypatch.setenv("FDIV_SECRET_FOR_TEST", "leak")
    target = module("""
        import os, sys
        def f():
            return [os.environ.get("FDIV_SECRET_FOR_TEST"), os.environ.get("EXTRA"),
                    sys.flags.isolated, os.getcwd() == os.environ["HOME"]]
    """)
    res = run_calls(target, [{"args": []}], timeout=10, env={"EXTRA": "1"})
    assert res.calls[0].value == [None, "1", 1, True]
    assert res.isolation["network"] in ("namespace+audit-hook", "audit-hook")


def test_malformed_requests_raise():
    with pytest.raises(ValueError, match="target"):
        parse_target("no_colon")
    with pytest.raises(ValueError, match="calls"):
        run_calls("math:sqrt", [{"argz": [1]}])
    with pytest.raises(ValueError, match="timeout"):
        run_calls("math:sqrt", [], timeout=0)
    assert parse_target("pkg.mod:fn") == ("module", "pkg.mod", "fn")
    assert parse_target("a/b.py:C.m")[0] == "file"


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0,
                    reason="network namespaces need root on Linux")
def test_network_namespace_when_root(module):
    target = module("""
        import os
        def f():
            with open("/proc/self/net/dev") as fh:  # per network namespace
                return sorted(line.split(":")[0].strip() for line in fh if ":" in line)
    """)
    res = run_calls(target, [{"args": []}], timeout=10)
    assert res.isolation["network"] == "namespace+audit-hook"
    assert res.calls[0].value == ["lo"]  # a fresh namespace: loopback only


def test_prerequisites_replace_functions_and_request_is_deleted(module):
    target = module("""
        import os
        def helper(x):
            return -1.0  # a wrong prerequisite
        def f(x):
            return [helper(x), os.path.exists("_fdiv_request.json")]
    """)
    prereq = {"source": "import math\ndef helper(x):\n    return math.sqrt(x)\n", "names": ["helper"]}
    res = run_calls(target, [{"args": [9.0]}], timeout=10, prerequisites=prereq)
    assert res.ok and res.calls[0].value == [3.0, False]
    bad = {"source": "def helper(:\n", "names": ["helper"]}
    res = run_calls(target, [{"args": [9.0]}], timeout=10, prerequisites=bad)
    assert res.error == "internal"


def test_concurrent_use_from_threads(module):
    from concurrent.futures import ThreadPoolExecutor

    target = module("def f(x):\n    return x + 1\n")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: run_calls(target, [{"args": [i]}], timeout=20), range(8)))
    assert [r.calls[0].value for r in results] == list(range(1, 9))


def _python_for_nobody():
    """An interpreter the unprivileged user can run (only when we are root), else skip."""
    if os.geteuid() != 0:
        pytest.skip("dropping privileges needs a root grader")
    import pwd

    from fdiv._sandbox import _user_can_run_python

    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user on this machine")
    for cand in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(cand) and _user_can_run_python(pw.pw_uid, pw.pw_gid, cand):
            return cand
    pytest.skip("no interpreter that 'nobody' can run (e.g. Python under /root)")


def test_root_grader_drops_privileges(module, tmp_path):
    python = _python_for_nobody()
    secret = tmp_path / "solution_secret.txt"
    secret.write_text("42")
    secret.chmod(0o600)
    target = module(f"""
        import os
        def f(kind):
            if kind == "uid":
                return os.getuid()
            with open({str(secret)!r}) as fh:
                return fh.read()
    """)
    res = run_calls(target, [{"args": ["uid"]}, {"args": ["secret"]}], timeout=20, python=python)
    assert res.isolation["user"] in ("fdiv-sandbox", "nobody"), res.isolation
    assert res.calls[0].ok and res.calls[0].value != 0
    assert res.calls[1].error_type == "PermissionError"


def test_fork_bomb_bypassing_the_audit_hook_is_capped(module):
    """ctypes fork() skips the audit hook; RLIMIT_NPROC (non-root child) and killpg contain it."""
    python = _python_for_nobody()
    import pwd

    from fdiv._sandbox import _count_user_processes

    uid = pwd.getpwnam("nobody").pw_uid
    before = _count_user_processes(uid)
    target = module("""
        import ctypes
        def f():
            libc = ctypes.CDLL(None)
            n = 0
            while True:
                if libc.fork() < 0:
                    n += 1
    """)
    t0 = time.monotonic()
    res = run_calls(target, [{"args": []}], timeout=3, python=python, max_processes=8)
    assert time.monotonic() - t0 < 10
    assert not res.ok
    deadline = time.monotonic() + 10
    while _count_user_processes(uid) > before and time.monotonic() < deadline:
        time.sleep(0.2)  # SIGKILLed members of the group may linger briefly as zombies
    assert _count_user_processes(uid) <= before  # nothing left behind


def test_non_root_grader_path(tmp_path):
    """The grader itself unprivileged: run the sandbox as 'nobody' (stdlib-only copy of it).

    The child must get an empty network namespace where unprivileged user namespaces are allowed
    (otherwise only the audit hook, and the isolation notes say so) and an RLIMIT_NPROC cap.
    """
    import shutil
    import subprocess
    import tempfile

    import fdiv._sandbox as sb

    python = _python_for_nobody()
    root = Path(tempfile.mkdtemp(prefix="fdiv-nonroot-", dir="/tmp"))
    try:
        pkg = root / "sandboxpkg"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        for name in ("_sandbox.py", "_sandbox_runner.py"):
            shutil.copyfile(Path(sb.__file__).with_name(name), pkg / name)
        (root / "target.py").write_text(textwrap.dedent("""
            import os, resource
            def f():
                with open("/proc/self/net/dev") as fh:
                    names = sorted(line.split(":")[0].strip() for line in fh if ":" in line)
                return [os.getuid(), names, resource.getrlimit(resource.RLIMIT_NPROC)[0]]
        """))
        (root / "drive.py").write_text(textwrap.dedent(f"""
            import json
            from sandboxpkg._sandbox import run_calls
            r = run_calls({str(root / 'target.py') + ':f'!r}, [{{"args": []}}], timeout=20)
            print(json.dumps({{"ok": r.ok, "value": r.calls[0].value, "isolation": r.isolation}}))
        """))
        for p in [root, *root.rglob("*")]:
            p.chmod(0o755)
        proc = subprocess.run([python, str(root / "drive.py")], user="nobody", cwd=str(root),
                              env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert out["ok"]
        uid, interfaces, nproc = out["value"]
        assert uid != 0 and 0 < nproc < 10_000
        if out["isolation"]["network"] == "namespace+audit-hook":
            assert interfaces == ["lo"]
        else:
            assert any("audit hook" in n for n in out["isolation"]["notes"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
