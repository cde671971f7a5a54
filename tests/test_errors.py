"""Bad input: a clear error naming the op and the value, and a graph left as it was."""

import pytest

from autograd import Value


@pytest.mark.parametrize("bad", ["3", None, 1 + 2j, [1.0], Value(1.0)])
def test_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize(
    "make, exc, words",
    [
        (lambda: Value(-2.0).log(), ValueError, ["log()", "-2.0"]),
        (lambda: Value(0.0).log(), ValueError, ["log()", "0.0"]),
        (lambda: Value(-1.0).sqrt(), ValueError, ["sqrt()", "-1.0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["pow()", "0.0", "-1"]),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, ["pow()", "-2.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["pow()", "-8.0"]),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, ["pow()", "-8.0", "0.5"]),
        (lambda: (-2.0) ** Value(0.5), ValueError, ["pow()", "-2.0"]),
        (lambda: Value(3.0) / Value(0.0), ZeroDivisionError, ["division", "3.0"]),
        (lambda: Value(3.0) / 0, ZeroDivisionError, ["division", "3.0"]),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, ["division", "1.0 / 0.0"]),
        (lambda: 1 / Value(-0.0), ZeroDivisionError, ["division", "1.0 / -0.0"]),
    ],
)
def test_domain_errors_name_the_op_and_value(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for w in words:
        assert w in str(info.value)


def test_failed_op_leaves_the_graph_unchanged():
    x = Value(-2.0)
    y = x * 3.0
    before = (y.data, y.grad, y._prev, y._op, x._prev)
    with pytest.raises(ValueError):
        y.log()
    with pytest.raises(ZeroDivisionError):
        y / Value(0.0)
    assert (y.data, y.grad, y._prev, y._op, x._prev) == before
    y.backward()
    assert x.grad == 3.0  # only the successful op is in the graph


@pytest.mark.parametrize("other", ["a", None, 1j, [2.0]])
def test_ops_with_non_numbers_raise_type_error_naming_the_op(other):
    with pytest.raises(TypeError, match=r"\+"):
        Value(1.0) + other
    with pytest.raises(TypeError, match=r"\*|multiply"):
        other * Value(1.0)
    with pytest.raises(TypeError, match=r"\*\*|pow"):
        Value(1.0) ** other


def test_integer_powers_of_negative_numbers_are_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0


def test_sqrt_at_zero_has_infinite_slope():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == float("inf")
    z = Value(0.0)
    (z**0.5).backward()
    assert z.grad == float("inf")
