"""Fused ops: one node for a whole weighted sum, a plain sum, or a loss.

`linear(ws, xs, b)` is `b + w0*x0 + w1*x1 + ...` computed in that order, so its
value is bit-for-bit that of the unfused expression; but it is one node with
one closure instead of 2n nodes. `total(vs)` is the same for a plain sum.
`binary_cross_entropy` and `bce_with_logits` are the mean losses as PyTorch
computes them, each one node over the whole batch.

A fused op keeps what its backward pass needs as it was at forward time: its
inputs in tuples, never the caller's (mutable) list. As in the unfused graph, a
`Value` input is read again (its `.data`) when gradients are computed.

`linear`'s four loops (`_values_sum`, `_weighted_sum`, `_linear_bw_values`,
`_linear_bw`) run in C when the helper `_fused.c` is built and the inputs are
plain (Values whose data and grad are floats, and floats): the same float
operations in the same order, so the same numbers. Anything else runs the
Python loop written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .domain import as_float, sigmoid
from .engine import Value, _node
from .higher import register_rule
from .native import load

__all__ = [
    "linear",
    "fused_linear",
    "all_values",
    "total",
    "snapshot",
    "binary_cross_entropy",
    "bce_with_logits",
]


_PLAIN = {Value, float}


def snapshot(xs: Sequence[Value | float], op: str = "linear()") -> tuple[Value | float, ...]:
    """`xs` as a tuple of `Value`s and floats, to share among the fused ops that read it."""
    t = tuple(xs)
    if set(map(type, t)) <= _PLAIN:  # the common case, checked at C speed
        return t
    return tuple(x if isinstance(x, Value) else as_float(x, op) for x in t)


def linear(ws: Sequence[Value], xs: Sequence[Value | float], b: Value | None = None) -> Value:
    """b + sum(w * x), as one node. `xs` may mix `Value`s and plain numbers.

    A tuple `xs` (e.g. from `snapshot`, shared by a layer's neurons) is kept as
    it is; any other sequence is copied first, so refilling or changing it after
    the forward pass does not change the gradients.
    """
    xs = xs if type(xs) is tuple else snapshot(xs)
    return fused_linear(ws, xs, b, all_values(xs))


def all_values(xs: tuple[Value | float, ...]) -> bool:
    """Whether every entry of a snapshot is a `Value` (a hidden layer's inputs)."""
    return set(map(type, xs)) == _VALUE  # at C speed


def fused_linear(
    ws: Sequence[Value], xs: tuple[Value | float, ...], b: Value | None, values: bool
) -> Value:
    """`linear` on a snapshot `xs`, told whether it holds only Values (`all_values(xs)`):
    a layer checks its inputs once for all its neurons. Told wrongly, it checks again."""
    ws = ws if type(ws) is tuple else tuple(ws)
    if len(ws) != len(xs):
        raise ValueError(f"linear(): {len(ws)} weights but {len(xs)} inputs")
    try:
        acc = _values_sum(ws, xs, b) if values else _weighted_sum(ws, xs, b)
    except AttributeError:  # a weight or bias that is not a Value: say which
        bad = next((p for p in (*ws, b) if p is not None and not isinstance(p, Value)), None)
        if bad is None:  # told `values` wrongly: a number among xs
            return fused_linear(ws, xs, b, False)
        raise TypeError(
            f"linear(): weights and bias must be Values (parameters), got {bad!r}"
        ) from None
    if type(acc) is not float:  # a numpy scalar in a given tuple: data and grads stay floats
        xs = snapshot(xs, "linear()")
        acc = _weighted_sum(ws, xs, b)
    bias = (b,) if b is not None else ()
    if values:
        return _node(acc, (*ws, *xs, *bias), "linear", _linear_bw_values, (ws, xs, b), shared=True)
    parents = (*ws, *[x for x in xs if isinstance(x, Value)], *bias)
    return _node(acc, parents, "linear", _linear_bw, (ws, xs, b), shared=True)


_VALUE = {Value}
_C = load("_fused")
if _C is not None:
    _C.configure(Value, ("data", "grad"))


def _linear_bw_values(out: Value, g: float) -> None:
    """`_linear_bw` where every input is a Value: the same operations in the same order."""
    ws, xs, b = out._ctx
    if _C is not None and _C.linear_bw_values(ws, xs, b, g):
        return
    for w, x in zip(ws, xs):
        w.grad += x.data * g
        x.grad += w.data * g
    if b is not None:
        b.grad += g


def _values_sum(ws: Sequence[Value], xs: Sequence[Value], b: Value | None) -> float:
    """`_weighted_sum` where every input is a Value."""
    if _C is not None:
        acc = _C.values_sum(ws, xs, b)
        if acc is not None:
            return acc
    acc = b.data if b is not None else 0.0
    for w, x in zip(ws, xs):
        acc += w.data * x.data
    return acc


def _linear_bw(out: Value, g: float) -> None:
    ws, xs, b = out._ctx
    if _C is not None and _C.linear_bw(ws, xs, b, g):
        return
    for w, x in zip(ws, xs):
        if isinstance(x, Value):
            w.grad += x.data * g
            x.grad += w.data * g
        else:
            w.grad += x * g
    if b is not None:
        b.grad += g


def _weighted_sum(ws: Sequence[Value], xs: Sequence[Value | float], b: Value | None) -> float:
    if _C is not None:
        acc = _C.weighted_sum(ws, xs, b)
        if acc is not None:
            return acc
    acc = b.data if b is not None else 0.0
    for w, x in zip(ws, xs):
        acc += w.data * (x.data if isinstance(x, Value) else x)
    return acc


def total(vs: Sequence[Value | float], start: Value | float = 0.0) -> Value:
    """start + v0 + v1 + ..., as one node (the order of Python's `sum` on Values)."""
    vs = tuple(vs)
    acc = _sum(vs, start)
    if type(acc) is not float:  # a numpy scalar among vs: data stays a Python float
        vs = snapshot(vs, "total()")
        acc = as_float(_sum(vs, start), "total()")
    parents = tuple(v for v in (start, *vs) if isinstance(v, Value))
    # the terms are kept (constants too), so the node can be written out again (codegen)
    return _node(acc, parents, "sum", _sum_bw, (start, vs), shared=True)


def _sum_bw(out: Value, g: float) -> None:
    for p in out._prev:
        p.grad += g


def _sum(vs: Sequence[Value | float], start: Value | float) -> float:
    acc = start.data if isinstance(start, Value) else float(start)
    for v in vs:
        acc += v.data if isinstance(v, Value) else v
    return acc


# -- losses -------------------------------------------------------------------

LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps each log here, so p = 0 or 1 gives a finite loss
BCE_EPS = 9.999999960041972e-13  # PyTorch's BCELoss gradient floor: float32(1e-12), as a double


def binary_cross_entropy(ps: Sequence[Value], ts: Sequence[float]) -> Value:
    """mean of -(t log p + (1 - t) log(1 - p)), exactly as `torch.nn.BCELoss`.

    The value: each log is clamped at -100 and log(1 - p) is `log1p(-p)`. The
    gradient is PyTorch's, (p - t) / max(p (1 - p), float32(1e-12)) / n: the
    derivative of the value wherever p (1 - p) >= 1e-12 (and no log is clamped);
    closer to 0 or 1 it is bounded (at most ~1e12 / n), where the exact
    derivative grows to 1e44 and, once the log is clamped, drops to 0.
    Callers check that every p and t is in [0, 1].
    """
    ps, ts = tuple(ps), tuple(float(t) for t in ts)
    n = _batch_size(ps, ts, "binary_cross_entropy")
    acc = 0.0
    for p, t in zip(ps, ts):
        x = p.data
        acc += (t - 1.0) * max(_log1p_neg(x), LOG_FLOOR) - t * max(_log(x), LOG_FLOOR)
    return _node(acc / n, ps, "bce", _bce_bw, ts, shared=True)


def _batch_size(outs: tuple, ts: tuple, op: str) -> int:
    if len(outs) != len(ts) or not outs:
        raise ValueError(f"{op}(): {len(outs)} outputs and {len(ts)} targets")
    return len(outs)


def _bce_bw(out: Value, g: float) -> None:
    ps, ts = out._prev, out._ctx
    n = len(ps)
    for p, t in zip(ps, ts):
        x = p.data
        p.grad += g * (x - t) / max((1.0 - x) * x, BCE_EPS) / n


def _log(x: float) -> float:
    return math.log(x) if x > 0.0 else -math.inf


def _log1p_neg(x: float) -> float:
    return math.log1p(-x) if x < 1.0 else -math.inf


def _bce_rule(out: Value, g):
    n = len(out._prev)
    grads = []
    for p, t in zip(out._prev, out._ctx):
        q = (1.0 - p) * p
        grads.append(g * (p - t) / (q if q.data > BCE_EPS else BCE_EPS) / n)
    return grads


def bce_with_logits(zs: Sequence[Value], ts: Sequence[float]) -> Value:
    """mean of -(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))), from the logits z.

    Computed as max(z, 0) - t z + log1p(exp(-|z|)), accurate at every finite z
    (also where PyTorch rounds to 0: z = -50, t = 0); the gradient is
    (sigmoid(z) - t) / n.
    """
    zs, ts = tuple(zs), tuple(float(t) for t in ts)
    n = _batch_size(zs, ts, "bce_with_logits")
    acc = 0.0
    for z, t in zip(zs, ts):
        x = z.data
        acc += (x - t * x if x > 0.0 else -t * x) + math.log1p(math.exp(-abs(x)))
    return _node(acc / n, zs, "bce_logits", _bce_logits_bw, ts, shared=True)


def _bce_logits_bw(out: Value, g: float) -> None:
    zs, ts = out._prev, out._ctx
    n = len(zs)
    for z, t in zip(zs, ts):
        z.grad += g * (sigmoid(z.data) - t) / n


register_rule("bce", _bce_rule)
register_rule(
    "bce_logits",
    lambda out, g: [g * (z.sigmoid() - t) / len(out._prev) for z, t in zip(out._prev, out._ctx)],
)
