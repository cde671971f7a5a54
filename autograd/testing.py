"""Hypothesis strategies for property tests of gradients: random inputs and expression graphs.

    from hypothesis import given
    from autograd.testing import expressions
    from autograd import gradcheck

    @given(expressions())
    def test_gradients(ex):
        gradcheck(ex.build, ex.point)

An `Expression` is a small program in single-assignment form: each step applies
one op to earlier steps, so a step can be used more than once (a shared
subexpression). It builds as `Value`s, as plain floats (for finite
differences), as sympy, as PyTorch tensors (for differential tests), or as
text for `autograd.parse`. Ops are drawn only
where they are defined and well-conditioned at the drawn point, unless
`allow_errors=True`.

Requires hypothesis (the `test` extra).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from .engine import Value
from .opspec import BY_NAME, FUNCTION_OPS

__all__ = [
    "values",
    "expressions",
    "Expression",
    "Step",
    "FUNCTIONS",
    "UNARY",
    "BINARY",
    "OPS",
]

FUNCTIONS = tuple(f.name for f in FUNCTION_OPS)  # the op table's functions: x.name()
UNARY = ("neg", *FUNCTIONS, "pow", "rpow")
BINARY = ("+", "-", "*", "/", "**")
CONST = ("+c", "*c", "c-", "c/")
OPS = UNARY + BINARY + CONST
LIMIT = 1e6  # no step's value grows past this, so finite differences stay meaningful
MARGIN = 1e-2  # distance kept from kinks (relu, abs at 0) and domain edges (log, sqrt at 0)


def values(min_value: float = -10.0, max_value: float = 10.0, label: str = "") -> st.SearchStrategy:
    """Leaf `Value`s with finite data in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False).map(
        lambda x: Value(x, label=label)
    )


@dataclass(frozen=True)
class Step:
    """out = op(args...): `args` index earlier steps (inputs first); `c` is a constant operand."""

    op: str
    args: tuple[int, ...]
    c: float | None = None


_FLOAT: dict[str, Callable] = {
    "neg": lambda a: -a,
    **{f.name: f.f for f in FUNCTION_OPS},  # the table's forward formulas
    "pow": lambda a, c: a**c,
    "rpow": lambda a, c: c**a,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "+c": lambda a, c: a + c,
    "*c": lambda a, c: a * c,
    "c-": lambda a, c: c - a,
    "c/": lambda a, c: c / a,
}
_OPERATORS = {k: f for k, f in _FLOAT.items() if k not in FUNCTIONS}  # work on any operand
_VALUE: dict[str, Callable] = {
    **_OPERATORS,
    **{name: operator.methodcaller(name) for name in FUNCTIONS},
}
_TEXT: dict[str, str] = {
    "neg": "(-{0})",
    "pow": "({0} ** {c})",
    "rpow": "({c} ** {0})",
    "+": "({0} + {1})",
    "-": "({0} - {1})",
    "*": "({0} * {1})",
    "/": "({0} / {1})",
    "**": "({0} ** {1})",
    "+c": "({0} + {c})",
    "*c": "({0} * {c})",
    "c-": "({c} - {0})",
    "c/": "({c} / {0})",
    **{name: name + "({0})" for name in FUNCTIONS},
}


def _torch_ops(torch_module: ModuleType) -> dict[str, Callable]:
    fns = {f.name: (lambda x, f=f: f.torch(torch_module, x)) for f in FUNCTION_OPS}
    return {**_OPERATORS, **fns}


@dataclass(frozen=True)
class Expression:
    """A random expression: its inputs' names and values, and its steps."""

    names: tuple[str, ...]
    point: tuple[float, ...]
    steps: tuple[Step, ...]

    def run(self, inputs: Sequence, ops: dict[str, Callable]) -> object:
        """The output, computing every step with `ops` (one callable per op name)."""
        vals = list(inputs)
        for s in self.steps:
            args = [vals[i] for i in s.args]
            vals.append(ops[s.op](*args, s.c) if s.c is not None else ops[s.op](*args))
        return vals[-1]

    def build(self, *inputs: Value | float) -> Value:
        """The output as a `Value` graph over `inputs` (default: fresh leaves at `point`)."""
        leaves = inputs or tuple(Value(x, label=n) for x, n in zip(self.point, self.names))
        out = self.run(leaves, _VALUE)
        return out if isinstance(out, Value) else Value(out)

    def torch(self, torch_module: ModuleType, inputs: Sequence | None = None) -> Any:
        """The output as a PyTorch tensor graph over `inputs` (tensors; default:
        float64 leaves at `point` that require grad). Pass the `torch` module itself,
        so this module does not import it."""
        if inputs is None:
            inputs = [
                torch_module.tensor(x, dtype=torch_module.float64, requires_grad=True)
                for x in self.point
            ]
        return self.run(inputs, _torch_ops(torch_module))

    def f(self, *xs: float) -> float:
        """The same function on plain floats."""
        return float(self.run(xs or self.point, _FLOAT))

    def sympy(self):
        """(expression, symbols) in sympy, for symbolic derivatives.

        relu and abs are written in the form they take near the drawn point
        (the strategy keeps them away from their kinks), so the expression's
        derivatives of every order are theirs there.
        """
        import sympy

        syms = sympy.symbols(self.names, real=True)
        vals, exprs = list(self.point), list(syms)
        for st_ in self.steps:
            args = [exprs[i] for i in st_.args]
            x = vals[st_.args[0]]
            if st_.op in BY_NAME:
                exprs.append(BY_NAME[st_.op].sympy(sympy, args[0], x))
            else:
                c = () if st_.c is None else (st_.c,)
                exprs.append(_OPERATORS[st_.op](*args, *c))
            fargs = [vals[i] for i in st_.args]
            vals.append(_FLOAT[st_.op](*fargs, *([] if st_.c is None else [st_.c])))
        return exprs[-1], syms

    @property
    def text(self) -> str:
        """Source text that `autograd.parse` accepts (shared steps are written out again)."""
        texts = list(self.names)
        for s in self.steps:
            c = None if s.c is None else repr(s.c)
            texts.append(_TEXT[s.op].format(*[texts[i] for i in s.args], c=c))
        return texts[-1]

    @property
    def env(self) -> dict[str, float]:
        return dict(zip(self.names, self.point))

    def __repr__(self) -> str:
        return f"Expression({self.text!r} at {self.env})"


