"""Every op of the table reaches every layer: parser, strategies, codegen and compile,
the explorer's JavaScript, create_graph, sympy, torch and nn. A function op added to
autograd.opspec.FUNCTION_OPS without one of them fails here; so does a Value method
that builds an op without a table row. Then the new ops (leaky_relu, softplus,
log1p) against PyTorch float64 and sympy at edge points."""

import ast
import builtins
import inspect
import json
import math
import shutil
import subprocess
import types

import mpmath
import pytest
import sympy

import autograd
from autograd import Value, gradients
from autograd.explorer import rules_js
from autograd.higher import RULES
from autograd.opspec import BY_NAME, FUNCTION_OPS, FUNCTIONS, SPECS, evaluate, spec_for
from autograd.parse import FUNCTIONS as PARSED
from autograd.parse import evaluate as parse_evaluate
from autograd.testing import OPS, Expression, Step

torch = pytest.importorskip("torch")


def run_codegen(source: str) -> types.FunctionType:
    """codegen's one def, compiled as compile() does it (no exec)."""
    module = compile(source, "<codegen>", "exec")
    (code,) = [c for c in module.co_consts if isinstance(c, types.CodeType)]
    return types.FunctionType(code, {"__builtins__": {}, **FUNCTIONS})


NAMES = [f.name for f in FUNCTION_OPS]
POINT = 0.75  # inside every op's domain, away from every kink


def test_every_value_method_that_builds_an_op_is_in_the_table():
    methods = {
        name
        for name, fn in inspect.getmembers(Value, inspect.isfunction)
        if not name.startswith("_") and name not in ("backward", "detach")
    }
    assert methods == set(NAMES)


def test_every_table_row_is_an_op_the_engine_builds():
    operators = {"+", "-", "*", "/", "**", "neg", "rsub", "rdiv", "rpow", "linear", "sum"}
    assert {op for op, _ in SPECS} == operators | {f.op for f in FUNCTION_OPS}


@pytest.mark.parametrize("name", NAMES)
def test_every_layer_has_the_op(name):
    f = BY_NAME[name]
    x = Value(POINT, label="x")
    out = getattr(x, name)()
    assert out._op == f.op and spec_for(out._op, 1, out._ctx) is f.spec
    # parser
    assert name in PARSED
    parsed = parse_evaluate(f"{name}(x)", {"x": x})
    assert parsed._op == f.op and parsed.data == out.data
    # strategies: drawn, and built as Values, floats, sympy and torch
    assert name in OPS
    ex = Expression(("x",), (POINT,), (Step(name, (0,)),))
    assert ex.build().data == out.data == ex.f()
    expr, (sx,) = ex.sympy()
    assert float(expr.subs(sx, POINT)) == pytest.approx(out.data, rel=1e-15)
    t = ex.torch(torch)
    t.backward()
    out.backward()
    assert t.item() == pytest.approx(out.data, rel=1e-15)
    # codegen and compile, bit for bit
    value, (dx,) = run_codegen(autograd.codegen(out))(POINT)
    assert (value, dx) == (out.data, x.grad)
    y = Value(POINT)
    compiled = autograd.compile(lambda v: getattr(v, name)())(y)
    compiled.backward()
    assert (compiled.data, y.grad) == (out.data, x.grad)
    # the explorer's rules
    assert json.dumps(f"{f.op}|{f.spec.form}") in rules_js()
    # create_graph: the second derivative is sympy's
    assert f.op in RULES
    z = Value(POINT)
    (dz,) = gradients(getattr(z, name)(), [z], create_graph=True)
    (d2,) = gradients(dz, [z]) if isinstance(dz, Value) else (0.0,)  # relu's slope: a float
    want = sympy.diff(expr, sx, 2).subs(sx, POINT)
    assert d2 == pytest.approx(float(want), rel=1e-12, abs=1e-15)


