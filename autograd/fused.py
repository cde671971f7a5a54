"""Dense layers in a traced per-sample graph, written as numpy matrix products for `vmap`.

A layer is the `linear` nodes that read the same inputs `xs` (a layer's neurons
share one snapshot), with weights and bias that are the same for every sample
(parameters, or arguments with `in_axes=None`) and at least one input that is not.
Over numpy columns (one element per sample) such a layer is

    forward   Y = B + W @ X             one row of Y per neuron, one column per sample
    backward  dX = W.T @ G              each input's gradient, per sample
              dW = G @ X.T, dB = G summed over samples

where G stacks the neurons' gradients. When every neuron feeds one op, the same
for all (its activation: tanh, relu, x**2, ...), the op runs once on Y's matrix;
when a layer's inputs are all the rows of the layer before, read by it alone, the
matrix passes on whole (an MLP: a few lines per layer, whatever its width).

Y's entries agree with the engine's sums (b + w1*x1 + ..., left to right) to
rounding, and are that sum exactly wherever their sign could differ, so a kink
after the layer (relu, abs) sees the engine's sign. The backward products sum in
their own order. dW and dB are already summed over the samples: outputs of the
program (`Straight.summed`) that `vmap` adds to the per-sample sums.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .engine import Value
from .opspec import spec_for

__all__ = ["Layer", "find_layers", "permute"]


@dataclass(eq=False, slots=True)
class Layer:
    """One dense layer of a traced graph: its neurons (`linear` nodes, in the graph's order)."""

    neurons: list[Value]
    xs: tuple[Value, ...]
    weights: list[tuple[Value, ...]]  # per neuron
    biases: list[Value] | None  # per neuron; None when no neuron has a bias
    act: list[Value] | None = None  # per neuron, its activation (one op, the same for all)
    # the layer whose outputs (rows) are all of this one's inputs, xs[i] = its rows[perm[i]],
    # each read by this layer only: the matrix passes from layer to layer whole
    source: tuple[Layer, list[int]] | None = None
    sink: Layer | None = None  # the layer this one is the source of
    g_from: tuple[int, list[int]] | None = None  # the sink's dX: the rows' gradients, permuted
    w: int = -1  # variables of the forward pass: the weight matrix, the inputs stacked,
    x: int = -1  # the neurons' values stacked, the activations' values stacked
    y: int = -1
    u: int = -1

    @property
    def rows(self) -> list[Value]:
        """The nodes whose values are the rows of the layer's result."""
        return self.neurons if self.act is None else self.act


def find_layers(ops: list[Value], mapped: set[Value], is_leaf: Callable[[Value], bool]) -> dict:
    """Each `linear` node of `ops` that belongs to a dense layer, and each activation
    of one, -> its `Layer`.

    `mapped`: the leaves that hold one entry per sample; a node depends on the
    samples when one of its parents does.
    """
    per_sample = set(mapped)
    layers: dict[tuple, Layer] = {}
    for v in ops:
        if any(p in per_sample for p in v._prev):
            per_sample.add(v)
        if v._op != "linear":
            continue
        ws, xs, b = v._ctx

        def shared(p: object) -> bool:
            return isinstance(p, Value) and is_leaf(p) and p not in per_sample

        if not (
            all(isinstance(x, Value) for x in xs)
            and any(x in per_sample for x in xs)
            and all(shared(w) for w in ws)
            and (b is None or shared(b))
        ):
            continue
        key = (tuple(map(id, xs)), b is None)
        layer = layers.get(key)
        if layer is None:
            layer = layers[key] = Layer([], xs, [], None if b is None else [])
        layer.neurons.append(v)
        layer.weights.append(ws)
        if b is not None:
            layer.biases.append(b)
    users: dict[Value, list[Value]] = {}
    for v in ops:
        for p in v._prev:
            users.setdefault(p, []).append(v)
    found: dict[Value, Layer] = {}
    for layer in layers.values():
        found.update(dict.fromkeys(layer.neurons, layer))
        act = [users.get(v, []) for v in layer.neurons]
        if all(len(u) == 1 and len(u[0]._prev) == 1 for u in act):
            first = act[0][0]
            spec = spec_for(first._op, 1, first._ctx)
            if (
                spec is not None
                and spec.form in ("v", "vc")
                and all(u[0]._op == first._op and _same(u[0]._ctx, first._ctx) for u in act)
            ):
                layer.act = [u[0] for u in act]
                found.update(dict.fromkeys(layer.act, layer))
    rows = {}
    for layer in layers.values():
        for i, r in enumerate(layer.rows):
            rows[r] = (layer, i)
    for layer in layers.values():
        at = [rows.get(x) for x in layer.xs]
        if None in at or len({a[0] for a in at}) != 1:  # type: ignore[index]
            continue
        src = at[0][0]  # type: ignore[index]
        perm = [i for _, i in at]  # type: ignore[misc]
        if sorted(perm) == list(range(len(src.rows))) and all(
            set(users.get(r, ())) == set(layer.neurons) for r in src.rows
        ):
            layer.source, src.sink = (src, perm), layer
    return found


def permute(perm: list[int]) -> str:
    """Indexing that takes rows `perm` of a matrix (an empty string: all, in order)."""
    if perm == list(range(len(perm))):
        return ""
    if perm == list(range(len(perm) - 1, -1, -1)):
        return "[::-1]"
    return f"[{perm!r}]"


def _same(a: object, b: object) -> bool:
    """Whether two ops' constants are the same number (nan and the sign of 0 included)."""
    return type(a) is type(b) and repr(a) == repr(b)
