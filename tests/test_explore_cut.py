"""The explorer's page data agrees with its drawing and with the engine beyond the recorded
point (issue 21, items 1-2): `depth=k` pages show the drawn nodes' own numbers, a `sum`
node's constant terms reach the page's evaluator, and the load-time self-check compares
the evaluator with the Python side at extra points. Headless Chromium, requests blocked.
"""

from __future__ import annotations

import json
import re

import pytest
from test_explore_browser import Page

from autograd import Value
from autograd.demo import neuron
from autograd.draw import drawn_values
from autograd.explorer import graph_json, page
from autograd.ops import total
from nn import MLP, mse


def big_mlp() -> Value:
    model = MLP(3, [8, 8, 1], seed=3)
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.0]]
    loss = mse([model(x) for x in xs], [1.0, -1.0, 0.5])
    loss.label = "loss"
    loss.backward()
    return loss


def test_depth_page_carries_only_the_drawn_values_in_the_drawings_order():
    loss = big_mlp()
    drawn, cut = drawn_values(loss, 3)
    data = graph_json(loss, depth=3)
    assert [nd["data"] for nd in data["nodes"]] == [v.data for v in drawn]
    assert [nd["cut"] is not None for nd in data["nodes"]] == [id(v) in cut for v in drawn]
    assert all(not nd["parents"] for nd in data["nodes"] if nd["cut"])
    # the page is no bigger than the drawing, so max_nodes bounds both
    text = page(loss, depth=3)
    titles = set(re.findall(r"<title>(v\d+)</title>", text))
    assert titles == {f"v{i}" for i in range(len(drawn))}
    with pytest.raises(ValueError, match="max_nodes"):
        page(loss, depth=3, max_nodes=len(drawn) - 1)


def test_depth_page_shows_the_right_nodes_numbers(browser):
    o, leaves = neuron()
    o.backward()
    drawn, cut = drawn_values(o, 2)
    p = Page(browser, page(o, depth=2))
    try:
        p.go(p.T)
        shown = p.values()
        # o = tanh(n), n = (x1*w1 + x2*w2) + b: with the cut value held fixed, every drawn
        # value's grad is the engine's (no path around the window in this graph)
        for i, v in enumerate(drawn):
            assert shown[i][0] == repr(v.data), (i, v.label)
            assert float(shown[i][1]) == pytest.approx(v.grad, rel=1e-12), (i, v.label)
        ops = sum(1 for v in drawn if v._prev and id(v) not in cut)
        assert ops + 1 + ops == p.T
        assert p.pg.inner_text("#vg-progress") == f"backward step {ops + 1} of {ops + 1}"
        rows = p.pg.eval_on_selector_all("#vg-inputs .vg-leaf", "rs => rs.length")
        assert rows == sum(1 for v in drawn if not v._prev or id(v) in cut) == 2
        assert p.pg.evaluate("valuegradExplorer.slidersOn")
        p.check_clean()
    finally:
        p.close()


def test_depth_page_of_a_big_mlp_steps_only_the_drawn_ops(browser):
    loss = big_mlp()
    drawn, cut = drawn_values(loss, 3)
    p = Page(browser, page(loss, depth=3))
    try:
        ops = sum(1 for v in drawn if v._prev and id(v) not in cut)
        assert 2 * ops + 1 == p.T
        p.go(p.T)
        shown = p.values()
        for i, v in enumerate(drawn):
            assert shown[i][0] == repr(v.data)
        leaves = p.pg.eval_on_selector_all("#vg-inputs .vg-leaf", "rs => rs.length")
        assert leaves == len(drawn) - ops
        p.check_clean()
    finally:
        p.close()


def test_cut_values_are_drawn_dashed():
    o, _ = neuron()
    o.backward()
    svg = page(o, depth=2)
    cut_group = re.search(r"<title>v0</title>(.*?)</g>", svg, re.S).group(1)
    assert "stroke-dasharray" in cut_group
    whole = re.search(r"<title>v3</title>(.*?)</g>", svg, re.S).group(1)
    assert "stroke-dasharray" not in whole


def test_a_sums_constant_terms_reach_the_pages_evaluator(browser):
    x = Value(1e10, label="x")
    y = total([x, 1.0], start=0.5)
    y.label = "y"
    y.backward()
    p = Page(browser, page(y))
    try:
        assert p.pg.evaluate("valuegradExplorer.slidersOn")
        p.pg.fill("#vg-inputs .vg-leaf-box", "0")
        p.pg.press("#vg-inputs .vg-leaf-box", "Enter")
        p.go(p.T)
        shown = p.values()
        assert shown[1][0] == repr(total([Value(0.0)], start=0.5).data + 1.0) == "1.5"
        p.check_clean()
    finally:
        p.close()


