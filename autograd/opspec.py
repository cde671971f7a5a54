"""One table of the engine's ops, as formulas, for the layers that write code or explain it.

Each entry says, for one op in one form (two `Value` parents, or one parent and a
constant), how its value is computed and what each parent's gradient receives,
as small expressions in these names:

    a, b   the parents' data (b only for two-parent forms)
    c      the op's constant operand (`node._ctx`), for one-parent forms that have one
    out    the op's result, g the gradient arriving at it

and the functions of `FUNCTIONS`. The expressions use Python syntax (a subset:
arithmetic, comparisons, `x if cond else y`, calls), and are written so that
evaluating them in Python gives *bit for bit* what the engine's closures give,
edge cases included (tests/test_opspec.py checks this at edge points). Code
generation (`autograd.codegen`) emits them as Python; the explorer translates them
to JavaScript with `to_js`. `linear` and `sum` take any number of parents and are
described by per-parent templates.

The table is ours: nothing here ever comes from user text.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from .domain import cos, log_base, pow_data, pow_slope, sigmoid, sin

__all__ = [
    "OpSpec",
    "SPECS",
    "FUNCTIONS",
    "Function",
    "FUNCTION_OPS",
    "BY_NAME",
    "spec_for",
    "evaluate",
    "to_js",
]


@dataclass(frozen=True)
class OpSpec:
    """One op in one form: its forward formula and each parent's gradient contribution."""

    op: str  # the engine's op name (node._op)
    form: str  # "vv" two Values, "v" one Value, "vc" a Value and a constant, "n" variadic
    forward: str  # the result, in a, b, c
    grads: tuple[str, ...]  # added to each parent's grad, in a, b, c, out, g
    math: str  # the op as a reader writes it, in a, b, c
    dmath: tuple[str, ...]  # each local derivative d out / d parent, as a reader writes it


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if not x > 0.0 and not math.isnan(x):
        raise ValueError(f"log() of {x!r} is undefined (log needs a positive number)")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt() of {x!r} is undefined (sqrt needs a number >= 0)")
    return math.sqrt(x)


def _log1p(x: float) -> float:
    if not x > -1.0 and not math.isnan(x):
        raise ValueError(f"log1p() of {x!r} is undefined (log1p needs a number > -1)")
    return math.log1p(x)


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division: {a!r} / {b!r} (the divisor is zero)")
    return a / b


FUNCTIONS = {
    "exp": _exp,
    "log": _log,
    "log1p": _log1p,
    "sqrt": _sqrt,
    "sigmoid": sigmoid,
    "div": _div,
    "tanh": math.tanh,
    "sin": sin,
    "cos": cos,
    "fabs": abs,
    "pow_data": pow_data,
    "pow_slope": pow_slope,
    "log_base": log_base,
    "inf": math.inf,
    "nan": math.nan,
}


def _s(op, form, forward, grads, math_, dmath) -> OpSpec:
    return OpSpec(op, form, forward, tuple(grads), math_, tuple(dmath))


