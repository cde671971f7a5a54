"""The command line: `valuegrad` (or `python -m autograd`).

valuegrad eval  "x*y + sin(x)" --at x=2 y=3
valuegrad graph "x*y + sin(x)" --at x=2 y=3 -o graph.svg   (or -o graph.html: the explorer)
valuegrad explore "x*y + sin(x)" --at x=2 y=3              (opens the explorer in a browser)
valuegrad check "x*y + sin(x)" --at x=2 y=3
valuegrad codegen "x*y + sin(x)" --at x=2 y=3
valuegrad demo

Exit statuses (EXIT_*): 0 done; 1 a gradient is wrong (check); 2 the command line or
the expression is refused; 3 the input cannot be computed or written (a domain error,
an output the renderer cannot write, a point gradcheck cannot check at); 4 check
could not verify a row (UNVERIFIED) and --allow-unverified was not given.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import re
import sys

from .engine import Value
from .parse import ExpressionError, evaluate, names_in, parse

__all__ = ["main", "EXIT_OK", "EXIT_WRONG", "EXIT_USAGE", "EXIT_INPUT", "EXIT_UNVERIFIED"]

EXIT_OK, EXIT_WRONG, EXIT_USAGE, EXIT_INPUT, EXIT_UNVERIFIED = 0, 1, 2, 3, 4

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _UsageError(Exception):
    """Bad command-line input: exit status EXIT_USAGE."""


def _bindings(pairs: list[str]) -> dict[str, float]:
    env: dict[str, float] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not _NAME.match(name.strip()):
            raise _UsageError(f"--at takes name=number pairs, not {pair!r}")
        if name.strip() in env:
            raise _UsageError(f"--at binds {name.strip()} twice ({pair!r}); give each name once")
        try:
            value = float(number)
        except ValueError:
            raise _UsageError(f"--at {name.strip()}: {number!r} is not a number") from None
        spelled = number.strip().lstrip("+-").lower() in ("inf", "infinity", "nan")
        if not math.isfinite(value) and not spelled:  # 1e400: inf only by overflow
            raise _UsageError(
                f"--at {name.strip()}: {number!r} is beyond the largest float (write inf for inf)"
            )
        env[name.strip()] = value
    return env


def _build(args: argparse.Namespace) -> tuple[Value, dict[str, Value], ast.expr]:
    """Parse the expression and evaluate it at --at, with one labelled leaf per name.

    Returns the output, the leaves by name, and the parsed tree.
    """
    try:
        tree = parse(args.expr)
        at = _bindings(args.at)
        leaves = {n: Value(at[n], label=n) for n in names_in(tree) if n in at}
        return evaluate(tree, leaves), leaves, tree
    except ExpressionError as e:
        raise _UsageError(str(e)) from None


def _print_grads(out: Value, leaves: dict[str, Value]) -> None:
    print(f"value = {out.data!r}")
    for name, leaf in leaves.items():
        print(f"d/d{name} = {leaf.grad!r}")


def _cmd_eval(args: argparse.Namespace) -> int:
    out, leaves, _ = _build(args)
    out.backward()
    _print_grads(out, leaves)
    return 0


def _cmd_graph(args: argparse.Namespace) -> int:
    from .draw import render

    out, _, _ = _build(args)
    out.backward()
    path = render(out, args.output, max_nodes=args.max_nodes)  # .html: the explorer page
    print(f"wrote {path}")
    return 0


def _cmd_explore(args: argparse.Namespace) -> int:
    import tempfile
    import webbrowser
    from pathlib import Path

    from .explorer import write_html

    out, _, _ = _build(args)
    out.backward()
    if args.output:
        path = write_html(out, args.output, max_nodes=args.max_nodes)
    else:
        fd, name = tempfile.mkstemp(prefix="valuegrad-explore-", suffix=".html")
        os.close(fd)
        path = write_html(out, name, max_nodes=args.max_nodes)
    print(f"wrote {path}")
    if not args.no_browser:
        webbrowser.open(Path(path).resolve().as_uri())
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .gradcheck import gradcheck

    _, leaves, tree = _build(args)
    names = list(leaves)

    def f(*xs: Value) -> Value:
        return evaluate(tree, dict(zip(names, xs)))

    report = gradcheck(
        f,
        list(leaves.values()),
        method=args.method,
        eps=args.eps,
        raise_exception=False,
        allow_unverified=args.allow_unverified,
    )
    print(report)
    if report.failures:
        return EXIT_WRONG
    return EXIT_OK if report else EXIT_UNVERIFIED


def _cmd_codegen(args: argparse.Namespace) -> int:
    from .emit import codegen

    out, leaves, _ = _build(args)
    print(codegen(out, list(leaves.values())), end="")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import main as demo

    return demo(args.output)


def _eps(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        eps = float(text)
    except ValueError:
        eps = math.nan
    if not 0 < eps < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite positive number or auto, not {text!r}")
    return eps


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valuegrad",
        description="Build an expression, backpropagate, draw the graph, check the gradients.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_expr(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        # optional here so that main() can take an expression starting with "-" itself
        p.add_argument("expr", nargs="?", help='an expression such as "x*y + sin(x)" or "-x*y"')
        p.add_argument("--at", nargs="+", default=[], metavar="NAME=NUMBER", help="input values")
        return p

    with_expr("eval", "print the value and the gradient for every input")
    g = with_expr("graph", "write the computation graph (.svg, .png, .dot, .html)")
    g.add_argument("-o", "--output", default="graph.svg", help="where (default graph.svg)")
    g.add_argument("--max-nodes", type=int, default=400, help="refuse larger graphs")
    c = with_expr(
        "check", "compare gradients with finite differences (exit 1 if wrong, 4 if unverified)"
    )
    c.add_argument("--method", choices=["central", "forward", "richardson"], default="central")
    c.add_argument("--eps", type=_eps, default=1e-6, help="step size, or auto")
    c.add_argument(
        "--allow-unverified",
        action="store_true",
        help="pass although some rows have no finite difference to compare with (exit 0)",
    )
    x = with_expr("explore", "step through forward and backward in a browser (one HTML file)")
    x.add_argument("-o", "--output", default=None, help="where (default: a temporary file)")
    x.add_argument("--max-nodes", type=int, default=400, help="refuse larger graphs")
    x.add_argument("--no-browser", action="store_true", help="write the page, do not open it")
    with_expr("codegen", "print the forward and backward pass as Python code")
    d = sub.add_parser("demo", help="backpropagate through a neuron, draw it, check it")
    d.add_argument("-o", "--output", default="demo.svg", help="the SVG (default demo.svg)")
    pg = sub.add_parser("playground", help="train a network live in a browser (one HTML file)")
    pg.add_argument("--dataset", default="moons", help="moons, circles, xor, spiral, gauss, ...")
    pg.add_argument("--layers", default="4,4", help="hidden widths, comma-separated (default 4,4)")
    pg.add_argument("--activation", default="tanh", help="relu, tanh, sigmoid or linear")
    pg.add_argument("--loss", default="mse", help="mse, half_squared_error, hinge, bce, ...")
    pg.add_argument("--lr", type=float, default=0.03, help="learning rate (default 0.03)")
    pg.add_argument("--seed", type=int, default=0, help="seeds the data and the weights")
    pg.add_argument("-o", "--output", default=None, help="where (default: a temporary file)")
    pg.add_argument("--no-browser", action="store_true", help="write the page, do not open it")
    return parser


def _cmd_playground(args: argparse.Namespace) -> int:
    from nn.playground import run_cli  # nn imports autograd, never autograd.cli: no circle

    try:
        return run_cli(args)
    except ValueError as e:  # every input of the command is an option: a usage error
        raise _UsageError(str(e)) from None


_COMMANDS = {"eval": _cmd_eval, "graph": _cmd_graph, "check": _cmd_check, "demo": _cmd_demo}
_COMMANDS["explore"] = _cmd_explore
_COMMANDS["codegen"] = _cmd_codegen
_COMMANDS["playground"] = _cmd_playground


def _expression_apart(
    parser: argparse.ArgumentParser, argv: list[str]
) -> tuple[list[str], str | None]:
    """Take out an expression that starts with "-" ("-x*y"), which argparse would read as
    an option: the first argument after the command that is not an option, an option's
    value or a negative number, or the one right after "--". Returns the rest and it."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if not argv or argv[0] not in sub.choices:
        return argv, None
    actions = sub.choices[argv[0]]._option_string_actions
    rest = argv[1:]
    if rest[:1] == ["--"] and len(rest) > 1:
        return [argv[0], *rest[2:]], rest[1]
    takes_value = False
    for i, a in enumerate(rest):
        if a == "--":
            break
        known = a in actions or a.split("=", 1)[0] in actions
        negative = parser._negative_number_matcher.match(a)
        if a.startswith("-") and len(a) > 1 and not (known or takes_value or negative):
            return [argv[0], *rest[:i], *rest[i + 1 :]], a
        action = actions.get(a)
        takes_value = action is not None and action.nargs is None and bool(action.option_strings)
        takes_value = takes_value and not isinstance(action, argparse._StoreTrueAction)
    return argv, None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (EXIT_* above)."""
    parser = _parser()
    argv, expr = _expression_apart(parser, list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if expr is not None:
        if args.expr is not None:
            parser.error(f"two expressions: {expr!r} and {args.expr!r}")
        args.expr = expr
    if hasattr(args, "expr") and args.expr is None:
        parser.error(f"{args.command}: the following arguments are required: expr")
    try:
        return _COMMANDS[args.command](args)
    except _UsageError as e:
        print(f"valuegrad: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (ArithmeticError, ValueError, TypeError, RuntimeError, OSError) as e:
        print(f"valuegrad: {args.command} failed: {e}", file=sys.stderr)
        return EXIT_INPUT
