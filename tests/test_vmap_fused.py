"""vmap's dense layers (autograd.fused): matrix products, against the engine sample by sample.

The engine is the reference: the same function summed over the samples with `Value`s,
then backward(). vmap agrees to 1e-12 relative (its backward products and its sum over
samples add in another order); each sample's forward value and every kink decision
(relu's sign) are the engine's exactly. A gradient that is a cancellation of larger
terms carries their rounding in either order, so gradients are compared to 1e-12 of
the largest one.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
from autograd import Value
from autograd.columns import COLUMN_FUNCTIONS, layer_forward, layer_rows, layer_summed
from autograd.fused import permute
from autograd.ops import linear, total
from autograd.opspec import FUNCTIONS
from nn import MLP, l2


def close(a: float, b: float) -> bool:
    return (
        a == b
        or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
        or (math.isnan(a) and math.isnan(b))
    )


def engine_and_vmap(make, fn, args, in_axes, reduce="sum", extra=None):
    """(value, grads) from the engine and from vmap, each on a fresh model from `make()`,
    and the vmap's program."""
    results = []
    prog = None
    for batched in (False, True):
        params = make()
        f = (lambda *a, p=params: fn(p, *a)) if params is not None else fn
        if batched:
            vm = autograd.vmap(f, in_axes, reduce)
            out = vm(*args)
            (prog,) = vm.compiled._programs.values()
        else:
            axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
            n = len(next(a for a, ax in zip(args, axes) if ax == 0))
            samples = []
            for s in range(n):
                sample = [np.asarray(a[s]).tolist() if ax == 0 else a for a, ax in zip(args, axes)]
                samples.append(f(*sample))
            out = sum(samples, Value(0.0))
            out = out / n if reduce == "mean" else out
        if extra is not None:
            out = out + extra(params)
        out.backward()
        leaves = params.parameters() if hasattr(params, "parameters") else params or []
        results.append((out.data, [p.grad for p in leaves]))
    return results[0], results[1], prog


def assert_same(want, got):
    """The value to 1e-12 relative; each gradient to 1e-12 of the largest (norm-wise: a
    gradient that is a cancellation of larger terms carries their rounding, in either order)."""
    assert close(got[0], want[0]), (got[0], want[0])
    size = max((abs(g) for g in want[1] if math.isfinite(g)), default=0.0)
    bad = [
        (i, a, b)
        for i, (a, b) in enumerate(zip(got[1], want[1]))
        if not (close(a, b) or abs(a - b) <= 1e-12 * size)
    ]
    assert not bad, bad[:5]


