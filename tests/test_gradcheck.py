"""gradcheck: it passes correct gradients, catches wrong ones, and explains kinks and edges."""

import math
from collections.abc import Callable

import pytest
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.engine import _node
from autograd.gradcheck import (
    METHODS,
    GradcheckError,
    GradcheckReport,
    Row,
    _one_sided,
    gradcheck,
    gradcheck_module,
)
from autograd.higher import gradients
from autograd.testing import _VALUE, Expression, Step, expressions


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


# -- issue 12, item 9: a row at a domain edge is compared with the one-sided slope ------------


def power_with_slope(p: float, slope: Callable[[float], float]) -> Callable[[Value], Value]:
    """x**p (defined for x >= 0 only) whose backward uses `slope(x)` (a custom op)."""

    def op(x: Value) -> Value:
        if x.data < 0:
            raise ValueError(f"custom pow: {x.data} ** {p} is undefined")

        def _backward(g):
            x.grad += slope(x.data) * g

        return _node(x.data**p, (x,), f"pow{p}", _backward)

    return op


def test_a_wrong_slope_at_a_domain_edge_fails():
    # the case: x**1.5 with slope 5.0 at 0; the one-sided slope is 1.5 * 0**0.5 = 0
    report = gradcheck(power_with_slope(1.5, lambda x: 5.0), [0.0], raise_exception=False)
    row = report.rows[0]
    assert not report and row.status == "FAIL"
    assert abs(row.numeric) < 1e-5 and "x-h is outside" in row.note
    with pytest.raises(GradcheckError):
        gradcheck(power_with_slope(1.5, lambda x: 5.0), [0.0])


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
@pytest.mark.parametrize("p", [1.5, 2.5, 1.25])
def test_a_correct_slope_at_a_domain_edge_passes_and_a_wrong_one_fails(method, p):
    # d/dx x**p = p * x**(p - 1), which is 0 at x = 0 for p > 1 (closed form)
    right = power_with_slope(p, lambda x: p * x ** (p - 1))
    report = gradcheck(right, [0.0], method=method, eps="auto")
    assert report.rows[0].status == "ok" and abs(report.rows[0].numeric) < 1e-5
    for wrong in (lambda x: 1e-3, lambda x: -0.5, lambda x: math.inf):
        report = gradcheck(power_with_slope(p, wrong), [0.0], method=method, raise_exception=False)
        assert report.rows[0].status == "FAIL", report


def test_one_sided_slope_of_a_smooth_function_at_its_edge():
    # f(x) = (x - 1)**2.5 + exp(x) at 1: defined for x >= 1, slope exp(1) (closed form)
    def f(x):
        return (x - 1) ** 2.5 + x.exp()

    row = gradcheck(f, [1.0], eps="auto").rows[0]
    assert row.status == "ok" and row.numeric == pytest.approx(math.e, rel=1e-4)
    assert "x-h is outside" in row.note
    bad = gradcheck(lambda x: f(x) + wrong_square(x) - x * x, [1.0], raise_exception=False)
    assert bad.rows[0].status == "FAIL"  # analytic e + 1, numeric e


def test_an_infinite_slope_must_be_the_same_infinity():
    # sqrt at 0: one-sided quotients sqrt(h)/h = h**-0.5 grow without bound
    assert gradcheck(lambda x: x.sqrt(), [0.0]).rows[0].numeric == math.inf
    for wrong in (lambda x: 1e6, lambda x: -math.inf, lambda x: math.nan):
        report = gradcheck(power_with_slope(0.5, wrong), [0.0], raise_exception=False)
        assert report.rows[0].status == "FAIL" and report.rows[0].numeric == math.inf
    # -sqrt(x): quotients grow towards -inf
    row = gradcheck(lambda x: -x.sqrt(), [0.0]).rows[0]
    assert row.numeric == row.analytic == -math.inf and row.status == "ok"


def oscillating(x: Value) -> Value:
    """x * sin(log x), 0 at 0 (defined for x >= 0): its quotients sin(log h) never settle."""
    if x.data < 0:
        raise ValueError("oscillating: undefined for x < 0")
    t = x.data

    def _backward(g):
        x.grad += 0.0 * g  # any number: no slope exists at 0

    return _node(t * math.sin(math.log(t)) if t > 0 else 0.0, (x,), "osc", _backward)


def test_no_slope_means_unverified_and_no_pass():
    with pytest.raises(GradcheckError) as info:
        gradcheck(oscillating, [0.0])
    report = info.value.report
    assert report.rows[0].status == "UNVERIFIED" and "does not settle" in report.rows[0].note
    assert not report and report.unverified == report.rows and not report.failures
    text = str(report)
    assert "NOT VERIFIED" in text and "passed" not in text and "allow_unverified" in text
    # the user may accept unverifiable rows, and the verdict still says so loudly
    report = gradcheck(oscillating, [0.0], allow_unverified=True)
    assert report and report.allow_unverified
    assert "UNVERIFIED, skipped (allow_unverified=True)" in str(report)
    assert str(report).splitlines()[-1].startswith("passed for 0 of 1; 1 UNVERIFIED")


def test_undefined_on_both_sides_is_unverified():
    def point_domain(x):
        return x.sqrt() + (-x).sqrt()

    report = gradcheck(point_domain, [0.0], raise_exception=False)
    assert report.rows[0].status == "UNVERIFIED" and "both sides" in report.rows[0].note
    assert not report
    # a wrong gradient elsewhere still fails even when unverified rows are allowed
    report = gradcheck(
        lambda x, y: point_domain(x) + wrong_square(y),
        [0.0, 2.0],
        allow_unverified=True,
        raise_exception=False,
    )
    assert [r.status for r in report.rows] == ["UNVERIFIED", "FAIL"] and not report
    assert str(report).splitlines()[-1].startswith("FAILED for 1 of 2, 1 UNVERIFIED")


