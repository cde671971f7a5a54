"""Second and third derivatives, the functional API, no_grad, detach and anomaly mode.

Closed forms come from sympy (symbolic differentiation of the op's formula);
a second opinion comes from central differences of the engine's own first
derivative.
"""

import math
import threading

import pytest
import sympy
from hypothesis import given, settings
from optable import UNARY

from autograd import (
    AnomalyError,
    Value,
    detect_anomaly,
    enable_grad,
    grad,
    gradients,
    hessian,
    is_grad_enabled,
    no_grad,
    value_and_grad,
)
from autograd.higher import RULES, register_rule
from autograd.testing import expressions

s = sympy.Symbol("s", real=True)
SYMPY = {
    "neg": -s,
    "exp": sympy.exp(s),
    "log": sympy.log(s),
    "tanh": sympy.tanh(s),
    "sigmoid": 1 / (1 + sympy.exp(-s)),
    "relu": sympy.Max(0, s),
    "sin": sympy.sin(s),
    "cos": sympy.cos(s),
    "sqrt": sympy.sqrt(s),
    "abs": sympy.Abs(s),
    "square": s**2,
    "cube": s**3,
    "pow0.5": s**0.5,
    "reciprocal": 1 / s,
    "pow-2.5": s**-2.5,
    "2**x": 2**s,
    "x+3": s + 3,
    "3+x": 3 + s,
    "x-3": s - 3,
    "3-x": 3 - s,
    "x*3": 3 * s,
    "3*x": 3 * s,
    "x/4": s / 4,
    "4/x": 4 / s,
}


def sym_derivative(name, order, x0):
    return float(sympy.diff(SYMPY[name], s, order).subs(s, x0))


def test_every_op_has_a_sympy_form():
    assert {op.name for op in UNARY} == set(SYMPY)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
def test_second_and_third_derivatives_match_sympy(op):
    d1 = grad(op.apply)
    d2 = grad(grad(op.apply))
    d3 = grad(grad(grad(op.apply)))
    for x0 in op.points:
        if op.avoid is not None and x0 == op.avoid:
            continue
        assert d1(x0) == pytest.approx(sym_derivative(op.name, 1, x0), rel=1e-12, abs=1e-14)
        assert d2(x0) == pytest.approx(sym_derivative(op.name, 2, x0), rel=1e-12, abs=1e-14)
        assert d3(x0) == pytest.approx(sym_derivative(op.name, 3, x0), rel=1e-11, abs=1e-13)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
def test_second_derivative_matches_nested_finite_differences(op):
    d1, d2 = grad(op.apply), grad(grad(op.apply))
    for x0 in op.points:
        if op.avoid is not None and abs(x0 - op.avoid) < 1e-2:
            continue
        h = 1e-5 * max(1.0, abs(x0))
        fd = (d1(x0 + h) - d1(x0 - h)) / (2 * h)
        assert d2(x0) == pytest.approx(fd, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    "f, f_sym",
    [
        (lambda a, b: a * b * b, lambda a, b: a * b * b),
        (lambda a, b: a / b, lambda a, b: a / b),
        (lambda a, b: a**b, lambda a, b: a**b),
        (lambda a, b: (a - b).tanh() * a.exp(), lambda a, b: sympy.tanh(a - b) * sympy.exp(a)),
        (lambda a, b: (a * b).sin() + b.log(), lambda a, b: sympy.sin(a * b) + sympy.log(b)),
    ],
)
def test_binary_hessians_match_sympy(f, f_sym):
    a0, b0 = 1.3, 0.7
    H = hessian(f)(a0, b0)
    A, B = sympy.symbols("a b", positive=True)
    expr = f_sym(A, B)
    for i, u in enumerate((A, B)):
        for j, v in enumerate((A, B)):
            exact = float(sympy.diff(expr, u, v).subs({A: a0, B: b0}))
            assert H[i][j] == pytest.approx(exact, rel=1e-11, abs=1e-13)
    assert H[0][1] == H[1][0] or H[0][1] == pytest.approx(H[1][0], rel=1e-14)


@settings(max_examples=60, deadline=None)
@given(expressions(max_depth=4, n_inputs=1))
def test_random_expressions_second_derivative_matches_sympy(ex):
    expr, (sym,) = ex.sympy()
    x0 = ex.point[0]
    exact = float(sympy.diff(expr, sym, 2).subs(sym, x0).evalf(30))
    got = grad(grad(ex.build))(x0)
    assert got == pytest.approx(exact, rel=1e-7, abs=1e-8), ex


