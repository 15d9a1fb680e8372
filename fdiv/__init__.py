"""fdiv: a reference implementation, with verified math, of f-divergences.

The package namespace only re-exports; each concern lives in its own module.
"""
from ._generator import FDivergence
from ._registry import get, names, register
from ._custom import custom
from .distributions import Mixture, logpdf, parse_spec
from .engine import IntegrationWarning, divergence, integrate
from .closed_form import closed_form

__version__ = "0.1.0"

__all__ = [
    "FDivergence", "get", "names", "register", "custom",
    "Mixture", "logpdf", "parse_spec",
    "IntegrationWarning", "divergence", "integrate",
    "__version__",
]

from .check import check  # noqa: E402  (fdiv.check: conformance of other implementations)

__all__.append("check")
