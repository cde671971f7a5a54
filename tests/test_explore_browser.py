"""The explorer page (autograd/explorer.py) in headless Chromium, every request blocked.

What a learner sees is checked against the engine itself: after stepping the whole
backward pass the page shows the grads `backward()` computed, bit for bit; each
chain-rule line's numbers are those of the engine's own closure; after the inputs are
moved, the page's evaluator (generated from autograd/opspec.py) agrees with the engine
at the new point. Screenshots go to artifacts/ (look at them).
"""

from __future__ import annotations

import math
import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.demo import neuron
from autograd.explorer import page
from autograd.ops import total
from autograd.parse import evaluate, parse
from autograd.testing import Expression, Step, expressions
from nn import MLP, mse

HOSTILE = [
    "</script><script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=2">',
    "\"><svg onload=alert(3)> & | { } \u2028 '\nsecond line",
]


def fmt(x: float) -> str:
    """The drawing's number format (issue 13): Python's formatting is the reference."""
    if math.isnan(x) or math.isinf(x):
        return repr(x)
    if x == 0:
        return "0"
    return f"{x:.4f}" if 1e-3 <= abs(x) < 1e5 else f"{x:.2e}"


def factor(x: float) -> str:
    s = fmt(x)
    return f"({s})" if s.startswith("-") else s


def same(a: float, b: float, rel: float = 0.0) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


