"""Mistake: the Csiszár boundary term q_i·f(0) for p_i = 0 < q_i is dropped (sum over p_i > 0)."""
AFFECTED = ["f_divergence"]


def f_divergence(p, q):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if np.any((q == 0) & (p > 0)):
        return float("inf")
    m = (p > 0) & (q > 0)
    return float(np.sum(q[m] * generator(p[m] / q[m])))
