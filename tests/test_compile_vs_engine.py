"""compile is never silently different from the engine (issue 20): every conversion of a
traced Value to a number or text is refused, one Value passed twice or also reached through a
closure is one input, a closed-over non-leaf Value is an input, and codegen's listing runs as
printed. The engine (`fn(...).backward()` without compile) is the reference throughout."""

import math
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, codegen
from autograd.compiled import CompileWarning
from autograd.modes import TracingError
from autograd.testing import expressions
from nn.losses import bce, bce_with_logits


def engine_and_compiled(fn, *points):
    """(data, grads) of fn at each point, by the engine and by one compiled function."""
    cf = autograd.compile(fn)
    got, want = [], []
    for p in points:
        for f, out in ((fn, want), (cf, got)):
            xs = [Value(x) for x in p]
            y = f(*xs)
            y.backward()
            out.append((y.data, [x.grad for x in xs]))
    return got, want


try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy comes with the notebook extras
    np = None

# Each construct a user may write on a Value inside a compiled function, and what compile
# must do: "refuse" (TracingError: the number or text would be frozen into the code) or
# "same" (an op of the graph: the second call, at other numbers, equals the engine).
CONSTRUCTS = {
    "int()": ("refuse", lambda x: x * int(x)),
    "round()": ("refuse", lambda x: x * round(x)),
    "round(x, 2)": ("refuse", lambda x: x * round(x, 2)),
    "quantise round(x*255)/255": ("refuse", lambda x: round(x * 255) / 255 * x),
    "range(int(n))": ("refuse", lambda x: sum(x for _ in range(int(x)))),
    "str()": ("refuse", lambda x: x * len(str(x))),
    "repr()": ("refuse", lambda x: x * len(repr(x))),
    "format()": ("refuse", lambda x: x * len(format(x, ".3f"))),
    "f-string": ("refuse", lambda x: x * len(f"{x}")),
    "f-string with spec": ("refuse", lambda x: x * len(f"{x:.2f}")),
    "%-format": ("refuse", lambda x: x * len("%s" % (x,))),  # noqa: UP031
    "float()": ("refuse", lambda x: x * float(x)),
    "complex()": ("refuse", lambda x: x * complex(x).real),
    "bool()": ("refuse", lambda x: x if x else -x),
    "<": ("refuse", lambda x: x if x < 0.5 else -x),
    "<=": ("refuse", lambda x: x if x <= 0.5 else -x),
    ">": ("refuse", lambda x: x if x > 0.5 else -x),
    ">=": ("refuse", lambda x: x if x >= 0.5 else -x),
    "min()": ("refuse", lambda x: min(x, x * 2.0)),
    "max()": ("refuse", lambda x: max(x, 0.5)),
    "sorted()": ("refuse", lambda x: sorted([x, x * -2.0])[0]),
    "math.sin": ("refuse", lambda x: x * math.sin(x)),
    "math.floor": ("refuse", lambda x: x * math.floor(x)),
    "math.isfinite": ("refuse", lambda x: x * math.isfinite(x)),
    "math.fsum": ("refuse", lambda x: x * math.fsum([x])),
    "math.trunc": ("raise", lambda x: x * math.trunc(x)),
    "operator.index": ("raise", lambda x: x * operator.index(x)),
    "detach()": ("refuse", lambda x: x * x.detach()),
    "backward()": ("refuse", lambda x: (x.backward(), x * 2.0)[1]),
    "abs()": ("same", lambda x: abs(x) * x),
    "sum()": ("same", lambda x: sum([x, x * 2.0, 1.0])),
    "pow": ("same", lambda x: x**3 - 2 ** (x * 0.5)),
}
if np is not None:
    CONSTRUCTS |= {
        "numpy.float64()": ("refuse", lambda x: x * np.float64(x)),
        "numpy.asarray(dtype=float)": ("refuse", lambda x: x * np.asarray(x, dtype=float)),
        "numpy.round": ("raise", lambda x: x * np.round(x)),
        "numpy.sin (calls Value.sin)": ("same", lambda x: np.sin(x) * x),
    }


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_each_construct_is_refused_or_equals_the_engine_at_other_numbers(name):
    kind, fn = CONSTRUCTS[name]
    cf = autograd.compile(fn)
    if kind == "same":
        cf(Value(1.2))
        x, y = Value(3.7), Value(3.7)
        out, want = cf(x), fn(y)
        out.backward()
        want.backward()
        assert (out.data, x.grad) == (want.data, y.grad)
        return
    error = TracingError if kind == "refuse" else TypeError  # TracingError is a TypeError
    with pytest.raises(error):
        cf(Value(1.2))
    if kind == "refuse":
        fn(Value(1.2))  # the engine, outside compile, is unaffected


def test_the_issues_repros_are_refused():
    f = autograd.compile(lambda x, n: x * int(n))
    with pytest.raises(TracingError, match="int"):
        f(Value(1.0), 2.0)
    g = autograd.compile(lambda x: x * round(x))
    with pytest.raises(TracingError, match="round"):
        g(Value(1.2))


