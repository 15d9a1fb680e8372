"""`fdiv train critic|gan`: exit codes, JSON, checkpoints, bit-identical resume, the guard."""
import json
import math
import sys

import numpy as np
import pytest

from fdiv.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_critic_json_passes(capsys):
    code, out, _ = _run(capsys, "train", "critic", "--p", "norm(0, 1)", "--q", "norm(0.5, 1)",
                        "--divergence", "gan", "--seed", "0", "--json")
    res = json.loads(out)
    assert code == 0 and res["passed"] and res["kind"] == "discriminator"
    assert res["max_abs_error"] <= 0.03 and abs(res["gap"]) <= 0.01
    assert res["bound"] <= res["reference"] + 1e-8


def test_train_critic_reports_failure_with_exit_1(capsys):
    code, out, _ = _run(capsys, "train", "critic", "--p", "norm(0, 1)", "--q", "norm(0.5, 1)",
                        "--divergence", "kl", "--steps", "2", "--widths", "4")
    assert code == 1 and "FAIL" in out


@pytest.mark.parametrize("argv, needle", [
    (["--p", "norm(0, 1", "--q", "norm(1, 1)"], "cannot parse"),
    (["--p", "norm(0, 1)", "--q", "norm(1, 1)", "--divergence", "kll"], "unknown"),
])
def test_train_critic_usage_errors(capsys, argv, needle):
    code, _, err = _run(capsys, "train", "critic", *argv)
    assert code == 2 and needle in err


def test_train_without_trainer_is_usage_error(capsys):
    assert _run(capsys, "train")[0] == 2


GAN = ["train", "gan", "--data", "ring", "--d-widths", "16,16", "--g-widths", "16,16",
       "--batch-size", "64", "--no-progress", "--no-plots", "--seed", "1"]


def _bits(path):
    with np.load(path) as z:
        return b"".join(z[k].tobytes() for k in sorted(z.files) if k != "meta")


def test_train_gan_writes_metrics_and_resumes_bit_identically(capsys, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    code, out, _ = _run(capsys, *GAN, "--steps", "30", "--out", str(a), "--json")
    assert code == 0
    res = json.loads(out)
    assert res["status"] == "completed" and res["metrics"]["step"] == 30
    assert res["metrics"]["n_modes"] == 8 and 0 <= res["metrics"]["high_quality"] <= 1
    assert json.loads((a / "metrics.json").read_text())["metrics"] == res["metrics"]
    assert _run(capsys, *GAN, "--steps", "12", "--out", str(b))[0] == 0
    assert _run(capsys, *GAN, "--steps", "30", "--out", str(b), "--resume")[0] == 0
    assert _bits(a / "checkpoint.npz") == _bits(b / "checkpoint.npz")


def test_train_gan_resume_without_checkpoint_is_usage_error(capsys, tmp_path):
    code, _, err = _run(capsys, *GAN, "--steps", "3", "--out", str(tmp_path), "--resume")
    assert code == 2 and "no checkpoint" in err


def test_train_gan_divergence_guard(capsys, tmp_path):
    code, _, err = _run(capsys, "train", "gan", "--data", "mog1d", "--latent-dim", "1",
                        "--divergence", "kl", "--lr-d", "50", "--lr-g", "50", "--steps", "400",
                        "--d-widths", "8", "--g-widths", "8", "--batch-size", "64",
                        "--checkpoint-every", "5", "--no-progress", "--no-plots",
                        "--out", str(tmp_path))
    assert code == 1 and "diverged at step" in err and "last good checkpoint" in err
    res = json.loads((tmp_path / "metrics.json").read_text())
    assert res["status"] == "diverged" and res["metrics"]["step"] % 5 == 0
    with np.load(tmp_path / "checkpoint.npz") as z:
        assert all(np.all(np.isfinite(z[k])) for k in z.files if k != "meta")


def test_plain_progress_fallback_without_tqdm(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)          # import tqdm -> ImportError
    args = [a for a in GAN if a != "--no-progress"]
    code, _, err = _run(capsys, *args, "--steps", "5", "--out", str(tmp_path))
    assert code == 0 and "] 5/5 V=" in err


def test_plots_skipped_with_notice_when_matplotlib_missing(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    args = [a for a in GAN if a != "--no-plots"]
    code, out, err = _run(capsys, *args, "--steps", "3", "--out", str(tmp_path), "--json")
    assert code == 0 and "skipping plots" in err and json.loads(out)["plots"] == []
    assert math.isfinite(json.loads(out)["wall_seconds"])


def test_train_critic_takes_member_parameters(capsys):
    # alpha(a) between N(0,1) and N(Δ,1): (exp(a(a−1)Δ²/2) − 1)/(a(a−1)), written out here
    a, delta = 2.0, 0.5
    code = main(["train", "critic", "--p", "norm(0, 1)", "--q", "norm(0.5, 1)", "--divergence",
                 "alpha", "--param", "a=2", "--steps", "20", "--seed", "0", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1)  # 20 steps need not pass the checks; the reference must be alpha(a=2)
    ref = (math.exp(a * (a - 1) * delta**2 / 2) - 1) / (a * (a - 1))
    assert out["reference"] == pytest.approx(ref, rel=1e-9)
    assert main(["train", "critic", "--p", "norm(0, 1)", "--q", "norm(0.5, 1)", "--divergence",
                 "alpha", "--param", "b=2", "--steps", "2"]) == 2
    assert "takes a" in capsys.readouterr().err
