"""Gradients that are themselves `Value`s, so they can be differentiated again.

The engine's closures work on floats, which is what first derivatives need and
what makes them fast. For higher derivatives each op also has a rule here that
computes its inputs' gradients with `Value` operations, building a graph of the
derivative. `gradients(out, inputs, create_graph=True)` and
`out.backward(create_graph=True)` use these rules.

The op's closure stays the authority on numbers: each rule's result is held to
the data the closure gives (bit for bit, at edges such as 0, inf and NaN too),
so create_graph never changes a first derivative; the rule supplies the graph
through which the next derivatives flow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from . import engine
from .domain import log_base
from .engine import Value, _node, topological_order
from .gcpause import gc_paused
from .modes import _TRACING, TracingError
from .opspec import FUNCTION_OPS, FUNCTIONS, evaluate
from .untracked import track_graph

__all__ = ["gradients", "backward_with_graph", "register_rule", "RULES", "pinned"]

Grad = Value | float
Rule = Callable[[Value, Grad], Sequence[Grad]]


def _zero_pow(a: Value, e: float) -> Value:
    """a**e at a.data == 0 for an exponent e < 0, where the engine refuses 0**e: its
    limit from the right, +inf (x**e is real for x < 0 only for integer e, so the
    right is the only side), with slope e * inf, so derivatives after an infinite
    one keep going (sqrt at 0: +inf, -inf, +inf, ...) instead of turning into 0."""

    return _node(math.inf, (a,), "**", _infinite_slope, e, shared=True)


def _infinite_slope(out: Value, g: float) -> None:
    out._a.grad += out._ctx * math.inf * g


def pinned(data: float, x: Value) -> Value:
    """A node holding `data` whose derivatives are `x`'s (op "id").

    With `data = x.data` it is a fresh handle on x: the functional API differentiates
    with respect to it, so only the paths through the handle count (no perturbation
    confusion with other uses of x).
    """

    out = _node(data, (x,), "id", _identity, shared=True)
    out.label = x.label
    return out


def _identity(out: Value, g: float) -> None:
    out._a.grad += g


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
            return (g * 0.0,)
        if a.data == 0.0 and c < 1:  # d/dx x**c = c * x**(c-1) is infinite at 0
            return (g * (c * _zero_pow(a, c - 1)),)
        if a.data < 0.0 and 2.0**53 < abs(c) < math.inf:  # c - 1 rounds to c: see pow_slope
            return (g * -(c * a ** (c - 1)),)
        return (g * (c * a ** (c - 1)),)
    a, b = out._prev
    if b.data == 0:  # d/da a**0 = 0, though a**(b-1) may be inf or nan here
        slope_a = _held(b * (math.inf if a.data == 0 else a ** (b - 1)), 0.0)
    elif a.data == 0.0 and b.data < 1:  # an infinite slope; 0 ** (b-1) is refused
        slope_a = b * _zero_pow(a, b.data - 1)
    elif a.data < 0.0 and 2.0**53 < abs(b.data) < math.inf:  # b - 1 rounds to b: see pow_slope
        slope_a = -(b * a ** (b - 1))
    else:
        slope_a = b * a ** (b - 1)
    log_a = a.log() if a.data > 0 else log_base(a.data)
    return (g * slope_a, g * (out * log_a))


def _linear_rule(out: Value, g: Grad) -> Sequence[Grad]:
    ws, xs, b = out._ctx
    grads: list[Grad] = [g * x for x in xs]  # one per weight
    grads += [g * w for w, x in zip(ws, xs) if isinstance(x, Value)]
    if b is not None:
        grads.append(g)
    return grads


def _abs_rule(out: Value, g: Grad) -> Sequence[Grad]:
    x = out._prev[0].data
    return (g if x > 0 else (-g if x < 0 else 0.0),)  # 0 at the kink, as the engine


def _sqrt_rule(out: Value, g: Grad) -> Sequence[Grad]:
    if out.data:
        return (g * (0.5 / out),)
    return (g * (0.5 * _zero_pow(out._prev[0], -0.5)),)  # +inf, then -inf, ... at 0


# One rule per op: each parent's gradient, as Value operations on the node `out`,
# its parents `out._prev`, its constant `out._ctx` and the upstream gradient `g`.
# Their data is held to what the engine's own closure gives (see _graph_gradients);
# the rules supply the graph, so derivatives of every order follow.
RULES: dict[str, Rule] = {
    "+": _binary_or_const(lambda a, b, out, g: (g, g), lambda a, c, out, g: g),
    "-": _binary_or_const(lambda a, b, out, g: (g, -g), lambda a, c, out, g: g),
    "*": _binary_or_const(lambda a, b, out, g: (g * b, g * a), lambda a, c, out, g: g * c),
    "/": _binary_or_const(lambda a, b, out, g: (g / b, -g * out / b), lambda a, c, out, g: g / c),
    "neg": lambda out, g: (-g,),
    "rsub": lambda out, g: (-g,),  # c - x
    "rdiv": lambda out, g: (-g * out / out._prev[0],),  # c / x
    "**": _pow_rule,
    "rpow": lambda out, g: (g * (out * log_base(out._ctx)),),
    "sqrt": _sqrt_rule,
    "abs": _abs_rule,
    "linear": _linear_rule,
    "sum": lambda out, g: [g] * len(out._prev),
    "id": lambda out, g: (g,),
}


def _on_values(fn: Callable, method: str) -> Callable:
    return lambda x: getattr(x, method)() if isinstance(x, Value) else fn(x)


# The op table's functions, taking Values too: its gradient formulas, evaluated on
# the node's Values, are the rules of the function ops (as tinygrad's gradient.py).
_VALUE_FUNCTIONS = {
    **FUNCTIONS,
    **{f.name: _on_values(FUNCTIONS[f.name], f.name) for f in FUNCTION_OPS if f.name in FUNCTIONS},
    "fabs": _on_values(abs, "abs"),
}


def _derived(grads: Sequence[str]) -> Rule:
    """A rule that evaluates the table's gradient formulas with a, out and g as Values."""

    def rule(out: Value, g: Grad) -> Sequence[Grad]:
        a = out._prev[0]
        c = out._ctx if out._ctx is not None else 0.0
        return [evaluate(e, _VALUE_FUNCTIONS, a=a, out=out, g=g, c=c) for e in grads]

    return rule


