"""Drawings as a browser shows them: headless Chromium measures every SVG we make.

For each graph and both renderers: no network request and no console error;
every `<text>` inside its table cell or op ellipse; every edge end on its node's
outline; the README demo no wider than a 1,280 px notebook column. A
screenshot of each goes to the artifacts folder.
"""

from __future__ import annotations

import math
import os
import shutil

import pytest

from autograd import Value, demo
from autograd.draw import network_svg, to_svg

RENDERERS = ["dot", "graphviz-pure"]
TEXT_SLACK = 0.5  # pt a text may stick out of its cell
# Edge ends, signed (negative: inside the node), in pt from the node's outline (its
# cells' bounding box, or its ellipse). The head is the arrow's point as drawn,
# the stroke's miter included: Graphviz >= 7 pulls the arrowhead back so that
# point touches the outline; 2.43 (Debian's) puts the bare polygon vertex there,
# so its drawn point ends up to 2 pt inside the node's border.
EDGE_GAP = 1.0
ARROW_OVERLAP = 2.0
NOTEBOOK_WIDTH = 1280  # px

# Runs in the page: geometry of the SVG in its own user units (pt), width in px.
MEASURE_JS = r"""
() => {
  const svg = document.querySelector('svg');
  const out = {width: svg.getBoundingClientRect().width, texts: 0,
               overflows: [], gaps: [], edges: 0, nodes: 0};
  const rectOf = (el) => { const b = el.getBBox();
    return {x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height}; };
  const area = (r) => (r.x1 - r.x0) * (r.y1 - r.y0);
  const outlines = {};
  for (const g of svg.querySelectorAll('g.node')) {
    out.nodes += 1;
    const name = g.querySelector('title').textContent;
    const ell = g.querySelector('ellipse');
    const cells = [...g.querySelectorAll('polygon, rect, polyline, path')]
      .map(rectOf).filter((r) => area(r) > 0);
    if (ell) {
      const e = {cx: ell.cx.baseVal.value, cy: ell.cy.baseVal.value,
                 rx: ell.rx.baseVal.value, ry: ell.ry.baseVal.value};
      outlines[name] = {ellipse: e};
      for (const t of g.querySelectorAll('text')) {
        out.texts += 1;
        const b = rectOf(t);
        let worst = 0;
        for (const [x, y] of [[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]]) {
          const s = Math.hypot((x - e.cx) / e.rx, (y - e.cy) / e.ry);
          if (s > 1) worst = Math.max(worst, (s - 1) * Math.min(e.rx, e.ry));
        }
        if (worst > 0) out.overflows.push({node: name, text: t.textContent, by: worst});
      }
    } else {
      const box = cells.reduce((a, r) => ({x0: Math.min(a.x0, r.x0), y0: Math.min(a.y0, r.y0),
        x1: Math.max(a.x1, r.x1), y1: Math.max(a.y1, r.y1)}),
        {x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity});
      outlines[name] = {box};
      for (const t of g.querySelectorAll('text')) {
        out.texts += 1;
        const b = rectOf(t);
        const cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
        const around = cells.filter((r) => r.x0 <= cx && cx <= r.x1 && r.y0 <= cy && cy <= r.y1)
          .sort((p, q) => area(p) - area(q));
        if (!around.length) { out.overflows.push({node: name, text: t.textContent, by: Infinity});
                              continue; }
        const c = around[0];
        const by = Math.max(c.x0 - b.x0, b.x1 - c.x1, c.y0 - b.y0, b.y1 - c.y1);
        if (by > 0) out.overflows.push({node: name, text: t.textContent, by});
      }
    }
  }
  const dist = (o, x, y) => {
    if (o.box) {
      const b = o.box;
      const dx = Math.max(b.x0 - x, 0, x - b.x1), dy = Math.max(b.y0 - y, 0, y - b.y1);
      if (dx || dy) return Math.hypot(dx, dy);
      return -Math.min(x - b.x0, b.x1 - x, y - b.y0, b.y1 - y);  // inside: negative
    }
    const e = o.ellipse;
    let best = Infinity;
    for (let i = 0; i < 2000; i++) {
      const a = 2 * Math.PI * i / 2000;
      const ex = e.cx + e.rx * Math.cos(a), ey = e.cy + e.ry * Math.sin(a);
      best = Math.min(best, Math.hypot(ex - x, ey - y));
    }
    return Math.hypot((x - e.cx) / e.rx, (y - e.cy) / e.ry) < 1 ? -best : best;
  };
  for (const g of svg.querySelectorAll('g.edge')) {
    out.edges += 1;
    const [tail, head] = g.querySelector('title').textContent.split('->')
      .map((end) => end.split(':')[0]);  // without a port
    const path = g.querySelector('path');
    const len = path.getTotalLength();
    const p0 = path.getPointAtLength(0), p1 = path.getPointAtLength(len);
    // the arrowhead's point as drawn: its tip vertex pushed on by the stroke's miter
    let tip = p1;
    const arrow = g.querySelector('polygon');
    if (arrow) {
      const pts = [...arrow.points].map((p) => ({x: p.x, y: p.y}));
      if (pts.length > 3) pts.pop();  // the closing point repeats the first
      let far = -1, k = 0;
      pts.forEach((p, i) => { const d = Math.hypot(p.x - p1.x, p.y - p1.y);
                              if (d > far) { far = d; k = i; } });
      const t = pts[k], a = pts[(k + 1) % pts.length], b = pts[(k + pts.length - 1) % pts.length];
      const ua = Math.atan2(a.y - t.y, a.x - t.x), ub = Math.atan2(b.y - t.y, b.x - t.x);
      let half = Math.abs(ua - ub) / 2;
      if (half > Math.PI / 2) half = Math.PI - half;
      const mx = (a.x + b.x) / 2 - t.x, my = (a.y + b.y) / 2 - t.y, m = Math.hypot(mx, my);
      const sw = parseFloat(getComputedStyle(arrow).strokeWidth) || 0;
      const miter = (sw / 2) / Math.sin(half);
      tip = {x: t.x - mx / m * miter, y: t.y - my / m * miter};
    }
    out.gaps.push({edge: tail + '->' + head, end: 'tail', gap: dist(outlines[tail], p0.x, p0.y)});
    out.gaps.push({edge: tail + '->' + head, end: 'head', gap: dist(outlines[head], tip.x, tip.y)});
  }
  return out;
}
"""


