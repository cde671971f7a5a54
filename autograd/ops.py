"""Fused ops: one node for a whole weighted sum, for speed on wide layers and long sums.

`linear(ws, xs, b)` is `b + w0*x0 + w1*x1 + ...` computed in that order, so its
value is bit-for-bit that of the unfused expression; but it is one node with
one closure instead of 2n nodes. `total(vs)` is the same for a plain sum.
"""

from __future__ import annotations

from collections.abc import Sequence

from .engine import Value, _node

__all__ = ["linear", "total"]


def linear(ws: Sequence[Value], xs: Sequence[Value | float], b: Value | None = None) -> Value:
    """b + sum(w * x), as one node. `xs` may mix `Value`s and plain numbers.

    The closure keeps `ws` and `xs` as given (a layer's neurons share one input
    list), so a call allocates little beyond the node itself.
    """
    if len(ws) != len(xs):
        raise ValueError(f"linear(): {len(ws)} weights but {len(xs)} inputs")
    acc = b.data if b is not None else 0.0
    for w, x in zip(ws, xs):
        acc += w.data * (x.data if isinstance(x, Value) else x)

    def _backward(g):
        for w, x in zip(ws, xs):
            if isinstance(x, Value):
                w.grad += x.data * g
                x.grad += w.data * g
            else:
                w.grad += x * g
        if b is not None:
            b.grad += g

    parents = (*ws, *[x for x in xs if isinstance(x, Value)], *((b,) if b is not None else ()))
    return _node(acc, parents, "linear", _backward, (ws, xs, b))


def total(vs: Sequence[Value | float], start: Value | float = 0.0) -> Value:
    """start + v0 + v1 + ..., as one node (the order of Python's `sum` on Values)."""
    vs = tuple(vs)
    acc = start.data if isinstance(start, Value) else float(start)
    for v in vs:
        acc += v.data if isinstance(v, Value) else v
    parents = tuple(v for v in (start, *vs) if isinstance(v, Value))

    def _backward(g):
        for p in parents:
            p.grad += g

    # the terms are kept (constants too), so the node can be written out again (codegen)
    return _node(acc, parents, "sum", _backward, (start, vs))
