"""Broken on purpose (for fdiv's convention): TV with the ½ of probability texts. Diagnosis: half."""
import numpy as np


def tv(p, q):
    return 0.5 * float(np.sum(np.abs(np.asarray(p) - np.asarray(q))))
