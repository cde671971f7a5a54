"""Value's Python surface: numbers of every kind as operands, extra attributes and
weak references, int()/round(), no_grad/enable_grad as decorators, and the
operator protocol (NotImplemented for foreign types, comparisons, accumulation)."""

from __future__ import annotations

import math
import weakref
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from autograd import AnomalyError, Value, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from autograd.ops import linear, total

# -- every kind of real number becomes a Python float at op time ---------------

NUMBERS = [
    np.float32(1.5),
    np.float64(1.5),
    np.float16(1.5),
    np.int64(3),
    np.int8(-2),
    True,
    3,
    Fraction(3, 2),
]
FORMS = {
    "x+c": lambda x, c: x + c,
    "c+x": lambda x, c: c + x,
    "x-c": lambda x, c: x - c,
    "c-x": lambda x, c: c - x,
    "x*c": lambda x, c: x * c,
    "c*x": lambda x, c: c * x,
    "x/c": lambda x, c: x / c,
    "c/x": lambda x, c: c / x,
    "x**c": lambda x, c: x**c,
    "c**x": lambda x, c: c**x,
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("c", NUMBERS, ids=lambda c: f"{type(c).__name__}({c})")
def test_numeric_constants_give_python_float_data_and_grads(form, c):
    # issue 12 item 7: Value(0.1) * np.float32(1.0) stored float32 data and grads
    f = FORMS[form]
    x0 = 2.0 if form == "c**x" and c < 0 else 0.1  # a negative base needs an integer power
    x = Value(x0)
    y = f(x, c)
    z = y * 3.0 + x  # later ops see y's data
    z.backward()
    for v in (y.data, z.data, x.grad, y.grad):
        assert type(v) is float, (form, type(v))
    assert y.data == f(x0, float(c))  # the value is that of Python float arithmetic
    if isinstance(y._ctx, (int, float)) and not isinstance(y._ctx, bool):
        assert type(y._ctx) is float  # the constant kept for drawing and higher order


def test_float32_product_is_not_rounded_to_float32():
    y = Value(0.1) * np.float32(1.0)
    assert y.data == 0.1  # float32 arithmetic would give 0.10000000149011612
    y2 = np.float32(1.0) * Value(0.1)
    assert type(y2) is Value and type(y2.data) is float and y2.data == 0.1


def test_fused_ops_with_numpy_inputs_keep_python_floats():
    w, b = Value(0.1), Value(0.2)
    y = linear([w], [np.float32(1.0)], b)
    y.backward()
    assert type(y.data) is float and y.data == 0.2 + 0.1 * 1.0
    assert type(w.grad) is float and w.grad == 1.0
    s = total([Value(0.1), np.float32(0.5)])
    assert type(s.data) is float and s.data == 0.1 + 0.5


def test_backward_gradient_from_numpy_is_a_float():
    x = Value(2.0)
    y = x * x
    y.backward(np.float32(0.5))
    assert type(x.grad) is float and x.grad == 2.0
    leaf = Value(1.0)
    leaf.backward(np.float64(2.0))
    assert type(leaf.grad) is float
    x.grad = 0.0
    y.backward(Value(3.0))  # without create_graph a Value gradient is a constant, as in torch
    assert type(x.grad) is float and x.grad == 12.0
    with pytest.raises(TypeError, match="backward"):
        y.backward("1")


def test_decimal_is_refused_like_python_refuses_float_plus_decimal():
    with pytest.raises(TypeError, match="Decimal"):
        Value(Decimal("1.5"))
    with pytest.raises(TypeError, match="Decimal"):
        Value(1.0) + Decimal("1.5")


def test_an_int_too_large_for_a_float_names_the_op():
    with pytest.raises(OverflowError, match=r"^\*: an integer of 401 digits"):
        Value(1.0) * 10**400
    with pytest.raises(OverflowError, match="Value()"):
        Value(10**400)


# -- extra attributes and weak references ---------------------------------------


def test_values_take_extra_attributes_as_micrograd_code_sets_them():
    # EurekaLabs' micrograd: setattr(n, '_vis_color', ...) and AdamW keeping p.m, p.v
    x = Value(1.0)
    y = x * 2.0
    setattr(y, "_vis_color", "red")  # noqa: B010 - as EurekaLabs writes it
    assert y._vis_color == "red"
    params = [Value(0.5), Value(-0.25)]
    for p in params:
        p.m, p.v = 0.0, 0.0
    loss = params[0] * params[1]
    loss.backward()
    for p in params:  # one AdamW-like moment update
        p.m = 0.9 * p.m + 0.1 * p.grad
        p.v = 0.999 * p.v + 0.001 * p.grad**2
    assert params[0].m == pytest.approx(0.1 * -0.25) and params[1].v == pytest.approx(0.001 * 0.25)


def test_the_core_fields_stay_in_slots_and_the_dict_is_made_only_when_used():
    x = Value(1.0)
    y = x + 1.0
    assert vars(x) == {} and vars(y) == {}  # data, grad, ... live in slots
    y.note = 1
    assert vars(y) == {"note": 1}


def test_values_can_be_weakly_referenced():
    x = Value(3.0)
    r = weakref.ref(x)
    assert r() is x
    seen = weakref.WeakSet([x])
    assert x in seen
    del x
    assert r() is None


# -- conversions ------------------------------------------------------------------


def test_int_and_round_work_on_data_like_float():
    assert int(Value(2.7)) == 2 and type(int(Value(2.7))) is int
    assert int(Value(-2.7)) == -2
    assert round(Value(2.567), 2) == 2.57
    assert round(Value(2.5)) == 2 and type(round(Value(3.7))) is int  # as round(2.5) == 2
    assert float(Value(1.25)) == 1.25
    with pytest.raises(ValueError):
        int(Value(math.nan))  # as int(float('nan'))


# -- modes as decorators ------------------------------------------------------------


def test_no_grad_and_enable_grad_decorate_with_or_without_parentheses():
    @no_grad
    def bare():
        return is_grad_enabled(), Value(1.0) * 2.0

    @no_grad()
    def called():
        return is_grad_enabled()

    @enable_grad
    def back_on():
        return is_grad_enabled()

    grad_on, y = bare()
    assert grad_on is False and y._prev == () and bare.__name__ == "bare"
    assert called() is False
    with no_grad():
        assert back_on() is True
    assert is_grad_enabled()


def test_mode_switch_refuses_a_non_callable_argument():
    with pytest.raises(TypeError, match="no_grad"):
        no_grad(42)


def test_no_grad_on_a_generator_function_applies_while_it_runs():
    seen = []

    @no_grad()
    def gen(n):
        for _ in range(n):
            seen.append(is_grad_enabled())
            got = yield Value(1.0) * 2.0
            seen.append(got)
        return "done"

    g = gen(2)
    assert seen == []  # creating the generator runs nothing
    y = next(g)
    assert is_grad_enabled()  # the caller's mode between steps
    assert y._prev == ()  # built under no_grad
    g.send("a")
    with pytest.raises(StopIteration) as stop:
        g.send("b")
    assert stop.value.value == "done"
    assert seen == [False, "a", False, "b"]

    @enable_grad
    def inner():
        yield is_grad_enabled()

    with no_grad():
        assert list(inner()) == [True]
        assert not is_grad_enabled()


def test_a_decorated_generator_handles_throw_and_close():
    closed = []

    @no_grad
    def gen():
        try:
            yield 1
        except KeyError:
            yield is_grad_enabled()
        finally:
            closed.append(is_grad_enabled())

    g = gen()
    next(g)
    assert g.throw(KeyError("k")) is False
    g.close()
    assert closed == [False] and is_grad_enabled()


# -- the operator protocol -----------------------------------------------------------


class Other:
    """A foreign type that knows how to combine with a Value from either side."""

    def __radd__(self, v):
        return "radd"

    def __rsub__(self, v):
        return "rsub"

    def __rmul__(self, v):
        return "rmul"

    def __rtruediv__(self, v):
        return "rtruediv"

    def __rpow__(self, v):
        return "rpow"


@pytest.mark.parametrize(
    "op, want",
    [("+", "radd"), ("-", "rsub"), ("*", "rmul"), ("/", "rtruediv"), ("**", "rpow")],
)
def test_value_returns_not_implemented_so_foreign_types_get_their_turn(op, want):
    v = Value(2.0)
    got = {"+": v + Other(), "-": v - Other(), "*": v * Other(), "/": v / Other()}.get(op)
    if op == "**":
        got = v ** Other()
    assert got == want


class Plain:
    pass


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_a_foreign_type_on_the_left_gets_pythons_type_error(op):
    f = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "**": lambda a, b: a**b,
    }[op]
    with pytest.raises(TypeError, match=r"'Plain' and 'Value'"):
        f(Plain(), Value(2.0))


