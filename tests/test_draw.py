"""Drawing graphs: DOT structure, SVG content, both renderer paths, escaping, limits.

How the drawings look in a browser is tested in test_draw_browser.py.
"""

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, topological_order
from autograd import draw as draw_mod
from autograd.demo import neuron
from autograd.draw import (
    COLOURS,
    RendererNotFoundError,
    draw_dot,
    draw_network,
    find_renderer,
    format_number,
    network_svg,
    op_text,
    render,
    to_svg,
)
from autograd.ops import linear

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def svg_texts(svg: str) -> list[str]:
    """Every text of the drawing, runs of spaces (number alignment) made one."""
    root = ET.fromstring(svg)  # fails on malformed XML
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


def backpropagated_neuron():
    o, leaves = neuron()
    o.backward()
    return o, leaves


def test_dot_has_a_record_per_value_and_a_node_per_op():
    o, _ = backpropagated_neuron()
    src = draw_dot(o).source
    assert src.count("shape=plain ") == 10  # 5 leaves, 5 results: the table is the outline
    assert src.count("shape=ellipse") == 5  # *, *, +, +, tanh
    assert "label=<tanh>" in src and "label=<*>" in src and "label=<+>" in src


def test_same_expression_same_dot_text_byte_for_byte():
    a = draw_dot(backpropagated_neuron()[0]).source
    b = draw_dot(backpropagated_neuron()[0]).source
    assert a == b and "v0" in a and "0x" not in a


@pytest.mark.parametrize("renderer", ["graphviz-pure", "dot"])
def test_svg_holds_every_label_data_and_grad(renderer):
    if renderer == "dot" and shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs the system Graphviz; `dot` should be on PATH")
        pytest.skip("no system Graphviz here")
    o, leaves = backpropagated_neuron()
    svg = to_svg(o, renderer=renderer)
    texts = svg_texts(svg)
    for name, leaf in leaves.items():
        assert name in texts
        assert f"data {format_number(leaf.data)}" in texts
        assert f"grad {format_number(leaf.grad)}" in texts
    assert "tanh" in texts and "grad 1.0000" in texts and "data 0.7071" in texts
    assert to_svg(o, renderer=renderer) == svg  # deterministic


