"""nn against PyTorch float64: every loss against torch.nn.functional (value and
gradient, at random and at edge inputs), every optimizer against torch.optim over 20
steps. Where PyTorch rounds away an answer, exact math (mpmath) decides, as noted."""

import math
import random

import mpmath
import pytest
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, gradients
from nn import (
    SGD,
    Adam,
    bce,
    bce_with_logits,
    half_squared_error,
    hinge,
    l2,
    mse,
    softmax_cross_entropy,
)
from nn.losses import log_softmax

EXAMPLES = settings(max_examples=40)
finite = st.floats(-30, 30, allow_nan=False)
unit = st.floats(0.0, 1.0)
NAN = math.nan


def ours(loss_fn, xs, *args):
    """(value, gradients) of loss_fn over leaves holding xs."""
    leaves = [Value(x) for x in xs]
    out = loss_fn(leaves, *args)
    out.backward()
    return out.data, [v.grad for v in leaves]


def theirs(torch, loss_fn, xs, *args):
    x = torch.tensor(xs, requires_grad=True)
    out = loss_fn(x, *args)
    out.backward()
    return out.item(), x.grad.tolist()


def close(a, b, rel=1e-13, abs_=1e-300):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, rel, abs_) for x, y in zip(a, b))
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


# -- regression losses ----------------------------------------------------------


@EXAMPLES
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=5))
def test_mse_and_half_squared_error(pairs):
    torch = require_torch()
    xs, ts = [o for o, _ in pairs], [t for _, t in pairs]
    F = torch.nn.functional
    tt = torch.tensor(ts)
    assert close(ours(mse, xs, ts), theirs(torch, lambda x: F.mse_loss(x, tt), xs))
    half = ours(half_squared_error, xs, ts)
    assert close(half, theirs(torch, lambda x: 0.5 * F.mse_loss(x, tt, reduction="sum"), xs))


def test_regression_losses_with_nan_and_a_single_value(torch):
    assert math.isnan(mse([Value(NAN)], [1.0]).data)
    # one Value and one number (not lists): half of (2 - 1)^2
    assert half_squared_error(Value(2.0), 1.0).data == 0.5
    assert mse(Value(3.0), 1.0).data == 4.0


# -- binary cross-entropy ---------------------------------------------------------

EDGE_P = [0.0, 5e-324, 1e-300, math.exp(-100), 3.7e-44, 1e-20, 1e-13, 1e-12, 0.3, 0.5,
          1 - 1e-12, 1 - 1e-16, 1.0]  # fmt: skip


@pytest.mark.parametrize("p", EDGE_P)
@pytest.mark.parametrize("t", [0.0, 1.0, 0.25])
def test_bce_matches_torch_value_and_gradient_at_the_edges(torch, p, t):
    F = torch.nn.functional
    tt = torch.tensor([t, 0.5])
    a = ours(bce, [p, 0.5], [t, 0.5])
    b = theirs(torch, lambda x: F.binary_cross_entropy(x, tt), [p, 0.5])
    assert close(a, b), (a, b)


@EXAMPLES
@given(st.lists(st.tuples(unit, unit), min_size=1, max_size=5))
def test_bce_matches_torch(pairs):
    torch = require_torch()
    ps, ts = [p for p, _ in pairs], [t for _, t in pairs]
    tt = torch.tensor(ts)
    b = theirs(torch, lambda x: torch.nn.functional.binary_cross_entropy(x, tt), ps)
    assert close(ours(bce, ps, ts), b)


def test_bce_tiny_p_is_log1p_not_log_of_1_minus_p():
    # exact: -log(1 - 1e-20) = 1e-20 (to 1e-40); log(1 - 1e-20) rounds to log(1.0) = 0
    assert bce([Value(1e-20)], [0.0]).data == 1e-20


