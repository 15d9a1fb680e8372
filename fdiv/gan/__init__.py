"""GAN and f-GAN objectives, the lecture's training loop, critic-only checks and toy metrics."""
from .critic import Critic, central_window, evaluate_critic, train_critic
from .derivatives import activation_derivatives
from .loop import GANConfig, GANTrainer, TrainingDiverged
from .metrics import GaussianKDE, density_metrics, mode_metrics
from .objectives import FGAN, GENERATOR_LOSSES, JSGAN, make_objective

__all__ = ["JSGAN", "FGAN", "make_objective", "GENERATOR_LOSSES", "activation_derivatives",
           "GANConfig", "GANTrainer", "TrainingDiverged", "train_critic", "evaluate_critic",
           "central_window", "Critic", "mode_metrics", "density_metrics", "GaussianKDE"]
