"""Broken on purpose: f*(g_f(v)) for 'gan' with the activation skipped, f*(v) = −log(1 − e^v)
applied to the raw critic output (NaN for v > 0). Diagnosis: activation_not_applied."""
import numpy as np


def conjugate_activation(v):
    with np.errstate(all="ignore"):
        return float(-np.log1p(-np.exp(v)) if v < 0 else np.inf)
