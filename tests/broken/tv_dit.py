"""Broken on purpose: dit's TV — halved, and Q's mass where P = 0 dropped (0.25 instead of 0.5 for
P = [1, 0], Q = [1/2, 1/2]). Diagnosis: drop_q_f0 then half."""
import numpy as np


def tv(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = p > 0
    return 0.5 * float(np.sum(np.abs(p[m] - q[m])))
