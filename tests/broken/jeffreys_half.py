"""Broken on purpose: Jeffreys halved (TFP's convention). Diagnosis: half."""
import numpy as np
from scipy.special import rel_entr


def jeffreys(p, q):
    return 0.5 * float(np.sum(rel_entr(p, q)) + np.sum(rel_entr(q, p)))
