"""Mistake: a factor ½ in the generator, f(u) = (u − 1)²/2.

``f_divergence`` (which calls it) is graded with the reference generator: only ``generator`` loses.
"""
AFFECTED = ["generator"]


def generator(u):
    u = np.asarray(u, dtype=np.float64)
    return 0.5 * (u - 1.0) ** 2
