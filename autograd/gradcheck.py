"""Check the engine's gradients against finite differences, and say why when they differ.

`gradcheck(f, inputs)` compares, for every input, the gradient `backward()`
gives with a numerical derivative, and returns a report that prints as a table
(as `torch.autograd.gradcheck` does on failure). Each point's kind is decided from
the differences at steps eps, eps/4, eps/16, ... on each side: central differences
that settle, with one-sided slopes that agree (or close in as a smooth f's do), mean
smooth; one-sided slopes that settle and differ down to the finest step mean a kink,
where the engine's gradient must lie between them; slopes that never settle (a jump)
mean UNVERIFIED. At an edge of `f`'s domain the gradient is compared with the
one-sided slope. A row with no finite difference to compare with is UNVERIFIED, and
the check fails unless `allow_unverified=True`. Each row's note says why.
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
# A longer step measures f away from the point, not its derivative at the point
MAX_REL_EPS = 0.1
# How often the step shrinks by 4 in search of slopes that settle (h / 4**26 ~ h * 2e-16)
_SHRINKS = 26
_DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
UNVERIFIED = "UNVERIFIED"


class GradcheckError(AssertionError):
    """A gradient disagreed with its finite difference or could not be checked; `.report`
    holds the table."""

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
    status: str  # "ok", "FAIL", "kink" or "UNVERIFIED"
    note: str = ""
    output: int = 0
    step: float = math.nan  # the finite-difference step the numeric column comes from

    @property
    def abs_err(self) -> float:
        return 0.0 if self.analytic == self.numeric else abs(self.analytic - self.numeric)

    @property
    def rel_err(self) -> float:
        scale = abs(self.numeric)
        return self.abs_err / scale if scale else (0.0 if self.abs_err == 0 else math.inf)


@dataclass
class GradcheckReport:
    """The result of a check: truthy iff no row failed and every row was verified (or
    `allow_unverified` is set); prints as a table."""

    rows: list[Row] = field(default_factory=list)
    method: str = "central"
    atol: float = 1e-5
    rtol: float = 1e-3
    allow_unverified: bool = False

    def __bool__(self) -> bool:
        return not self.failures and (self.allow_unverified or not self.unverified)

    @property
    def failures(self) -> list[Row]:
        return [r for r in self.rows if r.status == "FAIL"]

    @property
    def unverified(self) -> list[Row]:
        """Rows with no finite difference to compare with (none exists there)."""
        return [r for r in self.rows if r.status == UNVERIFIED]

    @property
    def max_rel_err(self) -> float:
        checked = [r.rel_err for r in self.rows if r.status in ("ok", "FAIL")]
        return max(checked, default=0.0)

    def _verdict(self) -> str:
        n, bad, unv = len(self.rows), len(self.failures), len(self.unverified)
        if bad:
            return f"FAILED for {bad} of {n}" + (f", {unv} UNVERIFIED" if unv else "")
        if unv and not self.allow_unverified:
            return (
                f"NOT VERIFIED: {unv} of {n} UNVERIFIED (no finite difference to compare with; "
                "allow_unverified=True or --allow-unverified accepts them)"
            )
        if unv:
            return f"passed for {n - unv} of {n}; {unv} UNVERIFIED, skipped (allow_unverified=True)"
        return "passed"

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
        first, last = int(multi), len(head) - 1  # the input's name and the status: left
        lines = [
            "  ".join(
                c.rjust(w) if first < i < last else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths))
            ).rstrip()
            for row in table
        ]
        lines.insert(1, "-" * max(len(line) for line in lines))
        lines.append(
            f"{self._verdict()}: method={self.method}, |analytic - numeric| <= "
            f"{self.atol:g} + {self.rtol:g} * |numeric|"
        )
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows the table
        p.text(str(self))


# An estimate of the derivative: (numeric, kind, note, one-sided slopes at a kink, step).
# kind "" means compare with the analytic gradient, "kink" means it must lie between the
# slopes, UNVERIFIED means there is nothing to compare with.
_Estimate = tuple[float, str, str, tuple[float, ...], float]


def _one_sided(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    side: int,
    h: float,
    tol: Callable[[float], float],
) -> _Estimate:
    """The limit of the difference quotients on one side of x, where f is defined only there.

    Steps shrink by 4 until successive quotients settle (directly, or after Aitken's
    extrapolation of their geometric convergence) within a quarter of the tolerance,
    or until rounding would swamp them.
    """
    here, there = ("x+h", "x-h") if side > 0 else ("x-h", "x+h")
    qs: list[float] = []
    step = h
    for _ in range(60):
        t = x + side * h
        d = t - x  # the step actually taken
        h /= 4
        if d == 0:
            break
        ft = safe(t)
        if ft is None:
            continue
        q, step = (ft - f0) / d, abs(d)
        qs.append(q)
        if len(qs) >= 3:
            d1, d2 = qs[-2] - qs[-3], qs[-1] - qs[-2]
            if d1 == d2 == 0:
                return q, "", f"one-sided: {there} is outside f's domain", (), step
            r = d2 / d1 if d1 else math.inf
            if 0 <= r <= 0.8 and abs(d2) * r / (1 - r) <= tol(q) / 4:
                return q, "", f"one-sided: {there} is outside f's domain", (), step
            if len(qs) >= 4:  # Aitken: q_k = L + C r^k gives L exactly
                d0 = qs[-3] - qs[-4]
                r0 = d1 / d0 if d0 else math.inf
                if 0 < r0 <= 0.8 and 0 < r <= 0.8:
                    a1 = qs[-2] - d1 * d1 / (d1 - d0)
                    a2 = q - d2 * d2 / (d2 - d1)
                    if abs(a2 - a1) <= tol(a2) / 8:
                        note = f"one-sided, extrapolated: {there} is outside f's domain"
                        return a2, "", note, (), step
        if 4 * math.ulp(max(abs(f0), abs(ft))) / abs(d) > tol(q) / 4:
            break  # rounding error in the quotients from here on exceeds the tolerance
    last = qs[-5:]
    if len(last) == 5 and all(abs(b) >= 1.2 * abs(a) and a * b > 0 for a, b in zip(last, last[1:])):
        note = f"one-sided slope from {here} grows without bound; {there} is outside f's domain"
        return math.copysign(math.inf, last[-1]), "", note, (), step
    note = f"one-sided slope from {here} does not settle; {there} is outside f's domain"
    return (qs[-1] if qs else math.nan), UNVERIFIED, note, (), step


def _richardson(
    safe: Callable[[float], float | None],
    x: float,
    h: float,
    central: float,
    tol: Callable[[float], float],
) -> _Estimate:
    """Richardson's extrapolation of central differences, trusted only once it settles.

    It cancels the h^2 error term of a smooth f; where f is less smooth (a switch point
    of relu(x)**2) that term is not the leading one, so the step shrinks until two
    successive extrapolations agree.
    """

    def c(s: float) -> float | None:
        span = ((x + s) - x) + (x - (x - s))  # the steps actually taken
        fp, fm = safe(x + s), safe(x - s)
        return None if fp is None or fm is None or not span else (fp - fm) / span

    c1: float | None = central
    est = central
    for k in range(6):
        if k:
            h /= 10
            c1 = c(h)
        c2, c4 = c(h / 2), c(h / 4)
        if c1 is None or c2 is None or c4 is None:
            note = "central difference: Richardson's steps leave f's domain or are lost in rounding"
            return est, "", note, (), h
        r1, r2 = (4 * c2 - c1) / 3, (4 * c4 - c2) / 3  # each cancels the h^2 error term
        est = r2
        if abs(r1 - r2) <= tol(r2) / 4:
            note = f"step shrunk to {h:.0e}: f is not smooth enough for a longer one" if k else ""
            return r2, "", note, (), h
    note = "Richardson's estimates do not settle: f is not smooth here (try method='central')"
    return est, UNVERIFIED, note, (), h


def _derivative(
    g: Callable[[float], float],
    x: float,
    f0: float,
    h: float,
    method: str,
    tol: Callable[[float], float],
) -> _Estimate:
    """The derivative at x of the 1-D function g (f0 = g(x), finite), with step h."""

    def safe(t: float) -> float | None:
        try:
            y = g(t)
        except _DOMAIN_ERRORS:
            return None
        return y if math.isfinite(y) else None

    fp, fm = safe(x + h), safe(x - h)
    note = ""
    if fp is None or fm is None:  # a step leaves the domain: shrink it until it fits, if it can
        seen, s = {1: fp is not None, -1: fm is not None}, h
        for _ in range(8):
            s /= 10
            if x + s == x or x - s == x:
                break
            fp, fm = safe(x + s), safe(x - s)
            seen[1], seen[-1] = seen[1] or fp is not None, seen[-1] or fm is not None
            if fp is not None and fm is not None:
                inner = s / 100  # well inside: the boundary is near, and so is steep curvature
                fp2, fm2 = safe(x + inner), safe(x - inner)
                if x + inner != x and x - inner != x and fp2 is not None and fm2 is not None:
                    s, fp, fm = inner, fp2, fm2
                h, note = s, f"step shrunk to {s:.0e} to stay in f's domain"
                break
        else:
            fp = fm = None
        if fp is None or fm is None:
            if not (seen[1] or seen[-1]):
                note = "f is undefined on both sides of the point for every step tried"
                return math.nan, UNVERIFIED, note, (), h
            return _one_sided(safe, x, f0, 1 if seen[1] else -1, h, tol)
    kind, h, fp, fm, note2, slopes = _sides(safe, x, f0, h, (fp, fm), tol, method)
    note = "; ".join(n for n in (note, note2) if n)
    if kind:  # fp is then the estimate to show
        return fp, kind, note, slopes, h
    # divide by the steps actually taken: x + h rounds, and at a large x by much of h
    hp, hm = (x + h) - x, x - (x - h)
    if method == "forward":
        return (fp - f0) / hp, "", note, (), h
    central = (fp - fm) / (hp + hm)
    if method == "central":
        return central, "", note, (), h
    num, kind, note2, _, h = _richardson(safe, x, h, central, tol)
    return num, kind, "; ".join(n for n in (note, note2) if n), (), h


def _confirmed(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    last: tuple[float, float, float, float],
    est: float,
    tol: Callable[[float], float],
) -> bool:
    """Whether a difference over a far shorter step, just above rounding, agrees with `est`.

    Differences that settle over long steps may only say that f wiggles less than the
    tolerance over them (sin at 2.5e12 over steps of 1e7): the short step tells.
    """
    s, fp, fm, noise = last
    # 4**6 times shorter, but above what rounding in f's own arithmetic could swamp
    p = max(s / 4**6, 1e3 * math.ulp(max(abs(f0), abs(fp), abs(fm))) / tol(est), 64 * math.ulp(x))
    if p >= s / 4:
        return True  # the window already reaches down to rounding
    hp, hm = (x + p) - x, x - (x - p)
    pp, pm = safe(x + p), safe(x - p)
    if not hp or not hm or pp is None or pm is None:
        return True  # nothing shorter to compare with
    short_noise = 2 * math.ulp(max(abs(f0), abs(pp), abs(pm))) / min(hp, hm)
    short = (pp - pm) / (hp + hm)
    return abs(short - est) <= tol(est) / 2 + noise + short_noise


def _sides(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    h: float,
    first: tuple[float, float],
    tol: Callable[[float], float],
    method: str = "central",
) -> tuple[str, float, float, float, str, tuple[float, ...]]:
    """What the differences at steps h, h/4, h/16, ... say about f at x.

    Smooth: over three successive steps the central differences settle (within a quarter
    of the tolerance, beyond rounding) and the gap between the one-sided slopes is within
    the tolerance or shrinks with the step, as a smooth f's does; the result is the
    longest step of that window. A kink: the one-sided slopes settle and differ down to
    the finest step. Anything else (a kink or jump within every step, or noise): UNVERIFIED.
    For method "forward" the right slopes must settle too; for "richardson" (whose
    extrapolation follows) the central differences need only converge. `first` is
    f(x+h), f(x-h). Returns (kind, step, f(x+step), f(x-step), note, slopes); at a kink
    or UNVERIFIED the third is the estimate to show instead.
    """
    rs: list[float] = []
    ls: list[float] = []
    cs: list[float] = []
    seen: list[tuple[float, float, float, float]] = []  # step, f(x+step), f(x-step), noise
    s, why = h, ""

    def steady(q: list[float]) -> bool:
        n1, n2, n3 = (z[3] for z in seen[-3:])
        t = tol(q[-1]) / 4
        return abs(q[-1] - q[-2]) <= t + n1 + n2 and abs(q[-2] - q[-3]) <= t + n2 + n3

    def geometric(q: list[float], n: int = 3) -> bool:  # converging as a smooth f's slopes do
        d = [b - a for a, b in zip(q[-n:], q[-n + 1 :])]
        return len(q) >= n and all(0.05 * a * a <= a * b <= 0.35 * a * a for a, b in zip(d, d[1:]))

    def gap(k: int) -> float:
        return abs(rs[k] - ls[k])

    for k in range(_SHRINKS + 1):
        hp, hm = (x + s) - x, x - (x - s)
        fp, fm = first if k == 0 else (safe(x + s), safe(x - s))
        if not hp or not hm or fp is None or fm is None:
            why = f"; then x +- {s:.0e} {'leaves f' if hp and hm else 'is lost in rounding'}"
            break
        r, left = (fp - f0) / hp, (f0 - fm) / hm
        noise = 2 * math.ulp(max(abs(f0), abs(fp), abs(fm))) / min(hp, hm)
        if len(rs) >= 3 and noise > tol(max(abs(r), abs(left))) / 4:
            why = "; rounding swamps shorter steps"
            break
        rs.append(r)
        ls.append(left)
        cs.append((fp - fm) / (hp + hm))
        seen.append((s, fp, fm, noise))
        forward = method == "forward"
        settled = len(rs) >= 3 and (steady(rs) if forward else steady(cs))
        if settled or (len(rs) >= 3 and method == "richardson" and geometric(cs)):
            small = gap(-1) <= tol(max(abs(r), abs(left))) + noise
            if (small or (gap(-1) <= 0.35 * gap(-2) and gap(-2) <= 0.35 * gap(-3))) and (
                not settled or _confirmed(safe, x, f0, seen[-1], rs[-3] if forward else cs[-3], tol)
            ):
                step, fp3, fm3, _ = seen[-3]
                note = f"step shrunk to {step:.0e}: only there do the differences settle"
                return "", step, fp3, fm3, "" if step == h else note, ()
        s /= 4
    if len(rs) < 3 and rs and gap(0) <= tol(max(abs(rs[0]), abs(ls[0]))) + seen[0][3]:
        # too few steps to watch (f's domain or rounding ends them) and no sign of a kink
        return "", h, first[0], first[1], f"only {len(rs)} step(s) to compare{why}", ()
    sides = [(q[-1] + (q[-1] - q[-2]) / 3, abs(q[-1] - q[-2]) / 3) for q in (ls, rs)]
    if (
        len(rs) >= 3
        and gap(-1) > tol(max(abs(rs[-1]), abs(ls[-1]))) + seen[-1][3]
        and all(steady(q) or geometric(q) for q in (rs, ls))
    ):
        (lv, lpad), (rv, rpad) = sides
        lo, hi = sorted((lv, rv))
        pad = max(lpad, rpad) + seen[-1][3]
        note = f"not differentiable here: slopes {lv:.6g} left, {rv:.6g} right"
        note += f", steady down to a step of {seen[-1][0]:.0e}"
        return "kink", seen[-1][0], (lo + hi) / 2, math.nan, note, (lo - pad, hi + pad)
    if not rs:
        return UNVERIFIED, h, math.nan, math.nan, f"no slope to measure{why}", ()
    jump = [
        side
        for side, q in (("right", rs), ("left", ls))
        if len(q) >= 3 and all(abs(b) >= 3 * abs(a) > 0 for a, b in zip(q[-3:], q[-2:]))
    ]
    note = (
        f"the differences do not settle as the step shrinks from {h:.0e} to {seen[-1][0]:.0e}"
        f" (slopes left {ls[0]:.4g} .. {ls[-1]:.4g}, right {rs[0]:.4g} .. {rs[-1]:.4g}{why})"
        + (f": f jumps here (the {' and '.join(jump)} slope grows like 1/step)" if jump else "")
    )
    return UNVERIFIED, h, cs[0], math.nan, note, ()


def _number(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"gradcheck(): {what} must be a number, not {type(value).__name__}")
    return float(value)


def _steps(eps: float | str, method: str, names: Sequence[str], x0: Sequence[float]) -> list[float]:
    """The step for each input, or ValueError when eps cannot measure a derivative there."""
    if method not in METHODS:
        raise ValueError(f"gradcheck(): method must be one of {', '.join(METHODS)}, not {method!r}")
    if eps == "auto":
        return [_AUTO_EPS[method] * max(1.0, abs(x)) for x in x0]
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < math.inf:
        raise ValueError(
            f"gradcheck(): eps must be a finite positive number or 'auto', not eps={eps!r}"
        )
    h = float(eps)
    for name, x in zip(names, x0):
        if h > MAX_REL_EPS * max(1.0, abs(x)):
            raise ValueError(
                f"gradcheck(): eps={eps!r} is too large to mean anything at {name}={x!r}: "
                f"a difference over so long a step does not measure the derivative at the "
                f"point (use at most {MAX_REL_EPS:g} * max(1, |x|), or eps='auto')"
            )
        if x + h == x or x - h == x:
            raise ValueError(
                f"gradcheck(): eps={eps!r} is lost in rounding at {name}={x!r} "
                "(x + eps == x); use a larger eps or eps='auto'"
            )
    return [h] * len(x0)


def _point(names: Sequence[str], x0: Sequence[float]) -> str:
    shown = ", ".join(f"{n}={x!r}" for n, x in list(zip(names, x0))[:4])
    return shown + (f", ... ({len(x0)} inputs)" if len(x0) > 4 else "")


def _check_finite(
    names: Sequence[str], x0: Sequence[float], values: Sequence[float], what: str
) -> None:
    """ValueError when the point or f's value there is not finite: nothing to compare then."""
    for name, x in zip(names, x0):
        if not math.isfinite(x):
            raise ValueError(
                f"gradcheck(): the input {name} is {x!r}; gradients can only be checked at a "
                "finite point"
            )
    for k, y in enumerate(values):
        if not math.isfinite(y):
            which = f"output {k} of {what}" if len(values) > 1 else what
            raise ValueError(
                f"gradcheck(): {which} is {y!r} at the point ({_point(names, x0)}); "
                "finite differences need a finite value there"
            )


