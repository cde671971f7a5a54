"""A functional API, as in JAX: `grad(f)` is the function that computes f's gradient.

    grad(lambda x: x.sin() * x)(1.0)        # a float
    grad(grad(lambda x: x**3))(2.0)         # 12.0: nest for higher derivatives
    hessian(lambda x, y: x * x * y)(1.0, 2.0)

Float inputs give float results. Called with `Value` inputs (as happens when
calls are nested) the results are `Value`s that carry their own graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value
from .higher import gradients

__all__ = ["grad", "value_and_grad", "hessian"]


def _argnums(argnums: int | Sequence[int], n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"argnums {i} is out of range for {n} arguments")
    return tuple(i % n for i in nums)


def _plain(x: Value | float, keep: bool) -> Value | float:
    """A result as the caller wants it: a Value when differentiating further, else a float."""
    if keep:
        return x
    return x.data if isinstance(x, Value) else float(x)


def value_and_grad(
    f: Callable[..., Value | float], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple]:
    """The function returning (f(*args), df/d args[argnums])."""

    def value_and_grad_f(*args):
        nums = _argnums(argnums, len(args))
        call = list(args)
        for i in nums:
            if not isinstance(args[i], Value):
                call[i] = Value(float(args[i]))
        out = f(*call)
        nested = any(isinstance(args[i], Value) for i in nums)
        targets = [call[i] for i in nums]
        if isinstance(out, Value):
            gs = gradients(out, targets, create_graph=nested)
        elif isinstance(out, (int, float)):  # f did not use its inputs: a constant
            gs = [0.0] * len(nums)
        else:
            raise TypeError(f"grad(): f returned {type(out).__name__}, not a Value or number")
        gs = [_plain(g, nested) for g in gs]
        value = _plain(out, nested)
        return value, (gs[0] if isinstance(argnums, int) else tuple(gs))

    return value_and_grad_f


def grad(f: Callable[..., Value | float], argnums: int | Sequence[int] = 0) -> Callable:
    """The function returning df/d args[argnums] (a tuple for several argnums)."""

    def grad_f(*args):
        return value_and_grad(f, argnums)(*args)[1]

    return grad_f


def hessian(f: Callable[..., Value]) -> Callable[..., list[list[float]]]:
    """The function returning the matrix of second derivatives of f at its (float) args."""

    def hessian_f(*args):
        leaves = [Value(float(a)) for a in args]
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"hessian(): f returned {type(out).__name__}, not a Value")
        rows = []
        for g in gradients(out, leaves, create_graph=True):
            if isinstance(g, Value):
                rows.append([float(h) for h in gradients(g, leaves)])
            else:  # this first derivative is a constant
                rows.append([0.0] * len(leaves))
        return rows

    return hessian_f
