"""Draw a computation graph: DOT via the `graphviz` package, laid out by a Graphviz.

Layout uses the system `dot` when it is on PATH, and otherwise the pip-installed
`graphviz-pure` (a self-contained port of Graphviz, a dependency of valuegrad),
so drawing works after `pip install` alone, in scripts and in Jupyter.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from pathlib import Path

import graphviz

from .engine import Value, topological_order
from .writers import WRITERS

__all__ = [
    "draw_dot",
    "draw_network",
    "network_svg",
    "to_svg",
    "render",
    "find_renderer",
    "format_number",
    "op_text",
    "ValueGraph",
    "RendererNotFoundError",
]

DEFAULT_MAX_NODES = 400
FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


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
    if prefer and prefer not in ("dot", "graphviz-pure"):
        raise RendererNotFoundError(
            f"the renderer {prefer!r} (VALUEGRAD_RENDERER or renderer=) is not on PATH; "
            "it may name dot or graphviz-pure, or be unset to try both"
        )
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


# Every common monospace face (DejaVu Sans Mono, Liberation Mono, Courier New,
# Menlo, Consolas) is 0.6 em wide, so the layout's text widths are what the
# browser draws, whichever face it picks and whichever renderer laid it out.
FONT = "Courier"
FONTSIZE = 12
_CHAR_W = 0.6 * FONTSIZE  # pt per character
_MINUS = "\N{MINUS SIGN}"

# torchviz's palette: parameters light blue, the output green, ops grey
COLOURS = {
    "param": "#cfe2f3",
    "leaf": "#fff2cc",
    "output": "#d9ead3",
    "value": "white",
    "op": "#eeeeee",
}

_NAMES = {"-": _MINUS, "ReLU": "relu", "sum": "+"}
# ops whose two Value inputs are told apart by edge labels; the names cannot be a
# value's (a drawing of `a - b` has values named a and b)
_ROLES = ("1st", "2nd")
_SIDES = {op: f"1st {_NAMES.get(op, op)} 2nd" for op in ("-", "/", "**")}
_REFLECTED = {"rsub": _MINUS, "rdiv": "/", "rpow": "**"}  # c - x, c / x, c ** x


def format_number(x: object, precision: int = 4) -> str:
    """A number as a drawing shows it: `0.8814`, `1.00e-12`, `-1.22e+13`, `0`, `nan`, `-inf`.

    Fixed `precision` decimals for 1e-3 <= |x| < 1e5, otherwise three significant
    digits in exponent form, so that no nonzero number reads as 0.0000.
    """
    x = getattr(x, "data", x)  # a gradient that is a Value (create_graph)
    if not isinstance(x, (int, float)):
        return str(x)
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return repr(x)
    if x == 0.0:
        return "0"  # and -0.0
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{precision}f}"
    return f"{x:.2e}"


def _constant(c: float) -> str:
    return "0" if c == 0 else f"{c:g}"


def op_text(v: Value) -> str:
    """How an op shows in a drawing: `+`, `* 3`, `** 2`, `2 **`, `3 −`, `1st − 2nd`, `tanh`."""
    op, c = v._op, v._ctx
    if op in _REFLECTED:
        return f"{_constant(c)} {_REFLECTED[op]}" if isinstance(c, (int, float)) else op
    if op in _SIDES and len(v._prev) == 2:
        return _SIDES[op]
    name = _NAMES.get(op, op)
    if isinstance(c, (int, float)) and not isinstance(c, bool):
        return f"{name} {_constant(c)}"
    return name


def _is_number(c: object) -> bool:
    return isinstance(c, (int, float)) and not isinstance(c, bool)


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_UNSUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _sub(i: int) -> str:
    """`i` in subscript digits: a role (w₀, x₀) that reads apart from a value named w0, x0."""
    return str(i).translate(_SUBSCRIPT)


class _Constant(tuple):
    """A plain number an op reads, drawn as an input box: (key, number); ops reading the
    same number from the same place (a layer's shared input tuple) share the box."""


def _operands(v: Value, param_ids: set[int]) -> list[tuple[Value | _Constant, str]]:
    """The inputs of `v`'s op as drawn, in order, each with the role it plays: its Values,
    and as boxes the plain numbers among a `linear`'s inputs and a constant that
    multiplies a parameter (a model called on floats: the number is an input)."""
    if v._op == "linear" and isinstance(v._ctx, tuple) and len(v._ctx) == 3:
        ws, xs, b = v._ctx
        edges: list[tuple[Value | _Constant, str]] = [(w, f"w{_sub(i)}") for i, w in enumerate(ws)]
        edges += [
            (x if isinstance(x, Value) else _Constant(((id(xs), i), float(x))), f"x{_sub(i)}")
            for i, x in enumerate(xs)
        ]
        return edges + ([(b, "b")] if b is not None else [])
    if _boxes_constant(v, param_ids):
        return [(v._prev[0], ""), (_Constant(((id(v), 0), float(v._ctx))), "")]
    if v._op in _SIDES and len(v._prev) == 2:
        return list(zip(v._prev, _ROLES))
    return [(p, "") for p in v._prev]


def _boxes_constant(v: Value, param_ids: set[int]) -> bool:
    """Whether `v` is a parameter times a constant, the constant drawn as an input box."""
    return v._op == "*" and len(v._prev) == 1 and _is_number(v._ctx) and id(v._prev[0]) in param_ids


def _escstring(text: str) -> str:
    """Text for a DOT escString attribute (tooltip): backslashes and quotes kept literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def widest_number(precision: int = 4) -> int:
    """The most characters `format_number` gives at this precision (`-100000.0000`)."""
    return max(len(format_number(-99999.99999999999, precision)), len("-1.00e+100"))


def _value_label(
    v: Value,
    kind: str,
    show_grad: bool,
    precision: int,
    cut: bool = False,
    width: int = 0,
    name: str | None = None,
) -> str:
    numbers = [("data", format_number(v.data, precision))]
    if show_grad:
        numbers.append(("grad", format_number(v.grad, precision)))
    width = max(width, *(len(n) for _, n in numbers))
    rows = []
    if v.label:
        text = "<BR/>".join(html.escape(line) for line in v.label.split("\n"))
        rows.append(f"<TR><TD><B>{text}</B></TD></TR>")
    elif name:  # an unlabelled value, named by the explorer (by its expression)
        rows.append(f"<TR><TD><I>{html.escape(name)}</I></TD></TR>")
    rows += [f'<TR><TD ALIGN="LEFT">{k} {n:>{width}}</TD></TR>' for k, n in numbers]
    if cut:  # drawn without the graph above it, in dashed cells
        rows.append(f"<TR><TD><I>... {html.escape(op_text(v))}</I></TD></TR>")
        rows = [r.replace("<TD", '<TD STYLE="dashed"') for r in rows]
    border = ' BORDER="2"' if kind == "output" else ' BORDER="0"'
    return (
        f'<<TABLE{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="2"'
        f' BGCOLOR="{COLOURS[kind]}">{"".join(rows)}</TABLE>>'
    )


def _tooltip(v: Value) -> str:
    grad = getattr(v.grad, "data", v.grad)
    head = f"{v.label}: " if v.label else ""
    return _escstring(f"{head}{v._op or 'leaf'}\ndata = {v.data!r}\ngrad = {grad!r}")


def _within(root: Value, depth: int) -> tuple[list[Value], set[int]]:
    """The values at most `depth` ops above `root`, in topological order, and the ids of
    those exactly `depth` ops above (drawn without their own inputs)."""
    dist = {id(root): 0}
    frontier = [root]
    for d in range(1, depth + 1):
        nxt = []
        for v in frontier:
            for p in v._prev:
                if id(p) not in dist:
                    dist[id(p)] = d
                    nxt.append(p)
        frontier = nxt
    cut = {id(v) for v in frontier if v._prev}
    order: list[Value] = []
    done: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
        elif id(v) not in done:
            done.add(id(v))
            stack.append((v, True))
            if id(v) not in cut:
                stack.extend((p, False) for p in reversed(v._prev) if id(p) not in done)
    return order, cut


def drawn_values(
    root: Value, depth: int | None = None, max_nodes: int = DEFAULT_MAX_NODES
) -> tuple[list[Value], set[int]]:
    """The values `draw_dot(root, depth=depth)` draws, in its order (value i is node `v{i}`),
    and the ids of those drawn cut; graphs past `max_nodes` values are refused."""
    if depth is not None and not (isinstance(depth, int) and depth >= 0):
        raise ValueError(f"draw_dot(): depth must be a whole number >= 0, not {depth!r}")
    nodes, cut = _within(root, depth) if depth is not None else (topological_order(root), set())
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_dot(): the graph has {len(nodes)} values, more than max_nodes={max_nodes}; "
            "pass depth=3 (say) to draw only the last ops before the output, draw a smaller "
            "subexpression, or pass a higher max_nodes (layout time grows fast)"
        )
    return nodes, cut


def _estimated_lr_width(nodes: list[Value], cut: set[int], precision: int, width: int) -> float:
    """Roughly how wide (pt) a left-to-right layout would be: the widest node of each rank."""
    rank: dict[int, int] = {}
    widths: dict[int, float] = {}

    def put(r: int, chars: int) -> None:
        widths[r] = max(widths.get(r, 0.0), chars * _CHAR_W + 12)

    for v in nodes:
        if v._prev and id(v) not in cut:
            r_op = 1 + max(rank[id(p)] for p in v._prev)
            put(r_op, len(op_text(v)) + 3)
            rank[id(v)] = r_op + 1
        else:
            rank[id(v)] = 0
        chars = 5 + max(len(format_number(v.data, precision)), len(format_number(v.grad)), width)
        put(rank[id(v)], max(chars, max((len(s) for s in v.label.split("\n")), default=0)))
    return sum(widths.values()) + RANKSEP * 72 * (len(widths) - 1) + 16


RANKSEP = 0.3  # inches between ranks
PAGE_WIDTH = 1280  # px: a notebook column; wider graphs are drawn top to bottom


def draw_dot(
    root: Value,
    rankdir: str = "auto",
    show_grad: bool = True,
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_NODES,
    *,
    params: Iterable[Value] | None = None,
    size: float | None = None,
    depth: int | None = None,
    fixed_width: bool = False,
    names: Sequence[str | None] | None = None,
) -> ValueGraph:
    """The graph behind `root` as a Digraph: a record per value, a node per op.

    Values are records (label, data, grad stacked); leaves sit in the first rank
    and are coloured apart from `params` (the model's parameters, if given, drawn
    beside the op that reads them) and from the output. Each rank keeps a fixed
    order: inputs read by several ops first, then as a walk from `root` meets
    them (x0 before x1, neuron 0 before neuron 1). Plain numbers a model was
    called on (in a `linear`, or multiplying a parameter) are drawn as `input`
    boxes (nodes `v{i}k{j}`). `rankdir="auto"` draws left to right when that fits a
    1,280 px page and top to bottom otherwise. `size` (px) scales the drawing
    down to at most that width. Value nodes are named `v{i}` in topological
    order and op nodes `v{i}op`, so the same expression gives the same DOT text.
    `depth=k` draws only the last k ops before `root`: the values they start
    from are drawn as cut (dashed, naming the op that made them). Graphs of
    more than `max_nodes` values are refused. `fixed_width=True` makes every number
    cell as wide as the widest number the format gives (for pages that change them).
    `names` (one per drawn value, in the order above) are shown in italics on the
    records of unlabelled values.
    """
    if rankdir not in ("auto", "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_dot(): rankdir must be auto, LR, TB, RL or BT, not {rankdir!r}")
    if size is not None and not (isinstance(size, (int, float)) and 0 < size < math.inf):
        raise ValueError(f"draw_dot(): size must be a positive width in px, not {size!r}")
    nodes, cut = drawn_values(root, depth, max_nodes)
    width = widest_number(precision) if fixed_width else 0
    if rankdir == "auto":
        # a page with fixed-width cells (the explorer) scales a drawing this much wider to fit
        page = PAGE_WIDTH * (1.25 if fixed_width else 1.0)
        wide = _estimated_lr_width(nodes, cut, precision, width) * 4 / 3 > page
        rankdir = "TB" if wide else "LR"
    param_ids = {id(p) for p in params} if params is not None else set()
    ids = {id(v): f"v{i}" for i, v in enumerate(nodes)}
    graph_attr = {"rankdir": rankdir, "ranksep": str(RANKSEP), "nodesep": "0.15"}
    if size is not None:
        graph_attr["size"] = f"{size / 96:.4g},10000"
    dot = ValueGraph(
        graph_attr=graph_attr,
        node_attr={"fontname": FONT, "fontsize": str(FONTSIZE)},
        edge_attr={"fontname": FONT, "fontsize": "11", "fontcolor": "#444444", "arrowsize": "0.7"},
    )
    inputs_of: dict[str, list[str]] = {}  # each op node's inputs, in order
    edges: list[tuple[str, str, str]] = []  # into op nodes: (input, op, role)
    floating: set[str] = set()  # drawn next to the op that reads them, not in the first rank
    pinned: list[str] = []  # the inputs: the first rank
    boxes: dict[tuple[int, int], str] = {}
    for k, v in enumerate(nodes):
        vid = ids[id(v)]
        if v is root:
            kind = "output"
        elif id(v) in param_ids:
            kind = "param"
        elif not v._prev or id(v) in cut:
            kind = "leaf"
        else:
            kind = "value"
        if kind == "leaf":
            pinned.append(vid)
        elif kind == "param":
            floating.add(vid)
        dot.node(
            vid,
            label=_value_label(
                v, kind, show_grad, precision, id(v) in cut, width, names[k] if names else None
            ),
            shape="plain",
            tooltip=_tooltip(v),
        )
        if v._prev and id(v) not in cut:
            opid = f"{vid}op"
            text = html.escape("*" if _boxes_constant(v, param_ids) else op_text(v))
            dot.node(
                opid,
                label=f"<{text}>",
                shape="ellipse",
                style="filled",
                fillcolor=COLOURS["op"],
                margin="0.04,0.02",
                height="0.3",
                tooltip=_escstring(v._op),
            )
            dot.edge(opid, vid)
            inputs_of[vid] = [opid]
            inputs_of[opid] = []
            for p, role in _operands(v, param_ids):
                if isinstance(p, _Constant):
                    key, number = p
                    if key not in boxes:
                        boxes[key] = f"{vid}k{len(inputs_of[opid])}"
                        floating.add(boxes[key])
                        dot.node(
                            boxes[key],
                            label=_constant_label(number, precision, width),
                            shape="plain",
                            tooltip=_escstring(f"input (a plain number)\ndata = {number!r}"),
                        )
                    pid = boxes[key]
                else:
                    pid = ids[id(p)]
                    if _says_role(p.label, role):
                        role = ""
                inputs_of[opid].append(pid)
                edges.append((pid, opid, role))
    _role_edges(dot, edges, floating)
    ranks = _ranks(ids[id(root)], [ids[id(v)] for v in nodes], inputs_of, floating, boxes.values())
    _fix_order(dot, ranks, pinned)
    return dot


def _says_role(label: str, role: str) -> bool:
    """Whether a value's label already names the role its edge plays (`L0.N1.w0` as w₀,
    `x1` as x₁, `L0.N1.b` as b), so the edge needs no label of its own."""
    plain = role.translate(_UNSUBSCRIPT)
    return bool(role) and role not in _ROLES and label.rsplit(".", 1)[-1] == plain


def _role_edges(dot: graphviz.Digraph, edges: list[tuple[str, str, str]], beside: set[str]) -> None:
    """The edges into op nodes, each role written where it cannot be read as another
    edge's: the role an input plays in every op that reads it (a network's x0) once,
    beside that input; any other (1st, 2nd) midway, where the layout keeps labels apart."""
    roles: dict[str, set[str]] = {}
    for tail, _, role in edges:
        roles.setdefault(tail, set()).add(role)
    labelled: set[str] = set()
    for tail, head, role in edges:
        # the `beside` inputs (parameters, numbers) pull their op level with them
        weight = "4" if tail in beside else None
        if role and role not in _ROLES and roles[tail] == {role}:
            dot.edge(tail, head, taillabel=role if tail not in labelled else None, weight=weight)
            labelled.add(tail)
        else:
            dot.edge(tail, head, label=role or None, weight=weight)


def _constant_label(number: float, precision: int, width: int) -> str:
    """A plain number an op reads, as an input record (no grad: a number has none)."""
    text = format_number(number, precision)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2"'
        f' BGCOLOR="{COLOURS["leaf"]}"><TR><TD><I>input</I></TD></TR>'
        f'<TR><TD ALIGN="LEFT">data {text:>{max(width, len(text))}}</TD></TR></TABLE>>'
    )


def _ranks(
    root: str,
    values: list[str],
    inputs_of: dict[str, list[str]],
    floating: set[str],
    numbers: Iterable[str] = (),
) -> list[list[str]]:
    """The drawing's nodes rank by rank, each rank in drawing order.

    `values` is in topological order; `inputs_of` maps a value to its op node and an op
    node to its inputs. The first rank holds the inputs; each op sits one rank after
    its latest input that is not `floating`, and a floating node (a parameter, a
    plain number's box, one of `numbers`) one rank before the first op that reads
    it. Along a rank, nodes come in the order a walk from `root` meets them, inputs
    in their order (so x0 before x1, neuron 0 before neuron 1, and no two subtrees
    interleave), except that inputs and number boxes read by more than one op (a
    network's x0) come first.
    """
    rank: dict[str, int] = {}
    readers: dict[str, list[str]] = {n: [] for n in values}
    numbers = set(numbers)
    for vid in values:
        if vid not in inputs_of:
            if vid not in floating:
                rank[vid] = 0
            continue
        opid = inputs_of[vid][0]
        for p in inputs_of[opid]:
            readers.setdefault(p, []).append(opid)
        fixed = [rank[p] for p in inputs_of[opid] if p not in floating]
        rank[opid] = 1 + max(fixed, default=0)
        rank[vid] = rank[opid] + 1
    for f in floating:
        rank[f] = min((rank[r] - 1 for r in readers.get(f, ())), default=0)
    seen: dict[str, int] = {}
    stack = [root]
    while stack:  # depth first, each node's inputs in order
        n = stack.pop()
        if n not in seen:
            seen[n] = len(seen)
            stack.extend(reversed(inputs_of.get(n, [])))
    out: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]

    def shared_input(n: str) -> bool:
        return rank[n] == 0 and (n not in floating or n in numbers) and len(readers[n]) > 1

    for n in sorted(rank, key=lambda n: (not shared_input(n), seen.get(n, 0))):
        out[rank[n]].append(n)
    return out


def _fix_order(dot: graphviz.Digraph, ranks: list[list[str]], pinned: list[str]) -> None:
    """Make the layout keep these ranks and the order along each (first to last: top to
    bottom drawn left to right, left to right drawn top to bottom): a `rank=same`
    subgraph per rank chained by invisible edges, the `pinned` nodes on the first rank."""
    if len(pinned) > 1:
        dot.body.append(f"\t{{rank=min; {'; '.join(pinned)}}}\n")
    for r, names in enumerate(ranks):
        rest = [n for n in names if n not in pinned] if r == 0 else names
        if len(rest) > 1:
            dot.body.append(f"\t{{rank=same; {'; '.join(rest)}}}\n")
        for a, b in zip(names, names[1:]):
            dot.edge(a, b, style="invis", minlen="0")


def _network_node(
    title: str, rows: list[str], colour: str, bold_border: bool = False, chars: int = 0
) -> str:
    """A network node's table, at least `chars` characters wide (an even number of pt)."""
    width = 2 * math.ceil(max(chars, len(title), *map(len, rows)) * _CHAR_W / 2) + 4
    cells = [f'<TR><TD WIDTH="{width}"><B>{html.escape(title)}</B></TD></TR>']
    cells += [f'<TR><TD ALIGN="LEFT">{html.escape(r)}</TD></TR>' for r in rows]
    border = "2" if bold_border else "0"
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2"'
        f' BGCOLOR="{colour}">{"".join(cells)}</TABLE>>'
    )


def draw_network(
    model: object,
    *,
    input_names: Sequence[str] | None = None,
    neuron_names: Sequence[Sequence[str]] | None = None,
    show_grad: bool | None = None,
    precision: int = 4,
    size: float | None = None,
) -> ValueGraph:
    """The classic picture of a network: inputs, neurons by layer, one edge per weight.

    `model` is anything with `layers`, each with `neurons`, each with weights `w`
    and bias `b` (an `nn.MLP`). Each edge runs through a box (node
    `L{layer}N{i}w{k}`) with the weight's label (or `w{k}`; an nn label without
    the neuron's place) and value, and its gradient when `show_grad` (default:
    when any parameter has a nonzero gradient); its width grows with |w|, blue
    for positive, red for negative. Each neuron shows its activation and bias.
    Inputs and neurons are drawn in index order, top to bottom. Inputs are named
    `input_names` (default x0, x1, ...), neurons `neuron_names[layer][i]`
    (default L{layer}.N{i}). Nodes are `in{k}` and `L{layer}N{i}`.
    """
    layers = [list(getattr(layer, "neurons", ())) for layer in getattr(model, "layers", ())]
    if not layers or not all(layers):
        raise ValueError(
            "draw_network(): the model needs layers of neurons (model.layers[i].neurons), "
            f"as nn.MLP has; got {type(model).__name__}"
        )
    nin = len(layers[0][0].w)
    names_in = list(input_names) if input_names is not None else [f"x{k}" for k in range(nin)]
    if len(names_in) != nin:
        raise ValueError(f"draw_network(): {len(names_in)} input names for {nin} inputs")
    if neuron_names is not None and [len(n) for n in neuron_names] != [len(n) for n in layers]:
        raise ValueError("draw_network(): neuron_names needs one name per neuron, layer by layer")
    if size is not None and not (isinstance(size, (int, float)) and 0 < size < math.inf):
        raise ValueError(f"draw_network(): size must be a positive width in px, not {size!r}")
    params = [p for layer in layers for n in layer for p in (*n.w, n.b)]
    if show_grad is None:
        show_grad = any(getattr(p.grad, "data", p.grad) != 0 for p in params)
    biggest = max((abs(w.data) for layer in layers for n in layer for w in n.w), default=0.0)
    if not biggest > 0 or math.isinf(biggest):
        biggest = 1.0

    texts = [
        [
            [_weight_text(w, k, f"L{li}.N{i}.", precision, show_grad) for k, w in enumerate(n.w)]
            for i, n in enumerate(layer)
        ]
        for li, layer in enumerate(layers)
    ]
    cards = [
        [_neuron_card(n, li, i, neuron_names, precision, show_grad) for i, n in enumerate(layer)]
        for li, layer in enumerate(layers)
    ]
    # one width for every weight label, for the inputs and for each layer's neurons: edges
    # end where the layout puts their ports only on nodes as wide as the rest of their
    # rank (Graphviz 2.43)
    chars = max(len(t) for layer in texts for n in layer for w in n for t in w)
    label_width = 2 * math.ceil(chars * _CHAR_W / 2) + 2
    card_chars = [max(len(t) for name, rows in layer for t in [name, *rows]) for layer in cards]
    graph_attr = {"rankdir": "LR", "ranksep": "0.45", "nodesep": "0.12", "splines": "true"}
    if size is not None:
        graph_attr["size"] = f"{size / 96:.4g},10000"
    dot = ValueGraph(
        graph_attr=graph_attr,
        node_attr={"fontname": FONT, "fontsize": str(FONTSIZE), "shape": "plain"},
        edge_attr={"arrowhead": "none", "tailport": "e", "headport": "w"},
    )
    previous = [f"in{k}" for k in range(nin)]
    for k, name in enumerate(names_in):
        dot.node(
            previous[k],
            label=_network_node(name, ["input"], COLOURS["leaf"], chars=max(map(len, names_in))),
        )
    ranks = [previous]
    for li, layer in enumerate(layers):
        ids = [f"L{li}N{i}" for i in range(len(layer))]
        last = li == len(layers) - 1
        # each weight's label is a node its edge runs through, just before the neuron;
        # neighbouring neurons' labels alternate between two columns, so labels stack
        # one neuron's weights high rather than every weight of the layer
        columns: list[list[str]] = [[] for _ in range(min(2, len(layer)))]
        for i, n in enumerate(layer):
            if len(n.w) != len(previous):
                raise ValueError(
                    f"draw_network(): layer {li} neuron {i} has {len(n.w)} weights "
                    f"for {len(previous)} inputs"
                )
            name, rows = cards[li][i]
            colour = COLOURS["output"] if last else COLOURS["param"]
            dot.node(ids[i], label=_network_node(name, rows, colour, last, card_chars[li]))
            column = i % len(columns)
            for k, w in enumerate(n.w):
                text = texts[li][i][k]
                edge = {
                    "penwidth": f"{0.6 + 3.4 * min(abs(w.data) / biggest, 1.0):.2f}",
                    "color": "#1f5fbf" if w.data >= 0 else "#c0392b",
                    "tooltip": _escstring(
                        f"{w.label or f'w{k}'}: data = {w.data!r}"
                        f"\ngrad = {getattr(w.grad, 'data', w.grad)!r}"
                    ),
                }
                wid = f"{ids[i]}w{k}"
                dot.node(wid, label=_weight_label(text, edge["color"], label_width))
                dot.edge(previous[k], wid, minlen=str(1 + column), **edge)
                dot.edge(wid, ids[i], minlen=str(len(columns) - column), **edge)
                columns[column].append(wid)
        ranks += [*columns, ids]
        previous = ids
    _fix_order(dot, ranks, ranks[0])
    return dot


def _neuron_card(
    n: object,
    li: int,
    i: int,
    neuron_names: Sequence[Sequence[str]] | None,
    precision: int,
    show_grad: bool,
) -> tuple[str, list[str]]:
    """A neuron's name and rows: its activation, its bias and the bias's gradient."""
    name = neuron_names[li][i] if neuron_names is not None else f"L{li}.N{i}"
    act = getattr(n, "activation", "")
    rows = [act if isinstance(act, str) else getattr(act, "__name__", "custom")]
    bias = _own_name(n.b.label, f"L{li}.N{i}.") or "b"
    rows.append(f"{bias} {format_number(n.b.data, precision)}")
    if show_grad:
        rows.append(f"grad {bias} {format_number(n.b.grad, precision)}")
    return name, rows


def _weight_text(w: Value, k: int, place: str, precision: int, show_grad: bool) -> list[str]:
    """The lines of weight `k`'s label on a neuron at `place`: name and value, its grad."""
    lines = [f"{_own_name(w.label, place) or f'w{k}'} {format_number(w.data, precision)}"]
    return lines + ([f"grad {format_number(w.grad, precision)}"] if show_grad else [])


def _own_name(label: str, place: str) -> str:
    """A parameter's label without its neuron's place (`L0.N1.w0` on neuron L0.N1: `w0`)."""
    return label[len(place) :] if label.startswith(place) and len(label) > len(place) else label


def _weight_label(lines: list[str], colour: str, width: int) -> str:
    """A weight's label, framed in its edge's colour (the edge runs through it)."""
    text = '<BR ALIGN="LEFT"/>'.join(html.escape(t) for t in lines)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="1" BGCOLOR="white">'
        f'<TR><TD COLOR="{colour}" WIDTH="{width}">{text}<BR ALIGN="LEFT"/></TD></TR></TABLE>>'
    )


def network_svg(model: object, *, renderer: str | None = None, **kw) -> str:
    """`draw_network(model, **kw)` as SVG text."""
    return _layout(draw_network(model, **kw).source, "svg", renderer).decode()


def to_svg(root: Value, *, renderer: str | None = None, **kw) -> str:
    """The drawing of `root`'s graph as SVG text (`kw` as for `draw_dot`)."""
    return _layout(draw_dot(root, **kw).source, "svg", renderer).decode()


def render(root: Value, path: str | os.PathLike, *, renderer: str | None = None, **kw) -> Path:
    """Write the drawing to `path`: `.svg`, `.png`, DOT text for `.dot`/`.gv`, or the
    interactive explorer (`autograd.explore`) for `.html`."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        return WRITERS[".html"](root, path, renderer=renderer, **kw)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"render(): cannot write {path.name!r}: "
            f"the suffix must be one of {', '.join(FORMATS)}, .html"
        )
    source = draw_dot(root, **kw).source
    data = source.encode() if fmt == "dot" else _layout(source, fmt, renderer)
    path.write_bytes(data)
    return path
