"""``fdiv train ebm``: the command runs, writes metrics.json, resumes bit-identically, and the
NaN guard stops with exit 1 keeping the last good checkpoint."""
import json

import numpy as np
import pytest

from fdiv.cli import main
from fdiv.ebm.checkpoint import load_state
from fdiv.ebm.run import EBMConfig, EBMRun, TrainingDiverged

_SMALL = ["--hidden", "8,8", "--n-train", "300", "--n-test", "300", "--train-panels", "6",
          "--eval-panels", "8", "--batch-size", "32", "--no-progress", "--no-plots",
          "--eval-every", "5"]


def _train(tmp_path, name, *extra):
    out = tmp_path / name
    code = main(["train", "ebm", "--out", str(out), *_SMALL, *extra])
    return code, out


@pytest.mark.parametrize("method,data", [("mle", "mog1d"), ("dual", "8gaussians"),
                                         ("langevin", "8gaussians")])
def test_cli_runs_and_writes_metrics(tmp_path, capsys, method, data):
    code, out = _train(tmp_path, method, "--data", data, "--method", method, "--steps", "12",
                       "--json", "--n-q", "16", "--flow-layers", "1", "--flow-hidden", "4",
                       "--n-chains", "8", "--mcmc-steps", "2")
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "metrics.json").read_text())
    assert printed["status"] == saved["status"] == "completed"
    m = saved["metrics"]
    assert m["step"] == 12 and np.isfinite(m["heldout_nll"]) and m["kl_data_model"] >= 0
    assert m["log_z_trunc_bound"] < 1e-3
    assert len(saved["history"]["loss"]) == 12 and len(saved["history"]["heldout_nll"]) == 2
    if method == "dual":      # (their agreement is tested in test_ebm_train on a fine grid)
        assert np.isfinite(m["gap"]) and np.isfinite(m["kl_q_model"])


@pytest.mark.parametrize("method", ["mle", "dual", "langevin"])
def test_cli_resume_is_bit_identical(tmp_path, method):
    common = ["--data", "8gaussians", "--method", method, "--schedule", "constant",
              "--n-q", "16", "--flow-layers", "1", "--flow-hidden", "4", "--n-chains", "8",
              "--mcmc-steps", "2", "--checkpoint-every", "5"]
    code, full = _train(tmp_path, "full", *common, "--steps", "20")
    assert code == 0
    code, part = _train(tmp_path, "part", *common, "--steps", "10")
    assert code == 0
    code, part = _train(tmp_path, "part", *common, "--steps", "20", "--resume")
    assert code == 0
    a, b = load_state(full / "checkpoint.npz"), load_state(part / "checkpoint.npz")
    assert a["trainer"]["step"] == b["trainer"]["step"] == 20
    for x, y in zip(a["trainer"]["energy"], b["trainer"]["energy"]):
        assert x.tobytes() == y.tobytes()
    assert a["trainer"]["rng"] == b["trainer"]["rng"]
    assert a["history"]["loss"] == b["history"]["loss"]


def test_cli_usage_errors(tmp_path):
    assert main(["train", "ebm", "--out", str(tmp_path / "x"), "--resume"]) == 2   # no ckpt
    assert main(["train", "ebm", "--out", str(tmp_path / "y"), "--data", "nope"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["train", "ebm", "--out", str(tmp_path / "z"), "--method", "gibbs"])
    assert exc.value.code == 2


def test_cli_nan_guard(tmp_path, capsys):
    code, out = _train(tmp_path, "nan", "--data", "8gaussians", "--method", "langevin",
                       "--steps", "5", "--step-size", "1e6", "--n-chains", "8")
    assert code == 1
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["status"] == "diverged" and "step_size" in saved["message"]
    assert "diverged" in capsys.readouterr().err


def test_nan_guard_keeps_last_good_checkpoint(tmp_path):
    cfg = EBMConfig(data="8gaussians", method="langevin", steps=20, n_train=300, n_test=300,
                    hidden=(8, 8), train_panels=6, eval_panels=8, n_chains=8, mcmc_steps=2)
    run = EBMRun(cfg)
    ckpt = tmp_path / "c.npz"
    run.config.steps = 10
    run.train(checkpoint=ckpt, checkpoint_every=5)
    good = [p.copy() for p in run.energy.params]
    run.config.steps = 20
    run.trainer.step_size = 1e100               # sabotage: the chains blow up at once
    with pytest.raises(TrainingDiverged):
        run.train(checkpoint=ckpt, checkpoint_every=1)
    state = load_state(ckpt)
    assert state["trainer"]["step"] == 10
    for p, q in zip(state["trainer"]["energy"], good):
        assert p.tobytes() == q.tobytes()


@pytest.mark.parametrize("method,data", [("dual", "mog1d"), ("langevin", "8gaussians")])
def test_cli_plots(tmp_path, method, data):
    pytest.importorskip("matplotlib", reason="plots are an optional extra (fdiv[plot])")
    args = [a for a in _SMALL if a != "--no-plots"]
    out = tmp_path / "plots"
    code = main(["train", "ebm", "--out", str(out), *args, "--data", data, "--method", method,
                 "--steps", "6", "--n-q", "16", "--flow-layers", "1", "--n-chains", "8"])
    assert code == 0
    saved = json.loads((out / "metrics.json").read_text())
    assert sorted(p.rsplit("/", 1)[-1] for p in saved["plots"]) == ["curves.png", "density.png"]
    assert all((out / name).stat().st_size > 1000 for name in ("curves.png", "density.png"))
