"""The explorer's view of a big graph and of long names (issue 21 items 5 and 10), in
headless Chromium with requests blocked, at 1280x800 and 390x844: zoom and pan keep the
running op reachable and every text in its cell; the legend never moves; a long name is
cut with an ellipsis and given in full in a tooltip, never widening the page; cut values
of a depth= page are dashed; a leaf's grad never wraps.
"""

from __future__ import annotations

import pytest
from test_explore_browser import Page
from test_explore_states import VIEWPORTS, big_mlp, lecture_neuron
from test_explore_states import VISIBLE_JS as IN_VIEW_JS

from autograd import Value
from autograd.explorer import page

# Every text of every value node inside its smallest cell, on screen (client px), so at
# the current zoom; returns the texts that stick out by more than half a pt's worth (or
# 1 px: glyphs do not scale exactly at a small zoom).
FIT_ON_SCREEN_JS = r"""
() => {
  const z = valuegradExplorer.zoom, over = [];
  const area = (r) => r.width * r.height;
  for (const g of document.querySelectorAll('#vg-graph g.node')) {
    if (!/^v\d+$/.test(g.querySelector('title').textContent)) continue;
    const cells = [...g.querySelectorAll('polygon, path')].map((e) => e.getBoundingClientRect())
      .filter((r) => area(r) > 0);
    for (const t of g.querySelectorAll('text')) {
      const b = t.getBoundingClientRect(), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
      const c = cells.filter((r) => r.left <= cx && cx <= r.right && r.top <= cy && cy <= r.bottom)
        .sort((p, q) => area(p) - area(q))[0];
      const by = c ? Math.max(c.left - b.left, b.right - c.right, c.top - b.top,
        b.bottom - c.bottom) : Infinity;
      const name = g.querySelector('title').textContent;
      if (by > Math.max(1, 0.5 * 4 / 3 * z)) over.push([name, t.textContent, by]);
    }
  }
  return over;
}
"""


def working_title(p: Page, t: int) -> str:
    """The drawing's title of the node at work at step t: the op computing or running."""
    if t == p.NF + 1:  # the seed: the output
        return "v" + str(
            p.pg.evaluate("JSON.parse(document.getElementById('vg-data').textContent).root")
        )
    if t > p.NF + 1:
        return f"v{p.pg.evaluate('valuegradExplorer.running')}op"
    return f"v{p.pg.evaluate('t => valuegradExplorer.changed(t)[0]', t)}op"


