"""Graph nodes the cyclic garbage collector does not track, when the C helper is built.

`pip install` compiles `_untracked.c` when a C compiler is there. Its nodes are
freed by reference counting as before, but the collector no longer rescans the
whole graph as it grows, which makes large graphs about twice as fast (README,
"Speed"). A node becomes tracked again as soon as it could be part of a
reference cycle: an attribute stored in its `__dict__`, a closure set as its
`_backward`, parents set by hand, or a `create_graph` gradient (`track_graph`).
A write straight into `vars(node)` is not seen: a cycle made only that way is
never collected.

Without a compiler, or with the environment variable VALUEGRAD_PURE_PYTHON=1
set before import, the same names are plain Python: every node is tracked, as
any Python object is. The numbers are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .native import load

__all__ = ["EXTENSION", "Node", "maker", "plain_maker", "track", "track_graph"]

FIELDS = ("data", "grad", "_a", "_b", "_op", "_fn", "_ctx")  # make()'s argument order


_C = load("_untracked")
EXTENSION: bool = _C is not None
"""True when nodes are made by the C helper (untracked by the cyclic collector)."""

if _C is not None:
    Node = _C.Node
    track: Callable[[object], None] = _C.track
else:

    class Node:  # type: ignore[no-redef]
        """The base of `Value`: a plain class when the C helper is not built."""

        __slots__ = ()

    def track(obj: object) -> None:
        """Let the cyclic garbage collector track `obj` (every object already is here)."""


def maker(cls: type) -> Callable[[float, Any, Any, str, Any, Any], Any]:
    """make(data, a, b, op, fn, ctx): a new `cls` with those slots and grad 0.0,
    untracked by the cyclic collector when the C helper is built."""
    if _C is None:
        return plain_maker(cls)
    _C.configure(cls, FIELDS)
    return _C.make


def plain_maker(cls: type) -> Callable[[float, Any, Any, str, Any, Any], Any]:
    """`maker` in plain Python (without the C helper): the same slots, tracked nodes."""
    new = cls.__new__

    def make(data, a, b, op, fn, ctx):
        out = new(cls)
        out.data = data
        out.grad = 0.0
        out._a = a
        out._b = b
        out._op = op
        out._fn = fn
        out._ctx = ctx
        return out

    return make


def track_graph(roots: Iterable[Any]) -> None:
    """Track every node reachable from `roots` through parents and Value gradients:
    a gradient graph that refers back to its leaves is a reference cycle."""
    if _C is None:
        return
    stack = list(roots)
    seen: set[int] = set()
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        _C.track(v)
        stack.extend(v._prev)
        if isinstance(v.grad, Node):
            stack.append(v.grad)
