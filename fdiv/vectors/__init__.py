"""Reference test vectors: language-neutral JSON files of inputs and exact expected values.

One versioned file per quantity ships as package data (``fdiv/data/vectors/<quantity>.json``);
``fdiv vectors export DIR`` copies them out for implementations in other languages, and
``fdiv check`` runs a function against them.  The values come from
``python -m fdiv.vectors.generate`` (mpmath at ≥ 60 working digits, 40 written, from each
registry member's sympy ``formula``; never from fdiv's numeric code).  The format follows
Wycheproof (``testGroups`` → ``tests`` with ``tcId``, ``flags`` into a ``notes`` table) and scipy's
mpmath reference files (generator script kept, a tolerance per case).

Decoding: floats in ``inputs`` are JSON numbers or ``"inf"``, ``"-inf"``, ``"nan"``; ``expected``
is a decimal string (or one of those three) — :func:`decode` turns either into a float (values
beyond float64 become ±inf, as correct rounding demands).
"""
from __future__ import annotations

import json
import shutil
import sys
from functools import lru_cache
from pathlib import Path

from .._encoding import decode_float as decode

__all__ = ["QUANTITIES", "path", "load", "export", "decode", "cases", "add_parser"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "vectors"

#: quantities with a shipped vector file (see ``fdiv.vectors.generate.SIGNATURES``)
QUANTITIES = (
    "divergence_discrete", "divergence_continuous", "f", "f_prime", "conjugate", "activation",
    "conjugate_activation", "optimal_discriminator", "discriminator_loss", "generator_loss",
    "generator_loss_nonsaturating", "fgan_objective",
)


def path(quantity: str) -> Path:
    """The shipped file for ``quantity``."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity={quantity!r}: vectors exist for {', '.join(QUANTITIES)}")
    return DATA_DIR / f"{quantity}.json"


@lru_cache(maxsize=None)
def _load(quantity):
    p = path(quantity)
    if not p.is_file():
        raise FileNotFoundError(f"{p} is missing: regenerate with `python -m fdiv.vectors.generate`")
    return json.loads(p.read_text(encoding="utf-8"))


def load(quantity: str) -> dict:
    """The parsed vector document for ``quantity`` (a fresh copy)."""
    return json.loads(json.dumps(_load(quantity)))


def cases(quantity: str, *, divergence: str | None = None, params: dict | None = None):
    """Iterate ``(group, test)`` pairs, optionally restricted to one divergence (and params).

    ``params=None`` selects the group with the member's default parameters when the
    divergence has several groups (alpha at several ``a``), ``params={...}`` a specific one.
    """
    doc = _load(quantity)
    groups = doc["testGroups"]
    if divergence is not None:
        groups = [g for g in groups if g.get("divergence") == divergence]
        if params is not None:
            groups = [g for g in groups if _same_params(g.get("params", {}), params)]
        elif len(groups) > 1:
            groups = groups[:1]
    for g in groups:
        for t in g["tests"]:
            yield g, t


def _same_params(a, b):
    return set(a) == set(b) and all(float(a[k]) == float(b[k]) for k in a)


def export(directory) -> list:
    """Copy every shipped vector file into ``directory`` (created); returns the written paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for q in QUANTITIES:
        src = DATA_DIR / f"{q}.json"
        if src.is_file():
            dst = out / src.name
            shutil.copyfile(src, dst)
            written.append(dst)
    return written


# ----------------------------------------------------------------------------- CLI
def add_parser(subparsers):
    """``fdiv vectors export DIR`` and ``fdiv vectors list``."""
    p = subparsers.add_parser("vectors", help="reference test vectors (JSON): export or list",
                              description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    sub = p.add_subparsers(dest="vectors_command", metavar="ACTION")
    e = sub.add_parser("export", help="write the vector files into DIR")
    e.add_argument("directory", metavar="DIR")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    ls = sub.add_parser("list", help="quantities, case counts and header")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_main)
    return p


def _main(args) -> int:
    action = getattr(args, "vectors_command", None)
    if action == "export":
        written = export(args.directory)
        if args.json:
            print(json.dumps({"written": [str(w) for w in written]}))
        else:
            for w in written:
                print(w)
        return 0
    if action == "list":
        rows = []
        for q in QUANTITIES:
            try:
                doc = _load(q)
            except FileNotFoundError:
                continue
            rows.append({"quantity": q, "cases": doc["numberOfTests"], "version": doc["version"],
                         "mpmath": doc["mpmath"], "signature": doc["signature"]})
        if args.json:
            print(json.dumps(rows, indent=1))
        else:
            for r in rows:
                print(f"{r['quantity']:<30} {r['cases']:>5} cases  {r['signature']}")
        return 0
    print("usage: fdiv vectors {export DIR | list} [--json]", file=sys.stderr)
    return 2
