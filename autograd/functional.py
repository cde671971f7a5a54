"""A functional API, as in JAX: `grad(f)` is the function that computes f's gradient.

    grad(lambda x: x.sin() * x)(1.0)        # a float
    grad(grad(lambda x: x**3))(2.0)         # 12.0: nest for higher derivatives
    hessian(lambda x, y: x * x * y)(1.0, 2.0)

Called at top level with plain numbers, the results are floats. Called inside
another transform (nested, or from a function that one differentiates), or
with any `Value` argument, the results are `Value`s that carry their graph, so
the outer transform differentiates through them, including through values the
inner function closes over. Each transform differentiates with respect to its
own fresh handle on each argument, so nested derivatives of the same variable
stay apart (no perturbation confusion), as in JAX.

The transforms record the graph even inside `no_grad` (as `torch.func` does);
a `no_grad` block inside f is respected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .domain import as_float
from .engine import Value
from .higher import gradients, pinned
from .modes import _TRANSFORM_DEPTH, enable_grad

__all__ = ["grad", "value_and_grad", "hessian"]


def _argnums(argnums: int | Sequence[int], n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"argnums {i} is out of range for {n} arguments")
    return tuple(i % n for i in nums)


def _keeps_graph(f: Callable, args: Sequence[object]) -> bool:
    """Whether results must be Values: inside another transform, given a Value, or
    differentiating a function that closes over a Value (its derivative depends on it)."""
    return (
        _TRANSFORM_DEPTH.get() > 0
        or any(isinstance(a, Value) for a in args)
        or _closes_over_a_value(f)
    )


def _has_value(x: object) -> bool:
    if isinstance(x, Value):
        return True
    if isinstance(x, (list, tuple)):
        return any(isinstance(v, Value) for v in x)
    return isinstance(x, dict) and any(isinstance(v, Value) for v in x.values())


def _closes_over_a_value(f: Callable) -> bool:
    """Whether f reaches a Value through its closure, defaults, the globals its code
    names, a bound method's object or a partial's arguments (one level deep)."""
    f = getattr(f, "__func__", f)
    seen: list[object] = list(getattr(f, "args", ())) + list(getattr(f, "keywords", {}).values())
    f = getattr(f, "func", f)  # functools.partial
    seen += [c.cell_contents for c in getattr(f, "__closure__", None) or () if _filled(c)]
    seen += list(getattr(f, "__defaults__", None) or ())
    code, glob = getattr(f, "__code__", None), getattr(f, "__globals__", {})
    if code is not None:
        seen += [glob[name] for name in code.co_names if name in glob]
    return any(_has_value(x) for x in seen)


def _filled(cell: object) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:  # a cell not yet assigned
        return False
    return True


def _variable(x: object, name: str) -> Value:
    """What f sees for a differentiated argument: a fresh leaf for a number, a fresh
    handle (with x as its parent) for a Value."""
    return pinned(x.data, x) if isinstance(x, Value) else Value(as_float(x, name))


@contextmanager
def _inside_transform() -> Iterator[None]:
    token = _TRANSFORM_DEPTH.set(_TRANSFORM_DEPTH.get() + 1)
    try:
        yield
    finally:
        _TRANSFORM_DEPTH.reset(token)


def _result(x: Value | float, keep: bool) -> Value | float:
    """A result as the caller wants it: a Value when differentiating further, else a float."""
    if keep:
        return x if isinstance(x, Value) else Value(float(x))
    return x.data if isinstance(x, Value) else float(x)


def _output(out: object, name: str) -> Value | float:
    if isinstance(out, Value):
        return out
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return float(out)  # f did not use its inputs: a constant
    raise TypeError(f"{name}(): f returned {type(out).__name__}, not a Value or number")


def value_and_grad(
    f: Callable[..., Value | float], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple]:
    """The function returning (f(*args), df/d args[argnums])."""

    def value_and_grad_f(*args):
        nums = _argnums(argnums, len(args))
        keep = _keeps_graph(f, args)
        with enable_grad():
            variables = {i: _variable(args[i], "grad()") for i in nums}
            with _inside_transform():
                out = _output(f(*[variables.get(i, a) for i, a in enumerate(args)]), "grad")
            targets = [variables[i] for i in nums]
            if isinstance(out, Value):
                gs = gradients(out, targets, create_graph=keep)
            else:
                gs = [0.0] * len(nums)
        gs = [_result(g, keep) for g in gs]
        return _result(out, keep), (gs[0] if isinstance(argnums, int) else tuple(gs))

    return value_and_grad_f


def grad(f: Callable[..., Value | float], argnums: int | Sequence[int] = 0) -> Callable:
    """The function returning df/d args[argnums] (a tuple for several argnums)."""

    def grad_f(*args):
        return value_and_grad(f, argnums)(*args)[1]

    return grad_f


def hessian(f: Callable[..., Value | float]) -> Callable[..., list[list]]:
    """The function returning the matrix of second derivatives of f at its args
    (floats at top level; Values when nested or given Values, as `grad`)."""

    def hessian_f(*args):
        keep = _keeps_graph(f, args)
        with enable_grad():
            variables = [_variable(a, "hessian()") for a in args]
            with _inside_transform():
                out = _output(f(*variables), "hessian")
            n = len(variables)
            firsts = (
                gradients(out, variables, create_graph=True)
                if isinstance(out, Value)
                else [0.0] * n
            )
            rows = []
            for g in firsts:
                if isinstance(g, Value):
                    row = gradients(g, variables, create_graph=keep)
                else:  # this first derivative is a constant
                    row = [0.0] * n
                rows.append([_result(h, keep) for h in row])
        return rows

    return hessian_f
