"""Check the engine's gradients against finite differences, and say why when they differ.

`gradcheck(f, inputs)` compares, for every input, the gradient `backward()`
gives with a numerical derivative, and returns a report that prints as a table
(as `torch.autograd.gradcheck` does on failure). Points where the function has
a kink, or where a step leaves its domain, are reported as such, not as
mismatches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .engine import Value
from .higher import gradients
from .modes import no_grad

__all__ = ["gradcheck", "gradcheck_module", "GradcheckError", "GradcheckReport", "Row"]

METHODS = ("central", "forward", "richardson")
# Step sizes that balance truncation against round-off for each formula, relative to max(1, |x|)
_AUTO_EPS = {"central": 6e-6, "forward": 1.5e-8, "richardson": 1e-3}
_DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


class GradcheckError(AssertionError):
    """A gradient disagreed with its finite difference; `.report` holds the table."""

    def __init__(self, report: GradcheckReport) -> None:
        super().__init__(f"gradcheck failed:\n{report}")
        self.report = report


@dataclass
class Row:
    """One input's comparison (for one output of `f`)."""

    name: str
    value: float
    analytic: float
    numeric: float
    status: str  # "ok", "FAIL", "kink" or "domain"
    note: str = ""
    output: int = 0

    @property
    def abs_err(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_err(self) -> float:
        scale = abs(self.numeric)
        return self.abs_err / scale if scale else (0.0 if self.abs_err == 0 else math.inf)


@dataclass
class GradcheckReport:
    """The result of a check: truthy iff no row failed; prints as a table."""

    rows: list[Row] = field(default_factory=list)
    method: str = "central"
    atol: float = 1e-5
    rtol: float = 1e-3

    def __bool__(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.status == "FAIL"]

    @property
    def max_rel_err(self) -> float:
        checked = [r.rel_err for r in self.rows if r.status in ("ok", "FAIL")]
        return max(checked, default=0.0)

    def __str__(self) -> str:
        multi = len({r.output for r in self.rows}) > 1
        head = ["output"] * multi + ["input", "value", "analytic", "numeric", "abs err", "rel err"]
        head.append("")
        table = [head]
        for r in self.rows:
            cells = [str(r.output)] * multi + [
                r.name,
                f"{r.value:.6g}",
                f"{r.analytic:.10g}",
                f"{r.numeric:.10g}",
                f"{r.abs_err:.2e}",
                f"{r.rel_err:.2e}",
                r.status + (f" ({r.note})" if r.note else ""),
            ]
            table.append(cells)
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        last = len(head) - 1
        lines = [
            "  ".join(
                c.rjust(w) if 0 < i < last else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths))
            ).rstrip()
            for row in table
        ]
        lines.insert(1, "-" * max(len(line) for line in lines))
        verdict = "passed" if self else f"FAILED for {len(self.failures)} of {len(self.rows)}"
        lines.append(
            f"{verdict}: method={self.method}, |analytic - numeric| <= "
            f"{self.atol:g} + {self.rtol:g} * |numeric|"
        )
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows the table
        p.text(str(self))


def _derivative(
    g: Callable[[float], float], x: float, h: float, method: str, rtol: float, atol: float
) -> tuple[float, str, str, tuple[float, ...]]:
    """(slope, status, note, one-sided slopes at a kink) of the 1-D function g at x;
    status '' means compare it."""

    def safe(t: float) -> float | None:
        try:
            y = g(t)
        except _DOMAIN_ERRORS:
            return None
        return y if math.isfinite(y) else None

    f0 = g(x)
    fp, fm = safe(x + h), safe(x - h)
    note = ""
    for _ in range(8):  # a step that leaves the domain: shrink it until it fits, if it can
        if fp is not None and fm is not None:
            break
        h /= 10
        fp, fm = safe(x + h), safe(x - h)
        if fp is not None and fm is not None:
            h /= 100  # well inside: the boundary is near, and so is steep curvature
            fp, fm = g(x + h), g(x - h)
            note = f"step shrunk to {h:.0e} to stay in f's domain"
    else:
        side = "x+h" if fp is None else "x-h"
        one_sided = (
            math.nan
            if fp is None and fm is None
            else (
                (f0 - fm) / h if fp is None else (fp - f0) / h  # type: ignore[operator]
            )
        )
        return one_sided, "domain", f"{side} is outside f's domain for every step tried", ()
    right, left = (fp - f0) / h, (f0 - fm) / h
    gap = abs(right - left)
    if gap > atol + rtol * max(abs(right), abs(left)):
        # A smooth function's one-sided slopes converge as h shrinks; a kink's do not.
        r2, l2 = (safe(x + h / 8), safe(x - h / 8))
        if r2 is not None and l2 is not None and abs((r2 - f0) - (f0 - l2)) / (h / 8) > 0.5 * gap:
            note = f"not differentiable here: slopes {left:.6g} left, {right:.6g} right"
            return (right + left) / 2, "kink", note, (left, right)
    if method == "forward":
        return right, "", note, ()
    central = (fp - fm) / (2 * h)
    if method == "central":
        return central, "", note, ()
    fp2, fm2 = safe(x + h / 2), safe(x - h / 2)
    if fp2 is None or fm2 is None:
        return central, "", note, ()
    half = (fp2 - fm2) / h
    return (4 * half - central) / 3, "", note, ()  # Richardson: cancels the h^2 error term