def test_every_activation_in_the_table_reaches_nn_and_torch():
    from nn import ACTIVATIONS, MLP, Neuron
    from nn.torch_bridge import TORCH_ACTIVATIONS, from_torch, to_torch

    named = {f.name for f in FUNCTION_OPS if f.torch_module}
    assert named <= set(ACTIVATIONS) and named <= set(TORCH_ACTIVATIONS)
    for name in named:
        model = MLP(2, [3, 1], activation=name, seed=0)
        back = from_torch(to_torch(model))
        x = [0.3, -0.7]
        assert back(x).data == model(x).data
        want = to_torch(model)(torch.tensor(x, dtype=torch.float64)).item()
        assert model(x).data == pytest.approx(want, rel=1e-14)
        assert Neuron.from_weights([1.0], -0.25, activation=name)([1.0]).data == (
            getattr(Value(0.75), name)().data
        )


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_explorer_rules_of_the_new_ops_are_bit_for_bit_python():
    # the page's own F is tested in the browser tests; here the minimal F these rows use
    points = [0.0, -0.0, 1e-300, -1e-300, 1e200, -1e200, 0.5, -0.5, 30.0, -800.0]
    script = (
        rules_js()
        + """
    var F = {exp: Math.exp, log1p: Math.log1p, sigmoid: function (x) {
      if (x >= 0) { return 1 / (1 + Math.exp(-x)); } var e = Math.exp(x); return e / (1 + e); }};
    var R = VG_RULES(F), pts = PTS, out = {};
    for (var op of ["leaky_relu|vc", "softplus|v", "log1p|v"]) {
      out[op] = pts.map(function (a) {
        var o = R[op].f(a, 0, 0.01); return [o, R[op].g[0](a, 0, 0.01, o, 1.5)]; });
    }
    console.log(JSON.stringify(out));
    """.replace("PTS", json.dumps(points))
    )
    sig = rules_js().split("function (", 2)[2].split(")")[0]
    assert sig.replace(" ", "").startswith("a,b,c,out,g")  # the argument order used above
    got = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                    check=True).stdout)  # fmt: skip
    for key, rows in got.items():
        spec = SPECS[tuple(key.split("|"))]
        for a, (js_out, js_g) in zip(points, rows):
            if key == "log1p|v" and a <= -1:  # the page's F.log1p refuses as the engine does
                continue
            out = evaluate(spec.forward, a=a, c=0.01)
            g = evaluate(spec.grads[0], a=a, c=0.01, out=out, g=1.5)
            assert (js_out, js_g) == (out, g) or math.isnan(out), (key, a)


# -- the new ops at edge points, against torch float64 and sympy -----------------------

EDGES = [0.0, -0.0, 1e-300, -1e-300, 1e200, -1e200, math.nan, math.inf, -math.inf,
         1.0, -1.0, 1e-12, -1e-12, 20.0, 20.5, 36.0, 40.0, -40.0, 709.0, 710.0, -745.0,
         -0.5, -0.9999999999999999, -1.0000000000000002]  # fmt: skip
TORCH_FORMS = {
    "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
    "softplus": lambda t: torch.nn.functional.softplus(t, threshold=1000.0),
    "log1p": torch.log1p,
}


def close(x: float, y: float, rel: float = 4e-16) -> bool:
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= rel * max(abs(x), abs(y)) or abs(x - y) < 1e-320


@pytest.mark.parametrize("name", sorted(TORCH_FORMS))
@pytest.mark.parametrize("x", EDGES, ids=repr)
def test_new_ops_match_torch_float64(name, x):
    v = Value(x)
    lower = BY_NAME[name].lower
    if lower is not None and not x > lower and not math.isnan(x):
        with pytest.raises(ValueError, match=f"{name}\\(\\) of"):
            getattr(v, name)()
        return
    out = getattr(v, name)()
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH_FORMS[name](t)
    y.backward()
    if name == "softplus" and x > 700:  # torch's log1p(exp(x)) overflows here; the engine does not
        assert out.data == x and v.grad == 1.0
        return
    assert close(out.data, y.item()), (out.data, y.item())
    assert close(v.grad, t.grad.item(), rel=1e-15), (v.grad, t.grad.item())


@pytest.mark.parametrize("name", sorted(TORCH_FORMS))
@pytest.mark.parametrize("x", [x for x in EDGES if math.isfinite(x) and x != 0.0], ids=repr)
def test_new_ops_match_sympy(name, x):
    f = BY_NAME[name]
    if f.lower is not None and not x > f.lower:
        return
    s = sympy.Symbol("s", real=True)
    expr = f.sympy(sympy, s, x)
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    with mpmath.workdps(400):  # enough digits that 1 + 1e-300 does not round
        at = mpmath.mpf(x)
        value = sympy.lambdify(s, expr, "mpmath")(at)
        slope = sympy.lambdify(s, sympy.diff(expr, s), "mpmath")(at)
    assert close(out.data, float(value), rel=2.3e-16)
    assert close(v.grad, float(slope), rel=4.5e-16)


