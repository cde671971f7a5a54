"""Every op at its edge points, first order: value and gradient against PyTorch
float64 and, for + - * /, against exact rational arithmetic.

Points: 0, -0.0, ±1e-300, ±1e200, NaN, ±inf, ±1, plus each op's kinks and domain
edges. Each case must give what torch (CPU, float64) gives -- NaN where torch
gives NaN -- and, where the op is rational and the inputs finite, the exact
result (`fractions.Fraction`, correctly rounded) to within 2 ulps. Where torch
is wrong, the case is in `TORCH_WRONG` with the reason and the exact value
decides. The errors the engine raises on purpose (README, "The engine": log of
<= 0, sqrt of a negative, division by zero, 0 ** a negative, a negative base to
a non-integer power) must be raised, naming the op and the value, and leave the
graph as it was.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from autograd import AnomalyError, Value, detect_anomaly
from autograd.ops import linear, total

nan, inf = math.nan, math.inf
EDGES = (0.0, -0.0, 1e-300, -1e-300, 1e200, -1e200, nan, inf, -inf, 1.0, -1.0, 2.5)

# -- the engine's documented domain errors, restated independently ----------


def _is_int(x: float) -> bool:
    return math.isfinite(x) and x == int(x)


def expected_error(op: str, a: float, b: float | None = None) -> type[Exception] | None:
    """The error README promises for op at (a, b), or None."""
    if op == "log" and a <= 0.0:
        return ValueError
    if op == "sqrt" and a < 0.0:
        return ValueError
    if op == "/" and b == 0.0:
        return ZeroDivisionError
    if op == "**":
        if a == 0.0 and b < 0.0:
            return ZeroDivisionError
        if a < 0.0 and math.isfinite(b) and not _is_int(b):
            return ValueError
    return None


# -- the cases ---------------------------------------------------------------

UNARY_METHODS = ("exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs")
# extra points per op: kinks and domain edges beyond EDGES
EXTRA = {
    "log": (5e-324, 1e-308),
    "sqrt": (5e-324, 4.0),
    "exp": (709.78, 709.79, -745.2, -745.1),
    "sigmoid": (-745.2, 36.8, 37.0, -37.0),
    "tanh": (19.1, -19.1, 1e-8),
    "sin": (math.pi, 1e22),
    "cos": (math.pi / 2, 1e22),
}
POW_CONSTANTS = (
    0.0,
    1.0,
    2.0,
    3.0,
    0.5,
    1.5,
    -1.0,
    -2.0,
    -0.5,
    107.0,  # odd, beyond 2 * 53 and below 2**53
    2.0**53 - 1,  # the largest odd float
    2.0**53,
    2.0**53 + 2,
    -1e200,
    1e200,
    nan,
    inf,
    -inf,
)
RPOW_BASES = (0.0, 1.0, 2.0, 0.5, -2.0, -1.0, -0.5, 1e200, nan, inf, -inf)


def _cases():
    """(name, op, form, args): form says which args are Values ("v") and which constants ("c")."""
    for name in UNARY_METHODS:
        for x in EDGES + EXTRA.get(name, ()):
            yield f"{name}({x!r})", name, "v", (x,)
    for x in EDGES:
        yield f"-({x!r})", "neg", "v", (x,)
    for op in ("+", "-", "*", "/", "**"):
        for a in EDGES:
            for b in EDGES:
                yield f"V({a!r}) {op} V({b!r})", op, "vv", (a, b)
                if op != "**":
                    yield f"V({a!r}) {op} {b!r}", op, "vc", (a, b)
                    yield f"{a!r} {op} V({b!r})", op, "cv", (a, b)
    for x in EDGES:
        for c in POW_CONSTANTS:
            yield f"V({x!r}) ** {c!r}", "**", "vc", (x, c)
        for c in RPOW_BASES:
            yield f"{c!r} ** V({x!r})", "**", "cv", (c, x)
    for w in EDGES:
        for x in EDGES:
            yield f"linear([V({w!r})], [V({x!r})], V(0.5))", "linear", "vvv", (w, x, 0.5)
            yield f"linear([V({w!r})], [{x!r}], V(0.5))", "linear", "vcv", (w, x, 0.5)
            yield f"total([V({w!r}), V({x!r})])", "total", "vv", (w, x)


def _apply(op, args, form, lib):
    """op applied to args with lib's arithmetic (Values or tensors at the "v" places)."""
    if op in UNARY_METHODS:
        return getattr(args[0], op)()
    if op == "neg":
        return -args[0]
    if op == "linear":
        w, x, b = args
        return linear([w], [x], b) if lib == "ours" else b + w * x
    if op == "total":
        return total(args) if lib == "ours" else 0.0 + args[0] + args[1]
    a, b = args
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a**b


