"""Mistake: log Z as log(sum(exp(d))), which overflows to inf for scores near 1000.

``gibbs_kl`` (which calls it) is graded with the reference log_partition.
"""
AFFECTED = ["log_partition"]


def log_partition(d):
    with np.errstate(over="ignore", divide="ignore"):
        return float(np.log(np.sum(np.exp(np.asarray(d, dtype=np.float64)))))
