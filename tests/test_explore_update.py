"""The explorer's update step (issue 21 item 14), in headless Chromium with requests blocked.

After backward the page does what the lecture's loop does next: `p.data -= lr * p.grad`
for the parameters, grads zeroed, forward and backward again. The reference is the
engine running that same loop in Python (same lr, same order): after each of k = 1..5
updates, every state the page can then step through shows the engine's numbers in the
drawing's format, every text in its cell, and the list of losses is the engine's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from test_explore_browser import Page, fmt
from test_explore_states import WALK_JS, expected_states, micrograd_readme, shown

from autograd import Value
from autograd.demo import neuron
from autograd.draw import drawn_values
from autograd.explorer import page
from nn import MLP, mse
from nn.modules import _PLACE

UPDATES = 5
VIEWPORTS = {"wide": (1280, 800), "phone": (390, 844)}


class Loop:
    """The lecture's training loop on the engine: `step(lr)` updates the parameters by
    their grads, zeroes every grad, runs forward (a new graph) and backward."""

    def __init__(self, forward: Callable[[], Value], params: list[Value], leaves: list[Value]):
        self.forward, self.params, self.leaves = forward, params, leaves
        self.root = self._run()

    def _run(self) -> Value:
        for v in self.leaves:
            v.grad = 0.0
        root = self.forward()
        root.backward()
        return root

    def step(self, lr: float) -> Value:
        for p in self.params:
            p.data -= lr * p.grad
        self.root = self._run()
        return self.root


def neuron_loop(loss: bool, **at: float) -> Loop:
    o, leaves = neuron(**at)

    def forward() -> Value:
        out = neuron(**leaves)[0]
        if not loss:
            return out
        sq = (out - 0.5) ** 2
        sq.label = "loss"
        return sq

    return Loop(forward, [leaves[k] for k in ("w1", "w2", "b")], list(leaves.values()))


def mlp_loop(fused: bool) -> Loop:
    model = MLP(2, [2, 1], seed=5, fused=fused)
    xs, ys = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]], [1.0, -1.0, 1.0]

    def forward() -> Value:
        out = mse([model(x) for x in xs], ys)
        out.label = "loss"
        return out

    return Loop(forward, model.parameters(), model.parameters())


LOOPS = {
    "neuron_o": (lambda: neuron_loop(False), 0.1),
    "neuron_loss": (lambda: neuron_loop(True), 0.1),
    "mlp221_unfused": (lambda: mlp_loop(False), 0.05),
    "mlp221_fused": (lambda: mlp_loop(True), 0.05),
    # hostile: x1 = inf makes w1's grad inf * 0 = nan; a huge lr sends w1 to -1e200
    "neuron_inf": (lambda: neuron_loop(False, x1=math.inf), 0.1),
    "neuron_lr_1e200": (lambda: neuron_loop(True), 1e200),
}


def _repr(x: float) -> str:
    """Python's repr as the page writes it (JavaScript has one nan)."""
    return "nan" if math.isnan(x) else repr(x)


def check_every_state(p: Page, root: Value) -> None:
    """Each state the page can step through shows `root`'s numbers, each text in its cell."""
    _, states = expected_states(root, None)
    walked = p.pg.evaluate(WALK_JS)
    assert len(walked) == len(states)
    overflows = [o for st in walked for v in st.values() for o in v["over"]]
    assert overflows == [], overflows[:5]
    for t, st in enumerate(walked):
        for k, v in st.items():
            d, g = states[t][int(k)]
            assert v["data"].split() == shown("data", d).split(), (t, k, v["data"], d)
            assert v["grad"].split() == shown("grad", g).split(), (t, k, v["grad"], g)


def attrs(p: Page) -> list[tuple[str, str]]:
    """(data, grad) as the page holds them (Python's repr) for each value node, at the end."""
    return [(d, g) for d, g, _ in p.values()]


