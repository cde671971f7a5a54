"""nn.torch_bridge: to_torch / from_torch against PyTorch float64 (outputs, gradients, steps)."""

import builtins

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, SGD, Adam, Layer
from nn.torch_bridge import from_torch, to_torch

TOL = 1e-12
# the torch fixture is the torch module itself, the same for every example
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
ACTS = ["relu", "tanh", "sigmoid", "linear"]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


@st.composite
def models_and_inputs(draw):
    nin = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), max_size=2))
    nout = draw(st.integers(1, 3))
    act = draw(st.sampled_from(ACTS[:3]))
    out_act = draw(st.sampled_from(ACTS))
    seed = draw(st.integers(0, 2**31))
    x = st.floats(-3, 3, allow_nan=False)
    batch = draw(st.lists(st.lists(x, min_size=nin, max_size=nin), min_size=1, max_size=4))
    coef = draw(st.lists(x, min_size=nout, max_size=nout))
    model = MLP(nin, [*hidden, nout], act, out_act, seed=seed)
    # biases start at 0 in the engine: give them values so they are tested too
    for i, p in enumerate(model.parameters()):
        if p.data == 0.0:
            p.data = ((seed + 7 * i) % 13 - 6) / 10
    return model, batch, coef


def as_list(out):
    return [out] if isinstance(out, Value) else out


def engine_loss(model, batch, coef):
    """sum over the batch of coef . output (a loss with nonzero gradient everywhere)."""
    outs = [as_list(model(x)) for x in batch]
    loss = sum((c * o for out in outs for c, o in zip(coef, out)), Value(0.0))
    return outs, loss


def torch_loss(torch, seq, batch, coef):
    out = seq(torch.tensor(batch))
    return out, (out * torch.tensor(coef)).sum()


def engine_and_torch_params(torch, model, seq):
    """Pairs (engine Value, (torch tensor, index)) in the engine's parameter order."""
    lins = [m for m in seq if isinstance(m, torch.nn.Linear)]
    assert len(lins) == len(model.layers)
    pairs = []
    for layer, lin in zip(model.layers, lins):
        for j, n in enumerate(layer.neurons):
            pairs += [(w, (lin.weight, (j, k))) for k, w in enumerate(n.w)]
            pairs.append((n.b, (lin.bias, (j,))))
    assert [id(p) for p, _ in pairs] == [id(p) for p in model.parameters()]
    return pairs


@settings(max_examples=60, suppress_health_check=SUPPRESS)
@given(models_and_inputs())
def test_outputs_and_every_gradient_agree(torch, case):
    model, batch, coef = case
    seq = to_torch(model)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    outs, loss = engine_loss(model, batch, coef)
    model.zero_grad()
    loss.backward()
    tout, tloss = torch_loss(torch, seq, batch, coef)
    tloss.backward()
    for row, trow in zip(outs, tout.tolist()):
        assert len(row) == len(trow)
        for o, t in zip(row, trow):
            assert close(o.data, t), (o.data, t)
    assert close(loss.data, tloss.item())
    for p, (t, idx) in engine_and_torch_params(torch, model, seq):
        assert close(p.data, t[idx].item())
        assert close(p.grad, t.grad[idx].item()), (p.grad, t.grad[idx].item())


@settings(max_examples=40, suppress_health_check=SUPPRESS)
@given(models_and_inputs())
def test_round_trip_is_exact(torch, case):
    model, batch, _ = case
    back = from_torch(model.to_torch())  # the method and the function are one
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    assert [[n.activation for n in la.neurons] for la in back.layers] == [
        [n.activation for n in la.neurons] for la in model.layers
    ]
    for x in batch:
        assert [o.data for o in as_list(back(x))] == [o.data for o in as_list(model(x))]


