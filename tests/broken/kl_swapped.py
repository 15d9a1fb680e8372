"""Broken on purpose: KL with the arguments swapped, KL(Q‖P). Diagnosis: swapped."""
import numpy as np
from scipy.special import rel_entr


def kl(p, q):
    return float(np.sum(rel_entr(q, p)))
