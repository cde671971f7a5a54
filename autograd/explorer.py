"""Step through backprop: one self-contained HTML page for any graph.

`explore(root)` shows the graph drawn by `autograd.draw`, with buttons and keys
to step through the forward pass and then the backward pass, the chain rule
with numbers at each step, node inspection, and a slider per leaf that
recomputes both passes in the page. The page makes no network request: its
script (autograd/js/*.js, by concern) and style (explore.css) are inlined when it
is written, and its JavaScript evaluator is generated from the op table
(`autograd.opspec`), so the page and the engine share one description of every op.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from numbers import Real
from pathlib import Path

from .engine import Value
from .opspec import FUNCTIONS, SPECS, evaluate, spec_for, to_js
from .writers import WRITERS

__all__ = ["explore", "write_html", "page", "Explorer"]

_HERE = Path(__file__).parent
_JS_ARGS = ("a", "b", "c", "out", "g", "w", "x")
# Inside a <script> element only these could end it early or open a comment.
_SCRIPT_UNSAFE = re.compile(r"</|<!--|-->", re.IGNORECASE)
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}  # fmt: skip


class Explorer:
    """An explorer page: shows itself inline in Jupyter, `.save(path)` writes it."""

    def __init__(self, html_text: str, height: int = 760) -> None:
        self.html = html_text
        self.height = height

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page (one self-contained HTML file) to `path`."""
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # srcdoc: the page's script runs in its own document, isolated from the notebook
        # (sandboxed without same-origin), and the cell output stays plain HTML.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ddd;resize:vertical" '
            'sandbox="allow-scripts" title="valuegrad explorer"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<valuegrad explorer page, {len(self.html)} characters>"


def explore(root: Value, **kw) -> Explorer:
    """An interactive page for stepping through `root`'s forward and backward pass.

    Keyword arguments go to `autograd.draw.draw_dot` (e.g. `max_nodes`, `rankdir`,
    `depth=k`: only the last k ops, the values they start from drawn in dashed cells).

    `params` (e.g. `model.parameters()`) are the leaves the page's update step changes,
    as the lecture's training loop does after `backward()`: `p.data -= lr * p.grad` for
    each, grads zeroed, forward and backward again, the output (the loss) listed per
    update. Without `params`, the leaves labelled as `nn` labels parameters (`w0`, `b`,
    `L0.N1.w0`, at least one weight among them) are the parameters, so the lecture's
    neuron updates w1, w2 and b and not its inputs x1, x2; where no leaf is so labelled
    the page says so and offers to update every leaf. A `depth=` page has no update
    step: its cut values hang on parameters above the shown ops.
    """
    text = page(root, **kw)
    return Explorer(text, height=_height(text))


def _height(text: str) -> int:
    """A notebook frame's height for the page: the drawing (up to a limit) plus the panels."""
    m = re.search(r'<svg width="[^"]*" height="([0-9.]+)pt"', text)
    drawing = float(m.group(1)) * 4 / 3 if m else 300.0
    return int(min(drawing + 40, 480) + 380)


def write_html(root: Value, path: str | os.PathLike, **kw) -> Path:
    """Write the explorer page for `root` to `path` (what `render(root, "g.html")` does)."""
    return Explorer(page(root, **kw)).save(path)


