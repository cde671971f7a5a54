"""The explorer page as text (autograd/explorer.py): self-contained, safely embedded, built
from the op table, and leaving the user's graph as it was. The page's behaviour is
tested in a browser in test_explore_browser.py."""

from __future__ import annotations

import html
import json
import re

import pytest

import autograd
from autograd import Value, cli
from autograd.demo import neuron
from autograd.explorer import Explorer, explore, graph_json, page, rules_js, safe_json, write_html
from autograd.opspec import SPECS, to_js
from nn import MLP

HOSTILE = "</script><script>alert(1)</script>"


def data_block(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="vg-data">(.*?)</script>', text, re.S)
    assert m, "the page carries its graph as JSON"
    return json.loads(m.group(1))


def test_the_page_is_self_contained():
    o, _ = neuron()
    o.backward()
    text = page(o)
    # nothing to fetch: no external scripts, styles, images, fonts or links
    assert not re.search(r"<(link|img|iframe|object|embed|base)\b", text, re.I)
    assert not re.search(r"\b(src|href)\s*=", text, re.I)
    assert "@import" not in text and "url(" not in text
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # script and style come from the package files, inlined
    assert "function VG_RULES(F)" in text and "valuegradExplorer" in text
    assert text.count("<script") == 2 and text.count("</script>") == 2


def test_a_hostile_label_cannot_end_the_script_or_data_block():
    a = Value(1.0, label=HOSTILE)
    b = Value(2.0, label="x\u2028y & <b>")
    c = a * b
    c.label = '"><svg onload=alert(1)>'
    text = page(c)
    assert text.count("<script") == 2 and text.count("</script>") == 2
    assert "<script>alert(1)" not in text
    assert "<svg onload" not in text
    data = data_block(text)
    assert [n["label"] for n in data["nodes"]] == [HOSTILE, "x\u2028y & <b>", c.label] or [
        n["label"] for n in data["nodes"]
    ] == ["x\u2028y & <b>", HOSTILE, c.label]


def test_safe_json_escapes_what_html_and_javascript_would_read():
    s = safe_json({"k": "</script><!-- & \u2028\u2029 >"})
    assert not set(s) & set("<>&\u2028\u2029")
    assert json.loads(s) == {"k": "</script><!-- & \u2028\u2029 >"}


def test_nan_and_inf_travel_as_strings():
    x = Value(float("nan"), label="x")
    y = Value(float("inf"), label="y")
    data = data_block(page(x * 2.0 + y))
    assert [n["data"] for n in data["nodes"][:2]] in (["nan", "inf"], ["inf", "nan"])


def test_the_javascript_rules_are_the_op_table_translated():
    js = rules_js()
    for (op, form), spec in SPECS.items():
        sig = "function (a, b, c, out, g, w, x)"
        assert f'"{op}|{form}": {{f: {sig} {{ return {to_js(spec.forward)}; }}' in js
        for expr in spec.grads:
            assert f"{{ return {to_js(expr)}; }}" in js
    assert "</" not in js and "<!--" not in js


def test_each_node_carries_op_parents_constant_and_rule():
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh() + x
    data = graph_json(y)
    names = [n["name"] for n in data["nodes"]]
    assert names[0] == "x" and data["root"] == len(names) - 1
    mul = next(n for n in data["nodes"] if n["op"] == "*")
    assert mul["c"] == 3.0 and mul["rule"] == "*|vc" and mul["parents"] == [0]
    assert data["nodes"][-1]["rule"] == "+|vv"
    assert len(data["trace"]) == len(data["order"]) == 3


def test_linear_nodes_carry_their_terms():
    model = MLP(2, [1], seed=1)
    out = model([Value(0.5, label="a"), 2.0])
    data = graph_json(out)
    lin = next(n for n in data["nodes"] if n["op"] == "linear")
    assert lin["rule"] == "linear|n"
    (w0, x0, c0), (w1, x1, c1) = lin["lin"]["terms"]
    assert data["nodes"][x0]["name"] == "a" and c0 is None
    assert x1 is None and c1 == 2.0
    assert lin["lin"]["bias"] is not None


def test_a_custom_op_has_no_rule_but_its_steps_are_recorded():
    x = Value(3.0, label="x")
    out = Value(x.data**2, (x,), "square")

    def _backward():
        x.grad += 2 * x.data * out.grad

    out._backward = _backward
    data = graph_json(out)
    assert data["nodes"][1]["rule"] is None
    assert data["trace"] == [[[0, 6.0]]]


def test_the_users_grads_are_left_as_they_were():
    o, leaves = neuron()
    o.backward()
    o.backward()  # leaves accumulate: 2 x the gradient
    before = {k: v.grad for k, v in leaves.items()}
    data = graph_json(o)
    assert {k: v.grad for k, v in leaves.items()} == before
    # while the page replays one fresh backward pass from the engine's own closures
    final = {}
    for step in data["trace"]:
        final.update({i: g for i, g in step})
    names = [n["name"] for n in data["nodes"]]
    assert {names[i]: g for i, g in final.items() if names[i] in before} == {
        k: g / 2 for k, g in before.items()
    }


def test_a_freed_graph_still_explores_without_a_trace():
    x = Value(2.0, label="x")
    y = x * x + 1.0
    y.backward(retain_graph=False)
    data = graph_json(y)
    assert data["trace"] is None and x.grad == 4.0


def test_big_graphs_are_refused_as_draw_dot_refuses_them():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_nodes"):
        page(y, max_nodes=10)
    assert "<svg" in page(y, max_nodes=40)


def test_not_a_value_is_refused():
    with pytest.raises(TypeError, match="explore"):
        explore(3.0)


def test_jupyter_shows_an_isolated_iframe(tmp_path):
    o, _ = neuron()
    ex = autograd.explore(o)
    assert isinstance(ex, Explorer)
    shown = ex._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert html.unescape(srcdoc) == ex.html
    path = ex.save(tmp_path / "o.html")
    assert path.read_text(encoding="utf-8") == ex.html
    from autograd.draw import render

    assert render(o, tmp_path / "r.html").read_text(encoding="utf-8") == ex.html
    assert write_html(o, tmp_path / "p.html").read_text(encoding="utf-8") == ex.html


def test_cli_graph_writes_the_explorer_for_html(tmp_path, capsys):
    path = tmp_path / "g.html"
    assert cli.main(["graph", "x*y + sin(x)", "--at", "x=2", "y=3", "-o", str(path)]) == 0
    assert "valuegradExplorer" in path.read_text(encoding="utf-8")
    assert str(path) in capsys.readouterr().out


def test_cli_explore_writes_a_page_and_opens_it(tmp_path, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert cli.main(["explore", "x*y + sin(x)", "--at", "x=2", "y=3"]) == 0
    (written,) = tmp_path.glob("valuegrad-explore-*.html")
    assert opened == [written.resolve().as_uri()]
    data = data_block(written.read_text(encoding="utf-8"))
    assert {n["name"] for n in data["nodes"]} >= {"x", "y"}
    out = tmp_path / "e.html"
    assert cli.main(["explore", "x/y", "--at", "x=1", "y=2", "-o", str(out), "--no-browser"]) == 0
    assert len(opened) == 1 and out.exists()
    assert cli.main(["explore", "__import__('os')", "--at", "x=1"]) == 2
    assert "error" in capsys.readouterr().err
