"""Claim records, verdicts and the two graders every proof module uses.

A claim is graded

* ``PROVED``: a residual (left side − right side) reduces to the symbol ``0`` under sympy with
  domain-aware symbols (``u`` positive, ``s = b − t`` with ``t`` positive, ``e^t = 1 + w`` …);
* ``NUMERICALLY VERIFIED``: the symbolic step did not close (the reason is stated), but the
  residual vanishes to ``tol`` at ``n ≥ 20`` random in-domain points evaluated by mpmath at
  ``dps ≥ 40`` significant digits;
* ``FAILED``: a residual is non-zero at some point (the point is reported), or the check crashed;
* ``NOT RUN (engine missing)``: a cross-check needs ``fdiv.divergence`` / ``fdiv.integrate`` and
  they are not importable; counted as a failure by the CLI so nothing is skipped silently.

sympy's ``expr.equals(0) is False`` is **never** read as a disproof: it returns False for
expressions that are identically zero on their domain.  Only a numeric counterexample fails a claim.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import mpmath
import numpy as np
import sympy as sp

__all__ = [
    "PROVED", "NUMERIC", "FAILED", "NOT_RUN", "VERDICTS", "Claim", "ClaimSpec", "Outcome",
    "EngineMissing", "require_engine", "symbolic_zero", "mp_max_residual", "grade_identity",
    "rng_for", "run_specs", "DPS", "NPOINTS", "combine", "bounded", "time_limit",
    "SympyTimeout",
]

PROVED = "PROVED"
NUMERIC = "NUMERICALLY VERIFIED"
FAILED = "FAILED"
NOT_RUN = "NOT RUN (engine missing)"
VERDICTS = (PROVED, NUMERIC, FAILED, NOT_RUN)

#: Working precision (significant digits) and number of random points of every numeric check.
DPS = 50
NPOINTS = 24
#: A residual counts as zero when |residual| ≤ TOL · max(1, |terms|) at DPS digits.
TOL = mpmath.mpf(10) ** -35


@dataclass(frozen=True)
class Outcome:
    """What a claim's check returns: a verdict and the reason for it."""

    verdict: str
    reason: str = ""


@dataclass
class Claim:
    """One graded claim of the report.

    Attributes
    ----------
    id : str
        Stable identifier (``conj.pearson.conjugate``); ERRATA.md refers to claims by it.
    statement : str
        The mathematical statement, in plain text.
    section : str
        Where it comes from in the lecture (``§16.2.2``) or in the issues (``registry``).
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        How the verdict was reached (why symbolic did not close, the counterexample …).
    seconds : float
        Wall time of the check.
    """

    id: str
    statement: str
    section: str
    verdict: str
    reason: str = ""
    seconds: float = 0.0

    def as_dict(self, timings: bool = True) -> dict:
        d = dict(id=self.id, statement=self.statement, section=self.section,
                 verdict=self.verdict, reason=self.reason)
        if timings:
            d["seconds"] = round(self.seconds, 3)
        return d


@dataclass
class ClaimSpec:
    """A claim before it is checked: ``check()`` returns an :class:`Outcome`.

    ``statement`` may be a callable evaluated after the check (for derived expressions).
    """

    id: str
    statement: object
    section: str
    check: Callable[[], Outcome]
    tags: tuple = field(default_factory=tuple)

    def run(self) -> Claim:
        t0 = time.perf_counter()
        try:
            out = self.check()
        except EngineMissing as exc:
            out = Outcome(NOT_RUN, str(exc))
        except Exception as exc:  # a crashed check is a failed check, with the reason
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            out = Outcome(FAILED, f"check raised {type(exc).__name__}: {exc} "
                                  f"(at {tb.name}:{tb.lineno})")
        seconds = time.perf_counter() - t0
        statement = self.statement() if callable(self.statement) else self.statement
        return Claim(self.id, str(statement), self.section, out.verdict, out.reason, seconds)


class EngineMissing(RuntimeError):
    """A cross-check needs a part of fdiv that has not landed yet."""