def test_the_extra_points_are_the_engines_numbers():
    """The check points embedded in the page: the graph rebuilt by the engine at each point."""

    def build(x1, x2, w1, w2, b):
        o, _ = neuron(x1, x2, w1, w2, b)
        o.backward()
        return o

    o = build(2.0, 0.0, -3.0, 1.0, 6.8813735870195432)
    data = graph_json(o)
    names = [nd["name"] for nd in data["nodes"]]
    assert len(data["checks"]) == 2
    for pt in data["checks"]:
        at = dict(
            zip([n for n, nd in zip(names, data["nodes"]) if not nd["parents"]], pt["leaves"])
        )
        again = build(at["x1"], at["x2"], at["w1"], at["w2"], at["b"])
        fresh = {v.label: v for v in drawn_values(again, 99)[0] if v.label}
        for name, d, g in zip(names, pt["data"], pt["grad"]):
            if name in fresh:
                assert d == pytest.approx(fresh[name].data, rel=1e-12, abs=1e-15), name
                assert g == pytest.approx(fresh[name].grad, rel=1e-12, abs=1e-15), name


def test_the_self_check_uses_the_extra_points(browser):
    """A page whose evaluator disagrees with the Python side only away from the recorded
    point turns its sliders off (here the embedded check point is made wrong)."""
    x = Value(3.0, label="x")
    y = x * x + 1.0
    y.label = "y"
    y.backward()
    text = page(y)
    m = re.search(r'(<script type="application/json" id="vg-data">)(.*?)(</script>)', text, re.S)
    data = json.loads(m.group(2))
    assert data["checks"]
    data["checks"][-1]["data"][-1] += 1e-3
    p = Page(browser, text[: m.start(2)] + json.dumps(data) + text[m.end(2) :])
    try:
        assert not p.pg.evaluate("valuegradExplorer.slidersOn")
        assert "does not reproduce" in p.pg.inner_text("#vg-slider-note")
        p.check_clean()
    finally:
        p.close()


def test_unlabelled_values_are_named_by_their_expression(browser):
    """Issue 21 item 9: no `v7` that appears nowhere; the name is in the record, and a
    composite name is bracketed in the chain-rule text."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    names = [nd["name"] for nd in graph_json(o)["nodes"]]
    assert "x1*w1 + x2*w2" in names and "(x1*w1 + x2*w2) + b" in names
    assert "tanh((x1*w1 + x2*w2) + b)"[:24] not in names  # too long: v{i}, as drawn
    text = page(o)
    assert ">x1*w1 + x2*w2</text>" in text  # in its record
    p = Page(browser, text)
    try:
        chain = ""
        for t in range(p.NF + 2, p.T + 1):  # every closure's text
            p.go(t)
            chain += p.pg.inner_text("#vg-chain")
        assert "(x1*w1).grad += " in chain and "(x1*w1 + x2*w2).grad" in chain
        p.check_clean()
    finally:
        p.close()


def test_a_call_is_not_bracketed_twice(browser):
    # relu(h) as an operand reads as one thing: w.grad += relu(h) × ..., never ((relu(h)))
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    y = w * (x * 1.5).relu()
    y.backward()
    p = Page(browser, page(y))
    try:
        chain = ""
        for t in range(p.NF + 2, p.T + 1):
            p.go(t)
            chain += p.pg.inner_text("#vg-chain")
        assert "((" not in chain, chain
        assert "w.grad += relu(x*1.5) \u00d7 " in chain, chain
        p.check_clean()
    finally:
        p.close()


def test_values_sharing_a_label_get_distinct_names():
    """Notebook 12's Mazur network has two `b1` and two `b2` (one per neuron)."""
    a, b = Value(1.0, label="b1"), Value(2.0, label="b1")
    y = a * b
    names = [nd["name"] for nd in graph_json(y)["nodes"]]
    assert len(set(names)) == len(names)
    assert sorted(names)[:2] == ["b1#1", "b1#2"]
    assert sorted(names[-1].split("*")) == ["b1#1", "b1#2"]


