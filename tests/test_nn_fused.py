"""Fused ops (autograd/ops.py) against the unfused graph, fresh inputs, closed forms and
PyTorch: input lists reused, changed after the forward pass, shared between neurons."""

import math

import numpy as np
import pytest

from autograd import Value, gradients
from autograd.ops import all_values, fused_linear, linear, snapshot, total
from nn import MLP, Layer, Neuron

X = [[0.5, -1.0], [1.5, 2.0], [-0.3, 0.7], [2.0, -0.25]]


def grads(model):
    return [p.grad for p in model.parameters()]


def run(model, rows, reuse):
    """Sum of the model over `rows`; with `reuse`, every row goes through one buffer."""
    buf = [0.0] * len(rows[0])
    outs = []
    for x in rows:
        if reuse:
            buf[:] = x
            outs.append(model(buf))
        else:
            outs.append(model(list(x)))
    return total(outs)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_a_reused_input_buffer_gives_the_gradients_of_fresh_lists(activation):
    # the bug: linear read the caller's list again in backward, so every sample's
    # first-layer gradient used the last sample's inputs
    fused = MLP(2, [3, 1], activation=activation, seed=1)
    unfused = MLP(2, [3, 1], activation=activation, seed=1, fused=False)
    fresh = MLP(2, [3, 1], activation=activation, seed=1)
    for m, reuse in ((fused, True), (unfused, True), (fresh, False)):
        run(m, X, reuse).backward()
    assert grads(fused) == grads(fresh)
    assert grads(fused) == pytest.approx(grads(unfused), rel=1e-14, abs=1e-16)


def test_reused_buffer_against_torch(torch):
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    run(model, X, reuse=True).backward()
    ws = [
        torch.tensor([[w.data for w in n.w] for n in layer.neurons], requires_grad=True)
        for layer in model.layers
    ]
    bs = [
        torch.tensor([n.b.data for n in layer.neurons], requires_grad=True)
        for layer in model.layers
    ]
    h = torch.tanh(torch.tensor(X) @ ws[0].T + bs[0])
    (h @ ws[1].T + bs[1]).sum().backward()
    ours = [n.w[i].grad for n in model.layers[0].neurons for i in range(2)]
    assert ours == pytest.approx(ws[0].grad.flatten().tolist(), rel=1e-13)


def test_inputs_changed_after_the_forward_pass():
    xs = [0.5, Value(-2.0), 3.0]
    n = Neuron.from_weights([0.1, 0.2, 0.3], 0.4, activation="linear")
    out = n(xs)
    xs[0] = 100.0  # the list changes: the recorded gradient must not
    xs[1] = Value(7.0)
    xs.append(1.0)
    out.backward()
    assert [w.grad for w in n.w] == [0.5, -2.0, 3.0]  # d(b + w.x)/dw = x at forward time


def test_a_value_input_changed_after_forward_reads_like_the_unfused_graph():
    # the engine's * node reads its inputs' .data in backward; the fused node does the same
    results = []
    for fused in (True, False):
        x = Value(2.0)
        n = Neuron.from_weights([3.0], 0.0, activation="linear", fused=fused)
        out = n([x])
        x.data = 5.0
        out.backward()
        results.append((n.w[0].grad, x.grad))
    assert results[0] == results[1] == (5.0, 3.0)


def test_one_input_list_shared_by_a_layer_and_aliased_values():
    x = Value(1.5)
    xs = [x, x, 2.0]  # the same Value twice
    for fused in (True, False):
        x.grad = 0.0
        layer = Layer.from_weights(
            [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]], [0.0, 1.0], activation="linear", fused=fused
        )
        a, b = layer(xs)
        (a * b).backward()
        # closed form: a = 3x + 6, b = -0.5x + 1; d(ab)/dx = 3b - 0.5a
        assert x.grad == pytest.approx(3 * b.data - 0.5 * a.data, rel=1e-15)
        assert [w.grad for w in layer.neurons[0].w] == [b.data * 1.5, b.data * 1.5, b.data * 2]


def test_a_weight_that_is_also_an_input():
    w = Value(3.0)
    out = linear([w], [w])  # w * w
    out.backward()
    assert (out.data, w.grad) == (9.0, 6.0)


