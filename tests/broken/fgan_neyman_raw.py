"""Broken on purpose: the f-GAN critic objective for Neyman χ² with the output activation
g(v) = 1 − e^{−v} skipped: mean(v_real) − mean(f*(v_fake)) on raw critic outputs.
Diagnosis: activation_not_applied."""
import numpy as np


def conjugate(t):
    t = np.asarray(t, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(t <= 1, 2 - 2 * np.sqrt(np.maximum(1 - t, 0.0)), np.inf)


def objective(v_real, v_fake):
    return float(np.mean(v_real) - np.mean(conjugate(v_fake)))
