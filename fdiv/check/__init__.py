"""``fdiv check``: validate someone else's divergence, conjugate or GAN loss against the references.

A function is run on the shipped test vectors (:mod:`fdiv.vectors`) and on hypothesis-drawn
inputs whose references are computed afresh with mpmath; every result is compared with its
tolerance; failures are listed with input, expected, got, relative error and a one-line
reproduction, and a *convention diagnosis* names the mistake that explains them (swapped
arguments, a factor ½ or 2, bits, √, a dropped boundary term, the f-GAN conjugate over ℝ, a
missing activation — see :mod:`fdiv.check._diagnose`).

A target given as ``'module:function'`` or ``'path/to/file.py:function'`` runs in a separate,
resource-limited process (:func:`fdiv._sandbox.run_calls`, data exchanged as JSON); a Python
callable runs in-process (it is your own code, e.g. in your test suite).

Examples
--------
>>> report = fdiv.check(my_kl, quantity="divergence", divergence="kl")    # doctest: +SKIP
>>> report.passed, report.diagnosis.mistake                                # doctest: +SKIP
(False, 'swapped')

In a test suite::

    from fdiv.check import assert_conforms

    def test_my_js():
        assert_conforms(my_js, quantity="divergence", divergence="js")

Command line: ``fdiv check mylib.py:kl --quantity divergence --divergence kl [--input logprobs]
[--format text|json|junit|gradescope]``; exit code 0 when every case passes, 1 when any fails,
2 on usage errors.
"""
from __future__ import annotations

import sys

from .._cli_common import parse_params
from ._report import CaseResult, Report

__all__ = ["check", "assert_conforms", "Report", "CaseResult", "QUANTITIES", "add_parser"]

#: checkable quantities (see :mod:`fdiv.check._quantities`)
QUANTITIES = ("divergence", "divergence_continuous", "f", "f_prime", "conjugate", "activation", "conjugate_activation",
              "fgan_objective", "optimal_discriminator", "discriminator_loss", "generator_loss",
              "generator_loss_nonsaturating")
_ALIASES = ("divergence_discrete", "fprime", "discriminator", "d_star", "f_star", "gan_loss")


def check(fn, quantity="divergence", divergence=None, **kwargs) -> Report:
    """Check ``fn`` against fdiv's references for one quantity.

    Parameters
    ----------
    fn : callable or str
        The function under test, or a target ``'module:function'`` /
        ``'path/to/file.py:function'`` (run in a sandboxed subprocess).
    quantity : str
        ``'divergence'`` (discrete, ``fn(p, q)``), ``'f'``, ``'f_prime'`` (``fn(u)``),
        ``'conjugate'`` (``fn(t)``), ``'activation'``, ``'conjugate_activation'`` (``fn(v)``),
        ``'fgan_objective'`` (``fn(v_real, v_fake)``), ``'optimal_discriminator'``
        (``fn(logp, logq)`` or ``fn(p, q)``), ``'discriminator_loss'`` (``fn(v_real, v_fake)``
        logits), ``'generator_loss'``, ``'generator_loss_nonsaturating'`` (``fn(v_fake)``).
    divergence : str, optional
        Registry name (required for the per-divergence quantities); ``params`` its parameters.
    input : str, optional
        The input form the function takes: ``'probs'``/``'logprobs'`` (divergence,
        optimal_discriminator), ``'u'``/``'logu'`` (f, f_prime); default the first listed.
    hypothesis : bool
        Also run ``examples`` hypothesis-drawn cases (seeded by ``seed``: same seed, same cases).
    vectors : bool
        Run the shipped test vectors.
    sandbox : bool, optional
        Run in a subprocess (default: True for a target string, False for a callable; a callable
        can be sandboxed only when importable as ``module:qualname``).
    timeout, call_timeout, memory_mb :
        Sandbox limits (whole run, per call, address space).

    Returns
    -------
    Report
        ``passed``, ``failures``, ``diagnosis``, ``to_text()``, ``to_json()``, ``to_junit()``,
        ``to_gradescope()``.

    Raises
    ------
    ValueError
        Unknown quantity, divergence or input form, or a missing ``divergence``.
    """
    from ._core import check as _check

    return _check(fn, quantity, divergence, **kwargs)