def require_engine(*names: str):
    """Return the ``fdiv`` module, or raise :class:`EngineMissing` naming what is absent."""
    import fdiv

    missing = [n for n in names if not hasattr(fdiv, n)]
    if missing:
        raise EngineMissing("fdiv." + ", fdiv.".join(missing) + " not available yet; "
                            "the cross-check runs as soon as it lands")
    return fdiv


def rng_for(key: str) -> np.random.Generator:
    """A generator seeded from the claim id: the same points on every run and machine."""
    return np.random.default_rng(zlib.crc32(key.encode()))


# ---------------------------------------------------------------------------------------------
# time limits for sympy (solve / simplify can run for minutes and then recurse out)

class SympyTimeout(BaseException):
    """Raised inside sympy by :func:`time_limit`; a BaseException so sympy's own
    ``except Exception`` clauses do not swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block after ``seconds`` of this process's CPU time (SIGPROF, so a loaded
    machine does not change the verdicts; main thread only, else no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum, frame):
        raise SympyTimeout(f"gave up after {seconds:g} s")

    old = signal.signal(signal.SIGPROF, _raise)
    prev = signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
        if prev[0]:  # an outer limit was running: re-arm what remains of it (approximately)
            signal.setitimer(signal.ITIMER_PROF, max(prev[0] - seconds, 1e-3))


def bounded(fn, *args, seconds: float = 3.0, default=None, **kw):
    """``fn(*args)`` or ``default`` when it raises or exceeds ``seconds``."""
    try:
        with time_limit(seconds):
            return fn(*args, **kw)
    except SympyTimeout:
        return default
    except (RecursionError, NotImplementedError, ValueError, TypeError, AttributeError,
            ZeroDivisionError):
        return default


# ---------------------------------------------------------------------------------------------
# symbolic grading

def _factor_radicals(expr):
    """``sqrt(4u² + 4u + 1)`` → ``sqrt((2u + 1)²)``, which sympy then reduces for u > 0."""
    return expr.replace(
        lambda e: e.is_Pow and e.exp.is_Rational and not e.exp.is_integer,
        lambda e: sp.Pow(sp.factor(e.base), e.exp))


def _lambertw_rewrite(expr):
    """``W(x e^x) → x`` where sympy can show ``x ≥ 0`` (the principal branch inverts x e^x on
    x ≥ −1; positivity keeps the check simple and sound).  Candidates ``x`` are the exponents
    of the ``exp`` factors inside W's argument (e.g. W(e^{1/u}/u) with x = 1/u)."""
    def rewrite(w):
        arg = w.args[0]
        for e in arg.atoms(sp.exp):
            x = e.args[0]
            if x.is_nonnegative and sp.simplify(arg - x * sp.exp(x)) == 0:
                return x
        return w

    return expr.replace(lambda e: isinstance(e, sp.LambertW) and len(e.args) == 1, rewrite)


def _candidates(expr):
    """Cheap rewrites first, ``simplify`` last (it is slow and rarely needed)."""
    yield expr
    yield sp.expand(expr)
    yield sp.cancel(sp.together(expr))
    e = sp.expand_log(expr)
    yield sp.expand(e)
    yield sp.cancel(sp.together(sp.powsimp(sp.expand_power_base(e))))
    s = sp.simplify(e)
    yield s
    yield sp.simplify(_factor_radicals(sp.factor(sp.together(s))))
    yield sp.simplify(sp.logcombine(expr))
    if expr.has(sp.LambertW):
        yield sp.simplify(_lambertw_rewrite(sp.simplify(expr)))


def symbolic_zero(expr, substitutions: Sequence[dict] = (), seconds: float = 3.0) -> bool:
    """True when ``expr`` reduces to exactly ``0`` (a proof); False means *undecided*, never
    "non-zero".

    Parameters
    ----------
    expr : sympy expression
        The residual, written over symbols carrying their domain as assumptions.
    substitutions : sequence of dict
        Domain-aware re-parametrisations tried in turn (e.g. ``{s: b - t}`` with ``t`` positive,
        ``{exp(t): 1 + w}`` with ``w`` positive), each applied with ``xreplace`` then ``subs``.
    """
    expr = sp.sympify(expr)

    def attempt():
        for sub in [None, *substitutions]:
            e = expr
            if sub:
                e = expr.xreplace(sub) if all(isinstance(k, sp.Symbol) for k in sub) \
                    else expr.subs(sub)
            for cand in _candidates(e):
                if cand == 0 or cand.is_zero is True:
                    return True
        return False

    return bool(bounded(attempt, seconds=seconds, default=False))


