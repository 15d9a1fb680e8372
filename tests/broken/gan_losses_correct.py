"""Correct: the GAN losses from logits with log-sigmoid (softplus) forms."""
import numpy as np


def _softplus(x):
    return np.logaddexp(0.0, x)


def discriminator_loss(v_real, v_fake):
    return float(np.mean(_softplus(-np.asarray(v_real))) + np.mean(_softplus(np.asarray(v_fake))))


def discriminator_loss_naive(v_real, v_fake):
    """Sigmoid then log: -inf/NaN for large logits."""
    with np.errstate(all="ignore"):
        d_r = 1 / (1 + np.exp(-np.asarray(v_real)))
        d_f = 1 / (1 + np.exp(-np.asarray(v_fake)))
        return float(-np.mean(np.log(d_r)) - np.mean(np.log(1 - d_f)))