def _compare(
    names: Sequence[str],
    x0: Sequence[float],
    f0: Sequence[float],
    analytic: list[list[float]],
    evaluate: Callable[[list[float]], list[float]],
    steps: Sequence[float],
    atol: float,
    rtol: float,
    method: str,
    raise_exception: bool,
    allow_unverified: bool,
) -> GradcheckReport:
    """Compare each analytic gradient with its finite difference; raise on a FAIL if asked."""

    def tol(num: float) -> float:
        return atol + rtol * abs(num)

    report = GradcheckReport(method=method, atol=atol, rtol=rtol, allow_unverified=allow_unverified)
    for k, grads in enumerate(analytic):
        for i, (name, x) in enumerate(zip(names, x0)):

            def g(t: float, i: int = i, k: int = k) -> float:
                xs = list(x0)
                xs[i] = t
                return evaluate(xs)[k]

            num, status, note, slopes, step = _derivative(g, x, f0[k], steps[i], method, tol)
            a = grads[i]
            if status == "kink":
                # a valid subgradient lies between the one-sided slopes
                lo, hi = sorted(slopes)
                if not lo - atol <= a <= hi + atol:
                    status, note = "FAIL", note + "; analytic is not between them"
            elif not status:
                # an infinite slope matches only the same infinity
                same = a == num or (math.isfinite(num) and abs(a - num) <= tol(num))
                status = "ok" if same else "FAIL"
            report.rows.append(Row(name, x, a, num, status, note, k, step))
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


