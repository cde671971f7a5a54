"""gradcheck: it passes correct gradients, catches wrong ones, and explains kinks and edges."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import _node
from autograd.gradcheck import GradcheckError, gradcheck, gradcheck_module


def wrong_square(x: Value) -> Value:
    """x**2 with a closure that is off by a factor of 1.5 (a micrograd-style custom op)."""
    out = Value(x.data * x.data, (x,), "wrong_square")

    def _backward():
        x.grad += 1.5 * 2 * x.data * out.grad

    out._backward = _backward
    return out


def test_passes_a_correct_gradient_and_prints_a_table():
    report = gradcheck(lambda x, y: x * y + x.sin(), [2.0, Value(3.0, label="y")])
    assert report
    text = str(report)
    for word in ("input", "analytic", "numeric", "abs err", "rel err", "x0", "y", "ok"):
        assert word in text
    analytic = {r.name: r.analytic for r in report.rows}
    assert analytic == {"x0": 3 + math.cos(2.0), "y": 2.0}


def test_catches_a_wrong_backward():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: wrong_square(x) + x, [1.25])
    assert isinstance(info.value, AssertionError)
    row = info.value.report.rows[0]
    assert row.status == "FAIL"
    assert row.analytic == pytest.approx(1.5 * 2.5 + 1)
    assert row.numeric == pytest.approx(2.5 + 1, rel=1e-6)
    assert "FAIL" in str(info.value)


def test_no_exception_when_asked_and_report_is_falsy():
    report = gradcheck(wrong_square, [3.0], raise_exception=False)
    assert not report and len(report.failures) == 1


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_methods_agree_with_the_closed_form(method):
    report = gradcheck(lambda x: x.exp() * x.sin(), [0.7], method=method, eps="auto")
    exact = math.exp(0.7) * (math.sin(0.7) + math.cos(0.7))
    tol = {"forward": 1e-6, "central": 1e-9, "richardson": 1e-11}[method]
    assert report.rows[0].numeric == pytest.approx(exact, rel=tol)


def test_richardson_beats_central_at_the_same_step():
    f = lambda x: (x * 3).sin()  # noqa: E731
    exact = 3 * math.cos(3.0)
    c = gradcheck(f, [1.0], eps=1e-3, method="central", rtol=1, atol=1).rows[0].numeric
    r = gradcheck(f, [1.0], eps=1e-3, method="richardson", rtol=1, atol=1).rows[0].numeric
    assert abs(r - exact) < abs(c - exact) / 100


@pytest.mark.parametrize(
    "f, point",
    [(lambda x: x.relu(), 0.0), (lambda x: x.abs(), 0.0), (lambda x: (x - 1).abs() * 2, 1.0)],
)
def test_kinks_are_reported_not_failed(f, point):
    report = gradcheck(f, [point])
    assert report
    assert report.rows[0].status == "kink" and "not differentiable" in report.rows[0].note


def test_kink_with_an_impossible_subgradient_fails():
    def bad_relu(x):
        def _backward(g):
            x.grad += 7.0 * g

        return _node(max(x.data, 0.0), (x,), "bad_relu", _backward)

    report = gradcheck(bad_relu, [0.0], raise_exception=False)
    assert not report and "not between" in report.rows[0].note


def test_domain_edge_shrinks_the_step():
    report = gradcheck(lambda x: x.log(), [1e-7])
    assert report.rows[0].status == "ok" and "shrunk" in report.rows[0].note
    # sqrt at 0: defined on one side only, where the difference quotients grow like h**-0.5
    # without bound; the engine's derivative is inf there (0.5 / sqrt(0))
    report = gradcheck(lambda x: x.sqrt(), [0.0])
    row = report.rows[0]
    assert row.status == "ok" and row.numeric == row.analytic == math.inf
    assert "grows without bound" in row.note and "x-h is outside" in row.note


def test_several_outputs_are_each_checked():
    report = gradcheck(lambda x, y: [x * y, (x + y).tanh()], [0.5, -1.0])
    assert {r.output for r in report.rows} == {0, 1}
    assert "output" in str(report)


def test_non_value_result_is_reported():
    with pytest.raises(TypeError, match="returned float"):
        gradcheck(lambda x: x.data * 2, [1.0])


def test_stateful_function_is_reported():
    calls = []

    def f(x):
        calls.append(1)
        return x * len(calls)

    with pytest.raises(ValueError, match="keep state"):
        gradcheck(f, [1.0])


def test_caching_function_is_reported():
    cache = {}

    def f(x):
        return cache.setdefault("out", x * 2)

    with pytest.raises(ValueError, match="caches"):
        gradcheck(f, [1.0])


def test_mutating_function_is_reported():
    def f(x):
        x.data += 1
        return x * 2

    with pytest.raises(ValueError, match="mutate"):
        gradcheck(f, [1.0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        gradcheck(lambda x: x, [1.0], method="backward")
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: x, [1.0], eps=-1)


class TwoParams:
    def __init__(self):
        self.w, self.b = Value(0.3, label="w"), Value(-0.2, label="b")

    def parameters(self):
        return [self.w, self.b]


def test_gradcheck_module_checks_every_parameter_and_restores_the_model():
    model = TwoParams()
    model.w.grad = 5.0

    def loss(m, xs, ys):
        total = Value(0.0)
        for x, y in zip(xs, ys):
            total = total + ((m.w * x + m.b).tanh() - y) ** 2
        return total

    report = gradcheck_module(model, loss, [0.5, -1.0, 2.0], [0.1, -0.3, 0.9])
    assert report and [r.name for r in report.rows] == ["w", "b"]
    assert (model.w.data, model.b.data, model.w.grad) == (0.3, -0.2, 5.0)


@given(st.floats(-5, 5), st.floats(-5, 5))
def test_any_point_of_a_smooth_function_passes(x, y):
    assert gradcheck(lambda a, b: (a * b).sin() + (a - b).exp() / (1 + b * b), [x, y], atol=1e-4)


@given(st.floats(0.5, 5), st.floats(1.2, 3.0))
def test_any_wrong_factor_is_caught(x, factor):
    def scaled(v):
        def _backward(g):
            v.grad += factor * 2 * v.data * g

        return _node(v.data * v.data, (v,), "scaled", _backward)

    assert not gradcheck(scaled, [x], raise_exception=False)


@pytest.mark.parametrize("fused", [True, False])
def test_gradcheck_module_on_an_nn_mlp(fused):
    from nn import MLP, softmax_cross_entropy

    model = MLP(2, [5, 3], activation="tanh", seed=4, fused=fused)
    batch = ([[0.2, -0.7], [1.1, 0.4], [-0.5, 0.9]], [0, 2, 1])

    def loss(m, xs, ys):
        return softmax_cross_entropy([m(x) for x in xs], ys)

    report = gradcheck_module(model, loss, *batch, eps="auto", atol=1e-7, rtol=1e-5)
    assert report and len(report.rows) == len(model.parameters()) == 2 * 5 + 5 + 5 * 3 + 3
