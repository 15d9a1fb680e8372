"""Machine-checked derivations of every identity fdiv relies on (issue 3).

Each topic module exposes ``claims()``, an iterator of :class:`proofs._verdict.ClaimSpec`;
:func:`proofs.report.run_all` checks them and grades each PROVED / NUMERICALLY VERIFIED / FAILED
(or NOT RUN when a cross-check needs a part of fdiv that is missing).  ``python -m proofs`` and
``fdiv verify`` print the table; ``proofs/REPORT.md`` is the checked-in report.

Modules: :mod:`proofs.conjugates` (every registry member, picked up from ``fdiv.names()``),
:mod:`proofs.lecture_examples`, :mod:`proofs.gan_js`, :mod:`proofs.variational`,
:mod:`proofs.ebm_dual`.
"""
from ._verdict import FAILED, NOT_RUN, NUMERIC, PROVED, VERDICTS, Claim, ClaimSpec, Outcome

#: Topic modules, in report order.
MODULES = ("conjugates", "lecture_examples", "gan_js", "variational", "ebm_dual")

__all__ = ["MODULES", "Claim", "ClaimSpec", "Outcome", "PROVED", "NUMERIC", "FAILED", "NOT_RUN",
           "VERDICTS"]
