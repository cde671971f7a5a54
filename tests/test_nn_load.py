"""Loading malformed files: every one is a ValueError, in time and memory bounded by
the file's size, and the model it was loaded into is unchanged. Saving never touches
another file. Each fuzzed file is a few hundred bytes, so each example is fast."""

import copy
import json
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn import MLP, Layer, Neuron

FUZZ = settings(max_examples=60)


def model():
    m = MLP(2, [2, 1], seed=0)
    m.parameters()[0].label = "mine"
    return m


STATE = model().state_dict()
TEXT = json.dumps(STATE)


def paths(x, prefix=()):
    """Every path into a JSON value, iteratively."""
    out, stack = [], [(x, prefix)]
    while stack:
        v, p = stack.pop()
        out.append(p)
        if isinstance(v, dict):
            stack.extend((v[k], (*p, k)) for k in v)
        elif isinstance(v, list):
            stack.extend((item, (*p, i)) for i, item in enumerate(v))
    return out


ALL_PATHS = [p for p in paths(STATE) if p]


def replaced(state, path, new):
    state = copy.deepcopy(state)
    target = state
    for k in path[:-1]:
        target = target[k]
    if new is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return state


DELETE = object()
WRONG = [None, True, False, 1.5, -1, 2**40, 3e6, "x", [], {}, [[[[]]]], 10**400, DELETE]


def wrong_for(path):
    """Values that cannot be right at `path` (a number is fine as a parameter, a string as
    a label, and 'labels' may be left out)."""
    options = WRONG
    if path[0] == "parameters" and len(path) == 2:
        options = [v for v in WRONG if not isinstance(v, (int, float)) or isinstance(v, bool)]
        options.append(10**400)
    if path == ("labels",):
        options = [v for v in WRONG if v is not DELETE and v is not None]
    if path[0] == "labels" and len(path) == 2:
        options = [v for v in WRONG if v is not DELETE and not isinstance(v, str)]
    return options