def measure(browser, svg: str, screenshot: str | None = None) -> dict:
    """Load `svg` in a fresh page with the network cut off; its geometry, requests, errors."""
    page = browser.new_page(viewport={"width": NOTEBOOK_WIDTH, "height": 800})
    requests: list[str] = []
    errors: list[str] = []

    def block(route):
        requests.append(route.request.url)
        route.abort()

    page.route("**/*", block)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.set_content(
            '<!doctype html><html><body style="margin:0;background:white">'
            f"{svg[svg.index('<svg') :]}</body></html>"
        )
        page.evaluate("document.fonts.ready")
        result = page.evaluate(MEASURE_JS)
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
    finally:
        page.close()
    result["requests"], result["errors"] = requests, errors
    return result


# -- the graphs ---------------------------------------------------------------


def demo_graph():
    """What `valuegrad demo` draws (and the README shows)."""
    o, _, params = demo.graph()
    return o, {"params": params}


def mlp_graph():
    """An unfused 2-3-1 tanh MLP with its loss, parameters labelled by hand as nn labels them."""
    import random

    rng = random.Random(3)
    xs = [Value(2.0, label="x0"), Value(-1.0, label="x1")]
    params = []
    layer_in = xs
    for li, (nin, nout) in enumerate([(2, 3), (3, 1)]):
        outs = []
        for ni in range(nout):
            ws = [Value(rng.uniform(-1, 1), label=f"L{li}.N{ni}.w{k}") for k in range(nin)]
            b = Value(0.0, label=f"L{li}.N{ni}.b")
            params += [*ws, b]
            act = sum((w * x for w, x in zip(ws, layer_in)), b)
            outs.append(act.tanh())
        layer_in = outs
    loss = (layer_in[0] - Value(1.0, label="y")) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, {"params": params}


