"""The create_graph rules of autograd/higher.py, the functional API and the fused ops,
op by op: each test kills mutants that survived `scripts/mutate.py` (see README,
"Development").

First and second derivatives at ordinary points come from sympy; at kinks and domain
edges (|x|, relu and sqrt at 0, x**c at 0) from exact math, which PyTorch float64
agrees with there (abs'(0) = relu'(0) = 0, sqrt'(0) = +inf).
"""

import math

import pytest
import sympy

from autograd import Value, grad, gradients, hessian, value_and_grad
from autograd.ops import linear, total

a_, b_, c_, d_ = sympy.symbols("a b c d", real=True)


def _f(g):
    """A gradient as a float (a Value's data, or the float itself)."""
    return g.data if isinstance(g, Value) else float(g)


def _sympy_grads(expr, syms, point):
    sub = dict(zip(syms, point))
    first = [float(sympy.diff(expr, s).subs(sub)) for s in syms]
    second = [[float(sympy.diff(expr, s, t).subs(sub)) for t in syms] for s in syms]
    return first, second


def _engine_grads(out, leaves):
    """First derivatives with create_graph, then the second derivatives from them."""
    firsts = gradients(out, leaves, create_graph=True)
    second = []
    for g in firsts:
        if isinstance(g, Value):
            second.append([_f(h) for h in gradients(g, leaves)])
        else:  # a constant first derivative
            second.append([0.0] * len(leaves))
    return [_f(g) for g in firsts], second


def _close(got, want):
    assert len(got) == len(want)
    for x, y in zip(got, want):
        if isinstance(y, list):
            _close(x, y)
        else:
            assert x == pytest.approx(y, rel=1e-12, abs=1e-12), (got, want)


# -- one op at a time, against sympy ------------------------------------------

CASES = [
    # (name, engine function of the leaves, sympy expression, point)
    ("x/4", lambda x: x / 4, a_ / 4, [3.0]),
    ("x/c with x used again", lambda x: x / 0.5 + x * x, a_ / 0.5 + a_**2, [3.0]),
    ("x/y", lambda x, y: x / y, a_ / b_, [3.0, 2.0]),
    ("x**3", lambda x: x**3, a_**3, [2.0]),
    ("x**1", lambda x: x**1, a_, [3.0]),
    ("x**0", lambda x: x**0 + x, 1 + a_, [2.0]),
    ("x**y", lambda x, y: x**y, a_**b_, [2.0, 3.0]),
    ("x**y, base in (0, 1)", lambda x, y: x**y, a_**b_, [0.5, 1.5]),
    ("x**y, base 1", lambda x, y: x**y, a_**b_, [1.0, 2.5]),
    ("2**x", lambda x: 2.0**x, 2**a_, [1.5]),
    ("sqrt", lambda x: x.sqrt(), sympy.sqrt(a_), [4.0]),
    ("abs > 0", lambda x: abs(x) * x, abs(a_) * a_, [0.5]),
    ("abs < 0", lambda x: abs(x) * x, abs(a_) * a_, [-0.5]),
    ("abs < -1", lambda x: abs(x) * x, abs(a_) * a_, [-2.0]),
    ("relu > 0", lambda x: x.relu() * x, a_ * a_, [0.5]),
    ("relu < 0", lambda x: x.relu() * x, sympy.Integer(0) * a_, [-0.5]),
    ("tanh", lambda x: x.tanh(), sympy.tanh(a_), [0.3]),
    ("sigmoid", lambda x: x.sigmoid(), 1 / (1 + sympy.exp(-a_)), [0.3]),
    ("sin cos", lambda x, y: x.sin() * y.cos(), sympy.sin(a_) * sympy.cos(b_), [0.3, 1.1]),
    ("exp log", lambda x, y: x.exp() * y.log(), sympy.exp(a_) * sympy.log(b_), [0.3, 1.7]),
    ("x-y, -x", lambda x, y: (x - y) * (-x) - 3.0, (a_ - b_) * (-a_) - 3, [0.3, 1.7]),
]