def test_gradcheck_module_takes_allow_unverified():
    model = TwoParams()
    model.w.data = 0.0

    def loss(m):
        return oscillating(m.w) + m.b * 2

    assert not gradcheck_module(model, loss, raise_exception=False)
    report = gradcheck_module(model, loss, allow_unverified=True)
    assert [r.status for r in report.rows] == ["UNVERIFIED", "ok"]


# -- item 10: a step that cannot measure a derivative is refused -------------------------------


@pytest.mark.parametrize("eps", [math.inf, -math.inf, math.nan, 0.0, -1e-6, 1e300, 0.5, True])
def test_meaningless_eps_is_refused(eps):
    def slope_123(x):
        def _backward(g):
            x.grad += 123.0 * g

        return _node(x.data * x.data, (x,), "sq123", _backward)

    with pytest.raises(ValueError, match="eps") as info:
        gradcheck(slope_123, [1.0], eps=eps)
    assert repr(eps) in str(info.value)
    with pytest.raises(ValueError, match="eps"):
        gradcheck_module(TwoParams(), lambda m: m.w * m.b, eps=eps)


def test_eps_bound_is_relative_to_the_input():
    # 0.1 * max(1, |x|): 0.1 at x = 1 is allowed, 0.11 is not; at x = 100, 10 is allowed
    assert gradcheck(lambda x: x * 3, [1.0], eps=0.1)
    with pytest.raises(ValueError, match=r"eps=0.11 is too large to mean anything at x0=1.0"):
        gradcheck(lambda x: x * 3, [1.0], eps=0.11)
    assert gradcheck(lambda x: x * 3, [100.0], eps=10.0)
    with pytest.raises(ValueError, match="too large"):
        gradcheck(lambda x: x * 3, [-100.0], eps=10.5)


def test_eps_lost_in_rounding_is_refused():
    # 1e12 + 1e-6 == 1e12 in float64: the step would measure nothing
    with pytest.raises(ValueError, match="lost in rounding at x0=1000000000000.0"):
        gradcheck(lambda x: x * 3, [1e12], eps=1e-6)
    assert gradcheck(lambda x: x * 3, [1e12], eps="auto")


def test_bad_tolerances_are_refused():
    for kw in ({"atol": math.inf}, {"rtol": math.nan}, {"atol": -1.0}, {"rtol": -0.1}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            gradcheck(wrong_square, [1.0], **kw)
    with pytest.raises(TypeError, match="atol"):
        gradcheck(wrong_square, [1.0], atol="1")


# -- item 11: a non-finite point or value is named, not passed and not blamed on f -----------


def test_infinite_value_at_the_point_is_named():
    with pytest.raises(ValueError, match=r"f is inf at the point \(x0=1.0\)"):
        gradcheck(lambda x: (x * 1000).exp(), [1.0])
    with pytest.raises(ValueError, match=r"output 1 of f is -inf"):
        gradcheck(lambda x: [x * 2, -(x * 1000).exp()], [1.0])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_input_is_named(bad):
    with pytest.raises(ValueError) as info:
        gradcheck(lambda x, y: x * y, [1.0, Value(bad, label="y")])
    msg = str(info.value)
    assert f"input y is {bad!r}" in msg and "finite point" in msg
    assert "mutate" not in msg and "alone" not in msg


def test_nan_output_is_named_not_blamed_on_state():
    def f(x):
        return x * math.nan

    with pytest.raises(ValueError) as info:
        gradcheck(f, [1.0])
    assert "f is nan at the point" in str(info.value) and "state" not in str(info.value)


def test_gradcheck_module_names_non_finite_parameters_and_loss():
    model = TwoParams()
    model.b.data = math.nan
    with pytest.raises(ValueError, match="input b is nan"):
        gradcheck_module(model, lambda m: m.w * m.b)
    model.b.data = 1.0
    with pytest.raises(ValueError, match="loss_fn is inf at the point"):
        gradcheck_module(model, lambda m: (m.b * 1000).exp())
    assert (model.w.data, model.b.data) == (0.3, 1.0)


# -- item 12: Richardson at a switch point of a once-differentiable function -------------------


@pytest.mark.parametrize(
    "f", [lambda x: x.relu() ** 2, lambda x: x * x.abs(), lambda x: (x - 0.5).relu() ** 2 + x]
)
@pytest.mark.parametrize("eps", ["auto", 1e-3, 1e-6])
def test_richardson_passes_once_differentiable_functions_at_the_switch(f, eps):
    at = 0.5 if f(Value(1.0)).data == 1.25 else 0.0
    report = gradcheck(f, [at], method="richardson", eps=eps)
    assert report.rows[0].status == "ok"


def test_richardson_still_fails_wrong_gradients_at_the_switch():
    # relu(x)**2 has slope 2 * relu(x) = 0 at 0 and x*|x| has 2|x| = 0 (closed forms)
    for fn in (lambda t: max(t, 0.0) ** 2, lambda t: t * abs(t)):
        for wrong in (1e-3, -2e-5, 1.0):

            def op(x, fn=fn, wrong=wrong):
                def _backward(g):
                    x.grad += wrong * g

                return _node(fn(x.data), (x,), "custom", _backward)

            for eps in ("auto", 1e-3):
                report = gradcheck(op, [0.0], method="richardson", eps=eps, raise_exception=False)
                assert report.rows[0].status == "FAIL", report


def test_richardson_that_never_settles_falls_back_to_the_one_sided_limits():
    # relu(x)**1.5 at 0: central differences converge like h**0.5, too slowly for atol=1e-12;
    # the one-sided slopes do settle (h**0.5 is geometric in the step, Aitken gives 0; the left
    # side is exactly 0), so the derivative 0 is verified (this test used to expect UNVERIFIED)
    report = gradcheck(
        lambda x: x.relu() ** 1.5,
        [0.0],
        method="richardson",
        eps="auto",
        atol=1e-12,
        rtol=1e-12,
        raise_exception=False,
    )
    row = report.rows[0]
    assert row.status == "ok" and abs(row.numeric) <= 2e-12 / 4 and "settle to" in row.note
    wrong = custom_slope(lambda t: max(t, 0.0) ** 1.5, 1e-9)
    bad = gradcheck(
        wrong, [0.0], method="richardson", eps="auto", atol=1e-12, rtol=1e-12, raise_exception=False
    )
    assert bad.rows[0].status == "FAIL"


# -- the report itself: errors, defaults, the table (mutation survivors of gradcheck.py) ------


def custom_slope(fn: Callable[[float], float], slope: float) -> Callable[[Value], Value]:
    """The function fn with a backward that always says `slope` (a custom op)."""

    def op(x: Value) -> Value:
        def _backward(g):
            x.grad += slope * g

        return _node(fn(x.data), (x,), "custom", _backward)

    return op


def test_row_errors():
    # by hand: |3 - 2| = 1, 1 / 2; a zero numeric makes any error infinite, except none
    row = Row("x", 0.0, 3.0, 2.0, "FAIL")
    assert (row.abs_err, row.rel_err, row.output) == (1.0, 0.5, 0)
    assert Row("x", 0.0, -3.0, 2.0, "FAIL").abs_err == 5.0
    assert Row("x", 0.0, 1.0, 0.0, "FAIL").rel_err == math.inf
    assert Row("x", 0.0, 0.0, 0.0, "ok").rel_err == 0.0
    assert Row("x", 0.0, math.inf, math.inf, "ok").abs_err == 0.0


def test_max_rel_err_counts_compared_rows_only():
    rows = [
        Row("a", 0.0, 1.1, 1.0, "ok"),
        Row("b", 0.0, 3.0, 2.0, "FAIL"),
        Row("c", 0.0, 0.0, 0.5, "kink"),
        Row("d", 0.0, 9.0, 1.0, "UNVERIFIED"),
    ]
    assert GradcheckReport(rows).max_rel_err == 0.5
    assert GradcheckReport(rows[2:]).max_rel_err == 0.0
    assert GradcheckReport().max_rel_err == 0.0


def test_report_defaults_are_the_documented_ones():
    report = GradcheckReport()
    assert (report.method, report.atol, report.rtol, report.allow_unverified) == (
        "central",
        1e-5,
        1e-3,
        False,
    )
    report = gradcheck(lambda x: x * x, [0.5])
    assert (report.atol, report.rtol, report.rows[0].step, report.rows[0].output) == (
        1e-5,
        1e-3,
        1e-6,
        0,
    )
    report = gradcheck_module(TwoParams(), lambda m: m.w * m.b)
    assert (report.atol, report.rtol, report.rows[0].step) == (1e-5, 1e-3, 1e-6)


def test_gradcheck_module_raises_by_default():
    with pytest.raises(GradcheckError):
        gradcheck_module(TwoParams(), lambda m: wrong_square(m.w))


@pytest.mark.parametrize(
    "method, rel", [("central", 6e-6), ("forward", 1.5e-8), ("richardson", 1e-3)]
)
@pytest.mark.parametrize("x", [0.25, -1.0, 40.0])
def test_auto_step_is_relative_to_max_1_abs_x(method, rel, x):
    row = gradcheck(lambda v: v.sin() + v * v, [x], method=method, eps="auto").rows[0]
    assert row.step == rel * max(1.0, abs(x))


def test_error_message_carries_the_table():
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_square, [2.0])
    text = str(info.value)
    assert text == "gradcheck failed:\n" + str(info.value.report)
    assert text.splitlines()[1].startswith("input")