@pytest.mark.parametrize("name", list(LOOPS))
def test_each_update_shows_the_engines_numbers(browser, artifacts, name):
    build, lr = LOOPS[name]
    loop = build()
    mine = drawn_values(loop.root, None, 10**6)[0]
    given = [p for p in loop.params if any(p is v for v in mine)]
    html = page(loop.root, params=given if "mlp" in name else None)
    for view, (w, h) in VIEWPORTS.items():
        loop = build()
        p = Page(browser, html)
        try:
            p.pg.set_viewport_size({"width": w, "height": h})
            p.pg.fill("#vg-lr", repr(lr))
            p.go(p.T)
            losses = [loop.root.data]
            for k in range(1, UPDATES + 1):
                p.pg.click("#vg-update")
                root = loop.step(lr)
                losses.append(root.data)
                assert p.pg.evaluate("valuegradExplorer.t") == p.T
                nodes = drawn_values(root, None, 10**6)[0]
                want = [(_repr(v.data), _repr(v.grad)) for v in nodes]
                got = attrs(p)
                assert got == want, (
                    k,
                    [(i, a, b) for i, (a, b) in enumerate(zip(got, want)) if a != b][:4],
                )
                shown_losses = p.pg.eval_on_selector_all(
                    "#vg-losses li",
                    "ls => ls.map(l => [l.querySelector('.vg-loss').textContent, l.dataset.value])",
                )
                assert shown_losses == [[fmt(x), _repr(x)] for x in losses], k
                # the boxes of the inputs now hold the updated parameters
                boxes = p.pg.eval_on_selector_all(
                    ".vg-leaf",
                    "rs => rs.map(r => [+r.dataset.leaf, r.querySelector('.vg-leaf-box').value])",
                )
                assert all(b == repr(nodes[i].data) for i, b in boxes), k
                check_every_state(p, root)  # ends at the last step, where update works again
            if "mlp" in name or name in ("neuron_o", "neuron_loss"):
                assert losses[-1] < losses[0]  # the loss goes down
            p.pg.screenshot(path=f"{artifacts}/explore_update_{name}_{view}.png")
            p.check_clean()
        finally:
            p.close()


def test_the_default_parameters_are_the_leaves_nn_would_name_so():
    """The lecture neuron updates w1, w2, b (not its inputs x1, x2); an MLP all its
    parameters; micrograd's README example (a, b: variables, not a weight and a bias) none."""
    o, leaves = neuron()
    o.backward()
    names = re.findall(r'"update":\{"params":\[([0-9,]*)\]', page(o))[0]
    drawn = drawn_values(o, None, 10**6)[0]
    assert {drawn[int(i)].label for i in names.split(",")} == {"w1", "w2", "b"}
    model = MLP(2, [2, 1], seed=5)
    loss = mse([model([1.0, 2.0])], [0.5])
    ids = re.findall(r'"update":\{"params":\[([0-9,]*)\],"how":"named"', page(loss))[0]
    drawn = drawn_values(loss, None, 10**6)[0]
    assert {id(drawn[int(i)]) for i in ids.split(",")} == {id(p) for p in model.parameters()}
    assert '"update":{"params":[],"how":"none"' in page(micrograd_readme())
    from autograd.explorer import PARAM_LABEL

    assert PARAM_LABEL.pattern == _PLACE.pattern  # one naming scheme


def test_with_no_parameters_the_page_says_so_and_offers_every_leaf(browser):
    g = micrograd_readme()
    p = Page(browser, page(g))
    try:
        p.pg.keyboard.press("End")
        note = p.pg.inner_text("#vg-update-note")
        assert "No leaf is marked as a parameter" in note and "params=" in note
        assert p.pg.is_disabled("#vg-update")
        p.pg.check("#vg-every-leaf")
        p.pg.fill("#vg-lr", "0.001")
        p.pg.click("#vg-update")
        a, b = Value(-4.0, label="a"), Value(2.0, label="b")
        g = micrograd_readme(a, b)  # the engine's loop on every leaf
        for v in (a, b):
            v.data -= 0.001 * v.grad
            v.grad = 0.0
        g = micrograd_readme(a, b)
        nodes = drawn_values(g, None, 10**6)[0]
        assert attrs(p) == [(repr(v.data), repr(v.grad)) for v in nodes]
        p.check_clean()
    finally:
        p.close()


