"""Atomic ``.npz`` writes for training checkpoints.

The arrays go to ``path + '.tmp'`` first and the file is then renamed over ``path``
(:func:`os.replace`, atomic on POSIX and Windows), so an interrupted write never replaces a good
checkpoint with a truncated one.  The layout inside the file is the caller's:
:meth:`fdiv.gan.loop.GANTrainer.save` and :func:`fdiv.ebm.checkpoint.save_state` each have their own.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["savez_atomic"]


def savez_atomic(path, arrays: dict) -> None:
    """Write ``arrays`` to the ``.npz`` file ``path`` atomically (uncompressed, no pickles).

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file; ``path + '.tmp'`` is used as the temporary name.
    arrays : dict of str to array_like
        The arrays by name, as for :func:`numpy.savez`.
    """
    path = os.fspath(path)
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)