def test_table_layout():
    report = GradcheckReport(
        [Row("x", 2.0, 1.5, 1.0, "FAIL", "why"), Row("long_name", -0.5, 0.0, 0.0, "ok")]
    )
    assert str(report).splitlines() == [
        "input      value  analytic  numeric   abs err   rel err",
        "-------------------------------------------------------------------",
        "x              2       1.5        1  5.00e-01  5.00e-01  FAIL (why)",
        "long_name   -0.5         0        0  0.00e+00  0.00e+00  ok",
        "FAILED for 1 of 2: method=central, |analytic - numeric| <= 1e-05 + 0.001 * |numeric|",
    ]
    two = GradcheckReport([Row("x", 1.0, 1.0, 1.0, "ok"), Row("x", 1.0, 2.0, 2.0, "ok", "", 1)])
    lines = str(two).splitlines()
    assert lines[0].split() == ["output", "input", "value", "analytic", "numeric", "abs", "err"] + [
        "rel",
        "err",
    ]
    assert lines[2].startswith("0       x") and lines[3].startswith("1       x")
    assert "output" not in str(report)


def test_pretty_printing_in_ipython():
    class Printer:
        text_seen = ""

        def text(self, s):
            self.text_seen += s

    p = Printer()
    report = gradcheck(lambda x: x * 2, [1.0])
    report._repr_pretty_(p, False)
    assert p.text_seen == str(report)


def test_kink_numeric_is_the_mean_of_the_one_sided_slopes():
    # relu at 0: slopes 0 (left) and 1 (right) exactly, with a power-of-two step
    row = gradcheck(lambda x: x.relu(), [0.0], eps=2.0**-20).rows[0]
    assert (row.numeric, row.status) == (0.5, "kink")
    assert "slopes 0 left, 1 right" in row.note
    row = gradcheck(lambda x: x.relu() * -3, [0.0], eps=2.0**-20).rows[0]
    assert row.numeric == -1.5 and "slopes 0 left, -3 right" in row.note


