"""The explorer in EVERY state it can reach (issue 21, items 3-5), in headless Chromium with
requests blocked: at each step of stepping and after random slider moves, at 1280x800 and
390x844, every text of a value node stays inside its cell and every number drawn is the
engine's own, formatted as the drawing formats it (Python's formatting is the reference).
"""

from __future__ import annotations

import os
import random

import pytest
from test_explore_browser import Page, engine_steps, fmt

from autograd import Value
from autograd.demo import neuron
from autograd.draw import drawn_values, widest_number
from autograd.explorer import page
from nn import MLP, mse

TEXT_SLACK = 0.5  # pt a text may stick out of its cell (as in test_draw_browser)
VIEWPORTS = {"wide": (1280, 800), "phone": (390, 844)}


def lecture_neuron() -> Value:
    o, _ = neuron()
    o.backward()
    return o


def mlp_221(fused: bool) -> Value:
    model = MLP(2, [2, 1], seed=5, fused=fused)
    xs, ys = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]], [1.0, -1.0, 1.0]
    loss = mse([model(x) for x in xs], ys)
    loss.label = "loss"
    loss.backward()
    return loss


def micrograd_readme(a: float | Value = -4.0, b: float | Value = 2.0) -> Value:
    """The example at the top of micrograd's README, on our engine (its leaves a, b may be
    given, as numbers or as the Values to reuse)."""
    a = a if isinstance(a, Value) else Value(a, label="a")
    b = b if isinstance(b, Value) else Value(b, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    g.backward()
    return g


def big_mlp() -> Value:
    model = MLP(3, [6, 6, 1], seed=2, fused=False)
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
    loss = mse([model(x) for x in xs], [1.0, -1.0])
    loss.label = "loss"
    loss.backward()
    return loss


GRAPHS = {
    "neuron": (lecture_neuron, {}),
    "mlp221_fused": (lambda: mlp_221(True), {}),
    "mlp221_unfused": (lambda: mlp_221(False), {}),
    "micrograd_readme": (micrograd_readme, {}),
    "neuron_depth2": (lecture_neuron, {"depth": 2}),
    "mlp_depth3": (big_mlp, {"depth": 3}),
    "big": (big_mlp, {"max_nodes": 1000}),
}

# Runs in the page: steps through every state; per state, the drawn data/grad text of the
# nodes that step changes (all nodes at the start) and any text outside its cell. A text
# that a step leaves alone keeps its place, so this sees every text of every state.
WALK_JS = r"""
() => {
  const E = valuegradExplorer;
  const groups = {};
  for (const g of document.querySelectorAll('#vg-graph g.node')) {
    const m = /^v(\d+)$/.exec(g.querySelector('title').textContent);
    if (m) groups[+m[1]] = g;
  }
  const rect = (el) => { const b = el.getBBox();
    return {x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height}; };
  const area = (r) => (r.x1 - r.x0) * (r.y1 - r.y0);
  const cellsOf = {};
  for (const k in groups) cellsOf[k] = [...groups[k].querySelectorAll('polygon, path')]
    .map(rect).filter((r) => area(r) > 0);
  const look = (k) => {
    const texts = [...groups[k].querySelectorAll('text')];
    const over = [];
    for (const t of texts) {
      const b = rect(t), cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
      const around = cellsOf[k].filter((r) => r.x0 <= cx && cx <= r.x1 && r.y0 <= cy && cy <= r.y1)
        .sort((p, q) => area(p) - area(q));
      const c = around[0];
      const by = c ? Math.max(c.x0 - b.x0, b.x1 - c.x1, c.y0 - b.y0, b.y1 - c.y1) : Infinity;
      if (by > 0.5) over.push([+k, t.textContent, by]);
    }
    const s = texts.map((t) => t.textContent);
    return {data: s.filter((x) => x.startsWith('data')).pop(),
            grad: s.filter((x) => x.startsWith('grad')).pop(), over};
  };
  const states = [];
  for (let t = 0; t <= E.T; t++) {
    E.go(t);
    const keys = t === 0 || !E.changed ? Object.keys(groups) : E.changed(t).map(String);
    const seen = {};
    for (const k of keys) if (groups[k]) seen[k] = look(k);
    states.push(seen);
  }
  return states;
}
"""


def expected_states(root: Value, depth: int | None) -> tuple[list[Value], list[list[dict]]]:
    """Per state, each node's data and grad as the page must show them (None: not yet)."""
    nodes, cut = drawn_values(root, depth, 10**6)
    idx = {id(v): i for i, v in enumerate(nodes)}
    is_op = [bool(v._prev) and id(v) not in cut for v in nodes]
    data: list[float | None] = [None if op else v.data for v, op in zip(nodes, is_op)]
    grad: list[float | None] = [None] * len(nodes)
    states = [list(zip(data, grad))]
    for i, v in enumerate(nodes):
        if is_op[i]:
            data[i] = v.data
            states.append(list(zip(data, grad)))
    grad = [0.0] * len(nodes)
    grad[-1] = 1.0
    states.append(list(zip(data, grad)))
    if depth is None:
        for st in engine_steps(root):
            for p, g in st["after"].items():
                grad[p] = g
            states.append(list(zip(data, grad)))
    else:  # the window's own closures, the cut values held fixed: replayed here
        saved = [v.grad for v in nodes]
        try:
            for v in nodes:
                v.grad = 0.0
            root.grad = 1.0
            for v in reversed([v for v, op in zip(nodes, is_op) if op]):
                v._bw(v.grad)
                for p in v._prev:
                    grad[idx[id(p)]] = p.grad
                states.append(list(zip(data, grad)))
        finally:
            for v, g in zip(nodes, saved):
                v.grad = g
    return nodes, states


def shown(word: str, x: float | None) -> str:
    s = "\u00b7" if x is None else fmt(x)
    return f"{word} {s:>{widest_number()}}"


@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_state_fits_and_shows_the_engines_numbers(browser, artifacts, name):
    build, kw = GRAPHS[name]
    root = build()
    nodes, states = expected_states(root, kw.get("depth"))
    html = page(root, **kw)
    for view, (w, h) in VIEWPORTS.items():
        p = Page(browser, html)
        try:
            p.pg.set_viewport_size({"width": w, "height": h})
            assert len(states) == p.T + 1
            walked = p.pg.evaluate(WALK_JS)
            overflows = [o for st in walked for v in st.values() for o in v["over"]]
            assert overflows == [], overflows[:5]
            for t, st in enumerate(walked):
                for k, v in st.items():
                    d, g = states[t][int(k)]
                    assert v["data"].split() == shown("data", d).split(), (t, k)
                    assert v["grad"].split() == shown("grad", g).split(), (t, k)
            # random slider moves: every text still fits, at every state after them
            rnd = random.Random(21)
            boxes = p.pg.locator(".vg-leaf-box")
            if p.pg.evaluate("valuegradExplorer.slidersOn"):
                for _ in range(2):
                    q = rnd.randrange(boxes.count())
                    x = rnd.choice([1e-6, -3.7e5, 123.456, -0.0042, 7.0]) * rnd.choice([1, -1])
                    boxes.nth(q).fill(repr(x))
                    boxes.nth(q).press("Enter")
                    walked = p.pg.evaluate(WALK_JS)
                    overflows = [o for st in walked for v in st.values() for o in v["over"]]
                    assert overflows == [], overflows[:5]
            p.go(p.NF + 1 + min(3, p.T - p.NF - 1))
            p.pg.screenshot(path=os.path.join(artifacts, f"explore_states_{name}_{view}.png"))
            p.check_clean()
        finally:
            p.close()


VISIBLE_JS = r"""
(title) => {
  const g = [...document.querySelectorAll('#vg-graph g.node')]
    .find((n) => n.querySelector('title').textContent === title);
  const r = g.getBoundingClientRect();
  const b = document.getElementById('vg-graph').getBoundingClientRect();
  return r.left >= b.left - 1 && r.right <= b.right + 1
    && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
}
"""


def test_the_lecture_headline_number_is_in_view_and_big_graphs_open_on_the_output(browser):
    """Issue 21 items 4-5: x1's grad -1.5000 in view at its step at 1280x800; a 300+ value
    graph opens with its output in view."""
    o = lecture_neuron()
    p = Page(browser, page(o))
    try:
        p.pg.set_viewport_size({"width": 1280, "height": 800})
        p.pg.reload()  # the box is sized for the window at load
        p.pg.set_content(page(o), wait_until="load")
        p.go(p.T)
        title = next(f"v{i}" for i, nd in enumerate(_names(o)) if nd == "x1")
        assert p.pg.evaluate(VISIBLE_JS, title)
    finally:
        p.close()
    big = big_mlp()
    p = Page(browser, page(big, max_nodes=1000))
    try:
        assert p.pg.evaluate(VISIBLE_JS, f"v{len(_names(big)) - 1}")
        p.check_clean()
    finally:
        p.close()


def _names(root: Value) -> list[str]:
    return [v.label for v in drawn_values(root, None, 10**6)[0]]


def test_readme_picture_is_the_current_page(browser):
    """docs/explore.png (the README's picture) is written from today's page: the lecture's
    neuron at backward step 3 of 6, 1280 px wide (issue 21 item 8)."""
    p = Page(browser, page(lecture_neuron()))
    try:
        p.pg.set_viewport_size({"width": 1280, "height": 800})
        p.go(p.NF + 3)
        assert p.pg.inner_text("#vg-progress") == "backward step 3 of 6"
        path = os.path.join(os.path.dirname(__file__), "..", "docs", "explore.png")
        p.pg.screenshot(path=path, full_page=True)
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        p.check_clean()
    finally:
        p.close()
