"""Energy-based models ``p_φ ∝ exp D_φ`` (lecture 16, §16.2.3), trained three ways and judged
exactly on a quadrature grid.

- :mod:`~fdiv.ebm.energy` — ``EnergyNet`` (an ``fdiv.nn`` MLP plus a quartic confinement, with a
  certified tail bound) and ``QuadraticEnergy`` (the Gaussian family);
- :mod:`~fdiv.ebm.grid` — Clenshaw–Curtis tensor grids, ``log Z`` with its error budget;
- :mod:`~fdiv.ebm.flows` — the dual's sampler: a NumPy normalising flow with exact entropy;
- :mod:`~fdiv.ebm.losses` — grid NLL, contrastive loss, entropy-regularised sampler loss;
- trainers :class:`MLETrainer` (exact), :class:`DualTrainer` (max_φ min_q), :class:`LangevinTrainer`;
- :mod:`~fdiv.ebm.metrics` — held-out NLL, KL(P_d‖p_φ), the Gibbs gap = KL(q‖p_φ);
- :mod:`~fdiv.ebm.run` / :mod:`~fdiv.ebm.cli` — ``fdiv train ebm``.
"""
from .dual import DualTrainer
from .energy import EnergyNet, QuadraticEnergy, load_energy
from .flows import AffineCoupling, AffineTriangular, Flow, MonotoneTanh, make_flow
from .grid import Grid, GridWarning, LogPartition, clenshaw_curtis, log_partition
from .langevin import LangevinTrainer, langevin
from .losses import contrastive, nll_grid, sampler_loss
from .metrics import evaluate, flow_terms, heldout_nll, kl_on_grid
from .mle import MLETrainer
from .run import EBMConfig, EBMRun

__all__ = ["EnergyNet", "QuadraticEnergy", "load_energy", "Grid", "GridWarning",
           "LogPartition", "clenshaw_curtis", "log_partition", "AffineTriangular",
           "MonotoneTanh", "AffineCoupling", "Flow", "make_flow", "nll_grid", "contrastive",
           "sampler_loss", "MLETrainer", "DualTrainer", "LangevinTrainer", "langevin",
           "evaluate", "flow_terms", "heldout_nll", "kl_on_grid", "EBMConfig", "EBMRun"]
