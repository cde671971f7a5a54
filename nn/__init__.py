"""Neurons, layers, MLPs, losses and optimizers on `autograd.Value`.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> len(model.parameters())
337
"""

from . import (
    losses,
    torch_bridge,  # noqa: F401 - MLP.to_torch; torch itself only when called
)
from .data import make_moons, make_spiral
from .losses import (
    bce,
    bce_with_logits,
    half_squared_error,
    hinge,
    l2,
    mse,
    softmax_cross_entropy,
)
from .modules import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import SGD, Adam, Optimizer
from .playground import playground
from .serialize import dumps, load, loads, save
from .train import fit

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "ACTIVATIONS",
    "SGD",
    "Adam",
    "Optimizer",
    "losses",
    "half_squared_error",
    "mse",
    "bce",
    "bce_with_logits",
    "hinge",
    "softmax_cross_entropy",
    "l2",
    "make_moons",
    "make_spiral",
    "save",
    "load",
    "dumps",
    "loads",
    "fit",
    "playground",
]
