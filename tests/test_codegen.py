"""codegen and compile against the engine: the compiled forward and backward pass must give
what `backward()` gives, bit for bit (the engine is the reference; it is checked against
torch and sympy elsewhere), at new points, at edge points, on random programs and MLPs."""

import ast
import dataclasses
import logging
import math
import random
import types
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import autograd.compiled as compiled_mod
from autograd import Value, codegen, gradients
from autograd.cli import main
from autograd.compiled import CompileWarning
from autograd.emit import sanitize
from autograd.modes import TracingError
from autograd.ops import total
from autograd.opspec import FUNCTIONS
from autograd.testing import expressions


def same(x: float, y: float) -> bool:
    """Equal to the last bit (NaN equals NaN; the sign of zero counts)."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def engine(fn, xs):
    """fn at `xs` with the engine: (value, gradient of each input)."""
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves]


def live(ex):
    """`ex` without the steps its output does not use: compiled code runs only what the
    output depends on, so a dead step's domain error (which the engine raises) is gone."""
    n = len(ex.names)
    keep = {n + len(ex.steps) - 1}
    for i in range(n + len(ex.steps) - 1, n - 1, -1):
        if i in keep:
            keep.update(ex.steps[i - n].args)
    new_index = {i: i for i in range(n)}
    steps = []
    for i, step in enumerate(ex.steps, start=n):
        if i in keep:
            new_index[i] = n + len(steps)
            steps.append(dataclasses.replace(step, args=tuple(new_index[a] for a in step.args)))
    return dataclasses.replace(ex, steps=tuple(steps))


def compiled_at(cf, xs):
    leaves = [Value(x) for x in xs]
    out = cf(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves]


def assert_same(got, want):
    (v1, g1), (v2, g2) = got, want
    assert same(v1, v2), (v1, v2)
    assert len(g1) == len(g2)
    for a, b in zip(g1, g2):
        assert same(a, b), (g1, g2)


def run_codegen(source: str) -> types.FunctionType:
    """Compile codegen's text the way compile() does (no exec): the one def of a module."""
    module = compile(source, "<codegen test>", "exec")
    (code,) = [c for c in module.co_consts if isinstance(c, types.CodeType)]
    return types.FunctionType(code, {"__builtins__": {}, **FUNCTIONS})


_SAFE = (ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.AugAssign,
         ast.Return, ast.Tuple, ast.Name, ast.Load, ast.Store, ast.BinOp, ast.UnaryOp,
         ast.IfExp, ast.Compare, ast.Call, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub,
         ast.Not, ast.Gt, ast.Lt, ast.LtE, ast.GtE, ast.NotEq, ast.Constant)  # fmt: skip


def assert_only_our_code(text: str) -> None:
    """One def of straight-line arithmetic: calls only of the op table's helpers, numbers
    only as int/float literals, and no line break inside a comment."""
    tree = ast.parse(text)
    if isinstance(tree.body[0], ast.ImportFrom):  # the helpers it calls, so it runs as printed
        imp = tree.body.pop(0)
        assert imp.module == "autograd.generated" and imp.level == 0
        assert all(a.name in FUNCTIONS and a.asname is None for a in imp.names)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef)
    for node in ast.walk(tree):
        assert isinstance(node, _SAFE), ast.dump(node)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float)
    assert len(text.splitlines()) == text.count("\n")


# -- random programs -------------------------------------------------------------


@settings(max_examples=150)
@given(expressions(max_depth=8), st.data())
def test_compiled_random_programs_match_backward_at_new_points(ex, data):
    cf = autograd.compile(ex.build)
    assert_same(compiled_at(cf, ex.point), engine(ex.build, ex.point))
    for _ in range(3):  # new values, the same code (unless the shape differs)
        new = [x + data.draw(st.sampled_from([0.0, 0.25, -1.5, 1e-3])) for x in ex.point]
        try:
            want = engine(live(ex).build, new)
        except (ArithmeticError, ValueError) as err:
            with pytest.raises(type(err)):
                compiled_at(cf, new)
            continue
        assert_same(compiled_at(cf, new), want)
    assert len(cf.traces) == 1


