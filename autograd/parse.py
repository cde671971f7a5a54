"""Turn expression text such as "x*y + sin(x)" into a `Value` graph, safely.

The text is parsed with `ast` and only a whitelist is accepted: numbers, names,
`+ - * / **`, unary minus and plus, and calls of the engine's functions.
Nothing is ever evaluated by Python itself. The work one expression may cause is
bounded: at most MAX_LENGTH characters, MAX_OPERATORS operators and MAX_DEPTH
levels of nesting as a reader sees it (a chain such as a + b + c is one level).
"""

from __future__ import annotations

import ast
import io
import math
import tokenize

from .engine import Value
from .opspec import FUNCTION_OPS

__all__ = ["ExpressionError", "parse", "evaluate", "names_in", "FUNCTIONS"]

FUNCTIONS = tuple(f.name for f in FUNCTION_OPS)  # the op table's functions
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 10_000
# Bounds on the work one expression may cause. Depth counts what the reader sees nested:
# parentheses, calls and signs; a chain such as a + b + c (or a ** b ** c) is one level.
MAX_DEPTH = 100
MAX_OPERATORS = 500  # also well below what Python's own parser can build a tree for
_OPERATORS = ("+", "-", "*", "/", "**", "//", "%", "@", "<<", ">>", "&", "|", "^", "~")
# An exponent made of numbers alone (2000, 9**9) beyond this is refused: any base but ~1
# overflows or underflows a float there, so it is a typo far more often than meant
MAX_EXPONENT = 1024.0
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_ALLOWED = "numbers, names, + - * / **, unary -, and " + ", ".join(f"{f}()" for f in FUNCTIONS)


class ExpressionError(ValueError):
    """The text is not an expression valuegrad accepts; the message points at why."""


def _where(text: str, node: ast.AST) -> str:
    snippet = ast.get_source_segment(text, node) or type(node).__name__
    if len(snippet) > 40:
        snippet = snippet[:37] + "..."
    return f"at column {getattr(node, 'col_offset', 0) + 1}, `{snippet}`"


def _reject(text: str, node: ast.AST, what: str) -> ExpressionError:
    return ExpressionError(f"{what} {_where(text, node)} is not allowed (allowed: {_ALLOWED})")


def _operators(text: str) -> int:
    """How many operator tokens `text` holds (0 if it does not tokenize: the parser says why)."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return sum(t.type == tokenize.OP and t.string in _OPERATORS for t in tokens)
    except (tokenize.TokenError, SyntaxError, ValueError):
        return 0


def _nested(parent: ast.AST, child: ast.AST) -> int:
    """1 if `child` sits one level deeper than `parent` for a reader, 0 if it continues a chain."""
    if isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp):
        right_assoc = isinstance(parent.op, ast.Pow)
        if child is (parent.right if right_assoc else parent.left):
            return 0
    return 1


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _check_node(text: str, node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _reject(text, node, f"the constant {type(node.value).__name__}")
        v = node.value
        if (isinstance(v, int) and abs(v) > 10**300) or not math.isfinite(float(v)):
            raise _reject(text, node, "a number too large")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            hint = " (for a power write **)" if isinstance(node.op, ast.BitXor) else ""
            raise _reject(text, node, f"the operator {type(node.op).__name__}{hint}")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _reject(text, node, f"the operator {type(node.op).__name__}")
    elif isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise _reject(text, node, "a call of anything but the engine's functions")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise _reject(text, node, f"{node.func.id}() with other than one argument")
    elif not isinstance(node, ast.Name):
        raise _reject(text, node, f"{type(node).__name__.lower()}")


def parse(text: str) -> ast.expr:
    """The checked syntax tree of `text`, or `ExpressionError` saying what is wrong."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long (at most {MAX_LENGTH})"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    text = text.strip()
    n = _operators(text)
    if n > MAX_OPERATORS:
        raise ExpressionError(
            f"the expression has {n} operators (at most {MAX_OPERATORS}, a bound on the work "
            "one expression may cause)"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        # Python gives offset 0 when the text ends too early ("x*y +")
        where = f"at column {e.offset}" if e.offset else f"at the end (column {len(text) + 1})"
        raise ExpressionError(f"not an expression: {e.msg} {where}") from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ExpressionError(f"not an expression: {type(e).__name__}: nested too deeply") from None
    stack = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested more than {MAX_DEPTH} deep (parentheses, calls and "
                "signs count; a chain such as a + b + c is one level)"
            )
        _check_node(text, node)
        stack.extend((child, depth + _nested(node, child)) for child in _children(node))
    _check_constants(text, tree.body)
    return tree.body


def _check_constants(text: str, tree: ast.expr) -> None:
    """Refuse what numbers alone make too large, as a literal 1e400 is refused, and any
    exponent made of numbers alone beyond +-MAX_EXPONENT (`x**2000`, `x**(9**9)`)."""
    known: dict[int, float | None] = {}  # the value of each subtree of numbers alone
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:  # post-order, without recursion
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node))
            continue
        args = [known[id(c)] for c in _children(node)]
        value: float | None = None
        if isinstance(node, ast.Constant):
            value = float(node.value)
        elif isinstance(node, ast.Name) and node.id in CONSTANTS:
            value = CONSTANTS[node.id]
        elif isinstance(node, ast.UnaryOp) and args[0] is not None:
            value = -args[0] if isinstance(node.op, ast.USub) else args[0]
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and args[1] is not None and abs(args[1]) > MAX_EXPONENT:
                raise _reject(text, node, f"an exponent beyond +-{MAX_EXPONENT:g}")
            if None not in args:
                try:
                    value = _BINOPS[type(node.op)](*args)
                except OverflowError:
                    value = math.inf
                except (ZeroDivisionError, ValueError):
                    value = None  # evaluation names the domain error
                if isinstance(value, complex):
                    value = None
                elif value is not None and not math.isfinite(value):
                    raise _reject(text, node, "a number too large (beyond a float)")
        known[id(node)] = value


def names_in(tree: ast.expr) -> list[str]:
    """The variable names `tree` uses, in order of first use (function names excluded)."""
    seen: dict[str, None] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            seen[node.id] = None
        stack.extend(reversed(_children(node)))
    return list(seen)


def evaluate(tree: ast.expr | str, env: dict[str, Value | float]) -> Value:
    """The `Value` that `tree` computes with its names bound by `env` (pi and e are known)."""
    if isinstance(tree, str):
        tree = parse(tree)
    unbound = [n for n in names_in(tree) if n not in env and n not in CONSTANTS]
    if unbound:
        raise ExpressionError(f"unbound name{'s' * (len(unbound) > 1)}: {', '.join(unbound)}")
    results: dict[int, Value | float] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:  # post-order, without recursion
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(_children(node)))
            continue
        args = [results.pop(id(c)) for c in _children(node)]
        if isinstance(node, ast.Constant):
            out: Value | float = float(node.value)
        elif isinstance(node, ast.Name):
            out = env[node.id] if node.id in env else CONSTANTS[node.id]
        elif isinstance(node, ast.BinOp):
            if not any(isinstance(a, Value) for a in args):  # keep the engine's domain checks
                args[0] = Value(args[0])
            out = _BINOPS[type(node.op)](*args)
        elif isinstance(node, ast.UnaryOp):
            out = -args[0] if isinstance(node.op, ast.USub) else args[0]
        else:
            arg = args[0] if isinstance(args[0], Value) else Value(args[0])
            out = getattr(arg, node.func.id)()
        results[id(node)] = out
    result = results[id(tree)]
    return result if isinstance(result, Value) else Value(result)
