"""Broken on purpose: 2·JS (TFP's jensen_shannon, the f-GAN generator). Diagnosis: double."""
import numpy as np
from scipy.special import rel_entr


def js(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    return float(np.sum(rel_entr(p, m)) + np.sum(rel_entr(q, m)))
