"""Hostile: ``generator_prime`` never returns (and swallows ordinary exceptions)."""
AFFECTED = ["generator_prime"]


def generator_prime(u):
    while True:
        try:
            pass
        except Exception:
            pass
