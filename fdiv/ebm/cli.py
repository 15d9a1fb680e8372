"""``fdiv train ebm``: train an energy-based model three ways (lecture 16, §16.2.3).

``fdiv train ebm --data NAME --method mle|dual|langevin --steps N --seed S --out DIR [--json]``

The same experience as ``fdiv train gan``: a progress bar (tqdm when installed) with the live
held-out log-likelihood (and, for the dual, the gap ``log Z − E_q[D] − H(q)``) computed on the
training grid, a NaN guard that stops with a clear message and keeps the last good checkpoint
(exit 1), ``--resume`` that continues bit-identically from ``DIR/checkpoint.npz``,
``DIR/metrics.json`` with the exact metrics on the evaluation grid, and PNG plots (energy
contours, samples of q or of the chains, learning curves) when matplotlib is installed.
Registered in :data:`fdiv.train.TRAINERS` as ``ebm.cli``.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict

import numpy as np

from .._cli_common import Progress as _Progress
from .._cli_common import pyplot
from .._cli_common import positive_float as _positive_float
from .._cli_common import positive_int as _positive_int
from .._cli_common import widths as _widths
from .._encoding import jsonable as _jsonable
from ..nn import blas_threads as _threads
from .run import METHODS, EBMConfig, EBMRun, TrainingDiverged

__all__ = ["add_train_parser"]


def add_train_parser(sub):
    """Register ``fdiv train ebm`` (the contract of :mod:`fdiv.train`)."""
    p = sub.add_parser(
        "ebm", help="train an energy-based model: exact MLE, the adversarial dual, or Langevin",
        description="EBM p(x) ∝ exp D(x) trained by exact grid MLE, by the lecture's dual "
                    "max_D min_q E_data[D] − E_q[D] − H(q) with a normalising-flow q, or by "
                    "persistent Langevin chains; evaluated exactly on a quadrature grid.")
    p.add_argument("--data", default="8gaussians",
                   help="1-D or 2-D toy dataset (fdiv.datasets.dataset_names())")
    p.add_argument("--method", choices=METHODS, default="mle")
    p.add_argument("--steps", type=_positive_int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--hidden", type=_widths, default=(64, 64), help="energy MLP widths")
    p.add_argument("--activation", default="tanh",
                   help="hidden activation (tanh/sigmoid give a certified tail bound)")
    p.add_argument("--lr", type=_positive_float, default=5e-3)
    p.add_argument("--batch-size", type=_positive_int, default=256)
    p.add_argument("--schedule", choices=("cosine", "constant"), default="cosine")
    p.add_argument("--beta1", type=float, default=0.9, help="Adam β₁ (both players)")
    p.add_argument("--n-train", type=_positive_int, default=5000)
    p.add_argument("--n-test", type=_positive_int, default=5000)
    p.add_argument("--box", type=_positive_float, default=None,
                   help="grid box half-width B (default 1.5·max|x|)")
    p.add_argument("--confinement", type=_positive_float, default=None,
                   help="quartic confinement scale s (default B/3)")
    p.add_argument("--train-panels", type=_positive_int, default=None)
    p.add_argument("--eval-panels", type=_positive_int, default=None)
    g = p.add_argument_group("dual (flow sampler)")
    g.add_argument("--lr-q", type=_positive_float, default=5e-3)
    g.add_argument("--q-steps", type=_positive_int, default=2)
    g.add_argument("--n-q", type=_positive_int, default=256)
    g.add_argument("--flow-layers", type=_positive_int, default=4)
    g.add_argument("--flow-hidden", type=_widths, default=(32, 32))
    g.add_argument("--refine-q", type=int, default=0,
                   help="after training, N sampler-only steps at the final energy (solves the "
                        "inner min_q; the reported gap is then the flow family's own error)")
    g = p.add_argument_group("langevin")
    g.add_argument("--n-chains", type=_positive_int, default=256)
    g.add_argument("--mcmc-steps", type=_positive_int, default=20)
    g.add_argument("--step-size", type=_positive_float, default=5e-3)
    g.add_argument("--noise", type=float, default=None, help="σ (default √(2·step size))")
    g.add_argument("--reinit", type=float, default=0.05)
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.npz up to --steps (bit-identical)")
    p.add_argument("--checkpoint-every", type=_positive_int, default=500)
    p.add_argument("--eval-every", type=int, default=100,
                   help="live held-out NLL (and gap) every N steps (0: never)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--threads", type=_positive_int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--json", action="store_true", help="print metrics as JSON")
    p.set_defaults(func=_run)
    return p


def _config(args):
    return EBMConfig(
        data=args.data, method=args.method, steps=args.steps, seed=args.seed,
        n_train=args.n_train, n_test=args.n_test, hidden=args.hidden, activation=args.activation,
        lr=args.lr, batch_size=args.batch_size, schedule=args.schedule, beta1=args.beta1,
        box=args.box,
        confinement=args.confinement, train_panels=args.train_panels,
        eval_panels=args.eval_panels, lr_q=args.lr_q, q_steps=args.q_steps, n_q=args.n_q,
        flow_layers=args.flow_layers, flow_hidden=args.flow_hidden, refine_q=args.refine_q,
        n_chains=args.n_chains,
        mcmc_steps=args.mcmc_steps, step_size=args.step_size, noise=args.noise,
        reinit=args.reinit)


def _run(args):
    if args.eval_every < 0:
        raise ValueError(f"--eval-every {args.eval_every}: need ≥ 0")
    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "checkpoint.npz")
    with _threads(args.threads):
        if args.resume:
            if not os.path.exists(ckpt):
                raise ValueError(f"--resume: no checkpoint at {ckpt}; run without --resume first")
            run = EBMRun.load(ckpt, steps=args.steps)
        else:
            run = EBMRun(_config(args))
        progress = _Progress(run.config.steps, run.step, not args.no_progress)
        shown = {}

        def callback(r, loss, live):
            shown["loss"] = f"{loss:.4f}"
            if live:
                shown["loglik"] = f"{-live['heldout_nll']:.4f}"
                if "gap" in live:
                    shown["gap"] = f"{live['gap']:.4f}"
            progress.update(r.step, shown)

        status, message, code = "completed", "", 0
        try:
            run.train(callback=callback, checkpoint=ckpt, checkpoint_every=args.checkpoint_every,
                      eval_every=args.eval_every)
        except TrainingDiverged as exc:
            status, code = "diverged", 1
            if os.path.exists(ckpt):
                message = f"{exc} — stopped; the last good checkpoint is kept at {ckpt}"
                run = EBMRun.load(ckpt)          # report the last good state, not the NaNs
            else:
                message = f"{exc} — stopped before the first checkpoint; nothing saved"
                run = None
        finally:
            progress.close()
        t0 = time.perf_counter()
        metrics = run.metrics() if run is not None else {}
        eval_seconds = time.perf_counter() - t0
    if run is None:
        out = {"status": status, "message": message, "metrics": metrics}
        with open(os.path.join(args.out, "metrics.json"), "w") as fh:
            json.dump(_jsonable(out), fh, indent=2)
        print(f"fdiv train ebm: {message}", file=sys.stderr)
        if args.json:
            print(json.dumps(_jsonable(out), indent=2))
        return code
    out = {"status": status, "message": message, "config": asdict(run.config),
           "train_seconds": run.train_seconds, "eval_seconds": eval_seconds,
           "metrics": metrics, "history": run.history, "checkpoint": ckpt}
    if not args.no_plots:
        out["plots"] = _plots(run, args.out)
    with open(os.path.join(args.out, "metrics.json"), "w") as fh:
        json.dump(_jsonable(out), fh, indent=2)
    if message:
        print(f"fdiv train ebm: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(_jsonable({k: v for k, v in out.items() if k != "history"}), indent=2))
    else:
        _summary(out, args.out)
    return code


def _summary(out, out_dir):
    m, c = out["metrics"], out["config"]
    print(f"{c['method']} on {c['data']}: {out['status']} at step {m['step']} "
          f"({out['train_seconds']:.1f} s training)")
    print(f"  log Z = {m['log_z']:.6f}  (quadrature ±{m['log_z_quad_error']:.1e}, "
          f"truncation ≤ {m['log_z_trunc_bound']:.1e})")
    line = f"  held-out log-likelihood {-m['heldout_nll']:.4f} nats"
    if "true_heldout_nll" in m:
        line += f" (true density {-m['true_heldout_nll']:.4f}; excess NLL {m['excess_nll']:.4f})"
    print(line)
    if "kl_data_model" in m:
        print(f"  KL(P_data || p_model) = {m['kl_data_model']:.4f} nats (grid)")
    if "gap" in m:
        print(f"  dual gap log Z − E_q[D] − H(q) = {m['gap']:.4f};  KL(q || p_model) = "
              f"{m['kl_q_model']:.4f} (grid)")
    print(f"  metrics: {os.path.join(out_dir, 'metrics.json')}")
    if out.get("plots"):
        print(f"  plots: {', '.join(out['plots'])}")


def _plots(run, out_dir):
    """Energy contours / density, sampler over data, learning curves; [] without matplotlib."""
    plt = pyplot("fdiv train ebm")
    if plt is None:
        return []
    from .grid import log_partition

    files = []
    g = run.eval_grid
    lp = log_partition(run.energy, g)
    log_p = lp.energies - lp.value
    xs = run.samples()
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.5))
    if g.dim == 1:
        x = g.nodes[:, 0]
        ax[0].plot(x, np.exp(log_p), label="model p_φ")
        if run.dataset.has_logpdf:
            ax[0].plot(x, np.exp(run.dataset.logpdf(x)), "k--", label="data density")
        ax[0].hist(run.x_train[:, 0], bins=100, density=True, alpha=0.3, label="training data")
        ax[0].legend()
        if xs is not None:
            ax[1].hist(xs[:, 0], bins=100, density=True, alpha=0.5,
                       label="q samples" if run.flow is not None else "chains")
            ax[1].plot(x, np.exp(log_p), label="model p_φ")
            ax[1].legend()
    else:
        shape = g.shape
        X = g.nodes[:, 0].reshape(shape)
        Y = g.nodes[:, 1].reshape(shape)
        cs = ax[0].contourf(X, Y, np.maximum(log_p, log_p.max() - 12).reshape(shape), 30)
        fig.colorbar(cs, ax=ax[0])
        ax[0].set_title("log p_φ (energy contours)")
        ax[0].set_aspect("equal")
        ax[1].scatter(run.x_test[:2000, 0], run.x_test[:2000, 1], s=2, c="k", alpha=0.3,
                      label="data")
        if xs is not None:
            ax[1].scatter(xs[:, 0], xs[:, 1], s=2, c="tab:red", alpha=0.5,
                          label="q samples" if run.flow is not None else "chains")
        ax[1].legend()
        ax[1].set_aspect("equal")
    path = os.path.join(out_dir, "density.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    files.append(path)
    fig, ax = plt.subplots(figsize=(7, 4))
    h = run.history
    ax.plot(h["step"], h["loss"], lw=0.5, label="training loss (minibatch)")
    if h["eval_step"]:
        ax.plot(h["eval_step"], h["heldout_nll"], "o-", label="held-out NLL (training grid)")
        if any(np.isfinite(h["gap"])):
            ax.plot(h["eval_step"], h["gap"], "s-", label="gap log Z − E_q[D] − H(q)")
    ax.set_xlabel("step")
    ax.legend()
    path = os.path.join(out_dir, "curves.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    files.append(path)
    return files
