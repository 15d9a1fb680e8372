"""Pieces shared by the subcommands of :mod:`fdiv.cli`: argument types and a progress bar.

Argument types (``type=`` of :meth:`argparse.ArgumentParser.add_argument`) raise
:class:`argparse.ArgumentTypeError` with the value and the fix; :func:`parse_params` turns
repeated ``--param K=V`` options into a keyword dictionary.
"""
from __future__ import annotations

import json
import math
import sys
import time

__all__ = ["parse_params", "positive_int", "positive_float", "widths", "json_object", "Progress"]

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


def positive_int(text):
    """An integer ≥ 1 (an argparse ``type``; ``ArgumentTypeError`` otherwise)."""
    import argparse

    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be ≥ 1")
    return v


def positive_float(text):
    """A finite float > 0 (an argparse ``type``; ``ArgumentTypeError`` otherwise)."""
    import argparse

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (v > 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return v


def json_object(text):
    """A JSON object, e.g. ``'{"sigma": 0.02}'`` (an argparse ``type``; ``ArgumentTypeError``
    for text that is not JSON or not an object)."""
    import argparse

    try:
        v = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not JSON; write '{{\"sigma\": 0.02}}'") from None
    if not isinstance(v, dict):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a JSON object")
    return v


def widths(text):
    """Hidden-layer widths written ``64,64``: a tuple of ints ≥ 1 (an argparse ``type``;
    ``ArgumentTypeError`` otherwise)."""
    import argparse

    try:
        w = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write widths like 64,64") from None
    if not w or min(w) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: write widths like 64,64")
    return w


class Progress:
    """A progress bar on stderr: tqdm when installed, else a plain one-line fallback.

    Parameters
    ----------
    total : int
        The number of steps of the whole run.
    initial : int
        The step the run starts from (non-zero when resuming).
    enabled : bool
        False: every method does nothing.

    Notes
    -----
    ``update(n, postfix)`` moves the bar to step ``n`` and shows the ``postfix`` mapping (the
    fallback redraws at most twice a second, and at the last step); ``close()`` ends the line.
    """

    def __init__(self, total, initial, enabled):
        self.bar = None
        self.enabled = enabled
        self.total, self.n = total, initial
        self.last = 0.0
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, initial=initial, unit="step", file=sys.stderr,
                        dynamic_ncols=True)

    def update(self, n, postfix):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n - self.bar.n)
            self.bar.set_postfix(postfix, refresh=False)
            return
        now = time.perf_counter()
        if now - self.last < 0.5 and n < self.total:
            return
        self.last = now
        filled = int(_ASCII_BAR_WIDTH * n / max(self.total, 1))
        info = " ".join(f"{k}={v}" for k, v in postfix.items())
        print(f"\r[{'#' * filled}{'.' * (_ASCII_BAR_WIDTH - filled)}] {n}/{self.total} {info}",
              end="", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def pyplot(command):
    """``matplotlib.pyplot`` on the Agg backend, or None (with a notice on stderr) when the
    optional ``plot`` extra is not installed; ``command`` names the caller in the notice."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"{command}: matplotlib is not installed (pip install 'fdiv[plot]'); skipping plots",
              file=sys.stderr)
        return None
    return plt
