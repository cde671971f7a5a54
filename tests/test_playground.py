"""nn.playground without a browser: its checks, the page's self-containment, the CLI."""

import re

import pytest

import nn
from autograd.cli import EXIT_USAGE, main
from nn.playground import batches, playground, train_like_page


def test_page_is_self_contained_and_carries_the_op_table():
    X, y = nn.make_moons(20, seed=0)
    pg = playground(nn.MLP(2, [3, 1], seed=0), X, y, loss="hinge", lr=0.5)
    html = pg.html
    assert "function VG_RULES(F)" in html and '"tanh|v"' in html  # generated from the op table
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "default-src 'none'" in html  # the page may not fetch anything
    assert 'sandbox="allow-scripts allow-downloads"' in pg._repr_html_()
    assert "<script" not in html.split('id="pg-config">')[1].split("</script>")[0]


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"loss": "l1"}, "unknown loss"),
        ({"dataset": "swiss"}, "unknown dataset"),
        ({"lr": float("nan")}, "lr must be"),
        ({"lr": -1.0}, "lr must be"),
        ({"model": nn.MLP(3, [2, 1], seed=0)}, "2-input, 1-output"),
        ({"model": nn.MLP(2, [2, 2], seed=0)}, "2-input, 1-output"),
        ({"model": nn.MLP(2, [2, 1], seed=0, fused=False)}, "fused"),
        ({"loss": "bce", "model": nn.MLP(2, [2, 1], seed=0)}, "sigmoid output"),
        ({"X": [[0.0, 1.0], [1.0, float("inf")]], "y": [0, 1]}, "2 finite coordinates"),
        ({"X": [[0.0, 1.0], [1.0, 2.0]], "y": [0, 1, 2]}, "same length"),
        (
            {"X": [[0.0, 1.0], [1.0, 2.0], [3.0, 3.0]], "y": [0, 1, 2]},
            "two finite label values",
        ),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_input_is_refused_naming_it(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        playground(**kw)


def test_train_like_page_is_nn_sgd_on_the_batch_order():
    X, y = nn.make_moons(30, seed=1)
    m1, m2 = nn.MLP(2, [4, 1], seed=2), nn.MLP(2, [4, 1], seed=2)
    hist = train_like_page(m1, X, y, loss="mse", lr=0.1, batch_size=7, seed=4, steps=5)
    opt = nn.SGD(m2.parameters(), lr=0.1)
    for k, batch in enumerate(batches(30, 7, 4, 5)):
        assert len(batch) == 7 and len(set(batch)) == 7
        loss = nn.mse([m2(X[i]) for i in batch], [y[i] for i in batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert loss.data == hist[k]
    assert [p.data for p in m1.parameters()] == [p.data for p in m2.parameters()]
    # the batches walk one permutation: 30 points in 30 / 7 steps, each once
    flat = [i for b in batches(30, 7, 4, 5) for i in b][:30]
    assert sorted(flat) == list(range(30))


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "p.html"
    argv = ["playground", "--dataset", "xor", "--layers", "3,2", "--loss", "hinge", "--lr", "0.2"]
    assert main([*argv, "--seed", "3", "-o", str(out), "--no-browser"]) == 0
    text = out.read_text()
    assert '"dataset":"xor"' in text and '"loss":"hinge"' in text and '"sizes":[2,3,2,1]' in text
    assert main(["playground", "--layers", "x", "--no-browser", "-o", str(out)]) == EXIT_USAGE
    assert "--layers needs" in capsys.readouterr().err


@pytest.mark.parametrize("label", [1.0, 0.0, -1.0])
def test_y_of_one_label_is_refused_not_trained_as_class_0(label):
    # all 1.0 was mapped to class 0, so the page trained toward 0 (rev22 review)
    X = [[0.1 * i, -0.05 * i] for i in range(6)]
    with pytest.raises(ValueError, match="two finite label values"):
        playground(nn.MLP(2, [3, 1], seed=0), X, [label] * 6)


def test_a_batch_over_n_is_the_full_batch_as_on_the_page():
    # the page clamps the batch to the training points (controls.js batchAt); Python walked
    # the permutation past n, counting points twice (rev22 review)
    assert batches(5, 8, 1, 2) == batches(5, 5, 1, 2)
