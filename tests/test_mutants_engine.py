"""Behaviours of autograd/engine.py that no other test pinned down: each test here kills
mutants that survived `scripts/mutate.py` (see README, "Development").

Expected numbers come from exact math (derivatives of +, /, |x| and relu at ordinary
points and at their kinks, where PyTorch's conventions agree) or from PyTorch float64.
"""

import math
import types

import pytest

from autograd import Value, gradients
from autograd.draw import draw_dot, op_text


def test_data_and_grad_live_in_slots():
    # the memory layout the speed section relies on (a __dict__ may be added for
    # users' extra attributes, but data, grad and the operands stay slots; _prev is
    # read from the operand slots, so a node holds no tuple of its own)
    for name in ("data", "grad", "_a", "_b", "_op", "_fn", "_ctx"):
        assert isinstance(Value.__dict__[name], types.MemberDescriptorType), name
    assert isinstance(Value.__dict__["_prev"], property)


def test_builtin_abs_is_the_op():
    x = Value(-2.5)
    y = abs(x)
    assert y.data == 2.5
    y.backward()
    assert x.grad == -1.0  # d|x|/dx = sign(x)


def test_a_node_made_by_the_constructor_draws_and_has_no_constant():
    # micrograd style: Value(data, children, op) with a hand-written _backward
    a = Value(3.0)
    out = Value(a.data * 2, (a,), "double")
    assert out._ctx is None and a._ctx is None
    assert op_text(out) == "double"
    assert "double" in draw_dot(out).source


def test_children_are_snapshotted_as_a_tuple():
    a, b = Value(1.0), Value(2.0)
    kids = [a]
    out = Value(1.0, kids, "id")
    kids.append(b)  # the caller's list changes after the node is made
    assert out._prev == (a,)
    assert type(out._prev) is tuple
    assert Value(1.0, (a, b), "+")._prev == (a, b)


class _Other:
    """A foreign operand type: Value must hand it the operation (NotImplemented)."""

    def __rsub__(self, left):
        return ("rsub", left)

    def __rtruediv__(self, left):
        return ("rtruediv", left)

    def __radd__(self, left):
        return ("radd", left)

    def __rmul__(self, left):
        return ("rmul", left)

    def __rpow__(self, left):
        return ("rpow", left)


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda v, o: v - o, "rsub"),
        (lambda v, o: v / o, "rtruediv"),
        (lambda v, o: v + o, "radd"),
        (lambda v, o: v * o, "rmul"),
        (lambda v, o: v**o, "rpow"),
    ],
)
def test_unknown_operand_types_get_the_reflected_operation(op, name):
    v = Value(3.0)
    got = op(v, _Other())
    # the other type sees the Value itself, not its float
    assert got[0] == name and got[1] is v


def test_a_string_base_is_refused_by_pow_not_by_a_comparison():
    with pytest.raises(TypeError, match=r"\*\*|pow"):
        "a" ** Value(2.0)  # noqa: B018


@pytest.mark.parametrize(
    "f, exact",
    [
        (lambda x: x / 2 + x, 1.5),
        (lambda x: x + x / 2, 1.5),
        (lambda x: x / 2 + x / 4, 0.75),
    ],
)
def test_division_by_a_constant_accumulates(f, exact):
    x = Value(3.0)
    f(x).backward()
    assert x.grad == exact
    assert gradients(f(x), [x]) == [exact]


def test_all_binary_ops_accumulate_into_a_shared_operand():
    # y = x op x' + x for every op and operand kind: d/dx is the op's slope + 1
    x = Value(2.0)
    cases = {
        "x+3": (x + 3.0, 1.0),
        "x-3": (x - 3.0, 1.0),
        "x*3": (x * 3.0, 3.0),
        "x/4": (x / 4.0, 0.25),
        "x**3": (x**3, 12.0),
        "x+x": (x + x, 2.0),
        "x*x": (x * x, 4.0),
        "x-x": (x - x, 0.0),
        "x/x": (x / x, 0.0),
    }
    for name, (y, slope) in cases.items():
        for z in (y + x, x + y):
            x.grad = 0.0
            z.backward()
            assert x.grad == slope + 1.0, name


def test_backward_on_a_leaf_accumulates():
    # PyTorch: a leaf's .grad accumulates across backward calls (x.backward(2.) twice -> 4.)
    x = Value(1.0)
    x.backward()
    x.backward(2.0)
    assert x.grad == 3.0
    x.grad = 0.5
    x.backward(2.0)
    assert x.grad == 2.5


def test_comparisons_at_equality():
    a, b = Value(1.0), Value(1.0)
    assert not a < b and not a > b and a <= b and a >= b
    assert not a < 1.0 and not a > 1.0 and a <= 1.0 and a >= 1.0
    assert Value(0.5) < 1.0 and Value(1.5) > 1.0 and not Value(1.5) < 1.0


