"""``fdiv train``: train critics and GANs from the command line.

Sub-subcommands
---------------
``fdiv train critic --p SPEC --q SPEC --divergence NAME``
    Critic-only training against fixed, known 1-D P and Q (:mod:`fdiv.gan.critic`); prints the
    largest ``|D − D*|`` (JS-GAN, ``--divergence gan``) or ``|T − T*|`` (f-GAN), the achieved
    bound (exact quadrature) and ``D_f`` (the engine).  Exit 1 when a check fails.
``fdiv train gan --data NAME --divergence NAME --out DIR``
    The lecture's GAN loop (:mod:`fdiv.gan.loop`) with a progress bar (tqdm when installed),
    a NaN/divergence guard that keeps the last good checkpoint (exit 1), ``--resume`` that
    continues bit-identically from ``DIR/checkpoint.npz``, ``DIR/metrics.json`` and PNG plots
    (matplotlib when installed).

Other modules add their own trainers (``fdiv train ebm``) by appending their module name to
:data:`TRAINERS`; each such module exposes ``add_train_parser(subparsers)`` returning a parser
whose ``func(args) -> int`` does the work.
"""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from ._cli_common import (Progress, json_object, parse_params, positive_float, positive_int,
                          pyplot, widths)
from ._encoding import jsonable
from .nn.threads import blas_threads

#: Modules (relative to the package) that contribute ``fdiv train <name>``; each exposes
#: ``add_train_parser(subparsers)``.  Append yours: a one-line edit.
TRAINERS = (
    "train",
    "ebm.cli",
)

def add_parser(subparsers):
    """Register ``fdiv train`` and its sub-subcommands (the CLI contract of :mod:`fdiv.cli`)."""
    import importlib

    parser = subparsers.add_parser(
        "train", help="train critics, GANs (and other models) on toy problems",
        description="Train critics against known P, Q; GANs and f-GANs on toy data.")
    sub = parser.add_subparsers(dest="trainer", metavar="TRAINER", parser_class=type(parser))
    for mod in TRAINERS:
        importlib.import_module(f".{mod}", __package__).add_train_parser(sub)

    def _usage(args):
        parser.print_help(sys.stderr)
        return 2

    parser.set_defaults(func=_usage)
    return parser


