"""The ``fdiv`` command line: one subcommand per feature module.

Each feature module exposes ``add_parser(subparsers)``; the parser it returns carries
``func(args) -> int``.  Exit codes: 0 success, 1 a check failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Feature modules (relative to the package) that contribute subcommands, in listing order.
_SUBCOMMANDS = (
    "catalogue_cli",
    "grade.cli",
    "train",
    "check",
    "vectors",
    "verify",
)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on exit code 2 (argparse's own convention, kept explicit)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fdiv",
        description="Reference f-divergences, conjugates, variational bounds, GAN and EBM objectives.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"fdiv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _SUBCOMMANDS:
        importlib.import_module(f".{mod}", __package__).add_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError) as exc:  # bad input reaching the library: a usage error
        print(f"fdiv {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `fdiv list | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
