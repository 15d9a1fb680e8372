"""Hostile: ``sys.exit`` at import time."""
import sys

AFFECTED = "all"

sys.exit(0)
