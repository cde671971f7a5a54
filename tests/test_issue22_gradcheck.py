"""gradcheck near kinks, domain edges, jumps and at large |x| (issue 22): a planted wrong
gradient never passes, the right one passes or is UNVERIFIED. The right slopes are the
closed-form derivatives written beside each function; the wrong ones are planted with a
custom op whose forward is the true function and whose backward says a wrong slope."""

import math

import pytest

from autograd import Value, gradcheck, gradcheck_module
from autograd.engine import _node
from nn import MLP


def planted(fn, dfn):
    """fn as a custom op whose backward says dfn(x) (right or wrong)."""

    def op(x: Value) -> Value:
        slope = dfn(x.data)

        def _backward(g):
            x.grad += slope * g

        return _node(fn(x.data), (x,), "custom", _backward)

    return op


def _log(t):
    return math.log(t)


# name, f, f' (closed form), the kink or edge, the sides of it where f is defined
CASES = [
    ("relu", lambda t: max(t, 0.0), lambda t: 1.0 if t > 0 else 0.0, 0.0, (1, -1)),
    ("abs", abs, lambda t: math.copysign(1.0, t), 0.0, (1, -1)),
    ("abs shifted", lambda t: abs(t - 0.3), lambda t: math.copysign(1.0, t - 0.3), 0.3, (1, -1)),
    ("sqrt", math.sqrt, lambda t: 0.5 / math.sqrt(t), 0.0, (1,)),
    ("log", _log, lambda t: 1 / t, 0.0, (1,)),
    ("x**1.5", lambda t: math.pow(t, 1.5), lambda t: 1.5 * t**0.5, 0.0, (1,)),
    ("x**3", lambda t: t**3, lambda t: 3 * t * t, 0.0, (1, -1)),
    ("1/x", lambda t: 1 / t, lambda t: -1 / t**2, 0.0, (1, -1)),
    ("relu(x)**2", lambda t: max(t, 0.0) ** 2, lambda t: 2 * max(t, 0.0), 0.0, (1, -1)),
    (
        "sqrt(x*x + 1e-20)",
        lambda t: math.sqrt(t * t + 1e-20),
        lambda t: t / math.sqrt(t * t + 1e-20),
        0.0,
        (1, -1),
    ),
    (
        "relu(x) - relu(-x - 1e-6)",
        lambda t: max(t, 0) - max(-t - 1e-6, 0),
        lambda t: float(t > 0 or t < -1e-6),
        0.0,
        (1, -1),
    ),
    ("step", lambda t: float(t > 0), lambda t: 0.0, 0.0, (1, -1)),
]
DISTANCES = [1e-9, 1e-7, 1e-5, 1e-3]


def wrong_slopes(g):
    return [0.5 * g + 0.05, g + 0.05 * (1 + abs(g)), -g - 0.1, 0.55, 0.0 if g else 1.0]


def points(edge, sides):
    return [edge + side * d for side in sides for d in DISTANCES]


@pytest.mark.parametrize("name, fn, dfn, edge, sides", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_wrong_gradients_never_pass_near_kinks_edges_and_jumps(name, fn, dfn, edge, sides, method):
    for x in points(edge, sides):
        g = dfn(x)
        for wrong in wrong_slopes(g):
            if abs(wrong - g) <= 1e-5 + 2e-3 * abs(g):
                continue  # not wrong enough to be told from g at the default tolerances
            report = gradcheck(
                planted(fn, lambda t, w=wrong: w), [x], method=method, raise_exception=False
            )
            row = report.rows[0]
            assert not report and row.status in ("FAIL", "UNVERIFIED"), (
                f"{name} at {x}: {wrong}\n{report}"
            )
        right = gradcheck(planted(fn, dfn), [x], method=method, raise_exception=False)
        assert right.rows[0].status in ("ok", "UNVERIFIED"), f"{name} at {x}\n{right}"
        assert right or right.rows[0].status == "UNVERIFIED"


@pytest.mark.parametrize("x", [1e-7, 1e-9, 3e-7, -2e-7])
def test_relu_within_eps_of_its_kink(x):
    # the case: the central difference over 1e-6 straddles 0 and gives 0.55 at 1e-7
    right = gradcheck(lambda v: v.relu(), [x])
    assert right.rows[0].status == "ok" and right.rows[0].numeric == (x > 0)
    assert "shrunk" in right.rows[0].note or x > 1e-6
    bad = gradcheck(planted(lambda t: max(t, 0.0), lambda t: 0.55), [x], raise_exception=False)
    assert bad.rows[0].status == "FAIL"


def test_a_smooth_bump_narrower_than_the_step_is_smooth():
    # sqrt(x*x + 1e-20) at 0: slope 0 (closed form x / sqrt(x*x + 1e-20)), not a kink of +-1
    row = gradcheck(lambda v: (v * v + 1e-20).sqrt(), [0.0]).rows[0]
    assert row.status == "ok" and row.numeric == 0.0
    bad = gradcheck(
        planted(lambda t: math.sqrt(t * t + 1e-20), lambda t: 0.9), [0.0], raise_exception=False
    )
    assert bad.rows[0].status == "FAIL"


@pytest.mark.parametrize("x", [1e10, -3e9, 1e8, 2.5e12])
def test_auto_eps_at_large_x(x):
    # sin at 1e10: eps='auto' starts at 6e4, over which sin is no line at all
    row = gradcheck(lambda v: v.sin(), [x], eps="auto", raise_exception=False).rows[0]
    # at 2.5e12 floats are 4.9e-4 apart: the differences may not settle before rounding
    assert row.status == "ok" or (x > 1e12 and row.status == "UNVERIFIED"), row
    if row.status == "ok":
        assert row.numeric == pytest.approx(math.cos(x), rel=1e-3, abs=1e-5)
    for wrong in (0.0, -math.cos(x), math.cos(x) + 0.1):
        bad = gradcheck(
            planted(math.sin, lambda t, w=wrong: w), [x], eps="auto", raise_exception=False
        )
        assert bad.rows[0].status in ("FAIL", "UNVERIFIED"), wrong


def test_a_jump_is_not_a_kink():
    row = gradcheck(
        planted(lambda t: float(t > 0), lambda t: 0.0), [0.0], raise_exception=False
    ).rows[0]
    assert row.status == "UNVERIFIED" and "jump" in row.note and "kink" not in row.note
    # beside the jump the step shrinks until it no longer crosses it: slope 0
    row = gradcheck(planted(lambda t: float(t > 0), lambda t: 0.0), [1e-8]).rows[0]
    assert row.status == "ok" and row.numeric == 0.0


def test_a_real_kink_is_still_a_kink():
    row = gradcheck(lambda v: v.relu(), [0.0]).rows[0]
    assert row.status == "kink" and "slopes 0 left, 1 right" in row.note
    bad = gradcheck(planted(lambda t: max(t, 0.0), lambda t: 1.2), [0.0], raise_exception=False)
    assert bad.rows[0].status == "FAIL"


def test_gradcheck_module_on_a_relu_network_with_a_pre_activation_near_0():
    model = MLP(2, [3, 1], seed=3)
    x = [0.7, -0.4]
    neuron = model.layers[0].neurons[0]
    pre = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    neuron.b.data -= pre - 1e-7  # the pre-activation is now 1e-7: within eps of relu's kink
    assert 0 < sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data < 2e-7

    def loss(m, x):
        return (m(x) - 0.5) ** 2

    report = gradcheck_module(model, loss, x)
    assert report and all(r.status == "ok" for r in report.rows), report
