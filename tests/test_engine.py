"""The engine's ops, graph handling and backward pass.

Expected numbers come from hand-derived float64 formulas (optable.py), central
finite differences, or the published examples named at each test.
"""

import math
import sys
import threading

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from optable import BINARY, UNARY

from autograd import Value, topological_order


def central_difference(f, x, h=None):
    h = h or 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def close(a, b, rel=1e-6, abs_=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
def test_unary_at_fixed_points_matches_hand_formula(op):
    for x0 in op.points:
        x = Value(x0)
        y = op.apply(x)
        y.backward()
        assert close(y.data, op.f(x0), rel=1e-12, abs_=1e-15), (op.name, x0)
        assert close(x.grad, op.df(x0), rel=1e-12, abs_=1e-15), (op.name, x0)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.name)
@given(data=st.data())
def test_unary_matches_formula_and_finite_differences(op, data):
    x0 = data.draw(st.floats(op.lo, op.hi, allow_nan=False))
    if op.avoid is not None:
        assume(abs(x0 - op.avoid) > 1e-3)
    x = Value(x0)
    y = op.apply(x)
    y.backward()
    assert close(y.data, op.f(x0), rel=1e-12, abs_=1e-300)
    assert close(x.grad, op.df(x0), rel=1e-9, abs_=1e-300)
    fd = central_difference(op.f, x0)
    assert math.isclose(x.grad, fd, rel_tol=1e-4, abs_tol=1e-6 * max(1.0, abs(op.f(x0))))


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
@given(data=st.data())
def test_binary_matches_formula_and_finite_differences(op, data):
    a0 = data.draw(st.floats(*op.a_range, allow_nan=False))
    b0 = data.draw(st.floats(*op.b_range, allow_nan=False))
    a, b = Value(a0), Value(b0)
    y = op.apply(a, b)
    y.backward()
    ga, gb = op.grad(a0, b0)
    assert close(y.data, op.f(a0, b0), rel=1e-12, abs_=1e-300)
    assert close(a.grad, ga, rel=1e-9, abs_=1e-12)
    assert close(b.grad, gb, rel=1e-9, abs_=1e-12)
    scale = max(1.0, abs(op.f(a0, b0)))
    assert math.isclose(
        a.grad, central_difference(lambda t: op.f(t, b0), a0), rel_tol=1e-4, abs_tol=1e-6 * scale
    )
    assert math.isclose(
        b.grad, central_difference(lambda t: op.f(a0, t), b0), rel_tol=1e-4, abs_tol=1e-6 * scale
    )


def test_micrograd_readme_example():
    # micrograd README: g.data 24.7041, a.grad 138.8338, b.grad 645.5773 (printed to 4 decimals).
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_cs231n_circuit():
    # CS231n "Backpropagation, Intuitions": f = (x + y) z at x=-2, y=5, z=-4 gives dx=dy=-4, dz=3.
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    b = a + a  # d b / d a = 2
    b.backward()
    assert a.grad == 2.0
    x = Value(-2.0)
    y = x * x * x  # 3 x^2 = 12
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0
    u = Value(0.5)
    t = u.tanh()
    w = t * t + t  # (2t + 1)(1 - t^2)
    w.backward()
    th = math.tanh(0.5)
    assert close(u.grad, (2 * th + 1) * (1 - th * th), rel=1e-14)


def test_repeated_backward_accumulates_in_leaves_exactly():
    x, y = Value(1.5), Value(-0.5)
    z = (x * y).tanh() + x.exp()
    z.backward()
    first = (x.grad, y.grad)
    z.backward()
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])
    assert z.grad == 1.0  # interior nodes hold this call's gradient


def test_backward_with_a_seed_gradient():
    x = Value(2.0)
    y = x * x
    y.backward(3.0)
    assert x.grad == 12.0


def test_leaf_backward():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_million_deep_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    # d/dx of x * c^n is c^n; compared with the float64 power computed directly
    assert close(x.grad, 1.0000001**1_000_000, rel=1e-9)
    assert close(y.data, 0.5 * 1.0000001**1_000_000, rel=1e-9)


def test_deep_chain_in_a_thread_with_default_stack():
    out = {}

    def work():
        x = Value(1.0)
        y = x
        for _ in range(200_000):
            y = y + 1.0
        y.backward()
        out["grad"] = x.grad

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out["grad"] == 1.0


def test_wide_sum():
    xs = [Value(float(i)) for i in range(20_000)]
    s = xs[0]
    for x in xs[1:]:
        s = s + x * x
    s.backward()
    assert s.data == 0.0 + sum(float(i) ** 2 for i in range(1, 20_000))
    assert xs[0].grad == 1.0
    assert all(x.grad == 2 * x.data for x in xs[1:])


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    pos = {id(v): i for i, v in enumerate(order)}
    assert len(order) == 5 and order[-1] is e
    for v in order:
        for p in v._prev:
            assert pos[id(p)] < pos[id(v)]


def test_repr_and_constructor():
    assert repr(Value(4.0)) == "Value(data=4.0, grad=0.0)"
    assert repr(Value(2, label="x")) == "Value(data=2.0, grad=0.0, label='x')"
    v = Value(3)
    assert type(v.data) is float and v.grad == 0.0 and v._prev == () and v._op == ""
    v._backward()  # a leaf's closure does nothing
    assert v.grad == 0.0
    c = Value(1.0) + Value(2.0)
    assert c._op == "+" and len(c._prev) == 2


def test_comparisons_use_data_and_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1.0 and b >= 2
    assert a != Value(1.0)
    assert len({a, b, a}) == 2
    assert float(b) == 2.0


def test_retain_graph_false_frees_the_graph():
    x = Value(2.0)
    y = (x * x).exp()
    y.backward(retain_graph=False)
    assert close(x.grad, 4 * math.exp(4), rel=1e-14)
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_nan_and_inf_are_carried():
    x = Value(float("nan"))
    assert math.isnan((x * 2).data)
    y = Value(1000.0).exp()
    assert y.data == math.inf
    z = Value(float("inf")).tanh()
    assert z.data == 1.0
