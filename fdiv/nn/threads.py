"""Limit BLAS threads for small-matrix training loops (threadpoolctl, an optional extra).

Small matmuls gain nothing from threads, and on a shared 2-vCPU machine a multithreaded BLAS
was measured bimodal (1.5 ms or 12 ms for the same step, FIELD_NOTES): the trainers pin one
thread by default.  Without threadpoolctl this is a no-op (set ``OPENBLAS_NUM_THREADS=1``
before starting Python instead).
"""
from __future__ import annotations

__all__ = ["blas_threads"]


class blas_threads:
    """Context manager: at most ``n`` BLAS threads inside (``None``: leave unchanged)."""

    def __init__(self, n=1):
        self.n, self._ctx = n, None

    def __enter__(self):
        if self.n is None:
            return self
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return self
        self._ctx = threadpool_limits(limits=int(self.n), user_api="blas")
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
            self._ctx = None
        return False
