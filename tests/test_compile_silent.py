"""compile never silently differs from the engine: the tracing guard, aliasing, closures.

Each construct below either raises TracingError while tracing or, called a
second time with other numbers, gives exactly what the engine gives.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest

import autograd
from autograd import TracingError, Value

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
    ("%s", lambda x, n: x * len("%s" % (n,)), REFUSE),
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
    with pytest.raises(TypeError):
        format(v, ".2f")