def test_the_update_step_says_why_it_cannot_run(browser):
    """Mid-backward, with a bad lr, on a depth= page: the button is off and says why."""
    o, _ = neuron()
    o.backward()
    p = Page(browser, page(o))
    try:
        assert p.pg.is_disabled("#vg-update")
        assert "step backward to the end first" in p.pg.inner_text("#vg-update-why")
        p.go(p.T)
        assert p.pg.is_enabled("#vg-update")
        for bad in ("abc", "-0.1", "0", "inf", ""):
            p.pg.fill("#vg-lr", bad)
            assert p.pg.is_disabled("#vg-update"), bad
            assert f"lr: “{bad}” is not a positive number" in p.pg.inner_text("#vg-update-why")
            assert p.pg.get_attribute("#vg-lr", "aria-invalid") == "true"
        p.pg.fill("#vg-lr", "0.1")
        p.pg.keyboard.press("Escape")
        p.pg.click("#vg-update")
        p.pg.click("#vg-update")
        assert len(p.pg.evaluate("valuegradExplorer.losses")) == 3
        box = p.pg.locator(".vg-leaf-box").first  # an input moved by hand: a new run starts
        box.fill("1.5")
        box.press("Enter")
        assert len(p.pg.evaluate("valuegradExplorer.losses")) == 1
        p.pg.click("#vg-update")  # and an update from there is the engine's, from there
        loop = neuron_loop(False)
        loop.step(0.1)
        loop.step(0.1)
        assert p.pg.inner_text(".vg-leaf-name >> nth=0") == "b" == loop.params[2].label
        loop.params[2].data = 1.5
        loop.root = loop._run()
        root = loop.step(0.1)
        assert attrs(p) == [(repr(v.data), repr(v.grad)) for v in drawn_values(root, None, 99)[0]]
        check_every_state(p, root)
        p.check_clean()
    finally:
        p.close()
    p = Page(browser, page(o, depth=2))
    try:
        p.go(p.T)
        assert p.pg.is_disabled("#vg-update")
        assert "depth=" in p.pg.inner_text("#vg-update-note")
        p.check_clean()
    finally:
        p.close()


def test_params_that_cannot_be_updated_are_refused():
    o, leaves = neuron()
    with pytest.raises(TypeError, match=r"params\[0\] is a float, not a Value"):
        page(o, params=[1.0])
    n = o._prev[0]
    with pytest.raises(ValueError, match=r"params\[1\] \(n, data .*\) is made by the op '\+'"):
        page(o, params=[leaves["w1"], n])
    with pytest.raises(ValueError, match=r"params\[0\] \(stray, data 3.0\) is not in the graph"):
        page(o, params=[Value(3.0, label="stray")])


def test_mazurs_first_update_in_the_page(browser):
    """Matt Mazur's worked example (2015) updates the weights w1..w8 (not the biases) with
    learning rate 0.5 and reports the total error going from 0.298371109 to 0.291027924
    after that first round (his numbers, from rounded hand calculation: within 1e-6)."""
    from nn import half_squared_error
    from nn.examples import MAZUR_INPUTS, MAZUR_TARGETS, mazur_network, weights

    model = mazur_network(fused=False)
    ws = weights(model)
    inputs = [Value(x, label=f"i{k}") for k, x in enumerate(MAZUR_INPUTS, start=1)]
    loop = Loop(
        lambda: half_squared_error(model(inputs), MAZUR_TARGETS), ws, [*model.parameters(), *inputs]
    )
    p = Page(browser, page(loop.root, params=ws))
    try:
        p.pg.fill("#vg-lr", "0.5")
        p.go(p.T)
        p.pg.click("#vg-update")
        root = loop.step(0.5)
        losses = p.pg.evaluate("valuegradExplorer.losses")
        assert abs(losses[0] - 0.298371109) < 1e-9 and abs(losses[1] - 0.291027924) < 1e-6
        assert losses[1] == root.data
        nodes = drawn_values(root, None, 10**6)[0]
        assert attrs(p) == [(repr(v.data), repr(v.grad)) for v in nodes]
        p.check_clean()
    finally:
        p.close()
