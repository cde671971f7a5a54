"""gradcheck where eps is a few ulps of x: rounding in f alone moves the difference
quotients by more than the tolerance, so they can agree on a wrong slope by chance. Such a
row must never pass a wrong slope (found by the rev22 review). The right slopes are closed
forms, 1 + cos(x) for x + sin(x), checked against torch float64 in
/work/shots/rev22/repro_gc_*.py."""

import math

import pytest

from autograd import gradcheck
from autograd.engine import _node


def planted(slope: float):
    """x + sin(x) as a custom op whose backward says `slope`."""

    def op(v):
        def _backward(g):
            v.grad += slope * g

        return _node(v.data + math.sin(v.data), (v,), "custom", _backward)

    return op


# (x, method): central at 3e9 (the step 1e-6 is 2 ulps) agreed on 0.75 for a slope of 0.839;
# richardson at -1.46e8 shrank its step to 1e-7 (3 ulps) and agreed on 0 for 0.103
CASES = [(3e9, "central"), (-146116249.83327085, "richardson"), (3e9, "forward")]


@pytest.mark.parametrize("x, method", CASES)
def test_a_step_lost_in_rounding_never_passes_a_wrong_slope(x, method):
    right = 1 + math.cos(x)
    for wrong in (0.0, 0.5, 0.75, 1.0, right + 0.1, -right):
        report = gradcheck(planted(wrong), [x], method=method, raise_exception=False)
        assert report.rows[0].status != "ok", (wrong, str(report))
    row = gradcheck(planted(right), [x], method=method, raise_exception=False).rows[0]
    assert row.status in ("ok", "UNVERIFIED"), row


def test_the_row_says_the_step_is_lost_in_rounding():
    row = gradcheck(planted(0.75), [3e9], raise_exception=False).rows[0]
    assert row.status == "UNVERIFIED" and "lost in rounding" in row.note and "eps" in row.note


def test_a_big_constant_that_swallows_the_step_never_passes_slope_0():
    # 1e20 + x at 0: f(x + h) == f(x) in floats for every short step, so each quotient is 0;
    # the slope is 1, and a planted 0 must not pass
    def f(slope: float):
        def op(v):
            def _backward(g):
                v.grad += slope * g

            return _node(1e20 + v.data, (v,), "custom", _backward)

        return op

    assert gradcheck(f(0.0), [0.0], raise_exception=False).rows[0].status != "ok"
    assert gradcheck(f(1.0), [0.0], raise_exception=False).rows[0].status in ("ok", "UNVERIFIED")
