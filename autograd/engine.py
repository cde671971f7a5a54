"""The scalar engine: a `Value` wraps one float and remembers how it was made.

Every operation returns a new `Value` whose `_backward` closure applies the
chain rule for that one op. `backward()` orders the graph topologically
(iteratively, so graphs millions of nodes deep work) and runs the closures in
reverse. Read this file top to bottom like micrograd's `engine.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from .domain import as_float, constant, cos, log_base, pow_data, pow_slope, sigmoid, sin
from .gcpause import gc_paused
from .modes import _MODE, _RECORD, _anomaly_check, _concrete, _freed, _record

__all__ = ["Value", "topological_order"]


_new = object.__new__


def _noop() -> None:
    pass


class Value:
    """A scalar that records the operations applied to it, for backprop."""

    # __dict__ and __weakref__ let users attach attributes (micrograd code does);
    # the dict is only created when one is set
    __slots__ = ("data", "grad", "_prev", "_op", "_bw", "label", "_ctx", "__dict__", "__weakref__")

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
        _ctx: object = None,
    ) -> None:
        self.data = data if type(data) is float else as_float(data)
        self.grad = 0.0
        self._prev = _children if type(_children) is tuple else tuple(_children)
        self._op = _op
        self._bw = None  # the op's chain rule, called with this node's grad; None for leaves
        self.label = label
        self._ctx = _ctx  # an op's constant operand (the 2 of x**2), for drawing and higher order

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's chain rule as a zero-argument closure, as in micrograd."""
        bw = self._bw
        return _noop if bw is None else lambda: bw(self.grad)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        # a micrograd-style closure reads out.grad itself
        self._bw = lambda g: fn()

    def __repr__(self) -> str:
        _concrete("repr()/str() (print, f-strings, format)")
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic ------------------------------------------------------
    # Each closure takes the output's gradient `g` and never refers to the
    # output node itself: no reference cycles, so a graph is freed as soon as
    # it is dropped, without waiting for the cyclic garbage collector.
    # A plain number operand (int, numpy scalar, ...) becomes a Python float
    # once, here, so data and gradients stay Python floats.

    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):

            def _backward(g):
                self.grad += g
                other.grad += g

            return _node(self.data + other.data, (self, other), "+", _backward)
        c = constant(other, "+")
        if c is None:
            return NotImplemented

        def _backward(g):
            self.grad += g

        return _node(self.data + c, (self,), "+", _backward, c)

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):

            def _backward(g):
                self.grad += other.data * g
                other.grad += self.data * g

            return _node(self.data * other.data, (self, other), "*", _backward)
        c = constant(other, "*")
        if c is None:
            return NotImplemented

        def _backward(g):
            self.grad += c * g

        return _node(self.data * c, (self,), "*", _backward, c)

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):

            def _backward(g):
                self.grad += g
                other.grad -= g

            return _node(self.data - other.data, (self, other), "-", _backward)
        c = constant(other, "-")
        if c is None:
            return NotImplemented

        def _backward(g):
            self.grad += g

        return _node(self.data - c, (self,), "-", _backward, c)

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(
                    f"division: {self.data!r} / {other.data!r} (the divisor is zero)"
                )
            data = self.data / other.data

            def _backward(g):
                self.grad += g / other.data
                other.grad -= g * data / other.data

            return _node(data, (self, other), "/", _backward)
        c = constant(other, "/")
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError(f"division: {self.data!r} / {c!r} (the divisor is zero)")

        def _backward(g):
            self.grad += g / c

        return _node(self.data / c, (self,), "/", _backward, c)

    def __neg__(self) -> Value:
        def _backward(g):
            self.grad -= g

        return _node(-self.data, (self,), "neg", _backward)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _pow_values(self, other)
        c = constant(other, "**")
        if c is None:
            return NotImplemented
        data = pow_data(self.data, c)

        def _backward(g):
            self.grad += pow_slope(self.data, c) * g

        return _node(data, (self,), "**", _backward, c)

    __radd__ = __add__  # c + x is x + c, and c * x is x * c, bit for bit
    __rmul__ = __mul__

    # A number on the left of -, / and ** is one node with that number as its
    # constant, named for the op as written: rsub (c - x), rdiv (c / x), rpow (c ** x).

    def __rsub__(self, other: float) -> Value:
        c = constant(other, "-")
        if c is None:
            return NotImplemented

        def _backward(g):
            self.grad -= g

        return _node(c - self.data, (self,), "rsub", _backward, c)

    def __rtruediv__(self, other: float) -> Value:
        c = constant(other, "/")
        if c is None:
            return NotImplemented
        if self.data == 0.0:
            raise ZeroDivisionError(f"division: {c!r} / {self.data!r} (the divisor is zero)")
        data = c / self.data

        def _backward(g):  # d(c/x)/dx = -c/x**2 = -data/x
            self.grad -= g * data / self.data

        return _node(data, (self,), "rdiv", _backward, c)

    def __rpow__(self, other: float) -> Value:
        c = constant(other, "**")
        if c is None:
            return NotImplemented
        data = pow_data(c, self.data)
        ln_base = log_base(c)

        def _backward(g):
            self.grad += data * ln_base * g

        return _node(data, (self,), "rpow", _backward, c)

    # -- functions -------------------------------------------------------

    def exp(self) -> Value:
        try:
            data = math.exp(self.data)
        except OverflowError:
            data = math.inf

        def _backward(g):
            self.grad += data * g

        return _node(data, (self,), "exp", _backward)

    def log(self) -> Value:
        if not self.data > 0.0 and not math.isnan(self.data):
            raise ValueError(f"log() of {self.data!r} is undefined (log needs a positive number)")

        def _backward(g):
            self.grad += g / self.data

        return _node(math.log(self.data), (self,), "log", _backward)

    def tanh(self) -> Value:
        data = math.tanh(self.data)

        def _backward(g):
            self.grad += (1.0 - data * data) * g

        return _node(data, (self,), "tanh", _backward)

    def sigmoid(self) -> Value:
        data = sigmoid(self.data)

        def _backward(g):
            self.grad += data * (1.0 - data) * g

        return _node(data, (self,), "sigmoid", _backward)

    def relu(self) -> Value:
        # `not x <= 0` is x > 0 or NaN: NaN stays NaN and passes g on, as in PyTorch
        def _backward(g):
            if not self.data <= 0.0:
                self.grad += g

        return _node(self.data if not self.data <= 0.0 else 0.0, (self,), "ReLU", _backward)

    def sin(self) -> Value:
        def _backward(g):
            self.grad += cos(self.data) * g

        return _node(sin(self.data), (self,), "sin", _backward)

    def cos(self) -> Value:
        def _backward(g):
            self.grad -= sin(self.data) * g

        return _node(cos(self.data), (self,), "cos", _backward)

    def sqrt(self) -> Value:
        if self.data < 0.0:
            raise ValueError(f"sqrt() of {self.data!r} is undefined (sqrt needs a number >= 0)")
        data = math.sqrt(self.data)

        def _backward(g):  # the derivative is +inf at 0
            self.grad += (0.5 / data if data else math.inf) * g

        return _node(data, (self,), "sqrt", _backward)

    def abs(self) -> Value:
        def _backward(g):  # sign(x); 0 at the kink, as PyTorch does
            if self.data > 0.0:
                self.grad += g
            elif self.data < 0.0:
                self.grad -= g

        return _node(abs(self.data), (self,), "abs", _backward)

    __abs__ = abs

    # -- comparisons and conversions (by data; == stays identity) --------
    # While `compile` traces a function these refuse: a branch taken on data
    # would be frozen into the compiled code (`_concrete` raises TracingError).

    def __lt__(self, other: Value | float) -> bool:
        _concrete("`<`")
        return self.data < _data(other)

    def __le__(self, other: Value | float) -> bool:
        _concrete("`<=`")
        return self.data <= _data(other)

    def __gt__(self, other: Value | float) -> bool:
        _concrete("`>`")
        return self.data > _data(other)

    def __ge__(self, other: Value | float) -> bool:
        _concrete("`>=`")
        return self.data >= _data(other)

    def __bool__(self) -> bool:
        _concrete("bool() (an `if`, `and`, `or` or `not`)")
        return True  # as for any object; a Value is not a number to test

    def __float__(self) -> float:
        _concrete("float()")
        return self.data

    def __int__(self) -> int:
        _concrete("int()")
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> int | float:
        _concrete("round()")
        return round(self.data, ndigits)

    def __format__(self, spec: str) -> str:
        _concrete("format() (an f-string or str.format)")
        return object.__format__(self, spec)

    def detach(self) -> Value:
        """A leaf with the same data (and label), cut off from this node's graph."""
        _concrete("detach()")
        return Value(self.data, label=self.label)

    __hash__ = object.__hash__

    # -- backpropagation --------------------------------------------------

    def backward(
        self,
        gradient: float = 1.0,
        *,
        retain_graph: bool = True,
        create_graph: bool = False,
    ) -> None:
        """Fill `.grad` of every node this one depends on with d(self)/d(node).

        Leaves accumulate across calls, as in PyTorch; every other node's grad
        holds this call's gradient. With `create_graph=True` the gradients of
        leaves are themselves `Value`s with a graph, so they can be
        differentiated again. `retain_graph=False` frees the closures after
        use, and a second backward through the graph then raises.
        """
        if create_graph:
            from .higher import backward_with_graph

            backward_with_graph(self, gradient)
            return
        if type(gradient) is not float:  # a Value counts as a constant here, as in PyTorch
            gradient = (
                gradient.data if isinstance(gradient, Value) else as_float(gradient, "backward()")
            )
        if self._bw is None:  # a leaf: its gradient with respect to itself
            self.grad += gradient
            return
        with gc_paused():
            topo = topological_order(self, leaves=False)
            for v in topo:
                v.grad = 0.0
            self.grad = gradient
            check = _MODE.get().anomaly is not None
            for v in reversed(topo):
                v._bw(v.grad)
                if check:
                    _anomaly_check(v)
                if not retain_graph:
                    v._bw = _freed


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


