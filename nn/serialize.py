"""Save and load modules as JSON: the architecture, every weight exactly, and the
parameters' labels. No pickle.

Floats are written with `repr`, which reads back as the same float64; NaN and
infinities are written as the strings "nan", "inf" and "-inf". A file that is
malformed or does not fit the model raises `ValueError` naming what differs,
and leaves the model as it was. Reading is bounded by the file's size: nesting
deeper than the format's is refused before the JSON parser sees it, and the
architecture's parameter count is checked against the weights in the file
before anything is built.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from typing import Any

from .activations import ACTIVATIONS

__all__ = ["StateMixin", "save", "load", "dumps", "loads", "FORMAT", "VERSION", "MAX_DEPTH"]

FORMAT = "valuegrad-module"
VERSION = 1
MAX_DEPTH = 16  # of JSON arrays and objects; the format itself needs 7
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_KEYS = {
    "Neuron": {"type", "nin", "activation"},
    "Layer": {"type", "neurons"},
    "MLP": {"type", "layers"},
}
_TOP_KEYS = {"format", "version", "architecture", "parameters", "labels"}
# a JSON string (possessive, so an unterminated one ends the scan in one pass)
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SAME_BRACKETS = str.maketrans("{}", "[]")


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


# -- reading: check everything before building or changing anything --------------


def _object(x: Any, kind: str, where: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise ValueError(f"{where} must be a {kind} (a JSON object), not {type(x).__name__}")
    if x.get("type") != kind:
        raise ValueError(f"{where}.type is {x.get('type')!r}, expected {kind!r} here")
    keys = set(x)
    if keys != _KEYS[kind]:
        extra, missing = sorted(keys - _KEYS[kind]), sorted(_KEYS[kind] - keys)
        raise ValueError(
            f"{where}: a {kind} has keys {sorted(_KEYS[kind])}; "
            f"unexpected {extra}, missing {missing}"
        )
    return x


def _list(x: Any, where: str) -> list:
    if not isinstance(x, list):
        raise ValueError(f"{where} must be a list, not {type(x).__name__}")
    return x


def _neuron_spec(x: Any, where: str) -> tuple[int, str]:
    d = _object(x, "Neuron", where)
    nin, act = d["nin"], d["activation"]
    if isinstance(nin, bool) or not isinstance(nin, int) or nin < 0:
        raise ValueError(f"{where}.nin is {nin!r}, not a whole number >= 0")
    if not isinstance(act, str) or act not in ACTIVATIONS:
        raise ValueError(f"{where}.activation is {act!r}, not one of {', '.join(ACTIVATIONS)}")
    return nin, act


def _layer_spec(x: Any, where: str) -> list[tuple[int, str]]:
    neurons = _list(_object(x, "Layer", where)["neurons"], f"{where}.neurons")
    if not neurons:
        raise ValueError(f"{where}.neurons is empty: a Layer has at least one neuron")
    spec = [_neuron_spec(n, f"{where}.neurons[{i}]") for i, n in enumerate(neurons)]
    for i, (nin, _) in enumerate(spec):
        if nin != spec[0][0]:
            raise ValueError(
                f"{where}.neurons[{i}].nin is {nin}, but neurons[0].nin is {spec[0][0]}: "
                "the neurons of a layer take the same inputs"
            )
    return spec


def _spec(arch: Any) -> tuple[str, Any]:
    """The architecture checked against the format: (kind, neuron specs by level)."""
    where = "architecture"
    kind = arch.get("type") if isinstance(arch, dict) else None
    if kind == "Neuron":
        return kind, _neuron_spec(arch, where)
    if kind == "Layer":
        return kind, _layer_spec(arch, where)
    if kind == "MLP":
        layers = _list(_object(arch, "MLP", where)["layers"], f"{where}.layers")
        if not layers:
            raise ValueError(f"{where}.layers is empty: an MLP has at least one layer")
        spec = [_layer_spec(x, f"{where}.layers[{i}]") for i, x in enumerate(layers)]
        for i in range(1, len(spec)):
            if spec[i][0][0] != len(spec[i - 1]):
                raise ValueError(
                    f"{where}.layers[{i}] takes {spec[i][0][0]} inputs, but layers[{i - 1}] "
                    f"has {len(spec[i - 1])} neurons: the layer widths do not chain"
                )
        return kind, spec
    if not isinstance(arch, dict):
        raise ValueError(f"{where} must be a JSON object, not {type(arch).__name__}")
    raise ValueError(f"unknown module type {kind!r} (known: Neuron, Layer, MLP)")


def _count(kind: str, spec: Any) -> int:
    neurons = (
        [spec] if kind == "Neuron" else spec if kind == "Layer" else [n for s in spec for n in s]
    )
    return sum(nin + 1 for nin, _ in neurons)


def _number(x: Any, where: str) -> float:
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{where} is {x!r}, not a number")
    try:
        y = float(x)
    except OverflowError:
        raise ValueError(f"{where} is an integer too large for a float") from None
    if not math.isfinite(y):  # 1e400, Infinity or NaN in the JSON text: never meant as a weight
        raise ValueError(
            f"{where} is a JSON number that is not finite ({y!r}: out of range like "
            '1e400, or Infinity/NaN); save writes a weight that really is one as "inf", "-inf" '
            'or "nan"'
        )
    return y


def _header(state: Any) -> tuple[str, Any]:
    """Check format, version and keys; return the architecture's (kind, spec)."""
    if not isinstance(state, dict):
        raise ValueError(f"a state dict is a JSON object, not {type(state).__name__}")
    if state.get("format") != FORMAT:
        raise ValueError(f"not a valuegrad module: format is {state.get('format')!r}")
    version = state.get("version")
    if type(version) is not int or version != VERSION:
        raise ValueError(f"unsupported version {version!r} (this reads {VERSION})")
    extra = sorted(set(state) - _TOP_KEYS, key=str)
    if extra:
        raise ValueError(f"unexpected keys {extra} (a module file has {sorted(_TOP_KEYS)})")
    return _spec(state.get("architecture"))