def assert_conforms(fn, quantity="divergence", divergence=None, **kwargs) -> Report:
    """Pytest helper: :func:`check` and raise ``AssertionError`` with the text report on failure.

    Put it in your own test suite::

        def test_my_kl():
            fdiv.check.assert_conforms(my_kl, quantity="divergence", divergence="kl")
    """
    from ._core import assert_conforms as _assert

    return _assert(fn, quantity, divergence, **kwargs)


# attribute access through the re-exported function: fdiv.check.assert_conforms(...)
check.assert_conforms = assert_conforms
check.Report = Report
check.QUANTITIES = tuple(QUANTITIES)


# ----------------------------------------------------------------------------- CLI
def add_parser(subparsers):
    """``fdiv check TARGET --quantity Q --divergence NAME …``."""
    p = subparsers.add_parser(
        "check", help="check a function against the reference vectors and diagnose conventions",
        description="Run TARGET ('module:function' or 'path/to/file.py:function') in a sandboxed "
                    "subprocess on the reference test vectors and hypothesis-drawn cases; list "
                    "failures with reproductions and diagnose convention mistakes. Exit 0 when "
                    "all pass, 1 when any fails, 2 on usage errors.")
    p.add_argument("target", metavar="TARGET")
    p.add_argument("--quantity", "-q", default="divergence",
                   choices=sorted(set(QUANTITIES) | set(_ALIASES)), metavar="QUANTITY",
                   help=f"one of {', '.join(QUANTITIES)} (default divergence)")
    p.add_argument("--divergence", "-d", metavar="NAME", help="registry name (fdiv list)")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="a divergence parameter, e.g. --param a=0.5 (repeatable)")
    p.add_argument("--input", dest="input_form", metavar="FORM",
                   help="probs|logprobs (divergence, optimal_discriminator), u|logu (f, f_prime)")
    p.add_argument("--format", default="text", choices=("text", "json", "junit", "gradescope"))
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report there (default stdout)")
    p.add_argument("--examples", type=int, default=25, help="hypothesis cases (0: vectors only)")
    p.add_argument("--seed", type=int, default=0, help="seed of the hypothesis cases")
    p.add_argument("--no-vectors", action="store_true", help="skip the shipped vectors")
    p.add_argument("--timeout", type=float, default=120.0, help="wall-clock seconds for the run")
    p.add_argument("--call-timeout", type=float, default=30.0, help="seconds per call")
    p.add_argument("--memory-mb", type=int, default=2048)
    p.set_defaults(func=_main)
    return p


def _main(args) -> int:
    fmt = "json" if args.json else args.format
    try:
        report = check(args.target, args.quantity, args.divergence,
                       params=parse_params(args.param), input=args.input_form,
                       examples=args.examples, seed=args.seed, vectors=not args.no_vectors,
                       timeout=args.timeout, call_timeout=args.call_timeout,
                       memory_mb=args.memory_mb)
    except (ValueError, TypeError) as exc:
        print(f"fdiv check: error: {exc}", file=sys.stderr)
        return 2
    if fmt == "json":
        text = report.to_json()
    elif fmt == "junit":
        text = report.to_junit()
    elif fmt == "gradescope":
        import json

        text = json.dumps(report.to_gradescope(), indent=1, ensure_ascii=False)
    else:
        text = report.to_text()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        print(report.summary(), file=sys.stderr)
    else:
        try:
            print(text)
        except BrokenPipeError:  # `fdiv check … | head`
            pass
    if report.error_kind == "usage":
        print(f"fdiv check: error: {report.error.splitlines()[0]}", file=sys.stderr)
        return 2
    return 0 if report.passed else 1
