"""Adam at gradients whose square under- or overflows, and nn.load refusing models that
cannot be built (issue 22). Golden values: torch.optim.Adam in float64 on the same
gradients scaled into range (with eps=0 Adam's update does not depend on the gradients'
scale), and json.dumps of a real model's state with one field changed."""

import json
import math

import pytest
import torch

import nn
from autograd import Value
from nn import MLP
from nn.optim import Adam

GRADS = [0.3, -1.2, 0.05, 2.0, -0.7]


def torch_adam(grads, scale, **kw):
    t = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([t], **kw)
    out = []
    for g in grads:
        t.grad = torch.tensor([g * scale], dtype=torch.float64)
        opt.step()
        out.append(t.item())
    return out


def ours(grads, scale, **kw):
    p = Value(1.0)
    opt = Adam([p], **kw)
    out = []
    for g in grads:
        p.grad = g * scale
        opt.step()
        out.append(p.data)
    return out


@pytest.mark.parametrize("scale", [1e-200, 1e-170, 1e170, 1e200])
def test_adam_eps0_moves_as_exact_adam_at_any_gradient_scale(scale):
    # torch at scale 1 is exact Adam; at 1e-200 it gives -inf or, for us before, no step
    want = torch_adam(GRADS, 1.0, lr=0.1, eps=0.0)
    assert ours(GRADS, scale, lr=0.1, eps=0.0) == pytest.approx(want, rel=1e-13)
    assert ours(GRADS[:1], scale, lr=0.1, eps=0.0) == pytest.approx([0.9], rel=1e-15)


@pytest.mark.parametrize("kw", [{}, {"eps": 0.0}, {"weight_decay": 0.1, "betas": (0.5, 0.9)}])
def test_adam_matches_torch_at_ordinary_gradients(kw):
    assert ours(GRADS, 1.0, lr=0.01, **kw) == pytest.approx(torch_adam(GRADS, 1.0, lr=0.01, **kw))


def test_adam_zero_gradients_with_eps0_leave_the_parameter():
    assert ours([0.0, 0.0], 1.0, eps=0.0) == [1.0, 1.0]


def test_adam_refuses_an_update_it_cannot_represent():
    # a gradient of 10 subnormal ulps: the first moment survives, the second underflows to 0
    p = Value(1.0, label="w")
    p.grad = 5e-323
    with pytest.raises(FloatingPointError, match="Adam: the update of w"):
        Adam([p], eps=0.0).step()
    assert p.data == 1.0


def state():
    return MLP(2, [3, 1], seed=0).state_dict()


def write(tmp_path, st):
    path = tmp_path / "m.json"
    path.write_text(st if isinstance(st, str) else json.dumps(st))
    return path


def test_load_refuses_layer_widths_that_do_not_chain(tmp_path):
    st = state()
    layers = st["architecture"]["layers"]
    # layer 0 with 1 neuron, layer 1 expecting 5 inputs: 3 + 6 parameters, and the file
    # has as many, so only the chaining can refuse it
    layers[0]["neurons"] = layers[0]["neurons"][:1]
    layers[1]["neurons"][0]["nin"] = 5
    n = 3 + 6
    st["parameters"], st["labels"] = [0.5] * n, [f"p{i}" for i in range(n)]
    with pytest.raises(ValueError, match=r"layers\[1\] takes 5 inputs, but layers\[0\] has 1"):
        nn.load(write(tmp_path, st))


def test_load_refuses_neurons_of_one_layer_with_different_widths(tmp_path):
    st = state()
    st["architecture"]["layers"][0]["neurons"][1]["nin"] = 1
    st["parameters"], st["labels"] = st["parameters"][:-1], st["labels"][:-1]
    with pytest.raises(ValueError, match=r"neurons\[1\]\.nin is 1, but neurons\[0\]\.nin is 2"):
        nn.load(write(tmp_path, st))


@pytest.mark.parametrize("kind", ["MLP", "Layer"])
def test_load_refuses_an_empty_module(tmp_path, kind):
    st = state()
    if kind == "MLP":
        st["architecture"]["layers"] = []
    else:
        st["architecture"] = {"type": "Layer", "neurons": []}
    st["parameters"], st["labels"] = [], []
    with pytest.raises(ValueError, match=f"{'layers' if kind == 'MLP' else 'neurons'} is empty"):
        nn.load(write(tmp_path, st))


@pytest.mark.parametrize("token", ["1e400", "-1e400", "Infinity", "NaN"])
def test_load_refuses_a_json_number_that_is_not_a_finite_float(tmp_path, token):
    st = state()
    text = json.dumps(st).replace(repr(st["parameters"][4]), token, 1)
    with pytest.raises(ValueError, match=r"parameters\[4\] is a JSON number that is not finite"):
        nn.load(write(tmp_path, text))
    m = MLP(2, [3, 1], seed=1)
    before = [p.data for p in m.parameters()]
    with pytest.raises(ValueError, match=r"parameters\[4\]"):
        m.load(write(tmp_path, text))
    assert [p.data for p in m.parameters()] == before


def test_load_keeps_the_saved_spelling_of_a_nonfinite_weight(tmp_path):
    m = MLP(2, [3, 1], seed=0)
    m.parameters()[4].data = math.inf
    m.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json").parameters()[4].data == math.inf
