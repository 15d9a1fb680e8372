"""``fdiv verify``: run the machine-checked proofs (:mod:`proofs`) and print the claims table.

Every claim of the lecture and every registry member's conjugate, Fenchel–Young, biconjugate,
activation and critic identities, graded PROVED / NUMERICALLY VERIFIED / FAILED, plus the
numeric cross-checks against ``fdiv.divergence`` / ``fdiv.integrate``.  Exit code 1 when any claim
FAILED or could not run; ``--markdown PATH`` writes the report, ``--json`` prints it.
"""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]

_MISSING = ("fdiv verify: the 'proofs' package is not importable (an editable install made before "
            "proofs/ existed does not map it): reinstall with `python -m pip install -e .`")


def add_parser(subparsers):
    p = subparsers.add_parser(
        "verify", help="check every identity fdiv relies on (sympy proofs + cross-checks)",
        description="Run the proofs package: derive each member's conjugate over u >= 0, check "
                    "the lecture's identities, cross-check the numeric code; exit 1 on any "
                    "FAILED or NOT RUN claim.")
    try:
        from proofs.report import add_arguments
    except ImportError:   # keep every other subcommand working; explain at run time
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        p.set_defaults(func=_missing)
        return p
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def _missing(args) -> int:
    print(_MISSING, file=sys.stderr)
    return 2


def run(args) -> int:
    from proofs.report import run_cli

    return run_cli(args)
