"""Hostile: ``variational_bound`` returns a string, ``gibbs_kl`` an arbitrary object."""
AFFECTED = ["variational_bound", "gibbs_kl"]


def variational_bound(t_p, t_q):
    return "0.5"


def gibbs_kl(d, q):
    return object()
