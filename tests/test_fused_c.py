"""The fused linear op's C loops (autograd/_fused.c) against the Python loops they
stand for in autograd/ops.py: the same value and gradients to the bit (NaN as NaN),
at random and edge points, with aliased and repeated inputs; anything they do not
handle falls back before changing a thing. An MLP's gradients with the helpers and
in plain Python (VALUEGRAD_PURE_PYTHON=1, a fresh interpreter) are the same too."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, ops

C = ops._C
needs_c = pytest.mark.skipif(C is None, reason="the C helper is not built (no C compiler)")
EDGES = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 5e-324, 1e200, -1e200, math.inf, -math.inf]
EDGES += [math.nan, 0.1, -2.5, 3.0]
numbers = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=True, allow_infinity=True))


def bits(x: float) -> bytes | str:
    return "nan" if math.isnan(x) else struct.pack("<d", x)


def fresh(ws, xs, b, grads):
    """New Values with the same data and prior grads, aliasing kept (by position)."""
    made: dict[int, Value] = {}

    def copy(v):
        if not isinstance(v, Value):
            return v
        if id(v) not in made:
            made[id(v)] = Value(v.data)
            made[id(v)].grad = grads.get(id(v), 0.0)
        return made[id(v)]

    return tuple(map(copy, ws)), tuple(map(copy, xs)), copy(b) if b is not None else None


@st.composite
def layers(draw, values=True):
    """ws, xs and b with aliasing: a weight also an input, a weight twice, b a weight."""
    n = draw(st.integers(0, 6))
    pool = [Value(draw(numbers)) for _ in range(draw(st.integers(1, 5)))]
    ws = tuple(draw(st.sampled_from(pool)) for _ in range(n))
    pick = st.sampled_from(pool) if values else st.one_of(st.sampled_from(pool), numbers)
    xs = tuple(draw(pick) for _ in range(n))
    b = draw(st.one_of(st.none(), st.sampled_from(pool)))
    grads = {id(v): draw(numbers) for v in pool}
    return ws, xs, b, grads


@needs_c
@pytest.mark.parametrize("values", [True, False])
@given(data=st.data())
def test_the_sums_are_the_python_loops_to_the_bit(values, data):
    ws, xs, b, _ = data.draw(layers(values=values))
    got = (C.values_sum if values else C.weighted_sum)(ws, xs, b)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(ops, "_C", None)
        want = (ops._values_sum if values else ops._weighted_sum)(ws, xs, b)
    assert type(got) is float and bits(got) == bits(want)


@needs_c
@pytest.mark.parametrize("values", [True, False])
@given(data=st.data())
def test_the_backward_loops_add_the_python_loops_gradients_to_the_bit(values, data):
    ws, xs, b, grads = data.draw(layers(values=values))
    g = data.draw(numbers)
    c_in, py_in = fresh(ws, xs, b, grads), fresh(ws, xs, b, grads)
    fn = ops._linear_bw_values if values else ops._linear_bw
    kernel = C.linear_bw_values if values else C.linear_bw
    assert kernel(*c_in, g) is True
    with pytest.MonkeyPatch.context() as m:
        m.setattr(ops, "_C", None)
        fn(Value(0.0, (), "linear", _ctx=py_in), g)
    for c, p in zip([*c_in[0], *c_in[1], c_in[2]], [*py_in[0], *py_in[1], py_in[2]]):
        if isinstance(c, Value):
            assert type(c.grad) is float and bits(c.grad) == bits(p.grad)


@needs_c
def test_a_mixed_layer_uses_x_times_g_for_a_number():
    w, x = Value(2.0), Value(3.0)
    w.grad, x.grad = 0.5, -0.0
    assert C.linear_bw((w, w), (x, 4.0), None, 0.25) is True
    assert (w.grad, x.grad) == (0.5 + 3.0 * 0.25 + 4.0 * 0.25, -0.0 + 2.0 * 0.25)
    assert C.weighted_sum((w, w), (x, 4.0), Value(1.0)) == 1.0 + 6.0 + 8.0
    assert C.values_sum((), (), None) == 0.0 and bits(C.values_sum((), (), None)) == bits(0.0)


class Sub(Value):
    pass


def _int_data():
    v = Value(1.0)
    v.data = 2
    return v


def _value_grad():
    v = Value(1.0)
    v.grad = Value(0.5)
    return v


# which loops take them: values_sum, weighted_sum, linear_bw_values, linear_bw (the sums
# read data; the backward loops data and grads, and only the grad of a bias)
NONE = (False, False, False, False)
UNHANDLED = {
    "int data": (lambda: ((_int_data(),), (Value(1.0),), None), NONE),
    "a subclass": (lambda: ((Sub(1.0),), (Value(1.0),), None), NONE),
    "a list": (lambda: ([Value(1.0)], (Value(1.0),), None), NONE),
    "lengths differ": (lambda: ((Value(1.0), Value(2.0)), (Value(1.0),), None), NONE),
    "a bias that is a number": (lambda: ((Value(1.0),), (Value(1.0),), 1.0), NONE),
    "a weight that is a number": (lambda: ((1.0,), (Value(1.0),), None), NONE),
    "an int input": (lambda: ((Value(1.0),), (1,), None), NONE),
    "a Value as a gradient": (
        lambda: ((Value(1.0),), (_value_grad(),), None),
        (True, True, False, False),
    ),
    "a bias with int data": (
        lambda: ((Value(1.0),), (Value(1.0),), _int_data()),
        (False, False, True, True),
    ),
    "a bias with a Value grad": (
        lambda: ((Value(1.0),), (Value(1.0),), _value_grad()),
        (True, True, False, False),
    ),
    "a float input": (lambda: ((Value(1.0),), (1.0,), None), (False, True, False, True)),
}


@needs_c
@pytest.mark.parametrize("case", sorted(UNHANDLED))
def test_what_a_loop_does_not_handle_falls_back_and_changes_nothing(case):
    make, takes = UNHANDLED[case]
    loops = (C.values_sum, C.weighted_sum, C.linear_bw_values, C.linear_bw)
    for loop, handled, backward in zip(loops, takes, (False, False, True, True)):
        ws, xs, b = make()
        everything = [v for v in (*ws, *xs, b) if isinstance(v, Value)]
        before = [(v.data, v.grad) for v in everything]
        got = loop(ws, xs, b, 0.5) if backward else loop(ws, xs, b)
        assert (got is True if backward else type(got) is float) is handled, loop.__name__
        if not handled:
            assert got is (False if backward else None)
            assert [(v.data, v.grad) for v in everything] == before


@needs_c
def test_a_gradient_that_is_not_a_float_falls_back():
    w, x = Value(1.0), Value(2.0)
    assert C.linear_bw_values((w,), (x,), None, 1) is False
    assert C.linear_bw_values((w,), (x,), None, Value(1.0)) is False
    assert (w.grad, x.grad) == (0.0, 0.0)


@needs_c
def test_the_loops_check_their_arguments_and_configuration():
    with pytest.raises(TypeError, match="3 arguments needed, got 2"):
        C.values_sum((), ())
    with pytest.raises(TypeError, match="4 arguments needed, got 3"):
        C.linear_bw((), (), None)
    with pytest.raises(TypeError, match="a class and 2 slot names"):
        C.configure(1.0, ("data", "grad"))
    with pytest.raises(TypeError, match="a class and 2 slot names"):
        C.configure(Value, ("data",))
    with pytest.raises(TypeError, match="'data' of .* is not a __slots__ entry"):
        C.configure(
            type("NoSlots", (), {"data": property(lambda s: 1.0), "grad": 0.0}), ("data", "grad")
        )
    with pytest.raises(AttributeError):
        C.configure(Value, ("data", "nothing"))
    C.configure(Value, ("data", "grad"))  # as ops.py left it


def test_int_data_runs_the_python_loop_with_pythons_arithmetic():
    w, x = Value(1.0), Value(3.0)
    w.data = 2  # an int set by hand: Python's int * float
    out = ops.linear([w], [x], None)
    out.backward()
    assert out.data == 6.0 and (w.grad, x.grad) == (3.0, 2.0)


ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import json
from nn import MLP, hinge, l2, make_moons
X, y = make_moons(30, noise=0.1, seed=3)
y = [2 * t - 1 for t in y]
for fused in (True, False):
    model = MLP(2, [8, 8, 1], seed=5, fused=fused)
    loss = hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)
    loss.backward()
    print(json.dumps([loss.data.hex()] + [p.grad.hex() for p in model.parameters()]))
"""


@pytest.mark.skipif(bool(os.environ.get("VALUEGRAD_PURE_PYTHON")), reason="already plain Python")
def test_an_mlps_loss_and_gradients_are_the_same_with_and_without_the_helpers():
    def run(pure: bool) -> list[list[str]]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env["VALUEGRAD_PURE_PYTHON"] = "1" if pure else "0"
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines()]

    with_c, plain = run(False), run(True)
    assert with_c == plain
    assert with_c[0] == with_c[1]  # fused and unfused: the same numbers
