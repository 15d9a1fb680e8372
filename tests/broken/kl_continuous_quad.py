"""A typical hand-rolled continuous KL: scipy.integrate.quad over (−∞, ∞) with a density-space
integrand. Fails where quad fails (a narrow peak far from 0 integrates to ~0; divergent integrals
come back finite) — the checker reports those cases with their flags (far_apart, infinite)."""
import numpy as np
from scipy import integrate


def kl(P, Q):
    def g(x):
        p, q = P.pdf(x), Q.pdf(x)
        if p == 0:
            return 0.0
        return p * (np.log(p) - np.log(q))
    return integrate.quad(g, -np.inf, np.inf)[0]


def kl_halved(P, Q):
    """Broken on purpose: ½ KL (the diagnosis says half)."""
    import fdiv
    return 0.5 * fdiv.divergence("kl", P, Q)
