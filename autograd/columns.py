"""The op table's helpers over numpy columns, for `vmap`: one sample per element.

Each helper computes with numpy where every input is an ordinary finite number in
the op's domain, and otherwise runs the scalar helper element by element, so the
edge cases (domain errors, pow's special cases, inf and nan) are the engine's.
Numbers agree with the scalar helpers to rounding (numpy's exp, log, tanh, ... are
not bit for bit Python's `math`).
"""

from __future__ import annotations

import ast
import functools
import re

import numpy as np

from .domain import pow_data, pow_slope
from .opspec import FUNCTIONS

__all__ = ["COLUMN_FUNCTIONS", "vectorize"]


def _each(fn, *args):
    """`fn` of Python floats, element by element (its errors included), as float64."""
    return np.asarray(np.frompyfunc(fn, len(args), 1)(*args), dtype=np.float64)[()]


def _exact(name: str, *args):
    return _each(FUNCTIONS[name], *args)


def _finite(*args) -> bool:
    return all(np.isfinite(a).all() for a in args)


def _guarded(name: str, fast, ok=None):
    def helper(*args):
        if _finite(*args) and (ok is None or ok(*args)):
            with np.errstate(all="ignore"):
                out = fast(*args)
            if _finite(out):
                return out
        return _exact(name, *args)

    helper.__name__ = name
    return helper


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _pow_data(a, c):
    if np.ndim(c) == 0 and float(c) == 2.0 and _finite(a):
        return a * a
    if _finite(a, c) and (np.asarray(a) > 0).all():
        with np.errstate(all="ignore"):
            out = np.power(a, c)
        if _finite(out):
            return out
    return _each(pow_data, a, c)


def _pow_slope(a, c):
    if np.ndim(c) == 0 and float(c) == 2.0 and _finite(a):
        return 2.0 * a
    return _each(pow_slope, a, c)


COLUMN_FUNCTIONS = {
    # every helper of the op table, element by element (so an op added to the table works
    # over columns with no entry here), then numpy's fast forms where they exist
    **{n: functools.partial(_exact, n) if callable(f) else f for n, f in FUNCTIONS.items()},
    "log1p": _guarded("log1p", np.log1p, lambda a: (np.asarray(a) > -1.0).all()),
    "exp": _guarded("exp", np.exp),
    "log": _guarded("log", np.log, lambda a: (np.asarray(a) > 0).all()),
    "sqrt": _guarded("sqrt", np.sqrt, lambda a: (np.asarray(a) >= 0).all()),
    "sigmoid": _guarded("sigmoid", _sigmoid),
    "div": _guarded("div", np.divide, lambda a, b: (np.asarray(b) != 0).all()),
    "tanh": _guarded("tanh", np.tanh),
    "sin": _guarded("sin", np.sin),
    "cos": _guarded("cos", np.cos),
    "fabs": np.abs,
    "pow_data": _pow_data,
    "pow_slope": _pow_slope,
    "log_base": _guarded("log_base", np.log, lambda a: (np.asarray(a) > 0).all()),
    "where": np.where,
    "logical_not": np.logical_not,
}


class _Columns(ast.NodeTransformer):
    """`x if c else y` -> `where(c, x, y)`, `not c` -> `logical_not(c)`."""

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        return ast.Call(ast.Name("where", ast.Load()), [node.test, node.body, node.orelse], [])

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.Call(ast.Name("logical_not", ast.Load()), [node.operand], [])
        return node


_FIELD = re.compile(r"\{([0-9]+)\}")


@functools.cache
def vectorize(rhs: str) -> str:
    """A line's right-hand side (a format string with fields {k}) that works on columns."""
    if " if " not in rhs and "not " not in rhs:
        return rhs
    code = _FIELD.sub(r"_f\1_", rhs)
    tree = _Columns().visit(ast.parse(code, mode="eval"))
    return re.sub(r"_f([0-9]+)_", r"{\1}", ast.unparse(ast.fix_missing_locations(tree)))
