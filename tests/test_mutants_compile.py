"""Behaviour of compile and codegen that surviving mutants showed untested
(../shared/findings/mutation-survivors-compile.txt); every number is the engine's."""

from __future__ import annotations

import dataclasses
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import TracingError, Value, codegen, gradients
from autograd.compiled import CompileWarning
from autograd.ops import linear, total
from autograd.opspec import BY_NAME, SPECS
from autograd.testing import expressions
from tests.test_codegen import same
from tests.test_micrograd_compat import cube


def run(text: str):
    namespace: dict = {}
    exec(text, namespace)  # our generated code, as printed
    return namespace["forward_backward"]


def engine_and_compiled(fn, point):
    """(value, grads) of fn at point: the engine's, then the compiled function's (2nd call)."""
    results = []
    for f in (fn, autograd.compile(fn)):
        if f is not fn:
            f(*[Value(x + 1.0) for x in point])  # trace at another point first
        xs = [Value(x) for x in point]
        out = f(*xs)
        out.backward()
        results.append((out.data, [x.grad for x in xs]))
    return results


@pytest.mark.parametrize(
    "fn,point",
    [
        (lambda x: x * math.inf, [2.0]),  # an infinite constant, each sign
        (lambda x: x * -math.inf + 1.0, [2.0]),
        (lambda w: linear([w], [3.0]), [2.0]),  # a fold of exactly two terms
        (lambda w, x: linear([w], [x]), [2.0, 3.0]),
        (lambda w, x, b: linear([w], [x], b), [2.0, 3.0, 0.5]),
        (lambda a: total([a], 1.0), [5.0]),
        (lambda a, s: total([a], s), [5.0, -1.0]),
    ],
)
def test_compiled_matches_the_engine(fn, point):
    want, got = engine_and_compiled(fn, point)
    assert got == want


def test_codegen_writes_infinite_constants_with_their_sign():
    x = Value(2.0, label="x")
    out = x * Value(math.inf) + x * Value(-math.inf) * 0.0 * x + (x * Value(-math.inf)).relu()
    value, (gx,) = run(codegen(out, [x]))(2.0)
    out.backward()
    assert (value, gx) == (out.data, x.grad) or (math.isnan(value) and math.isnan(out.data))
    pos = x * Value(math.inf)
    assert run(codegen(pos, [x]))(2.0)[0] == math.inf
    assert run(codegen(x * Value(-math.inf), [x]))(2.0)[0] == -math.inf


def test_the_output_is_an_argument():
    f = autograd.compile(lambda x: x)
    x = Value(2.0)
    x.grad = 5.0
    (f(x) * 3.0).backward()
    assert x.grad == 8.0
    assert f.value_and_grad(3.0) == (3.0, [1.0])
    value, (g,) = run(codegen(Value(2.0)))(4.0)  # a bare leaf
    assert (value, g) == (4.0, 1.0)


def test_codegen_refuses_what_is_not_a_graph_or_not_a_leaf():
    x = Value(2.0)
    h = x * x
    with pytest.raises(TypeError, match="an input must be a leaf"):
        codegen(h * 3.0, [h])
    with pytest.raises(TypeError, match="needs a Value"):
        codegen(2.0)  # type: ignore[arg-type]


def test_default_inputs_are_each_leaf_once_and_shared_graphs_once():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    out = x * y + x
    value, grads = run(codegen(out))(2.0, 3.0)
    out.backward()
    assert (value, list(grads)) == (out.data, [x.grad, y.grad])
    z = Value(0.5, label="z")
    d = z
    for _ in range(12):  # a diamond each step: y*y + y
        d = d * d + d
    text = codegen(d)
    body = text.split("# forward pass")[1].split("# backward pass")[0]
    assert body.count(" = ") == 24  # one line per op, not one per path


def test_a_long_label_is_shortened_in_a_comment():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.label = "a*b+c-d/e " * 6  # long, with operator signs: shown in a comment
    text = codegen(y)
    assert f"label {ascii(y.label)[:39]}..." in text  # 42 characters shown
    assert run(text)(2.0) == (6.0, (3.0,))


