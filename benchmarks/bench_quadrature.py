"""Certified KL and JS integrals per second: fdiv vs scipy.integrate.quad, side by side.

Run:  python benchmarks/bench_quadrature.py [--n 2000] [--repeat 5]

Single-threaded BLAS (set before numpy is imported), the machine and versions are printed.
Peers, at the same rtol (1e-10):
  * scipy.integrate.quad with a Python integrand (the usual code),
  * scipy.integrate.quad with a numba cfunc wrapped as a LowLevelCallable (the expert's choice),
both integrating p·log(p/q) on (−inf, inf) per pair, in a loop.  Errors are measured against
the Gaussian closed form evaluated in mpmath at 30 digits (in floats it cancels for nearly equal
pairs) and reported as the max relative error; JS is timed only.  For fdiv's batch kernel the
integrand evaluations per integral and the time per evaluation are printed too; the kernel
alone with its trapezoidal window (the default for Gaussian pairs) and with G10/K21 everywhere;
and the issue's targets with whether they are met.
Cold start: a fresh interpreter importing fdiv and computing one KL, timed from launch to the
result, beside the same with fdiv replaced by a one-line cached numba function (the floor set by
scipy.stats and numba) and caches warm; see cold_start.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import ctypes  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.integrate as si  # noqa: E402
import scipy.stats as st  # noqa: E402

import fdiv  # noqa: E402


def machine():
    try:
        from threadpoolctl import threadpool_info

        pools = ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info())
    except ImportError:
        pools = "threadpoolctl not installed; env vars set to 1"
    import numba

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; numpy {np.__version__}; "
            f"scipy {scipy.__version__}; numba {numba.__version__}; fdiv {fdiv.__version__}; "
            f"threads: {pools}")


def pairs(n, seed=0):
    rng = np.random.default_rng(seed)
    m1, m2 = rng.normal(size=n), rng.normal(size=n)
    s1, s2 = np.exp(0.5 * rng.normal(size=n)), np.exp(0.5 * rng.normal(size=n))
    return m1, s1, m2, s2, kl_reference(m1, s1, m2, s2)


def kl_reference(m1, s1, m2, s2):
    """KL(N(m1, s1²)‖N(m2, s2²)) from the closed form in mpmath (30 digits)."""
    import mpmath

    out = np.empty(m1.size)
    with mpmath.workdps(30):
        for i, (a, b, c, d) in enumerate(zip(m1.tolist(), s1.tolist(), m2.tolist(), s2.tolist())):
            a, b, c, d = (mpmath.mpf(v) for v in (a, b, c, d))
            out[i] = float(mpmath.log(d / b) + (b * b + (a - c) ** 2) / (2 * d * d) - mpmath.mpf(1) / 2)
    return out


def fdiv_kernel(name, m1, s1, m2, s2, rtol, trapezoid=None):
    """The batch kernel alone on these pairs, through its internal entry point (tables built
    beforehand): ``(mean integrand evaluations per integral, its function)``.  A diagnostic:
    ``trapezoid=False`` runs it with G10/K21 everywhere (no trapezoidal window)."""
    from fdiv._families import FAMILIES, rows
    from fdiv._fused import adaptive_pairs
    from fdiv.engine import DIVERGENCE_ATOL

    norm, d = FAMILIES["norm"], fdiv.get(name)
    TP, TQ = rows(norm, m1, s1, ()), rows(norm, m2, s2, ())

    def run():
        return adaptive_pairs(d, TP, TQ, norm, norm, rtol, DIVERGENCE_ATOL, trapezoid=trapezoid)

    return float(np.mean(run()[3])), run


def median_time(fn, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


def quad_python(m1, s1, m2, s2, rtol):
    out = np.empty(m1.size)
    for i in range(m1.size):
        a, b, c, d = m1[i], s1[i], m2[i], s2[i]

        def f(x):
            lp = -0.5 * ((x - a) / b) ** 2 - math.log(b) - 0.9189385332046727
            lq = -0.5 * ((x - c) / d) ** 2 - math.log(d) - 0.9189385332046727
            return math.exp(lp) * (lp - lq)

        out[i] = si.quad(f, -np.inf, np.inf, epsrel=rtol, epsabs=0, limit=200)[0]
    return out


def quad_lowlevel(m1, s1, m2, s2, rtol):
    from numba import carray, cfunc, types

    sig = types.double(types.intc, types.CPointer(types.double))

    @cfunc(sig, cache=True, error_model="numpy")
    def kl_integrand(n, xx):
        v = carray(xx, (5,))
        x, a, b, c, d = v[0], v[1], v[2], v[3], v[4]
        lp = -0.5 * ((x - a) / b) ** 2 - math.log(b) - 0.9189385332046727
        lq = -0.5 * ((x - c) / d) ** 2 - math.log(d) - 0.9189385332046727
        return math.exp(lp) * (lp - lq)

    llc = scipy.LowLevelCallable(kl_integrand.ctypes)
    out = np.empty(m1.size)
    for i in range(m1.size):
        out[i] = si.quad(llc, -np.inf, np.inf, args=(m1[i], s1[i], m2[i], s2[i]),
                         epsrel=rtol, epsabs=0, limit=200)[0]
    return out


_TRIVIAL = "import numba\n\n\n@numba.njit(cache=True)\ndef f(x):\n    return x + 1.0\n"

COLD_STARTS = {  # label: the script a fresh interpreter runs, timed from launch to its result
    "import fdiv, scipy.stats; one Gaussian KL":
        "import fdiv, scipy.stats as st; fdiv.divergence('kl', st.norm(0, 1), st.norm(1, 2))",
    "floor: import scipy.stats; one cached numba call":
        "import scipy.stats, trivial_numba; trivial_numba.f(1.0)",
    "import scipy.stats alone":
        "import scipy.stats",
    "import fdiv; one discrete KL":
        "import fdiv; fdiv.divergence('kl', [0.5, 0.5], [0.25, 0.75])",
}


def cold_start(repeat=5):
    """Median seconds from launching a fresh interpreter to its result, for each script in
    :data:`COLD_STARTS`, run interleaved, with warm caches: numba's (this script and an untimed
    first run have compiled everything) and Python's bytecode.  The untimed first run also writes
    the bytecode: the subprocesses run without PYTHONDONTWRITEBYTECODE, which some sandboxes set
    (every import would otherwise compile fdiv from source, which no installed package pays).

    The clock starts before the process is spawned (``time.time()`` here) and stops where the
    script has its result (``time.time()`` there), so interpreter start-up counts; exit does not.
    The floor is the same Gaussian cold start with fdiv replaced by a one-line cached numba
    function: what any numba-compiled library taking scipy.stats distributions pays.
    Returns ``({label: seconds}, whether PYTHONDONTWRITEBYTECODE was set here)``."""
    import tempfile

    env = dict(os.environ)
    unset = env.pop("PYTHONDONTWRITEBYTECODE", None) is not None
    times = {label: [] for label in COLD_STARTS}
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "trivial_numba.py"), "w") as fh:
            fh.write(_TRIVIAL)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [tmp, env.get("PYTHONPATH")]))

        def run(src):
            t0 = time.time()
            out = subprocess.run([sys.executable, "-c", src + "; import time; print(time.time())"],
                                 capture_output=True, text=True, check=True, env=env)
            return float(out.stdout.strip().splitlines()[-1]) - t0

        for src in COLD_STARTS.values():
            run(src)  # compiles the trivial function, writes the bytecode
        for _ in range(repeat):
            for label, src in COLD_STARTS.items():
                times[label].append(run(src))
    return {label: float(np.median(t)) for label, t in times.items()}, unset


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--n-quad", type=int, default=300, help="pairs for the (slow) Python-integrand peer")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rtol", type=float, default=1e-10)
    args = ap.parse_args(argv)
    print("machine:", machine())
    m1, s1, m2, s2, ref = pairs(args.n)
    P, Q = st.norm(m1, s1), st.norm(m2, s2)
    fdiv.divergence("kl", st.norm(m1[:3], s1[:3]), st.norm(m2[:3], s2[:3]))  # compile / load cache
    fdiv.divergence("js", st.norm(m1[:3], s1[:3]), st.norm(m2[:3], s2[:3]))
    quad_lowlevel(m1[:3], s1[:3], m2[:3], s2[:3], args.rtol)
    rows = []
    t, v = median_time(lambda: fdiv.divergence("kl", P, Q, rtol=args.rtol), args.repeat)
    rows.append(("fdiv.divergence kl (batched)", args.n / t, np.max(np.abs(v - ref) / ref)))
    t, v = median_time(lambda: fdiv.divergence("js", P, Q, rtol=args.rtol), args.repeat)
    rows.append(("fdiv.divergence js (batched)", args.n / t, math.nan))
    t, v = median_time(lambda: quad_lowlevel(m1, s1, m2, s2, args.rtol), args.repeat)
    rows.append(("scipy quad + numba LowLevelCallable, kl", args.n / t, np.max(np.abs(v - ref) / ref)))
    k = args.n_quad
    t, v = median_time(lambda: quad_python(m1[:k], s1[:k], m2[:k], s2[:k], args.rtol), max(1, args.repeat // 2))
    rows.append(("scipy quad + Python integrand, kl", k / t, np.max(np.abs(v - ref[:k]) / ref[:k])))
    base = rows[2][1]
    print(f"\nGaussian pairs, rtol={args.rtol:g}, n={args.n}, median of {args.repeat}")
    print(f"{'method':44s} {'integrals/s':>12s} {'vs quad+LLC':>12s} {'max rel err':>12s}")
    for name, rate, err in rows:
        shown = "(timed only)" if math.isnan(err) else f"{err:12.2e}"
        print(f"{name:44s} {rate:12.0f} {rate / base:12.2f} {shown:>12s}")
    for name, (_, rate, _) in (("kl", rows[0]), ("js", rows[1])):
        ev, _ = fdiv_kernel(name, m1, s1, m2, s2, args.rtol)
        print(f"fdiv {name}: {ev:.0f} integrand evaluations per integral; "
              f"{1e9 / (rate * ev):.1f} ns per evaluation, all costs included")
    for label, trap in (("trapezoidal window", None), ("G10/K21 only", False)):
        ev, run = fdiv_kernel("kl", m1, s1, m2, s2, args.rtol, trapezoid=trap)
        t, _ = median_time(run, args.repeat)
        print(f"  batch kernel alone, kl, {label:18s}: {1e6 * t / args.n:.2f} us per integral, "
              f"{ev:.0f} evaluations")
    kl_rate = rows[0][1]
    print(f"targets (issue 2, one core, rtol 1e-10): >= 500000 KL integrals/s: "
          f"{'met' if kl_rate >= 5e5 else 'NOT met'} ({kl_rate:.0f}/s); >= 3x quad+LLC: "
          f"{'met' if kl_rate >= 3 * base else 'NOT met'} ({kl_rate / base:.2f}x)")
    # a mix of families
    mix = [(st.t(4), st.laplace(0.5)), (st.logistic(), st.norm(0, 2)), (st.gamma(2.5), st.lognorm(0.7)),
           (st.beta(2, 3), st.uniform()), (st.gumbel_r(), st.norm(0.5, 1.5)), (st.cauchy(), st.t(2))]
    t, _ = median_time(lambda: [fdiv.divergence("kl", a, b) for a, b in mix], args.repeat)
    print(f"\nmixed families (6 pairs, one call each): {len(mix) / t:.0f} integrals/s")
    cold, unset = cold_start(args.repeat)
    print(f"\ncold start, fresh process, launch to result, median of {args.repeat} (numba and bytecode "
          f"caches warm{'; PYTHONDONTWRITEBYTECODE is set here and was unset for these runs' if unset else ''}):")
    for label, sec in cold.items():
        print(f"  {label:50s} {sec:.3f} s")
    labels = list(COLD_STARTS)
    cs, floor = cold[labels[0]], cold[labels[1]]
    print(f"  fdiv's share above the floor: {cs - floor:+.3f} s; target (issue 2) <= 1 s: "
          f"{'met' if cs <= 1.0 else 'NOT met'}"
          + ("" if floor < 1.0 else " (the floor itself is above it here)"))


if __name__ == "__main__":
    main()
