"""A small NumPy neural-network toolkit with hand-written backprop (MLP, Adam, SGD, gradcheck)."""
from .activations import ACTIVATIONS, get_activation
from .gradcheck import gradcheck, numerical_gradient
from .mlp import MLP, as_generator
from .optim import SGD, Adam
from .threads import blas_threads

__all__ = ["MLP", "Adam", "SGD", "gradcheck", "numerical_gradient", "get_activation",
           "ACTIVATIONS", "as_generator", "blas_threads"]
