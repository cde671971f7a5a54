"""The README's main job: build a neuron, backpropagate, and show every gradient."""

from __future__ import annotations

from .engine import Value

__all__ = ["neuron"]


def neuron() -> tuple[Value, dict[str, Value]]:
    """The 2-input tanh neuron from the micrograd lecture: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def main() -> int:
    o, inputs = neuron()
    o.backward()
    print("o = tanh(x1*w1 + x2*w2 + b)")
    print(f"  o = {o.data:.6f}")
    for name, v in inputs.items():
        print(f"  d o / d {name:<2} = {v.grad: .6f}   ({name} = {v.data:g})")
    return 0