_TABLE = [
    _s("+", "vv", "a + b", ["g", "g"], "a + b", ["1", "1"]),
    _s("+", "vc", "a + c", ["g"], "a + c", ["1"]),
    _s("-", "vv", "a - b", ["g", "-g"], "a − b", ["1", "−1"]),
    _s("-", "vc", "a - c", ["g"], "a − c", ["1"]),
    _s("rsub", "vc", "c - a", ["-g"], "c − a", ["−1"]),
    _s("*", "vv", "a * b", ["b * g", "a * g"], "a × b", ["b", "a"]),
    _s("*", "vc", "a * c", ["c * g"], "a × c", ["c"]),
    _s("/", "vv", "div(a, b)", ["g / b", "-(g * out / b)"], "a / b", ["1 / b", "−a / b²"]),
    _s("/", "vc", "div(a, c)", ["g / c"], "a / c", ["1 / c"]),
    _s("rdiv", "vc", "div(c, a)", ["-(g * out / a)"], "c / a", ["−c / a²"]),
    _s("neg", "v", "-a", ["-g"], "−a", ["−1"]),
    _s(
        "**",
        "vv",
        "pow_data(a, b)",
        ["pow_slope(a, b) * g", "out * log_base(a) * g"],
        "a ** b",
        ["b · a^(b−1)", "a^b · ln a"],
    ),  # fmt: skip
    _s("**", "vc", "pow_data(a, c)", ["pow_slope(a, c) * g"], "a ** c", ["c · a^(c−1)"]),
    _s("rpow", "vc", "pow_data(c, a)", ["out * log_base(c) * g"], "c ** a", ["c^a · ln c"]),
    _s("exp", "v", "exp(a)", ["out * g"], "exp(a)", ["exp(a)"]),
    _s("log", "v", "log(a)", ["g / a"], "log(a)", ["1 / a"]),
    _s("tanh", "v", "tanh(a)", ["(1.0 - out * out) * g"], "tanh(a)", ["1 − tanh(a)²"]),
    _s("sigmoid", "v", "sigmoid(a)", ["out * (1.0 - out) * g"], "σ(a)", ["σ(a)(1 − σ(a))"]),
    _s(
        "ReLU",
        "v",
        "a if not a <= 0.0 else 0.0",
        ["g if not a <= 0.0 else 0.0"],
        "relu(a)",
        ["1 if a > 0 else 0"],
    ),  # fmt: skip
    _s("sin", "v", "sin(a)", ["cos(a) * g"], "sin(a)", ["cos(a)"]),
    _s("cos", "v", "cos(a)", ["-(sin(a) * g)"], "cos(a)", ["−sin(a)"]),
    _s(
        "sqrt", "v", "sqrt(a)", ["(0.5 / out if out != 0.0 else inf) * g"], "√a", ["1 / (2√a)"]
    ),  # fmt: skip
    _s(
        "abs", "v", "fabs(a)", ["g if a > 0.0 else (-g if a < 0.0 else 0.0)"], "|a|", ["sign(a)"]
    ),  # fmt: skip
    _s(
        "leaky_relu",
        "vc",
        "a if a > 0.0 else a * c",
        ["g if a > 0.0 else c * g"],
        "leaky_relu(a)",
        ["1 if a > 0 else c"],
    ),  # fmt: skip
    _s(
        "softplus",
        "v",
        "(a if a > 0.0 else 0.0) + log1p(exp(-fabs(a)))",
        ["sigmoid(a) * g"],
        "softplus(a)",
        ["σ(a)"],
    ),  # fmt: skip
    _s("log1p", "v", "log1p(a)", ["g / (1.0 + a)"], "log(1 + a)", ["1 / (1 + a)"]),
    # variadic: `linear` is b + Σ w_i·x_i (weights first, then the Value inputs, then b);
    # `sum` is Σ p_i. Their templates are per parent: w for a weight, x for its input.
    _s("linear", "n", "b + w * x", ["x * g", "w * g", "g"], "b + Σ wᵢ·xᵢ", ["xᵢ", "wᵢ", "1"]),
    _s("sum", "n", "a + b", ["g"], "Σ aᵢ", ["1"]),
]

SPECS: dict[tuple[str, str], OpSpec] = {(s.op, s.form): s for s in _TABLE}


