"""Layout of the drawings past the lecture neuron, as headless Chromium draws them.

For MLP network pictures (3-4-1, 4-8-8-3) and value graphs (a 2-3-1 MLP fused and
unfused, on Values and on plain floats; micrograd's README example; a 3-4-4-1 MLP
with an MSE loss over two samples), with both renderers: inputs and neurons in
index order along the rank (top to bottom drawn left to right, left to right drawn
top to bottom), no mirrored layer, every text inside its box, every edge end on its
node, no label over another, each label nearer its own edge than any other, and the
fused 2-3-1 within a 1,280 px page. Screenshots go to the artifacts folder.
"""

from __future__ import annotations

import os
import re

import pytest
from layout_graphs import micrograd_readme, mlp_231, mlp_3441_mse, network
from test_draw_browser import (
    ARROW_OVERLAP,
    EDGE_GAP,
    NOTEBOOK_WIDTH,
    RENDERERS,
    TEXT_SLACK,
    have,
    measure,
)

from autograd import Value
from autograd.draw import draw_dot, drawn_values, network_svg, to_svg

# Runs in the page: each node's box and texts, each drawn edge's sampled path and
# label texts (in pt, the SVG's user units).
GEOMETRY_JS = r"""
() => {
  const svg = document.querySelector('svg');
  const box = (el) => { const b = el.getBBox();
    return [b.x, b.y, b.x + b.width, b.y + b.height]; };
  const nodes = {}, edges = [];
  for (const g of svg.querySelectorAll('g.node')) {
    const shapes = [...g.querySelectorAll('polygon, ellipse, rect')].map(box)
      .filter((b) => b[2] > b[0] && b[3] > b[1]);
    const b = shapes.reduce((a, r) => [Math.min(a[0], r[0]), Math.min(a[1], r[1]),
      Math.max(a[2], r[2]), Math.max(a[3], r[3])], [Infinity, Infinity, -Infinity, -Infinity]);
    nodes[g.querySelector('title').textContent] = {
      box: b, texts: [...g.querySelectorAll('text')].map((t) => t.textContent.trim())};
  }
  for (const g of svg.querySelectorAll('g.edge')) {
    const [tail, head] = g.querySelector('title').textContent.split('->')
      .map((end) => end.split(':')[0]);
    const points = [];
    for (const path of g.querySelectorAll('path')) {
      const len = path.getTotalLength();
      for (let i = 0; i <= 60; i++) {
        const p = path.getPointAtLength(len * i / 60); points.push([p.x, p.y]); }
    }
    const labels = [...g.querySelectorAll('text')].map((t) => ({text: t.textContent.trim(),
                                                             box: box(t)}));
    edges.push({tail, head, points, labels});
  }
  return {nodes, edges};
}
"""


def geometry(browser, svg: str) -> dict:
    page = browser.new_page(viewport={"width": NOTEBOOK_WIDTH, "height": 800})
    page.route("**/*", lambda route: route.abort())
    try:
        page.set_content(f"<!doctype html><html><body>{svg[svg.index('<svg') :]}</body></html>")
        page.evaluate("document.fonts.ready")
        return page.evaluate(GEOMETRY_JS)
    finally:
        page.close()


