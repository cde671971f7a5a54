"""Behaviour of compile and codegen that surviving mutants showed untested
(../shared/findings/mutation-survivors-compile.txt); every number is the engine's."""

from __future__ import annotations

import dataclasses
import math
import time

import pytest

import autograd
from autograd import TracingError, Value, codegen, gradients
from autograd.compiled import CompileWarning
from autograd.ops import linear, total
from autograd.opspec import SPECS


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
    assert info.ops == 3 and info.shape == "1 numbers and 1 Values in 1 lists"
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