def test_gradients_inside_a_compiled_function_are_refused():
    f = autograd.compile(lambda x: gradients(x * x * x, [x])[0] * x)
    with pytest.raises(TracingError):
        f(Value(2.0))


def test_a_compiled_function_says_what_it_wraps_and_what_a_trace_cost():
    def fn(x, y):
        return (x * y).tanh() + x

    f = autograd.compile(fn)
    assert f.__wrapped__ is fn
    t0 = time.process_time()
    f(Value(1.0), 2.0)
    spent = time.process_time() - t0
    (info,) = f.traces
    assert info.ops == 3 and info.shape == "1 numbers and 1 Values in 0 lists"
    assert 0.0 <= info.emit_seconds <= spent and 0.0 <= info.compile_seconds <= spent


def test_value_and_grad_of_a_function_on_the_engine():
    def cube(x: Value) -> Value:  # a micrograd-style custom op: compile runs the engine
        out = Value(x.data**3, (x,), "cube")

        def _backward():
            x.grad += 3 * x.data**2 * out.grad

        out._backward = _backward
        return out

    f = autograd.compile(lambda x, y: cube(x) * y)
    with pytest.warns(CompileWarning):
        value, grads = f.value_and_grad(2.0, Value(3.0))
    xs = [Value(2.0), Value(3.0)]
    assert (value, grads) == ((cube(xs[0]) * xs[1]).data, gradients(cube(xs[0]) * xs[1], xs))


def test_op_specs_are_frozen_and_hashable():
    spec = next(iter(SPECS.values())) if isinstance(SPECS, dict) else SPECS[0]
    assert hash(spec) == hash(dataclasses.replace(spec))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.forward = "a"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):  # nor a function op's row
        BY_NAME["log"].lower = -1.0  # type: ignore[misc]


def test_trace_costs_are_split_between_writing_and_compiling(monkeypatch):
    import itertools

    import autograd.compiled as compiled_mod

    ticks = itertools.count()
    monkeypatch.setattr(compiled_mod.time, "process_time", lambda: float(next(ticks)))
    f = autograd.compile(lambda x: x * x)
    f(Value(1.0))
    (info,) = f.traces  # clock reads 0 (start), 1 (traced), 2 (written), 3 (compiled)
    assert (info.emit_seconds, info.compile_seconds) == (2.0, 1.0)


def test_a_function_on_the_engine_is_traced_once():
    calls = []

    def fn(x):
        calls.append(1)
        out = Value(x.data * 2.0, (x,), "twice")  # no table entry: runs on the engine
        out._backward = lambda: None
        return out

    f = autograd.compile(fn)
    with pytest.warns(CompileWarning):
        f(Value(1.0))
    f(Value(2.0))
    assert len(calls) == 3  # one trace, then the engine on each call


def test_a_label_of_42_characters_as_written_is_shown_whole():
    # an op's label that is not a name is shown in a comment; ascii() adds two quotes
    def labelled(label: str) -> str:
        out = Value(2.0) * 3.0
        out.label = label
        return codegen(out)

    assert repr("!" + "a" * 39) in labelled("!" + "a" * 39)  # 42 characters as written: whole
    text = labelled("!" + "b" * 40)  # 43: cut, with "..."
    assert repr("!" + "b" * 40) not in text and "'!" + "b" * 37 + "..." in text


def test_a_compiled_function_that_returns_an_old_value_or_an_argument():
    import warnings

    p = Value(2.0)
    hidden = p * 3.0  # made before the call: an input of the compiled code, as of the engine
    f = autograd.compile(lambda x: hidden)
    g = autograd.compile(lambda x, y: y)  # the output is an argument (a leaf)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # both compile: no engine fallback
        assert f(Value(1.0)).data == 6.0
        p.data = 5.0
        assert f(Value(1.0)).data == 6.0  # hidden's data, as the engine would return it
        out = f(Value(1.0))
        out.backward()
        assert hidden.grad == 1.0 and p.grad == 3.0
        y = Value(4.0)
        r = g(Value(1.0), y)
        r.backward()
        assert r.data == 4.0 and y.grad == 1.0