def test_tolerance_boundaries_are_inclusive():
    # 2x at 1 with step 2**-20: the central difference is exactly 2 (all numbers are dyadic)
    f = lambda v: v * 2.0  # noqa: E731
    assert gradcheck(f, [1.0], eps=2.0**-20).rows[0].numeric == 2.0
    ok = gradcheck(custom_slope(lambda t: 2 * t, 2.5), [1.0], eps=2.0**-20, atol=0.5, rtol=0)
    assert ok.rows[0].status == "ok"
    bad = custom_slope(lambda t: 2 * t, 2.5000001)
    report = gradcheck(bad, [1.0], eps=2.0**-20, atol=0.5, rtol=0, raise_exception=False)
    assert report.rows[0].status == "FAIL"
    ok = gradcheck(custom_slope(lambda t: 2 * t, 3.0), [1.0], eps=2.0**-20, atol=0, rtol=0.5)
    assert ok.rows[0].status == "ok"
    # a kink: the analytic may lie atol beyond either one-sided slope, not further
    relu = lambda t: max(t, 0.0)  # noqa: E731
    for slope, status in [(1.5, "kink"), (-0.5, "kink"), (1.50001, "FAIL"), (-0.50001, "FAIL")]:
        report = gradcheck(
            custom_slope(relu, slope), [0.0], eps=2.0**-20, atol=0.5, raise_exception=False
        )
        assert report.rows[0].status == status, slope


# -- the property: gradcheck never passes a wrong gradient -------------------------------------
# A random expression (autograd.testing.expressions) gets one op replaced by a custom op with the
# same forward and a perturbed closure: local derivative * factor + offset. Wherever that makes
# the gradient differ from the true one by more than a few tolerances, gradcheck must not pass.
# The true gradient is the engine's on the unperturbed graph (test_properties checks it against
# sympy); at a planted kink or domain edge it is the interval of one-sided derivatives.

TOLS = {"default": {}, "tight": {"atol": 1e-6, "rtol": 1e-4}}
_factors = st.sampled_from([1.0, 1.0, -1.0, 0.0, 0.5, 1.01, 1.1, 2.0, -3.0])
_offsets = st.sampled_from([0.0, 0.0, 1e-3, -0.01, 0.1, 1.0, -5.0])


def _planted(ex: Expression, where: int, factor: float, offset: float):
    """ex as a function of Values, with step `where` a custom op whose closure is perturbed."""

    def f(*leaves: Value) -> Value:
        vals: list = list(leaves)
        for n, s in enumerate(ex.steps):
            args = [vals[i] for i in s.args]
            op = _VALUE[s.op]
            c = () if s.c is None else (s.c,)
            if n != where:
                vals.append(op(*args, *c))
                continue
            fresh = [Value(a.data) for a in args]
            y = op(*fresh, *c)
            local = gradients(y, fresh)

            def _backward(g, args=args, local=local):
                for a, d in zip(args, local):
                    a.grad += (factor * d + offset) * g

            vals.append(_node(y.data, tuple(args), "planted", _backward))
        return vals[-1]

    return f


def _with_edge(ex: Expression, i: int, kind: str, c: float) -> Expression:
    """ex + c * K(x_i - point_i): a kink (relu, abs) or a domain edge (sqrt, **1.5) at the point."""
    n, last = len(ex.names), len(ex.names) + len(ex.steps) - 1
    shifted = n + len(ex.steps)
    k = Step("pow", (shifted,), 1.5) if kind == "pow1.5" else Step(kind, (shifted,))
    extra = (
        Step("+c", (i,), -ex.point[i]),  # exactly 0 at the point
        k,
        Step("*c", (shifted + 1,), c),
        Step("+", (last, shifted + 2)),
    )
    return Expression(ex.names, ex.point, ex.steps + extra)


# the one-sided derivatives of K at 0, (left, right); None: undefined on that side
_EDGE_SLOPES = {
    "relu": (0.0, 1.0),
    "abs": (-1.0, 1.0),
    "sqrt": (None, math.inf),
    "pow1.5": (None, 0.0),
}


def _truth(ex: Expression, edge: tuple[int, str, float] | None) -> list[tuple[float, float]]:
    """For each input, the interval of derivatives a correct gradient may have."""
    leaves = [Value(x) for x in ex.point]
    true = gradients(ex.build(*leaves), leaves)
    intervals = [(t, t) for t in true]
    if edge is not None:
        i, kind, c = edge
        rest = true[i] if kind != "sqrt" else 0.0  # the engine's K'(0) is 0, except sqrt's inf
        ends = [rest + c * s for s in _EDGE_SLOPES[kind] if s is not None]
        if kind == "sqrt":
            ends = [math.copysign(math.inf, c)]
        intervals[i] = (min(ends), max(ends))
    return intervals


def _clearly_wrong(a: float, lo: float, hi: float, atol: float, rtol: float) -> bool:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return a != lo
    if math.isnan(a):
        return True
    margin = 4 * (atol + rtol * max(abs(lo), abs(hi)))
    return a < lo - margin or a > hi + margin


@settings(max_examples=300, deadline=None)
@given(
    expressions(max_depth=5),
    st.data(),
    _factors,
    _offsets,
    st.sampled_from(["central", "forward", "richardson"]),
    st.sampled_from([1e-6, "auto"]),
    st.sampled_from(sorted(TOLS)),
    st.sampled_from([None, "relu", "abs", "sqrt", "pow1.5"]),
)
def test_gradcheck_never_passes_a_planted_wrong_gradient(
    ex, data, factor, offset, method, eps, tols, edge_kind
):
    edge = None
    if edge_kind is not None:
        i = data.draw(st.integers(0, len(ex.names) - 1), label="edge input")
        c = data.draw(st.sampled_from([-2.0, -0.5, 0.5, 1.5]), label="edge scale")
        ex, edge = _with_edge(ex, i, edge_kind, c), (i, edge_kind, c)
    where = data.draw(st.integers(0, len(ex.steps) - 1), label="planted at step")
    kw = {"method": method, "eps": eps, **TOLS[tols]}
    atol, rtol = kw.get("atol", 1e-5), kw.get("rtol", 1e-3)
    f = _planted(ex, where, factor, offset)
    leaves = [Value(x) for x in ex.point]
    wrong = gradients(f(*leaves), leaves)
    truth = _truth(ex, edge)
    report = gradcheck(f, ex.point, raise_exception=False, **kw)
    bad = [_clearly_wrong(a, lo, hi, atol, rtol) for a, (lo, hi) in zip(wrong, truth)]
    if any(bad):
        assert not report, f"{ex}, step {where} *{factor} +{offset}\n{report}"
        for row, is_bad in zip(report.rows, bad):
            if is_bad:
                assert row.status in ("FAIL", "UNVERIFIED"), f"{ex}\n{report}"
    if factor == 1.0 and offset == 0.0 and method != "forward":
        # nothing planted: a correct gradient is never reported as wrong
        assert not report.failures, f"{ex}\n{report}"


