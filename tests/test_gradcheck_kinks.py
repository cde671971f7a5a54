"""gradcheck near kinks, domain edges, jumps and at large |x| (issue 22).

Within eps of a kink the central difference straddles it, so its number is neither side's
slope. gradcheck must never pass a wrong gradient there: a custom op with the engine's forward
and a planted wrong backward must not pass at any distance 1e-9..1e-3 from a kink or domain
edge, on either side, with any method; the engine's own (right) gradient must pass or be
UNVERIFIED. The true slopes are closed forms (relu' = 1 / 0, abs' = sign, sqrt' = 0.5/sqrt,
log' = 1/x, (x**1.5)' = 1.5 x**0.5, (1/x)' = -1/x**2, ...), never gradcheck's own numbers.
"""

import math
from collections.abc import Callable

import pytest

from autograd import Value
from autograd.engine import _node
from autograd.gradcheck import gradcheck, gradcheck_module

DISTANCES = [1e-9, 1e-8, 1e-7, 3e-7, 1e-6, 3e-6, 1e-5, 1e-4, 1e-3]
SETTINGS = [("central", 1e-6), ("forward", 1e-6), ("richardson", 1e-6), ("central", "auto")]
SETTINGS += [("richardson", "auto")]

# name: (the engine's op, closed-form slope, the kink or edge, sides of it where f is defined)
OPS: dict[str, tuple[Callable[[Value], Value], Callable[[float], float], float, tuple]] = {
    "relu": (lambda x: x.relu(), lambda t: 1.0 if t > 0 else 0.0, 0.0, (1, -1)),
    "relu(x-1)": (lambda x: (x - 1.0).relu(), lambda t: 1.0 if t > 1 else 0.0, 1.0, (1, -1)),
    "abs": (lambda x: x.abs(), lambda t: math.copysign(1.0, t), 0.0, (1, -1)),
    "3|x+2|": (lambda x: (x + 2.0).abs() * 3, lambda t: math.copysign(3.0, t + 2), -2.0, (1, -1)),
    "sqrt": (lambda x: x.sqrt(), lambda t: 0.5 / math.sqrt(t), 0.0, (1,)),
    "log": (lambda x: x.log(), lambda t: 1 / t, 0.0, (1,)),
    "x**1.5": (lambda x: x**1.5, lambda t: 1.5 * t**0.5, 0.0, (1,)),
    "x**2": (lambda x: x**2, lambda t: 2 * t, 0.0, (1, -1)),
    "1/x": (lambda x: 1 / x, lambda t: -1 / t**2, 0.0, (1, -1)),
    "exp(x)/x": (lambda x: x.exp() / x, lambda t: math.exp(t) * (t - 1) / t**2, 0.0, (1, -1)),
    "sqrt(x*x+1e-20)": (
        lambda x: (x * x + 1e-20).sqrt(),
        lambda t: t / math.sqrt(t * t + 1e-20),
        0.0,
        (1, -1),
    ),
}


def planted(op: Callable[[Value], Value], slope: float) -> Callable[[Value], Value]:
    """op's forward (the engine's) with a backward that says `slope` (a custom op)."""

    def f(x: Value) -> Value:
        y = op(Value(x.data))

        def _backward(g):
            x.grad += slope * g

        return _node(y.data, (x,), "planted", _backward)

    return f


def wrongs(true: float, other_side: float) -> list[float]:
    """Slopes clearly wrong (beyond 4 tolerances) at a point where the slope is `true`."""
    out = [true + 0.45 + 0.01 * abs(true), true - 0.45 - 0.01 * abs(true), 0.55]
    if abs(other_side - true) > 0.1 + 0.01 * abs(true):  # the slope across the kink
        out.append(other_side)
    return [w for w in out if abs(w - true) > 4 * (1e-5 + 1e-3 * abs(true))]


