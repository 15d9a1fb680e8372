"""Hostile: ``conjugate`` raises on every call."""
AFFECTED = ["conjugate"]


def conjugate(t):
    raise ValueError("I give up")