def test_backward_inside_a_compiled_function_is_refused():
    def loss(x):
        (x * 2.0).backward()  # a derivative taken while tracing: its numbers would be frozen
        return x * 3.0

    with pytest.raises(TracingError, match="backward"):
        autograd.compile(loss)(Value(1.0))


# -- compiled.py: the code cache, chunking, the trace's record (full mutation run, 2026-12-04)


def test_the_code_cache_reuses_code_and_drops_the_least_recently_used(monkeypatch):
    from collections import OrderedDict

    from autograd import compiled

    monkeypatch.setattr(compiled, "_CODE", OrderedDict())
    monkeypatch.setattr(compiled, "_CODE_MAX", 2)

    def code(k: int):
        source = f"def chunk(S):\n    S[0] = S[0] + {k}.0\n"
        return compiled._function(source, f"chunk {k}").__code__

    one, two = code(1), code(2)
    assert code(1) is one  # the same source: the same code, not compiled again
    three = code(3)  # the cache is full: the least recently used (2) goes
    assert list(compiled._CODE.values()) == [one, three]
    assert code(1) is one and code(3) is three and code(2) is not two
    S = [1.0]
    compiled._function("def chunk(S):\n    S[0] = S[0] + 1.0\n", "again")(S)
    assert S == [2.0]


def test_chunks_are_runs_of_chunk_cost_reads(monkeypatch):
    from types import SimpleNamespace

    from autograd import compiled

    monkeypatch.setattr(compiled, "CHUNK_COST", 10)
    reads = [2, 2, 2, 2, 0, 5, 1, 2, 7, 3, 0, 0]  # a line costs its reads + 1
    lines = [SimpleNamespace(reads=tuple(range(n))) for n in reads]
    groups = compiled._groups(lines)
    assert [x for g in groups for x in g] == lines

    def cost(g):
        return sum(len(x.reads) + 1 for x in g)

    for g in groups[:-1]:  # each ends at the line where the run reaches CHUNK_COST
        assert cost(g) >= 10 > cost(g[:-1])
    assert cost(groups[-1]) < 10
    assert len(groups) == 4


def test_a_fallback_runs_the_engine_on_every_call_and_warns_once_at_the_callers_line():
    cf = autograd.compile(lambda x: cube(x) * 2.0)  # a micrograd-style op: no table entry
    with pytest.warns(CompileWarning) as caught:
        for x0 in (1.5, 2.0, -3.0):
            x = Value(x0)
            out = cf(x)
            out.backward()
            assert (out.data, x.grad) == (x0**3 * 2.0, 3 * x0**2 * 2.0)
    assert len(caught) == 1
    assert caught[0].filename == __file__


def test_value_and_grad_of_nested_arguments_is_the_engines():
    cf = autograd.compile(lambda xs, y: xs[0] * xs[1] * y + xs[1])
    value, (dxs, dy) = cf.value_and_grad([1.5, 2.0], 3.0)
    xs, y = [Value(1.5), Value(2.0)], Value(3.0)
    out = xs[0] * xs[1] * y + xs[1]
    assert (value, dxs, dy) == (out.data, gradients(out, xs), gradients(out, [y])[0])


def test_a_value_also_reached_then_another_value_reads_each_afresh():
    """Traced first with the Value the function also reaches; then called with another."""
    p = Value(2.0)
    cf = autograd.compile(lambda x: x * p + x)
    cf(p).backward()  # d/dp (p*p + p) = 2p + 1
    assert p.grad == 5.0
    x = Value(3.0)
    out = cf(x)
    out.backward()
    assert (out.data, x.grad, p.grad) == (9.0, 3.0, 5.0 + 3.0)


def test_a_value_passed_twice_after_two_different_ones():
    cf = autograd.compile(lambda a, b: a * b + a)
    cf(Value(2.0), Value(3.0)).backward()
    w = Value(3.0)
    out = cf(w, w)
    out.backward()
    assert (out.data, w.grad) == (12.0, 7.0)  # d/dw (w*w + w) = 2w + 1


