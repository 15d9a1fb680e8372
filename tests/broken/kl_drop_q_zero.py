"""Broken on purpose: KL summed only where q > 0 (`np.where(q > 0, ...)`), so q = 0 < p gives a
finite number instead of +inf. Diagnosis: drop_p_fprime_inf."""
import numpy as np


def kl(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = (p > 0) & (q > 0)
    return float(np.sum(p[m] * (np.log(p[m]) - np.log(q[m]))))