# -- differential: the numeric column against sympy's exact derivative, the verdict against
# torch.autograd.gradcheck's on the same numbers ---------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    expressions(max_depth=4),
    st.sampled_from(["central", "richardson"]),
    st.one_of(st.none(), st.integers(0, 2)),
    st.sampled_from([-1.0, 0.5]),
)
def test_numeric_column_equals_the_exact_derivative(ex, method, edge_input, c):
    import sympy

    if edge_input is not None:  # a domain edge: + c * (x_i - p_i)**1.5, one-sided slope 0
        ex = _with_edge(ex, min(edge_input, len(ex.names) - 1), "pow1.5", c)
    expr, syms = ex.sympy()
    at = dict(zip(syms, ex.point))
    report = gradcheck(
        ex.build, ex.point, method=method, eps="auto", atol=1e-6, rtol=1e-4, raise_exception=False
    )
    for row, s in zip(report.rows, syms):
        if row.status == "UNVERIFIED":  # no claim made: rounding stopped the one-sided limit
            assert edge_input is not None, (ex, row)
            continue
        exact = float(sympy.diff(expr, s).subs(at).evalf(30))
        assert row.numeric == pytest.approx(exact, rel=1e-4, abs=1e-6), (ex, row)


@settings(max_examples=60, deadline=None)
@given(expressions(max_depth=4), st.data(), _factors, _offsets)
def test_verdict_agrees_with_torch_gradcheck(ex, data, factor, offset):
    torch = require_torch()
    where = data.draw(st.integers(0, len(ex.steps) - 1), label="planted at step")
    f = _planted(ex, where, factor, offset)
    leaves = [Value(x) for x in ex.point]
    ours = gradients(f(*leaves), leaves)

    class Planted(torch.autograd.Function):
        """ex's float function forward, our (maybe wrong) gradient backward, for torch to judge."""

        @staticmethod
        def forward(ctx, *xs):
            return torch.tensor(ex.f(*[float(x) for x in xs]))

        @staticmethod
        def backward(ctx, g):
            return tuple(g * a for a in ours)

    xs = [torch.tensor(x, requires_grad=True) for x in ex.point]
    theirs = torch.autograd.gradcheck(
        Planted.apply, xs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False
    )
    report = gradcheck(f, ex.point, raise_exception=False)  # the same step and tolerances
    bad = [_clearly_wrong(a, t, t, 1e-5, 1e-3) for a, (t, _) in zip(ours, _truth(ex, None))]
    if any(bad):
        assert not report and not theirs, (ex, report)
    elif all(a == t for a, (t, _) in zip(ours, _truth(ex, None))):
        assert report and theirs, (ex, report)


# -- the one-sided and Richardson estimates in detail (mutation survivors) ---------------------


def test_one_sided_exactly_linear_quotients_settle_at_once():
    # 2t for t >= 0: every quotient is exactly 2 (dyadic steps), so they agree at once
    def two_t(x):
        if x.data < 0:
            raise ValueError("two_t: undefined for t < 0")
        return custom_slope(lambda t: 2 * t, 2.0)(x)

    row = gradcheck(two_t, [0.0], eps=2.0**-20).rows[0]
    assert (row.numeric, row.status, row.step) == (2.0, "ok", 2.0**-24)


def test_one_sided_extrapolation_is_exact_for_a_power_law():
    # x**1.5 at 0: quotients h**0.5 shrink geometrically, Aitken's extrapolation gives 0
    row = gradcheck(lambda x: x**1.5, [0.0]).rows[0]
    assert abs(row.numeric) < 1e-12 and "extrapolated" in row.note


def test_slowly_growing_one_sided_quotients_are_an_infinite_slope():
    # x**0.75 at 0: quotients h**-0.25 grow by 4**0.25 = 1.41 per step; slope 0.75 * 0**-0.25
    row = gradcheck(lambda x: x**0.75, [0.0]).rows[0]
    assert row.numeric == row.analytic == math.inf and row.status == "ok"
    row = gradcheck(power_with_slope(0.75, lambda t: 1e3), [0.0], raise_exception=False).rows[0]
    assert row.numeric == math.inf and row.status == "FAIL"


def test_one_sided_from_the_left():
    # sqrt(-x) at 0: defined for x <= 0, slope -0.5 / sqrt(-x) -> -inf
    row = gradcheck(lambda x: (-x).sqrt(), [0.0]).rows[0]
    assert row.numeric == row.analytic == -math.inf and "x+h is outside" in row.note
    row = gradcheck(lambda x: (-x) ** 1.5 + x * 3, [0.0]).rows[0]
    # accepted once the quotients' estimated error is within a quarter of the tolerance
    assert row.numeric == pytest.approx(3.0, abs=(1e-5 + 1e-3 * 3) / 4)
    assert "x+h is outside" in row.note


@pytest.mark.parametrize("edge", [1.0, 1000.0, -37.5])
def test_one_sided_at_an_edge_away_from_zero(edge):
    # sqrt(x - a) at a: the step shrinks until it is lost in rounding; the slope is +inf
    row = gradcheck(lambda x: (x - edge).sqrt(), [edge]).rows[0]
    assert row.numeric == row.analytic == math.inf and row.status == "ok"
    row = gradcheck(lambda x: (x - edge) ** 2.5 + x * 0.5, [edge], eps="auto").rows[0]
    assert row.numeric == pytest.approx(0.5, rel=1e-3, abs=1e-5) and row.status == "ok"


def test_domain_shrink_step_is_recorded():
    # log at 1e-7 with step 1e-6: x - 1e-7 = 0 is outside, 1e-8 fits, then 100 times inside
    row = gradcheck(lambda x: x.log(), [1e-7]).rows[0]
    assert row.step == pytest.approx(1e-10, rel=1e-9, abs=0) and "step shrunk to 1e-10" in row.note