@settings(max_examples=60)
@given(expressions(max_depth=8, allow_errors=True))
def test_errors_at_new_points_are_the_engines(ex):
    cf = autograd.compile(lambda *xs: ex.build(*xs))
    ok = [0.7, -0.3, 1.9][: len(ex.point)]
    try:
        engine(ex.build, ok)
    except (ArithmeticError, ValueError):
        return  # not even the trace point is in the domain
    compiled_at(cf, ok)
    try:
        want = engine(live(ex).build, ex.point)
    except (ArithmeticError, ValueError) as err:
        with pytest.raises(type(err)):
            compiled_at(cf, ex.point)
        return
    assert_same(compiled_at(cf, ex.point), want)


@settings(max_examples=60)
@given(expressions(max_depth=8))
def test_small_chunks_pass_values_between_them(ex):
    old, compiled_mod.CHUNK_COST = compiled_mod.CHUNK_COST, 8
    try:
        cf = autograd.compile(ex.build)
        assert_same(compiled_at(cf, ex.point), engine(ex.build, ex.point))
        new = [x * 0.5 for x in ex.point]
        try:
            want = engine(live(ex).build, new)
        except (ArithmeticError, ValueError):
            return
        assert_same(compiled_at(cf, new), want)
    finally:
        compiled_mod.CHUNK_COST = old
    assert cf.traces[0].chunks >= 2


@settings(max_examples=80)
@given(expressions(max_depth=8))
def test_codegen_text_runs_to_the_engines_numbers(ex):
    leaves = [Value(x, label=n) for x, n in zip(ex.point, ex.names)]
    out = ex.build(*leaves)
    text = codegen(out, leaves)
    assert_only_our_code(text)
    value, grads = run_codegen(text)(*ex.point)
    out.backward()
    assert same(value, out.data)
    for g, leaf in zip(grads, leaves):
        assert g == leaf.grad or (math.isnan(g) and math.isnan(leaf.grad))  # ±0: see codegen


@settings(max_examples=60)
@given(expressions(max_depth=6))
def test_value_and_grad_matches_gradients(ex):
    cf = autograd.compile(ex.build)
    value, grads = cf.value_and_grad(*ex.point)
    leaves = [Value(x) for x in ex.point]
    out = ex.build(*leaves)
    assert same(value, out.data)
    for g, want in zip(grads, gradients(out, leaves)):
        assert same(g, want)


# -- edge points -------------------------------------------------------------------


EDGES = [
    # (function, trace point, edge points)
    (lambda x: x.relu() * 3.0, [1.0], [[0.0], [-0.0], [-1e-300], [math.inf], [-math.inf]]),
    (lambda x: x.abs() * x, [1.0], [[0.0], [-0.0], [-2.0], [math.nan]]),
    (lambda x: x**0.5, [4.0], [[0.0], [1e-300], [math.inf]]),
    (lambda x: x**2, [4.0], [[0.0], [-3.0], [1e200], [math.nan]]),
    (lambda x: x**-1, [4.0], [[1e-300], [-2.0], [math.inf]]),
    (lambda x: x**0, [4.0], [[0.0], [-2.0], [math.nan]]),
    (
        lambda x, y: x**y,
        [2.0, 3.0],
        [[0.0, 2.0], [0.0, 0.5], [-2.0, 2.0], [0.0, 0.0], [1.0, math.nan]],
    ),  # fmt: skip
    (lambda x: 2.0**x, [1.0], [[-1e200], [1e200], [math.nan]]),
    (lambda x: x.sqrt(), [4.0], [[0.0], [1e-300], [math.inf]]),
    (lambda x, y: x / y, [1.0, 2.0], [[1.0, 1e-300], [0.0, -1.0], [math.inf, 2.0]]),
    (lambda x: x.exp(), [1.0], [[1000.0], [-1000.0], [math.nan]]),
    (lambda x: x.log(), [1.0], [[1e-300], [math.inf], [math.nan]]),
    (lambda x: x.sigmoid() + x.tanh(), [1.0], [[800.0], [-800.0], [0.0]]),
]


@pytest.mark.parametrize("fn,trace_at,points", EDGES)
def test_edge_points_match_backward(fn, trace_at, points):
    cf = autograd.compile(fn)
    compiled_at(cf, trace_at)
    for xs in points:
        assert_same(compiled_at(cf, xs), engine(fn, xs))
    assert len(cf.traces) == 1


