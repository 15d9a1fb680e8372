"""Hostile: an infinite loop at import time: every task scores 0, results are still written."""
AFFECTED = "all"

while True:
    pass