def check_refused(text, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    m = model()
    before = m.state_dict()
    with pytest.raises(ValueError):
        nn.load(path)
    with pytest.raises(ValueError):
        m.load(path)
    assert m.state_dict() == before
    if _parses(text):
        with pytest.raises(ValueError):
            m.load_state_dict(json.loads(text))
        assert m.state_dict() == before


def _parses(text):
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


@FUZZ
@given(st.sampled_from(ALL_PATHS), st.data())
def test_a_wrong_value_at_any_path_is_refused(tmp_path_factory, path, data):
    new = data.draw(st.sampled_from(wrong_for(path)))
    if new is not DELETE and path[-1] != "type":
        old = STATE
        for k in path:
            old = old[k]
        if old == new and type(old) is type(new):
            return
    text = json.dumps(replaced(STATE, path, new))
    check_refused(text, tmp_path_factory.mktemp("f"))


@FUZZ
@given(st.integers(0, len(TEXT) - 1))
def test_every_truncation_is_refused(tmp_path_factory, n):
    check_refused(TEXT[:n], tmp_path_factory.mktemp("f"))


@FUZZ
@given(
    st.sampled_from([2**40, 3 * 10**6, 10**18, 10**300, 4]),
    st.sampled_from([(0, 0), (0, 1), (1, 0)]),
)
def test_huge_sizes_are_refused_before_anything_is_built(tmp_path_factory, nin, where):
    # a 145-byte file claiming 2**40 inputs allocated until MemoryError
    layer, neuron = where
    state = copy.deepcopy(STATE)
    state["architecture"]["layers"][layer]["neurons"][neuron]["nin"] = nin
    check_refused(json.dumps(state), tmp_path_factory.mktemp("f"))


@FUZZ
@given(
    st.integers(17, 5000),
    st.sampled_from(["[", '{"a":']),
    st.sampled_from(["top", "architecture", "parameters", "labels"]),
)
def test_deep_nesting_is_refused_without_recursion(tmp_path_factory, depth, opener, where):
    closer = "]" if opener == "[" else "}"
    deep = opener * depth + "1" + closer * depth
    if where == "top":
        text = deep
    else:
        text = TEXT.replace(f'"{where}": ', f'"{where}": {deep}, "x{where}": ', 1)
    check_refused(text, tmp_path_factory.mktemp("f"))


SPECIFIC = {
    "nin 2**40": ("nin", 2**40),
    "nin 3e6": ("nin", 3e6),
    "nin 3000000": ("nin", 3_000_000),
    "layers 5": ("layers", 5),
    "neurons 3": ("neurons", 3),
    "activation list": ("activation", ["relu"]),
    "version true": ("version", True),
    "version 1.0": ("version", 1.0),
    "parameter 10**400": ("parameter", 10**400),
    "parameter '0.5'": ("parameter", "0.5"),
    "label 3": ("label", 3),
    "labels short": ("labels", ["a"]),
    "an MLP in a Layer": ("mlp-in-layer", None),
    "a Layer in a Layer": ("layer-in-layer", None),
    "unknown key": ("extra", None),
}


@pytest.mark.parametrize("case", SPECIFIC)
def test_each_reported_malformed_file(tmp_path, case):
    what, x = SPECIFIC[case]
    s = copy.deepcopy(STATE)
    arch = s["architecture"]
    if what == "nin":
        arch["layers"][0]["neurons"][0]["nin"] = x
    elif what == "layers":
        arch["layers"] = x
    elif what == "neurons":
        arch["layers"][0]["neurons"] = x
    elif what == "activation":
        arch["layers"][1]["neurons"][0]["activation"] = x
    elif what == "version":
        s["version"] = x
    elif what == "parameter":
        s["parameters"][2] = x
    elif what == "label":
        s["labels"][1] = x
    elif what == "labels":
        s["labels"] = x
    elif what == "mlp-in-layer":
        # with the same parameters, so only the nesting is wrong
        inner = {"type": "Layer", "neurons": [arch["layers"][0]["neurons"][0]]}
        arch["layers"][0]["neurons"][0] = {"type": "MLP", "layers": [inner]}
    elif what == "layer-in-layer":
        inner = arch["layers"][0]["neurons"][0]
        arch["layers"][0]["neurons"][0] = {"type": "Layer", "neurons": [inner]}
    elif what == "extra":
        arch["layers"][0]["neurons"][0]["fused"] = False
    check_refused(json.dumps(s), tmp_path)


def test_a_file_without_labels_loads_with_place_labels(tmp_path):
    s = copy.deepcopy(STATE)
    del s["labels"]
    (tmp_path / "m.json").write_text(json.dumps(s))
    loaded = nn.load(tmp_path / "m.json")
    assert [p.label for p in loaded.parameters()][:3] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.b"]
    m = model()
    m.load(tmp_path / "m.json")  # loading into a model keeps its labels
    assert m.parameters()[0].label == "mine"


@pytest.mark.parametrize("make", [lambda: model(), lambda: Layer(2, 2, seed=1),
                                  lambda: Neuron(3, seed=1)])  # fmt: skip
def test_labels_survive_save_and_load(tmp_path, make):
    m = make()
    m.parameters()[-1].label = "the bias"
    m.save(tmp_path / "m.json")
    labels = [p.label for p in m.parameters()]
    assert [p.label for p in nn.load(tmp_path / "m.json").parameters()] == labels
    other = make()
    other.load(tmp_path / "m.json")
    assert [p.label for p in other.parameters()] == labels


def test_mazur_labels_survive_save_and_load(tmp_path):
    from nn.examples import mazur_network

    mazur_network().save(tmp_path / "m.json")
    labels = [p.label for p in nn.load(tmp_path / "m.json").parameters()]
    assert labels == ["w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"]


# -- saving -------------------------------------------------------------------------


def test_save_leaves_a_users_tmp_file_alone(tmp_path):
    mine = tmp_path / "model.json.tmp"
    mine.write_text("my notes")
    model().save(tmp_path / "model.json")
    assert mine.read_text() == "my notes"
    assert sorted(os.listdir(tmp_path)) == ["model.json", "model.json.tmp"]


def test_save_onto_a_directory_fails_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "target").mkdir()
    with pytest.raises(OSError):
        model().save(tmp_path / "target")
    assert os.listdir(tmp_path) == ["target"] and os.listdir(tmp_path / "target") == []


def test_save_replaces_a_file_and_gives_it_a_normal_mode(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    model().save(path)
    assert json.loads(path.read_text())["format"] == "valuegrad-module"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert os.listdir(tmp_path) == ["m.json"]


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.json"
    model().save(path)
    before = path.read_text()
    n = Neuron(2, activation=lambda v: v, seed=0)
    with pytest.raises(ValueError):
        n.save(path)
    assert path.read_text() == before and os.listdir(tmp_path) == ["m.json"]


def test_brackets_and_quotes_inside_labels_are_not_nesting(tmp_path):
    m = model()
    m.parameters()[1].label = "[" * 40 + '{"\\' + "}" * 3
    m.parameters()[2].label = 'say "[[[[[[[[[[[[[[[[[[[[[["'
    m.save(tmp_path / "m.json")
    assert [p.label for p in nn.load(tmp_path / "m.json").parameters()] == [
        p.label for p in m.parameters()
    ]