def every_op_graph():
    """Every op the engine has, the reflected ones built by hand as the new engine makes them,
    odd labels and numbers that need the exponent form."""
    x = Value(1e-12, label='x <a> & "b"')
    y = Value(123456789.5, label="y|{z}\nsecond line")
    z = Value(0.75, label="z")
    rsub = Value(3.0 - z.data, (z,), "rsub", _ctx=3.0)
    rdiv = Value(2.0 / z.data, (z,), "rdiv", _ctx=2.0)
    parts = [
        x - y,
        y / z,
        z ** y.tanh(),
        2**z,
        -z,
        z - 3,
        z / 4,
        z**2,
        rsub,
        rdiv,
        (z * y).tanh(),
        z.exp().log(),
        z.sin() + z.cos(),
        z.sqrt() * z.abs(),
        z.relu() + z.sigmoid(),
    ]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    out = out + Value(math.nan, label="nan") + Value(math.inf, label="inf") * 0.5
    out.label = "out"
    out.backward()
    return out, {}


def chain_graph():
    x = Value(0.5, label="x")
    y = x
    for i in range(30):
        y = (y * 0.9 + 0.01).tanh() if i % 2 else y.sin()
    y.label = "y"
    y.backward()
    return y, {}


def mazur_network_svg(renderer: str) -> str:
    """Mazur's 2-2-2 network as `draw_network` draws it, w1..w8 as in his figure."""
    from nn import half_squared_error
    from nn.examples import MAZUR_INPUTS, MAZUR_TARGETS, mazur_network, weights

    model = mazur_network()
    for i, w in enumerate(weights(model), start=1):
        w.label = f"w{i}"
    half_squared_error(model(MAZUR_INPUTS), MAZUR_TARGETS).backward()
    names = [["h1", "h2"], ["o1", "o2"]]
    return network_svg(model, renderer=renderer, input_names=["i1", "i2"], neuron_names=names)


GRAPHS = {"demo": demo_graph, "mlp": mlp_graph, "every_op": every_op_graph, "chain": chain_graph}


def have(renderer: str) -> None:
    if renderer == "dot" and shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs the system Graphviz; `dot` should be on PATH")
        pytest.skip("no system Graphviz here")


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("name", [*GRAPHS, "mazur_network"])
def test_drawing_in_chromium(browser, artifacts, name, renderer):
    have(renderer)
    if name == "mazur_network":
        svg = mazur_network_svg(renderer)
    else:
        root, kw = GRAPHS[name]()
        svg = to_svg(root, renderer=renderer, **kw)
    m = measure(browser, svg, os.path.join(artifacts, f"draw-{name}-{renderer}.png"))
    assert m["requests"] == [] and m["errors"] == []
    assert m["nodes"] > 0 and m["edges"] > 0 and m["texts"] >= m["nodes"]
    too_far = [o for o in m["overflows"] if o["by"] > TEXT_SLACK]
    assert too_far == [], too_far[:5]
    gaps = [g for g in m["gaps"] if g["gap"] > EDGE_GAP]
    assert gaps == [], gaps[:5]
    tails = [g for g in m["gaps"] if g["end"] == "tail" and g["gap"] < -EDGE_GAP]
    assert tails == [], tails[:5]
    heads = [g for g in m["gaps"] if g["end"] == "head" and g["gap"] < -ARROW_OVERLAP]
    assert heads == [], heads[:5]
    if name in ("demo", "mazur_network"):
        assert m["width"] <= NOTEBOOK_WIDTH
    if name == "chain":  # a long chain is drawn top to bottom, not as a 2-metre strip
        assert m["width"] <= NOTEBOOK_WIDTH
