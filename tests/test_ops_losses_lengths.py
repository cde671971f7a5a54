"""The fused ops of autograd.ops refuse bad operands: losses get probabilities and targets
of one length (zip would drop the extra ones while the mean still divides by all of them),
linear gets Values as weights and bias."""

import pytest

from autograd import Value
from autograd.ops import bce_with_logits, binary_cross_entropy, linear


@pytest.mark.parametrize("loss", [binary_cross_entropy, bce_with_logits])
@pytest.mark.parametrize("n_out, n_t", [(2, 1), (1, 2), (0, 0)])
def test_lengths_must_match(loss, n_out, n_t):
    with pytest.raises(ValueError, match=loss.__name__):
        loss([Value(0.3) for _ in range(n_out)], [1.0] * n_t)


@pytest.mark.parametrize(
    "ws, b", [([1.0, Value(2.0)], Value(0.0)), ([Value(1.0), Value(2.0)], 0.5)]
)
def test_linear_names_a_weight_or_bias_that_is_not_a_value(ws, b):
    with pytest.raises(TypeError, match=r"linear\(\): weights and bias must be Values"):
        linear(ws, [1.0, 2.0], b)