def _fits(op: str, args: Sequence[float], c: float | None) -> bool:
    """Whether `op` is defined, finite and away from kinks at these arguments."""
    a = args[0]
    b = args[1] if len(args) > 1 else c
    fn = BY_NAME.get(op)
    if fn is not None and fn.lower is not None and a < fn.lower + MARGIN:
        return False
    if fn is not None and any(abs(a - k) < MARGIN for k in fn.kinks):
        return False
    if op == "exp" and a > 8:
        return False
    if op in ("sin", "cos") and abs(a) > 10:  # fast oscillation defeats finite differences
        return False
    if op in ("/", "c/") and abs(args[-1] if op == "/" else a) < 0.1:
        return False
    if op == "**" and not (0.1 < a < 20 and abs(b) < 4):
        return False
    if op == "pow" and a < MARGIN and not float(c).is_integer():
        return False
    if op == "pow" and abs(a) < 0.1 and c < 0:
        return False
    if op == "rpow" and abs(a) > 20:
        return False
    try:
        y = _FLOAT[op](*args, c) if c is not None else _FLOAT[op](*args)
    except (ArithmeticError, ValueError):
        return False
    return isinstance(y, float) and math.isfinite(y) and abs(y) <= LIMIT


def expressions(
    max_depth: int = 6,
    ops: Sequence[str] = OPS,
    n_inputs: int | tuple[int, int] = (1, 3),
    min_value: float = -3.0,
    max_value: float = 3.0,
    allow_errors: bool = False,
) -> st.SearchStrategy[Expression]:
    """Random `Expression`s of up to `max_depth` steps over `ops`, on 1 to 3 inputs.

    Operands are drawn from all earlier steps, so subexpressions are shared.
    With `allow_errors=True` an op may be drawn outside its domain, and
    `build()` then raises the engine's error.
    """
    unknown = set(ops) - set(OPS)
    if unknown:
        raise ValueError(f"expressions(): unknown ops {sorted(unknown)}; known: {', '.join(OPS)}")
    if max_depth < 1:
        raise ValueError(f"expressions(): max_depth must be at least 1, not {max_depth}")
    return _expressions(max_depth, tuple(ops), n_inputs, min_value, max_value, allow_errors)


@st.composite
def _expressions(draw, max_depth, ops, n_inputs, min_value, max_value, allow_errors) -> Expression:
    lo, hi = (n_inputs, n_inputs) if isinstance(n_inputs, int) else n_inputs
    n = draw(st.integers(lo, hi))
    names = tuple("xyzuvw"[i] if i < 6 else f"x{i}" for i in range(n))
    point = tuple(
        draw(
            st.floats(min_value, max_value, allow_nan=False, allow_infinity=False).map(
                lambda x: round(x, 6)
            )
        )
        for _ in range(n)
    )
    vals = [float(x) for x in point]
    steps: list[Step] = []
    constants = st.sampled_from([-2.0, -1.5, -1.0, -0.5, 0.5, 1.5, 2.0, 3.0])
    powers = st.sampled_from([2, 3, -1, -2, 0.5, 1.5])
    for _ in range(draw(st.integers(1, max_depth))):
        # lean on the newest step, so depth grows, but let any earlier one be reused
        pick = st.integers(0, len(vals) - 1) | st.just(len(vals) - 1)
        op = draw(st.sampled_from(list(ops)))
        args = (draw(pick), draw(pick)) if op in BINARY else (draw(pick),)
        c = (
            draw(powers if op == "pow" else constants.map(abs) if op == "rpow" else constants)
            if (op in CONST or op in ("pow", "rpow"))
            else None
        )
        if not allow_errors and not _fits(op, [vals[i] for i in args], c):
            continue
        try:
            y = _FLOAT[op](*[vals[i] for i in args], *([c] if c is not None else []))
        except (ArithmeticError, ValueError):
            y = math.nan
        steps.append(Step(op, args, c))
        vals.append(float(y) if isinstance(y, float) else math.nan)
    if not steps:  # every drawn op was out of its domain: fall back to a product of inputs
        steps.append(Step("*", (0, n - 1)))
    return Expression(names, point, tuple(steps))
