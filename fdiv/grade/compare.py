"""Comparing a student's value with the reference: type, shape, non-finite values, tolerance.

Every verdict comes in two wordings: ``public`` never contains the expected value (safe for hidden
cases), ``detail`` does (shown only for visible cases).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._sandbox import describe_value

__all__ = ["Verdict", "compare", "fmt"]


@dataclass
class Verdict:
    ok: bool
    public: str          # no expected values: safe for hidden cases
    detail: str = ""     # may contain the expected value (visible cases only)
    error: float = 0.0   # worst scaled error |got − expected| / (atol + rtol·|expected|)
    got: object = None   # the student's value as a float64 array when it could be converted


def fmt(x, digits=17) -> str:
    """A compact, exact-enough text for a float or an array (for messages)."""
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return fmt(float(x), digits)
        items = [fmt(float(v), digits) for v in x.ravel()[:12]]
        more = ", …" if x.size > 12 else ""
        return "[" + ", ".join(items) + more + "]"
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:.{digits}g}"
    return repr(x)


def _as_array(value):
    """float64 array from a student's value, or (None, reason)."""
    if value is None:
        return None, "returned None (is a `return` statement missing?)"
    if isinstance(value, dict) and "__object__" in value:
        return None, f"returned an {describe_value(value)}, not a number or an array of numbers"
    if isinstance(value, (str, bytes, dict, set)):
        return None, f"returned a {type(value).__name__}, not a number or an array of numbers"
    if isinstance(value, (bool, np.bool_)):
        return None, "returned a bool, not a number"
    if isinstance(value, complex) or (isinstance(value, np.ndarray) and value.dtype.kind == "c"):
        return None, "returned a complex value"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"returned a {describe_value(value)} that is not an array of real numbers"
    return arr, ""


def compare(got, expected, *, rtol, atol, scalar) -> Verdict:
    """Judge ``got`` against ``expected`` (a float, or a float64 array of the required shape).

    Equal infinities match; NaN never does.  Elementwise ``|got − expected| ≤ atol + rtol·|expected|``.
    """
    exp = np.asarray(expected, dtype=np.float64)
    arr, why = _as_array(got)
    if arr is None:
        return Verdict(False, why, why, math.inf)
    low_precision = isinstance(got, (np.ndarray, np.generic)) and got.dtype in (np.float32, np.float16)
    if scalar:
        if arr.ndim != 0:
            msg = f"returned an array of shape {arr.shape}; a single number was expected"
            return Verdict(False, msg, msg, math.inf, arr)
    elif arr.shape != exp.shape:
        msg = f"returned shape {arr.shape}, expected shape {exp.shape} (the shape of the input)"
        return Verdict(False, msg, msg, math.inf, arr)
    nan = np.isnan(arr) & ~np.isnan(exp)
    if nan.any():
        msg = "returned NaN" + (f" at index {int(np.flatnonzero(nan.ravel())[0])}" if arr.ndim else "")
        return Verdict(False, msg, f"{msg}; expected {fmt(exp)}", math.inf, arr)
    both_inf = np.isinf(exp) & (arr == exp)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(both_inf, 0.0, np.abs(arr - exp))
        scale = atol + rtol * np.where(np.isinf(exp), 0.0, np.abs(exp))
        scaled = np.where(diff == 0, 0.0, diff / scale)
    scaled = np.where(np.isnan(scaled), math.inf, scaled)
    worst = float(np.max(scaled)) if scaled.size else 0.0
    if worst <= 1.0:
        return Verdict(True, "ok", "ok", worst, arr)
    hint = " (float32/float16 result: compute in float64)" if low_precision else ""
    # ``public`` must not say what the answer is (not even "it is infinite")
    if np.any(np.isinf(arr) & ~both_inf):
        public = "wrong value: returned ±inf (overflow?)" + hint
    else:
        public = "wrong value" + hint
    if arr.ndim:
        i = int(np.argmax(scaled.ravel()))
        detail = (f"{public}: at index {i} expected {fmt(exp.ravel()[i])}, got "
                  f"{fmt(arr.ravel()[i])}")
    else:
        detail = f"{public}: expected {fmt(exp)}, got {fmt(arr)}"
    rel = _relative_error(arr, exp)
    if rel is not None:
        detail += f" (relative error {rel:.2e})"
    return Verdict(False, public, detail, worst, arr)


def _relative_error(arr, exp):
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        fin = np.isfinite(exp) & np.isfinite(arr)
        if not fin.any():
            return None
        den = np.maximum(np.abs(exp[fin]), np.finfo(float).tiny)
        return float(np.max(np.abs(arr[fin] - exp[fin]) / den))


def matches(got_arr, alt, *, rtol, atol) -> bool:
    """Whether a converted student value equals an alternative (wrong-convention) answer."""
    if got_arr is None:
        return False
    alt = np.asarray(alt, dtype=np.float64)
    if alt.shape != got_arr.shape:
        return False
    same_inf = np.isinf(alt) & (alt == got_arr)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = same_inf | (np.abs(got_arr - alt) <= atol + rtol * np.abs(alt))
    return bool(np.all(ok))
