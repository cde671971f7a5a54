"""Published worked examples, built with `nn`: the tests and notebooks use them."""

from __future__ import annotations

from .losses import half_squared_error
from .modules import MLP, Layer
from .optim import SGD

__all__ = ["mazur_network", "mazur_train", "MAZUR_INPUTS", "MAZUR_TARGETS"]

# Matt Mazur, "A Step by Step Backpropagation Example" (2015)
MAZUR_INPUTS = [0.05, 0.10]
MAZUR_TARGETS = [0.01, 0.99]


def mazur_network(fused: bool = True) -> MLP:
    """The 2-2-2 sigmoid network with w1..w8 = 0.15 ... 0.55 and biases 0.35, 0.60,
    each parameter labelled with the article's name."""
    hidden = Layer.from_weights(
        [[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35], activation="sigmoid", fused=fused
    )
    output = Layer.from_weights(
        [[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60], activation="sigmoid", fused=fused
    )
    model = MLP.from_layers([hidden, output])
    names = ["w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"]
    for p, name in zip(model.parameters(), names):  # the article's names (b1, b2: one per layer)
        p.label = name
    return model


def weights(model: MLP) -> list:
    """w1..w8 as in the article (biases excluded: the example does not train them)."""
    return [w for layer in model.layers for n in layer.neurons for w in n.w]


def mazur_train(steps: int, model: MLP | None = None) -> tuple[MLP, float]:
    """`steps` standard backprop updates at learning rate 0.5; returns the model and the
    error before the last update's forward pass is repeated, i.e. the error after `steps`."""
    model = model or mazur_network()
    opt = SGD(weights(model), lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        half_squared_error(model(MAZUR_INPUTS), MAZUR_TARGETS).backward()
        opt.step()
    error = half_squared_error(model(MAZUR_INPUTS), MAZUR_TARGETS).data
    return model, error