def moons(n: int, seed: int = 0):
    rng = random.Random(seed)
    X = np.array([[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(n)])
    y = np.array([rng.choice([-1.0, 1.0]) for _ in range(n)])
    return X, y


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("sizes", [[1], [5, 1], [16, 16, 1], [3, 7, 2, 1], [2, 1, 1]])
@pytest.mark.parametrize("n", [1, 2, 9])
def test_mlps_with_a_loss_match_the_engine(activation, sizes, n):
    X, y = moons(n, seed=len(sizes) * 10 + n)

    def make():
        return MLP(2, sizes, activation=activation, seed=7)

    def hinge(model, x, t):
        return (1.0 - t * model(x)).relu()

    want, got, prog = engine_and_vmap(
        make, hinge, (X, y), (0, 0), "mean", extra=lambda m: l2(m.parameters(), 1e-3)
    )
    assert_same(want, got)
    # the layers were found: one summed weight matrix per layer, a few lines per layer
    assert len(prog.summed) == len(sizes)
    assert prog.info.lines <= 12 * len(sizes) + 12


def test_a_wide_output_layer_and_a_loss_over_its_rows():
    X, _ = moons(6, seed=3)
    T = np.array([[0.5, -1.0, 2.0]] * 6)

    def make():
        return MLP(2, [4, 3], activation="tanh", seed=2)

    def mse(model, x, t):
        out = model(x)
        return sum(((o - ti) ** 2 for o, ti in zip(out, t)), Value(0.0))

    want, got, prog = engine_and_vmap(make, mse, (X, T), (0, 0))
    assert_same(want, got)
    assert len(prog.summed) == 2


# (b, w1, w2, w3) where b + w1 + w2 + w3, summed left to right as the engine does, has
# another sign than w1 + w2 + w3 summed first, then b (a matrix product's order): found
# by trying the combinations of a few decimals. At x = (1, 1, 1) relu's gradient is 1 one
# way and 0 the other.
SIGN_FLIPS = [
    (0.1, 0.2, -0.1, -0.2),  # left to right 2.8e-17, the other order 0.0
    (0.1, 0.3, 0.3, -0.7),  # 0.0 and 2.8e-17
    (0.1, 0.3, -0.2, -0.2),  # 0.0 and -2.8e-17
    (0.1, 0.2, -0.2, -0.1),
    (0.1, 0.3, -0.1, -0.3),
]


def test_a_kink_at_exactly_zero_is_decided_as_the_engine_decides_it():
    X = np.array([[1.0, 1.0, 1.0], [3.0, -1.0, 0.5], [1.0, 1.0, 1.0], [0.0, 1.5, -2.0]])

    def make():
        return [Value(v) for row in SIGN_FLIPS for v in row] + [Value(0.5)]

    def fn(ps, x):
        neurons = [linear(ps[4 * j + 1 : 4 * j + 4], x, ps[4 * j]).relu() for j in range(5)]
        return linear([ps[-1]] * 5, neurons)

    want, got, prog = engine_and_vmap(make, fn, (X,), 0)
    assert_same(want, got)
    assert len(prog.summed) == 2


def test_layers_without_bias_with_tied_weights_and_a_skip_connection():
    X = np.array([[0.5, -1.5, 2.0], [1.0, 0.0, -3.0], [-0.25, 4.0, 1.0]])

    def make():
        return [Value(v) for v in (0.3, -0.7, 1.1, 0.2, -0.4, 0.9, 0.05)]

    def fn(ps, x):
        w = ps[:3]
        h = [linear(w, x).tanh(), linear([ps[3], ps[0], ps[4]], x).tanh()]  # ps[0] twice
        skip = h[0] * x[0]  # a row read outside the next layer
        out = linear([ps[5], ps[6]], h, ps[0])  # a weight as a bias too
        return (out + skip) ** 2

    want, got, _ = engine_and_vmap(make, fn, (X,), 0, "mean")
    assert_same(want, got)


@pytest.mark.parametrize("perm", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_a_layer_reading_the_layer_before_in_another_order(perm):
    X, _ = moons(5, seed=4)

    def make():
        return [Value(random.Random(k).uniform(-1, 1)) for k in range(3 * 2 + 3 + 3 + 1)]

    def fn(ps, x):
        h = [linear(ps[2 * j : 2 * j + 2], x, ps[6 + j]).sigmoid() for j in range(3)]
        return linear(ps[9:12], [h[i] for i in perm], ps[12])

    want, got, prog = engine_and_vmap(make, fn, (X,), 0)
    assert_same(want, got)
    assert len(prog.summed) == 2


def test_shared_arguments_as_weights_and_a_second_call_with_new_numbers():
    X, y = moons(4, seed=5)
    w = [Value(0.5), Value(-1.5)]
    vm = autograd.vmap(lambda x, t, w0, w1: (linear([w0, w1], x) - t) ** 2, (0, 0, None, None))
    for scale in (1.0, -3.0):
        w[0].data, w[1].data = 0.5 * scale, -1.5 * scale
        w[0].grad = w[1].grad = 0.0
        out = vm(X, y, *w)
        out.backward()
        we = [Value(v.data) for v in w]
        want = sum(((linear(we, list(x)) - t) ** 2 for x, t in zip(X, y)), Value(0.0))
        want.backward()
        assert close(out.data, want.data)
        assert all(close(a.grad, b.grad) for a, b in zip(w, we))


def test_weights_that_vary_by_sample_are_not_a_layer():
    # the same compiled function under two in_axes: the mapped weight is a column
    f = autograd.compile(lambda x, w: linear([w], [x]).tanh())
    X, W = np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.25, 2.0])
    shared = Value(0.5)
    a = autograd.vmap(f, (0, None))(X, shared)
    b = autograd.vmap(f, (0, 0))(X, W)
    assert close(a.data, sum(math.tanh(0.5 * x) for x in X))
    assert close(b.data, sum(math.tanh(w * x) for x, w in zip(X, W)))


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e200, 1e-300, 0.0])
def test_edge_inputs_give_the_engines_numbers(bad):
    X, y = moons(5, seed=6)
    X[2, 0] = bad
    X[4, 1] = bad

    def make():
        return MLP(2, [4, 1], activation="tanh", seed=3)

    def fn(model, x, t):
        return (model(x) - t) ** 2

    want, got, _ = engine_and_vmap(make, fn, (X, y), (0, 0))
    assert_same(want, got)


