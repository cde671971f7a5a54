"""compile never silently differs from the engine: the tracing guard, aliasing, closures.

Each construct below either raises TracingError while tracing or, called a
second time with other numbers, gives exactly what the engine gives.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import TracingError, Value
from autograd.compiled import CompileWarning
from autograd.testing import expressions

REFUSE = "refuse"

# (name, function of (x, n) with x a Value and n a number-or-Value argument, expectation)
GUARD = [
    ("int", lambda x, n: x * int(n), REFUSE),
    ("int of product", lambda x, n: x * int(x * n), REFUSE),
    ("round", lambda x, n: x * round(x), REFUSE),
    ("round ndigits", lambda x, n: x * round(x, 2), REFUSE),
    ("quantise", lambda x, n: x + round(x * 255) / 255, REFUSE),
    ("range(int)", lambda x, n: sum((x for _ in range(int(n))), Value(0.0)), REFUSE),
    ("str", lambda x, n: x * len(str(n)), REFUSE),
    ("repr", lambda x, n: x * len(repr(n)), REFUSE),
    ("format", lambda x, n: x * len(format(n)), REFUSE),
    ("format spec", lambda x, n: x * len(format(n, "")), REFUSE),
    ("f-string", lambda x, n: x * len(f"{n}"), REFUSE),
    ("%s", lambda x, n: x * len("%s" % (n,)), REFUSE),  # noqa: UP031
    ("print", lambda x, n: print(n) or x, REFUSE),
    ("float", lambda x, n: x * float(n), REFUSE),
    ("complex", lambda x, n: x * complex(n).real, REFUSE),
    ("bool", lambda x, n: x * bool(n), REFUSE),
    ("if", lambda x, n: x if n else -x, REFUSE),
    ("<", lambda x, n: x if x < n else -x, REFUSE),
    ("min", lambda x, n: min(x, n), REFUSE),
    ("max", lambda x, n: max(x, n), REFUSE),
    ("sorted", lambda x, n: sorted([x, n])[0], REFUSE),
    ("math.floor", lambda x, n: x * math.floor(n), REFUSE),
    ("math.ceil", lambda x, n: x * math.ceil(n), REFUSE),
    ("math.sin", lambda x, n: x * math.sin(n), REFUSE),
    ("math.isfinite", lambda x, n: x * math.isfinite(n), REFUSE),
    ("numpy float64", lambda x, n: x * np.float64(n), REFUSE),
    ("numpy asarray float", lambda x, n: x * np.asarray([n], dtype=float)[0], REFUSE),
    ("abs", lambda x, n: abs(x) * n, "equal"),
    ("numpy sin (object)", lambda x, n: np.sin(np.array([x], dtype=object))[0] * n, "equal"),
    ("operator.mul", lambda x, n: operator.mul(x, n), "equal"),
    ("sum", lambda x, n: sum([x, n, x]), "equal"),
    ("relu", lambda x, n: (x - n).relu(), "equal"),
]


@pytest.mark.parametrize("name,fn,expect", GUARD, ids=[g[0] for g in GUARD])
@pytest.mark.parametrize("n_kind", ["number", "Value"])
def test_guard_table(name, fn, expect, n_kind):
    def arg(v):
        return Value(v) if n_kind == "Value" else v

    # a number argument is traced as a Value too: both kinds are refused alike
    f = autograd.compile(fn)
    if expect == REFUSE:
        with pytest.raises(TracingError):
            f(Value(1.2), arg(2.0))
        return
    f(Value(1.2), arg(2.0))
    x = Value(3.7)
    out = f(x, arg(5.0))
    out.backward()
    xe = Value(3.7)
    ref = fn(xe, arg(5.0))
    ref.backward()
    assert out.data == ref.data and x.grad == xe.grad


def test_number_arguments_are_inputs():
    # a number argument is traced as a Value: int() of it is refused, not frozen
    f = autograd.compile(lambda x, n: x * int(n))
    with pytest.raises(TracingError, match="int"):
        f(Value(1.0), 2.0)
    g = autograd.compile(lambda x: x * round(x))
    with pytest.raises(TracingError, match="round"):
        g(Value(1.2))


def test_conversions_outside_tracing_unchanged():
    v = Value(2.5, label="a")
    assert int(v) == 2 and round(v) == 2 and round(v, 1) == 2.5
    assert str(v) == repr(v) == f"{v}" == format(v) == "Value(data=2.5, grad=0.0, label='a')"
    assert format(v, ".2f") == f"{v:.3e}"[:4] == "2.50"  # a spec formats the data, as torch


# -- aliasing and closures (issue 20, items 2 and 3) -------------------------------------


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_a_value_passed_twice_accumulates_in_the_engines_order():
    h = lambda a, b: a * 1e16 + b * 1.0 + a * (-1e16) + b * 1.0  # noqa: E731
    w, we = Value(0.5), Value(0.5)
    autograd.compile(h)(w, w).backward()
    h(we, we).backward()
    assert w.grad == we.grad == 1.0  # per-slot sums gave 2.0


def test_a_value_passed_three_times_with_a_prior_grad():
    f = autograd.compile(lambda a, b, c: a * b * c)
    x = Value(2.0)
    x.grad = 1.0
    f(x, x, x).backward()
    assert x.grad == 13.0


def test_a_closure_over_a_non_leaf_is_an_input():
    p = Value(2.0)
    hidden = p * 3.0
    cm = autograd.compile(lambda x: x * hidden)
    cm(Value(1.0))
    p.data = 5.0  # hidden.data stays 6.0, for the engine and for compiled code
    out = cm(Value(1.0))
    assert out.data == (Value(1.0) * hidden).data == 6.0
    out.backward()
    assert hidden.grad == 1.0 and p.grad == 3.0


@settings(max_examples=60, deadline=None)
@given(expressions(max_depth=6), st.data())
def test_random_programs_with_aliased_arguments_and_closures(ex, data):
    n = len(ex.point)
    owner = data.draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n), label="owner")
    kind = data.draw(st.sampled_from(["none", "leaf", "hidden", "argument"]), label="closure")

    def world(point):
        vals = [Value(point[owner[i]]) for i in range(n)]
        shared = [vals[owner[i]] for i in range(n)]  # positions with one owner share a Value
        p = Value(0.7)
        hidden = p * 1.3 + 0.25

        def fn(*xs):
            out = ex.build(*xs)
            if kind == "leaf":
                return out * p + out
            if kind == "hidden":
                return out * hidden + out
            if kind == "argument":  # a Value reached from outside and also passed in
                return out * shared[0] + out
            return out

        return shared, p, hidden, fn

    args, p, hidden, fn = world(ex.point)
    cf = autograd.compile(fn)
    distinct = list({id(v): v for v in [*args, p, hidden]}.values())
    for step in range(3):
        args_e, p_e, hidden_e, fn_e = world([x + 0.125 * step for x in ex.point])
        for v in distinct:
            v.grad = 0.0
        for v, ve in zip(args, args_e):
            v.data = ve.data
        try:
            want = fn_e(*args_e)
            want.backward()
        except (ArithmeticError, ValueError):
            continue
        got = cf(*args)
        got.backward()
        assert same(got.data, want.data)
        distinct_e = list({id(v): v for v in [*args_e, p_e, hidden_e]}.values())
        for v, ve in zip(distinct, distinct_e):
            assert same(v.grad, ve.grad)


# -- losses with targets as arguments, codegen's inputs and text (items 4 to 6) ------------


@pytest.mark.parametrize("loss", ["bce", "bce_with_logits"])
def test_losses_with_targets_as_arguments_run_on_the_engine(loss):
    import nn.losses

    fn = getattr(nn.losses, loss)
    f = autograd.compile(lambda ps, ts: fn(ps, ts))
    for ts in ([0.0, 1.0], [1.0, 0.25]):  # new targets on the second call
        ps, pe = [Value(0.3), Value(0.8)], [Value(0.3), Value(0.8)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = f(ps, ts)
        assert [str(w.message) for w in caught if w.category is CompileWarning] == (
            [] if ts[0] else [f"compile: <lambda> runs with the engine, uncompiled: {loss}() "
                              "needs its targets as numbers, not traced Values"]
        )  # fmt: skip
        out.backward()
        want = fn(pe, ts)
        want.backward()
        assert out.data == want.data and [p.grad for p in ps] == [p.grad for p in pe]


def test_codegen_refuses_an_input_listed_twice():
    x, y = Value(2.0), Value(3.0)
    with pytest.raises(ValueError, match="listed twice"):
        autograd.codegen(x * y, [x, x, y])


def test_printed_code_runs_as_printed():
    x = Value(0.5, label="x")
    y = Value(-1.5, label="y")
    out = ((x.sin() * x**3).tanh() + (y / x).exp() * math.inf * 0.0 + x.log()).sigmoid() + y
    text = autograd.codegen(out)
    namespace: dict = {}
    exec(text, namespace)  # our generated text, as a user would paste it into a file
    value, grads = namespace["forward_backward"](0.5, -1.5)
    out.backward()
    assert same(value, out.data) and all(same(g, v.grad) for g, v in zip(grads, (x, y)))


def test_a_closure_value_also_passed_inside_a_list_is_one_input():
    # the argument's structure (a list) is kept when the shared Value is traced again
    p, pe = Value(3.0), Value(3.0)
    f = autograd.compile(lambda xs: sum((x * p for x in xs), p * 0.5))
    g = lambda xs: sum((x * pe for x in xs), pe * 0.5)  # noqa: E731
    for _ in range(2):
        out, want = f([p, Value(2.0)]), g([pe, Value(2.0)])
        out.backward()
        want.backward()
        assert out.data == want.data and p.grad == pe.grad


def test_a_graph_of_many_shared_nodes_traces_in_linear_time():
    # y = y + y, 200 times: 2**200 paths to the input; a walk that revisits nodes never ends
    def doubling(x):
        y = x * 1.0
        for _ in range(200):
            y = y + y
        return y * 2.0**-200

    f = autograd.compile(doubling)
    x, xe = Value(0.75), Value(0.75)
    out, want = f(x), doubling(xe)
    out.backward()
    want.backward()
    assert out.data == want.data and x.grad == xe.grad