def add_train_parser(sub):
    """This module's own trainers: ``critic`` and ``gan``."""
    c = sub.add_parser("critic", help="critic-only training against fixed known P and Q",
                       description="Train a JS-GAN discriminator (--divergence gan) or an f-GAN "
                                   "critic against fixed 1-D P and Q and compare it with the "
                                   "optimum D* = p/(p+q) or T* = f'(p/q) and with D_f.")
    c.add_argument("--p", required=True, help="distribution spec, e.g. 'norm(0, 1)'")
    c.add_argument("--q", required=True, help="distribution spec, e.g. 'norm(0.5, 1)'")
    c.add_argument("--divergence", default="gan",
                   help="'gan' (the lecture's JS-GAN) or any registry name (fdiv.names())")
    c.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="member parameter, e.g. --param a=2 for alpha")
    c.add_argument("--steps", type=positive_int, default=800)
    c.add_argument("--batch-size", type=positive_int, default=512)
    c.add_argument("--widths", type=widths, default=(32, 32), help="hidden widths, e.g. 32,32")
    c.add_argument("--activation", default="tanh")
    c.add_argument("--lr", type=positive_float, default=5e-3)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--tol-d", type=positive_float, default=0.03,
                   help="check: max |D - D*| on the central 98%% (JS-GAN only)")
    c.add_argument("--tol-rel", type=positive_float, default=0.1,
                   help="check: max |T - T*|/max(1, |T*|) on the central 98%% (f-GAN only)")
    c.add_argument("--tol-bound", type=positive_float, default=0.01,
                   help="check: |bound - D_f| in nats")
    c.add_argument("--threads", type=positive_int, default=1, help="BLAS threads (default 1)")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.set_defaults(func=_run_critic)

    g = sub.add_parser("gan", help="train a GAN / f-GAN on toy data",
                       description="The lecture's loop: K discriminator ascent steps, then one "
                                   "generator descent step.")
    g.add_argument("--data", default="ring", help="toy dataset (fdiv.datasets.dataset_names())")
    g.add_argument("--data-params", type=json_object, default={},
                   help="dataset parameters as JSON, e.g. '{\"sigma\": 0.02}'")
    g.add_argument("--divergence", default="gan",
                   help="'gan' (JS-GAN, log-sigmoid forms) or a registry name (f-GAN)")
    g.add_argument("--generator-loss", choices=("minimax", "nonsaturating"), default=None)
    g.add_argument("--steps", type=positive_int, default=2000, help="total generator steps")
    g.add_argument("--k", type=positive_int, default=1, help="discriminator steps per G step")
    g.add_argument("--batch-size", type=positive_int, default=256)
    g.add_argument("--latent-dim", type=positive_int, default=2)
    g.add_argument("--d-widths", type=widths, default=(128, 128))
    g.add_argument("--g-widths", type=widths, default=(128, 128))
    g.add_argument("--activation", default="tanh")
    g.add_argument("--lr-d", type=positive_float, default=1e-4)
    g.add_argument("--lr-g", type=positive_float, default=1e-3)
    g.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant",
                   help="cosine: decay both rates to --lr-final of their value over --steps "
                        "(a resumed run continues bit-identically only with the same --steps)")
    g.add_argument("--lr-final", type=positive_float, default=0.01)
    g.add_argument("--standardize", action="store_true",
                   help="train in standardised data coordinates (a fixed affine layer)")
    g.add_argument("--pack", type=positive_int, default=1,
                   help="PacGAN: the critic judges this many samples jointly")
    g.add_argument("--beta1", type=float, default=0.5)
    g.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--out", required=True, help="output directory")
    g.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.npz up to --steps (bit-identical)")
    g.add_argument("--checkpoint-every", type=positive_int, default=500)
    g.add_argument("--eval-every", type=int, default=500,
                   help="live mode metrics (2-D mixtures) every N steps in the progress bar "
                        "(0: only at the end)")
    g.add_argument("--no-progress", action="store_true")
    g.add_argument("--no-plots", action="store_true")
    g.add_argument("--threads", type=positive_int, default=1, help="BLAS threads (default 1)")
    g.add_argument("--json", action="store_true", help="print metrics as JSON")
    g.set_defaults(func=_run_gan)
    return g


# -- fdiv train critic ---------------------------------------------------------------------
def _run_critic(args):
    from .distributions import parse_spec
    from .gan.critic import evaluate_critic, train_critic

    p, q = parse_spec(args.p), parse_spec(args.q)
    from ._registry import get, names

    if args.divergence not in names():
        raise ValueError(f"--divergence {args.divergence!r} is unknown; choose 'gan' or one of "
                         f"{', '.join(names())}")
    params = parse_params(args.param)
    div = get(args.divergence, **params) if params else args.divergence
    t0 = time.perf_counter()
    with blas_threads(args.threads):
        critic = train_critic(p, q, div, steps=args.steps, batch_size=args.batch_size,
                              widths=args.widths, activation=args.activation, lr=args.lr,
                              seed=args.seed)
        res = evaluate_critic(critic, p, q)
    res["train_seconds"] = time.perf_counter() - t0
    res["p"], res["q"], res["steps"], res["seed"] = args.p, args.q, args.steps, args.seed
    checks = {"bound": abs(res["gap"]) <= args.tol_bound}
    if res["kind"] == "discriminator":
        checks["critic"] = res["max_abs_error"] <= args.tol_d
    else:
        checks["critic"] = res["max_rel_error"] <= args.tol_rel
    res["checks"] = checks
    res["passed"] = all(checks.values())
    if args.json:
        print(json.dumps(jsonable(res), indent=2))
    else:
        what = "D - D*" if res["kind"] == "discriminator" else "T - T*"
        lo, hi = res["window"]
        ref = "2*JS - log 4" if res["divergence"] == "gan" else f"D_{res['divergence']}"
        print(f"{res['divergence']}: critic trained {args.steps} steps in {res['train_seconds']:.1f} s")
        print(f"  max |{what}| on [{lo:.3f}, {hi:.3f}] (central 98%): {res['max_abs_error']:.4g}"
              f" (relative {res['max_rel_error']:.4g})")
        print(f"  achieved bound {res['bound']:.6f}   {ref} = {res['reference']:.6f}"
              f"   gap {res['gap']:.2e}")
        print("  " + ("PASS" if res["passed"] else "FAIL: " + ", ".join(
            k for k, ok in checks.items() if not ok)))
    return 0 if res["passed"] else 1