def test_the_layer_helpers():
    W = np.array([[1.0, 2.0], [3.0, -4.0], [0.0, 0.5]])
    B = np.array([[0.5], [-1.0], [0.0]])
    X = np.array([[1.0, 2.0, 3.0, -1.0], [0.0, 1.0, -2.0, 0.25]])
    assert np.array_equal(layer_forward(W, B, X), W @ X + B)
    assert np.array_equal(layer_forward(W, None, X), W @ X)
    G = np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 0.5, 0.5, 0.5], [0.0, 3.0, 0.0, 1.0]])
    want = np.concatenate([G @ X.T, G.sum(axis=1, keepdims=True)], axis=1)
    assert np.array_equal(layer_summed(G, X), want)
    # a gradient that is one number for every sample counts once per sample
    assert np.array_equal(
        layer_summed(np.array([[2.0]]), X), [[2.0 * X[0].sum(), 2.0 * X[1].sum(), 8.0]]
    )
    assert np.array_equal(
        layer_rows(np.float64(1.5), np.array([1.0, 2.0])), [[1.5, 1.5], [1.0, 2.0]]
    )
    assert layer_rows(np.float64(1.0), np.float64(2.0)).shape == (2, 1)
    assert (
        permute([0, 1, 2]) == ""
        and permute([2, 1, 0]) == "[::-1]"
        and permute([1, 0, 2]) == "[[1, 0, 2]]"
    )


def test_layer_forward_signs_are_the_engines_sums():
    # small values that cancel exactly (or nearly) in the engine's left-to-right order
    rng = np.random.default_rng(0)
    choices = [0.1, -0.1, 0.2, -0.3, 0.3, 1.0, -1.0, 3.0, 0.7, -0.7]
    for _ in range(300):
        m, k, n = rng.integers(1, 9, 3)
        W = rng.choice(choices, size=(m, k))
        X = rng.choice([0.1, 1.0, -1.0, 0.2, 3.0, 0.0], size=(k, n))
        B = rng.choice([0.0, 0.1, -0.3, 0.3], size=(m, 1)) if rng.random() < 0.7 else None
        Y = layer_forward(W, B, X)
        for j in range(m):
            for s in range(n):
                acc = 0.0 if B is None else float(B[j, 0])
                for i in range(k):
                    acc += float(W[j, i]) * float(X[i, s])
                assert math.copysign(1, Y[j, s]) * (Y[j, s] != 0) == math.copysign(1, acc) * (
                    acc != 0
                )
                assert close(float(Y[j, s]), acc)


@pytest.mark.parametrize("name", sorted(set(COLUMN_FUNCTIONS) & set(FUNCTIONS)))
def test_each_column_helper_is_the_scalar_helper_bit_for_bit(name):
    fn, col = FUNCTIONS[name], COLUMN_FUNCTIONS[name]
    if not callable(fn):
        pytest.skip("a constant")
    rng = np.random.default_rng(1)
    pts = np.concatenate(
        [rng.normal(size=300) * 4, rng.normal(size=100) * 1e3, [0.5, 2.0, 1.0, 3.0]]
    )
    arity = fn.__code__.co_argcount if hasattr(fn, "__code__") else 1
    second = [np.full_like(pts, c) for c in (2.0, 0.5, -1.0, 3.0, 1.7)] if arity == 2 else [None]
    for c in second:
        args = (np.abs(pts) + 1e-3,) if c is None else (np.abs(pts) + 1e-3, c)
        want = []
        for vals in zip(*(a.tolist() for a in args)):
            try:
                want.append(fn(*vals))
            except (ArithmeticError, ValueError):
                break
        else:
            with np.errstate(all="ignore"):
                got = np.asarray(col(*args), dtype=np.float64).tolist()
            assert got == want, name