def test_second_derivatives_with_a_reused_buffer_match_unfused():
    def hess_row(fused):
        model = MLP(2, [2, 1], activation="tanh", seed=3, fused=fused)
        loss = run(model, X, reuse=True)
        params = model.parameters()
        g = gradients(loss, params, create_graph=True)
        return gradients(g[0], params)  # floats

    assert hess_row(True) == pytest.approx(hess_row(False), rel=1e-12, abs=1e-15)


def test_linear_closed_form_without_bias_and_with_a_computed_bias():
    ws = [Value(2.0), Value(-1.0)]
    out = linear(ws, [3.0, 4.0])  # no bias: 2*3 - 4, nothing added
    assert out.data == 2.0
    y = Value(5.0)
    b = y * 0.5  # a bias that is itself computed: its gradient must reach y
    out = linear(ws, [3.0, 4.0], b)
    out.backward()
    assert out.data == 4.5 and y.grad == 0.5
    assert gradients(out, [b], create_graph=True)[0] == 1.0


def test_linear_refuses_mismatched_lengths_and_non_numbers():
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        linear([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(TypeError, match="linear"):
        linear([Value(1.0)], ["3"])
    with pytest.raises(TypeError, match="Neuron"):
        Neuron(1)(["3"])


@pytest.mark.parametrize(
    "xs",
    [(0.5, -1.5), (Value(0.5), Value(-1.5)), (Value(0.5), -1.5), (-1.5, Value(0.5))],
    ids=["numbers", "values", "value-number", "number-value"],
)
@pytest.mark.parametrize("told", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_is_linear_bit_for_bit_however_it_is_told(xs, told, bias):
    """The flag only skips a check; told wrongly, the same node and gradients."""

    def node(f):
        ws = [Value(0.3), Value(-0.7)]
        ins = tuple(Value(x.data) if isinstance(x, Value) else x for x in xs)
        b = Value(0.1) if bias else None
        out = f(ws, ins, b)
        (out * out).backward()
        leaves = [*ws, *[x for x in ins if isinstance(x, Value)], *([b] if bias else [])]
        return out.data, out._op, len(out._prev), [v.grad for v in leaves]

    assert all_values(xs) is all(isinstance(x, Value) for x in xs)
    want = node(linear)
    assert node(lambda ws, ins, b: fused_linear(ws, ins, b, told)) == want
    assert want[1] == "linear" and want[2] == 2 + sum(isinstance(x, Value) for x in xs) + bias


def test_a_layer_checks_its_inputs_once_for_all_its_neurons(monkeypatch):
    import nn.modules

    calls = []
    real = nn.modules.all_values
    monkeypatch.setattr(nn.modules, "all_values", lambda xs: calls.append(xs) or real(xs))
    layer = Layer(3, 5, seed=0)
    layer([Value(0.1), Value(0.2), Value(0.3)])
    assert len(calls) == 1
    Neuron(2, seed=0)([0.5, 1.0])
    assert len(calls) == 2


def test_snapshot_is_a_tuple_of_floats_and_values():
    import numpy as np

    x = Value(1.0)
    s = snapshot([np.float32(0.5), 2, x])
    assert s == (0.5, 2.0, x) and [type(v) for v in s[:2]] == [float, float]
    n = Neuron.from_weights([1.0, 1.0], activation="linear")
    out = n(np.array([0.1, 0.2], dtype=np.float32))
    out.backward()
    assert type(out.data) is float and all(type(w.grad) is float for w in n.w)


def test_total_of_a_generator_and_repeated_values():
    x, y = Value(1.0), Value(2.0)
    out = total(v for v in (x, y, x))  # a generator: consumed once, parents kept
    out.backward()
    assert (out.data, x.grad, y.grad) == (4.0, 2.0, 1.0)
    out = total([x, x], start=x)
    x.grad = 0.0
    out.backward()
    assert x.grad == 3.0


def test_total_with_a_number_start():
    assert total([Value(1.0)], start=2).data == 3.0
    assert math.isnan(total([Value(math.nan)]).data)


# -- labels -----------------------------------------------------------------


def test_parameters_are_labelled_by_their_place():
    assert [p.label for p in Neuron(2, seed=0).parameters()] == ["w0", "w1", "b"]
    assert [p.label for p in Layer(1, 2, seed=0).parameters()] == ["N0.w0", "N0.b", "N1.w0", "N1.b"]
    labels = [p.label for p in MLP(2, [2, 1], seed=0).parameters()]
    assert labels == [
        "L0.N0.w0",
        "L0.N0.w1",
        "L0.N0.b",
        "L0.N1.w0",
        "L0.N1.w1",
        "L0.N1.b",
        "L1.N0.w0",
        "L1.N0.w1",
        "L1.N0.b",
    ]


def test_from_layers_renumbers_place_labels_and_keeps_yours():
    a = Layer(2, 1, seed=0)
    b = Layer(1, 1, seed=0)
    b.neurons[0].w[0].label = "mine"
    mlp = MLP.from_layers([a, b])
    assert [p.label for p in mlp.parameters()] == [
        "L0.N0.w0",
        "L0.N0.w1",
        "L0.N0.b",
        "mine",
        "L1.N0.b",
    ]
    again = MLP.from_layers([mlp.layers[1], mlp.layers[0]])  # moved: renumbered
    assert again.parameters()[0].label == "mine" and again.parameters()[1].label == "L0.N0.b"


def test_a_drawn_mlp_names_its_weights():
    from autograd.draw import draw_dot

    model = MLP(2, [2, 1], seed=0)
    src = draw_dot(model([1.0, 2.0])).source
    assert "L0.N1.w0" in src and "L1.N0.b" in src


def test_mazur_network_uses_the_articles_names():
    from nn.examples import mazur_network

    m = mazur_network()
    names = {p.label: p.data for p in m.parameters()}
    assert names == {
        "w1": 0.15,
        "w2": 0.20,
        "w3": 0.25,
        "w4": 0.30,
        "w5": 0.40,
        "w6": 0.45,
        "w7": 0.50,
        "w8": 0.55,
        "b1": 0.35,
        "b2": 0.60,
    }


def test_linear_names_a_bad_weight_and_keeps_floats():
    with pytest.raises(TypeError, match=r"got 1\.5"):
        linear([1.5], [Value(1.0)])  # no bias: the bad weight is named, not the missing bias
    w, x = Value(0.5), Value(2.0)
    out = linear([w, w], (np.float64(3.0), x))  # a numpy number in a given tuple
    out.backward()
    assert type(out.data) is float and type(w.grad) is float and out.data == 2.5


def test_bce_at_a_certain_wrong_prediction_is_torchs_clamped_log():
    # log(0) is -inf, clamped at -100 as torch.nn.functional.binary_cross_entropy does
    torch = pytest.importorskip("torch")
    from autograd.ops import binary_cross_entropy

    ps, ts = [0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]
    want = torch.nn.functional.binary_cross_entropy(
        torch.tensor(ps, dtype=torch.float64), torch.tensor(ts, dtype=torch.float64)
    ).item()
    assert binary_cross_entropy([Value(p) for p in ps], ts).data == want == 50.0


def test_bce_with_logits_takes_iterators_and_integer_targets():
    from autograd.ops import bce_with_logits

    zs = [Value(0.5), Value(-2.0), Value(3.0)]
    want = bce_with_logits(zs, [1.0, 0.0, 1.0]).data
    got = bce_with_logits(iter(zs), iter([1, 0, 1]))
    got.backward()
    assert got.data == want and type(got._ctx[0]) is float


def test_linear_keeps_its_own_copy_of_a_weight_list():
    """A neuron's weights are a list it may change after the forward pass (an optimizer
    swapping in new Values): the node keeps the weights it was computed with."""
    ws = [Value(2.0), Value(-1.0)]
    first = list(ws)
    out = linear(ws, [Value(3.0), Value(4.0)], None)
    ws[0] = Value(100.0)
    out.backward()
    assert (first[0].grad, first[1].grad, ws[0].grad) == (3.0, 4.0, 0.0)