def test_bce_second_derivative_matches_torch(torch):
    ps, ts = [0.3, 0.6], [1.0, 0.0]
    leaves = [Value(p) for p in ps]
    g = gradients(bce(leaves, ts), leaves, create_graph=True)
    h = gradients(g[0] + g[1], leaves)
    x = torch.tensor(ps, requires_grad=True)
    (gt,) = torch.autograd.grad(
        torch.nn.functional.binary_cross_entropy(x, torch.tensor(ts)), x, create_graph=True
    )
    (ht,) = torch.autograd.grad(gt.sum(), x)
    assert close([v.data for v in g], gt.tolist(), rel=1e-15)
    # PyTorch's double backward adds its 1e-12 to p and 1 - p: agreement to ~1e-11
    assert close(h, ht.tolist(), rel=1e-10)


@pytest.mark.parametrize("p, t", [(NAN, 1.0), (1.5, 1.0), (-0.1, 0.0), (0.5, 1.5), (0.5, NAN)])
def test_bce_refuses_what_torch_refuses(torch, p, t):
    with pytest.raises(RuntimeError):
        torch.nn.functional.binary_cross_entropy(torch.tensor([p]), torch.tensor([t]))
    with pytest.raises(ValueError, match="bce"):
        bce([Value(p)], [t])


def test_bce_accepts_the_ends_of_the_interval():
    # p = 0 and p = 1 are probabilities (torch: loss 0 for t = p)
    assert bce([Value(0.0), Value(1.0)], [0.0, 1.0]).data == 0.0


# -- binary cross-entropy from logits --------------------------------------------------

EDGE_Z = [0.0, 1e-300, -1e-300, 1.0, -1.0, 20.0, -20.0, 50.0, -50.0, 800.0, -800.0, 1e300, -1e300]


def exact_bce_logits(z, t):
    with mpmath.workdps(60):
        z = mpmath.mpf(z)
        return float(mpmath.log1p(mpmath.exp(z)) - t * z)


@pytest.mark.parametrize("z", EDGE_Z)
@pytest.mark.parametrize("t", [0.0, 1.0, 0.25])
def test_bce_with_logits_against_torch_and_exact_math(torch, z, t):
    tt = torch.tensor([t])
    value, grad = ours(bce_with_logits, [z], [t])
    tv, tg = theirs(
        torch, lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, tt), [z]
    )
    assert close(grad, tg, rel=1e-15)
    # the value to 1e-15 of torch's, absolutely (torch returns 0 for z = -50, t = 0,
    # where the exact value is log1p(e^-50) = 1.9e-22) and to 1e-14 of the exact one
    assert close(value, tv, rel=1e-15, abs_=1e-15)
    assert close(value, exact_bce_logits(z, t), rel=1e-14)


@EXAMPLES
@given(st.lists(st.tuples(st.floats(-60, 60), unit), min_size=1, max_size=5))
def test_bce_with_logits_matches_torch(pairs):
    torch = require_torch()
    zs, ts = [z for z, _ in pairs], [t for _, t in pairs]
    tt = torch.tensor(ts)
    F = torch.nn.functional
    a = ours(bce_with_logits, zs, ts)
    b = theirs(torch, lambda x: F.binary_cross_entropy_with_logits(x, tt), zs)
    assert close(a[1], b[1], rel=1e-13, abs_=1e-300)
    # both round (1 - t) z and torch's log-sigmoid cancels (z = -17, t = 0: off by 1.7e-15),
    # so the values agree, and match the exact mean, to ~ulp(|z|)
    tol = 1e-15 * max(1.0, *map(abs, zs))
    exact = math.fsum(exact_bce_logits(z, t) for z, t in pairs) / len(pairs)
    assert close(a[0], b[0], abs_=tol) and close(a[0], exact, rel=1e-14, abs_=tol)


def test_bce_with_logits_nan_and_second_derivative(torch):
    value, grad = ours(bce_with_logits, [NAN], [1.0])
    assert math.isnan(value) and math.isnan(grad[0])  # torch: nan, nan
    z = Value(0.7)
    (g,) = gradients(bce_with_logits([z], [1.0]), [z], create_graph=True)
    (h,) = gradients(g, [z])
    s = 1 / (1 + math.exp(-0.7))
    assert g.data == pytest.approx(s - 1, rel=1e-15) and h == pytest.approx(s * (1 - s), rel=1e-14)