def test_slopes_at_the_kinks():
    for name, want in (("relu", 0.0), ("abs", 0.0), ("leaky_relu", 0.01)):
        x = Value(0.0)
        getattr(x, name)().backward()
        assert x.grad == want, name  # as PyTorch
    x = Value(-3.0)
    x.leaky_relu(0.2).backward()
    assert x.grad == 0.2
    with pytest.raises(TypeError, match="leaky_relu"):
        Value(1.0).leaky_relu("0.1")


def test_help_documents_the_fields_and_every_op():
    import pydoc

    text = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    for field in ("data:", "grad:", "label:"):
        assert field in text
    for name in [*NAMES, "backward", "detach", "__add__", "__mul__", "__pow__", "__truediv__"]:
        doc = inspect.getdoc(getattr(Value, name)) or ""
        assert len(doc) > 10, name
    for name, kink in (("relu", "0 at the kink"), ("abs", "0 at the kink"), ("leaky_relu", "kink")):
        assert kink in inspect.getdoc(getattr(Value, name))
    for name in ("log", "sqrt", "log1p", "__truediv__", "__pow__"):
        assert "Error" in inspect.getdoc(getattr(Value, name)), name


@pytest.mark.parametrize(
    "module", [torch.nn.LeakyReLU(0.2), torch.nn.Softplus(beta=2.0)], ids=["leaky0.2", "beta2"]
)
def test_from_torch_refuses_an_activation_set_otherwise(module):
    from nn.torch_bridge import from_torch

    seq = torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=torch.float64), module)
    with pytest.raises(ValueError, match="the engine's"):
        from_torch(seq)


@pytest.mark.parametrize(
    "make, a, k, upstream",
    [
        (lambda a, b: a.sqrt(), 0.0, 0, 1.0),  # slope +inf at 0
        (lambda a, b: a**0.5, 0.0, 0, 1.0),
        (lambda a, b: b / a, 1e-200, 1, 1.0),  # d/d divisor = -b / a², a is the 2nd operand
        (lambda a, b: b * a, 1e200, 0, 1e300),  # slope (of b) a, times a huge upstream
        (lambda a, b: a.log(), 1e-200, 0, 1e300),  # slope 1 / a
    ],
)
def test_anomaly_messages_give_the_tables_local_slope(make, a, k, upstream):
    # the message shows the op's math and the slope formula, from the table, for the
    # operand that received the non-finite gradient
    with autograd.detect_anomaly():
        out = make(Value(a), Value(3.0))
        spec = spec_for(out._op, len(out._prev), out._ctx)
        with pytest.raises(autograd.AnomalyError) as info:
            out.backward(upstream)
    assert f"d out/d {'ab'[k]} = {spec.dmath[k]} where out = {spec.math}" in str(info.value)


def test_the_readers_forms_compute_what_the_op_computes():
    # an op's `math` (shown in codegen's comments and the explorer) written in ordinary
    # notation: evaluated by sympy at a few points, it is the op's forward
    from autograd.opspec import FUNCTIONS, SPECS

    a, b, c = sympy.symbols("a b c")
    text = {"−": "-", "×": "*", "σ(a)": "1/(1 + exp(-a))", "√a": "sqrt(a)", "|a|": "Abs(a)"}
    named = {"relu(a)", "leaky_relu(a)", "softplus(a)"}  # the name is the formula
    checked = []
    for spec in SPECS.values():
        if spec.form == "n" or spec.math in named:
            continue
        other = "b" if spec.form == "vv" else "c"  # the second operand's name
        math_text = spec.math
        for k, v in text.items():
            math_text = math_text.replace(k, v)
        expr = sympy.sympify(math_text, locals={"a": a, "b": b, "c": c})
        tree = ast.parse(spec.forward, mode="eval")
        code = builtins.compile(tree, "<op table>", "eval")
        for x, k in ((0.3, 1.7), (2.5, 0.5)):
            want = float(expr.subs({a: x, b: k, c: k}))
            got = eval(code, {"__builtins__": {}, **FUNCTIONS}, {"a": x, other: k})  # noqa: S307 - the table's own text
            assert math.isclose(got, want, rel_tol=1e-12), (spec.op, spec.math, x)
        checked.append((spec.op, spec.form))
    assert {"log1p", "tanh", "sigmoid", "exp", "sqrt", "abs", "**", "rdiv"} <= {
        o for o, _ in checked
    }
    assert {("/", "vv"), ("**", "vv"), ("-", "vv"), ("*", "vv"), ("+", "vv")} <= set(checked)