def assert_never_passes(f, x: float, method: str, eps) -> None:
    report = gradcheck(f, [x], method=method, eps=eps, raise_exception=False)
    assert not report, f"a wrong gradient passed\n{report}"
    assert report.rows[0].status in ("FAIL", "UNVERIFIED"), report


def assert_passes_or_unverified(f, x: float, method: str, eps) -> None:
    report = gradcheck(f, [x], method=method, eps=eps, raise_exception=False)
    row = report.rows[0]
    assert row.status in ("ok", "UNVERIFIED"), f"the right gradient did not pass\n{report}"
    assert bool(report) == (row.status == "ok")


@pytest.mark.parametrize("method, eps", SETTINGS)
@pytest.mark.parametrize("name", sorted(OPS))
def test_near_every_kink_and_edge_wrong_never_passes_right_passes(name, method, eps):
    op, slope, at, sides = OPS[name]
    for side in sides:
        for d in DISTANCES:
            x = at + side * d
            if x == at:
                continue
            true, other = slope(x), slope(at - side * d) if -side in sides else slope(x)
            assert_passes_or_unverified(op, x, method, eps)
            for w in wrongs(true, other):
                assert_never_passes(planted(op, w), x, method, eps)


@pytest.mark.parametrize("d", DISTANCES)
def test_a_kink_with_curvature_around_it(d):
    # exp(x) + 2 relu(x - 0.5) near 0.5: slope e**x + 2 on the right, e**x on the left
    def fn(x):
        return x.exp() + (x - 0.5).relu() * 2

    for x in (0.5 + d, 0.5 - d):
        true = math.exp(x) + (2.0 if x > 0.5 else 0.0)
        assert_passes_or_unverified(fn, x, "central", 1e-6)
        for w in (true + 0.5, true - 0.5, math.exp(x) + 1.0):
            assert_never_passes(planted(fn, w), x, "central", 1e-6)


def test_the_issues_relu_case():
    # relu at 1e-7 with step 1e-6: the central difference is (1.1e-6 - 0) / 2e-6 = 0.55
    row = gradcheck(lambda x: x.relu(), [1e-7]).rows[0]
    assert row.status == "ok" and row.numeric == 1.0
    assert "kink or jump within eps" in row.note and "step shrunk" in row.note
    row = gradcheck(planted(lambda x: x.relu(), 0.55), [1e-7], raise_exception=False).rows[0]
    assert row.status == "FAIL" and row.numeric == 1.0


def test_a_smooth_point_is_not_a_kink():
    # sqrt(x*x + 1e-20) is smooth at 0 with slope 0 (its curvature is 1e10, its one-sided
    # quotients at 1e-6 are +-0.9999 but settle to 0 as the step shrinks below 1e-10)
    f = OPS["sqrt(x*x+1e-20)"][0]
    row = gradcheck(f, [0.0]).rows[0]
    assert row.status == "ok" and row.numeric == 0.0 and "not differentiable" not in row.note
    for w in (0.9, -0.9, 0.5):
        assert_never_passes(planted(f, w), 0.0, "central", 1e-6)


# smooth maxima and minima: slope 0 exactly (f' = 0 in closed form), curvature up to ~1e3, so
# the one-sided quotients at the step differ by f'' h while the central difference is right
EXTREMA = {
    "cos(x)": lambda x: x.cos(),
    "exp(cos x) ** exp(cos x)": lambda x: x.cos().exp() ** x.cos().exp(),  # found by hypothesis
    "exp(3 cos x)": lambda x: (x.cos() * 3.0).exp(),
    "cos(30 x) * 2": lambda x: (x * 30.0).cos() * 2.0,
    "x * x * 500 + 7": lambda x: x * x * 500.0 + 7.0,
    # large f: rounding in the quotients (ulp(f) / h) far above the tolerance
    "cos(30 x) * 2 + 1e6": lambda x: (x * 30.0).cos() * 2.0 + 1e6,
    "cos(x) * 1e6": lambda x: x.cos() * 1e6,
    "cos(x) * 1e3 + 1e3": lambda x: x.cos() * 1e3 + 1e3,
}
LARGE = {"cos(30 x) * 2 + 1e6", "cos(x) * 1e6", "cos(x) * 1e3 + 1e3"}