def test_a_hole_next_to_the_point_is_a_domain_edge():
    # 3t, undefined within 3e-4 right of 1: x +- h and +- h/2 fit, x + h/4 does not; f is
    # undefined at every shorter step on the right, so 1 is an edge of f's domain and the
    # slope from the left is the one compared (this used to be Richardson's fallback to a
    # central difference over the hole)
    def holey(x):
        if 0 < x.data - 1 < 3e-4:
            raise ValueError("holey: undefined there")
        return custom_slope(lambda t: 3 * t, 3.0)(x)

    row = gradcheck(holey, [1.0], method="richardson", eps="auto").rows[0]
    assert row.status == "ok" and "x+h is outside f's domain" in row.note
    assert row.numeric == pytest.approx(3.0, rel=1e-12)


def test_richardson_step_and_estimate_after_shrinking():
    # relu(x)**2 at 0: each Richardson estimate is h/6 (by hand: central (h/2) extrapolated);
    # they agree within tol/4 first at h = 1e-5, and the reported one uses steps h/2 and h/4
    row = gradcheck(lambda x: x.relu() ** 2, [0.0], method="richardson", eps="auto").rows[0]
    assert row.step == pytest.approx(1e-5, rel=1e-9, abs=0) and row.numeric == pytest.approx(
        1e-5 / 12
    )
    assert "step shrunk to 1e-05" in row.note


def test_eps_lost_in_rounding_on_one_side_only():
    # at -1.0 a step of 6e-17 moves x + eps (towards 0, where floats are denser) but not x - eps
    assert -1.0 + 6e-17 != -1.0 and -1.0 - 6e-17 == -1.0
    with pytest.raises(ValueError, match="lost in rounding"):
        gradcheck(lambda x: x * 2, [-1.0], eps=6e-17)


def test_many_inputs_are_shortened_in_messages():
    with pytest.raises(ValueError) as info:
        gradcheck(lambda *xs: (sum(xs) * 1000).exp(), [1.0, 2.0, 3.0, 4.0, 5.0])
    assert "(x0=1.0, x1=2.0, x2=3.0, x3=4.0, ... (5 inputs))" in str(info.value)


def test_each_method_uses_its_own_formula():
    # x*x at 1 with step h = 2**-20 (all dyadic, so exact): forward (f(1+h) - f(1)) / h = 2 + h,
    # central and Richardson give exactly 2
    f = lambda x: x * x  # noqa: E731
    rows = {m: gradcheck(f, [1.0], eps=2.0**-20, method=m).rows[0] for m in METHODS}
    assert rows["forward"].numeric == 2.0 + 2.0**-20
    assert rows["central"].numeric == 2.0 and rows["richardson"].numeric == 2.0


def test_steep_curvature_is_not_a_kink():
    # 1e7 x**2 at 0: one-sided slopes -10 and 10 at h = 1e-6, but they shrink with h (smooth)
    row = gradcheck(lambda x: x * x * 1e7, [0.0]).rows[0]
    assert row.status == "ok" and row.numeric == 0.0


def test_one_sided_with_no_usable_step_is_unverified():
    # defined at 0 and at powers of ten up to 1e-7 only: the shrinking steps 1e-6 / 4**k miss
    def sparse(x):
        t = x.data
        if t != 0 and not (
            0 < t <= 1.0000001e-7 and abs(math.log10(t) - round(math.log10(t))) < 1e-9
        ):
            raise ValueError("sparse: undefined there")
        return custom_slope(lambda s: s, 1.0)(x)

    row = gradcheck(sparse, [0.0], raise_exception=False).rows[0]
    assert row.status == "UNVERIFIED" and math.isnan(row.numeric) and row.step == 1e-6


# -- _one_sided on sequences whose quotients are known by hand --------------------------------
# g(t) = t + t**2 at 0, steps h_k = 2**-10 / 4**k: quotients q_k = 1 + h_k exactly (dyadic),
# differences d_k = -3 h_k, ratio 1/4, so the error bound |d| r / (1 - r) = h_k is exact.


def _quotients_one_plus_h(t: float) -> float:
    return t + t * t


def test_one_sided_accepts_plain_quotients_within_a_quarter_tolerance():
    # the third quotient 1 + 2**-14 has error 2**-14 = 6.1e-5 <= tol / 4 for tol = 2.8e-4
    # (and 2**-14 > tol / 5: the quarter is the bound)
    num, kind, note, _, step = _one_sided(
        _quotients_one_plus_h, 0.0, 0.0, 1, 2.0**-10, lambda q: 2.8e-4
    )
    assert (num, kind, step) == (1 + 2.0**-14, "", 2.0**-14)
    assert note == "one-sided: x-h is outside f's domain"


def test_one_sided_extrapolates_a_geometric_sequence_exactly():
    # with tol 1e-6 no plain quotient is close enough; Aitken on q_1..q_3 gives exactly 1
    num, kind, note, _, step = _one_sided(
        _quotients_one_plus_h, 0.0, 0.0, 1, 2.0**-10, lambda q: 1e-6
    )
    assert (num, kind, step) == (1.0, "", 2.0**-16) and "extrapolated" in note
    # from the left: g(-t) = -t + t**2, quotients 1 - h_k; Aitken again gives exactly 1
    num, kind, note, _, step = _one_sided(
        lambda t: t + t * t, 0.0, 0.0, -1, 2.0**-10, lambda q: 1e-6
    )
    assert (num, kind, step) == (1.0, "", 2.0**-16) and "x+h is outside" in note


def test_one_sided_does_not_trust_slow_convergence():
    # quotients 1 + 0.85**k: each step gains too little (ratio 0.85 > 0.8) to bound the error
    p = math.log(1 / 0.85) / math.log(4)
    num, kind, note, _, _ = _one_sided(
        lambda t: t * (1 + (t / 2.0**-10) ** p), 0.0, 0.0, 1, 2.0**-10, lambda q: 1e-6
    )
    assert kind == "UNVERIFIED" and "does not settle" in note and num > 1