# -- fdiv train gan ------------------------------------------------------------------------
def _run_gan(args):
    from .gan.loop import GANConfig, GANTrainer, TrainingDiverged

    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "checkpoint.npz")
    if args.resume:
        if not os.path.exists(ckpt):
            raise ValueError(f"--resume: no checkpoint at {ckpt}; run without --resume first")
        trainer = GANTrainer.load(ckpt)
        trainer.config.steps = args.steps
    else:
        from ._registry import names

        if args.divergence not in names():
            raise ValueError(f"--divergence {args.divergence!r} is unknown; choose 'gan' or one "
                             f"of {', '.join(names())}")
        cfg = GANConfig(data=args.data, data_params=args.data_params, divergence=args.divergence,
                        generator_loss=args.generator_loss, steps=args.steps, k=args.k,
                        batch_p=args.batch_size, batch_q=args.batch_size,
                        latent_dim=args.latent_dim, d_widths=args.d_widths,
                        g_widths=args.g_widths, d_activation=args.activation,
                        g_activation=args.activation, lr_d=args.lr_d, lr_g=args.lr_g,
                        betas=(args.beta1, 0.999), lr_schedule=args.lr_schedule,
                        lr_final=args.lr_final, standardize=args.standardize, pack=args.pack, seed=args.seed,
                        dtype=args.dtype)
        trainer = GANTrainer(cfg)
    progress = Progress(trainer.config.steps, trainer.step, not args.no_progress)
    live = {}

    def callback(tr, d_value, g_loss):
        if args.eval_every > 0 and tr.step % args.eval_every == 0:
            m = tr.metrics(density=False)
            if "modes" in m:
                live["modes"] = f"{m['modes']}/{m['n_modes']}"
                live["hq"] = f"{100 * m['high_quality']:.1f}%"
        progress.update(tr.step, {"V": f"{d_value:.4f}", "G": f"{g_loss:.4f}", **live})

    status, message, code = "completed", "", 0
    t0 = time.perf_counter()
    with blas_threads(args.threads):
        try:
            trainer.train(callback=callback, checkpoint=ckpt,
                          checkpoint_every=args.checkpoint_every)
        except TrainingDiverged as exc:
            status, code = "diverged", 1
            message = (f"{exc} — stopped; the last good checkpoint (step {trainer.step}) is "
                       f"kept at {ckpt}")
        finally:
            progress.close()
        seconds = time.perf_counter() - t0
        metrics = trainer.metrics()
    out = {"status": status, "message": message, "config": _config_dict(trainer),
           "wall_seconds": seconds, "metrics": metrics,
           "final": {"d_value": _last(trainer.history["d_value"]),
                     "g_loss": _last(trainer.history["g_loss"])},
           "checkpoint": ckpt}
    if not args.no_plots:
        out["plots"] = _plots(trainer, args.out)
    with open(os.path.join(args.out, "metrics.json"), "w") as fh:
        json.dump(jsonable(out), fh, indent=2)
    if message:
        print(f"fdiv train gan: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps(jsonable(out), indent=2))
    else:
        _print_summary(out)
    return code


def _config_dict(trainer):
    from dataclasses import asdict

    return asdict(trainer.config)


def _last(xs):
    return xs[-1] if xs else None


def _print_summary(out):
    m = out["metrics"]
    print(f"{out['status']} at step {m['step']} in {out['wall_seconds']:.1f} s")
    if "modes" in m:
        print(f"  modes {m['modes']}/{m['n_modes']}, high quality {100 * m['high_quality']:.1f}%,"
              f" reverse KL {m['reverse_kl']:.4f}")
    for k in ("js", "kl"):
        if k in m:
            print(f"  {k.upper()}(data || KDE of samples) = {m[k]:.4f} "
                  f"(perfect samples: {m[k + '_floor']:.4f})")
    print(f"  metrics: {os.path.join(os.path.dirname(out['checkpoint']), 'metrics.json')}")
    if out.get("plots"):
        print(f"  plots: {', '.join(out['plots'])}")


def _plots(trainer, out_dir):
    """Samples over data, D vs D* (1-D) or critic contours (2-D), loss curves; [] without mpl."""
    plt = pyplot("fdiv train gan")
    if plt is None:
        return []
    files = []
    data, obj = trainer.data, trainer.objective
    x_model = trainer.sample(2500)
    x_data = data.sample(2500, 12345)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.5))
    if data.dim == 1:
        lo = min(x_data.min(), x_model.min()) - 1
        hi = max(x_data.max(), x_model.max()) + 1
        grid = np.linspace(lo, hi, 400)
        ax[0].hist(x_model[:, 0], bins=80, density=True, alpha=0.5, label="generator")
        if data.has_logpdf:
            ax[0].plot(grid, np.exp(data.logpdf(grid)), "k", label="data density")
        ax[0].legend()
        v = trainer.critic(grid[:, None])
        ax[1].plot(grid, obj.transform(v), label="learned " + ("D" if obj.kind ==
                                                                "discriminator" else "T"))
        if data.has_logpdf:
            from .gan.metrics import GaussianKDE

            kde = GaussianKDE(x_model[:, 0])
            opt = obj.optimal(data.logpdf(grid), kde.logpdf(grid))
            ax[1].plot(grid, opt, "--", label="optimum vs KDE of samples")
            learned = obj.transform(v)
            fin = opt[np.isfinite(opt)]
            if fin.size:   # the optimum explodes where the KDE vanishes: keep the learned scale
                lo_y = min(learned.min(), np.quantile(fin, 0.1))
                hi_y = max(learned.max(), np.quantile(fin, 0.9))
                pad = 0.1 * (hi_y - lo_y) + 1e-3
                ax[1].set_ylim(lo_y - pad, hi_y + pad)
        ax[1].legend()
    else:
        ax[0].scatter(x_data[:, 0], x_data[:, 1], s=2, c="k", alpha=0.3, label="data")
        ax[0].scatter(x_model[:, 0], x_model[:, 1], s=2, c="tab:red", alpha=0.5, label="generator")
        ax[0].legend()
        ax[0].set_aspect("equal")
        lo = np.minimum(x_data.min(0), x_model.min(0)) - 0.5
        hi = np.maximum(x_data.max(0), x_model.max(0)) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 150), np.linspace(lo[1], hi[1], 150))
        pts = np.stack([gx.ravel(), gy.ravel()], 1)
        z = obj.transform(trainer.critic(pts)).reshape(gx.shape)
        cs = ax[1].contourf(gx, gy, z, 30)
        fig.colorbar(cs, ax=ax[1])
        ax[1].scatter(x_data[:, 0], x_data[:, 1], s=1, c="w", alpha=0.3)
        ax[1].set_title("critic " + ("D" if obj.kind == "discriminator" else "T"))
        ax[1].set_aspect("equal")
    path = os.path.join(out_dir, "samples.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    files.append(path)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(trainer.history["d_value"], label="critic objective (minibatch)")
    ax.plot(trainer.history["g_loss"], label="generator loss (minibatch)")
    ax.set_xlabel("generator step")
    ax.legend()
    path = os.path.join(out_dir, "losses.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    files.append(path)
    return files