def run_ours(op, form, args):
    """(value, [grad of each Value input]) from valuegrad, or the exception it raised."""
    leaves = [Value(x) if f == "v" else x for f, x in zip(form, args)]
    try:
        y = _apply(op, leaves, form, "ours")
    except (ValueError, ZeroDivisionError) as e:
        return e
    y.backward()
    return y.data, [v.grad for v in leaves if isinstance(v, Value)]


def run_torch(torch, op, form, args):
    leaves = [
        torch.tensor(x, dtype=torch.float64, requires_grad=True) if f == "v" else x
        for f, x in zip(form, args)
    ]
    y = _apply(op, leaves, form, "torch")
    y.backward()
    return y.item(), [t.grad.item() for t in leaves if not isinstance(t, float)]


def _round(q: Fraction) -> float:
    try:
        return float(q)
    except OverflowError:
        return inf if q > 0 else -inf


def run_exact(op, form, args):
    """The exact result of a rational op at finite inputs, correctly rounded; else None."""
    if not all(map(math.isfinite, args)):
        return None
    A = [Fraction(x) for x in args]
    if op == "**" and form == "vc" and _is_int(args[1]):
        x, n = A[0], int(args[1])
        if (abs(n) > 64 and abs(x) not in (0, 1)) or (x == 0 and n <= 1):
            return None
        return _round(x**n), [_round(n * x ** (n - 1))]
    if op not in ("+", "-", "*", "/", "linear", "total"):
        return None
    if op == "linear":
        (w, x, b), parts = A, (A[1], A[0], 1)
        value = b + w * x
    elif op == "total":
        value, parts = A[0] + A[1], (1, 1)
    else:
        a, b = A
        value, parts = {
            "+": (a + b, (1, 1)),
            "-": (a - b, (1, -1)),
            "*": (a * b, (b, a)),
            "/": (a / b, (1 / b, -a / b**2)) if b else (None, None),
        }[op]
        if value is None:
            return None
    return _round(value), [_round(Fraction(p)) for p, f in zip(parts, form) if f == "v"]


