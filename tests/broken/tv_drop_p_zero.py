"""Broken on purpose: TV summed only where p > 0, so Q's mass where P = 0 (the q·f(0) term,
f(0) = 1) is lost. Diagnosis: drop_q_f0."""
import numpy as np


def tv(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = p > 0
    return float(np.sum(np.abs(p[m] - q[m])))
