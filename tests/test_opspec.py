"""The op table (autograd/opspec.py) against the engine itself: every formula, evaluated
in Python, gives bit for bit what the engine's op and closure give, at ordinary and edge
points (the engine is the reference here; the engine is checked against torch/sympy
elsewhere). Codegen and the explorer trust the table because of this test."""

import itertools
import math

import pytest

from autograd import Value
from autograd.opspec import SPECS, evaluate, spec_for, to_js

POINTS = [0.0, -0.0, 1e-300, -1e-300, 1e200, -1e200, math.nan, math.inf, -math.inf,
          1.0, -1.0, 0.5, 2.0, -2.5, 3.0]  # fmt: skip
FEW = [0.0, 1e-300, -1e-300, 1e200, -1e200, math.nan, math.inf, 1.0, -1.0, 0.5, -2.5, 3.0]
CONSTS = [0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e-300, 1e200, math.inf, math.nan]
METHODS = {"exp", "log", "tanh", "sigmoid", "sin", "cos", "sqrt", "abs"}


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


def build(op: str, form: str, a: Value, b, c):
    if op == "leaky_relu":
        return a.leaky_relu(c)
    if form == "vv":
        return {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__,
                "**": a.__pow__}[op](b)  # fmt: skip
    if form == "vc":
        return {"+": lambda: a + c, "-": lambda: a - c, "*": lambda: a * c, "/": lambda: a / c,
                "**": lambda: a**c, "rpow": lambda: c**a, "rsub": lambda: c - a,
                "rdiv": lambda: c / a}[op]()  # fmt: skip
    if op == "neg":
        return -a
    if op == "ReLU":
        return a.relu()
    return getattr(a, op)()


def cases():
    for (op, form), spec in SPECS.items():
        if form == "n":
            continue
        if form == "vv":
            grid = [(x, y, None) for x, y in itertools.product(FEW, FEW)]
        elif form == "vc":
            grid = [(x, None, c) for x, c in itertools.product(POINTS, CONSTS)]
        else:
            grid = [(x, None, None) for x in POINTS]
        yield pytest.param(spec, grid, id=f"{op}-{form}")


@pytest.mark.parametrize("spec,grid", list(cases()))
def test_formulas_match_the_engine_bit_for_bit(spec, grid):
    checked = 0
    for x, y, c in grid:
        a = Value(x)
        b = Value(y) if y is not None else None
        names = {"a": x, "b": y if y is not None else 0.0, "c": c if c is not None else 0.0}
        try:
            out = build(spec.op, spec.form, a, b, c)
        except (ValueError, ZeroDivisionError) as err:
            with pytest.raises(type(err)):
                evaluate(spec.forward, **names)
            continue
        if out._op != spec.op:  # the engine writes this form as another op (not yet split)
            pytest.skip(f"the engine builds {spec.op!r} as {out._op!r}")
        assert spec_for(out._op, len(out._prev), out._ctx) is spec
        assert same(out.data, evaluate(spec.forward, **names)), (spec.op, x, y, c)
        for g in (1.0, -2.0):
            a.grad = 0.0
            if b is not None:
                b.grad = 0.0
            out.backward(g)
            leaves = [a] if b is None else [a, b]
            for leaf, expr in zip(leaves, spec.grads):
                want = 0.0 + evaluate(expr, **names, out=out.data, g=g)
                assert same(leaf.grad, want), (spec.op, expr, x, y, c, g, leaf.grad, want)
        checked += 1
    assert checked > len(grid) // 3  # most points are inside the domain


def test_every_engine_op_has_an_entry():
    x, y = Value(0.7), Value(1.3)
    nodes = [x + y, x + 2, x - y, x - 2, 2 - x, x * y, x * 2, x / y, x / 2, 2 / x, -x, x**y,
             x**2, 2**x, x.relu(), *(getattr(x, m)() for m in METHODS)]  # fmt: skip
    for n in nodes:
        assert spec_for(n._op, len(n._prev), n._ctx) is not None, n._op


def test_to_js_keeps_the_meaning():
    # precedence is made explicit, conditionals become ternaries, names map to Math/F
    assert to_js("-(g * out / b)") == "(-((g * out) / b))"
    assert to_js("g if a > 0.0 else (-g if a < 0.0 else 0.0)") == (
        "((a > 0.0) ? g : ((a < 0.0) ? (-g) : 0.0))"
    )
    assert to_js("(0.5 / out if out != 0.0 else inf) * g") == (
        "(((out !== 0.0) ? (0.5 / out) : Infinity) * g)"
    )
    assert to_js("pow_slope(a, c) * g") == "(F.powSlope(a, c) * g)"


def test_the_formula_language_refuses_anything_else():
    with pytest.raises(ValueError, match="not part of the formula language"):
        evaluate("a[0]", a=[1.0])
    with pytest.raises(ValueError, match="not part of the formula language"):
        to_js("lambda: 1")
