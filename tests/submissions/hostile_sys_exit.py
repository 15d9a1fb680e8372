"""Hostile: ``gan_value`` calls sys.exit."""
import sys

AFFECTED = ["gan_value"]


def gan_value(p, q):
    sys.exit(1)
