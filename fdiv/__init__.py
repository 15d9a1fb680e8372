"""fdiv: a reference implementation, with verified math, of f-divergences.

The package namespace only re-exports; each concern lives in its own module:
the registry (:mod:`fdiv._registry`, members in :mod:`fdiv.divergences`), the divergence engine
(:mod:`fdiv.engine`), variational bounds (:mod:`fdiv.bounds`, :mod:`fdiv.gibbs`), oracles
(:mod:`fdiv.closed_form`), conformance checks (:mod:`fdiv.check`), and the subpackages
:mod:`fdiv.nn`, :mod:`fdiv.gan`, :mod:`fdiv.ebm`, :mod:`fdiv.grade`, :mod:`fdiv.testing`.
"""
from ._custom import custom
from ._generator import FDivergence
from ._registry import get, names, register
from .bounds import (
    CriticDomainWarning, MCEstimate, bound, bound_gap, bound_mc, donsker_varadhan,
    donsker_varadhan_mc, gan_value, nwj, nwj_mc, optimal_critic, optimal_discriminator,
)
from .check import check
from .closed_form import closed_form
from .distributions import Mixture, logpdf, parse_spec
from .engine import IntegrationWarning, divergence, integrate
from .gibbs import GibbsGap, gibbs_gap

__version__ = "0.1.0"

__all__ = [
    # registry
    "FDivergence", "get", "names", "register", "custom",
    # distributions and the engine
    "Mixture", "logpdf", "parse_spec", "IntegrationWarning", "divergence", "integrate",
    "closed_form",
    # variational bounds, critics, the Gibbs identity
    "CriticDomainWarning", "MCEstimate", "bound", "bound_gap", "bound_mc", "donsker_varadhan",
    "donsker_varadhan_mc", "gan_value", "nwj", "nwj_mc", "optimal_critic", "optimal_discriminator",
    "GibbsGap", "gibbs_gap",
    # validating other implementations
    "check",
    "__version__",
]
