"""Checkpoints as one ``.npz``: arrays stored natively, everything else (ints, floats, strings,
the generator state) in a JSON skeleton that points at the arrays.

Floats go through ``repr`` (shortest round-trip), arrays through ``np.save``: a loaded state is
bit-identical to the saved one, which is what a bit-identical resume needs.  The file is written
to a temporary name and renamed, so an interrupted write never replaces a good checkpoint.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..nn.checkpoint import savez_atomic

__all__ = ["save_state", "load_state"]


def _flatten(obj, arrays):
    if isinstance(obj, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[str(k), _flatten(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return [_flatten(v, arrays) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _restore(obj, z):
    if isinstance(obj, dict):
        if "__array__" in obj:
            return z[obj["__array__"]].copy()
        return {k: _restore(v, z) for k, v in obj["__dict__"]}
    if isinstance(obj, list):
        return [_restore(v, z) for v in obj]
    return obj


def save_state(path, state: dict):
    """Write ``state`` (nested dicts/lists of arrays and JSON scalars) to ``path`` atomically."""
    arrays = {}
    skeleton = _flatten(state, arrays)
    arrays["__skeleton__"] = np.array(json.dumps(skeleton))
    savez_atomic(path, arrays)


def load_state(path) -> dict:
    """The state written by :func:`save_state`."""
    with np.load(os.fspath(path), allow_pickle=False) as z:
        return _restore(json.loads(str(z["__skeleton__"])), z)