# -- hinge, l2 ----------------------------------------------------------------------


@EXAMPLES
@given(st.lists(st.tuples(finite, st.sampled_from([-1, 1, -1.0, 1.0])), min_size=1, max_size=5))
def test_hinge_matches_torch(pairs):
    torch = require_torch()
    ss, ys = [s for s, _ in pairs], [y for _, y in pairs]
    yt = torch.tensor([float(y) for y in ys])
    assert close(ours(hinge, ss, ys), theirs(torch, lambda x: torch.relu(1 - yt * x).mean(), ss))


def test_hinge_of_a_single_score():
    assert hinge(Value(0.25), 1).data == 0.75  # max(0, 1 - 0.25)


@pytest.mark.parametrize("label", [0, 0.0, 2, 0.5, True, NAN])
def test_hinge_refuses_labels_other_than_plus_minus_one(label):
    with pytest.raises(ValueError, match="hinge.*label"):
        hinge([Value(0.3), Value(-0.2)], [1, label])


def test_l2_matches_torch(torch):
    ps = [0.5, -2.0, 3.0]
    assert close(ours(l2, ps), theirs(torch, lambda x: (x * x).sum(), ps))  # alpha 1 by default
    assert close(ours(l2, ps, 1e-4), theirs(torch, lambda x: 1e-4 * (x * x).sum(), ps))


# -- softmax cross-entropy ----------------------------------------------------------