def steps_to_check(p: Page) -> list[int]:
    ts = list(range(1, p.T + 1, max(1, p.T // 12)))
    return ts + [p.NF, p.NF + 1, p.NF + 2, p.T]


def drag_background(p: Page, dx: float, dy: float) -> None:
    """Press on an empty point of the drawing's box and drag by (dx, dy)."""
    spot = p.pg.evaluate(
        """() => {
          const b = document.getElementById('vg-graph').getBoundingClientRect();
          for (let y = b.top + 10; y < b.bottom - 10; y += 7)
            for (let x = b.left + 10; x < b.right - 10; x += 7) {
              const e = document.elementFromPoint(x, y);
              if (e && !e.closest('[data-vg-node]') && e.closest('#vg-graph')) return [x, y];
            }
          return null;
        }"""
    )
    assert spot is not None
    p.pg.mouse.move(*spot)
    p.pg.mouse.down()
    p.pg.mouse.move(spot[0] + dx / 2, spot[1] + dy / 2)
    p.pg.mouse.move(spot[0] + dx, spot[1] + dy)
    p.pg.mouse.up()


def scroll(p: Page) -> tuple[float, float]:
    return tuple(p.pg.evaluate("() => { const b = document.getElementById('vg-graph');"
                               " return [b.scrollLeft, b.scrollTop]; }"))  # fmt: skip


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_zoom_and_pan_keep_the_running_op_reachable_and_texts_in_cells(browser, artifacts, view):
    """Issue 21 item 5 on a 343-value graph: − / + / fit, Ctrl + wheel, keys, dragging."""
    root = big_mlp()
    p = Page(browser, page(root, max_nodes=1000))
    try:
        p.pg.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[view])))
        p.pg.reload()
        p.pg.set_content(page(root, max_nodes=1000), wait_until="load")
        out = p.pg.evaluate("JSON.parse(document.getElementById('vg-data').textContent).root")
        assert p.pg.evaluate(IN_VIEW_JS, f"v{out}")  # it opens on the output
        z0 = p.pg.evaluate("valuegradExplorer.zoom")
        for t in steps_to_check(p):  # as opened: stepping follows the running op
            p.go(t)
            assert p.pg.evaluate(IN_VIEW_JS, working_title(p, t)), ("as opened", t)
        p.pg.click("#vg-zoom-in")
        p.pg.click("#vg-zoom-in")
        assert p.pg.evaluate("valuegradExplorer.zoom") == pytest.approx(z0 * 1.25**2)
        assert p.pg.inner_text("#vg-zoom-level") == f"{round(z0 * 156.25)}%"
        for label, act in [
            ("zoomed in", lambda: None),
            ("panned", lambda: drag_background(p, -150, -120)),
            ("keys -", lambda: [p.pg.keyboard.press("-") for _ in range(3)]),
            (
                "ctrl+wheel",
                lambda: (
                    p.pg.hover("#vg-graph", position={"x": 100, "y": 60}),
                    p.pg.keyboard.down("Control"),
                    p.pg.mouse.wheel(0, -200),
                    p.pg.keyboard.up("Control"),
                ),
            ),  # fmt: skip
            ("button -", lambda: p.pg.click("#vg-zoom-out")),
        ]:
            before = (p.pg.evaluate("valuegradExplorer.zoom"), scroll(p))
            act()
            after = (p.pg.evaluate("valuegradExplorer.zoom"), scroll(p))
            assert label == "zoomed in" or after != before, label
            assert p.pg.evaluate(FIT_ON_SCREEN_JS) == [], label
            for t in steps_to_check(p):
                p.go(t)
                assert p.pg.evaluate(IN_VIEW_JS, working_title(p, t)), (label, t)
        p.pg.click("#vg-zoom-fit")  # the whole drawing in the box
        inside = p.pg.evaluate(
            """() => { const s = document.querySelector('#vg-graph svg').getBoundingClientRect();
                 const b = document.getElementById('vg-graph').getBoundingClientRect();
                 return s.left >= b.left && s.right <= b.right && s.top >= b.top
                   && s.bottom <= b.bottom; }"""
        )
        assert inside
        p.pg.screenshot(path=f"{artifacts}/explore_zoom_fit_{view}.png")
        p.check_clean()
    finally:
        p.close()
    # a drawing fitted at a zoom where text is readable (the big one's 3-10% is not)
    p = Page(browser, page(lecture_neuron()))
    try:
        p.pg.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[view])))
        p.pg.set_content(page(lecture_neuron()), wait_until="load")
        p.pg.keyboard.press("+")
        p.pg.keyboard.press("0")  # fit
        assert 0.2 < p.pg.evaluate("valuegradExplorer.zoom") <= 1
        for t in range(p.T + 1):
            p.go(t)
            assert p.pg.evaluate(FIT_ON_SCREEN_JS) == [], t
            assert p.pg.evaluate(IN_VIEW_JS, working_title(p, t) if t else "v0"), t
        p.check_clean()
    finally:
        p.close()


LEGEND_JS = r"""
() => {
  const E = valuegradExplorer, at = [];
  const where = () => { const r = document.querySelector('.vg-legend').getBoundingClientRect();
    return [r.left, r.top, r.width, r.height].map((x) => Math.round(x * 100) / 100).join(','); };
  for (let t = 0; t <= E.T; t++) { E.go(t); at.push(where()); }
  return at;
}
"""


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_the_legend_stays_put_in_every_state(browser, view):
    """Issue 21 item 10: the progress text changes length; the legend after it must not move
    (every step, after an update, after a zoom)."""
    for root, kw in [(lecture_neuron(), {}), (big_mlp(), {"max_nodes": 1000})]:
        p = Page(browser, page(root, **kw))
        try:
            p.pg.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[view])))
            p.pg.set_content(page(root, **kw), wait_until="load")
            places = p.pg.evaluate(LEGEND_JS)
            assert len(set(places)) == 1, sorted(set(places))[:4]
            p.pg.click("#vg-update")
            p.pg.click("#vg-zoom-out")
            places += p.pg.evaluate(LEGEND_JS)
            assert len(set(places)) == 1, sorted(set(places))[:4]
            p.check_clean()
        finally:
            p.close()


LONG = "a_really_long_learning_rate_schedule_parameter_" * 6 + "end"
LONG_OP = "the_product_of_the_long_input_and_b_" * 5 + "end"