def test_relu_at_nan_follows_the_engine():
    # fails until the engine's relu(nan) gives nan (as the op table says); see test_opspec
    cf = autograd.compile(lambda x: x.relu())
    compiled_at(cf, [1.0])
    assert_same(compiled_at(cf, [math.nan]), engine(lambda x: x.relu(), [math.nan]))


@pytest.mark.parametrize(
    "fn,bad,error",
    [
        (lambda x, y: x / y, [1.0, 0.0], ZeroDivisionError),
        (lambda x, y: x / y, [1.0, -0.0], ZeroDivisionError),
        (lambda x: x**-1, [0.0], ZeroDivisionError),
        (lambda x: x**0.5, [-1.0], ValueError),
        (lambda x: x.log(), [0.0], ValueError),
        (lambda x: x.log(), [-1.0], ValueError),
        (lambda x: x.sqrt(), [-1e-300], ValueError),
    ],
)
def test_domain_errors_are_the_engines(fn, bad, error):
    cf = autograd.compile(fn)
    compiled_at(cf, [1.0] * len(bad))
    with pytest.raises(error) as engine_err:
        engine(fn, bad)
    with pytest.raises(error) as compiled_err:
        compiled_at(cf, bad)
    assert str(compiled_err.value).split()[0] == str(engine_err.value).split()[0]  # the op


# -- nn ------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("fused", [True, False])
def test_mlp_training_steps_are_bit_identical(activation, fused):
    from nn import MLP, SGD, l2, mse

    rng = random.Random(7)
    data = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(8)]
    targets = [rng.uniform(-1, 1) for _ in range(8)]

    def train(compiled):
        model = MLP(3, [5, 4, 1], activation=activation, seed=3, fused=fused)
        opt = SGD(model.parameters(), lr=0.05, momentum=0.9)

        def loss_fn(X, y):
            return mse([model(x) for x in X], y) + l2(model.parameters(), 1e-3)

        if compiled:
            loss_fn = autograd.compile(loss_fn)
        losses = []
        for step in range(4):
            X = [[x + 0.1 * step for x in row] for row in data]  # new data every step
            loss = loss_fn(X, targets)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.data)
        return losses, [p.data for p in model.parameters()], loss_fn

    want_losses, want_params, _ = train(False)
    losses, params, cf = train(True)
    assert losses == want_losses
    assert all(same(a, b) for a, b in zip(params, want_params))
    assert len(cf.traces) == 1


def test_readme_moons_loop_with_one_line_changed():
    from nn import MLP, SGD, hinge, l2, make_moons

    X, y = make_moons(30, noise=0.1, seed=1)
    y = [2 * t - 1 for t in y]

    def train(compiled):
        model = MLP(2, [8, 8, 1], seed=1337)
        opt = SGD(model.parameters(), lr=0.5)

        def loss_fn(X, y):
            return hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)

        if compiled:
            loss_fn = autograd.compile(loss_fn)  # the one line
        out = []
        for _ in range(5):
            loss = loss_fn(X, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.data)
        return out, [p.data for p in model.parameters()]

    assert train(True) == train(False)


@pytest.mark.parametrize("loss", ["bce", "bce_with_logits"])
def test_fused_losses_without_a_table_entry_run_on_the_engine(loss):
    # bce and bce_with_logits are single fused nodes (PyTorch's formulas, with clamps);
    # the op table has no entry for them, so compile says so and runs the engine
    import nn
    from autograd.compiled import CompileWarning

    model = nn.MLP(2, [3, 2], seed=0)
    fns = {
        "bce": lambda X: nn.bce([model(x)[0].sigmoid() for x in X], [1, 0]),
        "bce_with_logits": lambda X: nn.bce_with_logits([model(x)[0] for x in X], [1, 0]),
    }
    X = [[0.5, -1.0], [1.0, 2.0]]
    want = fns[loss](X)
    with pytest.warns(CompileWarning, match="no entry in the op table"):
        got = autograd.compile(fns[loss])(X)
    assert got.data == want.data


@pytest.mark.parametrize("loss", ["softmax_cross_entropy"])
def test_losses_with_data_branches_are_refused(loss):
    import nn

    model = nn.MLP(2, [3, 2], seed=0)
    fns = {
        "bce": lambda X: nn.bce([model(x)[0].sigmoid() for x in X], [1, 0]),
        "bce_with_logits": lambda X: nn.bce_with_logits([model(x)[0] for x in X], [1, 0]),
        "softmax_cross_entropy": lambda X: nn.softmax_cross_entropy([model(x) for x in X], [1, 0]),
    }
    X = [[0.5, -1.0], [1.0, 2.0]]
    fns[loss](X).backward()  # the engine runs them
    with pytest.raises(TracingError, match="relu"):
        autograd.compile(fns[loss])(X)