def train_both(torch, model, batch, coef, make_opts, steps=3):
    seq = to_torch(model)
    targets = [[0.5 * c for c in coef] for _ in batch]
    opt, topt = make_opts(model.parameters(), seq.parameters())
    for _ in range(steps):
        outs = [as_list(model(x)) for x in batch]
        loss = sum(((o - t) ** 2 for out, tr in zip(outs, targets) for o, t in zip(out, tr)), 0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = ((seq(torch.tensor(batch)) - torch.tensor(targets)) ** 2).sum()
        topt.zero_grad()
        tloss.backward()
        topt.step()
    return seq


@pytest.mark.parametrize("kind", ["sgd_momentum", "adam"])
@settings(max_examples=25, suppress_health_check=SUPPRESS)
@given(case=models_and_inputs())
def test_training_steps_give_the_same_weights(torch, kind, case):
    model, batch, coef = case

    def make_opts(params, tparams):
        if kind == "sgd_momentum":
            return SGD(params, lr=0.05, momentum=0.9), torch.optim.SGD(
                tparams, lr=0.05, momentum=0.9
            )
        return Adam(params, lr=0.01), torch.optim.Adam(tparams, lr=0.01)

    seq = train_both(torch, model, batch, coef, make_opts)
    for p, (t, idx) in engine_and_torch_params(torch, model, seq):
        assert close(p.data, t[idx].item()), (p.data, t[idx].item())


def test_to_torch_copies_not_shares(torch):
    model = MLP(2, [3, 1], seed=0)
    seq = to_torch(model)
    before = [p.data for p in model.parameters()]
    with torch.no_grad():
        for t in seq.parameters():
            t.add_(1.0)
    assert [p.data for p in model.parameters()] == before


def test_from_torch_accepts_identity_and_trailing_linear(torch):
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2), torch.nn.Identity()
    )
    model = from_torch(seq)
    assert [la.neurons[0].activation for la in model.layers] == ["tanh", "linear"]
    x = [0.3, -1.2]
    assert [o.data for o in model(x)] == pytest.approx(seq(torch.tensor(x)).tolist(), abs=1e-15)


@pytest.mark.parametrize(
    "build, needle",
    [
        (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Dropout()), "'1': Dropout"),
        (lambda t: t.nn.Sequential(t.nn.Conv1d(1, 1, 3)), "'0': Conv1d"),
        (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.GELU()), "GELU"),
        (lambda t: t.nn.Sequential(t.nn.ReLU(), t.nn.Linear(2, 3)), "does not follow a Linear"),
        (lambda t: t.nn.Sequential(t.nn.Linear(2, 3, bias=False)), "has no bias"),
        (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Linear(4, 1)), "takes 4 inputs"),
        (lambda t: t.nn.Sequential(), "empty"),
    ],
)
def test_from_torch_refuses_with_the_layer_named(torch, build, needle):
    with pytest.raises(ValueError, match=needle):
        from_torch(build(torch))


def test_from_torch_refuses_a_non_sequential(torch):
    with pytest.raises(TypeError, match="torch.nn.Sequential"):
        from_torch(torch.nn.Linear(2, 2))


def test_to_torch_refuses_custom_and_mixed_activations(torch):
    model = MLP(2, [3, 1], activation=lambda v: v * 2, seed=0)
    with pytest.raises(ValueError, match="layer 0 has a custom activation"):
        to_torch(model)
    mixed = MLP.from_layers([Layer.from_weights([[1.0, 2.0], [3.0, 4.0]], activation="relu")])
    mixed.layers[0].neurons[1].activation = "tanh"
    with pytest.raises(ValueError, match="layer 0 mixes activations"):
        to_torch(mixed)
    with pytest.raises(TypeError, match="expected an nn.MLP"):
        to_torch(Layer(2, 2, seed=0))


def test_a_clear_import_error_without_torch(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="optional extra"):
        to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match="optional extra"):
        from_torch(None)


@pytest.mark.parametrize("threshold", [1.0, 5.0, 19.5])
def test_from_torch_refuses_a_softplus_cut_off_below_20(torch, threshold):
    # torch's Softplus returns x itself above `threshold`; the engine's softplus is
    # log(1 + e^x) everywhere, so with threshold=1 the models differed at x=2
    # (torch 2.0, engine 2.1269...): refuse instead of converting silently
    seq = torch.nn.Sequential(
        torch.nn.Linear(1, 1, dtype=torch.float64), torch.nn.Softplus(threshold=threshold)
    )
    with pytest.raises(ValueError, match="threshold"):
        from_torch(seq)


def test_from_torch_accepts_softplus_at_its_default_threshold(torch):
    # above 20 torch's cut-off differs from log(1 + e^x) by at most log1p(e^-20) ~ 2.1e-9
    seq = torch.nn.Sequential(torch.nn.Linear(1, 1, dtype=torch.float64), torch.nn.Softplus())
    model = from_torch(seq)
    x = [0.7]
    assert model(x).data == pytest.approx(seq(torch.tensor(x, dtype=torch.float64)).item())
