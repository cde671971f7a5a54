"""compile sums each gradient's contributions in one expression per run of terms (issue 20,
"fewer lines"): the same floats as the engine's one `+=` per use, bit for bit, for a value
used once, twice, three times or many times, whatever the sign of zero of the first
contribution, the leaf's prior `.grad` and the seed. The engine is the reference."""

import math

import pytest

import autograd
import autograd.compiled as compiled_mod
import autograd.emit as emit_mod
from autograd import Value

PRIORS = [0.0, -0.0, 1.5, -1e16]
SEEDS = [1.0, -0.0, 0.0, -2.0]


def bits(x: float) -> tuple:
    """A float as what must match: its value and the sign of a zero (NaN as NaN)."""
    return ("nan",) if math.isnan(x) else (x, math.copysign(1.0, x))


def run(fn, point, prior, seed):
    """(value, grads) of fn at `point`, each leaf's `.grad` starting at `prior`."""
    xs = [Value(p) for p in point]
    for x in xs:
        x.grad = prior
    out = fn(*xs)
    out.backward(seed)
    return bits(out.data), [bits(x.grad) for x in xs]


def check(fn, *points):
    """fn compiled equals the engine at each point, each prior and each seed."""
    cf = autograd.compile(fn)
    for point in points:
        for prior in PRIORS:
            for seed in SEEDS:
                want = run(fn, point, prior, seed)
                assert run(cf, point, prior, seed) == want, (point, prior, seed)
    return cf


def uses(n: int, first: float):
    """h = x * 1.0 (a node) and x itself, each used n times with constants whose partial
    sums cancel (1e16, -1e16): any other order of adding the terms gives other floats."""
    consts = [first] + [(1e16, 1.0, -1e16, 0.5, -3.0, 1e-300)[k % 6] for k in range(n - 1)]

    def fn(x, y):
        h = x * 1.0
        out = y * 0.0
        for c in consts:
            out = out + h * c + x * c
        return out

    return fn


@pytest.mark.parametrize("n", [1, 2, 3, 64, 65, 130])
@pytest.mark.parametrize("first", [-0.0, 0.0, 2.0])
def test_a_value_used_n_times_sums_in_the_engines_order(n, first):
    check(uses(n, first), [0.75, 2.0], [-0.0, 1.0], [1e300, -3.0])


def test_runs_split_by_the_term_budget_keep_the_order(monkeypatch):
    monkeypatch.setattr(emit_mod, "FOLD_TERMS", 3)
    monkeypatch.setattr(compiled_mod, "CHUNK_COST", 20)
    cf = check(uses(40, -0.0), [0.75, 2.0], [-0.0, 1.0])
    assert cf.traces[0].chunks > 4


def test_a_minus_zero_first_contribution_to_a_node_is_added_to_0():
    # the engine: h.grad = 0.0 + (-0.0) = 0.0, so x.grad = -0.0 + 1.0 * 0.0 = 0.0; code that
    # starts h's gradient at the first term gives -0.0 + -0.0 = -0.0
    fn = lambda x: (x * 1.0) * (-0.0)  # noqa: E731
    cf = autograd.compile(fn)
    for f in (fn, cf, cf):
        x = Value(1.0)
        x.grad = -0.0
        f(x).backward()
        assert bits(x.grad) == (0.0, 1.0)


def test_a_copied_gradient_is_not_the_seed():
    # a + 1.0 passes the seed on unchanged: a's gradient is 0.0 + seed, which is 0.0 when the
    # seed is -0.0; reading the seed itself would give x.grad = -0.0 + 3.0 * -0.0 = -0.0
    fn = lambda x: x * 3.0 + 1.0  # noqa: E731
    cf = autograd.compile(fn)
    for f in (fn, cf, cf):
        x = Value(1.0)
        x.grad = -0.0
        f(x).backward(-0.0)
        assert bits(x.grad) == (0.0, 1.0)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: (x * y).relu() * 2.0 + (x - y).relu() * -1.0,  # relu passes g on
        lambda x, y: ((x + y) + 1.0) * ((x + y) + 2.0),  # an add's operand: a copy
        lambda x, y: (x - y) * (y - x) + x.leaky_relu() * y.leaky_relu(),  # -g: not a copy
        lambda x, y: sum([x * y] * 5) + (x * y).relu(),  # one node, six uses
    ],
)
def test_relu_and_copies_pass_gradients_on_bit_for_bit(fn):
    check(fn, [0.5, 2.0], [-0.0, 1.0], [0.0, -0.0], [-1.0, 3.0], [1e308, 1e308])


def test_the_moons_step_writes_far_fewer_lines_than_one_per_use():
    from nn import MLP, hinge, l2

    model = MLP(2, [8, 1], seed=3)
    X = [[0.1 * k, -0.2 * k] for k in range(20)]
    y = [1 if k % 3 else -1 for k in range(20)]
    loss = autograd.compile(lambda X, y: hinge([model(x) for x in X], y) + l2(model.parameters()))
    got = loss(X, y)
    got.backward()
    got_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    want = hinge([model(x) for x in X], y) + l2(model.parameters())
    want.backward()
    assert bits(got.data) == bits(want.data)
    assert [bits(g) for g in got_grads] == [bits(p.grad) for p in model.parameters()]
    info = loss.traces[0]
    # one line per op and one per use of a value (what compile wrote before): its operands
    ops = autograd.engine.topological_order(want, leaves=False)
    one_per_use = len(ops) + sum(len(v._prev) for v in ops)
    assert info.lines < 0.6 * one_per_use, (info, one_per_use)  # main: 1,622 of 1,601


def test_which_first_terms_start_a_sum_without_0():
    # a term may start a node's sum without `0.0 +` only if it cannot be -0.0 when g is not
    passes = {
        "g": True,
        "g if not a <= 0.0 else 0.0": True,  # relu
        "0.0 if a > 0.0 else g": True,
        "g if a else 1": True,
        "-g": False,
        "a * g": False,
        "-0.0 if a else g": False,
        "g if a > 0.0 else c * g": False,  # leaky_relu
        "b": False,
    }
    assert {e: emit_mod._passes_on(e) for e in passes} == passes
    atomic = {"g": True, "x * g": True, "cos(a) * g": True, "-g": True, "a - b": False}
    atomic["g if not a <= 0.0 else 0.0"] = False
    assert {e: emit_mod._atomic(e) for e in atomic} == atomic