def test_backward_create_graph_makes_grad_a_value():
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 12.0
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == 12.0  # d2/dx2 x^3 = 6x
    z = Value(1.0)
    w = (z * 2).exp()
    w.backward()
    assert isinstance(z.grad, float)  # the default stays micrograd's float


def test_gradients_leave_grad_fields_alone():
    x, y = Value(1.5), Value(-0.5)
    x.grad = 7.0
    out = (x * y).sin()
    gx, gy = gradients(out, [x, y])
    assert gx == pytest.approx(math.cos(-0.75) * -0.5) and gy == pytest.approx(
        math.cos(-0.75) * 1.5
    )
    assert x.grad == 7.0 and y.grad == 0.0 and out.grad == 0.0
    assert gradients(out, [Value(3.0)]) == [0.0]


def test_functional_api():
    assert grad(lambda x: x * x)(3.0) == 6.0
    assert isinstance(grad(lambda x: x * x)(3.0), float)
    v, g = value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 5.0)
    assert v == 15.0 and g == (5.0, 3.0)
    assert grad(lambda x, y: x * y, argnums=1)(2.0, 5.0) == 2.0
    assert grad(lambda x: 3.0)(1.0) == 0.0
    assert grad(grad(lambda x: x * 2))(1.0) == 0.0
    with pytest.raises(ValueError, match="argnums"):
        grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(TypeError, match="str"):
        grad(lambda x: "no")(1.0)


def test_custom_op_needs_a_rule_for_create_graph():
    def cube(v):
        out = Value(v.data**3, (v,), "cube3")

        def _backward():
            v.grad += 3 * v.data**2 * out.grad

        out._backward = _backward
        return out

    assert grad(cube)(2.0) == 12.0
    with pytest.raises(NotImplementedError, match="cube3"):
        grad(grad(cube))(2.0)
    register_rule("cube3", lambda out, g: (g * 3 * out._prev[0] ** 2,))
    try:
        assert grad(grad(cube))(2.0) == 12.0
    finally:
        del RULES["cube3"]


def test_no_grad_builds_leaves_and_nests():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
        assert y._prev == () and y._bw is None and y.data == 5.0
        with enable_grad():
            z = x * 3
            assert z._prev == (x,)
        assert not is_grad_enabled()
    assert is_grad_enabled()
    y.backward()
    assert x.grad == 0.0

    @no_grad()
    def f(v):
        return v * v

    assert f(x)._prev == ()


def test_no_grad_is_per_thread():
    barrier = threading.Barrier(2)
    results = {}

    def quiet():
        with no_grad():
            barrier.wait()
            results["quiet"] = (Value(1.0) * 2)._prev
            barrier.wait()

    def loud():
        barrier.wait()
        results["loud"] = len((Value(1.0) * 2)._prev)
        barrier.wait()

    threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"quiet": (), "loud": 1}


def test_detach():
    x = Value(3.0, label="x")
    y = (x * x).detach()
    assert y.data == 9.0 and y._prev == ()
    (y * x).backward()
    assert x.grad == 9.0  # y is a constant to the graph


def test_anomaly_forward_names_op_inputs_and_line():
    big = Value(1000.0)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        _ = big.exp() * 0.0  # marker: exp overflows
    msg = str(info.value)
    assert "exp(1000.0)" in msg and "inf" in msg and "marker: exp overflows" in msg


def test_anomaly_backward_names_op_and_creation_line():
    z = Value(0.0)
    with detect_anomaly():
        r = z.sqrt()  # marker: sqrt at zero
        with pytest.raises(AnomalyError) as info:
            r.backward()
    msg = str(info.value)
    assert "backward" in msg and "sqrt(0.0)" in msg and "marker: sqrt at zero" in msg


def test_without_anomaly_mode_nan_passes_silently():
    a = Value(1000.0).exp()
    assert math.isnan((a - a).data)


def test_anomaly_pinpoints_the_op_that_makes_a_nan():
    big = Value(1e308)
    with detect_anomaly():
        doubled = big * 1.0  # fine: finite
        with pytest.raises(AnomalyError) as info:
            doubled * 10.0 - doubled * 10.0  # marker: overflow to inf first
    assert "*(1e+308) with constant 10.0" in str(info.value)
    zero = Value(0.0)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        zero / zero.exp() * Value(float("inf"))  # marker: 0 * inf is NaN
    msg = str(info.value)
    assert "nan" in msg and "*(0.0, inf)" in msg and "marker: 0 * inf is NaN" in msg