@EXAMPLES
@given(st.lists(st.lists(finite, min_size=1, max_size=4), min_size=1, max_size=3), st.data())
def test_softmax_cross_entropy_matches_torch(rows, data):
    torch = require_torch()
    k = min(len(r) for r in rows)
    rows = [r[:k] for r in rows]
    ts = [data.draw(st.integers(0, k - 1)) for _ in rows]
    leaves = [[Value(v) for v in r] for r in rows]
    loss = softmax_cross_entropy(leaves, ts)
    loss.backward()
    x = torch.tensor(rows, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(x, torch.tensor(ts))
    lt.backward()
    assert close(loss.data, lt.item(), rel=1e-13, abs_=1e-15)
    assert close([v.grad for r in leaves for v in r], x.grad.flatten().tolist(), abs_=1e-16)


@pytest.mark.parametrize("off", [0.0, 1e16, 1e17, -1e17, 1e300])
def test_softmax_cross_entropy_at_large_logits(torch, off):
    row = [off, off + 0.5, off - 0.3]
    leaves = [Value(v) for v in row]
    loss = softmax_cross_entropy(leaves, 1)
    loss.backward()
    x = torch.tensor([row], requires_grad=True)
    lt = torch.nn.functional.cross_entropy(x, torch.tensor([1]))
    lt.backward()
    assert close(loss.data, lt.item(), rel=1e-15)
    assert close([v.grad for v in leaves], x.grad.flatten().tolist(), rel=1e-15, abs_=1e-16)
    if off:  # at these offsets the three logits are the same float: the loss is log 3
        assert loss.data == pytest.approx(math.log(3), rel=1e-15)
    logp = [v.data for v in log_softmax(leaves)]
    assert close(logp, torch.log_softmax(x.detach()[0], 0).tolist(), rel=1e-15)


def test_softmax_cross_entropy_nan_single_class_and_shapes():
    assert math.isnan(softmax_cross_entropy([Value(NAN), Value(0.0)], 1).data)  # torch: nan
    assert softmax_cross_entropy([Value(3.0)], 0).data == 0.0  # one class: log 1 (torch: 0)
    with pytest.raises(ValueError, match="2 rows but 1 targets"):
        softmax_cross_entropy([[Value(1.0)], [Value(2.0)]], [0])
    with pytest.raises(ValueError, match="no logits"):
        log_softmax([])
    with pytest.raises(ValueError, match="no logits"):
        softmax_cross_entropy([], 0)
    with pytest.raises(ValueError, match="no outputs"):
        mse([], [])


# -- optimizers against torch.optim, 20 steps ---------------------------------------

CONFIGS = [
    (SGD, "SGD", dict(lr=0.1)),
    (SGD, "SGD", dict(lr=0.1, momentum=0.9)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    (SGD, "SGD", dict(lr=0.1, weight_decay=0.01)),
    (SGD, "SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.1, nesterov=True)),
    (Adam, "Adam", dict()),
    (Adam, "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    (Adam, "Adam", dict(lr=0.5, betas=(0.0, 0.5), eps=0.0)),
]


@pytest.mark.parametrize("ours_cls, name, kw", CONFIGS)
def test_optimizer_matches_torch_over_20_steps(torch, ours_cls, name, kw):
    rng = random.Random(7)
    start = [rng.uniform(-2, 2) for _ in range(5)]
    params = [Value(x) for x in start]
    opt = ours_cls(params, **kw)
    tp = torch.tensor(start, requires_grad=True)
    topt = getattr(torch.optim, name)([tp], foreach=False, **kw)
    for step in range(20):
        g = [rng.gauss(0, 1) * 10 ** rng.randint(-3, 1) for _ in start]
        if step >= 5:
            g[step % 5] = 0.0  # a zero gradient now and then
        for p, gi in zip(params, g):
            p.grad = gi
        tp.grad = torch.tensor(g)
        opt.step()
        topt.step()
        assert close([p.data for p in params], tp.tolist(), rel=1e-12, abs_=1e-15), step


def test_a_step_after_create_graph_keeps_data_floats(tmp_path):
    from nn import MLP

    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)):
        x = Value(2.0)
        (x**3).backward(create_graph=True)  # x.grad is a Value: 3x^2 = 12
        assert isinstance(x.grad, Value)
        make([x]).step()
        assert type(x.data) is float
    x = Value(2.0)
    (x**3).backward(create_graph=True)
    SGD([x], lr=0.1).step()
    assert x.data == 2.0 - 0.1 * 12.0
    model = MLP(1, [1], seed=0)
    model([x]).backward(create_graph=True)
    SGD(model.parameters(), lr=0.1).step()
    model.save(tmp_path / "m.json")  # failed when p.data had become a Value


BAD_SETTINGS = [
    ("SGD", dict(lr=-0.1), "lr"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "momentum"),
    ("SGD", dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
    ("SGD", dict(lr=0.1, nesterov=True), "nesterov"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    ("Adam", dict(lr=-1e-3), "lr"),
    ("Adam", dict(betas=(0.9, 1.0)), "betas"),
    ("Adam", dict(betas=(1.0, 0.999)), "betas"),
    ("Adam", dict(betas=(-0.1, 0.999)), "betas"),
    ("Adam", dict(eps=-1e-8), "eps"),
    ("Adam", dict(weight_decay=-0.1), "weight_decay"),
]


@pytest.mark.parametrize("name, kw, word", BAD_SETTINGS)
def test_settings_are_checked_as_torch_optim_checks_them(torch, name, kw, word):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=word):
        {"SGD": SGD, "Adam": Adam}[name]([Value(1.0)], **kw)


BAD_TYPES = [dict(lr=NAN), dict(lr=math.inf), dict(lr=True), dict(betas=(0.9, NAN)),
             dict(eps=math.inf), dict(betas=0.9)]  # fmt: skip


@pytest.mark.parametrize("kw", BAD_TYPES)
def test_non_finite_or_mistyped_settings_are_refused(kw):
    with pytest.raises(ValueError):
        Adam([Value(1.0)], **kw)


def test_a_parameter_listed_twice_is_refused():
    p = Value(1.0)
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p], lr=0.1)


def test_adam_with_eps_0_leaves_a_parameter_with_only_zero_gradients(torch):
    # PyTorch computes 0/0 here and makes the parameter NaN (shown); we leave it as it is
    tp = torch.tensor([1.0], requires_grad=True)
    topt = torch.optim.Adam([tp], eps=0.0, foreach=False)
    tp.grad = torch.zeros(1)
    topt.step()
    assert math.isnan(tp.item())
    p = Value(1.0)
    Adam([p], eps=0.0).step()
    assert p.data == 1.0