def centre(b: list[float]) -> tuple[float, float]:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def overlap(a: list[float], b: list[float]) -> float:
    """The area two boxes share (pt²)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def box_to_points(b: list[float], points: list[list[float]]) -> float:
    """The distance from a box to the nearest of these points (0 when one is inside)."""
    best = float("inf")
    for x, y in points:
        dx = max(b[0] - x, 0.0, x - b[2])
        dy = max(b[1] - y, 0.0, y - b[3])
        best = min(best, (dx * dx + dy * dy) ** 0.5)
    return best


def check_drawn(browser, svg: str, shot: str) -> dict:
    """The checks every drawing passes (as in test_draw_browser), and its geometry."""
    m = measure(browser, svg, shot)
    assert m["requests"] == [] and m["errors"] == []
    assert m["nodes"] > 0 and m["edges"] > 0
    too_far = [o for o in m["overflows"] if o["by"] > TEXT_SLACK]
    assert too_far == [], too_far[:5]
    gaps = [g for g in m["gaps"] if g["gap"] > EDGE_GAP]
    assert gaps == [], gaps[:5]
    inside = [
        g for g in m["gaps"] if g["gap"] < -(EDGE_GAP if g["end"] == "tail" else ARROW_OVERLAP)
    ]
    assert inside == [], inside[:5]
    geo = geometry(browser, svg)
    geo["width"] = m["width"]
    return geo


# A midway edge label is beside its own edge: within LABEL_NEAR pt of it, and no other edge is
# more than LABEL_SLACK pt nearer (Graphviz sets a label beside its edge's midpoint, so
# an edge crossing there can pass a little nearer; one sitting by the wrong edge cannot).
LABEL_NEAR = 8.0
LABEL_SLACK = 3.0
# A label this near its edge's start (pt) is that end's label (Graphviz's taillabel, set
# 10 pt from where the edge leaves its node): no other edge may start nearer to it.
END_LABEL = 12.0


def labels_apart(geo: dict, extra: list[tuple[str, list[float]]] = ()) -> None:
    """No label over another; each edge label beside its own edge, not another."""
    labels = [
        (lab["text"], lab["box"], i) for i, e in enumerate(geo["edges"]) for lab in e["labels"]
    ]
    boxes = [(t, b) for t, b, _ in labels] + list(extra)
    clashes = [
        (s, t) for i, (s, a) in enumerate(boxes) for t, b in boxes[i + 1 :] if overlap(a, b) > 0.5
    ]
    assert clashes == [], clashes[:5]
    for text, b, own in labels:
        tail = geo["edges"][own]["points"][:1]
        if (
            box_to_points(b, tail) <= END_LABEL
        ):  # a label at its edge's start: no other starts nearer
            nearer = [
                f"{e['tail']}->{e['head']}"
                for e in geo["edges"]
                if e["points"]
                and e["tail"] != geo["edges"][own]["tail"]
                and box_to_points(b, e["points"][:1]) < box_to_points(b, tail)
            ]
            assert nearer == [], f"label {text!r} at the start of {nearer[0]}, not its own edge"
            continue
        mine = box_to_points(b, geo["edges"][own]["points"])
        others = [  # an edge from the same input with no role or this one reads the same
            (box_to_points(b, e["points"]), f"{e['tail']}->{e['head']}")
            for i, e in enumerate(geo["edges"])
            if i != own
            and e["points"]
            and not (
                e["tail"] == geo["edges"][own]["tail"]
                and {lab["text"] for lab in e["labels"]} <= {text}
            )
        ]
        nearest = min(others, default=(float("inf"), ""))
        edge = geo["edges"][own]
        assert mine <= LABEL_NEAR and mine <= nearest[0] + LABEL_SLACK, (
            f"label {text!r} of {edge['tail']}->{edge['head']} is {mine:.1f} pt from its edge "
            f"but {nearest[0]:.1f} pt from {nearest[1]}"
        )


def along(geo: dict, src: str) -> int:
    """The axis nodes of one rank are spread along: 1 (y) drawn left to right, else 0 (x)."""
    return 1 if "rankdir=LR" in src else 0


# -- network pictures ---------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("sizes", [[3, 4, 1], [4, 8, 8, 3]], ids=["3-4-1", "4-8-8-3"])
def test_network_inputs_and_neurons_in_index_order_labels_on_their_edges(
    browser, artifacts, sizes, renderer
):
    have(renderer)
    model = network(sizes)
    svg = network_svg(model, renderer=renderer)
    name = "-".join(map(str, sizes))
    geo = check_drawn(browser, svg, os.path.join(artifacts, f"layout-net{name}-{renderer}.png"))
    nodes = geo["nodes"]
    ys = [centre(nodes[f"in{k}"]["box"])[1] for k in range(sizes[0])]
    assert ys == sorted(ys), f"inputs out of order, top to bottom: {ys}"
    layer_x = [max(nodes[f"in{k}"]["box"][2] for k in range(sizes[0]))]
    for li, width in enumerate(sizes[1:]):
        ys = [centre(nodes[f"L{li}N{i}"]["box"])[1] for i in range(width)]
        assert ys == sorted(ys), f"layer {li} out of order, top to bottom: {ys}"
        xs = [nodes[f"L{li}N{i}"]["box"][0] for i in range(width)]
        assert min(xs) > layer_x[-1], f"layer {li} not right of the layer before"
        layer_x.append(max(nodes[f"L{li}N{i}"]["box"][2] for i in range(width)))
    # every weight's value is shown, in a label that its own edge (input -> label ->
    # neuron) runs through
    shown = [t for n in nodes.values() for t in n["texts"]]
    shown += [lab["text"] for e in geo["edges"] for lab in e["labels"]]
    for layer in model.layers:
        for n in layer.neurons:
            for w in n.w:
                assert sum(t.split()[1:2] == [f"{w.data:.4f}"] for t in shown) >= 1
    label_nodes = {t: n for t, n in nodes.items() if re.fullmatch(r"L\d+N\d+w\d+", t)}
    for t in label_nodes:
        li, i, k = map(int, re.findall(r"\d+", t))
        into = [e for e in geo["edges"] if e["head"] == t]
        out = [e for e in geo["edges"] if e["tail"] == t]
        source = f"in{k}" if li == 0 else f"L{li - 1}N{k}"
        assert [e["tail"] for e in into] == [source] and [e["head"] for e in out] == [f"L{li}N{i}"]
    # labels not stacked in one column: a layer's labels take more than one column
    for li, width in enumerate(sizes[1:]):
        if width > 1:
            left = {round(n["box"][0]) for t, n in label_nodes.items() if t.startswith(f"L{li}N")}
            assert len(left) > 1, f"layer {li}'s weight labels in one column"
    labels_apart(geo, [(t, n["box"]) for t, n in nodes.items()])


# -- value graphs -------------------------------------------------------------------


def _named(root: Value, depth=None) -> dict[str, str]:
    """Node name (v{i}) of each labelled drawn value, by label."""
    nodes, _ = drawn_values(root, depth)
    return {v.label: f"v{i}" for i, v in enumerate(nodes) if v.label}


def _neurons(root: Value) -> dict[tuple[str, int, int], str]:
    """The op node of each hidden neuron's activation, keyed by (sample, layer, neuron).

    A neuron is the bias L{l}.N{i}.b of the highest layer its activation reads; the
    sample is the first input (labelled x...) it reads."""
    nodes, _ = drawn_values(root)
    found = {}
    for i, v in enumerate(nodes):
        if v._op not in ("ReLU", "relu"):
            continue
        seen, stack, biases, inputs = set(), [v], [], []
        while stack:
            u = stack.pop()
            if id(u) in seen:
                continue
            seen.add(id(u))
            m = re.fullmatch(r"L(\d+)\.N(\d+)\.b", u.label)
            if m:
                biases.append((int(m[1]), int(m[2])))
            if u.label.startswith("x"):
                inputs.append(u.label)
            stack.extend(u._prev)
        if not biases:  # not a neuron's
            continue
        layer, neuron = max(biases)
        sample = "'" if any(x.endswith("'") for x in inputs) else ""
        found[(sample, layer, neuron)] = f"v{i}op"
    return found


def _in_order(geo: dict, axis: int, names: list[str]) -> list[float]:
    return [centre(geo["nodes"][n]["box"])[axis] for n in names]


VALUE_GRAPHS = {
    "mlp231-fused": lambda: mlp_231(True),
    "mlp231-unfused": lambda: mlp_231(False),
    "mlp231-fused-floats": lambda: mlp_231(True, floats=True),
    "mlp231-unfused-floats": lambda: mlp_231(False, floats=True),
    "micrograd-readme": micrograd_readme,
    "mlp3441-mse": mlp_3441_mse,
}


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("name", VALUE_GRAPHS)
def test_value_graph_layout(browser, artifacts, name, renderer):
    have(renderer)
    root, kw = VALUE_GRAPHS[name]()
    src = draw_dot(root, **kw).source
    svg = to_svg(root, renderer=renderer, **kw)
    geo = check_drawn(browser, svg, os.path.join(artifacts, f"layout-{name}-{renderer}.png"))
    axis = along(geo, src)
    named = _named(root)
    labels_apart(geo)
    # inputs in index order, and each neuron's parameters before the next neuron's
    xs = sorted(k for k in named if re.fullmatch(r"x\d", k))
    pos = _in_order(geo, axis, [named[k] for k in xs])
    assert pos == sorted(pos), f"inputs {xs} out of order: {pos}"
    rank_of = {v: round(centre(geo["nodes"][v]["box"])[1 - axis]) for v in named.values()}
    for layer in range(3):
        for i in range(7):
            mine = [named[k] for k in named if k.startswith(f"L{layer}.N{i}.")]
            next_ = [named[k] for k in named if k.startswith(f"L{layer}.N{i + 1}.")]
            pairs = [(p, q) for p in mine for q in next_ if abs(rank_of[p] - rank_of[q]) <= 1]
            late = [
                (p, q)
                for p, q in pairs
                if _in_order(geo, axis, [p, q]) != sorted(_in_order(geo, axis, [p, q]))
            ]
            assert late == [], f"L{layer}.N{i}'s parameters after N{i + 1}'s on their rank: {late}"
    # neurons in index order in every layer (and sample): no mirrored layer
    neurons = _neurons(root)
    for sample, layer in {(s, li) for s, li, _ in neurons}:
        ids = [neurons[(sample, layer, i)] for i in range(8) if (sample, layer, i) in neurons]
        pos = _in_order(geo, axis, ids)
        assert pos == sorted(pos), f"layer {layer}{sample} neurons out of order: {pos}"
    # operand roles never read as a value's name, and plain-number inputs read as inputs
    names = {t for n in geo["nodes"].values() for t in n["texts"][:1]}
    roles = {lab["text"] for e in geo["edges"] for lab in e["labels"]}
    assert not roles & set(named), f"edge labels {roles & set(named)} clash with value names"
    if "floats" in name:
        assert not [t for t in names if re.fullmatch(r"\* -?[\d.]+", t)], "a float input as * c"
        boxes = [n["box"] for n in geo["nodes"].values() if n["texts"][:1] == ["input"]]
        assert len(boxes) >= 2
        rank_axis = 1 - axis
        first = min(centre(n["box"])[rank_axis] for n in geo["nodes"].values())
        off = [centre(b)[rank_axis] - first for b in boxes]
        assert max(off) < 1.0, f"number inputs not in the first rank: {off}"
        if "fused" in name and "unfused" not in name:  # a layer's shared inputs: first, in order
            first_rank = sorted(
                (centre(n["box"])[axis], n["texts"][:1])
                for n in geo["nodes"].values()
                if abs(centre(n["box"])[rank_axis] - first) < 1.0
            )
            assert [t for _, t in first_rank[: len(boxes)]] == [["input"]] * len(boxes)
    if name == "mlp231-fused":
        assert geo["width"] <= NOTEBOOK_WIDTH
        # as the explorer draws it: fixed-width cells, which it scales down by at most 1.25
        wide = check_drawn(
            browser,
            to_svg(root, renderer=renderer, fixed_width=True, **kw),
            os.path.join(artifacts, f"layout-{name}-fixed-{renderer}.png"),
        )
        assert wide["width"] <= NOTEBOOK_WIDTH * 1.25