def test_one_sided_tolerance_is_a_quarter_not_more():
    # tol 2e-4: the third quotient's error 2**-14 = 6.1e-5 exceeds tol / 4 = 5e-5, so the
    # fourth, 1 + 2**-16 (error 1.5e-5), is the first accepted
    num, kind, note, _, step = _one_sided(
        _quotients_one_plus_h, 0.0, 0.0, 1, 2.0**-10, lambda q: 2e-4
    )
    assert (num, kind, step) == (1 + 2.0**-16, "", 2.0**-16) and "extrapolated" not in note


@pytest.mark.parametrize("tol", [1e-3, 1e-4, 1e-5, 1e-6, 1e-8])
@pytest.mark.parametrize("p", [1.0, 0.5, 0.3])
@pytest.mark.parametrize("a, b", [(1.0, 0.0), (-3.0, 0.0), (10.0, 5.0), (1.0, -40.0), (-0.5, 2.0)])
def test_one_sided_estimate_is_within_a_quarter_tolerance_of_the_limit(tol, p, a, b):
    # quotients 1 + a h**p + b h**2 (limit 1, by construction) from steps 1e-3 / 4**k:
    # whatever is accepted lies within tol / 4 of 1 (plus rounding); else it is UNVERIFIED
    def g(t: float) -> float:
        return t * (1 + a * t**p + b * t * t)

    num, kind, _, _, _ = _one_sided(g, 0.0, 0.0, 1, 1e-3, lambda q: tol)
    if kind == "":
        assert abs(num - 1) <= tol / 4 + 1e-12, (num, tol)
    else:
        assert kind == "UNVERIFIED"


def test_unverified_row_shows_the_last_quotient():
    # x sin(log x) at 0: the quotient at step d is sin(log d) (closed form)
    row = gradcheck(oscillating, [0.0], raise_exception=False).rows[0]
    assert row.numeric == pytest.approx(math.sin(math.log(row.step)), abs=1e-12)


def test_large_quotients_that_do_not_grow_are_not_an_infinite_slope():
    # x (5 + sin(log x)) at 0: quotients 5 + sin(log h), positive and bounded, never settling
    def offset_osc(x):
        if x.data < 0:
            raise ValueError("undefined for x < 0")
        t = x.data
        y = t * (5 + math.sin(math.log(t))) if t > 0 else 0.0
        return _node(y, (x,), "osc5", lambda g: None)

    row = gradcheck(offset_osc, [0.0], raise_exception=False).rows[0]
    assert row.status == "UNVERIFIED" and 4 <= row.numeric <= 6


def test_tiny_growing_quotients_are_still_an_infinite_slope():
    # 1e-30 sqrt(x) at 0: the quotients 1e-30 h**-0.5 stay below 1 but double every step
    row = gradcheck(lambda x: x.sqrt() * 1e-30, [0.0]).rows[0]
    assert row.numeric == row.analytic == math.inf and row.status == "ok"


def test_richardson_gives_up_after_six_steps_and_shows_its_last_estimate():
    from autograd.gradcheck import _richardson

    # relu(x)**1.5 at 0: central differences c(s) = s**0.5 / 2, so Richardson's estimates are
    # R(s) = (4 c(s/2) - c(s)) / 3 = (2**0.5 - 0.5) / 3 * s**0.5 and R(h) - R(h/2) =
    # 0.0893 h**0.5 (closed form): 8.9e-6 at h = 1e-8 (the sixth step) is above tol / 4 = 5e-6;
    # at 1e-9 it would not be
    def g(t: float) -> float:
        return max(t, 0.0) ** 1.5

    num, kind, _, _, step = _richardson(g, 0.0, 1e-3, (1e-3) ** 0.5 / 2, lambda q: 2e-5)
    assert kind == "UNVERIFIED" and step == pytest.approx(1e-8, rel=1e-9, abs=0)
    assert num == pytest.approx((2**0.5 - 0.5) / 3 * (1e-8 / 2) ** 0.5, rel=1e-6)
    # gradcheck then trusts the one-sided slopes, which settle (to 0 on both sides)
    row = gradcheck(
        lambda x: x.relu() ** 1.5, [0.0], method="richardson", eps="auto", atol=2e-5, rtol=0
    ).rows[0]
    assert row.status == "ok" and abs(row.numeric) <= 2e-5 / 4 and "settle to" in row.note


def test_richardson_settles_within_a_quarter_tolerance():
    # relu(x)**2 at 0: R(h) - R(h/2) = h / 12 = 8.3e-7 at h = 1e-5, within tol / 4 for
    # tol = 3.5e-6 (but not within tol / 5)
    row = gradcheck(
        lambda x: x.relu() ** 2, [0.0], method="richardson", eps="auto", atol=3.5e-6, rtol=0
    ).rows[0]
    assert row.step == pytest.approx(1e-5, rel=1e-9, abs=0) and row.status == "ok"


@pytest.mark.parametrize("edge", [1.0, -1.0])
@pytest.mark.parametrize("side", [1.0, -1.0])
def test_domain_step_shrinking_stops_where_the_step_is_lost(edge, side):
    # sqrt(side * (x - a)) at a with eps 1e-8: shrinking to 1e-16 loses the step on one side
    # of a (floats are denser towards 0); the slope is side * inf
    row = gradcheck(lambda x: ((x - edge) * side).sqrt(), [edge], eps=1e-8).rows[0]
    assert row.numeric == row.analytic == side * math.inf and row.status == "ok"


def test_one_sided_after_a_first_step_outside_on_both_sides():
    # sqrt(x) + sqrt(1e-7 - x) at 0 is defined on [0, 1e-7]: x +- 1e-6 are both outside,
    # x + 1e-7 is inside; the slope from the right is +inf (0.5 / sqrt(0) dominates)
    row = gradcheck(lambda x: x.sqrt() + (1e-7 - x).sqrt(), [0.0]).rows[0]
    assert row.numeric == row.analytic == math.inf and "x-h is outside" in row.note


