"""Across to PyTorch and back: an `nn.MLP` as a `torch.nn.Sequential` with the same weights.

>>> from nn import MLP
>>> from nn.torch_bridge import to_torch, from_torch
>>> seq = to_torch(MLP(2, [16, 16, 1], seed=0))  # doctest: +SKIP
>>> model = from_torch(seq)  # doctest: +SKIP

The Sequential holds one float64 `torch.nn.Linear` per layer, each followed by
the layer's activation module (`ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU`,
`Softplus`; none for a linear layer). torch is optional: it is imported only
inside these functions.
"""

from __future__ import annotations

from typing import Any

from . import modules
from .activations import TORCH_ACTIVATIONS, TORCH_DEFAULTS, TORCH_MINIMUMS
from .modules import MLP, Layer

__all__ = ["to_torch", "from_torch", "TORCH_ACTIVATIONS"]

# torch.nn module class name -> engine activation name
_FROM_TORCH = {v: k for k, v in TORCH_ACTIVATIONS.items() if v is not None}


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "nn.torch_bridge needs PyTorch, an optional extra: "
            "pip install torch (the CPU build is enough)"
        ) from e
    return torch


def _layer_activation(layer: Layer, index: int) -> str:
    names = {n.activation if isinstance(n.activation, str) else None for n in layer.neurons}
    if None in names:
        raise ValueError(
            f"to_torch: layer {index} has a custom activation; only "
            f"{', '.join(TORCH_ACTIVATIONS)} have a torch module"
        )
    if len(names) != 1:
        raise ValueError(
            f"to_torch: layer {index} mixes activations {sorted(names)}; "
            "a torch Linear layer takes one activation module"
        )
    (name,) = names
    if name not in TORCH_ACTIVATIONS:
        raise ValueError(f"to_torch: layer {index} has activation {name!r}, which has no mapping")
    return name


def to_torch(model: MLP) -> Any:
    """An equivalent `torch.nn.Sequential` (float64 Linear + activation modules), same weights.

    The weights are copied: training one does not change the other.
    """
    torch = _torch()
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch: expected an nn.MLP, got {type(model).__name__}")
    if not model.layers:
        raise ValueError("to_torch: the MLP has no layers")
    modules = []
    nin = None
    for i, layer in enumerate(model.layers):
        if not layer.neurons:
            raise ValueError(f"to_torch: layer {i} has no neurons")
        widths = {len(n.w) for n in layer.neurons}
        if len(widths) != 1:
            raise ValueError(f"to_torch: layer {i} has neurons of different input sizes {widths}")
        (width,) = widths
        if nin is not None and width != nin:
            raise ValueError(f"to_torch: layer {i} takes {width} inputs but gets {nin}")
        act = _layer_activation(layer, i)
        lin = torch.nn.Linear(width, len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(lin)
        if TORCH_ACTIVATIONS[act] is not None:
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[act])())
        nin = len(layer.neurons)
    return torch.nn.Sequential(*modules)


def from_torch(seq: Any, *, fused: bool = True) -> MLP:
    """An `nn.MLP` with the weights of a Sequential of Linear layers and activation modules.

    Accepted: `Linear` (with bias), each optionally followed by one of `ReLU`,
    `Tanh`, `Sigmoid`, `LeakyReLU` (negative_slope 0.01), `Softplus` (beta 1) or
    `Identity`. Anything else raises `ValueError` naming it.
    """
    torch = _torch()
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(seq).__name__}")
    children = list(seq.named_children())
    if not children:
        raise ValueError("from_torch: the Sequential is empty")
    layers: list[Layer] = []
    pending = None  # (name, Linear) waiting for its activation
    nin = None

    def flush(act: str) -> None:
        nonlocal pending, nin
        name, lin = pending
        if lin.bias is None:
            raise ValueError(
                f"from_torch: layer {name!r} ({lin}) has no bias; every engine neuron has one"
            )
        if nin is not None and lin.in_features != nin:
            raise ValueError(
                f"from_torch: layer {name!r} takes {lin.in_features} inputs but gets {nin}"
            )
        w = lin.weight.detach().to(torch.float64).tolist()
        b = lin.bias.detach().to(torch.float64).tolist()
        layers.append(Layer.from_weights(w, b, activation=act, fused=fused))
        nin, pending = lin.out_features, None

    for name, mod in children:
        kind = type(mod).__name__
        if isinstance(mod, torch.nn.Linear) and type(mod) is torch.nn.Linear:
            if pending is not None:
                flush("linear")
            pending = (name, mod)
        elif kind in _FROM_TORCH or kind == "Identity":
            if type(mod).__module__.split(".")[0] != "torch":
                raise ValueError(f"from_torch: unsupported layer {name!r}: {mod}")
            if pending is None:
                raise ValueError(
                    f"from_torch: activation {name!r} ({kind}) does not follow a Linear layer"
                )
            for attr, want in TORCH_DEFAULTS.get(kind, {}).items():
                if getattr(mod, attr) != want:
                    raise ValueError(
                        f"from_torch: {name!r} ({mod}) has {attr}={getattr(mod, attr)!r}; "
                        f"the engine's {_FROM_TORCH[kind]} has {want!r}"
                    )
            for attr, least in TORCH_MINIMUMS.get(kind, {}).items():
                if getattr(mod, attr) < least:
                    raise ValueError(
                        f"from_torch: {name!r} ({mod}) has {attr}={getattr(mod, attr)!r}; "
                        f"the engine's {_FROM_TORCH[kind]} matches it only for {attr} >= {least!r}"
                    )
            flush(_FROM_TORCH.get(kind, "linear"))
        else:
            raise ValueError(
                f"from_torch: unsupported layer {name!r}: {mod} "
                f"(only Linear followed by {', '.join(sorted(_FROM_TORCH))} or Identity)"
            )
    if pending is not None:
        flush("linear")
    return MLP.from_layers(layers)


modules._TO_TORCH[:] = [to_torch]  # MLP.to_torch (modules cannot import this module)
