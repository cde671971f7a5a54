"""Loss functions on `Value`s. Each returns one `Value` to call `backward()` on."""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.emit import NotCompilableError
from autograd.modes import is_tracing
from autograd.ops import LOG_FLOOR, binary_cross_entropy, linear, total
from autograd.ops import bce_with_logits as _bce_with_logits

__all__ = [
    "half_squared_error",
    "mse",
    "bce",
    "bce_with_logits",
    "hinge",
    "softmax_cross_entropy",
    "log_softmax",
    "l2",
    "LOG_FLOOR",
]


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


def _targets(pairs, name: str) -> tuple[list[Value], list[float]]:
    """The outputs (as Values) and the targets, each target a number in [0, 1]."""
    outs, ts = [], []
    for o, t in pairs:
        if isinstance(t, Value) and is_tracing():  # compile traced a number argument
            raise NotCompilableError(f"{name}() needs its targets as numbers, not traced Values")
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0.0 <= t <= 1.0:
            raise ValueError(f"{name}(): target {t!r} is not a number in [0, 1]")
        outs.append(o if isinstance(o, Value) else Value(o))
        ts.append(float(t))
    return outs, ts


def bce(probs, targets) -> Value:
    """Binary cross-entropy of probabilities in [0, 1], as `torch.nn.BCELoss` (mean).

    Value and gradient are PyTorch's: log(1 - p) is `log1p(-p)`, each log is
    clamped at -100, and the gradient is (p - t) / max(p (1 - p), 1e-12) / n, so
    it is the derivative of the loss except within ~1e-12 of p = 0 or 1, where
    it stays bounded (see `autograd.ops.binary_cross_entropy`).
    """
    ps, ts = _targets(_pairs(probs, targets, "bce"), "bce")
    for p in ps:
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"bce(): {p.data!r} is not a probability in [0, 1]")
    return binary_cross_entropy(ps, ts)


def bce_with_logits(logits, targets) -> Value:
    """Binary cross-entropy of sigmoid(logits), computed stably from the logits (mean),
    as `torch.nn.BCEWithLogitsLoss`."""
    return _bce_with_logits(
        *_targets(_pairs(logits, targets, "bce_with_logits"), "bce_with_logits")
    )


def hinge(scores, labels) -> Value:
    """mean of max(0, 1 - y * s) for labels y in {-1, +1} (micrograd's demo loss)."""
    pairs = _pairs(scores, labels, "hinge")
    for _, y in pairs:
        if isinstance(y, Value):  # a label traced by autograd.compile: checked on the first call
            y = y.data
        if isinstance(y, bool) or y not in (1, -1):
            raise ValueError(f"hinge(): label {y!r} is not -1 or +1 (map 0/1 labels with 2*y - 1)")
    return total([(1 + -y * s).relu() for s, y in pairs]) * (1.0 / len(pairs))


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """log of the softmax of `logits`, via a stable log-sum-exp."""
    if not logits:
        raise ValueError("log_softmax(): no logits")
    shifted = _shifted(logits)
    lse = total([v.exp() for v in shifted]).log()
    return [v - lse for v in shifted]


def _shifted(logits: Sequence[Value]) -> list[Value]:
    """z - max(z): a constant shift, so log-softmax is lse(z - m) - (z - m), with no
    large number added back (at z ~ 1e16 that would round away the answer)."""
    m = max(logits).data  # compared as Values: autograd.compile refuses to freeze this
    return [v - m for v in logits]


def softmax_cross_entropy(logits, targets) -> Value:
    """Cross-entropy of softmax(logits) against class indices, averaged over the batch.

    `logits` is one list of class scores (with one int target) or a list of
    such lists (with a list of targets).
    """
    if not len(logits):
        raise ValueError("softmax_cross_entropy(): no logits")
    batch = [logits] if isinstance(logits[0], Value) else list(logits)
    ts = [targets] if isinstance(targets, int) else list(targets)
    if len(batch) != len(ts):
        raise ValueError(f"softmax_cross_entropy(): {len(batch)} rows but {len(ts)} targets")
    losses = []
    for row, t in zip(batch, ts):
        if not len(row):
            raise ValueError("softmax_cross_entropy(): a row has no logits")
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < len(row):
            raise ValueError(f"softmax_cross_entropy(): target {t!r} is not a class of {len(row)}")
        shifted = _shifted(row)
        losses.append(total([v.exp() for v in shifted]).log() - shifted[t])
    return total(losses) * (1.0 / len(losses))


def l2(params: Sequence[Value], alpha: float = 1.0) -> Value:
    """alpha * sum of p^2: the weight penalty of micrograd's demo.

    One node, `linear(params, params)`: the sum and each p.grad (2 p g, added as p g
    twice) are those of `total([p * p for p in params])` bit for bit.
    """
    return alpha * linear(params, params)