def test_the_readers_derivatives_are_the_ops_gradients():
    # an op's `dmath` (the local slope shown in codegen's comments and the explorer) in
    # ordinary notation: evaluated at a few points, it is the op's gradient for g = 1
    from autograd.opspec import FUNCTIONS, SPECS

    notation = [("σ(a)", "sigma(a)"), (")(", ")*("), ("2√a", "2*sqrt(a)"), ("−", "-"),
                ("²", "**2"), ("·", "*"), ("^", "**"), ("ln c", "log(c)"),
                ("ln a", "log(a)")]  # fmt: skip
    env = {"__builtins__": {}, **FUNCTIONS, "sigma": FUNCTIONS["sigmoid"]}
    env["sign"] = lambda x: (x > 0) - (x < 0)
    checked = []
    for spec in SPECS.values():
        if spec.form == "n":
            continue
        other = "b" if spec.form == "vv" else "c"
        forward = builtins.compile(ast.parse(spec.forward, mode="eval"), "<forward>", "eval")
        for text, grad_text in zip(spec.dmath, spec.grads):
            for old, new in notation:
                text = text.replace(old, new)
            shown = builtins.compile(ast.parse(text, mode="eval"), "<dmath>", "eval")
            grad = builtins.compile(ast.parse(grad_text, mode="eval"), "<grad>", "eval")
            for x, k in ((0.3, 1.7), (2.5, 0.5), (-0.7, 3.0), (0.0, 1.7)):  # 0.0: kinks
                at = {"a": x, other: k}
                try:
                    out = eval(forward, env, at)  # noqa: S307 - the table's own text
                    want = eval(grad, env, {**at, "out": out, "g": 1.0})  # noqa: S307
                except (ArithmeticError, ValueError):
                    continue  # outside the op's domain
                try:
                    got = eval(shown, env, at)  # noqa: S307
                except ValueError:  # ln a of a <= 0: the engine's slope is NaN (0 at a = 0)
                    assert math.isnan(want) or (x == 0.0 and want == 0.0), (spec.op, text, x)
                    continue
                except ZeroDivisionError:  # 1 / (2√a) at 0: the engine's slope is inf
                    assert math.isinf(want), (spec.op, text, x)
                    continue
                assert math.isclose(got, want, rel_tol=1e-12), (spec.op, text, x)
            checked.append(spec.op)
    assert len(checked) == sum(len(s.dmath) for s in SPECS.values() if s.form != "n")


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_function_ops_float_sympy_and_domain_forms_are_the_engines(name):
    """Function.f (the strategies' float form), the sympy form (left and right of a kink)
    and `lower` (the domain) against the engine's Value method."""
    f = BY_NAME[name]
    s = sympy.Symbol("s", real=True)
    for x in (-2.5, -0.75, -1e-3, 1e-3, 0.6, 1.5, 3.0):
        if f.lower is not None and not x > f.lower:
            continue
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        assert f.f(x) == out.data, (name, x)
        expr = f.sympy(sympy, s, x)
        value, slope = float(expr.subs(s, x)), float(sympy.diff(expr, s).subs(s, x))
        assert math.isclose(value, out.data, rel_tol=1e-12, abs_tol=1e-300), (name, x)
        assert math.isclose(slope, v.grad, rel_tol=1e-12, abs_tol=1e-300), (name, x)
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = f.torch(torch, t)
        y.backward()
        assert math.isclose(y.item(), out.data, rel_tol=1e-13, abs_tol=1e-300), (name, x)
        assert math.isclose(t.grad.item(), v.grad, rel_tol=1e-13, abs_tol=1e-300), (name, x)
    if f.lower is not None:
        with pytest.raises(ValueError, match=f"{name}\\(\\) of"):
            getattr(Value(math.nextafter(f.lower, -math.inf)), name)()
        getattr(Value(math.nextafter(f.lower, math.inf)), name)()
    for k in f.kinks:  # the slope jumps there
        slopes = []
        for x in (math.nextafter(k, -math.inf), math.nextafter(k, math.inf)):
            v = Value(x)
            getattr(v, name)().backward()
            slopes.append(v.grad)
        assert slopes[0] != slopes[1], (name, k, slopes)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_the_tables_evaluator_compares_as_python_does(op):
    from autograd.opspec import evaluate

    for x, y in ((1.0, 2.0), (2.0, 2.0), (3.0, 2.0), (math.nan, 1.0)):
        want = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}
        assert evaluate(f"1.0 if a {op} c else 0.0", a=x, c=y) == float(want[op]), (x, op, y)
