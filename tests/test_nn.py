"""nn modules: micrograd compatibility, construction, and networks that learn."""

import random

import pytest

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    hinge,
    l2,
    make_moons,
    make_spiral,
    mse,
    softmax_cross_entropy,
)


def micrograd_demo_step(model, X, y, k, value_cls):
    """One step of micrograd's demo notebook, verbatim but for the Value class."""
    inputs = [list(map(value_cls, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, sum(accuracy) / len(accuracy)


def moons():
    X, labels = make_moons(100, noise=0.1, seed=1)
    return X, [2 * t - 1 for t in labels]


@pytest.mark.parametrize("fused", [True, False])
def test_same_numbers_as_micrograd_step_for_step(fused):
    from micrograd.engine import Value as MgValue
    from micrograd.nn import MLP as MG_MLP

    X, y = moons()
    random.seed(1337)
    theirs = MG_MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1], fused=fused)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    # The first forward pass is bit-for-bit micrograd's. Gradients then agree to
    # ~1e-16 relative but not always to the last bit: micrograd keeps parents in a
    # set, so the order in which a weight's 100 contributions are summed follows
    # memory addresses, and float addition is not associative.
    for k in range(5):
        ours_loss, ours_acc = micrograd_demo_step(ours, X, y, k, Value)
        their_loss, their_acc = micrograd_demo_step(theirs, X, y, k, MgValue)
        if k == 0:
            assert ours_loss == their_loss
        assert ours_loss == pytest.approx(their_loss, rel=1e-12) and ours_acc == their_acc
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)


def test_micrograd_demo_reaches_full_training_accuracy():
    X, y = moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    for k in range(100):
        loss, acc = micrograd_demo_step(model, X, y, k, Value)
    assert acc == 1.0 and loss < 0.05


def test_micrograd_structure_and_spellings():
    n = Neuron(3, nonlin=False, seed=0)
    assert len(n.w) == 3 and all(isinstance(w, Value) for w in n.w)
    assert isinstance(n.b, Value) and n.b.data == 0.0 and not n.nonlin
    assert repr(n) == "LinearNeuron(3)" and repr(Neuron(2, seed=0)) == "ReLUNeuron(2)"
    layer = Layer(3, 1, seed=0)
    assert isinstance(layer([1.0, 2.0, 3.0]), Value)  # one neuron: one Value
    assert len(Layer(3, 4, seed=0)([1.0, 2.0, 3.0])) == 4
    mlp = MLP(2, [16, 16, 1], seed=0)
    assert [len(layer.neurons) for layer in mlp.layers] == [16, 16, 1]
    assert [n.activation for layer in mlp.layers for n in layer.neurons[:1]] == [
        "relu",
        "relu",
        "linear",
    ]
    assert len(mlp.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_neuron_computes_its_formula():
    n = Neuron.from_weights([0.5, -2.0], 0.25, activation="tanh")
    out = n([Value(1.0), 3.0])
    import math

    assert out.data == math.tanh(0.25 + 0.5 * 1.0 + -2.0 * 3.0)
    out.backward()
    slope = 1 - out.data**2
    assert n.w[0].grad == pytest.approx(slope * 1.0) and n.w[1].grad == pytest.approx(slope * 3)
    assert n.b.grad == pytest.approx(slope)


def test_fused_and_unfused_give_identical_numbers():
    x = [0.3, -1.2, 2.5]
    a = MLP(3, [4, 4, 2], activation="tanh", seed=7, fused=True)
    b = MLP(3, [4, 4, 2], activation="tanh", seed=7, fused=False)
    la = mse(a(x), [0.1, -0.2])
    lb = mse(b(x), [0.1, -0.2])
    la.backward()
    lb.backward()
    assert la.data == lb.data
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-13, abs=1e-16)


def test_seed_and_rng_are_reproducible_and_global_random_is_used_otherwise():
    assert [p.data for p in MLP(2, [3, 1], seed=5).parameters()] == [
        p.data for p in MLP(2, [3, 1], rng=random.Random(5)).parameters()
    ]
    random.seed(42)
    expected = [random.uniform(-1, 1) for _ in range(2)]
    random.seed(42)
    assert [w.data for w in Neuron(2).w] == expected
    with pytest.raises(ValueError, match="not both"):
        Neuron(2, seed=1, rng=random.Random(1))


