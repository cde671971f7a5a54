"""The real-number rules the engine's ops share: what counts as a number, and where
a power or logarithm is defined. Errors name the op and the offending value."""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["as_float", "is_number", "pow_data", "pow_slope", "log_base"]


def as_float(x: object, op: str = "Value()") -> float:
    """`x` as a float, or TypeError naming the op and the type."""
    if isinstance(x, (int, float, Real)):
        return float(x)
    raise TypeError(f"{op} needs a real number, got {type(x).__name__}: {x!r}")


def is_number(x: object) -> bool:
    """A plain real number (not a Value): the exact-type checks first, as they are fastest."""
    return type(x) is float or type(x) is int or isinstance(x, Real)


def pow_data(base: float, exponent: float) -> float:
    """base ** exponent for reals, with the domain errors named."""
    if base == 0.0 and exponent < 0:
        raise ZeroDivisionError(f"pow(): 0.0 ** {exponent!r} is undefined (division by zero)")
    if base < 0.0 and not float(exponent).is_integer():
        raise ValueError(
            f"pow(): {base!r} ** {exponent!r} is undefined for real numbers "
            "(negative base, non-integer exponent)"
        )
    try:
        return base**exponent
    except OverflowError:
        return math.inf if base > 0 or float(exponent) % 2 == 0 else -math.inf


def pow_slope(base: float, exponent: float) -> float:
    """d/dx x**c at x = base: c * base**(c-1), 0 for c = 0, +inf at 0 for 0 < c < 1."""
    if exponent == 0:
        return 0.0
    if base == 0.0 and exponent < 1:
        return math.inf
    return exponent * pow_data(base, exponent - 1)


def log_base(base: float) -> float:
    """ln(base) as it enters d/db base**b: its limit 0 at base 0, NaN for base < 0."""
    return math.log(base) if base > 0 else (0.0 if base == 0 else math.nan)