for _f in FUNCTION_OPS:
    if _f.op not in RULES:
        RULES[_f.op] = _derived(_f.spec.grads)


def register_rule(op: str, rule: Rule) -> None:
    """Teach create_graph a custom op: `rule(out, g)` returns one gradient per parent,
    computed with Value operations (`out._prev` are the parents). Their data is held
    to what the op's own closure gives; the rule decides the higher derivatives."""
    RULES[op] = rule


def _first_order(node: Value, g: float) -> list[float]:
    """What `node`'s own closure adds to each parent's grad for upstream `g` (a parent
    that appears twice gets its total twice), leaving every `.grad` as it was."""
    parents, out_grad = node._prev, node.grad
    saved = [p.grad for p in parents]
    try:
        for p in parents:
            p.grad = 0.0
        node.grad = g  # a micrograd-style closure reads it
        node._bw(g)
        return [p.grad.data if isinstance(p.grad, Value) else p.grad for p in parents]
    finally:
        node.grad = out_grad
        for p, s in zip(parents, saved):
            p.grad = s


def _held(grad: Grad, data: float) -> Grad:
    """`grad` with exactly the data `data` (NaN matches NaN; -0.0 does not match 0.0)."""
    if not isinstance(grad, Value):
        return data
    d = grad.data
    if (d == data and math.copysign(1.0, d) == math.copysign(1.0, data)) or (
        d != d and data != data
    ):
        return grad
    return pinned(data, grad)


def _refuse_tracing(what: str) -> None:
    if _TRACING.get():
        raise TracingError(
            f"compile: {what} while tracing: the rules of derivatives branch on data (relu, "
            "abs, the edges of pow and sqrt), and the numbers it returns are data, so the "
            "compiled code would keep those of the first call and be silently wrong for "
            "other data; call the function without compile()"
        )


def _leaf(node: Value) -> bool:
    """No rule, or no parents to pass a gradient on to (a leaf given a no-op rule, as
    micrograd's Value gives every node): its gradient accumulates, as `backward()` does."""
    return node._fn is None or node._a is None


def _graph_gradients(
    root: Value, seed: Grad, inputs: Sequence[Value] | None = None
) -> tuple[list[Value], dict[Value, Grad]]:
    """d root / d node as Values with their own graph, for every node (or, given
    `inputs`, for every node on a path from an input to root).

    Each rule's result is held to the data of the engine's first-order closure, so
    create_graph gives bit for bit the numbers of the float path, edges included.
    """
    _refuse_tracing("a derivative inside the function (grad, gradients, create_graph)")
    topo = topological_order(root)
    needed: set[Value] | None = None
    if inputs is not None:
        needed = set(inputs)
        for v in topo:  # parents come first
            if v not in needed and any(p in needed for p in v._prev):
                needed.add(v)
    grads: dict[Value, Grad] = {root: seed}
    for node in reversed(topo):
        if _leaf(node) or node not in grads or (needed is not None and node not in needed):
            continue
        rule = RULES.get(node._op)
        if rule is None:
            raise NotImplementedError(
                f"create_graph: the op {node._op!r} has no rule for higher derivatives; "
                "add one with autograd.higher.register_rule"
            )
        g = grads[node]
        parents = node._prev
        contributions = list(rule(node, g))
        if len(contributions) != len(parents):
            raise RuntimeError(
                f"create_graph: the rule for {node._op!r} gave {len(contributions)} "
                f"gradients for {len(parents)} inputs"
            )
        exact = _first_order(node, g.data if isinstance(g, Value) else g)
        if len(set(parents)) < len(parents):  # x * x: one total per distinct parent
            merged: dict[Value, tuple[Grad, float]] = {}
            for p, c, e in zip(parents, contributions, exact):
                merged[p] = (merged[p][0] + c, e) if p in merged else (c, e)
            triples = [(p, c, e) for p, (c, e) in merged.items()]
        else:
            triples = list(zip(parents, contributions, exact))
        for p, c, e in triples:
            if needed is None or p in needed:
                c = _held(c, e)
                grads[p] = grads[p] + c if p in grads else c
    return topo, grads


def backward_with_graph(root: Value, gradient: Grad = 1.0) -> None:
    """`root.backward(create_graph=True)`: leaves' `.grad` become differentiable Values
    (added to what they held); other nodes' `.grad` hold this call's gradient as a float."""
    with gc_paused():
        topo, grads = _graph_gradients(root, gradient)
    for node in topo:
        g = grads.get(node, 0.0)
        if _leaf(node):
            node.grad = node.grad + g
        else:
            node.grad = g.data if isinstance(g, Value) else g
    # each leaf's gradient graph refers back to the leaf: a cycle the collector must see
    track_graph(node for node in topo if isinstance(node.grad, Value))


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
    _refuse_tracing("gradients() inside the function")
    if create_graph:
        with gc_paused():
            _, grads = _graph_gradients(output, grad_output, inputs)
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
                if v._fn is not None:
                    v._fn(v, v.grad)
            return [x.grad for x in inputs]
        finally:
            for v, g in reversed(saved):
                v.grad = g


engine._CREATE_GRAPH[0] = backward_with_graph