def test_the_trace_record_and_the_debug_log(caplog):
    cf = autograd.compile(lambda x, y: (x[0] * x[1] if isinstance(x, list) else x * y).tanh() + y)
    with caplog.at_level("DEBUG", logger="valuegrad.compile"):
        cf(Value(0.5), Value(2.0))
        cf.value_and_grad(0.5, 2.0)
        w = Value(1.0)
        cf(w, w)
        cf([Value(1.0), 2.0], w)
    plain, vg, twice, nested = cf.traces
    assert plain.shape == "0 numbers and 2 Values in 0 lists"
    assert vg.shape == "2 numbers and 0 Values in 0 lists, value_and_grad"
    assert twice.shape == "0 numbers and 2 Values in 0 lists, a Value passed more than once"
    assert nested.shape == "1 numbers and 2 Values in 1 lists"
    assert plain.ops == 3 and plain.lines >= 2 * plain.ops and plain.chunks == 2
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "3 ops," in text and "lines in 2 chunks" in text


def test_create_graph_through_vmap_is_refused():
    w = Value(0.5)
    loss = autograd.vmap(lambda x: (w * x).tanh())([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="create_graph through a compiled"):
        gradients(loss, [w], create_graph=True)


# -- emit.py: literals, the table's templates, names


@pytest.mark.parametrize(
    "c,text",
    [
        (1.5, "1.5"),
        (-2.0, "(-2.0)"),
        (-0.0, "(-0.0)"),
        (1e-300, "1e-300"),
        (math.inf, "inf"),
        (-math.inf, "(-inf)"),
        (math.nan, "nan"),
        (True, "1"),
        (False, "0"),
        (3, "3"),
        (-3, "(-3)"),
        (2**63 - 1, "9223372036854775807"),
        (-(2**63) + 1, "(-9223372036854775807)"),
    ],
)
def test_a_constant_is_written_as_python_reads_it_back(c, text):
    from autograd.emit import literal

    assert literal(c) == text
    assert eval(text, {"inf": math.inf, "nan": math.nan}) == c or math.isnan(c)  # our text


def test_a_numpy_constant_is_written_as_the_float_it_is():
    np = pytest.importorskip("numpy")
    from autograd.emit import literal

    assert [literal(np.float64(x)) for x in (-0.5, math.inf, -math.inf)] == [
        "(-0.5)",
        "inf",
        "(-inf)",
    ]


@pytest.mark.parametrize("c", [2**63, -(2**63), 10**30])
def test_a_constant_without_a_float_literal_is_refused(c):
    from fractions import Fraction

    from autograd.emit import NotCompilableError, literal

    for bad in (c, Fraction(1, 3), "1.0"):
        with pytest.raises(NotCompilableError, match="has no literal form"):
            literal(bad)


def test_a_table_formula_may_only_call_the_tables_functions():
    from autograd.emit import _template

    fmt, used = _template("sin(a) * g")
    assert fmt == "sin({a}) * {g}" and sorted(used) == ["a", "g"]
    with pytest.raises(ValueError, match="'open' in 'open\\(a\\)' is not in FUNCTIONS"):
        _template("open(a)")


@pytest.mark.parametrize("bad", ["acc - a", "acc + (a - b)", "acc * a", "2 + a", "acc + a[0]"])
def test_a_variadic_template_must_read_acc_plus_a_term(bad):
    from autograd.emit import _fold

    assert _fold("acc + a * w") == ("acc", "a * w")
    with pytest.raises(ValueError, match="is not of the form `acc \\+ term`"):
        _fold(bad)


def test_unlabelled_values_are_numbered_per_op_and_labels_cut_to_32_characters():
    x, y = Value(2.0), Value(3.0)
    text = codegen(((x * y) + x) * y, [x, y])
    assert "    mul1 = x1 * x2\n    add1 = mul1 + x1\n    mul2 = add1 * x2\n" in text
    from autograd.emit import sanitize

    long = "a very long label with forty-one characters in it"
    assert sanitize(long) == "a_very_long_label_with_fortyone"  # 32 characters, then no "_"
    assert sanitize("x" * 40) == "x" * 32


@pytest.mark.parametrize(
    "expr,passes",
    [
        ("g", True),
        ("g if a > 0 else 0.0", True),
        ("g if a > 0 else 0", True),
        ("0.5 if a > 0 else g", True),
        ("g if a > 0 else -0.0", False),  # -0.0 + ... is not 0.0 + ...
        ("g if a > 0 else (-0.0)", False),
        ("g if a > 0 else 'g'", False),
        ("g * a", False),
        ("-g", False),
        ("a", False),
        ("a if a > 0 else g", False),
    ],
)
def test_which_gradient_terms_pass_g_on(expr, passes):
    """A run may start without `0.0 +` only from a term that is never -0.0 when g is not."""
    from autograd.emit import _passes_on

    assert _passes_on(expr) is passes


@pytest.mark.parametrize(
    "expr,atomic",
    [("a * b", True), ("a / b", True), ("a + b", False), ("a - b", False), ("-a", True),
     ("sin(a)", True), ("a", True), ("2.0", True), ("g if a > 0 else 0.0", False)],
)  # fmt: skip
def test_which_terms_need_parentheses_in_a_sum(expr, atomic):
    from autograd.emit import _atomic

    assert _atomic(expr) is atomic


def test_codegen_comments_say_what_the_code_does_not():
    x, y = Value(2.0), Value(3.0)
    c = Value(3.0, label="c")
    sq = x**2.0
    sq.label = "x squared!"
    text = codegen((x - y) * sq + c * x, [x, y])
    assert "    sub1 = x1 - x2\n" in text  # the code says it: no comment
    lines = [line.split("  # ") for line in text.splitlines()]
    assert [
        "    x_squared = pow_data(x1, 2.0)".ljust(50),
        "**: x1 ** 2.0  label 'x squared!'",
    ] in lines
    assert "    c = 3.0  " in text and "# constant 'c'\n" in text
    assert "# -: ∂sub1/∂x2 = −1\n" in text
    unused = codegen(x * x, [x, y])
    assert "    grad_x2 = 0.0" in unused and "# not used by the output\n" in unused
    summed = codegen(total([x, y, x * y]), [x, y])
    assert "# sum: ∂total1/∂x1 = 1\n" in summed and "# sum: Σ aᵢ\n" in summed


def test_codegen_comments_line_up_at_most_48_columns_in():
    x = Value(2.0, label="a very long label with forty-one characters in it")
    text = codegen(x * x, [x])
    assert "\n    " + "grad_mul1 = 1.0".ljust(48) + "  # ∂mul1/∂mul1 = 1\n" in text


def test_a_long_sum_is_cut_into_lines_with_its_comment_on_the_first():
    xs = [Value(float(i)) for i in range(70)]
    text = codegen(total(xs), xs)
    first = next(line for line in text.splitlines() if line.lstrip().startswith("total1 ="))
    assert first.endswith("# sum: Σ aᵢ") and first.count("+") == 63  # 64 terms, 0.0 the first
    namespace: dict = {}
    exec(text, namespace)  # our generated code
    assert namespace["forward_backward"](*[float(i) for i in range(70)])[0] == sum(range(70))


def test_straight_line_is_readable_by_default():
    from autograd.emit import straight_line

    x, y = Value(2.0), Value(3.0)
    sl = straight_line(x * y + x)
    assert sl.names[sl.root] == "add1" and "grad_x1" in sl.names


def test_a_sum_node_without_its_terms_is_refused():
    from autograd.emit import NotCompilableError

    x, y = Value(2.0), Value(3.0)
    v = total([x, y])
    v._ctx = None
    with pytest.raises(NotCompilableError, match="kept no record of its terms"):
        codegen(v, [x, y])


# -- emit.py's runs of gradient terms: cut at every term, and the sign of a zero gradient


def _engine_and_compiled_grads(ex, point, scale, prior):
    """(value, leaf gradients) of ex.build(...) * scale after backward, each leaf's .grad
    first set to `prior`: the engine's, then the compiled function's (its second call)."""
    results = []
    cf = autograd.compile(ex.build)
    try:
        cf(*[Value(x) for x in point])  # the trace
    except (ArithmeticError, ValueError):
        return None
    for f in (ex.build, cf):
        xs = [Value(x) for x in point]
        for x in xs:
            x.grad = prior
        try:
            out = f(*xs) * scale
        except (ArithmeticError, ValueError):
            return None
        out.backward()
        results.append((out.data, [x.grad for x in xs]))
    return results


@settings(max_examples=150, deadline=None)
@given(
    expressions(max_depth=7),
    st.lists(st.sampled_from([0.0, -0.0, 1.0, -2.0]), min_size=3, max_size=3),
    st.sampled_from([1.0, -0.0, 0.0, -1.5]),
    st.sampled_from([0.0, -0.0]),
)
def test_runs_cut_at_every_term_keep_the_engines_floats_and_signs_of_zero(ex, zs, scale, prior):
    """Every run cut after each term (MAX_TERMS 1, FOLD_TERMS 0), at points with zeros,
    a -0.0 or 0.0 seed and prior gradient: the compiled gradients are the engine's, bit for
    bit, sign of zero included."""
    from autograd import emit

    point = [z if i % 2 else x for i, (x, z) in enumerate(zip(ex.point, zs))]
    old = emit.MAX_TERMS, emit.FOLD_TERMS
    emit.MAX_TERMS, emit.FOLD_TERMS = 1, 0
    try:
        got = _engine_and_compiled_grads(ex, point, scale, prior)
    finally:
        emit.MAX_TERMS, emit.FOLD_TERMS = old
    if got is not None:
        (v1, g1), (v2, g2) = got
        assert same(v1, v2) and all(map(same, g1, g2)), (g1, g2)
    got = _engine_and_compiled_grads(ex, point, scale, prior)  # the default runs
    if got is not None:
        (v1, g1), (v2, g2) = got
        assert same(v1, v2) and all(map(same, g1, g2)), (g1, g2)


def test_a_gradient_of_thousands_of_terms_compiles_as_the_engine_sums_it():
    cs = [math.sin(i) for i in range(6000)]
    fn = lambda x: total([x * c for c in cs])  # noqa: E731
    (v1, g1), (v2, g2) = engine_and_compiled(fn, [0.7])
    assert v1 == v2 and g1 == g2


def test_the_filled_template_cache_is_bounded(monkeypatch):
    from autograd import emit

    monkeypatch.setattr(emit, "_FILLED", {})
    monkeypatch.setattr(emit, "_FILLED_MAX", 3)
    for k in range(10):
        reads: list[int] = []
        assert emit._fill("a * c", {"a": 7}, reads, ("c", f"{k}.0")) == f"{{0}} * {k}.0"
        assert reads == [7]
        assert len(emit._FILLED) <= 4
    assert len(emit._FILLED) == 2  # cleared at the 5th, then 6th to 10th: cleared again at 9th


def test_a_closure_over_a_value_made_before_is_compiled_not_run_by_the_engine():
    import warnings

    p = Value(2.0)
    hidden = p * 3.0
    cm = autograd.compile(lambda x: (x * hidden).tanh())
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        for x0 in (0.1, 0.2):
            x = Value(x0)
            out = cm(x)
            out.backward()
            want = math.tanh(x0 * 6.0)
            assert out.data == want and x.grad == (1 - want**2) * 6.0
    assert len(cm.traces) == 1 and hidden.grad != 0.0


@pytest.mark.parametrize("x0", [-1.0, -1.5, -math.inf])
def test_compiled_log1p_outside_its_domain_raises_the_engines_error(x0):
    cf = autograd.compile(lambda x: x.log1p() * 2.0)
    cf(Value(0.5))
    with pytest.raises(ValueError) as theirs:
        Value(x0).log1p()
    with pytest.raises(ValueError) as ours:
        cf(Value(x0))
    assert str(ours.value) == str(theirs.value)


def test_values_crossing_chunks_are_stored_a_run_of_consecutive_slots_at_a_time():
    from autograd.compiled import _stores

    names = ["a", "b", "c", "d", "e", "f"]
    slot = [27, 10, 11, 20, 12, 40]  # (j + i for j - i would join 20 and 27)
    got = _stores([0, 1, 2, 3, 4, 5], slot, names)
    assert sorted(got) == sorted(["S[10:13] = b, c, e", "S[20] = d", "S[27] = a", "S[40] = f"])
    S = list(range(50))
    for statement in got:  # each keeps S's length and puts each value at its slot
        target, values = statement.split(" = ")
        lo, _, hi = target[2:-1].partition(":")
        parts = values.split(", ")
        S[int(lo) : int(hi or int(lo) + 1)] = [names.index(v) * 100 for v in parts]
    assert len(S) == 50 and [S[s] for s in slot] == [0, 100, 200, 300, 400, 500]


def test_a_compiled_function_keeps_its_docstring_and_says_what_it_is():
    def loss(x):
        """The loss."""
        return x * x

    cf = autograd.compile(loss)
    assert cf.__doc__ == "The loss." and repr(cf) == "<compiled loss: 0 traced shape(s)>"
    cf(Value(1.0))
    assert repr(cf) == "<compiled loss: 1 traced shape(s)>"


def test_a_trace_inside_no_grad_leaves_no_grad_on():
    cf = autograd.compile(lambda x: x * 2.0)
    x = Value(3.0)
    with autograd.no_grad():
        cf(x)  # the first call traces (recording), then restores the mode
        y = x * 2.0
    assert y._prev == () and (x * 2.0)._prev == (x,)


def test_a_value_passed_twice_traces_once_for_any_values():
    cf = autograd.compile(lambda a, b: a * b)
    for x0 in (2.0, 3.0, 4.0):
        w = Value(x0)
        cf(w, w).backward()
        assert w.grad == 2 * x0
    assert len(cf.traces) == 1


def test_a_fallback_warns_once_for_all_the_shapes_it_traces():
    cf = autograd.compile(lambda *xs: cube(xs[0]) * len(xs))
    with pytest.warns(CompileWarning) as caught:
        for n in (1, 2, 3):
            out = cf(*[Value(2.0)] * n)
            assert out.data == 8.0 * n
    assert len(cf._programs) == 3 and len(caught) == 1


def test_an_argument_also_reached_runs_compiled_code():
    p = Value(2.0)
    cf = autograd.compile(lambda x: x * p + x)
    out = cf(p)
    assert out._op == "compiled" and out.data == 6.0
    out = cf(p)  # the program for this sharing, from the cache
    assert out._op == "compiled" and out.data == 6.0


@pytest.mark.parametrize("fold", [0, 1, 5000])
def test_a_node_whose_gradient_run_is_cut_after_a_passed_on_term(monkeypatch, fold):
    """p's gradient is g (from p + 1) + g (from the sum): a cut after its first, passed-on
    term must still leave p its own partial sum (FOLD_TERMS 0 and 1 cut there)."""
    from autograd import emit

    monkeypatch.setattr(emit, "FOLD_TERMS", fold)

    def fn(x):
        p = x * 3.0
        return ((p + 1.0) + p) * 2.0  # * 2.0: the sum's gradient is not the seed

    (v1, g1), (v2, g2) = engine_and_compiled(fn, [0.5])
    assert v1 == v2 and g1 == g2 == [12.0]


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: ((x * 3.0) * -2.0) * 1.0 + 1.0,  # x*3's first term -2.0 * 0.0 is -0.0
        lambda x: ((x * 3.0) * -2.0).relu() + 1.0,
    ],
)
@pytest.mark.parametrize("seed", [-0.0, 0.0])
def test_a_node_gradient_is_never_minus_zero_as_in_the_engine(fn, seed):
    """The engine sums a node's gradient from 0.0, so 0.0 + (-0.0) is 0.0. Seen at a leaf
    whose prior .grad is -0.0: -0.0 + 3 * (-0.0) is -0.0, -0.0 + 3 * 0.0 is 0.0."""
    grads = []
    for f in (fn, autograd.compile(fn)):
        f(Value(0.5))
        x = Value(0.5)
        x.grad = -0.0
        (f(x) * seed).backward()
        grads.append(math.copysign(1.0, x.grad))
    assert grads[0] == grads[1] == 1.0


def test_a_comment_is_compared_with_its_code_by_their_ascii_signs_names_and_digits():
    from autograd.emit import _plain

    assert _plain("a × b − c, 2.0 ** σ") == "a*b-c20**"