def _tolerances(atol: object, rtol: object) -> tuple[float, float]:
    a, r = _number("atol", atol), _number("rtol", rtol)
    for name, v in (("atol", a), ("rtol", r)):
        if not 0 <= v < math.inf:
            raise ValueError(f"gradcheck(): {name} must be a finite number >= 0, not {v!r}")
    return a, r


def gradcheck(
    f: Callable[..., Value | Sequence[Value]],
    inputs: Sequence[float | Value],
    *,
    eps: float | str = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    method: str = "central",
    raise_exception: bool = True,
    allow_unverified: bool = False,
) -> GradcheckReport:
    """Compare `f`'s gradients w.r.t. every input with finite differences.

    `f` takes one `Value` per input and returns a `Value` or a list of them
    (each output is checked). `method` is "central", "forward" or "richardson";
    `eps="auto"` scales the step to each input's size. Returns the report;
    raises `GradcheckError` on a mismatch when `raise_exception` is true, and also
    when a row cannot be verified (no finite difference exists there, e.g. f is
    undefined on both sides) unless `allow_unverified` is true.
    """
    atol, rtol = _tolerances(atol, rtol)
    x0 = [v.data if isinstance(v, Value) else float(v) for v in inputs]
    names = [v.label if isinstance(v, Value) and v.label else f"x{i}" for i, v in enumerate(inputs)]
    _check_finite(names, x0, [], "f")
    steps = _steps(eps, method, names, x0)
    leaves = [Value(x, label=n) for x, n in zip(x0, names)]
    outs = _outputs(f(*leaves), "f")
    first_data = [o.data for o in outs]
    _check_finite(names, x0, first_data, "f")
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
    if [o.data for o in second] != first_data:
        raise ValueError(
            f"gradcheck(): f is not a function of its inputs alone: two calls at the same point "
            f"gave {first_data} and {[o.data for o in second]} (does it keep state between calls?)"
        )
    return _compare(
        names, x0, first_data, analytic, evaluate, steps, atol, rtol, method,
        raise_exception, allow_unverified,
    )  # fmt: skip


