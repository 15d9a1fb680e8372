"""One encoding of non-finite floats for JSON files and for reproduction lines.

Strict JSON has no ``inf`` or ``nan``.  Everywhere fdiv writes JSON (the shipped test vectors,
``fdiv check`` reports, ``fdiv divergence --json``, training metrics) a non-finite float is the
string ``"inf"``, ``"-inf"`` or ``"nan"`` and every finite float stays a JSON number; Python's
``float`` reads all three strings back, so :func:`decode_float` is ``float`` applied elementwise.

Reproduction lines (``fdiv check``, ``fdiv grade``) need Python *source* for a float instead:
:func:`float_literal` spells the non-finite values either with builtins (``float('inf')``) or
with numpy (``np.inf``).

The child process of the sandbox (:mod:`fdiv._sandbox_runner`) keeps its own tagged codec: it
must run without importing :mod:`fdiv`.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["encode_float", "decode_float", "jsonable", "float_literal", "array_literal"]

#: How :func:`float_literal` spells ``(nan, inf)`` in each style.
_LITERALS = {"builtin": ("float('nan')", "float('inf')"), "numpy": ("np.nan", "np.inf")}


def encode_float(x):
    """A float as a strict-JSON value: a number, or ``'inf'``, ``'-inf'``, ``'nan'``.

    Parameters
    ----------
    x : float-like or None
        The value (any object ``float`` accepts).  ``None`` (a missing value) stays ``None``.

    Returns
    -------
    float or str or None
        ``float(x)`` when it is finite, else its name as a string.

    See Also
    --------
    decode_float : the inverse.
    """
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def decode_float(x):
    """A float from a JSON field written by :func:`encode_float` (lists decode elementwise).

    Parameters
    ----------
    x : float or int or str or list
        A JSON number, a decimal string, ``'inf'``, ``'-inf'``, ``'nan'``, or a (nested) list of
        those.

    Returns
    -------
    float or list
        ``float(x)``, or a list of the decoded elements.
    """
    if isinstance(x, list):
        return [decode_float(v) for v in x]
    return float(x)


def jsonable(obj):
    """A copy of ``obj`` that :func:`json.dumps` writes as strict JSON.

    Non-finite floats become ``'inf'``, ``'-inf'``, ``'nan'`` (:func:`encode_float`), numpy
    scalars become Python scalars, tuples become lists; dicts and lists are converted
    recursively and everything else is returned unchanged.

    Parameters
    ----------
    obj : object
        Nested dicts, lists and tuples of scalars.

    Returns
    -------
    object
        The converted structure.
    """
    if isinstance(obj, float) and not math.isfinite(obj):
        return encode_float(obj)
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    return obj


def float_literal(x, style: str = "builtin") -> str:
    """Python source that evaluates to the float ``x`` (``repr`` when finite).

    Parameters
    ----------
    x : float-like
        The value.
    style : {'builtin', 'numpy'}
        How non-finite values are spelled: ``float('nan')``, ``float('inf')``,
        ``-float('inf')`` (``'builtin'``) or ``np.nan``, ``np.inf``, ``-np.inf`` (``'numpy'``,
        for code that imports numpy as ``np``).

    Returns
    -------
    str
        The literal.
    """
    nan, inf = _LITERALS[style]
    x = float(x)
    if math.isnan(x):
        return nan
    if math.isinf(x):
        return inf if x > 0 else "-" + inf
    return repr(x)


def array_literal(xs, style: str = "builtin") -> str:
    """Python source ``np.array([...])`` for a 1-D sequence of floats (see :func:`float_literal`).

    Parameters
    ----------
    xs : iterable of float-like
        The elements.
    style : {'builtin', 'numpy'}
        Passed to :func:`float_literal`.

    Returns
    -------
    str
        The literal.
    """
    return "np.array([" + ", ".join(float_literal(x, style) for x in xs) + "])"
