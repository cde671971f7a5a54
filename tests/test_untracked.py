"""Nodes the cyclic garbage collector does not track (autograd/_untracked.c) must
still be freed, whatever a user attaches to them: every way a node can end up on
a reference cycle is built here, dropped, and the node must be gone after one
collection. The same tests run in a fresh interpreter on the plain-Python
fallback (VALUEGRAD_PURE_PYTHON=1), whose nodes are all tracked."""

from __future__ import annotations

import copy
import gc
import os
import pickle
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

import autograd
from autograd import Value, untracked
from autograd.engine import _make, _mul, _new_node
from tests.test_micrograd_compat import cube

C = untracked.EXTENSION
needs_c = pytest.mark.skipif(not C, reason="the C helper is not built (no C compiler)")


def gone_after_collect(make_cycle) -> bool:
    """Whether what `make_cycle()` returns a weak reference to is freed by one collection
    once the call's own references are gone."""
    ref = make_cycle()
    gc.collect()
    return ref() is None


def test_the_c_helpers_are_built_where_a_compiler_is():
    from autograd import engine, native, ops

    if os.environ.get("CI") and not native.PURE:
        assert native.built(), "CI installs gcc (.ci/run): pip should have compiled autograd/_*.c"
    assert C is (untracked._C is not None)
    in_use = [untracked._C, engine._walk, ops._C]
    assert [m is not None for m in in_use] == [native.load(n) is not None for n in native.HELPERS]
    assert native.built() is all(m is not None for m in in_use)
    assert native.load("_no_such_helper") is None


# -- every cycle a node can be on is collected ------------------------------------


def _op_node_with_attribute_cycle():
    x = Value(2.0)
    y = x * 3.0
    holder = {"y": y}
    y.owner = holder  # y -> its __dict__ -> holder -> y
    return weakref.ref(y)


def _op_node_with_self_attribute():
    y = Value(2.0).tanh()
    y.me = y
    return weakref.ref(y)


def _op_node_with_new_dict():
    y = Value(2.0) + 1.0
    y.__dict__ = {"me": y}
    return weakref.ref(y)


def _op_node_in_a_list_of_its_own():
    y = Value(2.0).exp()
    y.me = [y]
    return weakref.ref(y)


def _leaf_with_attribute_cycle():
    x = Value(2.0, label="x")
    x.me = x
    return weakref.ref(x)


def _micrograd_custom_op():
    x = Value(2.0)
    out = cube(x)  # micrograd's way: out._backward = a closure over out
    out.backward()
    assert x.grad == 12.0
    return weakref.ref(out)


def _micrograd_custom_op_unused():
    x = Value(2.0)
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    return weakref.ref(out)


def _closure_set_on_an_op_node():
    x = Value(2.0)
    out = x * 1.0  # made by an op, then given a micrograd-style closure over itself

    def _backward():
        x.grad += out.grad

    out._backward = _backward
    return weakref.ref(out)


def _bw_closure_over_out():
    x = Value(2.0)
    out = x * 1.0
    out._bw = lambda g: setattr(x, "grad", x.grad + g * out.data)
    return weakref.ref(out)


def _parents_by_hand():
    y = Value(2.0) * 2.0
    y._prev = (y,)
    return weakref.ref(y)


def _create_graph_gradient():
    x = Value(0.7)
    y = (x * x).tanh() * x
    y.backward(create_graph=True)  # x.grad's graph refers back to x
    assert isinstance(x.grad, Value)
    return weakref.ref(x)


def _create_graph_gradient_node():
    x = Value(0.7)
    y = (x * x).tanh()
    y.backward(create_graph=True)
    return weakref.ref(x.grad)


def _second_order_twice():
    x = Value(1.3)
    y = x.sin() * x.exp()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward(create_graph=True)  # x.grad now a graph through g's graph, back to x
    return weakref.ref(x)


def _compiled_result():
    x = Value(0.5)
    f = autograd.compile(lambda a: (a * a).tanh() + a)
    y = f(x)
    y.me = y
    y.backward()
    return weakref.ref(y)


def _vmap_result():
    w = Value(0.5)
    f = autograd.vmap(lambda a: (a * w).tanh())
    y = f([1.0, 2.0, 3.0])
    y.me = y
    return weakref.ref(y)


CYCLES = {
    f.__name__.strip("_"): f
    for f in (
        _op_node_with_attribute_cycle,
        _op_node_with_self_attribute,
        _op_node_with_new_dict,
        _op_node_in_a_list_of_its_own,
        _leaf_with_attribute_cycle,
        _micrograd_custom_op,
        _micrograd_custom_op_unused,
        _closure_set_on_an_op_node,
        _bw_closure_over_out,
        _parents_by_hand,
        _create_graph_gradient,
        _create_graph_gradient_node,
        _second_order_twice,
        _compiled_result,
        _vmap_result,
    )
}


@pytest.mark.parametrize("name", sorted(CYCLES))
def test_a_node_on_a_reference_cycle_is_collected(name):
    assert gone_after_collect(CYCLES[name]), f"{name}: the cycle was not collected (a leak)"


def test_an_acyclic_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = Value(0.3)
        y = x
        for _ in range(10_000):
            y = (y * 1.0001).tanh()
        ref = weakref.ref(y)
        y.backward()
        del y
        assert ref() is None  # no collection ran
    finally:
        gc.enable()


# -- what the collector tracks ------------------------------------------------------