def test_activations_by_name_or_callable():
    n = Neuron.from_weights([1.0], -3.0, activation=lambda v: v * 2)
    assert n([1.0]).data == -4.0
    for name, expect in [
        ("relu", 0.0),
        ("linear", -2.0),
        ("sigmoid", 1 / (1 + 2.718281828459045**2)),
    ]:
        assert Neuron.from_weights([1.0], -3.0, activation=name)([1.0]).data == pytest.approx(
            expect
        )
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, leaky_relu, softplus, linear"):
        Neuron(2, activation="softsign")


def test_bad_shapes():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        Neuron(2, seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="biases"):
        Layer.from_weights([[1.0, 2.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match="same number"):
        Layer.from_weights([[1.0, 2.0], [1.0]])


def test_zero_grad():
    m = MLP(2, [3, 1], seed=0)
    m([1.0, 2.0]).backward()
    assert any(p.grad for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_xor_with_a_2_2_1_tanh_network():
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [-1.0, 1.0, 1.0, -1.0]
    model = MLP(2, [2, 1], activation="tanh", output_activation="tanh", seed=3)
    opt = SGD(model.parameters(), lr=0.2, momentum=0.9)
    for _ in range(300):
        loss = mse([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    preds = [model(x).data for x in X]
    assert [p > 0 for p in preds] == [t > 0 for t in y], preds
    assert loss.data < 0.05


def test_softmax_classifier_learns_the_spiral():
    X, y = make_spiral(40, 3, noise=0.2, seed=0)
    model = MLP(2, [16, 16, 3], seed=0)
    opt = Adam(model.parameters(), lr=0.02)
    for _ in range(80):
        logits = [model(x) for x in X]
        loss = softmax_cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    logits = [model(x) for x in X]
    acc = sum(max(range(3), key=lambda c: row[c].data) == t for row, t in zip(logits, y)) / len(y)
    assert acc > 0.9, acc


def test_hinge_plus_l2_is_micrograds_total_loss():
    X, y = moons()
    model = MLP(2, [4, 1], seed=0)
    scores = [model(x) for x in X[:10]]
    ours = hinge(scores, y[:10]) + l2(model.parameters(), 1e-4)
    theirs = sum((1 + -t * s).relu() for s, t in zip(scores, y[:10])) * (1.0 / 10) + 1e-4 * sum(
        p * p for p in model.parameters()
    )
    assert ours.data == theirs.data


def test_datasets_are_seeded_and_shaped():
    X, y = make_moons(101, noise=0.1, seed=3)
    assert len(X) == 101 and sorted(set(y)) == [0, 1] and y.count(0) == 50
    assert make_moons(20, seed=3) == make_moons(20, seed=3) != make_moons(20, seed=4)
    X0, y0 = make_moons(50, noise=0.0, seed=0)
    for (a, b), t in zip(X0, y0):  # noise-free points lie on the two unit half circles
        cx, cy = (0.0, 0.0) if t == 0 else (1.0, 0.5)
        assert (a - cx) ** 2 + (b - cy) ** 2 == pytest.approx(1.0)
    S, c = make_spiral(30, 4, seed=1)
    assert len(S) == 120 and sorted(set(c)) == [0, 1, 2, 3]
    assert all(x * x + z * z <= 1.0 + 1e-12 for x, z in S)


def test_fit_trains_and_records_history():
    from nn import fit

    X, y = moons()
    model = MLP(2, [8, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.3)

    def acc(outputs, targets):
        return sum((o.data > 0) == (t > 0) for o, t in zip(outputs, targets)) / len(targets)

    history = fit(model, X, y, hinge, opt, 30, accuracy=acc)
    assert len(history["loss"]) == 30 == len(history["accuracy"])
    assert history["loss"][-1] < history["loss"][0] and history["accuracy"][-1] > 0.8


def test_fit_shows_a_progress_bar(capsys):
    from nn import fit

    model = MLP(2, [3, 1], seed=0)
    history = fit(
        model, [[0.0, 1.0]], [1.0], mse, SGD(model.parameters(), lr=0.1), 3, progress=True
    )
    assert len(history["loss"]) == 3 and history["accuracy"] == []
    assert "training" in capsys.readouterr().err
