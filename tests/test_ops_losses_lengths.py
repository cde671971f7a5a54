"""The fused losses of autograd.ops refuse probabilities and targets of different lengths
(zip would drop the extra ones while the mean still divides by all of them)."""

import pytest

from autograd import Value
from autograd.ops import bce_with_logits, binary_cross_entropy


@pytest.mark.parametrize("loss", [binary_cross_entropy, bce_with_logits])
@pytest.mark.parametrize("n_out, n_t", [(2, 1), (1, 2), (0, 0)])
def test_lengths_must_match(loss, n_out, n_t):
    with pytest.raises(ValueError, match=loss.__name__):
        loss([Value(0.3) for _ in range(n_out)], [1.0] * n_t)
