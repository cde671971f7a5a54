"""nn.loads refuses valid JSON that cannot be a saved model: a key given twice (json.loads
keeps the last silently) and a weight too small for a float (1e-400 loaded as 0.0, while
1e400 was already refused). Found by the rev22 review."""

import json

import pytest

import nn
from nn.serialize import dumps, loads


def _text() -> tuple[str, dict]:
    s = dumps(nn.MLP(2, [3, 1], seed=0))
    return s, json.loads(s)


def test_a_key_given_twice_is_refused():
    s, d = _text()
    dup = s[: s.rindex("}")] + ', "parameters": ' + json.dumps([9.0] * len(d["parameters"])) + "}"
    with pytest.raises(ValueError, match="'parameters' appears twice"):
        loads(dup)


@pytest.mark.parametrize("literal", ["1e-400", "-2.5E-330", "0.0000001e-320"])
def test_a_weight_that_underflows_to_0_is_refused(literal):
    s, d = _text()
    with pytest.raises(ValueError, match="too small for a float"):
        loads(s.replace(repr(d["parameters"][0]), literal, 1))


@pytest.mark.parametrize("literal", ["0.0", "-0.0", "0e-400", "5e-324"])
def test_zero_and_the_smallest_subnormal_still_load(literal):
    s, d = _text()
    model = loads(s.replace(repr(d["parameters"][0]), literal, 1))
    assert model.parameters()[0].data == float(literal)
