"""Neurons, layers and multi-layer perceptrons built from `autograd.Value`.

micrograd-compatible: `Neuron(nin, nonlin=False)`, `neuron.w`, `neuron.b`,
`layer.neurons`, `mlp.layers`, and with no seed the weights come from the
global `random` module in micrograd's order, so micrograd code gives the same
numbers with only the import changed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from autograd import Value
from autograd.explorer import PARAM_LABEL
from autograd.ops import all_values, fused_linear, snapshot

from .activations import ACTIVATIONS
from .serialize import KINDS, StateMixin

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "Activation"]

Activation = str | Callable[[Value], Value]


def _activation(activation: Activation) -> Callable[[Value], Value]:
    if callable(activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; valid: {', '.join(ACTIVATIONS)} or a callable"
        )
    return ACTIVATIONS[activation]


def _rng(seed: int | None, rng: random.Random | None) -> random.Random:
    if seed is not None and rng is not None:
        raise ValueError("pass seed= or rng=, not both")
    if rng is not None:
        return rng
    return random.Random(seed) if seed is not None else random  # type: ignore[return-value]


# A label this module scheme gave (and may renumber when a module moves): the
# parameter's place, L<layer>.N<neuron>.w<input> or ...b. Other labels are the user's.
_PLACE = PARAM_LABEL  # the explorer's update step reads the same labels


def _place(v: Value, label: str) -> None:
    if not v.label or _PLACE.fullmatch(v.label):
        v.label = label


class Module(StateMixin):
    """Something with parameters: `parameters()`, `zero_grad()`, save and load.

    Parameters are labelled by their place, so a drawn graph shows which weight
    is which: `w0`, `b` in a Neuron; `N1.w0` (neuron 1, input 0) in a Layer;
    `L0.N1.w0`, `L0.N1.b` in an MLP. A label you set yourself is kept.
    """

    def parameters(self) -> list[Value]:
        """Every trainable `Value` of this module, in a fixed order (what an optimizer updates)."""
        return []

    def _name(self, prefix: str = "") -> None:
        """Label every parameter by its place in this module, after `prefix`."""

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0.0 (leaves accumulate across `backward()` calls)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: activation(b + sum(w_i * x_i)), with `nin` weights and one bias.

    `activation` is a name from `ACTIVATIONS` ("relu", the default, "tanh",
    "sigmoid", "leaky_relu" (slope 0.01), "softplus", "linear") or any function
    of a `Value`; micrograd's `nonlin=False` means "linear". Weights start
    uniform in [-1, 1], the bias at 0; `seed=` (or an `rng=` of your own) makes
    them reproducible, and with
    neither they come from the global `random` module as in micrograd.
    Call it on `nin` numbers or Values to get one Value.
    `fused=True` (the default) computes the weighted sum as one graph node;
    `fused=False` builds one `*` and one `+` node per input, which is what a
    drawing of the graph should show a learner. Both give the same numbers.
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        *,
        nonlin: bool | None = None,
        seed: int | None = None,
        rng: random.Random | None = None,
        fused: bool = True,
    ) -> None:
        if nonlin is not None:  # micrograd's spelling
            activation = "relu" if nonlin else "linear"
        self.activation = activation
        self._act = _activation(activation)
        self.fused = fused
        r = _rng(seed, rng)
        self.w = [Value(r.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self._name()

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the activation is "linear"."""
        return self.activation != "linear"

    @classmethod
    def from_weights(
        cls, w: Sequence[float], b: float = 0.0, activation: Activation = "relu", **kw
    ) -> Neuron:
        """A neuron with the given weights and bias (to type in a textbook network)."""
        n = cls(0, activation, **kw)
        n.w = [Value(x) for x in w]
        n.b = Value(b)
        n._name()
        return n

    def __call__(self, x: Sequence[Value | float] | Value) -> Value:
        """The neuron's output for the inputs `x` (a sequence of `nin` numbers or Values)."""
        xs = snapshot((x,) if isinstance(x, Value) else x, "Neuron")
        return self._fire(xs, all_values(xs))

    def _fire(self, x: tuple[Value | float, ...], values: bool) -> Value:
        """The neuron on a snapshot of its inputs (a layer shares one among its neurons),
        told whether the snapshot holds only Values."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        if self.fused:
            act = fused_linear(self.w, x, self.b, values)
        else:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return self._act(act)

    def parameters(self) -> list[Value]:
        """The weights w0, w1, ... then the bias b (micrograd's order)."""
        return self.w + [self.b]

    def _name(self, prefix: str = "") -> None:
        for i, w in enumerate(self.w):
            _place(w, f"{prefix}w{i}")
        _place(self.b, f"{prefix}b")

    def __repr__(self) -> str:
        name = self.activation if isinstance(self.activation, str) else "Custom"
        name = {"relu": "ReLU", "linear": "Linear"}.get(name, name.capitalize())
        return f"{name}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons on the same `nin` inputs; calling a one-neuron layer gives one Value.

    Keyword arguments (`activation`, `nonlin`, `seed`, `rng`, `fused`) are the
    `Neuron`'s; one seed or rng draws the weights of all neurons in turn.
    """

    def __init__(self, nin: int, nout: int, **kwargs) -> None:
        rng = _rng(kwargs.pop("seed", None), kwargs.pop("rng", None))
        self.neurons = [Neuron(nin, rng=rng, **kwargs) for _ in range(nout)]
        self._name()

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[float]],
        biases: Sequence[float] | None = None,
        activation: Activation = "relu",
        **kw,
    ) -> Layer:
        """A layer from a weight matrix (one row per neuron) and one bias per neuron."""
        biases = [0.0] * len(weights) if biases is None else list(biases)
        if len(biases) != len(weights):
            raise ValueError(f"Layer.from_weights: {len(weights)} rows but {len(biases)} biases")
        if len({len(row) for row in weights}) > 1:
            raise ValueError("Layer.from_weights: every row needs the same number of weights")
        layer = cls(0, 0)
        layer.neurons = [
            Neuron.from_weights(row, b, activation, **kw) for row, b in zip(weights, biases)
        ]
        layer._name()
        return layer

    def __call__(self, x: Sequence[Value | float] | Value) -> Value | list[Value]:
        """Every neuron's output for the inputs `x`: a list, or one Value if `nout` is 1."""
        xs = snapshot((x,) if isinstance(x, Value) else x, "Layer")  # one copy for all neurons
        values = all_values(xs)
        out = [n._fire(xs, values) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Each neuron's parameters (weights, then bias), neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def _name(self, prefix: str = "") -> None:
        for j, n in enumerate(self.neurons):
            n._name(f"{prefix}N{j}.")

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one layer per entry of `nouts`.

    `nouts` lists the layers' widths, the last one being the number of outputs:
    `MLP(3, [4, 4, 1])` has 3 inputs, two hidden layers of 4 neurons and one
    output (micrograd's lecture network). `activation` is applied on the hidden
    layers and `output_activation` on the last; each is one of "relu" (the
    default for hidden layers), "tanh", "sigmoid", "leaky_relu" (slope 0.01 below 0),
    "softplus", "linear" (the default for the
    output, no activation), as listed in `nn.ACTIVATIONS`, or any function of a
    `Value`. The defaults are micrograd's: ReLU hidden layers, a linear output.

    Weights are drawn uniform in [-1, 1], biases start at 0. With `seed=None`
    (the default) and no `rng=`, they come from the global `random` module in
    micrograd's order, so `random.seed(1337)` before `MLP(...)` reproduces
    micrograd's weights exactly; `seed=` (or an `rng=` of your own) gives a
    reproducible model without touching global state. `fused=False` builds one
    node per multiply and add (for drawing); the numbers are the same.
    Calling the model on `nin` numbers gives a list of Values, or one Value if
    the last layer has one neuron.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        fused: bool = True,
    ) -> None:
        r = _rng(seed, rng)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=output_activation if i == len(nouts) - 1 else activation,
                rng=r,
                fused=fused,
            )
            for i in range(len(nouts))
        ]
        self._name()

    @classmethod
    def from_layers(cls, layers: Sequence[Layer]) -> MLP:
        """An MLP of existing layers (e.g. from `Layer.from_weights`)."""
        mlp = cls(0, [])
        mlp.layers = list(layers)
        mlp._name()
        return mlp

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The network's output for the inputs `x`, layer after layer."""
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        """Every weight and bias, layer by layer, neuron by neuron (micrograd's order).

        This is the list an optimizer updates and `zero_grad()` clears:
        `sum(nin_l * nout_l + nout_l)` Values over the layers.
        """
        return [p for layer in self.layers for p in layer.parameters()]

    def to_torch(self):
        """An equivalent float64 `torch.nn.Sequential` with copies of these weights."""
        return _TO_TORCH[0](self)

    def _name(self, prefix: str = "") -> None:
        for i, layer in enumerate(self.layers):
            layer._name(f"{prefix}L{i}.")

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


KINDS.update(Neuron=Neuron, Layer=Layer, MLP=MLP)  # what nn.serialize.load builds
_TO_TORCH: list[Callable] = []  # nn.torch_bridge.to_torch, put here when nn is imported