def page(root: Value, *, title: str | None = None, renderer: str | None = None, **kw) -> str:
    """The explorer as HTML text: the drawing, the graph as JSON, inlined script and style."""
    from .draw import DEFAULT_MAX_NODES, drawn_values, to_svg, widest_number

    if not isinstance(root, Value):
        raise TypeError(f"explore() needs a Value, got {type(root).__name__}: {root!r}")
    kw.setdefault("show_grad", True)
    kw.setdefault("fixed_width", True)  # the page changes the numbers: room for any of them
    if kw.get("params") is not None:
        kw["params"] = list(kw["params"])  # read twice: here and by the drawing
    nodes, _ = drawn_values(root, kw.get("depth"), kw.get("max_nodes", DEFAULT_MAX_NODES))
    data = graph_json(root, depth=kw.get("depth"), params=kw.get("params"))
    if kw.get("params") is None:  # the drawing colours the parameters the page updates
        kw["params"] = [nodes[i] for i in data["update"]["params"]]
    kw["names"] = [None if nd["label"] else nd["name"] for nd in data["nodes"]]
    svg = to_svg(root, renderer=renderer, **kw)
    svg = svg[svg.find("<svg") :]  # drop the XML prolog and doctype
    data["number_width"] = widest_number(kw.get("precision", 4)) if kw["fixed_width"] else 0
    name = title or root.label or "output"
    css = (_HERE / "explore.css").read_text(encoding="utf-8")
    script = rules_js() + "\n" + page_script()
    if _SCRIPT_UNSAFE.search(script) or "</style" in css.lower():
        raise RuntimeError("explore: the inlined script or style would end its element early")
    return _TEMPLATE.format(
        title=html.escape(f"valuegrad explorer: {name}"),
        css=css,
        svg=svg,
        data=safe_json(data),
        script=script,
    )


# The page's script, by concern (autograd/js/): parts of one function scope, in this order.
JS_FILES = (
    "numbers.js",
    "evaluator.js",
    "drawing.js",
    "stepping.js",
    "inspect.js",
    "inputs.js",
    "update.js",
    "zoom.js",
    "controls.js",
)
_JS_HEAD = """/* valuegrad explorer: step through the forward and backward pass of one graph.
 * The page carries the graph as JSON (#vg-data) and the op table as VG_RULES, generated
 * from autograd/opspec.py at page-write time: the script knows no op's rule itself.
 * Every label and number reaches the page as text (textContent), never as markup. */
(function () {
  "use strict";
"""


def page_script(files: tuple[str, ...] = JS_FILES) -> str:
    """The explorer's script: the files of autograd/js/ joined in one function scope."""
    parts = [(_HERE / "js" / name).read_text(encoding="utf-8") for name in files]
    return _JS_HEAD + "\n".join(parts) + "})();\n"


