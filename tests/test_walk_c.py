"""engine.topological_order in C (autograd/_walk.c) against the Python walk it stands
for: the same list in the same order (the order decides how gradients are summed, so
their bits), on random programs, fused and hand-made nodes, with and without leaves;
whatever it does not handle falls back to the Python walk, which raises as before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, engine
from autograd.ops import linear, total
from autograd.testing import expressions
from nn import MLP
from tests.test_micrograd_compat import cube

C = engine._walk
needs_c = pytest.mark.skipif(C is None, reason="the C helper is not built (no C compiler)")


def python_walk(root, leaves):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(engine, "_walk", None)
        return engine.topological_order(root, leaves)


def same_walks(root) -> None:
    for leaves in (True, False):
        got = C.order(root, leaves)
        want = python_walk(root, leaves)
        assert got is not None and len(got) == len(want)
        assert all(a is b for a, b in zip(got, want)), leaves
        assert engine.topological_order(root, leaves) == got


@needs_c
@settings(max_examples=150)
@given(expressions(max_depth=8))
def test_the_order_of_random_programs_is_the_python_walks(ex):
    same_walks(ex.build())


@needs_c
@given(st.integers(1, 4), st.integers(1, 5), st.booleans(), st.integers(0, 3))
def test_the_order_of_fused_graphs_is_the_python_walks(nin, width, fused, seed):
    model = MLP(nin, [width, width, 1], seed=seed, fused=fused)
    xs = [[0.1 * (i + j) - 0.3 for j in range(nin)] for i in range(3)]
    loss = total([model(x) for x in xs]) + linear(model.parameters(), model.parameters())
    same_walks(loss)


@needs_c
def test_hand_made_shared_and_deep_graphs_walk_as_in_python():
    x, y = Value(2.0), Value(-1.0)
    shared = x * y
    diamond = (shared + shared.tanh()) * shared
    same_walks(diamond)
    same_walks(cube(x) + x)  # micrograd's way: Value(data, (x,), "cube"), a closure
    odd = Value(1.0, {x, y, shared}, "set")  # parents given as a set, as micrograd does
    same_walks(odd * x)
    lonely = Value(3.0, (), "op")  # a node with no parents: a leaf
    lonely._backward = lambda: None
    same_walks(lonely + x)
    same_walks(x)  # a leaf alone
    deep = x
    for _ in range(100_000):  # no recursion in either walk
        deep = deep * 1.0 + 0.0
    same_walks(deep)


class Sub(Value):
    pass


@needs_c
def test_what_it_does_not_handle_falls_back_to_the_python_walk():
    x = Value(1.0)
    assert C.order(Sub(1.0), True) is None  # a subclass may hash and compare its own way
    sub = Sub(2.0)
    out = x * sub
    assert C.order(out, True) is None and C.order(out, False) is None
    assert engine.topological_order(out) == python_walk(out, True)
    assert C.order(1.0, True) is None
    bad = Value(1.0, (x,), "bad")
    bad._prev = (x, "not a Value", x)
    assert C.order(bad, True) is None
    with pytest.raises(AttributeError):
        engine.topological_order(bad)  # the Python walk's error, as before
    with pytest.raises(TypeError, match="2 arguments"):
        C.order(x)


@needs_c
def test_backward_through_the_c_walk_gives_the_python_walks_gradients():
    def grads(walk_in_c: bool):
        with pytest.MonkeyPatch.context() as m:
            if not walk_in_c:
                m.setattr(engine, "_walk", None)
            model = MLP(3, [4, 4, 1], seed=2)
            xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
            loss = total([model(x) ** 2 for x in xs])
            loss.backward()
            return [p.grad.hex() for p in model.parameters()]

    assert grads(True) == grads(False)
