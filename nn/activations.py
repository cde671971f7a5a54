"""The activations a neuron can take by name: the op table's functions that have a
torch module (autograd.opspec.FUNCTION_OPS), plus "linear" (none).

A module of its own, so `nn.modules`, `nn.serialize` and `nn.torch_bridge` all
read it without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value
from autograd.opspec import FUNCTION_OPS

__all__ = ["ACTIVATIONS", "TORCH_ACTIVATIONS", "TORCH_DEFAULTS", "TORCH_MINIMUMS"]

_NAMED = [f for f in FUNCTION_OPS if f.torch_module is not None]
_ORDER = ("relu", "tanh", "sigmoid")  # the lecture's three first, then the table's others
_NAMED.sort(key=lambda f: _ORDER.index(f.name) if f.name in _ORDER else len(_ORDER))

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    **{f.name: getattr(Value, f.name) for f in _NAMED},
    "linear": lambda v: v,
}
# name -> the torch.nn module class it maps to (None: no module)
TORCH_ACTIVATIONS: dict[str, str | None] = {
    **{f.name: f.torch_module for f in _NAMED},
    "linear": None,
}
# a torch module's settings the engine's op has (a module set otherwise is refused)
TORCH_DEFAULTS: dict[str, dict[str, float]] = {
    "LeakyReLU": {"negative_slope": 0.01},
    "Softplus": {"beta": 1.0},
}
# a torch module's settings that may be larger but not smaller: Softplus returns x itself
# above `threshold`, where the engine's is log(1 + e^x); from 20 up they differ by at
# most log1p(e^-20) ~ 2.1e-9, below it by more (threshold 1 at x = 2: 2.0 vs 2.127)
TORCH_MINIMUMS: dict[str, dict[str, float]] = {
    "Softplus": {"threshold": 20.0},
}