@pytest.mark.parametrize("eps", [1e-6, "auto"])
@pytest.mark.parametrize("name", sorted(EXTREMA))
def test_a_smooth_extremum_passes_and_a_wrong_slope_there_fails(name, eps):
    f = EXTREMA[name]
    # where f is large, one ulp of f over the step can be beyond atol: UNVERIFIED, never a
    # wrong pass
    report = gradcheck(f, [0.0], eps=eps, atol=1e-6, rtol=1e-4, raise_exception=False)
    assert report.rows[0].status in (("ok", "UNVERIFIED") if name in LARGE else ("ok",)), report
    for w in (1e-4, -1e-4, 0.5):
        report = gradcheck(
            planted(f, w), [0.0], eps=eps, atol=1e-6, rtol=1e-4, raise_exception=False
        )
        want = ("FAIL", "UNVERIFIED") if name in LARGE else ("FAIL",)
        assert report.rows[0].status in want, report
    for name_k, kinked in (
        ("+ |x|", lambda x: f(x) + x.abs()),
        ("+ relu", lambda x: f(x) + x.relu()),
    ):
        row = gradcheck(kinked, [0.0], eps=eps, raise_exception=False).rows[0]
        # where f is large, rounding hides the kink: UNVERIFIED, never ok
        assert row.status in (("kink", "UNVERIFIED") if name in LARGE else ("kink",)), (name_k, row)
    # a kink far smaller than the slopes' curvature term but beyond the tolerance (where f is
    # large, its quotients' rounding, 4 ulp(f) / h, is larger than this kink)
    if name not in LARGE:
        small = gradcheck(lambda x: f(x) + x.abs() * 1e-4, [0.0], eps=eps, raise_exception=False)
        assert small.rows[0].status == "kink", small


@pytest.mark.parametrize("x", [1e10, -3e10, 1e12, 7.5e8])
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_large_inputs_with_auto_eps(x, method):
    # eps="auto" at 1e10 is 6e4: sin swings through ten thousand periods within it
    true = math.cos(x)
    assert_passes_or_unverified(lambda v: v.sin(), x, method, "auto")
    for w in (0.0, true + 0.5, -true):
        if abs(w - true) > 0.1:
            assert_never_passes(planted(lambda v: v.sin(), w), x, method, "auto")


def test_the_issues_large_case_passes_the_right_slope():
    row = gradcheck(lambda v: v.sin(), [1e10], eps="auto").rows[0]
    assert row.status == "ok" and row.numeric == pytest.approx(math.cos(1e10), rel=1e-3)
    row = gradcheck(planted(lambda v: v.sin(), 0.0), [1e10], eps="auto", raise_exception=False)
    assert row.rows[0].status == "FAIL"


def step(x: Value, slope: float = 0.0, at: float = 0.0) -> Value:
    """The unit step at `at` (1 from `at` on), as a custom op whose backward says `slope`."""

    def _backward(g):
        x.grad += slope * g

    return _node(1.0 if x.data >= at else 0.0, (x,), "step", _backward)


@pytest.mark.parametrize("at", [0.0, 1.0, -250.0])
@pytest.mark.parametrize("method, eps", SETTINGS)
def test_a_step_function_is_never_a_kink(at, method, eps):
    # away from the jump the slope is 0; at the jump there is none (the quotients grow like 1/h)
    def right(v: Value) -> Value:
        return step(v, 0.0, at)

    for x in [at] + [at + s * d for d in DISTANCES for s in (1, -1)]:
        report = gradcheck(right, [x], method=method, eps=eps, raise_exception=False)
        assert report.rows[0].status != "kink", report
        if x == at:
            assert report.rows[0].status == "UNVERIFIED" and "without bound" in report.rows[0].note
        else:
            assert_passes_or_unverified(right, x, method, eps)
        for w in (0.5, 1.0, -1.0):
            assert_never_passes(lambda v, w=w: step(v, w, at), x, method, eps)