def test_shrinking_keeps_a_step_that_is_not_lost_in_rounding():
    # log(x - c) at 1e7, c 5e-8 below: x - 1e-7 is outside, 1e-8 fits, and 100 times
    # less (1e-10) is below the spacing of floats at 1e7 (1.9e-9), so the step stays 1e-8
    # The central difference there is off by 0.05% (its curvature term 1/(3 u**3) h**2 with
    # the edge u = 5e-8 away), and the one-sided slopes cannot settle before rounding swamps
    # them (floats at 1e7 are 1.9e-9 apart): the row is UNVERIFIED, no longer "ok" on the
    # central difference alone
    c = 1e7 - 5e-8
    row = gradcheck(lambda x: (x - c).log(), [1e7], raise_exception=False).rows[0]
    assert row.status == "UNVERIFIED" and "step shrunk to 1e-08" in row.note
    assert "does not settle" in row.note


def test_steps_are_the_ones_actually_taken():
    # at 1e9 floats are 1.2e-7 apart, so x +- 1e-6 rounds to x +- 9.5e-7: dividing by the
    # nominal 1e-6 would make 3x's slope 2.86 and let a wrong 2.86 pass
    assert (1e9 + 1e-6) - 1e9 == 8 * 2.0**-23
    # (a step of 8 ulps of x cannot resolve a general f's slope: rounding in f(x) alone
    # moves the quotient by ~1, so such a row is UNVERIFIED, never a pass of 2.86)
    row = gradcheck(lambda x: x * 3, [1e9], raise_exception=False).rows[0]
    assert row.numeric == 3.0 and row.status in ("ok", "UNVERIFIED")
    report = gradcheck(custom_slope(lambda t: 3 * t, 2.86), [1e9], raise_exception=False)
    assert report.rows[0].status in ("FAIL", "UNVERIFIED")
    assert (
        gradcheck(lambda x: x * 3, [1e9], method="forward", raise_exception=False).rows[0].numeric
        == 3.0
    )


def test_kink_with_unequal_one_sided_slopes():
    # |x| + 2x at 0: slopes 1 (left) and 3 (right) exactly, with a power-of-two step
    row = gradcheck(lambda x: x.abs() + x * 2, [0.0], eps=2.0**-20).rows[0]
    assert (row.status, row.numeric) == ("kink", 2.0)
    assert "slopes 1 left, 3 right" in row.note


@pytest.mark.parametrize("eps", [math.inf, math.nan, 0.0, -1e-6])
def test_non_finite_or_non_positive_eps_is_named_as_such(eps):
    with pytest.raises(ValueError, match="must be a finite positive number or 'auto'"):
        gradcheck(lambda x: x * 2, [1.0], eps=eps)


def test_kink_interval_is_widened_only_by_the_slopes_own_error():
    # |x| + 2x at 0 has exact one-sided slopes 1 and 3: 3.05 lies outside, and must fail
    for slope, status in [(3.0, "kink"), (1.0, "kink"), (3.05, "FAIL"), (0.95, "FAIL")]:
        op = custom_slope(lambda t: abs(t) + 2 * t, slope)
        row = gradcheck(op, [0.0], eps=2.0**-20, raise_exception=False).rows[0]
        assert row.status == status, slope
    # exp(x) + |x| at 0: one-sided slopes 0 and 2 (closed form); each side's limit is
    # extrapolated to within a quarter of the tolerance and the interval widened by that
    # error only. (atol was 1e-9: so fine a limit is lost in rounding at steps near 1e-6 before the
    # limits are confirmed, and the row is now UNVERIFIED rather than judged on a guess.)
    for slope, status in [(2.0, "kink"), (0.0, "kink"), (2 + 1e-5, "FAIL"), (-1e-5, "FAIL")]:
        op = custom_slope(lambda t: math.exp(t) + abs(t), slope)
        row = gradcheck(op, [0.0], atol=1e-6, rtol=0, raise_exception=False).rows[0]
        assert row.status == status, slope
    row = gradcheck(
        custom_slope(lambda t: math.exp(t) + abs(t), 2 + 1e-6),
        [0.0],
        atol=1e-9,
        rtol=0,
        raise_exception=False,
    ).rows[0]
    assert row.status in ("FAIL", "UNVERIFIED")


def test_correct_subgradient_at_a_kink_of_a_curved_function_passes():
    # exp(x) - 2 relu(x - 1) at 1 (found by the planted-gradient property): the engine says
    # e (relu'(0) = 0), the left slope; the left quotient is e - 1.4e-6 at step 1e-6 and
    # e - 1.7e-7 at 1e-6/8, both beyond atol = 1e-8, so the interval must allow for the
    # quotients' own error
    def f(x):
        return x.exp() + (x - 1.0).relu() * -2.0

    for atol in (1e-6, 1e-8):
        row = gradcheck(f, [1.0], atol=atol, rtol=1e-4).rows[0]
        assert row.status == "kink" and row.analytic == math.e


def test_messages_name_exactly_what_is_wrong():
    # 1 + 1e-16 == 1 although 1 - 1e-16 != 1 (floats are twice as dense below 1)
    assert 1.0 + 1e-16 == 1.0 and 1.0 - 1e-16 != 1.0
    with pytest.raises(ValueError, match="lost in rounding at x0=1.0"):
        gradcheck(lambda x: x * 2, [1.0], eps=1e-16)
    with pytest.raises(ValueError) as info:
        gradcheck(lambda x: (x * 1000).exp(), [1.0])
    assert str(info.value).startswith("gradcheck(): f is inf at the point (x0=1.0)")
    with pytest.raises(ValueError) as info:
        gradcheck(lambda *xs: (sum(xs) * 1000).exp(), [1.0, 2.0, 3.0, 4.0])
    assert "(x0=1.0, x1=2.0, x2=3.0, x3=4.0);" in str(info.value)