def test_conversions_outside_compile_still_work():
    x = Value(2.6, label="x")
    assert (int(x), round(x), round(x, 1), f"{x:.2f}") == (2, 3, 2.6, "2.60")
    assert str(x) == repr(x) == f"{x}" == "Value(data=2.6, grad=0.0, label='x')"


def test_a_value_passed_twice_sums_its_gradient_in_the_engines_order():
    # the issue's case: summed per argument slot, compiled gave 2.0 where the engine gives 1.0
    def h(a, b):
        return a * 1e16 + b * 1.0 + a * (-1e16) + b * 1.0

    got, want = engine_and_compiled(lambda w: h(w, w), (0.5,), (3.0,))
    assert got == want
    w, v = Value(0.5), Value(0.5)
    autograd.compile(h)(w, w).backward()
    h(v, v).backward()
    assert w.grad == v.grad == 1.0


def test_a_value_passed_and_reached_through_a_closure_is_one_input():
    w = Value(0.5)

    def f(a):
        return a * 1e16 + w * 1.0 + a * (-1e16) + w * 1.0

    cf = autograd.compile(f)
    cf(Value(2.0))  # traced with another argument first
    w.grad = 0.0
    cf(w).backward()
    got = w.grad
    w.grad = 0.0
    f(w).backward()
    assert got == w.grad == 1.0


def test_a_value_passed_three_times_counts_its_prior_gradient_once():
    # a mutant of the old per-slot seeding (findings #327) gave 14.0
    f = autograd.compile(lambda a, b, c: a * b * c)
    x = Value(2.0)
    x.grad = 1.0
    f(x, x, x).backward()
    assert x.grad == 13.0


def test_the_output_may_be_an_argument():
    cf = autograd.compile(lambda a, b: a)
    x, y = Value(2.0), Value(3.0)
    x.grad = 0.5
    out = cf(x, y)
    out.backward()
    assert (out.data, x.grad, y.grad) == (2.0, 1.5, 0.0)


def test_a_closure_over_a_non_leaf_value_reads_its_current_data_and_fills_its_grad():
    # the issue's case: compiled recomputed hidden from p (15.0); the engine reads 6.0
    p = Value(2.0)
    hidden = p * 3.0
    cm = autograd.compile(lambda x: x * hidden)
    cm(Value(1.0))
    p.data = 5.0
    x = Value(1.0)
    out = cm(x)
    assert out.data == (x * hidden).data == 6.0
    out.backward()
    assert (hidden.grad, p.grad, x.grad) == (1.0, 3.0, 6.0)
    hidden.data = 7.0  # a new value of the input is read on the next call
    assert cm(Value(2.0)).data == 14.0


@settings(max_examples=60, deadline=None)
@given(expressions(max_depth=6), st.sampled_from(["aliased", "closure"]))
def test_random_programs_with_aliasing_and_closures_equal_the_engine(ex, how):
    n = len(ex.point)
    if how == "aliased":  # every argument is the same Value

        def fn(x):
            return ex.build(*[x] * n)
    else:  # the first input is an argument, the rest a non-leaf Value reached by closure
        base = Value(0.25)
        shared = base * 1.0

        def fn(x):
            return ex.build(x, *[shared + c for c in ex.point[1:]])

    points = [(ex.point[0],), (ex.point[0] + 0.25,), (ex.point[0] - 1.5,)]
    try:
        for p in points:
            fn(Value(p[0])).backward()
    except (ArithmeticError, ValueError):
        return  # outside the domain: the error tests elsewhere cover it
    got, want = engine_and_compiled(fn, *points)
    assert repr(got) == repr(want)  # bit for bit, NaN and signed zeros included


def test_bce_targets_traced_as_arguments_run_on_the_engine_with_a_warning():
    for loss in (bce, bce_with_logits):
        cf = autograd.compile(lambda p, t, loss=loss: loss([p], [t]))
        with pytest.warns(CompileWarning, match="target"):
            a = Value(0.3)
            cf(a, 1.0).backward()
        b = Value(0.3)
        loss([b], [1.0]).backward()
        assert a.grad == b.grad
        c, d = Value(0.6), Value(0.6)
        cf(c, 0.0).backward()  # other targets: not frozen
        loss([d], [0.0]).backward()
        assert c.grad == d.grad


def test_codegen_refuses_an_input_given_twice():
    x, y = Value(1.5, label="x"), Value(2.0, label="y")
    with pytest.raises(ValueError, match="twice"):
        codegen(x * y, [x, x, y])


def test_codegen_listing_runs_as_printed():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    out = (x * y).sin() + x**3 / y + (x - y).tanh().exp()
    namespace: dict = {}
    exec(codegen(out, [x, y]), namespace)  # our own generated code, not user text
    value, grads = namespace["forward_backward"](0.5, 2.0)
    out.backward()
    assert (value, grads) == (out.data, (x.grad, y.grad))
