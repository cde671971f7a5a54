"""Gradients that are themselves `Value`s, so they can be differentiated again.

The engine's closures work on floats, which is what first derivatives need and
what makes them fast. For higher derivatives each op also has a rule here that
computes its inputs' gradients with `Value` operations, building a graph of the
derivative. `gradients(out, inputs, create_graph=True)` and
`out.backward(create_graph=True)` use these rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .domain import log_base
from .engine import Value, topological_order
from .gcpause import gc_paused

__all__ = ["gradients", "backward_with_graph", "register_rule", "RULES"]

Grad = Value | float
Rule = Callable[[Value, Grad], Sequence[Grad]]


def _sign(x: float) -> float:
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def _binary_or_const(both: Callable, const: Callable) -> Rule:
    """A rule for an op that takes either two Values or a Value and a constant."""

    def rule(out: Value, g: Grad) -> Sequence[Grad]:
        if len(out._prev) == 2:
            return both(*out._prev, out, g)
        return (const(out._prev[0], out._ctx, out, g),)

    return rule


def _pow_rule(out: Value, g: Grad) -> Sequence[Grad]:
    if len(out._prev) == 1:
        (a,), c = out._prev, out._ctx
        if c == 0:
            return (0.0,)
        if a.data == 0.0 and c < 1:
            return (g * math.inf,)
        return (g * c * a ** (c - 1),)
    a, b = out._prev
    log_a = a.log() if a.data > 0 else log_base(a.data)
    slope_a = b * a ** (b - 1) if a.data != 0.0 or b.data >= 1 else math.inf
    return (g * slope_a, g * out * log_a)


def _linear_rule(out: Value, g: Grad) -> Sequence[Grad]:
    ws, xs, b = out._ctx
    grads: list[Grad] = [g * x for x in xs]  # one per weight
    grads += [g * w for w, x in zip(ws, xs) if isinstance(x, Value)]
    if b is not None:
        grads.append(g)
    return grads


RULES: dict[str, Rule] = {
    "+": _binary_or_const(lambda a, b, out, g: (g, g), lambda a, c, out, g: g),
    "-": _binary_or_const(lambda a, b, out, g: (g, -g), lambda a, c, out, g: g),
    "*": _binary_or_const(lambda a, b, out, g: (g * b, g * a), lambda a, c, out, g: g * c),
    "/": _binary_or_const(
        lambda a, b, out, g: (g / b, -g * a / (b * b)), lambda a, c, out, g: g / c
    ),
    "neg": lambda out, g: (-g,),
    "**": _pow_rule,
    "rpow": lambda out, g: (g * out * log_base(out._ctx),),
    "exp": lambda out, g: (g * out,),
    "log": lambda out, g: (g / out._prev[0],),
    "tanh": lambda out, g: (g * (1 - out * out),),
    "sigmoid": lambda out, g: (g * out * (1 - out),),
    "ReLU": lambda out, g: (g if out._prev[0].data > 0 else 0.0,),
    "sin": lambda out, g: (g * out._prev[0].cos(),),
    "cos": lambda out, g: (-g * out._prev[0].sin(),),
    "sqrt": lambda out, g: (g * 0.5 / out if out.data else g * math.inf,),
    "abs": lambda out, g: (g * _sign(out._prev[0].data),),
    "linear": _linear_rule,
    "sum": lambda out, g: [g] * len(out._prev),
}


def register_rule(op: str, rule: Rule) -> None:
    """Teach create_graph a custom op: `rule(out, g)` returns one gradient per parent,
    computed with Value operations (`out._prev` are the parents)."""
    RULES[op] = rule


def _accumulate(grads: dict[Value, Grad], node: Value, g: Grad) -> None:
    grads[node] = grads[node] + g if node in grads else g


def _graph_gradients(root: Value, seed: Grad) -> tuple[list[Value], dict[Value, Grad]]:
    """d root / d node for every node, as Values with their own graph."""
    topo = topological_order(root)
    grads: dict[Value, Grad] = {root: seed}
    for node in reversed(topo):
        if node._bw is None or node not in grads:
            continue
        rule = RULES.get(node._op)
        if rule is None:
            raise NotImplementedError(
                f"create_graph: the op {node._op!r} has no rule for higher derivatives; "
                "add one with autograd.higher.register_rule"
            )
        for parent, g in zip(node._prev, rule(node, grads[node])):
            _accumulate(grads, parent, g)
    return topo, grads


def backward_with_graph(root: Value, gradient: Grad = 1.0) -> None:
    """`root.backward(create_graph=True)`: leaves' `.grad` become differentiable Values
    (added to what they held); other nodes' `.grad` hold this call's gradient as a float."""
    topo, grads = _graph_gradients(root, gradient)
    for node in topo:
        g = grads.get(node, 0.0)
        if node._bw is None:
            node.grad = node.grad + g
        else:
            node.grad = g.data if isinstance(g, Value) else g


def gradients(
    output: Value,
    inputs: Sequence[Value],
    grad_output: Grad = 1.0,
    create_graph: bool = False,
) -> list[Grad]:
    """d output / d input for each input, leaving every `.grad` as it was.

    With `create_graph=True` the results are `Value`s that can be differentiated
    again; otherwise floats. An input the output does not depend on gets 0.0.
    """
    if create_graph:
        _, grads = _graph_gradients(output, grad_output)
        return [grads.get(x, 0.0) for x in inputs]
    with gc_paused():
        topo = topological_order(output)
        saved = [(v, v.grad) for v in topo]
        saved += [(x, x.grad) for x in inputs]
        try:
            for v, _ in saved:
                v.grad = 0.0
            output.grad = grad_output.data if isinstance(grad_output, Value) else grad_output
            for v in reversed(topo):
                if v._bw is not None:
                    v._bw(v.grad)
            return [x.grad for x in inputs]
        finally:
            for v, g in reversed(saved):
                v.grad = g
