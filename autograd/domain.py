"""The real-number rules the engine's ops share: what counts as a number, and where
a power, logarithm, sine or cosine is defined. Errors name the op and the offending value."""

from __future__ import annotations

import math
from numbers import Real

__all__ = [
    "as_float",
    "constant",
    "is_number",
    "pow_data",
    "pow_slope",
    "log_base",
    "sin",
    "cos",
    "sigmoid",
]


def as_float(x: object, op: str = "Value()") -> float:
    """`x` as a Python float, or TypeError naming the op and the type."""
    c = constant(x, op)
    if c is None:
        raise TypeError(f"{op} needs a real number, got {type(x).__name__}: {x!r}")
    return c


def constant(x: object, op: str) -> float | None:
    """A plain real number (int, bool, Fraction, numpy scalar, ...) as a Python float,
    so data and gradients stay Python floats; None for anything else (a `Value`, a str).

    `decimal.Decimal` is not a `numbers.Real` (Python refuses float + Decimal), so
    it is refused too. An int too large for a float is an OverflowError naming the op.
    """
    if type(x) is float:
        return x
    if type(x) is int or isinstance(x, Real):
        try:
            return float(x)
        except OverflowError:
            digits = len(str(abs(int(x)))) if isinstance(x, int) else None
            what = f"an integer of {digits} digits" if digits else repr(x)
            raise OverflowError(f"{op}: {what} is too large for a float") from None
    return None


def is_number(x: object) -> bool:
    """A plain real number (not a Value): the exact-type checks first, as they are fastest."""
    return type(x) is float or type(x) is int or isinstance(x, Real)


def pow_data(base: float, exponent: float) -> float:
    """base ** exponent for reals, with the domain errors named.

    An infinite or NaN exponent follows IEEE 754 (as PyTorch does): a float that
    large counts as an even integer, so `(-2.0) ** inf` is inf, and NaN stays NaN
    except `1.0 ** nan`, which is 1.0.
    """
    if base == 0.0 and exponent < 0:
        raise ZeroDivisionError(f"pow(): {base!r} ** {exponent!r} is undefined (division by zero)")
    if base < 0.0 and math.isfinite(exponent) and not float(exponent).is_integer():
        raise ValueError(
            f"pow(): {base!r} ** {exponent!r} is undefined for real numbers "
            "(negative base, non-integer exponent)"
        )
    try:
        return base**exponent
    except OverflowError:  # an odd integer power keeps the base's sign
        return math.copysign(math.inf, base) if float(exponent) % 2 == 1 else math.inf


def pow_slope(base: float, exponent: float) -> float:
    """d/dx x**c at x = base: c * base**(c-1), 0 for c = 0, +inf at 0 for 0 < c < 1."""
    if exponent == 0:
        return 0.0
    if base == 0.0 and exponent < 1:
        return math.inf
    if base < 0.0 and 2.0**53 < abs(exponent) < math.inf:
        # a float this large is even and c - 1 rounds back to c, so the power below
        # comes out even; c - 1 is odd, and base**(c-1) has the opposite sign
        return -(exponent * pow_data(base, exponent - 1))
    return exponent * pow_data(base, exponent - 1)


def log_base(base: float) -> float:
    """ln(base) as it enters d/db base**b: its limit 0 at base 0, NaN for base < 0."""
    return math.log(base) if base > 0 else (0.0 if base == 0 else math.nan)


def sin(x: float) -> float:
    """math.sin, but NaN at ±inf (IEEE 754 and PyTorch) instead of a ValueError."""
    return math.sin(x) if math.isfinite(x) else math.nan


def cos(x: float) -> float:
    """math.cos, but NaN at ±inf (IEEE 754 and PyTorch) instead of a ValueError."""
    return math.cos(x) if math.isfinite(x) else math.nan


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), never exponentiating a large positive number."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