def test_comparisons_are_strict_where_python_is():
    one = Value(1.0)
    assert not one < 1.0 and one <= 1.0 and not one > 1.0 and one >= 1.0
    assert not one < Value(1.0) and not one > Value(1.0)
    assert one < 2.0 and one > 0.5


def test_every_closure_accumulates_into_a_reused_input():
    x = Value(3.0)
    y = x / 2 + x / 4 + 2 / x + (1 - x) + x**2 + 2**x - x
    y.backward()
    exact = 0.5 + 0.25 - 2 / 9 - 1 + 6 + 8 * math.log(2) - 1
    assert x.grad == pytest.approx(exact, rel=1e-15)


def test_backward_on_a_leaf_accumulates():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_builtin_abs_is_the_abs_op():
    x = Value(-2.0)
    y = abs(x)
    y.backward()
    assert (y.data, y._op, x.grad) == (2.0, "abs", -1.0)


def test_children_given_as_any_iterable_are_kept_as_a_tuple():
    a, b = Value(1.0), Value(2.0)
    assert Value(3.0, [a, b])._prev == (a, b)
    assert type(Value(3.0, iter([a]))._prev) is tuple
    assert Value(1.0)._ctx is None


def test_anomaly_mode_describes_a_micrograd_style_custom_op():
    # a custom op built with Value(data, children, op), as micrograd does; it has no
    # constant, and anomaly mode's description of it must not fail
    x = Value(0.0)
    out = Value(1.0, (x,), "myop")

    def _backward():
        x.grad += math.inf * out.grad

    out._backward = _backward
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"myop\(0\.0\)"):
        out.backward()