# -- tracing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x if x > 0 else -x,
        lambda x: x if x >= 0 else -x,
        lambda x: x * 2 if x <= 1 else x,
        lambda x: x * 2 if x.data > 0 and x < 1 else x,
        lambda x: x if x else -x,
        lambda x: x * float(x),
        lambda x: max(x, x * 2),
        lambda x: x + x.detach(),
    ],
)
def test_python_control_flow_on_a_value_is_refused_while_tracing(fn):
    with pytest.raises(TracingError, match="relu.*abs|without compile"):
        autograd.compile(fn)(Value(1.0))
    assert not autograd.modes.is_tracing()
    assert (Value(2.0) > 1) is True  # and comparisons work again after it


def test_a_value_is_truthy_outside_tracing():
    # as any Python object (micrograd's Value too): `if v:` tests existence, not data
    assert bool(Value(0.0)) is True and bool(Value(math.nan)) is True


def test_no_grad_inside_a_traced_function_is_refused():
    def fn(x):
        with autograd.no_grad():
            m = x * 2
        return x * m

    with pytest.raises(TracingError, match="no_grad"):
        autograd.compile(fn)(2.0)


def test_a_different_shape_traces_again_and_says_so(caplog):
    cf = autograd.compile(lambda xs: sum((x * x for x in xs), Value(0.0)))
    with caplog.at_level(logging.DEBUG, logger="valuegrad.compile"):
        assert cf([1.0, 2.0]).data == 5.0
        assert cf([3.0, 4.0]).data == 25.0
        assert len(cf.traces) == 1
        assert cf([1.0, 2.0, 3.0]).data == 14.0
        assert cf([Value(1.0), 2.0]).data == 5.0  # a Value where a number was
    assert len(cf.traces) == 3
    assert sum("traces again" in r.message for r in caplog.records) == 2


def test_parameters_are_read_afresh_and_get_gradients():
    w = Value(2.0)
    cf = autograd.compile(lambda x: w * x + w)
    cf(3.0).backward()
    assert w.grad == 4.0
    w.data, w.grad = 5.0, 0.0
    out = cf(3.0)
    assert out.data == 20.0
    out.backward()
    assert w.grad == 4.0


def test_a_value_passed_twice_or_also_reached_gets_both_shares():
    w = Value(2.0)
    cf = autograd.compile(lambda a, b: a * b * w)
    x = Value(3.0)
    cf(x, x).backward()  # d/dx x*x*w = 2xw
    assert x.grad == 12.0
    cf(w, Value(1.0)).backward()  # w passed in and reached: d/dw w*1*w = 2w
    assert w.grad == 9.0 + 4.0


def test_gradients_accumulate_as_backward_does():
    fn = lambda x: (x * x).sin()  # noqa: E731
    x1, x2 = Value(0.3), Value(0.3)
    cf = autograd.compile(fn)
    for _ in range(3):
        cf(x1).backward()
        fn(x2).backward()
    assert same(x1.grad, x2.grad)
    out = cf(x1) * 3.0 + 1.0  # inside a larger graph
    out2 = fn(x2) * 3.0 + 1.0
    out.backward(), out2.backward()
    assert same(x1.grad, x2.grad)


def test_an_op_without_a_table_entry_falls_back_to_the_engine():
    def cube(x: Value) -> Value:  # a micrograd-style custom op
        out = Value(x.data**3, (x,), "cube")

        def _backward():
            x.grad += 3 * x.data**2 * out.grad

        out._backward = _backward
        return out

    cf = autograd.compile(lambda x: cube(x) + x)
    with pytest.warns(CompileWarning, match="'cube'"):
        got = compiled_at(cf, [2.0])
    assert got == engine(lambda x: cube(x) + x, [2.0]) == (10.0, [13.0])
    assert compiled_at(cf, [3.0]) == (30.0, [28.0])


def test_a_custom_closure_on_a_known_op_is_not_trusted():
    def double(x: Value) -> Value:
        out = Value(x.data + x.data, (x, x), "+")
        out._backward = lambda: None  # not what "+" does
        return out

    with pytest.warns(CompileWarning, match="custom"):
        compiled_at(autograd.compile(double), [1.0])


