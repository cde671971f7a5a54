"""Losses against closed forms and finite differences; optimizers against hand-computed updates."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, gradcheck
from nn import (
    SGD,
    Adam,
    bce,
    bce_with_logits,
    half_squared_error,
    hinge,
    mse,
    softmax_cross_entropy,
)
from nn.losses import log_softmax

small = st.floats(-4, 4, allow_nan=False)
prob = st.floats(0.02, 0.98)
target01 = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)


def sig(z):
    return 1 / (1 + math.exp(-z))


@given(st.lists(st.tuples(small, small), min_size=1, max_size=5))
def test_half_squared_error_and_mse(pairs):
    outs = [o for o, _ in pairs]
    ts = [t for _, t in pairs]
    assert half_squared_error([Value(o) for o in outs], ts).data == pytest.approx(
        sum(0.5 * (t - o) ** 2 for o, t in pairs)
    )
    assert mse([Value(o) for o in outs], ts).data == pytest.approx(
        sum((o - t) ** 2 for o, t in pairs) / len(pairs)
    )
    assert gradcheck(lambda *vs: mse(list(vs), ts), outs, atol=1e-5)
    assert gradcheck(lambda *vs: half_squared_error(list(vs), ts), outs, atol=1e-5)


@given(st.lists(st.tuples(prob, target01), min_size=1, max_size=4))
def test_bce_closed_form_and_gradient(pairs):
    ps = [p for p, _ in pairs]
    ts = [t for _, t in pairs]
    expect = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in pairs) / len(pairs)
    assert bce([Value(p) for p in ps], ts).data == pytest.approx(expect, rel=1e-12)
    assert gradcheck(lambda *vs: bce(list(vs), ts), ps, atol=1e-5)


@given(st.lists(st.tuples(st.floats(-30, 30), target01), min_size=1, max_size=4))
def test_bce_with_logits_closed_form_gradient_and_agreement(pairs):
    zs = [z for z, _ in pairs]
    ts = [t for _, t in pairs]
    leaves = [Value(z) for z in zs]
    loss = bce_with_logits(leaves, ts)
    loss.backward()
    # closed form: mean of softplus(z) - z t; d/dz = (sigmoid(z) - t) / n
    # (max(z, 0) - z t first: added last, the log1p term would cancel away at large z)
    expect = sum((max(z, 0) - z * t) + math.log1p(math.exp(-abs(z))) for z, t in pairs) / len(pairs)
    assert loss.data == pytest.approx(expect, rel=1e-12, abs=1e-15)
    for leaf, (z, t) in zip(leaves, pairs):
        assert leaf.grad == pytest.approx((sig(z) - t) / len(pairs), rel=1e-9, abs=1e-15)
    if all(abs(z) < 10 for z in zs):
        assert bce([Value(sig(z)) for z in zs], ts).data == pytest.approx(expect, rel=1e-7)


def test_bce_with_logits_is_stable_and_exact_at_zero():
    z = Value(0.0)
    bce_with_logits([z], [1.0]).backward()
    assert z.grad == -0.5  # sigmoid(0) - 1, also at the kink of the stable form
    big = Value(1000.0)
    loss = bce_with_logits([big], [0.0])
    loss.backward()
    assert loss.data == 1000.0 and big.grad == 1.0
    assert bce_with_logits([Value(-1000.0)], [0.0]).data == 0.0


def test_bce_clamps_log_and_rejects_non_probabilities():
    assert bce([Value(1.0)], [0.0]).data == 100.0  # log clamped at -100, as PyTorch
    with pytest.raises(ValueError, match="probability"):
        bce([Value(1.5)], [1.0])


@given(st.lists(st.tuples(small, st.sampled_from([-1.0, 1.0])), min_size=1, max_size=5))
def test_hinge(pairs):
    expect = sum(max(0.0, 1 - y * s) for s, y in pairs) / len(pairs)
    assert hinge([Value(s) for s, _ in pairs], [y for _, y in pairs]).data == pytest.approx(expect)


@given(st.lists(st.floats(-20, 20), min_size=2, max_size=5), st.data())
def test_softmax_cross_entropy(logits, data):
    t = data.draw(st.integers(0, len(logits) - 1))
    m = max(logits)
    lse = m + math.log(sum(math.exp(v - m) for v in logits))
    leaves = [Value(v) for v in logits]
    loss = softmax_cross_entropy(leaves, t)
    loss.backward()
    assert loss.data == pytest.approx(lse - logits[t], rel=1e-12, abs=1e-12)
    for i, leaf in enumerate(leaves):  # softmax - one-hot
        p = math.exp(logits[i] - lse)
        assert leaf.grad == pytest.approx(p - (i == t), rel=1e-9, abs=1e-12)
    assert gradcheck(lambda *vs: softmax_cross_entropy(list(vs), t), logits, atol=1e-5)


def test_softmax_is_stable_and_batched():
    loss = softmax_cross_entropy([[Value(1000.0), Value(0.0)], [Value(0.0), Value(0.0)]], [0, 1])
    assert loss.data == pytest.approx((0.0 + math.log(2)) / 2)
    assert sum(
        math.exp(v.data) for v in log_softmax([Value(500.0), Value(499.0)])
    ) == pytest.approx(1)
    with pytest.raises(ValueError, match="not a class"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], 2)


def test_loss_shape_errors():
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        mse([Value(1.0), Value(2.0)], [1.0])


def test_sgd_plain_momentum_and_weight_decay_by_hand():
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    v = 0.0
    x = 1.0
    for step, g in enumerate([0.5, -0.2, 0.3]):
        p.grad = g
        opt.step()
        d = g + 0.01 * x
        v = d if step == 0 else 0.9 * v + d
        x = x - 0.1 * v
        assert p.data == pytest.approx(x, rel=1e-15)
    opt.zero_grad()
    assert p.grad == 0.0


def test_adam_first_step_moves_by_lr_and_follows_the_paper():
    a, b = Value(1.0), Value(-2.0)
    opt = Adam([a, b], lr=0.01)
    a.grad, b.grad = 3.0, -0.001
    opt.step()
    # bias-corrected first step: lr * g / (|g| + eps) = lr * sign(g), whatever the scale
    assert a.data == pytest.approx(1.0 - 0.01, rel=1e-9)
    assert b.data == pytest.approx(-2.0 + 0.01, rel=1e-5)
    m = 0.1 * 3.0
    v = 0.001 * 9.0
    x1 = 1.0 - 0.01 * (m / 0.1) / (math.sqrt(v / 0.001) + 1e-8)
    assert a.data == pytest.approx(x1, rel=1e-15)
    a.grad = 1.0
    opt.step()
    m, v = 0.9 * m + 0.1 * 1.0, 0.999 * v + 0.001 * 1.0
    expect = x1 - 0.01 * (m / (1 - 0.9**2)) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert a.data == pytest.approx(expect, rel=1e-12)


def test_optimizers_take_any_parameter_list_and_check_it():
    frozen, trained = Value(1.0), Value(1.0)
    frozen.grad = trained.grad = 1.0
    SGD([trained], lr=0.5).step()
    assert (frozen.data, trained.data) == (1.0, 0.5)
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Values"):
        Adam([1.0])
    with pytest.raises(ValueError, match="lr"):
        SGD([trained], lr=-1)
