"""autograd.vmap: the sum over samples of a compiled function, against the engine (1e-12)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_codegen import live

import autograd
from autograd import TracingError, Value
from autograd.testing import expressions
from nn import MLP


def close(a: float, b: float) -> bool:
    return (
        a == b
        or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
        or (math.isnan(a) and math.isnan(b))
    )


@settings(max_examples=150, deadline=None)
@given(expressions(max_depth=6), st.integers(1, 5), st.sampled_from(["sum", "mean"]))
def test_random_programs_match_the_engine(ex, n, reduce):
    # the first input varies by sample; the others are shared Values (parameters).
    # Compiled code runs only the steps the output uses (a dead step's domain error is gone)
    ex = live(ex)
    rng = random.Random(n)
    xs = [ex.point[0] + rng.choice([0.0, 0.25, -0.5]) for _ in range(n)]

    def run(batched: bool):
        shared = [Value(x) for x in ex.point[1:]]
        if batched:
            axes = (0,) + (None,) * len(shared)
            out = autograd.vmap(lambda x, *ps: ex.build(x, *ps), axes, reduce)(xs, *shared)
        else:
            out = sum((ex.build(Value(x), *shared) for x in xs), Value(0.0))
            out = out / n if reduce == "mean" else out
        out = out * 2.0 + 1.0  # used with engine ops
        out.backward()
        return out.data, [p.grad for p in shared]

    try:
        want = run(False)
    except (ArithmeticError, ValueError) as err:  # a sample outside the domain: the same error
        with pytest.raises(type(err)):
            run(True)
        return
    got = run(True)
    assert close(got[0], want[0]) and all(close(a, b) for a, b in zip(got[1], want[1]))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: y + (y + y),  # found by the random programs: 8.0 where the engine gives 6.0
        lambda x, y: y * y + y,
        lambda x, y: (y + y) * (y + y) + x,
        lambda x, y: y - (-y + y * 2.0),
    ],
)
def test_a_shared_value_used_many_times(fn):
    # numpy's += works in place: one column held under two names must not be added twice
    xs = [0.0, 1.0, -2.0]
    y = Value(0.5)
    out = autograd.vmap(fn, (0, None))(xs, y)
    out.backward()
    z = Value(0.5)
    want = sum((fn(Value(x), z) for x in xs), Value(0.0))
    want.backward()
    assert close(out.data, want.data) and close(y.grad, z.grad), (y.grad, z.grad)


@pytest.mark.parametrize("columns", ["lists", "numpy"])
def test_an_mlp_with_a_loss_matches_the_engine(columns):
    rng = random.Random(0)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(30)]
    Y = [rng.choice([-1.0, 1.0]) for _ in range(30)]

    def step(batched: bool):
        model = MLP(2, [8, 8, 1], seed=1)
        params = model.parameters()

        def hinge(x, y):
            return (1.0 - y * model(x)).relu()

        if batched:
            args = (np.array(X), np.array(Y)) if columns == "numpy" else (X, Y)
            vm = autograd.vmap(hinge, in_axes=(0, 0), reduce="mean")
            data = vm(*args)
            assert [k[-1] for k in vm.compiled._programs] == ["columns"]  # one trace, columns
        else:
            data = sum((hinge(x, y) for x, y in zip(X, Y)), Value(0.0)) / len(X)
        loss = data + 1e-4 * sum((p * p for p in params), Value(0.0))
        loss.backward()
        return loss.data, [p.grad for p in params]

    want, got = step(False), step(True)
    assert close(got[0], want[0])
    assert all(close(a, b) for a, b in zip(got[1], want[1]))


def test_the_tracing_guard_and_arguments_are_checked():
    w = Value(2.0)
    with pytest.raises(TracingError):
        autograd.vmap(lambda x: w * int(x))([1.0, 2.0])
    with pytest.raises(ValueError, match="different lengths"):
        autograd.vmap(lambda x, y: x * y)([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="no argument is mapped"):
        autograd.vmap(lambda x: x * w, in_axes=None)(1.0)
    with pytest.raises(ValueError, match="0 or None"):
        autograd.vmap(lambda x: x, in_axes=1)
    with pytest.raises(ValueError, match="reduce"):
        autograd.vmap(lambda x: x, reduce="max")


def test_values_per_sample_take_one_compiled_call_each():
    w = Value(0.5)
    xs = [Value(1.0), Value(-2.0), Value(3.0)]
    xe = [Value(1.0), Value(-2.0), Value(3.0)]
    we = Value(0.5)
    out = autograd.vmap(lambda x, s: (x * w + s).tanh(), in_axes=(0, None))(xs, 0.25)
    out.backward()
    want = sum(((x * we + 0.25).tanh() for x in xe), Value(0.0))
    want.backward()
    assert close(out.data, want.data) and close(w.grad, we.grad)
    assert all(close(a.grad, b.grad) for a, b in zip(xs, xe))


def test_a_vmapped_function_says_what_it_wraps():
    def sample_loss(x):
        return x * x

    vm = autograd.vmap(sample_loss, in_axes=0, reduce="mean")
    assert vm.__wrapped__ is sample_loss and vm.__name__ == "sample_loss"
    assert repr(vm) == "<vmap sample_loss in_axes=0 reduce='mean'>"


def test_backward_twice_adds_twice_as_the_engine_does():
    w, we = Value(0.5), Value(0.5)
    out = autograd.vmap(lambda x: (x * w).tanh())([1.0, -2.0, 3.0])
    want = sum(((x * we).tanh() for x in [1.0, -2.0, 3.0]), Value(0.0))
    for _ in range(2):
        out.backward()
        want.backward()
        assert close(w.grad, we.grad)


def test_integer_samples_are_floats_as_in_the_engine():
    # int64 columns would wrap: 4e9 * 4e9 is past 2**63 (the engine computes in floats)
    w = Value(1.0)
    X = np.array([4_000_000_000, 3, -5], dtype=np.int64)
    out = autograd.vmap(lambda x: x * x * w)(X)
    out.backward()
    assert close(out.data, sum(float(x) * float(x) for x in X))
    assert close(w.grad, sum(float(x) * float(x) for x in X))
