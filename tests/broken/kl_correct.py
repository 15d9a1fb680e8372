"""Correct: KL via scipy.special.rel_entr (Csiszár's conventions built in)."""
import numpy as np
from scipy.special import rel_entr


def kl(p, q):
    return float(np.sum(rel_entr(p, q)))


def kl_logprobs(logp, logq):
    logp, logq = np.asarray(logp, float), np.asarray(logq, float)
    p = np.exp(logp)
    with np.errstate(invalid="ignore"):
        terms = np.where(p > 0, p * (logp - logq), 0.0)
    return float(np.sum(terms))