def test_a_bias_that_varies_by_sample_and_a_layer_without_bias():
    X = np.array([[0.5, -1.5], [1.0, 0.0], [-0.25, 4.0]])

    def make():
        return [Value(v) for v in (0.3, -0.7, 1.1, 0.2)]

    def per_sample_bias(ps, x):  # a bias made from the sample: not a layer's parameter
        return linear(ps[:2], x, ps[0] * x[0]).tanh() + linear(ps[2:], x, ps[3] * x[1]).tanh()

    def no_bias(ps, x):
        return linear(ps[:2], x).tanh() + linear(ps[2:], x).tanh()

    for fn, layers in ((per_sample_bias, 0), (no_bias, 1)):
        want, got, prog = engine_and_vmap(make, fn, (X,), 0)
        assert_same(want, got)
        assert len(prog.summed) == layers, fn.__name__


def test_activations_with_different_constants_are_not_one_op():
    # x**2 on one neuron and x**3 on the next: the same op, not the same function
    X = np.array([[0.5, -1.5], [1.0, 0.25], [-0.25, 2.0]])

    def make():
        return [Value(v) for v in (0.3, -0.7, 1.1, 0.2, 0.1, -0.4, 0.6, 0.8)]

    def fn(ps, x):
        h = [linear(ps[2 * j : 2 * j + 2], x) ** (j + 2) for j in range(2)]  # one layer
        y = (x[1], x[0])  # another layer
        h += [linear(ps[4 + 2 * j : 6 + 2 * j], y).leaky_relu(0.3 * (j + 1)) for j in range(2)]
        z = (x[0], x[1], x[0])  # a third, with two different functions
        h += [linear(ps[:3], z).tanh(), linear(ps[3:6], z).sigmoid()]
        return total(h)

    want, got, prog = engine_and_vmap(make, fn, (X,), 0)
    assert_same(want, got)
    assert len(prog.summed) == 3


def test_a_numpy_form_that_is_not_the_scalar_helper_is_not_used():
    # on a machine where numpy's exp is not libm's, the columns run math.exp element by element
    from autograd import columns

    off = columns._guarded("exp", lambda a: np.exp(a) * (1.0 + 2.0**-50))
    xs = np.array([0.1, 1.0, -3.0, 7.5])
    assert off(xs).tolist() == [math.exp(x) for x in xs.tolist()]
    # and one that agrees is used as it is
    same = columns._guarded("exp", np.exp)
    assert same is not None and same(xs).tolist() == np.exp(xs).tolist()


def test_a_shared_number_argument():
    w = Value(0.5)
    X = np.array([1.0, -2.0, 3.0])
    out = autograd.vmap(lambda x, s: (x * w + s).tanh(), (0, None))(X, 0.25)
    out.backward()
    we = Value(0.5)
    want = sum(((float(x) * we + 0.25).tanh() for x in X), Value(0.0))
    want.backward()
    assert close(out.data, want.data) and close(w.grad, we.grad)


def test_a_custom_op_runs_each_sample_on_the_engine_and_in_axes_must_match():
    from test_micrograd_compat import cube  # micrograd-style: no op-table entry

    from autograd.compiled import CompileWarning

    w = Value(0.5)
    X = np.array([1.0, -2.0, 0.5])
    with pytest.warns(CompileWarning):
        out = autograd.vmap(lambda x: cube(x * w))(X)
    out.backward()
    we = Value(0.5)
    want = sum((cube(float(x) * we) for x in X), Value(0.0))
    want.backward()
    assert close(out.data, want.data) and close(w.grad, we.grad)
    with pytest.raises(ValueError, match="in_axes has 2 entries for 1 arguments"):
        autograd.vmap(lambda x: x * w, (0, None))(X)
