"""Broken on purpose: KL in bits (log base 2). Diagnosis: log2."""
import numpy as np
from scipy.special import rel_entr


def kl(p, q):
    return float(np.sum(rel_entr(p, q)) / np.log(2))