def test_create_graph_through_compiled_code_is_refused():
    out = autograd.compile(lambda x: x * x)(Value(2.0))
    with pytest.raises(NotImplementedError, match="without compile"):
        out.backward(create_graph=True)


def test_compile_refuses_what_is_not_a_function_or_returns_no_value():
    with pytest.raises(TypeError, match="builtins.compile"):
        autograd.compile("x + 1")
    with pytest.raises(TypeError, match="not a Value"):
        autograd.compile(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="compile\\(\\) argument"):
        autograd.compile(lambda x: x)("3")


def test_anomaly_mode_runs_the_engine():
    cf = autograd.compile(lambda x: x.exp() * 2.0)
    compiled_at(cf, [1.0])
    assert cf(Value(1000.0)).data == math.inf
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match="exp"):
        cf(Value(1000.0))


# -- the text --------------------------------------------------------------------------


NEURON = """\
from autograd.generated import tanh


def forward_backward(x1, w1, x2, w2, b):
    # forward pass: each op's value from its inputs
    x1w1 = x1 * w1                   # *: label 'x1*w1'
    x2w2 = x2 * w2                   # *: label 'x2*w2'
    x1w1_x2w2 = x1w1 + x2w2          # +: label 'x1*w1 + x2*w2'
    n = x1w1_x2w2 + b
    o = tanh(n)
    # backward pass: the chain rule, from the output back to the inputs
    grad_o = 1.0                     # ∂o/∂o = 1
    grad_n = (1.0 - o * o) * grad_o  # tanh: ∂o/∂n = 1 − tanh(n)²
    grad_x1w1_x2w2 = grad_n          # +: ∂n/∂x1w1_x2w2 = 1
    grad_b = grad_n                  # +: ∂n/∂b = 1
    grad_x1w1 = grad_x1w1_x2w2       # +: ∂x1w1_x2w2/∂x1w1 = 1
    grad_x2w2 = grad_x1w1_x2w2       # +: ∂x1w1_x2w2/∂x2w2 = 1
    grad_x1 = w1 * grad_x1w1         # *: ∂x1w1/∂x1 = w1
    grad_w1 = x1 * grad_x1w1         # *: ∂x1w1/∂w1 = x1
    grad_x2 = w2 * grad_x2w2         # *: ∂x2w2/∂x2 = w2
    grad_w2 = x2 * grad_x2w2         # *: ∂x2w2/∂w2 = x2
    return o, (grad_x1, grad_w1, grad_x2, grad_w2, grad_b)
"""


