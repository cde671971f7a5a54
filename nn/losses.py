"""Loss functions on `Value`s. Each returns one `Value` to call `backward()` on."""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Value
from autograd.ops import total

__all__ = [
    "half_squared_error",
    "mse",
    "bce",
    "bce_with_logits",
    "hinge",
    "softmax_cross_entropy",
    "log_softmax",
    "l2",
]

LOG_FLOOR = -100.0  # as PyTorch's BCELoss: log(p) is clamped here, so p = 0 or 1 stays finite


def _pairs(outputs, targets, name: str) -> list[tuple[Value | float, float]]:
    outs = [outputs] if isinstance(outputs, Value) else list(outputs)
    ts = [targets] if isinstance(targets, (int, float)) else list(targets)
    if len(outs) != len(ts):
        raise ValueError(f"{name}(): {len(outs)} outputs but {len(ts)} targets")
    if not outs:
        raise ValueError(f"{name}(): no outputs")
    return list(zip(outs, ts))


def half_squared_error(outputs, targets) -> Value:
    """sum of 1/2 (t - o)^2: the error of Matt Mazur's worked example."""
    return total([0.5 * (t - o) ** 2 for o, t in _pairs(outputs, targets, "half_squared_error")])


def mse(outputs, targets) -> Value:
    """mean of (o - t)^2."""
    pairs = _pairs(outputs, targets, "mse")
    return total([(o - t) ** 2 for o, t in pairs]) * (1.0 / len(pairs))


def _log_clamped(p: Value) -> Value:
    # compared as Values, so autograd.compile refuses to freeze the branch (TracingError)
    return p.log() if p > math.exp(LOG_FLOOR) else Value(LOG_FLOOR)


def bce(probs, targets) -> Value:
    """Binary cross-entropy of probabilities in [0, 1]; log is clamped at -100."""
    pairs = _pairs(probs, targets, "bce")
    for p, _ in pairs:
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"bce(): {p.data!r} is not a probability in [0, 1]")
    terms = [-(t * _log_clamped(p) + (1 - t) * _log_clamped(1 - p)) for p, t in pairs]
    return total(terms) * (1.0 / len(pairs))


def _softplus(z: Value) -> Value:
    """log(1 + e^z), never exponentiating a large positive number."""
    return z + ((-z).exp() + 1).log() if z > 0 else (z.exp() + 1).log()  # z > 0: see above


def bce_with_logits(logits, targets) -> Value:
    """Binary cross-entropy of sigmoid(logits), computed stably from the logits."""
    pairs = _pairs(logits, targets, "bce_with_logits")
    return total([_softplus(z) - z * t for z, t in pairs]) * (1.0 / len(pairs))


def hinge(scores, labels) -> Value:
    """mean of max(0, 1 - y * s) for labels y in {-1, +1} (micrograd's demo loss)."""
    pairs = _pairs(scores, labels, "hinge")
    return total([(1 + -y * s).relu() for s, y in pairs]) * (1.0 / len(pairs))


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """log of the softmax of `logits`, via a stable log-sum-exp."""
    if not logits:
        raise ValueError("log_softmax(): no logits")
    m = max(logits).data  # a constant shift: it cancels in the gradient (max: see above)
    lse = total([(v - m).exp() for v in logits]).log() + m
    return [v - lse for v in logits]


def softmax_cross_entropy(logits, targets) -> Value:
    """Cross-entropy of softmax(logits) against class indices, averaged over the batch.

    `logits` is one list of class scores (with one int target) or a list of
    such lists (with a list of targets).
    """
    batch = [logits] if isinstance(logits[0], Value) else list(logits)
    ts = [targets] if isinstance(targets, int) else list(targets)
    if len(batch) != len(ts):
        raise ValueError(f"softmax_cross_entropy(): {len(batch)} rows but {len(ts)} targets")
    losses = []
    for row, t in zip(batch, ts):
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < len(row):
            raise ValueError(f"softmax_cross_entropy(): target {t!r} is not a class of {len(row)}")
        losses.append(-log_softmax(row)[t])
    return total(losses) * (1.0 / len(losses))


def l2(params: Sequence[Value], alpha: float = 1.0) -> Value:
    """alpha * sum of p^2: the weight penalty of micrograd's demo."""
    return alpha * total([p * p for p in params])
