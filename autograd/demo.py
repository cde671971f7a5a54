"""The README's main job: a neuron, backpropagated, drawn to SVG, its gradients checked."""

from __future__ import annotations

from pathlib import Path

from .engine import Value

__all__ = ["neuron", "graph", "main"]


def neuron(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432):
    """The 2-input tanh neuron from the micrograd lecture: o = tanh(x1*w1 + x2*w2 + b).

    Returns the output and the leaves by name.
    """
    names = ("x1", "x2", "w1", "w2", "b")
    leaves = {
        k: v if isinstance(v, Value) else Value(v, label=k)
        for k, v in zip(names, (x1, x2, w1, w2, b))
    }
    x1w1 = leaves["x1"] * leaves["w1"]
    x2w2 = leaves["x2"] * leaves["w2"]
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + leaves["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, leaves


PARAMETERS = ("w1", "w2", "b")


def graph() -> tuple[Value, dict[str, Value], list[Value]]:
    """The neuron after `backward()`: the output, the leaves by name, the parameters."""
    o, leaves = neuron()
    o.backward()
    return o, leaves, [leaves[k] for k in PARAMETERS]


def main(svg_path: str | Path = "demo.svg") -> int:
    from .draw import find_renderer, render
    from .gradcheck import gradcheck

    o, leaves, params = graph()
    print("o = tanh(x1*w1 + x2*w2 + b)")
    print(f"  o = {o.data:.6f}")
    for name, v in leaves.items():
        print(f"  do/d{name:<2} = {v.grad: .6f}   ({name} = {v.data:g})")
    path = render(o, svg_path, params=params)
    renderer = Path(find_renderer()[0]).name
    print(f"\ngraph: {path} ({path.stat().st_size} bytes, laid out by {renderer})")

    def f(*xs: Value) -> Value:
        return neuron(*xs)[0]

    report = gradcheck(f, list(leaves.values()), raise_exception=False)
    print("\ngradient check against central finite differences:")
    print(report)
    return 0 if report else 1