def test_a_bad_typed_number_says_why(browser):
    o, _ = neuron()
    o.backward()
    p = Page(browser, page(o))
    try:
        box = p.pg.locator(".vg-leaf-box").first
        box.fill("2,5")
        box.press("Enter")
        note = p.pg.inner_text("#vg-slider-note")
        assert p.pg.is_visible("#vg-slider-note") and "“2,5” is not a number" in note
        assert box.get_attribute("aria-invalid") == "true"
        box.fill("2.5")
        box.press("Enter")
        assert not p.pg.is_visible("#vg-slider-note")
        p.check_clean()
    finally:
        p.close()


def test_nodes_are_reachable_and_inspectable_by_keyboard(browser):
    o, _ = neuron()
    o.backward()
    p = Page(browser, page(o))
    try:
        names = []
        for _ in range(30):  # Tab through the page: the bar's buttons, then the drawing
            p.pg.keyboard.press("Tab")
            label = p.pg.evaluate("document.activeElement.getAttribute('aria-label')")
            if label and label.startswith("value "):
                names.append(label)
                assert label.removeprefix("value ") in p.pg.inner_text("#vg-inspect")
        assert {"value x1", "value w1", "value o"} <= set(names)
        p.pg.focus("#vg-graph [aria-label='value x1']")
        p.pg.keyboard.press("Enter")  # pins the focused node
        assert p.pg.evaluate("document.querySelectorAll('.vg-pinned').length") >= 1
        assert p.pg.evaluate("valuegradExplorer.t") == 0  # Enter did not step
        p.check_clean()
    finally:
        p.close()


def test_a_nudged_input_shows_the_change_beside_grad_times_h(browser):
    """Issue 21 item 12: move x1 by h; the row shows Δo (the engine's, rebuilt at x1 + h)
    beside grad·h."""
    from test_explore_browser import fmt

    o, leaves = neuron()
    o.backward()
    p = Page(browser, page(o))
    try:
        row = p.pg.locator(".vg-leaf[data-leaf]").filter(has_text="x1")
        row.locator(".vg-leaf-box").fill("2.001")
        row.locator(".vg-leaf-box").press("Enter")
        moved, _ = neuron(x1=2.001)
        h = 2.001 - 2.0
        text = p.pg.inner_text("#vg-nudge")
        assert text.startswith(f"x1 moved by h = {fmt(h)}: ")
        assert f"Δo = {fmt(moved.data - o.data)}" in text
        assert f"grad·h = {fmt(leaves['x1'].grad * h)}" in text
        box = p.pg.locator(".vg-leaf-box").first  # rows stay put: the line is always there
        y = box.bounding_box()["y"]
        row.locator(".vg-leaf-box").fill("2.0")
        row.locator(".vg-leaf-box").press("Enter")
        assert p.pg.inner_text("#vg-nudge").strip() == ""
        assert box.bounding_box()["y"] == y
        p.check_clean()
    finally:
        p.close()


def test_backward_edges_show_the_gradients_sign(browser):
    """Issue 21 item 13: at each backward step the edges into the running op carry the
    sign of the contribution they pass back (the chain-rule line's number)."""
    o, _ = neuron()
    o.backward()
    p = Page(browser, page(o))
    try:
        seen = set()
        for t in range(p.NF + 2, p.T + 1):
            p.go(t)
            n = p.pg.evaluate("valuegradExplorer.running")
            for ln in p.lines():
                cls = p.pg.evaluate(
                    """(key) => [...document.querySelectorAll('#vg-graph g.edge')]
                         .find(g => g.querySelector('title').textContent === key)
                         .getAttribute('class')""",
                    f"v{ln['to']}->v{n}op",
                )
                add = float(ln["add"])
                want = "vg-pos" if add > 0 else "vg-neg" if add < 0 else "vg-zero"
                assert want in cls.split(), (t, ln, cls)
                seen.add(want)
        assert seen == {"vg-pos", "vg-neg", "vg-zero"}  # x1's -1.5, w1's 1.0, w2's 0
        p.check_clean()
    finally:
        p.close()


def test_the_pages_script_is_every_file_of_autograd_js_once():
    """The script is split by concern (autograd/js/); each file is joined exactly once and
    pyproject ships them (package-data js/*.js)."""
    from pathlib import Path

    from autograd import explorer

    here = Path(explorer.__file__).parent / "js"
    assert sorted(explorer.JS_FILES) == sorted(p.name for p in here.glob("*.js"))
    script = explorer.page_script()
    for name in explorer.JS_FILES:
        assert f"valuegrad explorer, {name}:" in script
    pyproject = (Path(explorer.__file__).parent.parent / "pyproject.toml").read_text()
    assert '"js/*.js"' in pyproject
