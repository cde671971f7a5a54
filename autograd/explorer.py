"""Step through backprop: one self-contained HTML page for any graph.

`explore(root)` shows the graph drawn by `autograd.draw`, with buttons and keys
to step through the forward pass and then the backward pass, the chain rule
with numbers at each step, node inspection, and a slider per leaf that
recomputes both passes in the page. The page makes no network request: its
script and style (explore.js, explore.css beside this file) are inlined when it
is written, and its JavaScript evaluator is generated from the op table
(`autograd.opspec`), so the page and the engine share one description of every op.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from numbers import Real
from pathlib import Path

from .engine import Value, topological_order
from .opspec import FUNCTIONS, SPECS, spec_for, to_js
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

    Keyword arguments go to `autograd.draw.draw_dot` (e.g. `max_nodes`, `rankdir`).
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
    from .draw import to_svg

    if not isinstance(root, Value):
        raise TypeError(f"explore() needs a Value, got {type(root).__name__}: {root!r}")
    kw.setdefault("show_grad", True)
    svg = to_svg(root, renderer=renderer, **kw)  # refuses graphs past max_nodes, as draw_dot does
    svg = svg[svg.find("<svg") :]  # drop the XML prolog and doctype
    data = graph_json(root)
    name = title or root.label or "output"
    css = (_HERE / "explore.css").read_text(encoding="utf-8")
    js = (_HERE / "explore.js").read_text(encoding="utf-8")
    script = rules_js() + "\n" + js
    if _SCRIPT_UNSAFE.search(script) or "</style" in css.lower():
        raise RuntimeError("explore: the inlined script or style would end its element early")
    return _TEMPLATE.format(
        title=html.escape(f"valuegrad explorer: {name}"),
        css=css,
        svg=svg,
        data=safe_json(data),
        script=script,
    )


def safe_json(obj: object) -> str:
    """JSON that can sit inside a <script> element: no `<`, `>`, `&`, U+2028/9 as such."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def rules_js() -> str:
    """The op table as JavaScript: `VG_RULES(F)` gives each op's forward and gradient functions,
    every formula translated by `opspec.to_js` (F: the functions Math lacks, in explore.js)."""
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
    return key, None


def _trace(root: Value, nodes: list[Value], ids: dict[int, int]):
    """Run the engine's own closures once from a fresh start (grads restored afterwards).

    Returns the backward order (node indices) and, per step, each parent's grad after it.
    """
    order = [v for v in topological_order(root, leaves=False) if v._bw is not None]
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


def graph_json(root: Value) -> dict:
    """What the page needs: each node's op, parents, constant, label and recorded numbers."""
    nodes = topological_order(root)
    ids = {id(v): i for i, v in enumerate(nodes)}
    out = []
    for i, v in enumerate(nodes):
        rule, lin = _rule(v, ids)
        c = v._ctx if isinstance(v._ctx, Real) and not isinstance(v._ctx, bool) else None
        out.append(
            {
                "name": v.label.replace("\n", " ") if v.label else f"v{i}",
                "label": v.label,
                "op": v._op if v._prev else "",
                "parents": [ids[id(p)] for p in v._prev],
                "c": None if c is None else _num(c),
                "data": _num(v.data),
                "rule": rule,
                "lin": lin,
            }
        )
    order, trace = _trace(root, nodes, ids)
    specs = {f"{k[0]}|{k[1]}": {"math": s.math, "dmath": list(s.dmath)} for k, s in SPECS.items()}
    return {"nodes": out, "root": len(nodes) - 1, "order": order, "trace": trace, "specs": specs}


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
<label class="vg-fit"><input type="checkbox" id="vg-fit"> fit width</label>
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
<div id="vg-inputs"></div><button type="button" id="vg-reset-inputs">reset inputs</button></section>
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