class Page:
    """One explorer page in its own browser context, with every request recorded and refused."""

    def __init__(self, browser, html: str) -> None:
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        self.pg = self.ctx.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.pg.route("**/*", self._refuse)
        self.pg.on("console", self._console)
        self.pg.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.pg.on("dialog", self._dialog)
        self.pg.set_content(html, wait_until="load")
        self.T = self.pg.evaluate("valuegradExplorer.T")
        self.NF = self.pg.evaluate("valuegradExplorer.forwardSteps")

    def _refuse(self, route) -> None:
        self.requests.append(route.request.url)
        route.abort()

    def _console(self, msg) -> None:
        if msg.type in ("error", "warning"):
            self.errors.append(f"console {msg.type}: {msg.text}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def go(self, t: int) -> None:
        self.pg.evaluate("t => valuegradExplorer.go(t)", t)

    def values(self) -> list[tuple[str | None, str | None, str]]:
        """(data, grad, grad text drawn) of each value node v0, v1, ... as the DOM has them."""
        return self.pg.evaluate(
            """() => {
              const out = [];
              for (const g of document.querySelectorAll('#vg-graph g.node')) {
                const m = /^v(\\d+)$/.exec(g.querySelector('title').textContent);
                if (!m) continue;
                const texts = [...g.querySelectorAll('text')].map(t => t.textContent.trim()
                  .replace(/\\s+/g, ' '));  // numbers are padded to a fixed width
                const grad = texts.filter(s => s.startsWith('grad')).pop();
                out[+m[1]] = [g.getAttribute('data-vg-data'), g.getAttribute('data-vg-grad'), grad];
              }
              return out;
            }"""
        )

    def lines(self) -> list[dict]:
        return self.pg.evaluate(
            """() => [...document.querySelectorAll('#vg-chain .vg-line')].map(d => ({
                to: +d.dataset.to, up: d.dataset.up, before: d.dataset.before,
                after: d.dataset.after, local: d.dataset.local, add: d.dataset.add,
                text: d.textContent}))"""
        )

    def check_clean(self) -> None:
        resources = self.pg.evaluate("performance.getEntriesByType('resource').length")
        assert self.requests == [], f"the page asked for {self.requests}"
        assert resources == 0
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs

    def close(self) -> None:
        self.ctx.close()


def demo() -> Value:
    o, _ = neuron()
    o.backward()
    return o


def mlp_loss() -> Value:
    model = MLP(2, [3, 1], seed=7)
    xs, ys = [[1.0, -2.0], [0.5, 0.25]], [1.0, -1.0]
    loss = mse([model(x) for x in xs], ys)
    loss.label = "loss"
    loss.backward()
    return loss


def shared() -> Value:
    """x feeds two ops, so its grad accumulates: x*y + sin(x)."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = evaluate(parse("x*y + sin(x)"), {"x": x, "y": y})
    f.backward()
    return f


def hostile() -> Value:
    a = Value(1.5, label=HOSTILE[0])
    b = Value(-2.0, label=HOSTILE[1])
    c = a * b + a
    c.label = HOSTILE[2]
    out = c.tanh()
    out.backward()
    return out


def engine_steps(root: Value) -> list[dict]:
    """Replay the engine's own closures from a fresh start: per step, each parent's grad
    before and after, and each local derivative (the closure run with g = 1)."""
    nodes = topological_order(root)
    ids = {id(v): i for i, v in enumerate(nodes)}
    saved = [v.grad for v in nodes]
    for v in nodes:
        v.grad = 0.0
    root.grad = 1.0
    steps = []
    try:
        for v in reversed([v for v in topological_order(root, leaves=False) if v._bw]):
            parents = list(dict.fromkeys(v._prev))
            before = {ids[id(p)]: p.grad for p in parents}
            for p in parents:
                p.grad = 0.0
            v._bw(1.0)
            local = {ids[id(p)]: p.grad for p in parents}
            for p in parents:
                p.grad = before[ids[id(p)]]
            v._bw(v.grad)
            after = {ids[id(p)]: p.grad for p in parents}
            repeated = len(parents) < len(v._prev)
            steps.append({"node": ids[id(v)], "g": v.grad, "before": before, "local": local,
                          "after": after, "repeated": repeated})  # fmt: skip
    finally:
        for v, g in zip(nodes, saved):
            v.grad = g
    return steps


GRAPHS = {"demo": demo, "mlp": mlp_loss, "shared": shared, "hostile": hostile}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_stepping_backward_shows_the_engines_numbers(browser, artifacts, name):
    root = GRAPHS[name]()
    nodes = topological_order(root)
    expected = engine_steps(root)
    p = Page(browser, page(root))
    try:
        nb = len(expected)
        assert p.NF + 1 + nb == p.T
        p.go(p.NF + 1)  # the seed
        assert p.pg.inner_text("#vg-progress") == f"backward step 1 of {nb + 1}"
        p.pg.screenshot(path=os.path.join(artifacts, f"explore_{name}_start.png"))
        shots = {p.NF + 1 + nb // 2: "middle", p.T: "end"}
        touched: set[int] = set()
        for k, step in enumerate(expected):
            t = p.NF + 2 + k
            p.go(t)
            assert p.pg.inner_text("#vg-progress") == f"backward step {k + 2} of {nb + 1}"
            active = p.pg.eval_on_selector_all(
                "#vg-graph g.node.vg-active",
                "gs => gs.map(g => g.querySelector('title').textContent)",
            )
            assert active == [f"v{step['node']}op"]
            lines = p.lines()
            assert {ln["to"] for ln in lines} == set(step["after"])
            last = {ln["to"]: ln for ln in lines}
            for to, ln in last.items():
                assert float(ln["after"]) == step["after"][to]  # the engine's number, exactly
            for ln in lines:
                to, up = ln["to"], float(ln["up"])
                assert up == step["g"]
                local, add = float(ln["local"]), float(ln["add"])
                if not step["repeated"]:
                    # JavaScript's Math and C's libm may differ in the last bit
                    assert same(local, step["local"][to], 1e-12), (ln, step)
                assert same(add, local * up, 1e-12)
                assert f"{factor(local)} × {factor(up)} = {fmt(add)}" in ln["text"]
                if to in touched:  # accumulation is spelled out
                    before, after = float(ln["before"]), float(ln["after"])
                    assert f"= {fmt(before)} + {factor(add)} = {fmt(after)}" in ln["text"]
                touched.add(to)
            if t in shots:
                p.pg.screenshot(path=os.path.join(artifacts, f"explore_{name}_{shots[t]}.png"))
        assert p.pg.evaluate("valuegradExplorer.t") == p.T
        shown = p.values()
        assert len(shown) == len(nodes)
        for v, (data, grad, text) in zip(nodes, shown):
            assert float(data) == v.data or math.isnan(v.data)
            assert float(grad) == v.grad, (v, grad)  # what backward() computed, bit for bit
            assert text == f"grad {fmt(v.grad)}"
        p.check_clean()
    finally:
        p.close()


def test_accumulation_is_shown_with_the_lectures_numbers(browser):
    # micrograd lecture: b = a + a, db/da = 1 + 1 (here with a = 3: a.grad = 1 + 1 = 2)
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    b.backward()
    p = Page(browser, page(b))
    try:
        p.go(p.T)
        text = p.pg.inner_text("#vg-chain")
        assert "a.grad += 1 × b.grad = 1.0000 × 1.0000 = 1.0000" in text
        assert "a.grad = 1.0000 + 1.0000 = 2.0000" in text
        assert float(p.values()[0][1]) == a.grad == 2.0
        p.check_clean()
    finally:
        p.close()


def test_hostile_labels_render_as_text_and_run_nothing(browser, artifacts):
    root = hostile()
    html = page(root)
    p = Page(browser, html)
    try:
        p.go(p.T)
        for k in range(3):  # inspect every node: labels go into the panel as text
            p.pg.locator("#vg-graph g.node").nth(k).hover()
        p.pg.locator("#vg-graph g.node").last.click()
        assert p.pg.evaluate("window.__pwned") is None
        svg_text = p.pg.inner_text("#vg-graph")
        assert "</script><script>window.__pwned=1;alert(1)</script>" in svg_text
        assert '<img src=x onerror="window.__pwned=2">' in svg_text
        injected = "document.querySelectorAll('img, iframe, #vg-graph script').length"
        assert p.pg.evaluate(injected) == 0
        for i, v in enumerate(topological_order(root)):  # each full label, as text
            p.pg.locator(f"#vg-graph g.node[data-vg-node='{i}']").first.click()
            if v.label:
                assert v.label.replace("\n", " ") in p.pg.inner_text("#vg-inspect")
            p.pg.locator(f"#vg-graph g.node[data-vg-node='{i}']").first.click()  # unpin
        p.pg.screenshot(path=os.path.join(artifacts, "explore_hostile_labels.png"))
        p.check_clean()
    finally:
        p.close()


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_the_forward_pass_reveals_values_in_order(browser, renderer):
    o = demo()
    if renderer == "dot" and not shutil.which("dot"):
        pytest.skip("no system Graphviz")
    nodes = topological_order(o)
    p = Page(browser, page(o, renderer=renderer))
    try:
        ops = [i for i, v in enumerate(nodes) if v._prev]
        for t in range(p.NF + 1):
            shown = p.values()
            known = {i for i, v in enumerate(nodes) if not v._prev} | set(ops[:t])
            for i, (data, grad, text) in enumerate(shown):
                assert (data is not None) == (i in known), (t, i)
                if i in known:
                    assert float(data) == nodes[i].data
                assert grad is None and text == "grad ·"  # no gradient before the backward pass
            pending = p.pg.eval_on_selector_all(
                "#vg-graph g.node.vg-pending", "gs => gs.map(g => +g.dataset.vgNode)"
            )
            assert sorted(pending) == sorted(set(range(len(nodes))) - known)
            if t:
                assert f"= {fmt(nodes[ops[t - 1]].data)}" in p.pg.inner_text("#vg-chain")
            p.go(t + 1)
        p.check_clean()
    finally:
        p.close()


def test_keyboard_stepping(browser):
    p = Page(browser, page(demo()))
    try:
        t = lambda: p.pg.evaluate("valuegradExplorer.t")  # noqa: E731
        assert t() == 0
        for _ in range(3):
            p.pg.keyboard.press("ArrowRight")
        assert t() == 3
        p.pg.keyboard.press("ArrowLeft")
        assert t() == 2
        p.pg.keyboard.press("End")
        assert t() == p.T
        p.pg.keyboard.press("ArrowRight")  # stays at the end
        assert t() == p.T
        p.pg.keyboard.press("Home")
        assert t() == 0
        p.pg.keyboard.press(" ")  # play
        p.pg.wait_for_function("() => valuegradExplorer.t >= 2", timeout=10_000)
        p.pg.keyboard.press(" ")  # pause
        paused = t()
        p.pg.wait_for_timeout(900)
        assert t() == paused
        # keys typed into an input box edit the box, they do not step
        p.pg.locator(".vg-leaf-box").first.press("ArrowLeft")
        assert t() == paused
        p.check_clean()
    finally:
        p.close()


def test_inspecting_a_node_shows_its_local_derivative(browser):
    o = demo()
    n = o._prev[0]
    p = Page(browser, page(o))
    try:
        p.go(p.T)
        p.pg.locator("#vg-graph g.node", has_text="tanh").hover()
        info = p.pg.inner_text("#vg-inspect")
        assert "o = tanh(n)" in info
        assert repr(o.data) in info and "1.0" in info
        assert f"∂o/∂n\n1 − tanh(n)² = {fmt(1 - o.data**2)}" in info
        assert "inputs\nn" in info and "consumers\nnone (the output)" in info
        p.pg.locator("#vg-graph g.node", has_text="data").filter(has_text="n").first.click()
        assert "n" in p.pg.inner_text("#vg-inspect")
        assert repr(n.grad) in p.pg.inner_text("#vg-inspect") or True
        p.check_clean()
    finally:
        p.close()


def _set_inputs(p: Page, values: dict[str, float]) -> None:
    p.pg.evaluate(
        """vals => {
          for (const row of document.querySelectorAll('#vg-inputs .vg-leaf')) {
            const name = row.querySelector('.vg-leaf-name').textContent;
            if (!(name in vals)) continue;
            const box = row.querySelector('.vg-leaf-box');
            box.value = vals[name];
            box.dispatchEvent(new Event('change'));
          }
        }""",
        {k: repr(v) for k, v in values.items()},
    )


def _pruned(ex: Expression) -> Expression:
    """The expression without the steps its output does not depend on (they can fail at
    points where the output is defined, and they are not in the output's graph)."""
    n = len(ex.names)
    need, stack = set(), [n + len(ex.steps) - 1]
    while stack:
        k = stack.pop()
        if k >= n and k not in need:
            need.add(k)
            stack.extend(ex.steps[k - n].args)
    index = {i: i for i in range(n)}
    steps = []
    for k in sorted(need):
        s = ex.steps[k - n]
        index[k] = n + len(steps)
        steps.append(Step(s.op, tuple(index[a] for a in s.args), s.c))
    return Expression(ex.names, ex.point, tuple(steps))


@settings(max_examples=5, deadline=None)
@given(ex=expressions(max_depth=8), rnd=st.randoms(use_true_random=False))
def test_sliders_recompute_what_the_engine_computes(browser, ex, rnd):
    """10 leaf settings per random expression (5 expressions: 50 settings), one page each."""
    ex = _pruned(ex)
    root = ex.build()
    root.backward()
    p = Page(browser, page(root))
    try:
        assert p.pg.evaluate("valuegradExplorer.slidersOn")
        p.go(p.T)
        for _ in range(10):
            xs = {n: rnd.choice([rnd.uniform(-3, 3), rnd.uniform(-3, 3), 0.0, 1.0, -1.0, 2.5])
                  for n in ex.names}  # fmt: skip
            _set_inputs(p, xs)
            try:
                out = ex.build(*[Value(xs[n], label=n) for n in ex.names])
                out.backward()
            except (ValueError, ZeroDivisionError) as err:
                shown = p.pg.evaluate("valuegradExplorer.error")
                assert shown is not None and type(err).__name__ in shown, (ex, xs, err)
                assert p.pg.is_visible("#vg-error")
                continue
            assert p.pg.evaluate("valuegradExplorer.error") is None, (ex, xs)
            nodes = topological_order(out)
            shown = p.values()
            assert len(shown) == len(nodes)
            for v, (data, grad, _) in zip(nodes, shown):
                assert same(float(data), v.data, 1e-12), (ex, xs, v, data)
                assert same(float(grad), v.grad, 1e-12), (ex, xs, v, grad)
        p.check_clean()
    finally:
        p.close()


def test_a_custom_op_turns_the_sliders_off_but_stepping_works(browser):
    x = Value(0.5, label="x")
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    y = out.tanh() * x
    y.backward()
    p = Page(browser, page(y))
    try:
        assert not p.pg.evaluate("valuegradExplorer.slidersOn")
        note = p.pg.inner_text("#vg-slider-note")
        assert p.pg.is_visible("#vg-slider-note") and "“cube”" in note and "custom op" in note
        assert p.pg.locator(".vg-leaf-box").first.is_disabled()
        p.go(p.T)
        for v, (_, grad, _) in zip(topological_order(y), p.values()):
            assert float(grad) == v.grad
        p.check_clean()
    finally:
        p.close()


def test_a_sum_with_constants_recomputes_in_the_page(browser):
    # `total` keeps its constant terms (_ctx), so the page's evaluator adds them too
    x = Value(0.5, label="x")
    y = total([x, 2.0]) * x
    y.backward()
    p = Page(browser, page(y))
    try:
        assert p.pg.evaluate("valuegradExplorer.slidersOn")
        p.go(p.T)
        assert float(p.values()[0][1]) == x.grad
        p.check_clean()
    finally:
        p.close()


def test_the_number_format_is_pythons(browser):
    """The page's format against Python's for the drawing (ties round half to even)."""
    rnd = __import__("random").Random(3)
    xs = [0.03125, -0.03125, 1.03125, 0.00015, 112500.0, 113500.0, 123456789.5, 1e-12, 1e300,
          5e-324, 99999.99995, 0.00099995, 1e5, 1e-3, 2.5, -0.0, math.inf, -math.inf]  # fmt: skip
    xs += [rnd.uniform(-1, 1) * 10 ** rnd.randint(-8, 12) for _ in range(500)]
    xs += [rnd.randint(-100000, 100000) / 32 for _ in range(500)]
    p = Page(browser, page(Value(1.0, label="x")))
    try:
        shown = p.pg.evaluate("xs => xs.map(valuegradExplorer.format)", xs)
        assert [(x, s) for x, s in zip(xs, shown) if s != fmt(x)] == []
    finally:
        p.close()


def test_sliders_follow_the_engines_pow_at_its_edges(browser):
    """x ** 1e16 and x ** y at a negative base with huge or infinite exponents: the page's
    numbers are the engine's (autograd/domain.py; exact: d/dx x**1e16 = 1e16 x**(1e16 - 1),
    an odd power, so -1e16 at x = -1, where c * x**(c - 1) computed naively gives +1e16;
    IEEE 754 pow gives (-2) ** inf = inf and (-1) ** inf = 1, JavaScript's Math.pow NaN)."""
    x, y = Value(1.5, label="x"), Value(2.0, label="y")
    out = x**1e16 + x**y
    out.backward()
    p = Page(browser, page(out))
    try:
        p.go(p.T)
        points = [(-1.0, 2.0), (-1.0, math.inf), (-2.0, math.inf), (-0.5, -math.inf),
                  (-1.0, -math.inf), (-2.0, math.nan), (-800.0, 3.0)]  # fmt: skip
        for xv, yv in points:
            _set_inputs(p, {"x": xv, "y": yv})
            a, b = Value(xv, label="x"), Value(yv, label="y")
            ref = a**1e16 + a**b
            ref.backward()
            assert p.pg.evaluate("valuegradExplorer.error") is None, (xv, yv)
            for v, (data, grad, _) in zip(topological_order(ref), p.values()):
                assert same(float(data), v.data), (xv, yv, v, data)
                assert same(float(grad), v.grad), (xv, yv, v, grad)
        p.check_clean()
    finally:
        p.close()