@dataclass(frozen=True)
class Function:
    """A function op, `x.name()`, as every layer names and checks it.

    The parser accepts `name(...)`, the strategies of `autograd.testing` draw it
    (its float form is the table's forward formula), `nn` offers it as an
    activation when it has a torch module, and the differential tests compare it
    with its sympy and torch forms.
    """

    name: str  # the Value method, and the name in parsed text and in strategies
    op: str  # node._op, the key of its SPECS rows
    sympy: Callable  # (sympy, arg, x) -> the op in sympy near the point x (x resolves kinks)
    torch: Callable  # (torch, tensor) -> the op on a float64 tensor
    torch_module: str | None = None  # its torch.nn module: usable as an nn activation
    lower: float | None = None  # its domain is a > lower (a >= lower for sqrt)
    kinks: tuple[float, ...] = ()  # where its slope jumps
    const: float | None = None  # the default constant of a "vc" form (leaky_relu's slope)

    @property
    def spec(self) -> OpSpec:
        """The table's row for this op."""
        return SPECS[(self.op, "v" if self.const is None else "vc")]

    def f(self, x: float) -> float:
        """The op on a float: the table's forward formula."""
        return evaluate(self.spec.forward, a=x, c=self.const if self.const is not None else 0.0)


def _kink(at_kink_left: Callable) -> Callable:
    """A sympy form that is `arg` right of 0 and `at_kink_left(sympy, arg)` left of it."""
    return lambda sp, a, x: a if x > 0 else at_kink_left(sp, a)


FUNCTION_OPS: tuple[Function, ...] = (
    Function("exp", "exp", lambda sp, a, x: sp.exp(a), lambda t, x: x.exp()),
    Function("log", "log", lambda sp, a, x: sp.log(a), lambda t, x: x.log(), lower=0.0),
    Function("tanh", "tanh", lambda sp, a, x: sp.tanh(a), lambda t, x: x.tanh(), "Tanh"),
    Function(
        "sigmoid",
        "sigmoid",
        lambda sp, a, x: 1 / (1 + sp.exp(-a)),
        lambda t, x: x.sigmoid(),
        "Sigmoid",
    ),
    Function(
        "relu",
        "ReLU",
        _kink(lambda sp, a: sp.Integer(0)),
        lambda t, x: x.relu(),
        "ReLU",
        kinks=(0.0,),
    ),
    Function("sin", "sin", lambda sp, a, x: sp.sin(a), lambda t, x: x.sin()),
    Function("cos", "cos", lambda sp, a, x: sp.cos(a), lambda t, x: x.cos()),
    Function("sqrt", "sqrt", lambda sp, a, x: sp.sqrt(a), lambda t, x: x.sqrt(), lower=0.0),
    Function("abs", "abs", _kink(lambda sp, a: -a), lambda t, x: x.abs(), kinks=(0.0,)),
    Function(
        "leaky_relu",
        "leaky_relu",
        _kink(lambda sp, a: 0.01 * a),
        lambda t, x: t.nn.functional.leaky_relu(x, 0.01),
        "LeakyReLU",
        kinks=(0.0,),
        const=0.01,
    ),
    Function(
        "softplus",
        "softplus",
        lambda sp, a, x: sp.log(1 + sp.exp(a)),
        lambda t, x: t.logaddexp(x, t.zeros_like(x)),  # torch's softplus cuts off at 20
        "Softplus",
    ),
    Function("log1p", "log1p", lambda sp, a, x: sp.log(1 + a), lambda t, x: x.log1p(), lower=-1.0),
)
BY_NAME: dict[str, Function] = {f.name: f for f in FUNCTION_OPS}


def spec_for(op: str, n_parents: int, ctx: object) -> OpSpec | None:
    """The entry for a node with this op, number of parents and constant; None if unknown."""
    for form in ("n", "vv" if n_parents == 2 else ("vc" if ctx is not None else "v")):
        spec = SPECS.get((op, form))
        if spec is not None:
            return spec
    return None


def evaluate(expr: str, functions: dict | None = None, **names: float) -> float:
    """Evaluate one of the table's expressions with plain floats (a tree walk, no eval);
    `functions` replaces FUNCTIONS (autograd.higher evaluates the gradients on Values)."""
    env = {**(FUNCTIONS if functions is None else functions), **names}
    return _Eval(env).visit(_parsed(expr))


@functools.cache
def _parsed(expr: str) -> ast.expr:
    return ast.parse(expr, mode="eval").body


