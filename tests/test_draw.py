"""Drawing graphs: DOT structure, SVG content, both renderer paths, escaping, limits."""

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd import draw as draw_mod
from autograd.demo import neuron
from autograd.draw import RendererNotFoundError, draw_dot, find_renderer, op_text, render, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # fails on malformed XML
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def backpropagated_neuron():
    o, leaves = neuron()
    o.backward()
    return o, leaves


def test_dot_has_a_record_per_value_and_a_node_per_op():
    o, _ = backpropagated_neuron()
    src = draw_dot(o).source
    assert src.count("shape=plaintext") == 10  # 5 leaves, 5 results
    assert src.count("shape=ellipse") == 5  # *, *, +, +, tanh
    assert "label=tanh" in src and 'label="*"' in src and 'label="+"' in src


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
        assert f"data {leaf.data:.4f}" in texts
        assert f"grad {leaf.grad:.4f}" in texts
    assert "tanh" in texts and "grad 1.0000" in texts
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
    assert op_text(x**2) == "**2"
    assert op_text(x * 3) == "* 3"
    assert op_text(2**x) == "2 **"
    assert op_text(-x) == "-"
    assert op_text(x.tanh()) == "tanh"


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