def _weights(state: dict[str, Any], n: int, owner: str) -> tuple[list[float], list[str] | None]:
    """The parameters and labels of `state`, checked to be `n` of each."""
    values = state.get("parameters")
    if not isinstance(values, list):
        raise ValueError("'parameters' must be a list of numbers")
    if len(values) != n:
        raise ValueError(f"the file has {len(values)} parameters, {owner} {n}")
    numbers = [_number(x, f"parameters[{i}]") for i, x in enumerate(values)]
    labels = state.get("labels")
    if labels is not None:
        if not isinstance(labels, list) or len(labels) != n:
            raise ValueError(f"'labels' must be a list of {n} strings, one per parameter")
        for i, s in enumerate(labels):
            if not isinstance(s, str):
                raise ValueError(f"labels[{i}] is {s!r}, not a string")
    return numbers, labels


def _assign(params: list, numbers: list[float], labels: list[str] | None) -> None:
    for p, x in zip(params, numbers):
        p.data = x
    if labels is not None:
        for p, s in zip(params, labels):
            p.label = s


def _encode(x: float) -> float | str:
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


class StateMixin:
    """`state_dict`, `load_state_dict`, `save` and `load` for a module."""

    def state_dict(self) -> dict[str, Any]:
        """Architecture, weights and labels as plain JSON-ready data."""
        params = self.parameters()  # type: ignore[attr-defined]
        return {
            "format": FORMAT,
            "version": VERSION,
            "architecture": _arch(self),
            "parameters": [_encode(p.data) for p in params],
            "labels": [p.label for p in params],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every weight (and label) from `state`; on any mismatch, raise and change nothing."""
        _header(state)
        diff = _first_difference(state.get("architecture"), _arch(self))
        if diff:
            raise ValueError(f"the saved model does not fit this one: {diff}")
        params = self.parameters()  # type: ignore[attr-defined]
        _assign(params, *_weights(state, len(params), "the model"))

    def save(self, path: str | os.PathLike) -> None:
        """Write the module to `path` as JSON."""
        save(self, path)

    def load(self, path: str | os.PathLike):
        """Read weights from a file written by `save`, into this module; returns it."""
        self.load_state_dict(_read(path))
        return self


def _check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, before the (recursive) JSON parser sees it."""
    too_deep = ValueError(f"{name} nests arrays/objects more than {MAX_DEPTH} deep")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_SAME_BRACKETS)
    if "[" * (MAX_DEPTH + 1) in brackets:
        raise too_deep
    for _ in range(MAX_DEPTH):  # each pass removes the innermost level
        brackets = brackets.replace("[]", "")
    depth = 0  # what is left is deeper than MAX_DEPTH, or unbalanced (the parser says so)
    for c in brackets:
        depth += 1 if c == "[" else -1
        if depth > MAX_DEPTH:
            raise too_deep


