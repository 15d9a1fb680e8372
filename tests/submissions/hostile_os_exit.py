"""Hostile: ``f_divergence`` kills its own process with os._exit (no exception, no cleanup)."""
import os

AFFECTED = ["f_divergence"]


def f_divergence(p, q):
    os._exit(0)
