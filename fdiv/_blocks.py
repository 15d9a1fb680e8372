"""The integrand ``q φ(p/q)`` over a block of quadrature nodes, as SIMD loops.

:func:`fdiv._kernels.integrand_point` evaluates one node at a time: a branch on the sign of
``r = log p − log q``, a call through the member's scalar kernel, two calls to libm's ``exp``.
A member may also give a *block kernel*, ``phi_block(r, v, n, theta)``: ``v[i] = φ(e^{r[i]})``
for ``r ≤ 0`` and ``e^{−r} φ(e^r)`` for ``r > 0`` (the same values as ``phi_lo``/``phi_hi``),
written without branches over :mod:`fdiv._vmath`, so that its loop vectorises (it is compiled
with ``fastmath={'contract'}``: FMAs, nothing else).  It receives C
pointers (so it compiles to a cached ``cfunc``, passed to the kernels as a first-class function
like the scalar ones); :func:`block` views them as arrays::

    def phi_block(r, v, n, theta):
        r, v = block(r, n), block(v, n)
        for i in range(n):
            v[i] = ...  # branch-free

:func:`integrand_block` then forms ``(larger density) × v`` for the block, also vectorised, and
hands every node where that product is not the plain one (a density ``±inf``, ``|r|`` beyond
the asymptote, a front density below 1e-290 times a factor above 1e10, a non-finite factor) back to
:func:`~fdiv._kernels.integrand_point`, so both paths define the same integrand.
"""
from __future__ import annotations

import threading

import numpy as np
from numba import carray, cfunc, njit, types
from numba.extending import intrinsic

from ._kernels import R_ASYMPTOTE, _integrand_kernel, integrand_point
from ._vmath import BLOCK_FASTMATH, exp

__all__ = ["BLOCK_SIG", "block", "block_kernel", "integrand_block"]

_OPTS = dict(cache=True, error_model="numpy")
_BLOCK_OPTS = dict(_OPTS, fastmath=BLOCK_FASTMATH)
_F64P = types.CPointer(types.float64)
#: signature of a member's block kernel: ``(r, v, n, theta)``
BLOCK_SIG = types.void(_F64P, _F64P, types.int64, types.float64)
_LOCK = threading.Lock()
_COMPILED: dict = {}


@njit(**_OPTS, inline="always")
def block(ptr, n):
    """The ``n`` doubles at ``ptr`` as a 1-D array (for block kernels)."""
    return carray(ptr, (n,))


@intrinsic
def _data(typingctx, arr):
    """The data pointer of a contiguous float64 array."""
    sig = _F64P(arr)

    def codegen(context, builder, signature, args):
        return context.make_array(signature.args[0])(context, builder, args[0]).data

    return sig, codegen


def _none(r, v, n, theta):  # the placeholder for members without a block kernel (never called)
    pass


def block_kernel(div):
    """``(kernel, True)`` for a member with ``phi_block`` (compiled as a cfunc, memoised and
    cached on disk), ``(placeholder, False)`` otherwise."""
    fn = div.phi_block
    key = fn if fn is not None else _none
    got = _COMPILED.get(key)
    if got is None:
        with _LOCK:
            got = _COMPILED.get(key)
            if got is None:
                got = _COMPILED[key] = cfunc(BLOCK_SIG, **_BLOCK_OPTS)(key)
    return got, fn is not None


@njit(**_OPTS, inline="always")
def _plain(r, v, w, klo, khi):
    """True where ``q φ(p/q)`` is the plain product ``w·v`` (``w`` the larger density, ``v``
    the block kernel's factor): the cases :func:`~fdiv._kernels.integrand_point` special-cases
    are excluded (an asymptote in use, non-finite factors, a tiny density times a large factor).
    For a factor growing like ``e^{k|r|}`` with k > 1 the point kernel's asymptote starts before
    ``R_ASYMPTOTE``, at :func:`~fdiv._kernels.asymptote_start`; between the two the block's
    factor, where finite, gives the same product to rounding, and where it overflowed the node
    goes to the point kernel.

    Below ``w = 1e-290`` :func:`~fdiv._kernels.integrand_point` forms the product in log space
    when ``v > 1``; here only when ``v > 1e10``: up to there both are below 1e-280 and differ
    by their roundings (under 1e-290 in absolute terms), far below any tolerance, and the
    far-tail nodes of a member whose factor grows like a power of ``r`` stay in the SIMD loop."""
    bounded = ((abs(r) <= R_ASYMPTOTE) | ((r <= 0.0) & (klo == 0.0) & (r > -np.inf))
               | ((r > 0.0) & (khi == 0.0) & (r < np.inf)))
    return bounded & (abs(v) < np.inf) & (w < np.inf) & ((w > 1e-290) | (v <= 1e10))


@njit(**_BLOCK_OPTS)
def integrand_block(lo, hi, blk, has_blk, theta, klo, mlo, khi, mhi, lp, lq, out, n, r, v):
    """``out[:n] = q φ(p/q)`` from ``lp[:n] = log p``, ``lq[:n] = log q`` (``r``, ``v``: scratch
    arrays of at least ``n``); the same values as :func:`~fdiv._kernels.integrand_point`."""
    if not has_blk:
        _integrand_kernel(lo, hi, theta, klo, mlo, khi, mhi, lp[:n], lq[:n], out[:n])
        return
    for j in range(n):
        r[j] = lp[j] - lq[j]
    blk(_data(r), _data(v), n, theta)
    special = 0
    for j in range(n):
        vj = v[j]
        w = exp(max(lp[j], lq[j]))
        plain = _plain(r[j], vj, w, klo, khi)
        out[j] = w * vj if plain else np.nan  # NaN marks the nodes left to the scalar kernel
        special += not plain
    if special:
        for j in range(n):
            if out[j] != out[j]:
                out[j] = integrand_point(lo, hi, theta, klo, mlo, khi, mhi, lp[j], lq[j])