@needs_c
def test_op_nodes_and_leaves_start_untracked():
    x = Value(2.0)
    y = (x * 3.0 + x).relu()
    assert not gc.is_tracked(x) and not gc.is_tracked(y)
    y.backward()
    x.grad = 5.0
    x.data -= 0.1  # slots and floats: no cycle can pass through them
    assert not gc.is_tracked(x) and not gc.is_tracked(y)
    assert (y.data, y.grad) == (8.0, 1.0)


@needs_c
@pytest.mark.parametrize(
    "attach",
    [
        lambda v: setattr(v, "label", "y"),
        lambda v: setattr(v, "anything", None),
        lambda v: setattr(v, "__dict__", {}),
        lambda v: setattr(v, "_prev", (Value(1.0),)),
        lambda v: setattr(v, "_backward", lambda: None),
        lambda v: setattr(v, "_bw", lambda g: None),
    ],
    ids=["label", "attribute", "__dict__", "_prev", "_backward", "_bw"],
)
def test_what_could_lead_back_to_a_node_makes_it_tracked(attach):
    y = Value(2.0) * 3.0
    attach(y)
    assert gc.is_tracked(y)


@needs_c
def test_a_labelled_leaf_is_tracked_and_an_unlabelled_one_is_not():
    assert gc.is_tracked(Value(1.0, label="a"))
    assert not gc.is_tracked(Value(1.0))
    assert gc.is_tracked(Value(1.0, (Value(2.0),), "op"))  # parents by hand


@needs_c
def test_deleting_an_attribute_keeps_the_node_as_it_was():
    y = Value(2.0) * 3.0
    with pytest.raises(AttributeError):
        del y.nothing
    assert not gc.is_tracked(y)


@needs_c
def test_create_graph_tracks_the_gradient_graph_and_what_it_reaches():
    x = Value(0.7)
    h = x * x
    y = h.tanh()
    y.backward(create_graph=True)
    assert gc.is_tracked(x) and gc.is_tracked(x.grad)
    assert gc.is_tracked(h) and gc.is_tracked(y)  # reached from x.grad's graph
    z = Value(1.0) * 2.0
    z.backward()  # no create_graph: nothing tracked
    assert not gc.is_tracked(z)


# -- the nodes are the same Values ----------------------------------------------------


@pytest.mark.parametrize("how", ["engine", "plain"])
def test_make_fills_every_slot_and_starts_grad_at_zero(how):
    make = untracked.plain_maker(Value) if how == "plain" else _new_node
    a, b = Value(2.0), Value(3.0)
    out = make(6.0, a, b, "*", _mul, 7.0)
    assert type(out) is Value
    assert (out.data, out.grad, out._op, out._ctx) == (6.0, 0.0, "*", 7.0)
    assert out._prev == (a, b) and out._fn is _mul and out.label == ""
    assert gc.is_tracked(out) is not C  # the class decides: Node's instances start untracked
    out.backward()
    assert (a.grad, b.grad) == (3.0, 2.0)
    assert _make(6.0, a, None, "neg", _mul, None)._prev == (a,)


def test_untracked_nodes_copy_pickle_and_weakref_like_values():
    x = Value(2.0)
    y = x * 3.0
    y.label = "y"
    c = copy.copy(y)
    assert type(c) is Value and (c.data, c.label, c._prev) == (6.0, "y", (x,))
    d = copy.deepcopy(y)
    assert d.data == 6.0 and d._prev[0] is not x and d._prev[0].data == 2.0
    assert pickle.loads(pickle.dumps(x)).data == 2.0  # our own objects, not user text
    assert weakref.ref(y)() is y


@needs_c
@pytest.mark.parametrize(
    "args, message",
    [
        ((object, untracked.FIELDS), "not a subclass of Node"),
        ((Value, untracked.FIELDS[:3]), "7 slot names"),
        ((Value, ("data", "grad", "_a", "_b", "_op", "_fn", "label")), "'label'"),
    ],
)
def test_configure_refuses_what_make_could_not_fill(args, message):
    with pytest.raises((TypeError, ValueError), match=message):
        untracked._C.configure(*args)


@needs_c
def test_make_takes_exactly_six_arguments():
    with pytest.raises(TypeError, match="6 arguments"):
        untracked._C.make(1.0, None, None, "x", None)


def test_track_graph_walks_parents_and_gradients_iteratively():
    x = Value(0.5)
    y = x
    for _ in range(50_000):  # deeper than any recursion limit
        y = y * 1.0
    x.grad = y  # a gradient graph (made by hand) back to x
    untracked.track_graph([x])
    if C:
        assert gc.is_tracked(y) and gc.is_tracked(y._prev[0])
    ref = weakref.ref(x)
    del x, y
    gc.collect()
    assert ref() is None


# -- the plain-Python fallback -------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(bool(os.environ.get("VALUEGRAD_PURE_PYTHON")), reason="already the fallback")
def test_the_plain_python_fallback_passes_the_engines_tests():
    """The fallback (no C compiler) runs this file, the engine's, micrograd's and the
    fused ops' tests."""
    env = {**os.environ, "VALUEGRAD_PURE_PYTHON": "1", "PYTHONPATH": str(ROOT)}
    files = ["tests/test_untracked.py", "tests/test_engine.py", "tests/test_micrograd_compat.py"]
    files += ["tests/test_value_api.py", "tests/test_higher.py", "tests/test_codegen.py"]
    files += ["tests/test_nn_fused.py", "tests/test_fused_c.py"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, autograd as a; print(a.untracked.EXTENSION, "
            "gc.is_tracked(a.Value(1.0) * 2.0))",
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.split() == ["False", "True"], check.stderr
