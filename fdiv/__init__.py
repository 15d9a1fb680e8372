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

from .bounds import (  # noqa: E402  (variational bounds and optimal critics, issue 4)
    CriticDomainWarning, MCEstimate, bound, bound_gap, bound_mc, donsker_varadhan,
    donsker_varadhan_mc, gan_value, nwj, nwj_mc, optimal_critic, optimal_discriminator,
)
from .gibbs import GibbsGap, gibbs_gap  # noqa: E402

__all__ += [
    "CriticDomainWarning", "MCEstimate", "bound", "bound_gap", "bound_mc", "donsker_varadhan",
    "donsker_varadhan_mc", "gan_value", "nwj", "nwj_mc", "optimal_critic", "optimal_discriminator",
    "GibbsGap", "gibbs_gap",
]
