"""The op table's helpers over numpy columns, for `vmap`: one sample per element.

Each helper computes with numpy where every input is an ordinary finite number in
the op's domain, and otherwise runs the scalar helper element by element, so the
edge cases (domain errors, pow's special cases, inf and nan) are the engine's.
Every helper gives the scalar helper's floats bit for bit (a test holds each to it):
numpy's tanh is not libm's, so tanh runs element by element.
"""

from __future__ import annotations

import ast
import functools
import math
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


# points spread over the number line (each helper's domain is taken from them)
_PROBE = np.concatenate(
    [
        np.linspace(-40.0, 40.0, 1601),
        np.geomspace(1e-300, 1e300, 1201),
        -np.geomspace(1e-300, 1e300, 1201),
    ]
)


def _agrees(name: str, fast, ok) -> bool:
    """Whether a numpy form gives the scalar helper's floats on this machine, on the probe
    points in its domain (numpy's exp, log, sin, ... are libm's on some CPUs, not others)."""
    xs, want = [], []
    for x in _PROBE.tolist():
        try:
            y = FUNCTIONS[name](x)
        except (ArithmeticError, ValueError):
            continue
        if math.isfinite(y) and (ok is None or ok(x)):
            xs.append(x)
            want.append(y)
    with np.errstate(all="ignore"):
        return fast(np.array(xs)).tolist() == want


def _guarded(name: str, fast, ok=None, exact: bool = False):
    """`fast` where it is safe (`ok`); `exact`: IEEE arithmetic, the same floats everywhere."""
    if not exact and not _agrees(name, fast, ok):
        return functools.partial(_exact, name)

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
    # numpy's power takes shortcuts (a * a, sqrt, 1 / a) for a scalar exponent of 2, 0.5,
    # -1, ..., which are not libm's pow bit for bit: the exponent goes in as a full array
    integer = np.ndim(c) == 0 and float(c).is_integer()
    if _finite(a, c) and (integer or (np.asarray(a) > 0).all()):
        c = np.full(np.shape(a), c) if np.ndim(c) == 0 else c
        with np.errstate(all="ignore"):
            out = np.power(a, c)
        if _finite(out):
            return out
    return _each(pow_data, a, c)


def _pow_slope(a, c):
    if np.ndim(c) == 0 and float(c) == 2.0 and _finite(a):
        return 2.0 * a
    return _each(pow_slope, a, c)


def layer_rows(*cols):
    """Columns (or numbers, the same for every sample) as the rows of one 2-D array."""
    try:
        out = np.array(cols, dtype=np.float64)
    except ValueError:  # columns beside numbers: each number repeated
        out = np.array(np.broadcast_arrays(*cols), dtype=np.float64)
    return out if out.ndim == 2 else out.reshape(len(cols), -1)


def layer_matrix(k, *values):
    """Numbers as a matrix of `k` columns, row by row."""
    return np.array(values, dtype=np.float64).reshape(-1, k)


def layer_forward(W, B, X):
    """`B + W @ X` (B: one bias per row, or None), each entry to rounding, and exactly the
    engine's sum (b + w1*x1 + w2*x2 + ..., left to right) wherever its sign could differ:
    so a kink after the layer (relu, abs) sees the sign the engine sees."""
    Y = W @ X
    size = np.abs(W) @ np.abs(X)  # the terms' magnitude: both sums are within
    if B is not None:  # 2 (k + 2) u of it (Higham's bound, doubled for its own rounding)
        B = B.reshape(-1, 1)
        Y += B
        size += np.abs(B)
    near = ~(np.abs(Y) > 4.0 * (W.shape[1] + 2) * 2.0**-53 * size + 1e-300)  # nan, inf too
    if near.any():
        j, s = np.nonzero(near)
        acc = np.zeros(len(j)) if B is None else B[j, 0]
        for i in range(W.shape[1]):
            acc = acc + W[j, i] * X[i, s]
        Y[j, s] = acc
    return Y


def layer_summed(G, X):
    """[G @ X.T | G summed along rows]: the weights' and biases' gradients, summed over samples."""
    G = np.broadcast_to(G, (G.shape[0], X.shape[1]))
    return np.concatenate([G @ X.T, G.sum(axis=1, keepdims=True)], axis=1)


COLUMN_FUNCTIONS = {
    # every helper of the op table, element by element (so an op added to the table works
    # over columns with no entry here), then numpy's fast forms where they exist
    **{n: functools.partial(_exact, n) if callable(f) else f for n, f in FUNCTIONS.items()},
    "log1p": _guarded("log1p", np.log1p, lambda a: (np.asarray(a) > -1.0).all()),
    "exp": _guarded("exp", np.exp),
    "log": _guarded("log", np.log, lambda a: (np.asarray(a) > 0).all()),
    "sqrt": _guarded("sqrt", np.sqrt, lambda a: (np.asarray(a) >= 0).all(), exact=True),
    "sigmoid": _guarded("sigmoid", _sigmoid),
    "div": _guarded("div", np.divide, lambda a, b: (np.asarray(b) != 0).all(), exact=True),
    "sin": _guarded("sin", np.sin),
    "cos": _guarded("cos", np.cos),
    "fabs": np.abs,
    "pow_data": _pow_data,
    "pow_slope": _pow_slope,
    "log_base": _guarded("log_base", np.log, lambda a: (np.asarray(a) > 0).all()),
    "where": np.where,
    "logical_not": np.logical_not,
    # dense layers (autograd.fused)
    "layer_rows": layer_rows,
    "layer_matrix": layer_matrix,
    "layer_forward": layer_forward,
    "layer_summed": layer_summed,
}


class _Columns(ast.NodeTransformer):
    """`x if c else y` -> `where(c, x, y)` (`x if not c else y` -> `where(c, y, x)`),
    `not c` -> `logical_not(c)`."""

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)  # `not c` is `logical_not(c)` now
        test, body, orelse = node.test, node.body, node.orelse
        if isinstance(test, ast.Call) and getattr(test.func, "id", "") == "logical_not":
            test, body, orelse = test.args[0], orelse, body
        return ast.Call(ast.Name("where", ast.Load()), [test, body, orelse], [])

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
