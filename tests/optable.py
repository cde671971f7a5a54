"""Every engine op with its float64 closed-form value and derivative, written by hand.

Shared by the engine's tests and the higher-order tests. Each entry names a
domain that keeps the op away from kinks and poles, so finite differences are
meaningful there.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class UnaryOp:
    name: str
    apply: Callable  # Value -> Value (also used with floats where it makes sense)
    f: Callable[[float], float]  # closed-form value
    df: Callable[[float], float]  # closed-form derivative, derived by hand
    lo: float
    hi: float
    avoid: float | None = None  # a kink or pole to stay away from
    points: tuple = ()


def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


UNARY = [
    UnaryOp("neg", lambda v: -v, lambda x: -x, lambda x: -1.0, -50, 50, points=(-3.0, 0.0, 2.5)),
    UnaryOp("exp", lambda v: v.exp(), math.exp, math.exp, -20, 20, points=(-1.0, 0.0, 2.0)),
    UnaryOp(
        "log", lambda v: v.log(), math.log, lambda x: 1 / x, 1e-2, 1e3, points=(0.5, 1.0, 10.0)
    ),
    UnaryOp(
        "tanh",
        lambda v: v.tanh(),
        math.tanh,
        lambda x: 1 - math.tanh(x) ** 2,
        -8,
        8,
        points=(-1.0, 0.0, 0.8813735870195432),
    ),
    UnaryOp(
        "sigmoid",
        lambda v: v.sigmoid(),
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
        -30,
        30,
        points=(-2.0, 0.0, 3.0),
    ),
    UnaryOp(
        "relu",
        lambda v: v.relu(),
        lambda x: max(x, 0.0),
        lambda x: float(x > 0),
        -50,
        50,
        0.0,
        points=(-2.0, 3.0),
    ),
    UnaryOp("sin", lambda v: v.sin(), math.sin, math.cos, -10, 10, points=(0.0, 1.0, -2.0)),
    UnaryOp("cos", lambda v: v.cos(), math.cos, lambda x: -math.sin(x), -10, 10, points=(0.0, 1.0)),
    UnaryOp(
        "sqrt",
        lambda v: v.sqrt(),
        math.sqrt,
        lambda x: 0.5 / math.sqrt(x),
        1e-2,
        1e3,
        points=(0.25, 4.0),
    ),
    UnaryOp(
        "abs",
        lambda v: v.abs(),
        abs,
        lambda x: math.copysign(1.0, x),
        -50,
        50,
        0.0,
        points=(-3.0, 2.0),
    ),
    UnaryOp(
        "square", lambda v: v**2, lambda x: x * x, lambda x: 2 * x, -30, 30, points=(-3.0, 0.5)
    ),
    UnaryOp(
        "cube", lambda v: v**3, lambda x: x**3, lambda x: 3 * x * x, -10, 10, points=(-2.0, 2.0)
    ),
    UnaryOp(
        "pow0.5", lambda v: v**0.5, math.sqrt, lambda x: 0.5 * x**-0.5, 1e-2, 1e3, points=(4.0,)
    ),
    UnaryOp(
        "reciprocal",
        lambda v: v**-1,
        lambda x: 1 / x,
        lambda x: -1 / x**2,
        -10,
        10,
        0.0,
        points=(-2.0, 0.5),
    ),
    UnaryOp(
        "pow-2.5",
        lambda v: v**-2.5,
        lambda x: x**-2.5,
        lambda x: -2.5 * x**-3.5,
        0.1,
        10,
        points=(1.0, 2.0),
    ),
    UnaryOp(
        "2**x",
        lambda v: 2**v,
        lambda x: 2.0**x,
        lambda x: 2.0**x * math.log(2),
        -20,
        20,
        points=(0.0, 3.0),
    ),
    UnaryOp("x+3", lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, -50, 50, points=(1.0,)),
    UnaryOp("3+x", lambda v: 3 + v, lambda x: 3 + x, lambda x: 1.0, -50, 50, points=(1.0,)),
    UnaryOp("x-3", lambda v: v - 3, lambda x: x - 3, lambda x: 1.0, -50, 50, points=(1.0,)),
    UnaryOp("3-x", lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, -50, 50, points=(1.0,)),
    UnaryOp("x*3", lambda v: v * 3, lambda x: 3 * x, lambda x: 3.0, -50, 50, points=(1.0,)),
    UnaryOp("3*x", lambda v: 3 * v, lambda x: 3 * x, lambda x: 3.0, -50, 50, points=(1.0,)),
    UnaryOp("x/4", lambda v: v / 4, lambda x: x / 4, lambda x: 0.25, -50, 50, points=(1.0,)),
    UnaryOp(
        "4/x", lambda v: 4 / v, lambda x: 4 / x, lambda x: -4 / x**2, -10, 10, 0.0, points=(2.0,)
    ),
]


@dataclass(frozen=True)
class BinaryOp:
    name: str
    apply: Callable
    f: Callable[[float, float], float]
    grad: Callable[[float, float], tuple[float, float]]
    a_range: tuple[float, float]
    b_range: tuple[float, float]


BINARY = [
    BinaryOp(
        "a+b", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0), (-50, 50), (-50, 50)
    ),
    BinaryOp(
        "a-b",
        lambda a, b: a - b,
        lambda a, b: a - b,
        lambda a, b: (1.0, -1.0),
        (-50, 50),
        (-50, 50),
    ),
    BinaryOp(
        "a*b", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a), (-50, 50), (-50, 50)
    ),
    BinaryOp(
        "a/b",
        lambda a, b: a / b,
        lambda a, b: a / b,
        lambda a, b: (1 / b, -a / b**2),
        (-50, 50),
        (0.1, 50),
    ),
    BinaryOp(
        "a**b",
        lambda a, b: a**b,
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
        (0.1, 5),
        (-3, 3),
    ),
]
