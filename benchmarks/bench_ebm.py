"""EBM benchmark (not a test): exact MLE, the lecture's dual and Langevin on 2-D Gaussian
mixtures whose density is known, judged on the grid.

For each dataset and method it trains one :class:`fdiv.ebm.run.EBMRun` (one BLAS thread) and
reports, on the evaluation grid:

- excess held-out NLL = NLL_model − NLL_true on 5 000 held-out points (targets: MLE ≤ 0.05 nats,
  dual ≤ 0.1 nats; Langevin reported beside them);
- KL(P_d‖p_φ) by quadrature (the population version of the excess NLL);
- for the dual, the gap log Z − E_q[D] − H(q) and KL(q‖p_φ);
- log Z's certified error budget and the wall time.

Usage::

    python benchmarks/bench_ebm.py [--datasets 8gaussians,grid3] [--methods mle,dual,langevin]
                                   [--seed 0] [--quick] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

from fdiv.ebm.run import EBMConfig, EBMRun

# name -> (fdiv.datasets name, parameters)
DATASETS = {
    "8gaussians": ("8gaussians", {}),                                 # FFJORD: σ = 0.354, r = 2.83
    "grid3": ("grid", {"side": 3, "spacing": 2.0, "sigma": 0.3}),     # 9 modes on {−2,0,2}²
    "ring8": ("ring", {"n_modes": 8, "radius": 2.0, "sigma": 0.2}),
}

SETTINGS = {
    "mle": dict(steps=3000, lr=5e-3),
    # two time scales: the sampler must track p_φ (small gap) for the φ step to be the MLE step
    # (seen, seed 0: these settings at 3000 steps gave 0.089 on 8gaussians, 0.143 on grid3;
    #  at 4000 steps 0.070 on grid3; lr 3e-3 / 7.5e-3 for 4000 steps: grid3 0.059, 8gaussians 0.277)
    "dual": dict(steps=4000, lr=2e-3, lr_q=5e-3, q_steps=3, flow_layers=6),
    "langevin": dict(steps=3000, lr=5e-3, n_chains=256, mcmc_steps=20, step_size=5e-3,
                     reinit=0.05),
}
TARGETS = {"mle": 0.05, "dual": 0.1}


def run_one(key, method, seed, quick, save=None):
    name, params = DATASETS[key]
    kw = dict(SETTINGS[method])
    if quick:
        kw["steps"] = max(kw["steps"] // 10, 50)
    cfg = EBMConfig(data=name, data_params=params, method=method, seed=seed, **kw)
    t0 = time.perf_counter()
    run = EBMRun(cfg)
    run.train()
    train_s = time.perf_counter() - t0
    if save:
        import os
        os.makedirs(save, exist_ok=True)
        run.save(os.path.join(save, f"{key}_{method}_{seed}.npz"))
    t1 = time.perf_counter()
    m = run.metrics()
    row = {"dataset": key, "method": method, "seed": seed, "steps": cfg.steps,
           "train_seconds": train_s, "eval_seconds": time.perf_counter() - t1,
           "excess_nll": m["excess_nll"], "heldout_nll": m["heldout_nll"],
           "true_heldout_nll": m["true_heldout_nll"], "kl_data_model": m["kl_data_model"],
           "log_z_quad_error": m["log_z_quad_error"],
           "log_z_trunc_bound": m["log_z_trunc_bound"], "settings": kw}
    if "gap" in m:
        row["gap"], row["kl_q_model"] = m["gap"], m["kl_q_model"]
    t = TARGETS.get(method)
    row["target"] = t
    row["met"] = None if t is None else bool(m["excess_nll"] <= t)
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="8gaussians,grid3")
    ap.add_argument("--methods", default="mle,dual,langevin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="a tenth of the steps (smoke run)")
    ap.add_argument("--json", default=None, help="write the rows to this file")
    ap.add_argument("--save", default=None, help="directory for each run's checkpoint")
    args = ap.parse_args(argv)
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # pragma: no cover - optional extra
        limiter = None
        print("threadpoolctl not installed: BLAS threads not pinned", file=sys.stderr)
    rows = []
    hdr = (f"{'dataset':<11}{'method':<9}{'steps':>6}{'excess NLL':>12}{'KL(Pd|p)':>10}"
           f"{'gap':>9}{'KL(q|p)':>9}{'logZ err':>10}{'time s':>8}  target")
    print(hdr)
    for key in args.datasets.split(","):
        for method in args.methods.split(","):
            r = run_one(key, method, args.seed, args.quick, args.save)
            rows.append(r)
            gap = f"{r['gap']:9.4f}{r['kl_q_model']:9.4f}" if "gap" in r else " " * 18
            tgt = "" if r["target"] is None else (
                f"≤ {r['target']} {'met' if r['met'] else 'NOT met'}")
            err = r["log_z_quad_error"] + r["log_z_trunc_bound"]
            print(f"{key:<11}{method:<9}{r['steps']:>6}{r['excess_nll']:12.4f}"
                  f"{r['kl_data_model']:10.4f}{gap}{err:10.1e}{r['train_seconds']:8.1f}  {tgt}",
                  flush=True)
    if limiter is not None:
        limiter.unregister() if hasattr(limiter, "unregister") else None
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2, default=lambda o: None if (
                isinstance(o, float) and not math.isfinite(o)) else str(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