def test_fallback_without_system_dot(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("VALUEGRAD_RENDERER", raising=False)
    cmd = find_renderer()
    assert os.path.basename(cmd[0]) == "graphviz-pure"
    o, _ = backpropagated_neuron()
    assert "grad 0.5000" in svg_texts(to_svg(o))


def test_no_renderer_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(draw_mod.sysconfig, "get_path", lambda _: "/nonexistent")
    monkeypatch.setattr(draw_mod.sys, "executable", "/nonexistent/python")
    with pytest.raises(RendererNotFoundError, match="pip install graphviz-pure") as info:
        to_svg(Value(1.0))
    assert "apt-get install graphviz" in str(info.value)


def test_jupyter_display_uses_the_fallback(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    o, _ = backpropagated_neuron()
    bundle = draw_dot(o)._repr_mimebundle_()
    assert "tanh" in svg_texts(bundle["image/svg+xml"])


@pytest.mark.parametrize(
    "label", ["a<b>c", "{x|y}", 'say "hi"', "two\nlines", "</text><script>", "a\\b"]
)
def test_labels_are_escaped(label):
    v = Value(1.5, label=label)
    w = v * 2
    w.label = label
    w.backward()
    svg = to_svg(w)
    assert "<script>" not in svg
    joined = "".join(svg_texts(svg))
    for part in label.split("\n"):
        assert part in joined


def test_op_text():
    x = Value(2.0)
    y = Value(3.0)
    assert op_text(x**2) == "** 2"
    assert op_text(x * 3) == "* 3"
    assert op_text(x - 3) == "\N{MINUS SIGN} 3"
    assert op_text(x / 4) == "/ 4"
    assert op_text(2**x) == "2 **"
    assert op_text(-x) == "neg"
    assert op_text(x.tanh()) == "tanh"
    assert op_text(x.relu()) == "relu"
    assert op_text(x - y) == "1st \N{MINUS SIGN} 2nd"
    assert op_text(x / y) == "1st / 2nd"
    assert op_text(x**y) == "1st ** 2nd"
    # c - x and c / x as the engine records them: one node, the constant in _ctx
    assert op_text(Value(1.0, (x,), "rsub", _ctx=3.0)) == "3 \N{MINUS SIGN}"
    assert op_text(Value(1.0, (x,), "rdiv", _ctx=2.0)) == "2 /"
    assert op_text(Value(1.0, (x,), "rdiv", _ctx=0.5)) == "0.5 /"


def test_max_nodes_refuses_large_graphs():
    s = Value(0.0)
    for i in range(50):
        s = s + i
    with pytest.raises(ValueError, match="max_nodes=20"):
        draw_dot(s, max_nodes=20)
    assert draw_dot(s, max_nodes=100)


def test_render_picks_format_from_suffix(tmp_path):
    o, _ = backpropagated_neuron()
    assert render(o, tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert render(o, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(o, tmp_path / "g.dot").read_text().startswith("digraph")
    assert render(o, tmp_path / "g.gv").read_text() == draw_dot(o).source
    with pytest.raises(ValueError, match="suffix"):
        render(o, tmp_path / "g.jpg")
    assert not (tmp_path / "g.jpg").exists()


def test_bad_rankdir():
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(Value(1.0), rankdir="XY")


@pytest.mark.parametrize(
    "x, shown",
    [  # the rule: 4 decimals for 1e-3 <= |x| < 1e5, else 3 significant digits, exponent form
        (0.5, "0.5000"),
        (-0.6487, "-0.6487"),
        (0.001, "0.0010"),
        (99999.0, "99999.0000"),
        (1e5, "1.00e+05"),
        (123456789.5, "1.23e+08"),
        (-12193263160646.244, "-1.22e+13"),
        (1e-12, "1.00e-12"),
        (-9.9e-8, "-9.90e-08"),
        (0.000999, "9.99e-04"),
        (0.0, "0"),
        (-0.0, "0"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
    ],
)
def test_number_format(x, shown):
    assert format_number(x) == shown
    if shown not in ("0", "nan", "inf", "-inf"):  # what is shown is x to 3 or more digits
        assert math.isclose(float(shown), x, rel_tol=5e-3)


def test_tiny_and_huge_numbers_are_not_drawn_as_zero_and_tooltips_hold_the_repr():
    x = Value(1e-12, label="x")
    y = x * -12193263160646.244
    y.label = "y"
    y.backward()
    svg = to_svg(y)
    texts = svg_texts(svg)
    assert "data 1.00e-12" in texts and "grad -1.22e+13" in texts and "data -12.1933" in texts
    assert not any("0.0000" in t for t in texts)
    titles = [a.get(f"{XLINK}title") for a in ET.fromstring(svg).iter(f"{SVG}a")]
    assert f"x: leaf\ndata = {x.data!r}\ngrad = {x.grad!r}" in titles
    assert f"y: *\ndata = {y.data!r}\ngrad = 1.0" in titles


def _edges(src: str) -> list[tuple[str, str, str]]:
    """The drawn edges (not the invisible ones that fix the order), with their role labels."""
    found = re.findall(r'\t(v\w+) -> (v\w+)(?: \[(?:head|tail)?label="?(\w+)"?)?', src)
    return [e for e in found if f"\t{e[0]} -> {e[1]} [minlen=0 style=invis]" not in src]


def test_non_commutative_inputs_are_labelled_1st_and_2nd():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    src_xy = draw_dot(x - y).source
    src_yx = draw_dot(y - x).source
    assert src_xy != src_yx
    names = dict(re.findall(r"\t(v\d+) \[label=<<TABLE[^>]*><TR><TD><B>(\w)</B>", src_xy))
    roles = {names[a]: role for a, b, role in _edges(src_xy) if role}
    assert roles == {"x": "1st", "y": "2nd"}
    names = dict(re.findall(r"\t(v\d+) \[label=<<TABLE[^>]*><TR><TD><B>(\w)</B>", src_yx))
    assert {names[a]: role for a, b, role in _edges(src_yx) if role} == {"y": "1st", "x": "2nd"}
    # the same input on both sides: two edges
    assert sorted(role for *_, role in _edges(draw_dot(x / x).source) if role) == ["1st", "2nd"]
    assert not any(role for *_, role in _edges(draw_dot(x * y).source))


def test_linear_inputs_are_labelled():
    ws = [Value(0.5, label="p"), Value(-1.0, label="q")]
    xs = [Value(2.0, label="u"), 3.0]
    b = Value(0.1, label="c")
    src = draw_dot(linear(ws, xs, b)).source
    names = dict(re.findall(r"\t(v\d+) \[label=<<TABLE[^>]*><TR><TD><B>(\w)</B>", src))
    roles = {names[a]: role for a, _, role in _edges(src) if a in names}
    # subscripts: roles that cannot read as the name of a value labelled w0 or x0
    assert roles == {
        "p": "w\N{SUBSCRIPT ZERO}",
        "q": "w\N{SUBSCRIPT ONE}",
        "u": "x\N{SUBSCRIPT ZERO}",
        "c": "b",
    }
    # the plain number 3.0 is drawn as an input box of its own, its edge labelled x1
    (box,) = [a for a, _, role in _edges(src) if role == "x\N{SUBSCRIPT ONE}"]
    assert re.search(rf"\t{box} \[label=<<TABLE[^\n]*<I>input</I>[^\n]*data 3.0000", src)


def test_names_follow_the_topological_order():
    o, _ = backpropagated_neuron()
    src = draw_dot(o).source
    for a, b, _ in _edges(src):
        i, j = int(a.strip("vop")), int(b.strip("vop"))
        assert i < j or (i == j and a.endswith("op"))  # inputs before results; v3op -> v3
    assert f"v{len(topological_order(o)) - 1} [" in src


@pytest.mark.parametrize("renderer", ["graphviz-pure", "dot"])
def test_svg_nodes_keep_graphviz_structure(renderer):
    # the interactive explorer finds nodes by <g class="node"><title>v3</title>
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("no system Graphviz here")
    o, _ = backpropagated_neuron()
    root = ET.fromstring(to_svg(o, renderer=renderer))
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    order = topological_order(o)
    expected = [f"v{i}" for i in range(10)] + [f"v{i}op" for i, v in enumerate(order) if v._op]
    assert sorted(titles) == sorted(expected) and len(expected) == 15


def _records(src: str) -> dict[str, tuple[str, str]]:
    """Each labelled value record of the DOT text: label -> (node name, TABLE attributes)."""
    found = re.findall(r"\t(v\d+) \[label=<<TABLE([^>]*)><TR><TD><B>([^<]+)</B>", src)
    return {label: (name, attrs) for name, attrs, label in found}


def test_leaves_parameters_and_output_are_marked():
    o, leaves = backpropagated_neuron()
    params = [leaves["w1"], leaves["w2"], leaves["b"]]
    src = draw_dot(o, params=params).source
    rec = _records(src)

    def colour(label):
        return re.search(r'BGCOLOR="([^"]+)"', rec[label][1]).group(1)

    assert colour("w1") == colour("w2") == colour("b") == COLOURS["param"]
    assert colour("x1") == colour("x2") == COLOURS["leaf"]
    assert colour("n") == COLOURS["value"]
    assert colour("o") == COLOURS["output"] and 'BORDER="2"' in rec["o"][1]
    assert 'BORDER="2"' not in rec["n"][1]
    assert len(set(COLOURS.values())) == len(COLOURS)
    # the inputs, not the parameters, are pinned to the first rank; without params, all leaves
    rank = re.search(r"\{rank=min; ([^}]*)\}", src).group(1).split("; ")
    assert sorted(rank) == sorted([rec["x1"][0], rec["x2"][0]])
    rank = re.search(r"\{rank=min; ([^}]*)\}", draw_dot(o).source).group(1).split("; ")
    assert sorted(rank) == sorted(rec[k][0] for k in leaves)


def test_long_chains_are_drawn_top_to_bottom_and_size_limits_the_width():
    o, _ = backpropagated_neuron()
    assert "rankdir=LR" in draw_dot(o).source
    y = Value(0.5)
    for _ in range(20):
        y = y.sin()
    assert "rankdir=TB" in draw_dot(y).source
    assert "rankdir=LR" in draw_dot(y, rankdir="LR").source
    svg = to_svg(o, size=400)
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert width_pt * 4 / 3 <= 400.5
    for bad in (0, -5, math.inf, math.nan, "wide"):
        with pytest.raises(ValueError, match="size"):
            draw_dot(o, size=bad)


def test_drawing_is_importable_from_the_package_and_lazily():
    import autograd

    code = (
        "import sys, autograd; assert 'graphviz' not in sys.modules, 'eager'; "
        "from autograd import draw_dot, to_svg, render; import graphviz; "
        "assert all(hasattr(autograd, n) for n in autograd.__all__)"
    )
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(autograd.__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert autograd.draw_dot is draw_dot and "draw_dot" in dir(autograd)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograd.nope  # noqa: B018


def test_readme_picture_is_the_demo_as_pip_users_get_it():
    from autograd import demo

    o, _, params = demo.graph()
    path = os.path.join(os.path.dirname(__file__), "..", "docs", "demo.svg")
    with open(path, encoding="utf-8") as f:
        committed = f.read()
    # regenerate: VALUEGRAD_RENDERER=graphviz-pure python -m autograd demo -o docs/demo.svg
    assert committed == to_svg(o, renderer="graphviz-pure", params=params)


def mazur(backward: bool = True):
    from nn import half_squared_error
    from nn.examples import MAZUR_INPUTS, MAZUR_TARGETS, mazur_network, weights

    model = mazur_network()
    for i, w in enumerate(weights(model), start=1):
        w.label = f"w{i}"
    if backward:
        half_squared_error(model(MAZUR_INPUTS), MAZUR_TARGETS).backward()
    return model


MAZUR_NAMES = {"input_names": ["i1", "i2"], "neuron_names": [["h1", "h2"], ["o1", "o2"]]}


def test_draw_network_puts_each_weight_on_its_edge_as_in_mazurs_figure():
    model = mazur()
    src = draw_network(model, **MAZUR_NAMES).source
    # each weight's label is a node its edge runs through: input -> label -> neuron
    labels = re.findall(
        r'\t(L\d+N\d+w\d+) \[label=<<TABLE[^>]*><TR><TD[^>]*>(w\d) ([\d.]+)<BR ALIGN="LEFT"/>'
        r"grad ([-\d.e]+)<BR",
        src,
    )
    drawn = re.findall(r"\t(\w+) -> (\w+) \[color", src)
    tail = {head: t for t, head in drawn}  # a label's one edge in, and one out
    head = dict(drawn)
    edges = [(tail[n], head[n], w, x, g) for n, w, x, g in labels]
    # Mazur's figure: w1 i1->h1, w2 i2->h1, w3 i1->h2, w4 i2->h2, w5 h1->o1, w6 h2->o1, ...
    assert [(a, b, w) for a, b, w, _, _ in edges] == [
        ("in0", "L0N0", "w1"),
        ("in1", "L0N0", "w2"),
        ("in0", "L0N1", "w3"),
        ("in1", "L0N1", "w4"),
        ("L0N0", "L1N0", "w5"),
        ("L0N1", "L1N0", "w6"),
        ("L0N0", "L1N1", "w7"),
        ("L0N1", "L1N1", "w8"),
    ]
    assert [float(x) for *_, x, _ in edges] == [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]
    w5_grad = float(edges[4][4])  # the article's dE/dw5 = 0.082167041
    assert abs(w5_grad - 0.082167041) < 5e-5
    for name in ("i1", "i2", "h1", "h2", "o1", "o2"):
        assert f"<B>{name}</B>" in src
    # biases carry their labels: Mazur names them b1 (hidden) and b2 (output)
    assert "b1 0.3500" in src and "b2 0.6000" in src and "sigmoid" in src
    widths = [float(x) for x in re.findall(r"penwidth=([\d.]+)", src)]
    assert widths == sorted(widths)  # w1 < w2 < ... < w8: width grows with |w|


def test_draw_network_without_gradients_and_with_negative_weights():
    model = mazur(backward=False)
    model.layers[0].neurons[0].w[0].data = -2.0
    src = draw_network(model).source
    assert ">grad " not in src and "grad b" not in src
    assert ">grad " in draw_network(mazur()).source
    assert "x0" in src and "L1.N1" in src
    # two drawn edges per weight (input -> its label -> neuron)
    assert src.count('color="#c0392b"') == 2 and src.count('color="#1f5fbf"') == 14
    with pytest.raises(ValueError, match="input names"):
        draw_network(model, input_names=["a"])
    with pytest.raises(ValueError, match="needs layers of neurons"):
        draw_network(Value(1.0))


@pytest.mark.parametrize("renderer", ["graphviz-pure", "dot"])
def test_network_svg(renderer):
    if renderer == "dot" and shutil.which("dot") is None:
        pytest.skip("no system Graphviz here")
    texts = svg_texts(network_svg(mazur(), renderer=renderer, **MAZUR_NAMES))
    assert "w5 0.4000" in texts and "grad 0.0822" in texts and "o2" in texts


def test_depth_draws_the_last_ops_of_a_graph_too_large_to_draw_whole():
    x = Value(0.5, label="x")
    y = x
    for _ in range(300):
        y = (y * y + x).tanh()
    with pytest.raises(ValueError, match="depth=3") as info:
        draw_dot(y)  # 901 values
    assert "max_nodes=400" in str(info.value)
    src = draw_dot(y, depth=3).source
    assert src.count("shape=ellipse") == 3  # tanh, +, *
    assert src.count("<I>... tanh</I>") == 1  # the value the * starts from, cut
    assert "<B>x</B>" in src
    assert len(re.findall(r"\tv\d+ \[", src)) == 5
    assert draw_dot(y, depth=0).source.count("shape=ellipse") == 0
    whole = draw_dot(x * 2 + 1).source
    assert draw_dot(x * 2 + 1, depth=10).source == whole
    for bad in (-1, 1.5, "3"):
        with pytest.raises(ValueError, match="depth"):
            draw_dot(y, depth=bad)


def test_a_label_that_names_its_role_needs_no_edge_label():
    w0, w1 = Value(0.5, label="L0.N0.w0"), Value(-1.0, label="w0")  # w1 is called w0: misleading
    x0, b = Value(2.0, label="x0"), Value(0.1, label="L0.N0.b")
    src = draw_dot(linear([w0, w1], [x0, 3.0], b)).source
    names = dict(re.findall(r"\t(v\d+) \[label=<<TABLE[^>]*><TR><TD><B>([\w.]+)</B>", src))
    roles = {names.get(a, a): role for a, _, role in _edges(src)}
    # the edge from a value named for its role is unlabelled; the misnamed one says w1
    assert roles["L0.N0.w0"] == "" and roles["x0"] == "" and roles["L0.N0.b"] == ""
    assert roles["w0"] == "w\N{SUBSCRIPT ONE}"
    assert [role for a, _, role in _edges(src) if "k" in a] == ["x\N{SUBSCRIPT ONE}"]  # 3.0