@pytest.mark.parametrize("name, fn, expr, point", CASES, ids=[c[0] for c in CASES])
def test_first_and_second_derivatives_match_sympy(name, fn, expr, point):
    leaves = [Value(p) for p in point]
    first, second = _engine_grads(fn(*leaves), leaves)
    want1, want2 = _sympy_grads(expr, [a_, b_][: len(point)], point)
    _close(first, want1)
    _close(second, want2)


def test_linear_rule_matches_sympy():
    # tanh(b + w0*x0 + w1*2.0 + w2*x2)**2: Value and constant inputs, with a bias
    w = sympy.symbols("w0 w1 w2", real=True)
    x0, x2, b = sympy.symbols("x0 x2 b", real=True)
    z = b + w[0] * x0 + w[1] * 2.0 + w[2] * x2
    expr = sympy.tanh(z) ** 2
    syms = [*w, x0, x2, b]
    point = [0.3, -0.2, 0.5, 0.7, -1.1, 0.1]
    leaves = [Value(p) for p in point]
    ws, (vx0, vx2, vb) = leaves[:3], leaves[3:]
    out = linear(ws, [vx0, 2.0, vx2], vb).tanh() ** 2
    first, second = _engine_grads(out, leaves)
    want1, want2 = _sympy_grads(expr, syms, point)
    _close(first, want1)
    _close(second, want2)


def test_linear_rule_without_bias_matches_sympy():
    w0, w1, x0 = sympy.symbols("w0 w1 x0", real=True)
    expr = (w0 * x0 + w1 * 3.0) ** 2
    point = [0.4, -0.6, 1.3]
    leaves = [Value(p) for p in point]
    out = linear(leaves[:2], [leaves[2], 3.0]) ** 2
    first, second = _engine_grads(out, leaves)
    want1, want2 = _sympy_grads(expr, [w0, w1, x0], point)
    _close(first, want1)
    _close(second, want2)


def test_sum_rule_matches_sympy():
    expr = (a_ + b_ + a_ * b_ + 2.0) ** 2
    point = [0.7, -1.3]
    leaves = [Value(p) for p in point]
    x, y = leaves
    out = total([x, y, x * y], 2.0) ** 2
    first, second = _engine_grads(out, leaves)
    want1, want2 = _sympy_grads(expr, [a_, b_], point)
    _close(first, want1)
    _close(second, want2)


# -- kinks and domain edges: exact values, as the first-order path gives them --

EDGES = [
    # (name, function, point, exact first derivative)
    ("abs at 0", abs, 0.0, 0.0),
    ("abs at 0.5", abs, 0.5, 1.0),
    ("abs at -0.5", abs, -0.5, -1.0),
    ("relu at 0", lambda x: x.relu(), 0.0, 0.0),
    ("relu at 0.5", lambda x: x.relu(), 0.5, 1.0),
    ("sqrt at 0", lambda x: x.sqrt(), 0.0, math.inf),
    ("x**0 at 0", lambda x: x**0, 0.0, 0.0),
    ("x**0 at 2", lambda x: x**0, 2.0, 0.0),
    ("x**1 at 0", lambda x: x**1, 0.0, 1.0),
    ("x**1.5 at 0", lambda x: x**1.5, 0.0, 0.0),
    ("x**2 at 0", lambda x: x**2, 0.0, 0.0),
    ("x**0.5 at 0", lambda x: x**0.5, 0.0, math.inf),
    ("x/4", lambda x: x / 4, 1.0, 0.25),
]


@pytest.mark.parametrize("name, fn, x, exact", EDGES, ids=[e[0] for e in EDGES])
def test_create_graph_first_derivative_at_edges_equals_first_order(name, fn, x, exact):
    v = Value(x)
    assert _f(gradients(fn(v), [v], create_graph=True)[0]) == exact
    assert gradients(fn(v), [v])[0] == exact  # the first-order closure agrees


@pytest.mark.parametrize(
    "a, b, d_a, d_b",
    [
        (0.0, 1.0, 1.0, 0.0),  # d/da a**1 = 1; d/db 0**b = 0 (PyTorch masks 0*log 0)
        (0.0, 1.5, 0.0, 0.0),  # 1.5 * 0**0.5
        (0.0, 2.0, 0.0, 0.0),
        (0.0, 0.5, math.inf, 0.0),  # a**0.5 is vertical at 0
    ],
)
def test_create_graph_pow_of_two_values_at_base_zero(a, b, d_a, d_b):
    x, y = Value(a), Value(b)
    got = [_f(g) for g in gradients(x**y, [x, y], create_graph=True)]
    assert got == [d_a, d_b]
    assert gradients(x**y, [x, y]) == [d_a, d_b]