def lecture_neuron():
    """The tanh neuron of the micrograd lecture, labelled as there."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [x1, w1, x2, w2, b]


def test_the_lecture_neuron_reads_as_written_by_hand():
    o, leaves = lecture_neuron()
    text = codegen(o)
    assert text == NEURON  # the formatting; the numbers are checked next, against backward()
    value, grads = run_codegen(text)(*[v.data for v in leaves])
    o.backward()
    assert value == o.data and list(grads) == [v.grad for v in leaves]


def test_hostile_labels_stay_in_comments_and_names_stay_ours():
    x = Value(1.0, label='x"\nimport os; os.system("boom")  # \u2028\r')
    y = Value(2.0, label="grad_z")
    z = Value(3.0, label="z")
    k = Value(4.0, label="tanh")  # a helper's name
    d = Value(5.0, label="def")
    u = Value(6.0, label="\u0661\u0662")  # Arabic-Indic digits: not ASCII
    out = x * y + z * k + d * u
    out.label = "1 + 2"
    text = codegen(out)
    assert_only_our_code(text)
    assert "\u2028" not in text and "\r" not in text and text.count("\n") == len(text.splitlines())
    fn = run_codegen(text)
    value, grads = fn(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    out.backward()
    assert value == out.data and list(grads) == [v.grad for v in (x, y, z, k, d, u)]
    assert sanitize("x1*w1 + x2*w2") == "x1w1_x2w2" and sanitize("2x") == "v_2x"


def test_constants_and_inputs():
    x, c = Value(1.5, label="x"), Value(-2.0, label="c")
    out = (x * c + math.inf * 0 + 1e-300).exp() + x**-2
    text = codegen(out, [x])
    assert "def forward_backward(x):" in text and "c = (-2.0)" in text and "nan" in text
    value, (gx,) = run_codegen(text)(1.5)
    out.backward()
    assert same(value, out.data) and same(gx, x.grad)


def test_cli_prints_the_code():
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["codegen", "x*y + sin(x)", "--at", "x=2", "y=3"]) == 0
    text = buf.getvalue()
    assert text.startswith(
        "from autograd.generated import cos, sin\n\n\ndef forward_backward(x, y):"
    )
    assert "grad_x += cos(x) * grad_sin1" in text
    value, grads = run_codegen(text)(2.0, 3.0)
    assert (value, grads) == (6.0 + math.sin(2.0), (3.0 + math.cos(2.0), 2.0))
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["codegen", "__import__('os')", "--at", "x=1"]) == 2


def test_a_long_sum_and_a_deep_chain_compile(monkeypatch):
    monkeypatch.setattr(compiled_mod, "CHUNK_COST", 4000)  # values cross several chunks
    xs = [Value(float(i)) for i in range(3000)]
    cf = autograd.compile(lambda *v: total(v))
    out = cf(*xs)
    out.backward()
    assert out.data == sum(range(3000)) and all(v.grad == 1.0 for v in xs)

    def chain(x):
        for _ in range(5000):
            x = (x * 1.0001).tanh()
        return x

    cf = autograd.compile(chain)
    assert_same(compiled_at(cf, [0.5]), engine(chain, [0.5]))
    assert cf.traces[0].chunks > 2


def test_total_keeps_its_constants_so_they_are_compiled():
    # total() used to record no constants: its node could not be written out again
    fn = lambda x, y: total([x, 1e-20, y * x, 2], start=0.5)  # noqa: E731
    cf = autograd.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # no fallback to the engine
        for xs in ([1.0, 2.0], [0.0, 0.0], [-3.0, 1e-300]):
            assert_same(compiled_at(cf, xs), engine(fn, xs))
    assert len(cf.traces) == 1


def test_derivatives_inside_a_compiled_function_are_refused_not_frozen():
    """create_graph's rules branch on data (relu, abs, sqrt and pow at 0, the held
    edge values): traced once, the branch taken at the first point would be compiled in.
    d/dx relu(x) is 1 at x = 1 and 0 at x = -1 (closed form); compiled at 1 and called at
    -1, grad(relu)(x) * x gave -1.0 (and a gradient of 1.0) instead of -0.0 (and 0.0)."""
    f = autograd.compile(lambda x: autograd.grad(lambda y: y.relu())(x) * x)
    with pytest.raises(TracingError, match="without compile"):
        f(Value(1.0))

    def penalty(x):
        out = x * x * x
        (g,) = gradients(out, [x], create_graph=True)
        return g * g

    with pytest.raises(TracingError, match="without compile"):
        autograd.compile(penalty)(Value(2.0))

    def backward_inside(x):
        y = x.abs() * x
        y.backward(create_graph=True)
        return x.grad

    with pytest.raises(TracingError, match="without compile"):
        autograd.compile(backward_inside)(Value(2.0))


def test_codegen_of_a_neuron_comments_each_weights_slope_and_runs():
    from nn import Neuron

    n = Neuron(2, seed=1)
    x1 = Value(0.5, label="x1")
    out = n([x1, 2.0])
    text = codegen(out)
    for comment in ("∂lin1/∂w0 = x1", "∂lin1/∂x1 = w0", "∂lin1/∂w1 = 2.0", "∂lin1/∂b = 1"):
        assert f"# linear: {comment}\n" in text, text
    assert_only_our_code(text)
    w0, w1 = n.w
    value, grads = run_codegen(text)(w0.data, w1.data, x1.data, n.b.data)
    out.backward()
    assert same(value, out.data)
    assert all(same(g, v.grad) for g, v in zip(grads, (w0, w1, x1, n.b)))


def test_codegen_names_three_values_with_one_label_apart():
    xs = [Value(float(k + 1), label="x") for k in range(3)]
    out = xs[0] * xs[1] + xs[2]
    text = codegen(out, xs)
    assert "def forward_backward(x, x_2, x_3):" in text, text
    value, grads = run_codegen(text)(1.0, 2.0, 3.0)
    assert (value, grads) == (5.0, (2.0, 1.0, 1.0))  # x*y + z at (1, 2, 3), by hand
