"""gc_paused: nests, restores the collector's state, and is safe across threads."""

import gc
import threading

import pytest

from autograd import Value, gc_paused, topological_order


def test_nesting_restores_the_collector_only_at_the_outermost_exit():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_decorator_and_exceptions():
    @gc_paused()
    def f():
        assert not gc.isenabled()
        raise KeyError("x")

    with pytest.raises(KeyError):
        f()
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_end_with_the_collector_on():
    start = threading.Barrier(4)

    def work():
        start.wait()
        for _ in range(200):
            with gc_paused():
                (Value(1.0) * 2).backward()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_backward_leaves_the_collector_on():
    x = Value(2.0)
    (x * x).backward()
    assert gc.isenabled() and x.grad == 4.0


def test_topological_order_without_leaves():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + 1.0
    assert topological_order(d, leaves=False) == [c, d]
    assert topological_order(a, leaves=False) == [a]
