"""Save and load modules as JSON: the architecture and every weight, exactly. No pickle.

Floats are written with `repr`, which reads back as the same float64; NaN and
infinities are written as the strings "nan", "inf" and "-inf". A file that is
malformed or does not fit the model raises `ValueError` naming what differs,
and leaves the model as it was.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

__all__ = ["StateMixin", "save", "load", "FORMAT", "VERSION"]

FORMAT = "valuegrad-module"
VERSION = 1
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _arch(module) -> dict[str, Any]:
    """The architecture of a Neuron, Layer or MLP as plain JSON data."""
    kind = type(module).__name__
    if kind == "Neuron":
        if not isinstance(module.activation, str):
            raise ValueError(
                f"cannot save a custom activation {module.activation!r}; "
                "saved models use the named ones (relu, tanh, sigmoid, linear)"
            )
        return {"type": kind, "nin": len(module.w), "activation": module.activation}
    if kind == "Layer":
        return {"type": kind, "neurons": [_arch(n) for n in module.neurons]}
    if kind == "MLP":
        return {"type": kind, "layers": [_arch(layer) for layer in module.layers]}
    raise ValueError(f"cannot save a {kind}: only Neuron, Layer and MLP are known")


def _first_difference(a: Any, b: Any, path: str = "architecture") -> str | None:
    """Where two JSON-like structures first differ, as 'path: a vs b'."""
    stack = [(a, b, path)]
    while stack:
        x, y, p = stack.pop()
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y), reverse=True):
                stack.append((x.get(k), y.get(k), f"{p}.{k}"))
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return f"{p} has {len(x)} entries in the file, {len(y)} in the model"
            stack.extend(
                (xi, yi, f"{p}[{i}]") for i, (xi, yi) in reversed(list(enumerate(zip(x, y))))
            )
        elif x != y:
            return f"{p} is {x!r} in the file, {y!r} in the model"
    return None


def _number(x: Any, where: str) -> float:
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{where} is {x!r}, not a number")
    return float(x)


def _encode(x: float) -> float | str:
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


class StateMixin:
    """`state_dict`, `load_state_dict`, `save` and `load` for a module."""

    def state_dict(self) -> dict[str, Any]:
        """Architecture and weights as plain JSON-ready data."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "architecture": _arch(self),
            "parameters": [_encode(p.data) for p in self.parameters()],  # type: ignore[attr-defined]
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every weight from `state`; on any mismatch, raise and change nothing."""
        if not isinstance(state, dict):
            raise ValueError(f"a state dict is a JSON object, not {type(state).__name__}")
        if state.get("format") != FORMAT:
            raise ValueError(f"not a valuegrad module: format is {state.get('format')!r}")
        if state.get("version") != VERSION:
            raise ValueError(f"unsupported version {state.get('version')!r} (this reads {VERSION})")
        diff = _first_difference(state.get("architecture"), _arch(self))
        if diff:
            raise ValueError(f"the saved model does not fit this one: {diff}")
        params = self.parameters()  # type: ignore[attr-defined]
        values = state.get("parameters")
        if not isinstance(values, list):
            raise ValueError("'parameters' must be a list of numbers")
        if len(values) != len(params):
            raise ValueError(f"the file has {len(values)} parameters, the model {len(params)}")
        numbers = [_number(x, f"parameters[{i}]") for i, x in enumerate(values)]
        for p, x in zip(params, numbers):
            p.data = x

    def save(self, path: str | os.PathLike) -> None:
        """Write the module to `path` as JSON."""
        save(self, path)

    def load(self, path: str | os.PathLike):
        """Read weights from a file written by `save`, into this module; returns it."""
        self.load_state_dict(_read(path))
        return self


def _read(path: str | os.PathLike) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{os.fspath(path)} is not valid JSON: {e}") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{os.fspath(path)} is not UTF-8 text: {e}") from None


def save(module, path: str | os.PathLike) -> None:
    """Write `module`'s architecture and weights to `path` as JSON."""
    text = json.dumps(module.state_dict(), indent=1, allow_nan=False)
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, path)  # never leave a half-written file


def _build(arch: Any):
    from .modules import MLP, Layer, Neuron

    if not isinstance(arch, dict):
        raise ValueError(f"an architecture is a JSON object, not {type(arch).__name__}")
    kind = arch.get("type")
    if kind == "Neuron":
        nin = arch.get("nin")
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 0:
            raise ValueError(f"a Neuron's nin must be a whole number >= 0, not {nin!r}")
        return Neuron(nin, arch.get("activation"), seed=0)
    if kind == "Layer":
        layer = Layer(0, 0)
        layer.neurons = [_build(n) for n in arch.get("neurons") or []]
        return layer
    if kind == "MLP":
        return MLP.from_layers([_build(layer) for layer in arch.get("layers") or []])
    raise ValueError(f"unknown module type {kind!r} (known: Neuron, Layer, MLP)")


def load(path: str | os.PathLike):
    """A new module, built and filled from a file written by `save`."""
    state = _read(path)
    if not isinstance(state, dict):
        raise ValueError(f"{os.fspath(path)} does not hold a JSON object")
    module = _build(state.get("architecture"))
    module.load_state_dict(state)
    return module
