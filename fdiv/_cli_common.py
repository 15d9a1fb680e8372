"""Pieces shared by the subcommands of :mod:`fdiv.cli`: argument types and a progress bar.

Argument types (``type=`` of :meth:`argparse.ArgumentParser.add_argument`) raise
:class:`argparse.ArgumentTypeError` with the value and the fix; :func:`parse_params` turns
repeated ``--param K=V`` options into a keyword dictionary.
"""
from __future__ import annotations

import math
import sys
import time

__all__ = ["parse_params"]

_ASCII_BAR_WIDTH = 30


def parse_params(items, value=float) -> dict:
    """The keyword parameters given as repeated ``--param K=V`` options.

    Parameters
    ----------
    items : iterable of str
        The option values, e.g. ``['a=0.5']``.
    value : callable
        Turns the text after ``=`` into the parameter; raises ``ValueError`` (or
        ``SyntaxError``) when it cannot.  ``float`` by default; ``ast.literal_eval`` keeps
        integers integers.

    Returns
    -------
    dict
        ``{K: value(V)}``, keys stripped of surrounding blanks, later options winning.

    Raises
    ------
    ValueError
        An item without ``=`` or with an empty name, or a value ``value`` rejects; the message
        names the item and shows the expected form.
    """
    out = {}
    for item in items:
        k, sep, v = item.partition("=")
        k = k.strip()
        if not sep or not k:
            raise ValueError(f"--param {item!r}: write it as NAME=VALUE, e.g. --param a=0.5")
        try:
            out[k] = value(v)
        except (ValueError, SyntaxError):
            raise ValueError(f"--param {item!r}: {v!r} is not a number") from None
    return out
