"""Mistake: the conjugate over all real u (the f-GAN table's t²/4 + t), not over u ≥ 0.

``variational_bound`` (which calls it) is graded with the reference conjugate: only ``conjugate``
loses (all of its points: the task is all-or-nothing).
"""
AFFECTED = ["conjugate"]


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    return 0.25 * t * t + t
