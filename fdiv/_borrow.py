"""Array views without a reference count, for the kernels' scratch arrays.

Passing a NumPy array from one numba function to another that is compiled separately (as every
cached function is) costs an atomic increment and decrement of its reference count: about 10 ns
per array per call, measured here.  The batch kernel passes some twenty scratch arrays per block
of nodes, which came to about a third of its time on the benchmark's Gaussian pairs.  A view
whose ``meminfo`` is null is never counted (numba's own ephemeral views do the same,
``numba/np/arrayobj.py``); it is valid only while the array it views is alive, so the kernels
borrow only arrays their caller owns for the whole call.
"""
from __future__ import annotations

from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["borrow"]


@intrinsic
def borrow(typingctx, arr):
    """``arr`` as a view with no reference count (see the module notes): the caller must keep
    ``arr`` alive while the view is used."""
    sig = arr(arr)

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        view = context.make_array(signature.return_type)(context, builder, src._getvalue())
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()

    return sig, codegen
