"""The scalar engine: a `Value` wraps one float and remembers how it was made.

Every op returns a new `Value` that keeps its operands (`_a`, `_b`), its
constant (`_ctx`) and the op's chain rule `_fn`: one module-level function per
op, shared by all its nodes and called as `_fn(out, g)`. No closure is made per
node, so a node is one object for the garbage collector and holds no reference
cycle. `backward()` orders the graph topologically (iteratively, so graphs
millions of nodes deep work) and runs the rules in reverse. Read this file top
to bottom like micrograd's `engine.py`.

The nodes ops make come from `untracked.maker`: with the C helper built, the
cyclic collector does not track them (they are freed by reference counting,
and rescanning a growing graph was most of its cost), until something that
could lead back to them is attached (see `autograd/untracked.py`). With the C
helper `_walk.c` built, `topological_order` runs the same walk in C.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from types import MethodType

from .domain import as_float, constant, cos, log_base, pow_data, pow_slope, sigmoid, sin
from .gcpause import gc_paused
from .modes import _MODE, _RECORD, _anomaly_check, _concrete, _record
from .native import load
from .untracked import Node, maker, track

__all__ = ["Value", "topological_order"]


_MANY = object()  # in `_b`: `_a` is a tuple of all the parents (a fused op)


def _noop() -> None:
    pass


class Value(Node):
    """A scalar that records the operations applied to it, for backprop.

    Attributes:
        data: the number, a Python float.
        grad: d(root)/d(this value) after `root.backward()`; 0.0 before. Leaves
            accumulate across backward calls, as in PyTorch.
        label: a name for drawings, explorer pages and generated code ("" if none).
    """

    # __dict__ and __weakref__ let users attach attributes (micrograd code does);
    # the dict is only created when one is set. `label` is not a slot: most nodes
    # have none and read the class's "", so an op does not store one
    label = ""
    __slots__ = (
        "data",
        "grad",
        "_a",
        "_b",
        "_op",
        "_fn",
        "_ctx",
        "__dict__",
        "__weakref__",
    )

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
        self._a = self._b = None
        if _children:
            self._prev = _children
            if self._a is not None:  # made by hand (micrograd's way): compile sees it made
                made = _MODE.get().made
                if made is not None:
                    made.add(id(self))
        self._op = _op
        self._fn = None  # the op's chain rule, fn(out, g); None for leaves
        if label:
            self.label = label
        self._ctx = _ctx  # an op's constant operand (the 2 of x**2), for drawing and higher order

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The parents (inputs) of this node, as a tuple; () for a leaf."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        return a if b is _MANY else (a, b)

    @_prev.setter
    def _prev(self, parents: Iterable[Value]) -> None:
        if type(parents) is not tuple:  # micrograd code assigns a set
            parents = tuple(parents)
        n = len(parents)
        if n:
            track(self)  # parents set by hand could make a cycle
        if n == 1:
            self._a, self._b = parents[0], None
        elif n == 2:
            self._a, self._b = parents
        else:
            self._a, self._b = (parents, _MANY) if n else (None, None)

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's chain rule as a zero-argument closure, as in micrograd."""
        fn = self._fn
        if fn is None:
            return _noop
        if type(fn) is _Closure and not fn.takes_g:
            return fn.fn
        return lambda: fn(self, self.grad)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        # a micrograd-style closure reads out.grad itself, and refers to out: a cycle
        self._fn = _Closure(fn, False)
        track(self)

    @property
    def _bw(self) -> Callable[[float], None] | None:
        """This node's chain rule called with its upstream gradient; None for a leaf."""
        fn = self._fn
        return None if fn is None else MethodType(fn, self)

    @_bw.setter
    def _bw(self, fn: Callable[[float], None] | None) -> None:
        self._fn = None if fn is None else _Closure(fn, True)
        track(self)

    def __repr__(self) -> str:
        _concrete("repr()/str() (print, f-strings, format)")
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic ------------------------------------------------------
    # A float operand is used as it is; any other plain number (int, numpy
    # scalar, ...) becomes a Python float once (domain.constant), so data and
    # gradients stay Python floats. Each op's chain rule is a function below
    # the class, named for the op (`_add`, `_mul_c`, ...).

    def __add__(self, other: Value | float) -> Value:
        """self + other."""
        if isinstance(other, Value):
            return _make(self.data + other.data, self, other, "+", _add)
        c = other if type(other) is float else constant(other, "+")
        if c is None:
            return NotImplemented
        return _make(self.data + c, self, None, "+", _add_c, c)

    def __mul__(self, other: Value | float) -> Value:
        """self * other."""
        if isinstance(other, Value):
            return _make(self.data * other.data, self, other, "*", _mul)
        c = other if type(other) is float else constant(other, "*")
        if c is None:
            return NotImplemented
        return _make(self.data * c, self, None, "*", _mul_c, c)

    def __sub__(self, other: Value | float) -> Value:
        """self - other."""
        if isinstance(other, Value):
            return _make(self.data - other.data, self, other, "-", _sub)
        c = other if type(other) is float else constant(other, "-")
        if c is None:
            return NotImplemented
        return _make(self.data - c, self, None, "-", _add_c, c)

    def __truediv__(self, other: Value | float) -> Value:
        """self / other; ZeroDivisionError if other is 0."""
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(
                    f"division: {self.data!r} / {other.data!r} (the divisor is zero)"
                )
            return _make(self.data / other.data, self, other, "/", _div)
        c = other if type(other) is float else constant(other, "/")
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError(f"division: {self.data!r} / {c!r} (the divisor is zero)")
        return _make(self.data / c, self, None, "/", _div_c, c)

    def __neg__(self) -> Value:
        """-self."""
        return _make(-self.data, self, None, "neg", _neg)

    def __pow__(self, other: Value | float) -> Value:
        """self ** other. ZeroDivisionError for 0 ** (c < 0); ValueError for a negative
        base with a non-integer exponent. Slope c * x**(c-1); +inf at x = 0 for 0 < c < 1;
        with a Value exponent its slope is out * ln(x) (0 at x = 0, NaN for x < 0)."""
        if isinstance(other, Value):
            data = pow_data(self.data, other.data)
            return _make(data, self, other, "**", _pow)
        c = other if type(other) is float else constant(other, "**")
        if c is None:
            return NotImplemented
        return _make(pow_data(self.data, c), self, None, "**", _pow_c, c)

    __radd__ = __add__  # c + x is x + c, and c * x is x * c, bit for bit
    __rmul__ = __mul__

    # A number on the left of -, / and ** is one node with that number as its
    # constant, named for the op as written: rsub (c - x), rdiv (c / x), rpow (c ** x).

    def __rsub__(self, other: float) -> Value:
        """other - self, for a number `other`."""
        c = other if type(other) is float else constant(other, "-")
        if c is None:
            return NotImplemented
        return _make(c - self.data, self, None, "rsub", _neg, c)

    def __rtruediv__(self, other: float) -> Value:
        """other / self, for a number `other`; ZeroDivisionError if self is 0."""
        c = other if type(other) is float else constant(other, "/")
        if c is None:
            return NotImplemented
        if self.data == 0.0:
            raise ZeroDivisionError(f"division: {c!r} / {self.data!r} (the divisor is zero)")
        return _make(c / self.data, self, None, "rdiv", _rdiv, c)

    def __rpow__(self, other: float) -> Value:
        """other ** self, for a number `other`; slope out * ln(other) (0 for other = 0)."""
        c = other if type(other) is float else constant(other, "**")
        if c is None:
            return NotImplemented
        return _make(pow_data(c, self.data), self, None, "rpow", _rpow, c)

    # -- functions -------------------------------------------------------

    def exp(self) -> Value:
        """e ** self; inf when it overflows. Slope: the output."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            data = math.inf
        return _make(data, self, None, "exp", _exp)

    def log(self) -> Value:
        """The natural logarithm; ValueError for self <= 0. Slope 1 / self."""
        if not self.data > 0.0 and not math.isnan(self.data):
            raise ValueError(f"log() of {self.data!r} is undefined (log needs a positive number)")
        return _make(math.log(self.data), self, None, "log", _log)

    def tanh(self) -> Value:
        """The hyperbolic tangent. Slope 1 - out**2."""
        return _make(math.tanh(self.data), self, None, "tanh", _tanh)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow. Slope out * (1 - out)."""
        return _make(sigmoid(self.data), self, None, "sigmoid", _sigmoid)

    def relu(self) -> Value:
        """max(self, 0); NaN stays NaN. Slope 1 for self > 0 (and NaN), 0 for self <= 0:
        0 at the kink, as in PyTorch."""
        x = self.data
        return _make(x if not x <= 0.0 else 0.0, self, None, "ReLU", _relu)

    def sin(self) -> Value:
        """The sine (NaN at ±inf). Slope cos(self)."""
        return _make(sin(self.data), self, None, "sin", _sin)

    def cos(self) -> Value:
        """The cosine (NaN at ±inf). Slope -sin(self)."""
        return _make(cos(self.data), self, None, "cos", _cos)

    def sqrt(self) -> Value:
        """The square root; ValueError for self < 0. Slope 0.5 / out, +inf at 0."""
        if self.data < 0.0:
            raise ValueError(f"sqrt() of {self.data!r} is undefined (sqrt needs a number >= 0)")
        return _make(math.sqrt(self.data), self, None, "sqrt", _sqrt)

    def abs(self) -> Value:
        """|self|. Slope sign(self): 0 at the kink, as in PyTorch."""
        return _make(abs(self.data), self, None, "abs", _abs)

    __abs__ = abs

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self if self > 0, else slope * self (PyTorch's negative_slope, default 0.01);
        NaN stays NaN. Slope 1 for self > 0, `slope` for self <= 0 (at the kink too,
        as in PyTorch)."""
        c = slope if type(slope) is float else constant(slope, "leaky_relu()")
        if c is None:
            raise TypeError(f"leaky_relu() needs a number slope, got {type(slope).__name__}")
        x = self.data
        return _make(x if x > 0.0 else x * c, self, None, "leaky_relu", _leaky_relu, c)

    def softplus(self) -> Value:
        """log(1 + e**self), computed without overflow or cancellation at every input
        (PyTorch's softplus returns self itself above 20). Slope sigmoid(self)."""
        x = self.data
        data = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return _make(data, self, None, "softplus", _softplus)

    def log1p(self) -> Value:
        """log(1 + self), accurate for small self; ValueError for self <= -1.
        Slope 1 / (1 + self)."""
        if not self.data > -1.0 and not math.isnan(self.data):
            raise ValueError(f"log1p() of {self.data!r} is undefined (log1p needs a number > -1)")
        return _make(math.log1p(self.data), self, None, "log1p", _log1p)

    # -- comparisons and conversions (by data; == stays identity) --------
    # While `compile` traces a function these refuse: a branch taken on data
    # would be frozen into the compiled code (`_concrete` raises TracingError).

    def __lt__(self, other: Value | float) -> bool:
        """self.data < other (its data, for a Value); TracingError inside compile."""
        _concrete("`<`")
        return self.data < _data(other)

    def __le__(self, other: Value | float) -> bool:
        """self.data <= other (its data, for a Value); TracingError inside compile."""
        _concrete("`<=`")
        return self.data <= _data(other)

    def __gt__(self, other: Value | float) -> bool:
        """self.data > other (its data, for a Value); TracingError inside compile."""
        _concrete("`>`")
        return self.data > _data(other)

    def __ge__(self, other: Value | float) -> bool:
        """self.data >= other (its data, for a Value); TracingError inside compile."""
        _concrete("`>=`")
        return self.data >= _data(other)

    def __bool__(self) -> bool:
        """True, as for any object (TracingError inside compile, where a branch on
        a Value would be frozen)."""
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
        """A format spec formats the data (f"{x:.3f}"), as for a 0-d tensor; an empty one
        gives repr. TracingError inside compile: the text would be frozen."""
        _concrete("format() (an f-string or str.format)")
        return format(self.data, spec) if spec else repr(self)

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
        differentiated again. `retain_graph=False` frees the chain rules after
        use, and a second backward through the graph then raises.
        """
        _concrete("backward()")  # the gradients are data: compile would freeze them
        if create_graph:
            _CREATE_GRAPH[0](self, gradient)
            return
        if type(gradient) is not float:  # a Value counts as a constant here, as in PyTorch
            gradient = (
                gradient.data if isinstance(gradient, Value) else as_float(gradient, "backward()")
            )
        if self._fn is None:  # a leaf: its gradient with respect to itself
            self.grad += gradient
            return
        with gc_paused():
            topo = topological_order(self, leaves=False)
            for v in topo:
                if v._a is not None:  # a node with no parents is a leaf, even with a rule
                    v.grad = 0.0  # (micrograd's Value gives every node a no-op _backward)
            if self._a is None:
                self.grad += gradient
            else:
                self.grad = gradient
            check = _MODE.get().anomaly is not None
            for v in reversed(topo):
                v._fn(v, v.grad)
                if check:
                    _anomaly_check(v)
                if not retain_graph:
                    v._fn = _freed


def _no_create_graph(root: Value, gradient: float) -> None:
    raise RuntimeError("create_graph needs autograd.higher (import autograd)")


# autograd.higher puts its backward_with_graph here when imported (no import circle)
_CREATE_GRAPH: list[Callable[[Value, object], None]] = [_no_create_graph]


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


_new_node = maker(Value)  # (data, a, b, op, fn, ctx) -> a Value, its grad 0.0
_walk = load("_walk")  # topological_order in C (the same walk), when built
if _walk is not None:
    _walk.configure(Value, ("_a", "_b", "_fn"), _MANY)


def _make(
    data: float,
    a: Value,
    b: Value | None,
    op: str,
    fn: Callable[[Value, float], None],
    ctx: object = None,
) -> Value:
    """The result of an op on `a` (and `b`): a node, or a leaf under no_grad."""
    mode = _MODE.get()
    if mode is _RECORD:
        return _new_node(data, a, b, op, fn, ctx)
    if not mode.grad:
        return _new_node(data, None, None, op, None, ctx)
    out = _new_node(data, a, b, op, fn, ctx)
    if mode.anomaly is not None:
        _record(out)
    if mode.made is not None:
        mode.made.add(id(out))
    return out


def _node(
    data: float,
    parents: tuple[Value, ...],
    op: str,
    backward: Callable[[Value, float], None] | Callable[[float], None],
    ctx: object = None,
    *,
    shared: bool = False,
) -> Value:
    """A node with any number of parents. `backward` is a shared rule fn(out, g)
    when `shared`, else a closure over this node's inputs called with g."""
    fn = backward if shared else _Closure(backward, True)
    n = len(parents)
    if n == 1:
        return _make(data, parents[0], None, op, fn, ctx)
    if n == 2:
        return _make(data, parents[0], parents[1], op, fn, ctx)
    return _make(data, parents, _MANY, op, fn, ctx)


class _Closure:
    """A chain rule made for one node (micrograd's `out._backward = closure`, or a
    closure over g), called as the shared rules are: fn(out, g)."""

    __slots__ = ("fn", "takes_g")

    def __init__(self, fn: Callable, takes_g: bool) -> None:
        self.fn = fn
        self.takes_g = takes_g

    def __call__(self, out: Value, g: float) -> None:
        if self.takes_g:
            self.fn(g)
        else:
            self.fn()


def _is_custom(node: Value) -> bool:
    """Whether `node`'s chain rule is a micrograd-style closure assigned to `_backward`."""
    fn = node._fn
    return type(fn) is _Closure and not fn.takes_g


def _freed(out: Value, g: float) -> None:
    raise RuntimeError(
        "backward through a graph a second time, but it was freed by "
        "backward(retain_graph=False); pass retain_graph=True the first time"
    )


# -- the chain rules, one per op: add d(out)/d(operand) * g to each operand's grad --
# autograd.opspec holds each op's formulas; tests/test_opspec.py holds these to them.


def _add(out, g):
    out._a.grad += g
    out._b.grad += g


def _add_c(out, g):  # x + c and x - c
    out._a.grad += g


def _sub(out, g):
    out._a.grad += g
    out._b.grad -= g


def _neg(out, g):  # -x and c - x
    out._a.grad -= g


def _mul(out, g):
    a, b = out._a, out._b
    a.grad += b.data * g
    b.grad += a.data * g


def _mul_c(out, g):
    out._a.grad += out._ctx * g


def _div(out, g):
    b = out._b
    out._a.grad += g / b.data
    b.grad -= g * out.data / b.data


def _div_c(out, g):
    out._a.grad += g / out._ctx


def _rdiv(out, g):  # d(c/x)/dx = -c/x**2 = -out/x
    a = out._a
    a.grad -= g * out.data / a.data


def _pow(out, g):
    a, b = out._a, out._b
    a.grad += pow_slope(a.data, b.data) * g
    b.grad += out.data * log_base(a.data) * g


def _pow_c(out, g):
    a = out._a
    a.grad += pow_slope(a.data, out._ctx) * g


def _rpow(out, g):
    out._a.grad += out.data * log_base(out._ctx) * g


def _exp(out, g):
    out._a.grad += out.data * g


def _log(out, g):
    a = out._a
    a.grad += g / a.data


def _tanh(out, g):
    t = out.data
    out._a.grad += (1.0 - t * t) * g


def _sigmoid(out, g):
    s = out.data
    out._a.grad += s * (1.0 - s) * g


def _relu(out, g):
    # `not x <= 0` is x > 0 or NaN: NaN stays NaN and passes g on, as in PyTorch
    a = out._a
    a.grad += g if not a.data <= 0.0 else 0.0  # adds 0.0 at the kink: -0.0 + 0.0 is 0.0


def _sin(out, g):
    a = out._a
    a.grad += cos(a.data) * g


def _cos(out, g):
    a = out._a
    a.grad -= sin(a.data) * g


def _sqrt(out, g):  # the derivative is +inf at 0
    d = out.data
    out._a.grad += (0.5 / d if d else math.inf) * g


def _abs(out, g):  # sign(x); 0 at the kink, as PyTorch does
    a = out._a
    a.grad += g if a.data > 0.0 else (-g if a.data < 0.0 else 0.0)


def _leaky_relu(out, g):
    a = out._a
    a.grad += g if a.data > 0.0 else out._ctx * g


def _softplus(out, g):
    a = out._a
    a.grad += sigmoid(a.data) * g


def _log1p(out, g):
    a = out._a
    a.grad += g / (1.0 + a.data)


def topological_order(root: Value, leaves: bool = True) -> list[Value]:
    """Every node `root` depends on, each after all of its parents (no recursion).

    With `leaves=False`, only the nodes made by ops (and `root`).
    """
    if _walk is not None:
        done = _walk.order(root, leaves)
        if done is not None:  # else something not a plain Value: the walk below
            return done
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
            a = v._a
            if a is None:
                continue
            b = v._b
            if b is _MANY:  # a fused op's parents: often mostly leaves (weights)
                if leaves:
                    for p in a:
                        if p not in visited:
                            push(p)
                else:
                    for p in a:
                        if p._fn is not None and p not in visited:
                            push(p)
                continue
            if (leaves or a._fn is not None) and a not in visited:
                push(a)
            if b is not None and (leaves or b._fn is not None) and b not in visited:
                push(b)
    return order
