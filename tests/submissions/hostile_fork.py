"""Hostile: ``gibbs_kl`` tries to fork repeatedly (a fork bomb)."""
import os

AFFECTED = ["gibbs_kl"]


def gibbs_kl(d, q):
    while True:
        try:
            os.fork()
        except Exception:
            pass