def _compare(
    names: Sequence[str],
    x0: Sequence[float],
    analytic: list[list[float]],
    evaluate: Callable[[list[float]], list[float]],
    eps: float | str,
    atol: float,
    rtol: float,
    method: str,
    raise_exception: bool,
) -> GradcheckReport:
    """Compare each analytic gradient with its finite difference; raise on a FAIL if asked."""
    if method not in METHODS:
        raise ValueError(f"gradcheck(): method must be one of {', '.join(METHODS)}, not {method!r}")
    if eps != "auto" and not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"gradcheck(): eps must be a positive number or 'auto', not {eps!r}")
    report = GradcheckReport(method=method, atol=atol, rtol=rtol)
    for k, grads in enumerate(analytic):
        for i, (name, x) in enumerate(zip(names, x0)):
            h = _AUTO_EPS[method] * max(1.0, abs(x)) if eps == "auto" else float(eps)

            def g(t: float, i: int = i, k: int = k) -> float:
                xs = list(x0)
                xs[i] = t
                return evaluate(xs)[k]

            num, status, note, slopes = _derivative(g, x, h, method, rtol, atol)
            a = grads[i]
            if status == "kink":
                # a valid subgradient lies between the one-sided slopes
                lo, hi = sorted(slopes)
                if not lo - atol <= a <= hi + atol:
                    status, note = "FAIL", note + "; analytic is not between them"
            elif not status:
                same = a == num or abs(a - num) <= atol + rtol * abs(num)
                status = "ok" if same else "FAIL"
            report.rows.append(Row(name, x, a, num, status, note, k))
    if raise_exception and not report:
        raise GradcheckError(report)
    return report


def _outputs(result: object, where: str) -> list[Value]:
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    for o in outs:
        if not isinstance(o, Value):
            raise TypeError(
                f"gradcheck(): {where} returned {type(o).__name__} {o!r}, not a Value "
                "(or a list of Values)"
            )
    return outs


def gradcheck(
    f: Callable[..., Value | Sequence[Value]],
    inputs: Sequence[float | Value],
    *,
    eps: float | str = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    method: str = "central",
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare `f`'s gradients w.r.t. every input with finite differences.

    `f` takes one `Value` per input and returns a `Value` or a list of them
    (each output is checked). `method` is "central", "forward" or "richardson";
    `eps="auto"` scales the step to each input's size. Returns the report;
    raises `GradcheckError` on a mismatch when `raise_exception` is true.
    """
    x0 = [v.data if isinstance(v, Value) else float(v) for v in inputs]
    names = [v.label if isinstance(v, Value) and v.label else f"x{i}" for i, v in enumerate(inputs)]
    leaves = [Value(x, label=n) for x, n in zip(x0, names)]
    outs = _outputs(f(*leaves), "f")
    if any(leaf.data != x for leaf, x in zip(leaves, x0)):
        raise ValueError("gradcheck(): f changed the data of its inputs; it must not mutate them")
    analytic = [gradients(out, leaves) for out in outs]

    def evaluate(xs: list[float]) -> list[float]:
        with no_grad():
            return [o.data for o in _outputs(f(*[Value(x) for x in xs]), "f")]

    again = [Value(x) for x in x0]
    second = _outputs(f(*again), "f")
    if any(a is b for a, b in zip(second, outs)):
        raise ValueError(
            "gradcheck(): f returned the same Value object twice; it caches its result"
        )
    first_data = [o.data for o in outs]
    if [o.data for o in second] != first_data:
        raise ValueError(
            f"gradcheck(): f is not a function of its inputs alone: two calls at the same point "
            f"gave {first_data} and {[o.data for o in second]} (does it keep state between calls?)"
        )
    return _compare(names, x0, analytic, evaluate, eps, atol, rtol, method, raise_exception)


def gradcheck_module(
    model,
    loss_fn: Callable[..., Value],
    *args,
    eps: float | str = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    method: str = "central",
    raise_exception: bool = True,
) -> GradcheckReport:
    """Check the gradient of `loss_fn(model, *args)` w.r.t. every parameter of `model`.

    The model's parameters and gradients are as they were when it returns.
    """
    params = list(model.parameters())
    x0 = [p.data for p in params]
    names = [p.label or f"p{i}" for i, p in enumerate(params)]

    def evaluate(xs: list[float]) -> list[float]:
        for p, x in zip(params, xs):
            p.data = x
        try:
            with no_grad():
                return [_outputs(loss_fn(model, *args), "loss_fn")[0].data]
        finally:
            for p, x in zip(params, x0):
                p.data = x

    analytic = [gradients(_outputs(loss_fn(model, *args), "loss_fn")[0], params)]
    return _compare(names, x0, analytic, evaluate, eps, atol, rtol, method, raise_exception)