def test_exactly_at_a_kink_is_still_a_kink():
    # relu and abs at 0: one-sided slopes 0/1 and -1/1 exactly; a subgradient between passes
    assert gradcheck(lambda x: x.relu(), [0.0]).rows[0].status == "kink"
    for w in (1.5, -0.5, 0.55 + 1.0):
        assert_never_passes(planted(lambda x: x.relu(), w), 0.0, "central", 1e-6)
    for w in (1.2, -1.2):
        assert_never_passes(planted(lambda x: x.abs(), w), 0.0, "central", 1e-6)


class ReluNet:
    """x -> relu(w1 x + b1) . w2 + b2 with two hidden units; `act` is the activation."""

    def __init__(self, act: Callable[[Value], Value]) -> None:
        self.act = act
        self.w1 = [Value(0.8, label="w1_0"), Value(-1.3, label="w1_1")]
        self.b1 = [Value(-0.4, label="b1_0"), Value(0.25, label="b1_1")]
        self.w2 = [Value(1.7, label="w2_0"), Value(-0.6, label="w2_1")]
        self.b2 = Value(0.1, label="b2")

    def parameters(self) -> list[Value]:
        return [*self.w1, *self.b1, *self.w2, self.b2]

    def __call__(self, x: float) -> Value:
        hidden = [self.act(w * x + b) for w, b in zip(self.w1, self.b1)]
        return sum((h * w for h, w in zip(hidden, self.w2)), self.b2)


def mse(model, xs, ys):
    return sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))


@pytest.mark.parametrize("gap", [1e-9, 1e-7, -1e-7, 5e-7, -3e-6])
def test_gradcheck_module_on_a_relu_network_with_a_pre_activation_near_0(gap):
    # unit 0's pre-activation 0.8 * 0.5 + b1_0 is set to `gap` for the first input
    net = ReluNet(lambda v: v.relu())
    net.b1[0].data = gap - 0.8 * 0.5
    xs, ys = [0.5, -1.0, 2.0], [0.3, -0.2, 1.0]
    report = gradcheck_module(net, mse, xs, ys, raise_exception=False)
    assert not report.failures, report

    # the same network whose relu says 0.55 at that pre-activation (relu' is 1 or 0 there)
    def half_relu(v: Value) -> Value:
        if abs(v.data - gap) <= abs(gap) * 1e-6:
            return planted(lambda u: u.relu(), 0.55)(v)
        return v.relu()

    bad = ReluNet(half_relu)
    bad.b1[0].data = net.b1[0].data
    report = gradcheck_module(bad, mse, xs, ys, raise_exception=False)
    assert not report
    flagged = {r.name for r in report.rows if r.status in ("FAIL", "UNVERIFIED")}
    assert {"w1_0", "b1_0"} <= flagged, report


@pytest.mark.parametrize("seed", range(4))
def test_random_large_inputs_never_pass_a_wrong_slope(seed):
    # random |x| in 1e6..1e13 with eps="auto" (steps of 6 to 6e7): sin and 2 cos(0.37 x),
    # whose quotients over such steps are tiny and can alias; the engine's slope is the truth
    import random

    rng = random.Random(seed)
    fns = [lambda v: v.sin(), lambda v: (v * 0.37).cos() * 2]
    for _ in range(25):
        x = rng.choice([1, -1]) * 10 ** rng.uniform(6, 13)
        fn = rng.choice(fns)
        leaf = Value(x)
        fn(leaf).backward()
        true = leaf.grad
        method = rng.choice(["central", "forward", "richardson"])
        assert_passes_or_unverified(fn, x, method, "auto")
        for w in (0.0, true + 0.5, -true):
            if abs(w - true) > 0.05:
                assert_never_passes(planted(fn, w), x, method, "auto")