class _Eval(ast.NodeVisitor):
    _BIN = {
        ast.Add: lambda x, y: x + y,
        ast.Sub: lambda x, y: x - y,
        ast.Mult: lambda x, y: x * y,
        ast.Div: lambda x, y: x / y,
    }
    _CMP = {
        ast.Gt: lambda x, y: x > y,
        ast.Lt: lambda x, y: x < y,
        ast.GtE: lambda x, y: x >= y,
        ast.LtE: lambda x, y: x <= y,
        ast.NotEq: lambda x, y: x != y,
        ast.Eq: lambda x, y: x == y,
    }

    def __init__(self, env: dict) -> None:
        self.env = env

    def visit_Constant(self, n):
        return n.value

    def visit_Name(self, n):
        return self.env[n.id]

    def visit_BinOp(self, n):
        return self._BIN[type(n.op)](self.visit(n.left), self.visit(n.right))

    def visit_UnaryOp(self, n):
        v = self.visit(n.operand)
        return -v if isinstance(n.op, ast.USub) else (not v)

    def visit_Compare(self, n):
        return self._CMP[type(n.ops[0])](self.visit(n.left), self.visit(n.comparators[0]))

    def visit_IfExp(self, n):
        return self.visit(n.body) if self.visit(n.test) else self.visit(n.orelse)

    def visit_Call(self, n):
        return self.env[n.func.id](*[self.visit(a) for a in n.args])

    def generic_visit(self, n):
        raise ValueError(f"opspec: {type(n).__name__} is not part of the formula language")


_JS_NAMES = {
    "exp": "F.exp",
    "log": "F.log",
    "log1p": "F.log1p",
    "sqrt": "F.sqrt",
    "sigmoid": "F.sigmoid",
    "div": "F.div",
    "tanh": "Math.tanh",
    "sin": "Math.sin",
    "cos": "Math.cos",
    "fabs": "Math.abs",
    "pow_data": "F.powData",
    "pow_slope": "F.powSlope",
    "log_base": "F.logBase",
    "inf": "Infinity",
    "nan": "NaN",
}
_JS_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_JS_CMP = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<=", ast.NotEq: "!==", ast.Eq: "==="}


def to_js(expr: str) -> str:
    """The expression as JavaScript (functions not in `Math` come from an object `F`).

    An iterative walk of the (small, trusted) formula; every sub-expression is
    parenthesised, so JavaScript's precedence cannot change its meaning.
    """
    out: dict[int, str] = {}
    stack: list[tuple[ast.AST, bool]] = [(ast.parse(expr, mode="eval").body, False)]
    while stack:
        node, done = stack.pop()
        kids = list(ast.iter_child_nodes(node))
        kids = [k for k in kids if isinstance(k, ast.expr)]
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in kids)
            continue
        if isinstance(node, ast.Constant):
            s = repr(float(node.value)) if not isinstance(node.value, bool) else str(node.value)
        elif isinstance(node, ast.Name):
            s = _JS_NAMES.get(node.id, node.id)
        elif isinstance(node, ast.BinOp):
            s = f"({out[id(node.left)]} {_JS_OPS[type(node.op)]} {out[id(node.right)]})"
        elif isinstance(node, ast.UnaryOp):
            s = f"({'-' if isinstance(node.op, ast.USub) else '!'}{out[id(node.operand)]})"
        elif isinstance(node, ast.Compare):
            op = _JS_CMP[type(node.ops[0])]
            s = f"({out[id(node.left)]} {op} {out[id(node.comparators[0])]})"
        elif isinstance(node, ast.IfExp):
            s = f"({out[id(node.test)]} ? {out[id(node.body)]} : {out[id(node.orelse)]})"
        elif isinstance(node, ast.Call):
            args = ", ".join(out[id(a)] for a in node.args)
            s = f"{_JS_NAMES[node.func.id]}({args})"
        else:
            raise ValueError(f"opspec: {type(node).__name__} is not part of the formula language")
        out[id(node)] = s
    return s  # the root is finished last
