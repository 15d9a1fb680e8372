"""Hostile at run time: every task's function misbehaves differently.

Each task runs in its own sandboxed process, so each misbehaviour costs exactly its own task.
"""
import os
import sys

AFFECTED = ["generator_prime", "conjugate", "f_divergence", "optimal_discriminator", "gan_value",
            "variational_bound", "log_partition", "gibbs_kl"]


def generator_prime(u):  # never returns, and swallows ordinary exceptions
    while True:
        try:
            pass
        except Exception:
            pass


def conjugate(t):  # raises
    raise ValueError("I give up")


def f_divergence(p, q):  # kills its own process: no exception, no cleanup
    os._exit(0)


def optimal_discriminator(p, q):  # NaN
    return np.full(np.shape(p), np.nan)


def gan_value(p, q):  # sys.exit
    sys.exit(1)


def variational_bound(t_p, t_q):  # a string
    return "0.5"


def log_partition(d):  # an n×n matrix with n = 10⁶: exhausts memory
    big = np.zeros((10**6, 10**6))
    return float(big.sum())


def gibbs_kl(d, q):  # a fork bomb
    while True:
        try:
            os.fork()
        except Exception:
            pass
