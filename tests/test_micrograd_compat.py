"""micrograd's own engine tests, run on our Value with only the import swapped.

micrograd checks these against PyTorch; here the expectations come from sympy
(exact symbolic derivatives, evaluated in float64) and, as a second opinion,
from micrograd itself.
"""

import pytest
import sympy

from autograd import Value


def sanity_check(x, relu):
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    return h + q + q * x


def more_ops(a, b, relu):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + relu(b + a)
    d += 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def sym_relu(e):
    return sympy.Max(0, e)


def test_sanity_check_against_sympy():
    xs = sympy.Symbol("x", real=True)
    expr = sanity_check(xs, sym_relu)
    x = Value(-4.0)
    y = sanity_check(x, lambda v: v.relu())
    y.backward()
    assert y.data == pytest.approx(float(expr.subs(xs, -4)), rel=1e-12)
    assert x.grad == pytest.approx(float(sympy.diff(expr, xs).subs(xs, -4)), rel=1e-12)


def test_more_ops_against_sympy():
    asym, bsym = sympy.symbols("a b", real=True)
    expr = more_ops(asym, bsym, sym_relu)
    at = {asym: -4, bsym: 2}
    a, b = Value(-4.0), Value(2.0)
    g = more_ops(a, b, lambda v: v.relu())
    g.backward()
    assert g.data == pytest.approx(float(expr.subs(at)), rel=1e-12)
    assert a.grad == pytest.approx(float(sympy.diff(expr, asym).subs(at)), rel=1e-12)
    assert b.grad == pytest.approx(float(sympy.diff(expr, bsym).subs(at)), rel=1e-12)


@pytest.mark.parametrize("case", [sanity_check, more_ops])
def test_same_numbers_as_micrograd(case):
    from micrograd.engine import Value as MgValue

    def run(cls):
        leaves = [cls(-4.0), cls(2.0)][: case.__code__.co_argcount - 1]
        out = case(*leaves, lambda v: v.relu())
        out.backward()
        return [out.data] + [v.grad for v in leaves]

    ours, theirs = run(Value), run(MgValue)
    assert ours == pytest.approx(theirs, rel=1e-12)


def cube(self: Value) -> Value:
    """The way micrograd users add an op: a Value with children, op and a closure."""
    out = Value(self.data**3, (self,), "cube")

    def _backward():
        self.grad += 3 * self.data**2 * out.grad

    out._backward = _backward
    return out


def test_micrograd_style_custom_op_runs_unchanged():
    x = Value(2.0)
    y = cube(x) + x
    y.backward()
    assert y.data == 10.0 and x.grad == 13.0
    assert y._prev and isinstance(x._prev, (tuple, set))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_prev_can_be_assigned_a_set_as_micrograd_stores_it(n):
    # micrograd keeps `_prev = set(_children)`; code that assigns one must work here too
    parents = [Value(float(i)) for i in range(n)]
    node = Value(1.0)
    node._prev = set(parents)
    assert set(node._prev) == set(parents) and len(node._prev) == n


def test_a_leaf_given_a_no_op_backward_still_accumulates():
    # micrograd's Value.__init__ gives every node `_backward = lambda: None`; a subclass
    # copying that keeps its leaves leaves: two backwards of x*x at 2 give 2 * 4 (rev19)
    class MicrogradStyle(Value):
        def __init__(self, data, _children=(), _op=""):
            super().__init__(data, _children, _op)
            self._backward = lambda: None

    x = MicrogradStyle(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0
    x.backward()  # the leaf itself as the root accumulates too, as a leaf without a rule does
    assert x.grad == 9.0
    w = MicrogradStyle(2.0)
    (w * w).backward(create_graph=True)
    (w * w).backward(create_graph=True)
    assert w.grad.data == 8.0
    z = Value(2.0)
    z._backward = lambda: None
    (z * 3.0).backward(2.0)
    (z * 3.0).backward(2.0)
    assert z.grad == 12.0
