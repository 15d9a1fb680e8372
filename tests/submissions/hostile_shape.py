"""Hostile: ``generator`` returns the wrong shape and ``log_partition`` an array, not a number."""
AFFECTED = ["generator", "log_partition"]


def generator(u):
    u = np.asarray(u, dtype=np.float64)
    return ((u - 1.0) ** 2)[:-1]


def log_partition(d):
    return np.array([1.0, 2.0])
