"""Broken on purpose: squared Hellinger with a ½, ½Σ(√p − √q)². Diagnosis: half."""
import numpy as np


def squared_hellinger(p, q):
    return 0.5 * float(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))
