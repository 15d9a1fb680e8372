"""Convention diagnosis: which known mistake explains a function's wrong values.

Every candidate is a transformation of the reference applied to the *same* inputs (see
:class:`fdiv.check._quantities.Mistake`): a structural one (swapped arguments, a dropped boundary
term, the conjugate over ℝ, a missing activation), a value one (½, 2, bits, √, sign) or a
structural one followed by a value one (dit's TV: the q·f(0) term dropped *and* halved).  A
candidate *explains* the results when the function's value matches it on every case where the
function returned a number; the simplest such candidate (fewest steps) wins.  When none explains
everything, the one matching the most failures is reported as partial, and the flags shared by the
failing cases are listed (they name the trap: zeros in Q, |log u| ≈ 700, …).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath as mp

from ..vectors import reference as R
from ._quantities import VALUE_MISTAKES

__all__ = ["Diagnosis", "diagnose"]

#: value-transformation pairs worth trying on their own (scipy jensenshannon with base=2 is
#: sqrt∘log2; a halved convention in bits is half∘log2)
_VALUE_PAIRS = (("log2", "sqrt"), ("log2", "half"), ("half", "sqrt"), ("double", "sqrt"),
                ("log2", "double"))

_HINTS = {
    ("swapped", None): "the arguments are swapped: the function computes D(Q‖P) (fdiv: D(P‖Q) = "
                       "E_Q[f(p/q)], P first).",
    ("half", "tv"): "TV with the ½ of probability texts and f-GAN; fdiv's TV is Σ|p − q| ≤ 2.",
    ("half", "jeffreys"): "Jeffreys halved (TFP's `jeffreys`); fdiv's is KL + reverse KL.",
    ("half", "squared_hellinger"): "squared Hellinger with a ½; fdiv's is Σ(√p − √q)² = 2(1 − BC).",
    ("double", "js"): "2·JS (TFP's `jensen_shannon`, the f-GAN generator); fdiv's JS is "
                      "½KL(P‖M) + ½KL(Q‖M) ≤ log 2.",
    ("sqrt", "js"): "√JS: scipy.spatial.distance.jensenshannon returns the Jensen–Shannon "
                    "*distance*; square it to get the divergence.",
    ("log2", None): "bits: log base 2 (dit, scipy with base=2); fdiv reports nats.",
    ("drop_q_f0", None): "where p = 0 < q the term q·f(0) is missing (summing only over p > 0, as "
                         "dit does; its TV gives 0.25 instead of 0.5).",
    ("drop_p_fprime_inf", None): "where q = 0 < p the term p·f′(∞) is missing (e.g. "
                                 "`np.where(q > 0, …)`); KL there is +inf.",
    ("drop_boundary", None): "points where p or q is 0 are skipped entirely; Csiszár's "
                             "conventions add q·f(0) and p·f′(∞).",
    ("over_reals", None): "the conjugate of f extended to u < 0 (the f-GAN table); over u ≥ 0 "
                          "it is smaller for t < f′(0+) (pearson: −1, not t²/4 + t, for t < −2).",
    ("activation_not_applied", None): "the output activation g_f is not applied to the critic "
                                      "output before the conjugate (f*(v) instead of f*(g_f(v))).",
    ("negated", None): "the sign is flipped (a loss to minimise vs an objective to maximise).",
}


#: flags of numerical traps: a case with one of them may fail on precision *in addition to* a
#: convention mistake without disqualifying it
PRECISION_FLAGS = frozenset({
    "near_equal", "near_one", "tiny_probabilities", "subnormal", "extreme_ratio", "large_logu",
    "large_logit", "float32_overflow", "float64_overflow", "underflow", "alpha_near_0",
    "alpha_near_1", "subnormal_density", "u_zero"})


@dataclass
class Diagnosis:
    """The outcome of :func:`diagnose`.

    Attributes
    ----------
    mistake : str or None
        ``'swapped'``, ``'half'``, ``'drop_q_f0+half'`` … (steps joined by ``+``); ``'precision'``
        when only numerically hard cases fail; None if nothing fits.
    explains_all : bool
        True when the mistake reproduces every numeric result of the function.
    explained, failures : int
        Failing cases it reproduces, out of all failing cases with numeric results.
    description : str
        One sentence for humans.
    alternatives : list of str
        Other mistakes of the same complexity that also explain everything.
    common_flags : list of str
        Flags present on every failing case.
    errors : dict
        Exception type → number of cases where the function raised.
    """

    mistake: str | None
    explains_all: bool
    explained: int
    failures: int
    description: str
    alternatives: list = field(default_factory=list)
    common_flags: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    def to_dict(self):
        return {"mistake": self.mistake, "explains_all": self.explains_all,
                "explained": self.explained, "failures": self.failures,
                "description": self.description, "alternatives": self.alternatives,
                "common_flags": self.common_flags, "errors": self.errors}


def _close(got, exp, rtol, atol):
    if exp is None:
        return False
    exp = float(exp) if not isinstance(exp, float) else exp
    if math.isnan(exp):
        return math.isnan(got)
    if math.isinf(exp):
        return got == exp
    if not math.isfinite(got):
        return False
    return abs(got - exp) <= atol + rtol * abs(exp)


def _to_float(x):
    if x is None:
        return None
    try:
        x = mp.mpf(x)
    except (TypeError, ValueError):
        return None
    return float(x)


def _hint(steps, divergence):
    parts = []
    for s in steps:
        text = _HINTS.get((s, divergence)) or _HINTS.get((s, None))
        if text is None:
            m = VALUE_MISTAKES.get(s)
            text = m.description if m else s
        parts.append(text)
    return " ".join(parts)


def diagnose(quantity, gen, results, form, divergence=None):
    """A :class:`Diagnosis` of ``results`` (CaseResult list) or None when everything passed."""
    failing = [r for r in results if not r.passed]
    if not failing:
        return None
    errors = {}
    for r in failing:
        if r.error is not None:
            key = r.error.split(":", 1)[0]
            errors[key] = errors.get(key, 0) + 1
    flag_sets = [set(r.flags) for r in failing]
    common = sorted(set.intersection(*flag_sets)) if flag_sets else []
    numeric = [r for r in results if r.error is None and r.got is not None]
    num_fail = [r for r in numeric if not r.passed]

    if not num_fail:
        desc = "the function raised or returned no number on every failing case" if errors else ""
        return Diagnosis(None, False, 0, 0, desc, [], common, errors)

    if all(set(r.flags) & PRECISION_FLAGS for r in num_fail):
        flags = sorted({f for r in num_fail for f in r.flags} & PRECISION_FLAGS)
        desc = ("the convention is right (every ordinary case passes); the failures are all on "
                f"numerically hard cases ({', '.join(flags)}): the computation loses precision "
                "or overflows there — work in log space (log-sigmoid, logaddexp, log1p, expm1)")
        return Diagnosis("precision", False, len(num_fail), len(num_fail), desc, [], common, errors)

    # reference and structural values per case (mpmath, exact inputs)
    structural = dict(quantity.structural)
    svals = {name: {} for name in structural}
    for r in numeric:
        for name, m in structural.items():
            try:
                # a dozen digits decide a match; extreme inputs (flagged) may not get them, and
                # do not disqualify a mistake (PRECISION_FLAGS)
                v = R.precise(lambda _x, m=m, r=r: m.fn(gen, r.inputs, form), r.numbers,
                              digits=12, levels=(30, 60))
            except Exception:  # noqa: BLE001  (a mistake model undefined on this input)
                v = None
            svals[name][r.key] = v
    refs = {r.key: r.reference for r in numeric}

    candidates = []  # (cost, steps, values-by-key)
    vnames = [v for v in quantity.value_mistakes if v in VALUE_MISTAKES]
    for name, m in structural.items():
        candidates.append((m.cost, (name,), svals[name]))
        for v in vnames:
            fn = VALUE_MISTAKES[v].fn
            candidates.append((m.cost + 1, (name, v),
                               {k: (fn(x) if x is not None else None) for k, x in svals[name].items()}))
    for v in vnames:
        fn = VALUE_MISTAKES[v].fn
        candidates.append((1, (v,), {k: (fn(x) if x is not None else None) for k, x in refs.items()}))
    for a, b in _VALUE_PAIRS:
        if a in vnames and b in vnames:
            fa, fb = VALUE_MISTAKES[a].fn, VALUE_MISTAKES[b].fn
            candidates.append((2, (a, b), {k: (fb(fa(x)) if x is not None else None)
                                           for k, x in refs.items()}))

    scored = []
    for order, (cost, steps, vals) in enumerate(candidates):
        matches_all, explained, precision = True, 0, []
        for r in numeric:
            hv = _to_float(vals.get(r.key))
            if hv is None:
                continue  # the mistake's value is unknown here (undefined, or precision refused)
            ok = _close(r.got, hv, max(r.rtol, 1e-7), max(r.atol, 1e-12))
            if not ok:
                if set(r.flags) & PRECISION_FLAGS:
                    precision.append(r)   # a numerical trap on top of the convention
                else:
                    matches_all = False
            elif not r.passed:
                explained += 1
        if explained:
            scored.append((matches_all, explained, cost, order, steps, precision))
    full = sorted([s for s in scored if s[0]], key=lambda s: (s[2], s[3]))
    if full:
        best = full[0]
        alts = ["+".join(s[4]) for s in full[1:] if s[2] == best[2]]
        steps, precision = best[4], best[5]
        desc = (f"Every result matches the reference with {' then '.join(steps)} applied: "
                + _hint(steps, divergence))
        if precision:
            flags = sorted({f for r in precision for f in r.flags} & PRECISION_FLAGS)
            desc += (f" Besides, {len(precision)} case(s) flagged {', '.join(flags)} are off even "
                     f"after that: a loss of precision ({', '.join(r.key for r in precision[:5])}).")
        return Diagnosis("+".join(steps), True, best[1], len(num_fail), desc, alts, common, errors)
    partial = sorted(scored, key=lambda s: (-s[1], s[2], s[3]))
    if partial and partial[0][1] * 2 >= len(num_fail) and partial[0][1] >= 2:
        best = partial[0]
        steps = best[4]
        desc = (f"{best[1]} of {len(num_fail)} failing cases match {' then '.join(steps)} "
                f"(but not every case does): " + _hint(steps, divergence))
        return Diagnosis("+".join(steps), False, best[1], len(num_fail), desc, [], common, errors)
    desc = "no single known convention mistake explains the failures"
    if common:
        desc += f"; every failing case is flagged {', '.join(common)}"
    return Diagnosis(None, False, 0, len(num_fail), desc, [], common, errors)
