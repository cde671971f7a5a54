"""Draw a computation graph: DOT via the `graphviz` package, laid out by a Graphviz.

Layout uses the system `dot` when it is on PATH, and otherwise the pip-installed
`graphviz-pure` (a self-contained port of Graphviz, a dependency of valuegrad),
so drawing works after `pip install` alone, in scripts and in Jupyter.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import graphviz

from .engine import Value, topological_order

__all__ = ["draw_dot", "to_svg", "render", "find_renderer", "ValueGraph", "RendererNotFoundError"]

DEFAULT_MAX_NODES = 400
FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}
_OP_SYMBOLS = {"neg": "-", "rpow": "**"}


class RendererNotFoundError(RuntimeError):
    """Neither the system Graphviz nor graphviz-pure could be found."""


def find_renderer(prefer: str | None = None) -> list[str]:
    """The command that lays out DOT: `dot` on PATH, else `graphviz-pure`.

    `prefer` (or the environment variable VALUEGRAD_RENDERER) may name one of
    them to use it only.
    """
    prefer = prefer or os.environ.get("VALUEGRAD_RENDERER") or None
    names = [prefer] if prefer else ["dot", "graphviz-pure"]
    # graphviz-pure lives beside this Python even when that folder is not on PATH
    extra = os.pathsep.join([sysconfig.get_path("scripts"), str(Path(sys.executable).parent)])
    for name in names:
        found = shutil.which(name) or (
            shutil.which(name, path=extra) if name == "graphviz-pure" else None
        )
        if found:
            return [found] if name == "graphviz-pure" else [found, "-Kdot"]
    raise RendererNotFoundError(
        f"no Graphviz renderer found (looked for {' and '.join(names)}): "
        "`pip install graphviz-pure` (a valuegrad dependency) or install the system "
        "Graphviz (`apt-get install graphviz`)"
    )


def _layout(source: str, fmt: str, renderer: str | None = None) -> bytes:
    cmd = find_renderer(renderer)
    proc = subprocess.run(
        [*cmd, f"-T{fmt}"], input=source.encode(), capture_output=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


class ValueGraph(graphviz.Digraph):
    """A `graphviz.Digraph` that shows itself in Jupyter with whichever renderer is found."""

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return {"image/svg+xml": _layout(self.source, "svg").decode()}


def _fmt(x: float, precision: int) -> str:
    return f"{x:.{precision}f}" if isinstance(x, float) else html.escape(str(x))


def _value_label(v: Value, show_grad: bool, precision: int) -> str:
    cells = []
    if v.label:
        text = html.escape(v.label).replace("\n", "<BR/>")
        cells.append(f"<TD><B>{text}</B></TD>")
    cells.append(f"<TD>data {_fmt(v.data, precision)}</TD>")
    if show_grad:
        grad = v.grad if isinstance(v.grad, float) else getattr(v.grad, "data", v.grad)
        cells.append(f"<TD>grad {_fmt(grad, precision)}</TD>")
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR>{"".join(cells)}</TR></TABLE>>'


def op_text(v: Value) -> str:
    """How an op shows in a drawing: `+`, `*`, `**2`, `* 3`, `2 **`, `tanh`, ..."""
    op = _OP_SYMBOLS.get(v._op, v._op)
    if v._ctx is None or not isinstance(v._ctx, (int, float)):
        return op
    c = f"{v._ctx:g}"
    if v._op == "rpow":
        return f"{c} **"
    return f"**{c}" if op == "**" else f"{op} {c}"


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> ValueGraph:
    """The graph behind `root` as a Digraph: a record per value, a node per op.

    Node ids follow the topological order, so the same expression always gives
    the same DOT text. Graphs of more than `max_nodes` values are refused.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_dot(): rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    nodes = topological_order(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_dot(): the graph has {len(nodes)} values, more than max_nodes={max_nodes}; "
            "draw a smaller subexpression or pass a higher max_nodes (layout time grows fast)"
        )
    ids = {id(v): f"v{i}" for i, v in enumerate(nodes)}
    dot = ValueGraph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica"})
    for v in nodes:
        vid = ids[id(v)]
        dot.node(vid, label=_value_label(v, show_grad, precision), shape="plaintext")
        if v._op:
            dot.node(f"{vid}op", label=graphviz.escape(op_text(v)), shape="ellipse")
            dot.edge(f"{vid}op", vid)
            for p in v._prev:
                dot.edge(ids[id(p)], f"{vid}op")
    return dot


def to_svg(root: Value, *, renderer: str | None = None, **kw) -> str:
    """The drawing of `root`'s graph as SVG text (`kw` as for `draw_dot`)."""
    return _layout(draw_dot(root, **kw).source, "svg", renderer).decode()


def render(root: Value, path: str | os.PathLike, *, renderer: str | None = None, **kw) -> Path:
    """Write the drawing to `path`: `.svg`, `.png`, or DOT text for `.dot`/`.gv`."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"render(): cannot write {path.name!r}: the suffix must be one of {', '.join(FORMATS)}"
        )
    source = draw_dot(root, **kw).source
    data = source.encode() if fmt == "dot" else _layout(source, fmt, renderer)
    path.write_bytes(data)
    return path
