"""Training-step time of fdiv.nn against PyTorch (CPU, one thread), with GFLOP/s.

One *training step* is one critic update and one generator update of a GAN (the unit of the
lecture's loop with K = 1): critic D = MLP[2, w, w, 1], generator G = MLP[2, w, w, 2], tanh,
Adam(β = 0.5, 0.999), non-saturating JS-GAN loss, batch B real + B fake.  Inputs come from
pre-drawn pools, so both libraries time the same arithmetic, not their random number
generators.  For each hidden width w ∈ {32, 128, 512} × batch B ∈ {64, 256, 1024} × dtype we
report the median step time of fdiv.nn and PyTorch, their ratio, and the achieved GFLOP/s
(matmul flops of the step, counted exactly) against a plain ``(B, w) @ (w, w)`` matmul of the
same dtype — the machine's limit for these shapes.

BLAS is pinned to one thread *before numpy is imported* (environment variables, and
threadpoolctl when installed); PyTorch gets ``torch.set_num_threads(1)``.  PyTorch is used when
importable; otherwise its columns say so.  Not a test: run ``python benchmarks/bench_nn.py``
(``--quick`` for fewer repeats, ``--json FILE`` to save the table).
"""
import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
           "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from fdiv.gan.objectives import JSGAN  # noqa: E402
from fdiv.nn import MLP, Adam  # noqa: E402

WIDTHS = (32, 128, 512)
BATCHES = (64, 256, 1024)
POOL = 8


def _limit_threads():
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return "env vars only (threadpoolctl not installed)"
    threadpool_limits(1)
    return "; ".join(f"{i['internal_api']} {i.get('version')} threads={i['num_threads']}"
                     for i in threadpool_info())


def step_flops(w, b):
    """Matmul flops of one fdiv.nn step (2mkn per matmul), as the code performs them.

    Forward: one matmul per layer.  Backward with parameter gradients: ``h.T @ δ`` and
    ``δ @ W.T`` per layer (two forward-equivalents; the critic update skips ``δ @ W₀ᵀ``);
    input-gradient only: ``δ @ W.T`` (one).
    """
    d_sizes, g_sizes = [2, w, w, 1], [2, w, w, 2]

    def fwd(sizes, n):
        return sum(2 * n * a * c for a, c in zip(sizes[:-1], sizes[1:]))

    critic = fwd(g_sizes, b) + 3 * fwd(d_sizes, 2 * b) - 2 * 2 * b * 2 * w   # G(z); D fwd + bwd
    gen = 3 * fwd(g_sizes, b) + 2 * fwd(d_sizes, b)             # G fwd + bwd; D fwd + δ@Wᵀ
    return critic + gen


class NumpyStep:
    def __init__(self, w, b, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.D = MLP([2, w, w, 1], "tanh", seed=1, dtype=dtype)
        self.G = MLP([2, w, w, 2], "tanh", seed=2, dtype=dtype)
        self.od = Adam(self.D.params, lr=1e-4, betas=(0.5, 0.999))
        self.og = Adam(self.G.params, lr=1e-3, betas=(0.5, 0.999))
        self.obj = JSGAN("nonsaturating")
        self.x = rng.normal(size=(POOL, b, 2)).astype(dtype)
        self.z = rng.normal(size=(POOL, 2, b, 2)).astype(dtype)
        self.b, self.i = b, 0

    def __call__(self):
        i = self.i = (self.i + 1) % POOL
        b, D, G = self.b, self.D, self.G
        x_q = G(self.z[i, 0])
        v, cache = D.forward(np.concatenate([self.x[i], x_q]))
        _, gp, gq = self.obj.discriminator(v[:b, 0], v[b:, 0])
        grads, _ = D.backward(cache, -np.concatenate([gp, gq])[:, None], input_grad=False)
        self.od.step(grads)
        x_q, gc = G.forward(self.z[i, 1])
        v, dc = D.forward(x_q)
        _, gv = self.obj.generator(v[:, 0])
        _, gx = D.backward(dc, gv[:, None], param_grads=False)
        grads, _ = G.backward(gc, gx)
        self.og.step(grads)


class TorchStep:
    def __init__(self, torch, w, b, dtype, seed=0):
        self.t = torch
        tdt = torch.float32 if dtype == np.float32 else torch.float64
        torch.manual_seed(seed)
        nn = torch.nn

        def mlp(out):
            return nn.Sequential(nn.Linear(2, w), nn.Tanh(), nn.Linear(w, w), nn.Tanh(),
                                 nn.Linear(w, out)).to(tdt)

        self.D, self.G = mlp(1), mlp(2)
        self.od = torch.optim.Adam(self.D.parameters(), lr=1e-4, betas=(0.5, 0.999))
        self.og = torch.optim.Adam(self.G.parameters(), lr=1e-3, betas=(0.5, 0.999))
        rng = np.random.default_rng(seed)
        self.x = torch.from_numpy(rng.normal(size=(POOL, b, 2))).to(tdt)
        self.z = torch.from_numpy(rng.normal(size=(POOL, 2, b, 2))).to(tdt)
        self.i = 0

    def __call__(self):
        t, F = self.t, self.t.nn.functional
        i = self.i = (self.i + 1) % POOL
        with t.no_grad():
            x_q = self.G(self.z[i, 0])
        v_p, v_q = self.D(self.x[i]), self.D(x_q)
        loss_d = F.softplus(-v_p).mean() + F.softplus(v_q).mean()
        self.od.zero_grad(set_to_none=True)
        loss_d.backward()
        self.od.step()
        v = self.D(self.G(self.z[i, 1]))
        loss_g = F.softplus(-v).mean()
        self.og.zero_grad(set_to_none=True)
        loss_g.backward()
        self.og.step()


def median_time(fn, repeats, min_time=0.05):
    fn()
    fn()
    n, t = 1, 0.0
    while True:
        s = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - s
        if t >= min_time:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        s = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - s) / n)
    return statistics.median(samples)