# ---------------------------------------------------------------------------------------------
# numeric grading

def _to_mp(expr, symbols):
    return sp.lambdify(symbols, expr, modules="mpmath")


def mp_max_residual(residual, symbols, points, scale=None):
    """``max |residual| / max(1, |scale|)`` over ``points`` at :data:`DPS` digits.

    ``residual`` and ``scale`` are sympy expressions or callables of mpf arguments.  Returns
    ``(worst, point)``; a non-finite residual is reported as ``inf``.
    """
    with mpmath.workdps(DPS):
        fres = residual if callable(residual) else _to_mp(residual, symbols)
        fsc = None
        if scale is not None:
            fsc = scale if callable(scale) else _to_mp(scale, symbols)
        worst, where = mpmath.mpf(0), None
        for pt in points:
            args = [mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x for x in pt]
            r = fres(*args)
            r = mpmath.mpmathify(r)
            if isinstance(r, mpmath.mpc):
                r = r.real if abs(r.imag) <= TOL * max(1, abs(r.real)) else mpmath.inf
            s = mpmath.mpf(1)
            if fsc is not None:
                sv = mpmath.mpmathify(fsc(*args))
                s = max(s, abs(sv.real if isinstance(sv, mpmath.mpc) else sv))
            val = abs(r) / s if mpmath.isfinite(r) else mpmath.inf
            if val > worst or where is None:
                worst, where = max(worst, val), (pt if val >= worst else where)
        return worst, where


def fmt_point(symbols, pt) -> str:
    return ", ".join(f"{s}={mpmath.nstr(mpmath.mpf(x), 8)}" for s, x in zip(symbols, pt))


def grade_identity(residual, symbols, points, *, substitutions=(), why="", scale=None,
                   tol=TOL, skip_symbolic=False) -> Outcome:
    """Grade ``residual ≡ 0``: PROVED if sympy reduces it to 0, else NUMERICALLY VERIFIED if
    mpmath finds ``|residual| ≤ tol`` at all ``points`` (≥ 20, in the domain), else FAILED with
    the worst point.

    ``why`` is stated in the reason when the symbolic step does not close.  The numeric check runs
    in every case (a PROVED claim whose numbers disagree would expose a sympy bug: FAILED).
    """
    if len(points) < 20:
        raise ValueError(f"points: {len(points)} given, the numeric grade needs at least 20")
    proved = (not skip_symbolic) and symbolic_zero(residual, substitutions)
    worst, where = mp_max_residual(residual, symbols, points, scale)
    if not worst <= tol:
        return Outcome(FAILED, f"residual {mpmath.nstr(worst, 5)} at {fmt_point(symbols, where)}"
                               f" ({DPS} digits)")
    if proved:
        return Outcome(PROVED, f"sympy reduces the residual to 0; also |residual| ≤ 1e-35 at "
                               f"{len(points)} random points ({DPS} digits)")
    return Outcome(NUMERIC, f"{why or 'sympy did not reduce the residual to 0'}; "
                            f"|residual| ≤ 1e-35 at {len(points)} random in-domain points, "
                            f"mpmath {DPS} digits")


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """The weakest verdict of several sub-checks, with their reasons joined."""
    outcomes = list(outcomes)
    order = {FAILED: 0, NOT_RUN: 1, NUMERIC: 2, PROVED: 3}
    worst = min(outcomes, key=lambda o: order[o.verdict])
    reasons = "; ".join(dict.fromkeys(o.reason for o in outcomes
                                      if o.verdict == worst.verdict and o.reason))
    return Outcome(worst.verdict, reasons)


def run_specs(specs: Iterable[ClaimSpec], only: str | None = None) -> list[Claim]:
    """Run claim specs in order (optionally only those whose id contains ``only``)."""
    out = []
    for spec in specs:
        if only and only not in spec.id:
            continue
        out.append(spec.run())
    return out