def safe_json(obj: object) -> str:
    """JSON that can sit inside a <script> element: no `<`, `>`, `&`, U+2028/9 as such."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def rules_js() -> str:
    """The op table as JavaScript: `VG_RULES(F)` gives each op's forward and gradient functions,
    every formula translated by `opspec.to_js` (F: the functions Math lacks, js/evaluator.js)."""
    allowed = set(_JS_ARGS) | set(FUNCTIONS)
    entries = []
    for (op, form), s in SPECS.items():
        for expr in (s.forward, *s.grads):
            words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr))
            unknown = words - allowed - {"if", "else", "not"}
            if unknown:
                raise ValueError(f"explore: the formula {expr!r} uses unknown names {unknown}")
        sig = ", ".join(_JS_ARGS)
        fwd = f"function ({sig}) {{ return {to_js(s.forward)}; }}"
        grads = ", ".join(f"function ({sig}) {{ return {to_js(e)}; }}" for e in s.grads)
        entries.append(f"    {json.dumps(op + '|' + form)}: {{f: {fwd}, g: [{grads}]}}")
    body = ",\n".join(entries)
    return f"function VG_RULES(F) {{\n  return {{\n{body}\n  }};\n}}"


def _num(x: object) -> float | str:
    """A float for JSON: finite numbers as numbers, nan and ±inf as strings."""
    x = float(getattr(x, "data", x))
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _rule(v: Value, ids: dict[int, int]) -> tuple[str | None, dict | None]:
    """The table entry for `v` ("op|form") and, for `linear`, its terms; None if none fits."""
    if not v._prev:
        return None, None
    spec = spec_for(v._op, len(v._prev), v._ctx)
    if spec is None:
        return None, None
    key = f"{spec.op}|{spec.form}"
    n = len(v._prev)
    if spec.form == "vv" and n != 2 or spec.form in ("v", "vc") and n != 1:
        return None, None
    if spec.form == "vc" and not (isinstance(v._ctx, Real) and not isinstance(v._ctx, bool)):
        return None, None
    if spec.form == "v" and v._ctx is not None:
        return None, None
    if v._op == "linear":
        try:
            ws, xs, b = v._ctx
            terms = [
                [ids[id(w)], ids[id(x)], None]
                if isinstance(x, Value)
                else [ids[id(w)], None, _num(x)]
                for w, x in zip(ws, xs, strict=True)
            ]
            inputs = [x for x in xs if isinstance(x, Value)]
            parents = [*ws, *inputs, *([b] if b is not None else [])]
        except (TypeError, ValueError, KeyError):
            return None, None
        if [id(p) for p in parents] != [id(p) for p in v._prev]:
            return None, None
        return key, {"terms": terms, "bias": ids[id(b)] if b is not None else None}
    if v._op == "sum":  # start + v0 + v1 + ..., constants among them
        try:
            start, vs = v._ctx
            terms = [[ids[id(x)], None] if isinstance(x, Value) else [None, _num(x)]
                     for x in (start, *vs)]  # fmt: skip
        except (TypeError, ValueError, KeyError):
            return None, None
        if [t[0] for t in terms if t[0] is not None] != [ids[id(p)] for p in v._prev]:
            return None, None
        return key, {"terms": terms}
    return key, None


def _trace(root: Value, nodes: list[Value], ids: dict[int, int], cut: set[int]):
    """Run the engine's own closures once from a fresh start (grads restored afterwards),
    those of the shown ops only (a cut value's closure is outside the page).

    Returns the backward order (node indices) and, per step, each parent's grad after it.
    """
    order = [v for v in nodes if v._prev and id(v) not in cut and v._bw is not None]
    saved = [v.grad for v in nodes]
    try:
        for v in nodes:
            v.grad = 0.0
        root.grad = 1.0
        steps = []
        for v in reversed(order):
            v._bw(v.grad)
            seen: dict[int, None] = dict.fromkeys(id(p) for p in v._prev)
            steps.append([[ids[pid], _num(nodes[ids[pid]].grad)] for pid in seen])
        return [ids[id(v)] for v in order], steps
    except Exception:  # a freed graph (retain_graph=False) or a custom closure that fails
        return [ids[id(v)] for v in order], None
    finally:
        for v, g in zip(nodes, saved):
            v.grad = g


def graph_json(
    root: Value, depth: int | None = None, params: Iterable[Value] | None = None
) -> dict:
    """What the page needs: each node's op, parents, constant, label and recorded numbers,
    and which leaves its update step changes (`update`, see `explore`).

    With `depth=k`, only the values `draw_dot(root, depth=k)` draws, in its order (so
    node i is the drawing's `v{i}`); the cut values are the page's inputs ("cut": the op
    that made them), and grads are d root / d value with the cut values held fixed.
    """
    from .draw import drawn_values

    nodes, cut = drawn_values(root, depth, max_nodes=sys.maxsize)  # page() bounds the size
    ids = {id(v): i for i, v in enumerate(nodes)}
    out = []
    for i, v in enumerate(nodes):
        is_op = bool(v._prev) and id(v) not in cut
        rule, lin = _rule(v, ids) if is_op else (None, None)
        c = v._ctx if isinstance(v._ctx, Real) and not isinstance(v._ctx, bool) else None
        out.append(
            {
                "name": v.label.replace("\n", " ") if v.label else f"v{i}",
                "label": v.label,
                "op": v._op if is_op else "",
                "cut": v._op if id(v) in cut else None,
                "parents": [ids[id(p)] for p in v._prev] if is_op else [],
                "c": None if c is None or not is_op else _num(c),
                "data": _num(v.data),
                "rule": rule,
                "lin": lin,
            }
        )
    _name_by_expression(nodes, out, cut)
    order, trace = _trace(root, nodes, ids, cut)
    specs = {f"{k[0]}|{k[1]}": {"math": s.math, "dmath": list(s.dmath)} for k, s in SPECS.items()}
    checks = _checks(nodes, out, order) if trace is not None else []
    return {
        "nodes": out,
        "root": len(nodes) - 1,
        "order": order,
        "trace": trace,
        "specs": specs,
        "checks": checks,
        "update": _update(nodes, cut, params),
    }


# How a parameter is labelled by its place in a model (L0.N1.w0, b): nn.modules labels its
# parameters with this pattern; the update step takes such leaves as the parameters.
PARAM_LABEL = re.compile(r"(L\d+\.)?(N\d+\.)?(w\d+|b)")


def _update(nodes: list[Value], cut: set[int], params: Iterable[Value] | None) -> dict:
    """The update step's parameters (node indices) and how they were chosen: "given"
    (`params=`), "named" (labelled as nn labels them), or "none"; `cut`: a depth= page."""
    ids = {id(v): i for i, v in enumerate(nodes)}
    if params is None:
        named = [i for i, v in enumerate(nodes)
                 if not v._prev and v.label and PARAM_LABEL.fullmatch(v.label)]  # fmt: skip
        # a lone `b` among `a`, `c` is a variable; beside a weight it is a bias
        if not any("w" in nodes[i].label.rsplit(".", 1)[-1] for i in named):
            named = []
        return {"params": named, "how": "named" if named else "none", "cut": bool(cut)}
    chosen: list[int] = []
    for k, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(
                f"explore(params=...): params[{k}] is a {type(p).__name__}, not a Value: {p!r}"
            )
        who = f"params[{k}] ({p.label or 'unlabelled'}, data {p.data!r})"
        if p._prev:
            raise ValueError(
                f"explore(params=...): {who} is made by the op {p._op!r}; "
                "only leaves can be updated"
            )
        if id(p) not in ids:
            if cut:
                continue  # above the shown ops of a depth= page (which has no update step)
            raise ValueError(f"explore(params=...): {who} is not in the graph of the output")
        if ids[id(p)] not in chosen:
            chosen.append(ids[id(p)])
    return {"params": chosen, "how": "given", "cut": bool(cut)}


NAME_CHARS = 24  # an unlabelled value is named by its expression up to this length
_ROLE = re.compile(r"(?<![A-Za-z0-9_.])([abc])(?![A-Za-z0-9_])")


def _name_by_expression(nodes: list[Value], out: list[dict], cut: set[int]) -> None:
    """Name each unlabelled value by its expression where short (`x1*w1 + x2*w2`), else
    `v{i}`; a composite name inside another is bracketed. A cut value's expression uses
    its parents' labels (they are not on the page), when they all have one."""
    _tell_apart(out, [nd for nd in out if nd["label"]])
    names: dict[int, str] = {}
    for i, v in enumerate(nodes):
        nd = out[i]
        if v.label:
            names[id(v)] = nd["name"]
            continue
        name = None
        with contextlib.suppress(KeyError, TypeError, ValueError):
            name = _expression(v, names if id(v) not in cut else {id(p): p.label for p in v._prev})
        names[id(v)] = nd["name"] = name if name and len(name) <= NAME_CHARS else f"v{i}"
    _tell_apart(out, [nd for nd in out if not nd["label"]])


def _tell_apart(out: list[dict], among: list[dict]) -> None:
    """Two values of one name (each neuron's `b1`) are told apart: b1#1, b1#2."""
    count = Counter(nd["name"] for nd in out)
    seen: Counter[str] = Counter()
    for nd in among:
        if count[nd["name"]] > 1:
            seen[nd["name"]] += 1
            nd["name"] = f"{nd['name']}#{seen[nd['name']]}"


def _expression(v: Value, names: dict[int, str]) -> str | None:
    def part(x: Value | float) -> str:
        if not isinstance(x, Value):
            c = repr(float(x)).removesuffix(".0")
            return f"({c})" if c.startswith("-") else c
        n = names[id(x)]
        if not n:
            raise KeyError(id(x))
        return n if re.fullmatch(r"[\w.*·#]+", n) else f"({n})"

    if not v._prev:
        return None
    spec = spec_for(v._op, len(v._prev), v._ctx)
    if spec is None:
        return None
    if v._op == "sum":
        start, vs = v._ctx
        terms = [x for x in (start, *vs) if isinstance(x, Value) or float(x) != 0.0]
        return " + ".join(part(x) for x in terms)
    if v._op == "linear":
        ws, xs, b = v._ctx
        terms = [f"{part(w)}·{part(x)}" for w, x in zip(ws, xs)]
        return " + ".join([*terms, *([part(b)] if b is not None else [])])
    if re.fullmatch(r"\w+\(a\)", spec.math):  # tanh(a): the brackets are there already
        return spec.math.replace("(a)", f"({names[id(v._prev[0])] or part(v._prev[0])})")
    roles = {"a": part(v._prev[0])}
    if len(v._prev) > 1:
        roles["b"] = part(v._prev[1])
    if spec.form == "vc":
        roles["c"] = part(v._ctx)
    if spec.math in ("a × b", "a × c"):  # as a learner writes it: x1*w1
        return f"{roles['a']}*{roles.get('b', roles.get('c'))}"
    return _ROLE.sub(lambda m: roles[m.group(1)], spec.math)


CHECK_POINTS = 2  # extra points at which the page's evaluator is compared to the Python side


def _checks(nodes: list[Value], out: list[dict], order: list[int]) -> list[dict]:
    """Every value and grad at a few other leaf points, computed in Python from the engine's
    own record of each node (its parents and `_ctx` terms, constants included) and the op
    table's formulas; the page compares its evaluator to these when it loads."""
    leaves = [i for i, nd in enumerate(out) if not nd["parents"]]
    if any(nd["parents"] and nd["rule"] is None for nd in out):
        return []  # a custom op: the page's sliders are off anyway
    points = []
    for k in range(CHECK_POINTS):
        start = {}
        for q, i in enumerate(leaves):
            x = float(nodes[i].data)
            x = x if math.isfinite(x) else 1.0
            # one point near the recorded one, one of small numbers (constants show there)
            start[i] = x * 0.75 + 0.125 * (-1) ** q if k == 0 else 0.3 + 0.17 * (q % 5)
        try:
            data, grad = _replay(nodes, out, order, start)
        except (ArithmeticError, ValueError):
            continue  # outside an op's domain at this point
        points.append(
            {
                "leaves": [_num(start[i]) for i in leaves],
                "data": [_num(x) for x in data],
                "grad": [_num(x) for x in grad],
            }
        )
    return points


def _replay(nodes: list[Value], out: list[dict], order: list[int], start: dict[int, float]):
    """Forward and backward at new leaf numbers, with the table's Python formulas."""
    data = [float(v.data) for v in nodes]
    for i, x in start.items():
        data[i] = x
    ids = {id(v): i for i, v in enumerate(nodes)}

    def _d(x: Value | float) -> float:
        return data[ids[id(x)]] if isinstance(x, Value) else float(x)

    ops = [i for i, nd in enumerate(out) if nd["parents"]]
    specs = {i: SPECS[tuple(out[i]["rule"].split("|"))] for i in ops}
    for i in ops:
        v, s = nodes[i], specs[i]
        if s.form == "n" and v._op == "sum":
            st, vs = v._ctx
            terms = [_d(x) for x in (st, *vs)]
            acc = terms[0]
            for t in terms[1:]:
                acc = evaluate(s.forward, a=acc, b=t)
        elif s.form == "n":
            ws, xs, b = v._ctx
            acc = _d(b) if b is not None else 0.0
            for w, x in zip(ws, xs):
                acc = evaluate(s.forward, b=acc, w=_d(w), x=_d(x))
        else:
            p = out[i]["parents"]
            c = v._ctx if s.form == "vc" else 0.0
            acc = evaluate(s.forward, a=data[p[0]], b=data[p[1]] if len(p) > 1 else 0.0, c=c)
        data[i] = float(acc)
    grad = [0.0] * len(nodes)
    grad[-1] = 1.0
    for i in reversed(order):
        v, s, g, o, p = nodes[i], specs[i], grad[i], data[i], out[i]["parents"]
        if s.form == "n" and v._op == "sum":
            for q in p:
                grad[q] += evaluate(s.grads[0], g=g, out=o)
        elif s.form == "n":
            ws, xs, b = v._ctx
            for w, x in zip(ws, xs):
                env = {"g": g, "out": o, "w": _d(w), "x": _d(x)}
                grad[ids[id(w)]] += evaluate(s.grads[0], **env)
                if isinstance(x, Value):
                    grad[ids[id(x)]] += evaluate(s.grads[1], **env)
            if b is not None:
                grad[ids[id(b)]] += evaluate(s.grads[2], g=g, out=o)
        else:
            env = {"a": data[p[0]], "b": data[p[1]] if len(p) > 1 else 0.0, "g": g, "out": o}
            env["c"] = v._ctx if s.form == "vc" else 0.0
            for q, expr in zip(p, s.grads):
                grad[q] += evaluate(expr, **env)
    return data, grad


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<div id="vg-app">
<div class="vg-bar" role="toolbar" aria-label="stepping">
<button type="button" id="vg-home" title="reset (Home)">&#x00AB; reset</button>
<button type="button" id="vg-prev" title="step back (&#x2190;)">&#x25C0; back</button>
<button type="button" id="vg-play" title="play / pause (space)">&#x25B6; play</button>
<button type="button" id="vg-next" title="step (&#x2192;)">step &#x25B6;</button>
<button type="button" id="vg-end" title="to the end (End)">end &#x00BB;</button>
<span id="vg-progress" aria-live="polite"></span>
<span class="vg-legend"><span class="vg-k vg-k-active">the op at work</span>\
<span class="vg-k vg-k-source">where its numbers come from</span>\
<span class="vg-k vg-k-target">what receives a gradient</span></span>
<span class="vg-zoom" role="group" aria-label="zoom">\
<button type="button" id="vg-zoom-out" title="zoom out (-)" aria-label="zoom out">&#x2212;</button>\
<button type="button" id="vg-zoom-in" title="zoom in (+)" aria-label="zoom in">+</button>\
<button type="button" id="vg-zoom-fit" title="fit the drawing in the box (0); \
Ctrl + wheel zooms, dragging pans">fit</button>\
<span id="vg-zoom-level">100%</span></span>
</div>
<div id="vg-error" class="vg-note vg-bad" hidden></div>
<div id="vg-graph">
{svg}
</div>
<div class="vg-panels">
<section id="vg-step-panel"><h2>This step</h2><div id="vg-chain"></div></section>
<section id="vg-inspect-panel"><h2>Node <span class="vg-hint">(hover or click one)</span></h2>\
<div id="vg-inspect"></div></section>
<section id="vg-inputs-panel"><h2>What if? <span class="vg-hint">(change an input)</span></h2>\
<div id="vg-slider-note" class="vg-note" hidden></div>\
<div id="vg-inputs"></div><button type="button" id="vg-reset-inputs">reset inputs</button>\
<div id="vg-update-panel"><h2>Update step <span class="vg-hint">(gradient descent)</span></h2>\
<div id="vg-update-note" class="vg-note" hidden></div>\
<div class="vg-update-row"><label for="vg-lr">lr</label>\
<input type="text" id="vg-lr" class="vg-leaf-box" value="0.1" inputmode="decimal" \
aria-label="learning rate">\
<button type="button" id="vg-update" title="p.data -= lr * p.grad (U)">update</button>\
<span id="vg-update-why" class="vg-hint"></span></div>\
<p id="vg-update-params" class="vg-hint"></p>\
<div id="vg-losses"></div></div></section>
</div>
</div>
<script type="application/json" id="vg-data">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""


WRITERS[".html"] = write_html  # render(root, "g.html"), without draw importing this module
