"""autograd/domain.py at the edges of pow and log: each test kills mutants that survived
`scripts/mutate.py` (see README, "Development").

Expected values: exact real-number math (IEEE: a finite result beyond the float range
is ±inf with the sign of the real result) and PyTorch float64, whose pow backward
gives 0 for d/db 0**b with b >= 0 (it masks 0 * log 0) and NaN for d/db of a
negative base.
"""

import math

import pytest

from autograd import Value
from autograd.domain import log_base, pow_data, pow_slope


@pytest.mark.parametrize(
    "base, exponent, exact",
    [
        (1e200, 2, math.inf),
        (-1e200, 2, math.inf),
        (-1e200, 4.0, math.inf),
        (-1e200, 3, -math.inf),
        (-10.0, 309, -math.inf),
        (-10.0, 310, math.inf),
        (1e200, 3.0, math.inf),
        (0.5, -2000, math.inf),
        (0.5, -2001, math.inf),  # (1/2)**-2001 = 2**2001 > 0
        (-0.5, -2001, -math.inf),
        (-0.5, -2000, math.inf),
        (2.0, 2000.0, math.inf),
    ],
)
def test_pow_beyond_the_float_range_is_a_signed_infinity(base, exponent, exact, torch):
    assert pow_data(base, exponent) == exact
    assert (Value(base) ** exponent).data == exact
    assert (Value(base) ** Value(float(exponent))).data == exact
    assert (base ** Value(float(exponent))).data == exact
    t = torch.tensor(base) ** torch.tensor(float(exponent))
    assert t.item() == exact


def test_zero_to_the_zero_is_one(torch):
    # Python, PyTorch and the IEEE pow function: 0**0 = 1
    assert pow_data(0.0, 0) == pow_data(0.0, 0.0) == 1.0
    assert (Value(0.0) ** 0).data == 1.0
    assert (Value(0.0) ** Value(0.0)).data == 1.0
    assert torch.pow(torch.tensor(0.0), 0.0).item() == 1.0
    with pytest.raises(ZeroDivisionError, match="pow"):
        pow_data(0.0, -1)


@pytest.mark.parametrize(
    "base, exponent, slope",
    [
        (0.0, 0, 0.0),  # d/dx x**0 = 0 everywhere (PyTorch: 0 at 0)
        (2.0, 0, 0.0),
        (-3.0, 0.0, 0.0),
        (0.0, 1, 1.0),  # d/dx x = 1, also at 0
        (0.0, 1.0, 1.0),
        (0.0, 1.5, 0.0),  # 1.5 * 0**0.5
        (0.0, 2, 0.0),
        (0.0, 0.5, math.inf),  # x**0.5 is vertical at 0
        (0.0, 0.25, math.inf),
        (3.0, 2, 6.0),
        (-2.0, 3, 12.0),
        (4.0, 0.5, 0.25),
    ],
)
def test_pow_slope_at_ordinary_and_edge_points(base, exponent, slope, torch):
    assert pow_slope(base, exponent) == slope
    x = Value(base)
    (x**exponent).backward()
    assert x.grad == slope
    t = torch.tensor(base, requires_grad=True)
    (t ** float(exponent)).backward()
    assert t.grad.item() == slope


@pytest.mark.parametrize(
    "base, exponent, d_exponent",
    [
        (0.0, 2.0, 0.0),  # 0**b * log 0, taken as its limit 0 (PyTorch masks it to 0)
        (0.0, 0.0, 0.0),
        (0.0, 0.5, 0.0),
        (-2.0, 2.0, math.nan),  # log of a negative base: no real derivative
        (-2.0, 3.0, math.nan),
        (1.0, 3.0, 0.0),
        (2.0, 3.0, 8.0 * math.log(2.0)),
        (0.5, 2.0, 0.25 * math.log(0.5)),
    ],
)
def test_exponent_slope_uses_log_of_the_base(base, exponent, d_exponent, torch):
    same = (lambda a: math.isnan(a)) if math.isnan(d_exponent) else (lambda a: a == d_exponent)
    b = Value(exponent)
    (Value(base) ** b).backward()
    assert same(b.grad)
    b = Value(exponent)
    (base**b).backward()  # rpow: a constant base
    assert same(b.grad)
    tb = torch.tensor(exponent, requires_grad=True)
    (torch.tensor(base) ** tb).backward()
    assert same(tb.grad.item())


def test_log_base():
    assert log_base(0.0) == 0.0
    assert log_base(1.0) == 0.0
    assert log_base(math.e) == 1.0
    assert math.isnan(log_base(-1.0)) and math.isnan(log_base(-0.5))


def test_as_float_and_is_number():
    from fractions import Fraction

    from autograd.domain import as_float, is_number

    assert as_float(3) == 3.0 and type(as_float(3)) is float
    assert as_float(Fraction(1, 4)) == 0.25 and type(as_float(Fraction(1, 4))) is float
    with pytest.raises(TypeError, match=r"myop\(\) needs a real number, got str"):
        as_float("1.0", "myop()")
    assert all(is_number(x) for x in (1.5, 2, Fraction(1, 3), True))
    assert not any(is_number(x) for x in ("1", None, Value(1.0), 1j, [1.0]))


def test_one_to_a_negative_power_is_one():
    # exact math: 1**-n = 1; only a zero base is refused for negative powers
    assert pow_data(1.0, -1) == 1.0
    assert (Value(1.0) ** -3).data == 1.0
    with pytest.raises(ZeroDivisionError, match=r"pow\(\): 0.0 \*\* -1"):
        pow_data(0.0, -1)