@pytest.mark.parametrize("x", [0.0, -0.0])
def test_relu_and_abs_slope_at_the_kink_is_zero(x, torch):
    # PyTorch float64: relu'(0) = 0 and abs'(0) = sign(0) = 0
    for name, fn in [("relu", lambda v: v.relu()), ("abs", abs)]:
        v = Value(x)
        fn(v).backward()
        t = torch.tensor(x, requires_grad=True)
        getattr(torch, name)(t).backward()
        assert v.grad == t.grad.item() == 0.0, name


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.25, 0.5, 3.0])
def test_relu_and_abs_slopes_away_from_the_kink(x, torch):
    for name, fn in [("relu", lambda v: v.relu()), ("abs", abs)]:
        v = Value(x)
        out = fn(v)
        out.backward(3.0)
        t = torch.tensor(x, requires_grad=True)
        tout = getattr(torch, name)(t)
        tout.backward(torch.tensor(3.0))
        assert out.data == tout.item(), name
        assert v.grad == t.grad.item(), name


def test_micrograd_style_backward_property():
    # micrograd: out._backward() applies the op's chain rule using out.grad
    a, b = Value(2.0), Value(5.0)
    out = a * b
    out.grad = 3.0
    out._backward()
    assert (a.grad, b.grad) == (15.0, 6.0)
    a._backward()  # a leaf's is a no-op
    assert (a.grad, b.grad) == (15.0, 6.0)
    # a hand-made op in micrograd style: a closure that reads out.grad itself
    x = Value(4.0)
    sq = Value(x.data**2, (x,), "sq")

    def _backward():
        x.grad += 2 * x.data * sq.grad

    sq._backward = _backward
    (sq * 0.5).backward()
    assert x.grad == 4.0  # d/dx x**2 / 2 = x


UNARY_TORCH = {
    "exp": (lambda v: v.exp(), "exp"),
    "log": (lambda v: v.log(), "log"),
    "tanh": (lambda v: v.tanh(), "tanh"),
    "sigmoid": (lambda v: v.sigmoid(), "sigmoid"),
    "relu": (lambda v: v.relu(), "relu"),
    "sin": (lambda v: v.sin(), "sin"),
    "cos": (lambda v: v.cos(), "cos"),
    "sqrt": (lambda v: v.sqrt(), "sqrt"),
    "abs": (abs, "abs"),
    "neg": (lambda v: -v, "neg"),
}


@pytest.mark.parametrize("name", sorted(UNARY_TORCH))
@pytest.mark.parametrize("x", [0.7, 2.5])
def test_unary_ops_accumulate_into_a_shared_operand(name, x, torch):
    # f(x) + x and x + f(x): the op's slope is added to the 1 from the sum, whichever
    # closure runs first (PyTorch float64 gives the slope)
    fn, tname = UNARY_TORCH[name]
    t = torch.tensor(x, requires_grad=True)
    getattr(torch, tname)(t).backward()
    want = t.grad.item() + 1.0
    for order in (lambda v: fn(v) + v, lambda v: v + fn(v)):
        v = Value(x)
        order(v).backward()
        assert v.grad == pytest.approx(want, rel=1e-15), name


def test_pow_of_two_values_accumulates_into_shared_operands():
    # d/dx (x**y + x) = y*x**(y-1) + 1 and d/dy (x**y + y) = x**y*ln(x) + 1 (sympy:
    # diff(x**y, x), diff(x**y, y)); at x = 2, y = 3: 13 and 8*ln 2 + 1
    for z in (lambda x, y: x**y + x + y, lambda x, y: x + y + x**y):
        x, y = Value(2.0), Value(3.0)
        z(x, y).backward()
        assert x.grad == 13.0
        assert y.grad == pytest.approx(8.0 * math.log(2.0) + 1.0, rel=1e-15)


@pytest.mark.parametrize("op", ["relu", "abs"])
@pytest.mark.parametrize("x0", [0.0, -0.0, math.nan, 1.5, -1.5])
def test_a_kink_adds_zero_onto_a_prior_gradient_as_torch_does(torch, op, x0):
    """A leaf whose .grad is -0.0 gets -0.0 + 0.0 = 0.0 at relu's and abs's kink (torch
    float64 accumulates the same way); compiled code and the engine agree (test_mutants_compile)."""
    x = Value(x0)
    x.grad = -0.0
    getattr(x, op)().backward()
    t = torch.tensor(x0, requires_grad=True)
    t.grad = torch.tensor(-0.0)
    getattr(torch, op)(t).backward()
    want = t.grad.item()
    assert (math.isnan(want) and math.isnan(x.grad)) or (
        x.grad == want and math.copysign(1, x.grad) == math.copysign(1, want)
    ), (x.grad, want)


def test_backward_reads_back_a_micrograd_closure_and_runs_a_rule_that_takes_g():
    """micrograd's loop calls v._backward() with no argument, whatever made the node."""
    import autograd

    x = Value(2.0)
    out = x * 3.0

    def closure():
        x.grad += 3.0 * out.grad

    out._backward = closure
    assert out._backward is closure  # what was set is what is read
    x = Value(0.5)
    y = autograd.compile(lambda a: a * a + a)(x)  # its rule is a closure over g
    y.grad = 1.0
    y._backward()
    assert x.grad == 2.0  # 2 * 0.5 + 1
    z = x * 1.0
    z._bw = lambda g: setattr(x, "grad", x.grad + 10.0 * g)
    z.grad = 0.5
    z._backward()
    assert x.grad == 7.0