# -- backward(create_graph=True) and gradients() bookkeeping -------------------


def test_backward_create_graph_default_seed_and_node_grads():
    x = Value(3.0)
    y = x * x
    z = y * 3.0
    z.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 18.0  # d/dx 3x**2 = 6x
    assert y.grad == 3.0 and type(y.grad) is float  # an inner node: this call's float grad
    w = Value(2.0)
    (w * w).backward(0.5, create_graph=True)
    assert w.grad.data == 2.0


def test_backward_with_graph_seeds_one_by_default():
    from autograd.higher import backward_with_graph

    x = Value(3.0)
    backward_with_graph(x * x)
    assert x.grad.data == 6.0  # d/dx x**2


def test_create_graph_stops_where_first_order_stops():
    # a node made by the constructor without a _backward passes no gradient on, in
    # backward() and in backward(create_graph=True) alike
    grads = []
    for create_graph in (False, True):
        a = Value(2.0)
        mid = Value(a.data * 2, (a,), "double")
        (mid * 3.0).backward(create_graph=create_graph)
        grads.append((_f(a.grad), _f(mid.grad)))
    assert grads == [(0.0, 3.0), (0.0, 3.0)]


def test_gradients_of_an_unrelated_input_is_zero():
    x, u = Value(2.0), Value(5.0)
    u.grad = 7.0
    out = x * x
    assert [_f(g) for g in gradients(out, [x, u], create_graph=True)] == [4.0, 0.0]
    assert gradients(out, [x, u]) == [4.0, 0.0]
    assert u.grad == 7.0 and x.grad == 0.0  # .grad left as it was


# -- the functional API ---------------------------------------------------------


def test_grad_default_argnum_is_the_first():
    f = lambda x, y: x * y * y  # noqa: E731
    assert grad(f)(2.0, 3.0) == 9.0  # d/dx x*y**2
    assert grad(f, argnums=-2)(2.0, 3.0) == 9.0
    assert grad(f, argnums=-1)(2.0, 3.0) == 12.0
    assert grad(f, argnums=1)(2.0, 3.0) == 12.0
    for bad in (2, -3):
        with pytest.raises(ValueError, match="argnums"):
            grad(f, argnums=bad)(2.0, 3.0)


def test_value_and_grad_default_argnum_is_the_first():
    # x*y**2 at (2, 3): value 18, d/dx = y**2 = 9
    assert value_and_grad(lambda x, y: x * y * y)(2.0, 3.0) == (18.0, 9.0)


def test_hessian_with_a_constant_first_derivative():
    # x + y**2: d/dx = 1 (a constant), so its row is zeros; sympy: [[0, 0], [0, 2]]
    h = hessian(lambda x, y: x + y * y)(1.0, 2.0)
    expr = a_ + b_**2
    assert h == [[float(sympy.diff(expr, s, t)) for t in (a_, b_)] for s in (a_, b_)]


# -- the fused ops ----------------------------------------------------------------


def test_total_of_a_generator_and_of_repeated_values():
    x, y = Value(1.5), Value(-2.0)
    out = total(v * v for v in (x, y))
    out.backward()
    assert out.data == 1.5**2 + 4.0
    assert (x.grad, y.grad) == (3.0, -4.0)
    x.grad = 0.0
    (total([x, x, 2.0]) + x).backward()
    assert x.grad == 3.0


def test_linear_value_bias_and_sizes():
    ws = [Value(2.0), Value(-1.0)]
    b = Value(0.5)
    out = linear(ws, [3.0, 4.0])
    assert out.data == 2.0 * 3.0 - 4.0
    out.backward()
    assert [w.grad for w in ws] == [3.0, 4.0]
    out = linear(ws, [3.0, 4.0], b)
    assert out.data == 0.5 + 2.0 * 3.0 - 4.0
    out.backward()
    assert b.grad == 1.0
    with pytest.raises(ValueError, match="linear"):
        linear(ws, [1.0])