def same(a: float, b: float, rel: float = 0.0) -> bool:
    """Equal floats (NaN equals NaN, -0.0 equals 0.0), or within 2 ulps (or `rel`) of b."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == b or abs(a - b) <= max(2 * math.ulp(b), rel * abs(b))


def test_same_tells_infinities_and_signs_apart():
    assert same(inf, inf) and same(nan, nan) and same(0.0, -0.0) and same(1.0, 1.0 + 2e-16)
    assert not same(inf, -inf) and not same(1e308, inf) and not same(nan, 1.0)
    assert not same(1.0, 1.0 + 1e-15) and same(1.0, 1.0 + 1e-15, rel=1e-14)


def same_result(got, want, rel: float = 0.0) -> bool:
    (v, gs), (w, hs) = got, want
    return same(v, w, rel) and len(gs) == len(hs) and all(same(g, h, rel) for g, h in zip(gs, hs))


# Against torch, transcendental ops may differ by rounding: tanh's slope 1 - tanh(x)**2
# at 2.5 is 27 ulps from the exact sech(2.5)**2 (sympy), torch's (1 - t)(1 + t) 14.
TORCH_REL = 1e-14

CASES = list(_cases())


# Where torch float64 gives a wrong number, and why; the exact value decides (the
# finite cases are checked against `run_exact` above, the others in the tests below).
TORCH_WRONG: dict[str, str] = {}
for _c in (0.0, -0.0):
    for _x in (1e-300, -1e-300):
        TORCH_WRONG[f"{_c!r} / V({_x!r})"] = (
            "torch's c / x is reciprocal(x) * c with slope -c * (1/x)**2: (1/x)**2 overflows, "
            "0 * inf = nan; exactly -0/x**2 = 0"
        )
for _c in (1e200, -1e200, inf, -inf):
    for _x in (1e200, -1e200):
        TORCH_WRONG[f"{_c!r} / V({_x!r})"] = (
            "(1/x)**2 underflows to 0 in torch: -0.0 (c = ±1e200, exactly ∓1e-200) "
            "or inf * 0 = nan (c = ±inf, where -c/x**2 is ∓inf)"
        )
for _x in (1e-300, -1e-300):
    for _c in (1e-300, -1e-300):
        TORCH_WRONG[f"{_c!r} / V({_x!r})"] = (
            "torch's c / x is c * (1/x): 0.9999999999999999 where c / x is exactly ±1, and "
            "its slope -c * (1/x)**2 overflows: -inf where exactly -c/x**2 = ∓1e300"
        )
_EVEN = "floats beyond 2**53 are even integers, and c - 1 rounds back to c"
for _x, _cs in {
    "-1.0": ("1e+200", "-1e+200", "9007199254740994.0", "V(1e+200)", "V(-1e+200)"),
    "-1e-300": ("-1e+200", "V(-1e+200)"),
    "-1e+200": ("9007199254740994.0", "1e+200", "V(1e+200)"),
    "-inf": ("9007199254740994.0", "1e+200", "V(1e+200)"),
}.items():
    for _c in _cs:
        TORCH_WRONG[f"V({_x}) ** {_c}"] = (
            f"{_EVEN}, so torch's slope c * x**(c-1) takes x**(c-1) as an even power; "
            "c - 1 is odd, so x**(c-1) has the sign of x (x < 0) and the slope the opposite sign"
        )
TORCH_WRONG["sqrt(-0.0)"] = (
    "torch: 1 / (2 * sqrt(-0.0)) = 1 / -0.0 = -inf; -0.0 is 0, where sqrt's one-sided slope is +inf"
)
TORCH_WRONG["V(-0.0) ** 0.5"] = "as sqrt(-0.0): torch -inf, the slope at 0 is +inf"
TORCH_WRONG["V(-0.0) ** V(1e-300)"] = (
    "torch: b * (-0.0)**(b - 1) with b - 1 rounded to -1.0, an odd power of -0.0: -inf; "
    "-0.0 is 0, where x**b for 0 < b < 1 has the one-sided slope +inf"
)


def test_every_op_at_edge_points_matches_torch_and_exact_arithmetic(torch):
    wrong, diverge = [], []
    for name, op, form, args in CASES:
        err = expected_error(op, *args) if op in ("log", "sqrt", "/", "**") else None
        got = run_ours(op, form, args)
        if err is not None:
            if not isinstance(got, err):
                wrong.append(f"{name}: expected {err.__name__}, got {got!r}")
            continue
        if isinstance(got, Exception):
            wrong.append(f"{name}: raised {got!r}")
            continue
        exact = run_exact(op, form, args)
        if exact is not None and not same_result(got, exact):
            wrong.append(f"{name}: {got} but exactly {exact}")
        want = run_torch(torch, op, form, args)
        if not same_result(got, want, TORCH_REL) and name not in TORCH_WRONG:
            diverge.append(f"{name}: {got} but torch {want}")
    assert not wrong, "\n".join(wrong)
    assert not diverge, "\n".join(diverge)


def test_where_torch_is_wrong_the_exact_limit_holds():
    # c / x with c = ±inf: the slope -c/x**2 is ∓inf for any finite x != 0 (torch: nan)
    for c in (inf, -inf):
        for x0 in (1e200, -1e200, 1e-300, 2.5):
            x = Value(x0)
            (c / x).backward()
            assert x.grad == -c
    # a ** b at a = -1, b = ±1e200 (even integers): d/da = b * (-1)**(b-1) = -b (torch: +b)
    for b0 in (1e200, -1e200):
        a, b = Value(-1.0), Value(b0)
        y = a**b
        y.backward()
        assert (y.data, a.grad) == (1.0, -b0)
        assert math.isnan(b.grad)  # d/db (-1)**b needs ln(-1): not real, as torch says


def test_slopes_at_signed_zero_are_the_one_sided_slopes_at_zero():
    # -0.0 is 0: sqrt(x) and x**b (0 < b < 1) have slope +inf there (torch: -inf)
    for f in (Value.sqrt, lambda v: v**0.5, lambda v: v ** Value(1e-300)):
        x = Value(-0.0)
        f(x).backward()
        assert x.grad == inf


def test_slope_of_a_huge_even_power_of_a_negative_number_has_the_sign_of_an_odd_power():
    # d/dx x**c = c * x**(c-1); for a float c > 2**53 (an even integer) c - 1 is odd,
    # so x**(c-1) < 0 for x < 0: the slope's sign is -sign(c) (torch: +sign(c))
    for x0, c, slope in [
        (-1.0, 1e200, -1e200),
        (-1.0, -1e200, 1e200),
        (-1.0, 2.0**53 + 2, -(2.0**53 + 2)),
        (-1e200, 1e200, -inf),
        (-inf, 1e200, -inf),
        (-1e-300, -1e200, inf),
    ]:
        for exponent in (c, Value(c)):
            x = Value(x0)
            (x**exponent).backward()
            assert x.grad == slope, (x0, c)


def test_torch_wrong_lists_only_cases_that_exist():
    names = {name for name, *_ in CASES}
    assert set(TORCH_WRONG) <= names


ERROR_WORDS = {"log": "log()", "sqrt": "sqrt()", "/": "division", "**": "pow()"}


def _state(v: Value):
    return (v.data, v.grad, v._prev, v._op, v._bw, v._ctx, v.label)


def _equal_state(s, t):
    return all(a is b or a == b or (a != a and b != b) for a, b in zip(s, t))


@pytest.mark.parametrize("op", ["log", "sqrt", "/", "**"])
def test_domain_errors_name_the_op_and_value_and_leave_the_graph_unchanged(op):
    cases = [(n, f, a) for n, o, f, a in CASES if o == op and expected_error(op, *a)]
    assert cases  # every documented error is reached by the edge points
    for name, form, args in cases:
        xs = [Value(a) for a in args]
        nodes = [x * 1.0 if f == "v" else a for x, f, a in zip(xs, form, args)]
        before = [_state(v) for v in nodes if isinstance(v, Value)]
        with pytest.raises(expected_error(op, *args)) as info:
            _apply(op, nodes, form, "ours")
        msg = str(info.value)
        assert ERROR_WORDS[op] in msg, (name, msg)
        shown = [repr(a) for a in args]
        if op == "/":
            assert f"{shown[0]} / {shown[1]}" in msg, (name, msg)
        else:
            assert all(s in msg for s in shown), (name, msg)
        after = [_state(v) for v in nodes if isinstance(v, Value)]
        assert all(map(_equal_state, before, after)), name
        for x, v in zip(xs, nodes):
            if isinstance(v, Value):
                v.backward()
                assert x.grad == 1.0  # the graph behind the operand still works


def test_reflected_division_names_the_division_not_pow():
    # `1 / x` was rewritten to x**-1 * 1 and its error said pow(): now it is one rdiv node
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"^division: 2\.0 / 0\.0 \(the divisor is zero\)$"):
        2 / x
    y = 2 / Value(4.0)
    assert (y._op, y._ctx, y.data) == ("rdiv", 2.0, 0.5)
    z = 2 - Value(4.0)
    assert (z._op, z._ctx, z.data, len(z._prev)) == ("rsub", 2.0, -2.0, 1)
    assert (-Value(1.0))._op == "neg"


@pytest.mark.parametrize("c", [3, 0.1, -7.25, 1e-300, 1e200, 2.0**-1074, 1 / 3])
@pytest.mark.parametrize("x0", [0.3, -2.0, 7.0, 1e-310, 1e300, 3.0])
def test_reflected_ops_are_bit_identical_to_python_floats(c, x0):
    x = Value(x0)
    assert (c - x).data == float(c) - x0
    assert (c / x).data == float(c) / x0
    for y, slope in ((c - x, -1.0), (c / x, -(float(c) / x0) / x0)):
        x.grad = 0.0
        y.backward()
        assert x.grad == slope


def test_nan_in_is_nan_out_for_every_op():
    # IEEE 754 (and torch) keep exactly two NaN-free results: x**0 and 1**x are 1
    checked = 0
    for name, op, form, args in CASES:
        if not any(math.isnan(a) for a in args):
            continue
        if op == "**" and (args[1] == 0.0 or args[0] == 1.0):  # IEEE's x**0 = 1**x = 1
            assert run_ours(op, form, args)[0] == 1.0
            continue
        if op in ERROR_WORDS and expected_error(op, *args):  # nan / 0 is still a division by 0
            continue
        got = run_ours(op, form, args)
        assert not isinstance(got, Exception), (name, got)
        assert math.isnan(got[0]), (name, got)
        checked += 1
    assert checked > 100


def test_relu_of_nan_is_nan_and_hinge_and_anomaly_mode_see_it():
    # issue 12 item 3: relu(nan) was 0.0, so hinge of NaN scores reported a perfect 0 loss
    from nn.losses import hinge

    s = Value(nan)
    loss = hinge([s], [1.0])
    assert math.isnan(loss.data)
    with detect_anomaly(), pytest.raises(AnomalyError, match="ReLU"):
        Value(nan).relu()
    x = Value(nan)
    x.relu().backward()
    assert x.grad == 1.0  # torch passes the gradient through at NaN (threshold_backward)


def test_sin_and_cos_of_infinity_are_nan_not_an_error():
    for f in (Value.sin, Value.cos):
        for x0 in (inf, -inf):
            x = Value(x0)
            y = f(x)
            y.backward()
            assert math.isnan(y.data) and math.isnan(x.grad)


FORMS_AT_ORDINARY_POINTS = [
    (op, form, args)
    for op, form, args in (
        *[(name, "v", (0.7,)) for name in UNARY_METHODS],
        ("neg", "v", (0.7,)),
        *[(op, f, (1.3, 0.7)) for op in ("+", "-", "*", "/", "**") for f in ("vv", "vc", "cv")],
        ("linear", "vvv", (1.3, 0.7, 0.5)),
        ("linear", "vcv", (1.3, 0.7, 0.5)),
        ("total", "vv", (1.3, 0.7)),
    )
]


@pytest.mark.parametrize("op, form, args", FORMS_AT_ORDINARY_POINTS, ids=str)
def test_every_closure_scales_by_and_accumulates_the_upstream_gradient(op, form, args):
    """Seed g = 4 gives 4x the slope; the op used twice, with upstream 2.5 and 1.5, adds up."""
    _, unit = run_ours(op, form, args)
    leaves = [Value(x) if f == "v" else x for f, x in zip(form, args)]
    _apply(op, leaves, form, "ours").backward(4.0)
    scaled = [v.grad for v in leaves if isinstance(v, Value)]
    leaves = [Value(x) if f == "v" else x for f, x in zip(form, args)]
    (_apply(op, leaves, form, "ours") * 2.5 + _apply(op, leaves, form, "ours") * 1.5).backward()
    twice = [v.grad for v in leaves if isinstance(v, Value)]
    assert scaled == [4 * u for u in unit]
    assert twice == pytest.approx(scaled, rel=1e-15)
