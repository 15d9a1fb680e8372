"""Mistake: the optimal discriminator with its arguments swapped, D = q/(p + q).

``gan_value`` (which calls it) is graded with the reference D*, so only this task loses points.
Appended to the reference solution by tests/test_grade.py to make a complete submission.
"""
AFFECTED = ["optimal_discriminator"]


def optimal_discriminator(p, q):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    s = p + q
    return np.divide(q, s, out=np.full(np.broadcast(p, q).shape, 0.5), where=s > 0)