def matmul_gflops(w, b, dtype, repeats):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2 * b, w)).astype(dtype)
    m = rng.normal(size=(w, w)).astype(dtype)
    out = np.empty((2 * b, w), dtype=dtype)
    t = median_time(lambda: np.matmul(a, m, out=out), repeats)
    return 2 * 2 * b * w * w / t / 1e9


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--json", help="also write the table to this file")
    ap.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    ap.add_argument("--batches", default=",".join(map(str, BATCHES)))
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 7
    widths = [int(s) for s in args.widths.split(",")]
    batches = [int(s) for s in args.batches.split(",")]
    blas = _limit_threads()
    try:
        import torch

        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = "not installed: PyTorch columns skipped (pip install torch to compare)"
    print(f"machine: {platform.machine()} {platform.processor() or ''} | {os.cpu_count()} CPUs | "
          f"{platform.platform()}")
    try:
        load = os.getloadavg()
        print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (timings are noisier when "
              "this exceeds the core count)")
    except OSError:
        pass
    print(f"python {platform.python_version()} | numpy {np.__version__} | torch {torch_version}")
    print(f"BLAS: {blas}")
    print(f"step = 1 critic + 1 generator Adam update; median of {repeats}; times in ms\n")
    hdr = (f"{'dtype':8} {'width':>5} {'batch':>5} | {'fdiv.nn':>9} {'torch':>9} {'torch/fdiv':>10}"
           f" | {'fdiv GF/s':>9} {'matmul GF/s':>11} {'% of mm':>7}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for dtype in (np.float32, np.float64):
        for w in widths:
            for b in batches:
                t_np = median_time(NumpyStep(w, b, dtype), repeats)
                t_th = median_time(TorchStep(torch, w, b, dtype), repeats) if torch else None
                flops = step_flops(w, b)
                gf = flops / t_np / 1e9
                mm = matmul_gflops(w, b, dtype, repeats)
                row = {"dtype": np.dtype(dtype).name, "width": w, "batch": b,
                       "fdiv_ms": t_np * 1e3, "torch_ms": None if t_th is None else t_th * 1e3,
                       "torch_over_fdiv": None if t_th is None else t_th / t_np,
                       "step_gflop": flops / 1e9, "fdiv_gflops": gf, "matmul_gflops": mm}
                rows.append(row)
                th = f"{t_th * 1e3:9.3f} {t_th / t_np:10.2f}" if t_th else f"{'-':>9} {'-':>10}"
                print(f"{row['dtype']:8} {w:5d} {b:5d} | {t_np * 1e3:9.3f} {th} | {gf:9.2f} "
                      f"{mm:11.2f} {100 * gf / mm:6.1f}%", flush=True)
    if torch is not None:
        slower = [r for r in rows if r["torch_over_fdiv"] < 1]
        print(f"\nfdiv.nn slower than PyTorch in {len(slower)} of {len(rows)} cases"
              + (": " + ", ".join(f"{r['dtype']} w={r['width']} B={r['batch']} "
                                 f"({1 / r['torch_over_fdiv']:.2f}x)" for r in slower)
                 if slower else ""))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"blas": blas, "torch": torch_version, "numpy": np.__version__,
                       "rows": rows}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
