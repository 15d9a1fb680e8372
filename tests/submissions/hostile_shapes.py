"""Hostile: wrong shape, an array where a number is due, an arbitrary object."""
AFFECTED = ["generator", "log_partition", "gibbs_kl"]


def generator(u):
    u = np.asarray(u, dtype=np.float64)
    return ((u - 1.0) ** 2)[:-1]


def log_partition(d):
    return np.array([1.0, 2.0])


def gibbs_kl(d, q):
    return object()
