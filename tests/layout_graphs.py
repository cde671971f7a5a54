"""Second examples for the drawings' layout: MLP networks and graphs past the lecture neuron.

Shared by tests/test_draw_layout.py and the screenshot script; each builder returns
what it draws (a `Value` with `draw_dot` keywords, or a model for `draw_network`).
"""

from __future__ import annotations

from autograd import Value


def network(sizes: list[int], seed: int = 1):
    """An `nn.MLP` of these layer sizes, backpropagated once through an MSE loss."""
    from nn import MLP, mse

    model = MLP(sizes[0], sizes[1:], seed=seed)
    out = model([0.5 * (k + 1) * (-1) ** k for k in range(sizes[0])])
    outs = out if isinstance(out, list) else [out]
    mse(outs, [1.0] * len(outs)).backward()
    return model


def mlp_231(fused: bool, floats: bool = False):
    """nn.MLP(2, [3, 1]) on two inputs (Values x0, x1, or plain floats 1 and -2), backpropagated."""
    from nn import MLP

    model = MLP(2, [3, 1], seed=1, fused=fused)
    xs = [1.0, -2.0] if floats else [Value(1.0, label="x0"), Value(-2.0, label="x1")]
    out = model(xs)
    out.label = "out"
    out.backward()
    return out, {"params": model.parameters()}


def micrograd_readme():
    """micrograd's README example, each variable labelled by its name."""
    from test_explore_states import micrograd_readme as readme

    g = readme()  # labels a, b and g; c, d, e, f are the nodes that take them
    f = g._prev[0]._prev[0]  # g = f / 2.0 + 10.0 / f
    e = f._prev[0]  # f = e**2
    c, d = e._prev  # e = c - d
    c.label, d.label, e.label, f.label = "c", "d", "e", "f"
    return g, {}


def mlp_3441_mse(fused: bool = True):
    """nn.MLP(3, [4, 4, 1]) with an MSE loss over two samples, backpropagated."""
    from nn import MLP, mse

    model = MLP(3, [4, 4, 1], seed=2, fused=fused)
    samples = [
        [Value(2.0, label="x0"), Value(3.0, label="x1"), Value(-1.0, label="x2")],
        [Value(3.0, label="x0'"), Value(-1.0, label="x1'"), Value(0.5, label="x2'")],
    ]
    loss = mse([model(s) for s in samples], [1.0, -1.0])
    loss.label = "loss"
    loss.backward()
    return loss, {"params": model.parameters()}