def _read(path: str | os.PathLike) -> Any:
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        raise ValueError(f"{name} is not UTF-8 text: {e}") from None
    return _parse(text, name)


class _RefusedError(ValueError):
    """Valid JSON that cannot be a saved model: a repeated key, a number lost to a float."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:  # json.loads would keep the last silently
            raise _RefusedError(f"the key {key!r} appears twice in one object")
        obj[key] = value
    return obj


def _float(literal: str) -> float:
    y = float(literal)
    if y == 0 and any(c in "123456789" for c in literal.lower().split("e")[0]):
        raise _RefusedError(f"the number {literal} is too small for a float (it would load as 0)")
    return y


def _parse(text: str, name: str) -> Any:
    _check_depth(text, name)
    try:
        return json.loads(text, object_pairs_hook=_unique, parse_float=_float)
    except _RefusedError as e:
        raise ValueError(f"{name}: {e}") from None
    except RecursionError:
        raise ValueError(f"{name} nests too deep to read") from None
    except ValueError as e:  # JSONDecodeError, and integers longer than Python converts
        raise ValueError(f"{name} is not valid JSON: {e}") from None


def dumps(module) -> str:
    """`module`'s architecture and weights as the JSON text `save` writes."""
    return json.dumps(module.state_dict(), indent=1, allow_nan=False) + "\n"


def save(module, path: str | os.PathLike) -> None:
    """Write `module`'s architecture and weights to `path` as JSON, atomically: a
    uniquely named temporary file in the same folder, then renamed over `path`."""
    text = dumps(module)
    path = os.fspath(path)
    folder, base = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# the module classes by name; nn.modules puts them here (it imports this module)
KINDS: dict[str, Any] = {}


def _build(kind: str, spec: Any, numbers: list[float], labels: list[str] | None):
    MLP, Layer, Neuron = KINDS["MLP"], KINDS["Layer"], KINDS["Neuron"]  # noqa: N806

    it = iter(numbers)

    def neuron(nin: int, act: str) -> Neuron:
        w = [next(it) for _ in range(nin)]
        return Neuron.from_weights(w, next(it), act)

    if kind == "Neuron":
        module = neuron(*spec)
    elif kind == "Layer":
        module = _layer(Layer, [neuron(*n) for n in spec])
    else:
        module = MLP.from_layers([_layer(Layer, [neuron(*n) for n in layer]) for layer in spec])
    if labels is not None:
        _assign(module.parameters(), numbers, labels)
    return module


def _layer(cls, neurons):
    layer = cls(0, 0)
    layer.neurons = neurons
    layer._name()
    return layer


def load(path: str | os.PathLike):
    """A new module, built and filled from a file written by `save`."""
    return _from_state(_read(path))


def loads(text: str):
    """A new module, built and filled from JSON text as `save` writes it (`dumps`)."""
    if not isinstance(text, str):
        raise TypeError(f"loads() needs the JSON text as a str, got {type(text).__name__}")
    return _from_state(_parse(text, "the text"))


def _from_state(state: Any):
    kind, spec = _header(state)
    numbers, labels = _weights(state, _count(kind, spec), "its architecture")
    return _build(kind, spec, numbers, labels)