def long_labels() -> Value:
    a = Value(2.0, label=LONG)
    b = Value(-3.0, label="b")
    c = a * b
    c.label = LONG_OP
    d = c.tanh()
    d.label = "d"
    d.backward()
    return d


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_long_labels_get_an_ellipsis_and_their_full_text_in_a_tooltip(browser, artifacts, view):
    root = long_labels()
    p = Page(browser, page(root))
    try:
        p.pg.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[view])))
        row = p.pg.locator(".vg-leaf-name").filter(has_text="a_really")
        assert row.get_attribute("title") == LONG
        assert row.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
        assert row.evaluate("e => e.scrollWidth > e.clientWidth")  # cut, with the ellipsis
        assert LONG in p.pg.get_attribute("#vg-update-note label", "title")
        for t in range(p.T + 1):
            p.go(t)
            assert p.pg.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[view][0]
            chain = p.pg.locator("#vg-chain")
            if LONG[:20] in chain.inner_text():
                assert "…" in chain.inner_text() and LONG in chain.get_attribute("title"), t
        p.pg.focus(f"#vg-graph [aria-label='value {LONG}']")
        p.pg.keyboard.press("Enter")  # pinned: the Node panel names it in full, wrapped
        assert LONG in p.pg.inner_text("#vg-inspect").replace("\n", "")
        assert "the_product_of_the_long…" in p.pg.inner_text("#vg-inspect")  # a consumer
        assert LONG_OP in p.pg.get_attribute("#vg-inspect", "title")
        assert p.pg.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[view][0]
        p.pg.screenshot(path=f"{artifacts}/explore_long_labels_{view}.png", full_page=True)
        p.check_clean()
    finally:
        p.close()


def test_cut_values_are_dashed_on_screen_in_every_state(browser):
    """`explore(o, depth=2)`: the docstring's dashed cut values, as the browser draws them."""
    p = Page(browser, page(lecture_neuron(), depth=2))
    try:
        cut = p.pg.evaluate(
            """() => JSON.parse(document.getElementById('vg-data').textContent).nodes
                 .map((nd, i) => nd.cut ? i : -1).filter((i) => i >= 0)"""
        )
        assert cut
        dashed_js = """() => [...document.querySelectorAll('#vg-graph g.node')]
            .filter((g) => /^v\\d+$/.test(g.querySelector('title').textContent))
            .map((g) => [+g.querySelector('title').textContent.slice(1),
              [...g.querySelectorAll('polygon, path')].some((e) => !e.classList.contains('vg-frame')
                && !['none', ''].includes(getComputedStyle(e).strokeDasharray))])"""
        for t in range(p.T + 1):
            p.go(t)
            for i, dashed in p.pg.evaluate(dashed_js):
                assert dashed == (i in cut), (t, i)
        p.check_clean()
    finally:
        p.close()


@pytest.mark.parametrize("view", list(VIEWPORTS))
def test_a_leafs_grad_never_wraps_and_rows_stay_put(browser, view):
    """Issue 21 item 10: exponent grads (-7.37e-05) on one line; rows keep their places as
    the numbers change."""
    for root in (long_labels(), lecture_neuron()):
        p = Page(browser, page(root))
        try:
            p.pg.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[view])))
            p.pg.set_content(page(root), wait_until="load")
            rows_js = """() => [...document.querySelectorAll('.vg-leaf')].map((r) => {
                const g = r.querySelector('.vg-leaf-grad'), rg = document.createRange();
                rg.selectNodeContents(g);
                const lines = new Set([...rg.getClientRects()].map((c) => Math.round(c.top)));
                return [Math.round(r.getBoundingClientRect().top), lines.size,
                        g.getBoundingClientRect().right <= r.getBoundingClientRect().right + 0.5];
              })"""
            for t in (p.NF + 2, p.T):  # at a step, type numbers in: no row moves
                p.go(t)
                first = None
                for x in ("1e-6", "-3.7e5", "123.456", "-0.0042", "1e200", "2.0"):
                    box = p.pg.locator(".vg-leaf-box").first
                    box.fill(x)
                    box.press("Enter")
                    rows = p.pg.evaluate(rows_js)
                    assert all(n == 1 and fits for _, n, fits in rows), (x, t, rows)
                    first = first or [top for top, _, _ in rows]
                    assert [top for top, _, _ in rows] == first, (x, t)
            p.check_clean()
        finally:
            p.close()
