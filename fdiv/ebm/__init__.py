"""Energy-based models ``p_φ ∝ exp D_φ``: exact MLE on a grid, the lecture's adversarial dual
with a normalising-flow sampler, and a Langevin baseline (lecture 16, §16.2.3)."""
from .energy import EnergyNet, QuadraticEnergy, load_energy
from .grid import Grid, GridWarning, LogPartition, clenshaw_curtis, log_partition

__all__ = ["EnergyNet", "QuadraticEnergy", "load_energy", "Grid", "GridWarning",
           "LogPartition", "clenshaw_curtis", "log_partition"]