def _node(
    data: float,
    parents: tuple[Value, ...],
    op: str,
    backward: Callable[[float], None],
    ctx: object = None,
) -> Value:
    """The result of an op: a node with parents and closure, or a leaf under no_grad."""
    out = _new(Value)  # skips __init__'s checks: data is already a float
    out.data = data
    out.grad = 0.0
    out._op = op
    out.label = ""
    out._ctx = ctx
    mode = _MODE.get()
    if mode is _RECORD:
        out._prev = parents
        out._bw = backward
    elif mode.grad:
        out._prev = parents
        out._bw = backward
        if mode.anomaly is not None:
            _record(out)
    else:
        out._prev = ()
        out._bw = None
    return out


def _pow_values(base: Value, exponent: Value) -> Value:
    data = pow_data(base.data, exponent.data)

    def _backward(g):
        base.grad += pow_slope(base.data, exponent.data) * g
        exponent.grad += data * log_base(base.data) * g

    return _node(data, (base, exponent), "**", _backward)


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node `root` depends on, each after all of its parents (no recursion).

    With `leaves=False`, only the nodes made by ops (and `root`).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, visited.add
    while stack:
        v = pop()
        if v is None:  # every parent of the node below this marker is in `order`
            emit(pop())
        elif v not in visited:
            mark(v)
            push(v)
            push(None)
            for p in v._prev:
                if p not in visited and (leaves or p._bw is not None):
                    push(p)
    return order
