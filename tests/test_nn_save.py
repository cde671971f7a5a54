"""Saving and loading models as JSON: exact round trips, clear errors, nothing half-loaded."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import MLP, Layer, Neuron

activations = st.sampled_from(["relu", "tanh", "sigmoid", "linear"])


@given(
    st.integers(1, 4),
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activations,
    activations,
    st.integers(0, 2**32 - 1),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
)
def test_round_trip_is_exact(tmp_path_factory, nin, nouts, act, out_act, seed, specials):
    model = MLP(nin, nouts, activation=act, output_activation=out_act, seed=seed)
    for p, x in zip(model.parameters(), specials):
        p.data = x
    path = tmp_path_factory.mktemp("m") / "model.json"
    model.save(path)
    json.loads(path.read_text())  # standard JSON: no NaN or Infinity tokens
    loaded = nn.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert nn.dumps(model) == path.read_text()  # the text save writes; loads reads it back
    assert nn.loads(nn.dumps(model)).state_dict() == model.state_dict()
    for p, q in zip(model.parameters(), loaded.parameters()):
        assert p.data.hex() == q.data.hex() or (math.isnan(p.data) and math.isnan(q.data))
    if not specials:
        x = [0.1 * (i + 1) for i in range(nin)]
        a, b = model(x), loaded(x)
        assert [v.data for v in (a if isinstance(a, list) else [a])] == [
            v.data for v in (b if isinstance(b, list) else [b])
        ]


def test_load_into_an_existing_model(tmp_path):
    a = MLP(2, [3, 1], seed=1)
    b = MLP(2, [3, 1], seed=2)
    a.save(tmp_path / "a.json")
    assert b.load(tmp_path / "a.json") is b
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    n = Neuron(3, activation="tanh", seed=0)
    n.save(tmp_path / "n.json")
    assert nn.load(tmp_path / "n.json").state_dict() == n.state_dict()
    layer = Layer(2, 2, activation="sigmoid", seed=0)
    layer.save(tmp_path / "l.json")
    assert nn.load(tmp_path / "l.json").state_dict() == layer.state_dict()


def corrupt(state, how):
    if how == "arch":
        state["architecture"]["layers"][0]["neurons"][0]["activation"] = "tanh"
    elif how == "width":
        state["architecture"]["layers"][1]["neurons"].append(
            state["architecture"]["layers"][1]["neurons"][0]
        )
    elif how == "count":
        state["parameters"].pop()
    elif how == "number":
        state["parameters"][3] = "0.5"
    elif how == "bool":
        state["parameters"][0] = True
    elif how == "format":
        state["format"] = "pickle"
    elif how == "version":
        state["version"] = 99
    return state


@pytest.mark.parametrize(
    "how, words",
    [
        ("arch", ["activation", "'tanh' in the file", "'relu' in the model"]),
        ("width", ["layers[1].neurons", "2 entries in the file, 1 in the model"]),
        ("count", ["8 parameters", "9"]),
        ("number", ["parameters[3]", "'0.5'"]),
        ("bool", ["parameters[0]", "True"]),
        ("format", ["format"]),
        ("version", ["version"]),
    ],
)
def test_bad_state_raises_naming_the_difference_and_changes_nothing(how, words):
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    state = corrupt(MLP(2, [2, 1], seed=9).state_dict(), how)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    for w in words:
        assert w in str(info.value)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"format": "valuegrad-module"}', "\xff"])
def test_malformed_files(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("latin-1"))
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError):
        model.load(path)
    with pytest.raises(ValueError):
        nn.load(path)
    if text != "\xff":
        with pytest.raises(ValueError, match="not valid JSON" if text == "{not json" else None):
            nn.loads(text)
    assert model.state_dict() == before


def test_loads_refuses_bytes_and_deep_nesting():
    with pytest.raises(TypeError, match="loads"):
        nn.loads(nn.dumps(MLP(2, [1], seed=0)).encode())
    with pytest.raises(ValueError, match="the text nests"):
        nn.loads("[" * 100_000)


def test_custom_activation_cannot_be_saved(tmp_path):
    n = Neuron(2, activation=lambda v: v * 2, seed=0)
    with pytest.raises(ValueError, match="custom activation"):
        n.save(tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()


def test_the_file_is_never_pickle(tmp_path):
    MLP(2, [2, 1], seed=0).save(tmp_path / "m.json")
    assert (tmp_path / "m.json").read_text().lstrip().startswith("{")