def gradcheck_module(
    model,
    loss_fn: Callable[..., Value],
    *args,
    eps: float | str = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    method: str = "central",
    raise_exception: bool = True,
    allow_unverified: bool = False,
) -> GradcheckReport:
    """Check the gradient of `loss_fn(model, *args)` w.r.t. every parameter of `model`.

    The model's parameters and gradients are as they were when it returns.
    """
    atol, rtol = _tolerances(atol, rtol)
    params = list(model.parameters())
    x0 = [p.data for p in params]
    names = [p.label or f"p{i}" for i, p in enumerate(params)]
    _check_finite(names, x0, [], "loss_fn")
    steps = _steps(eps, method, names, x0)

    def evaluate(xs: list[float]) -> list[float]:
        for p, x in zip(params, xs):
            p.data = x
        try:
            with no_grad():
                return [_outputs(loss_fn(model, *args), "loss_fn")[0].data]
        finally:
            for p, x in zip(params, x0):
                p.data = x

    loss = _outputs(loss_fn(model, *args), "loss_fn")[0]
    _check_finite(names, x0, [loss.data], "loss_fn")
    analytic = [gradients(loss, params)]
    return _compare(
        names, x0, [loss.data], analytic, evaluate, steps, atol, rtol, method,
        raise_exception, allow_unverified,
    )  # fmt: skip
