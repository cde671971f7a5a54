"""Check the engine's gradients against finite differences, and say why when they differ.

`gradcheck(f, inputs)` compares, for every input, the gradient `backward()`
gives with a numerical derivative, and returns a report that prints as a table
(as `torch.autograd.gradcheck` does on failure). At a kink the engine's gradient
must lie between the two one-sided slopes; at an edge of `f`'s domain it is
compared with the one-sided slope. A row with no finite difference to compare
with is UNVERIFIED, and the check fails unless `allow_unverified=True`.
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
_DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
UNVERIFIED = "UNVERIFIED"
# Two-sided checks shrink the step by this irrational ratio, not by 4: quotients over steps
# that are all multiples of one length alias a periodic f (sin at 1e10 with a step of 6e4)
_SHRINK = 2 - math.sqrt(3)
_LONG_STEP = 1e-3


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


@dataclass
class _Limit:
    """A one-sided limit of difference quotients: `kind` is "settled" (value within `err`),
    "infinite" (quotients grow without bound) or "unsettled"; `step` the last step taken."""

    value: float
    kind: str
    err: float
    step: float
    extrapolated: bool = False


def _settled(
    qs: list[float], dfs: list[float], noise: float, step: float, tol, strict: bool
) -> _Limit | None:
    """The limit the last quotients `qs` settle to, if they do (see `_limit`)."""
    q = qs[-1]
    if strict:  # f(x + d) - f(x) shrinks at least like d once the step resolves f
        small = 4 * math.ulp(max(dfs[-4:]))
        if len(dfs) < 4 or any(b > 0.5 * a and b > small for a, b in zip(dfs[-4:], dfs[-3:])):
            return None
    d1, d2 = qs[-2] - qs[-3], qs[-1] - qs[-2]
    if abs(d1) <= noise and abs(d2) <= noise and noise <= tol(q) / 4:
        return _Limit(q, "settled", noise, step)  # constant but for rounding
    r = d2 / d1 if d1 else math.inf
    d0 = qs[-3] - qs[-4] if len(qs) >= 4 else 0.0
    r0 = d1 / d0 if d0 else math.inf
    if strict and not (0 < r0 <= 0.8 and 0 < r <= 0.8 and max(r0, r) <= 2.5 * min(r0, r)):
        # not a clean geometric convergence; still settled if the changes no longer grow and
        # are small (quotients of a flat f lost in rounding: q ~ h f'' / 2 with f' = 0)
        err = 4 * abs(d2) + noise
        if abs(d2) <= max(0.8 * abs(d1), noise) and err <= tol(q) / 4:
            return _Limit(q, "settled", err, step)
        return None
    if 0 <= r <= 0.8 and abs(d2) * r / (1 - r) <= tol(q) / 4:
        return _Limit(q, "settled", abs(d2) * r / (1 - r) + noise, step)
    if len(qs) >= 4 and 0 < r0 <= 0.8 and 0 < r <= 0.8:  # Aitken: q_k = L + C r^k gives L
        a1 = qs[-2] - d1 * d1 / (d1 - d0)
        a2 = q - d2 * d2 / (d2 - d1)
        if abs(a2 - a1) <= tol(a2) / 8:
            return _Limit(a2, "settled", abs(a2 - a1) + noise, step, extrapolated=True)
    return None


def _limit(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    side: int,
    h: float,
    tol: Callable[[float], float],
    shrink: float = 0.25,
    strict: bool = False,
) -> _Limit:
    """The limit of the difference quotients on one side of x.

    Steps shrink by `shrink` until successive quotients settle (directly, or after Aitken's
    extrapolation of their geometric convergence) within a quarter of the tolerance,
    or until rounding would swamp them. `strict` asks more, so that quotients over steps
    too long to mean anything (sin over thousands of periods) do not settle by chance:
    a geometric convergence (two like ratios of successive differences), f's change
    shrinking with the step, and two more steps that stay at the limit.
    """
    qs: list[float] = []
    dfs: list[float] = []  # |f(x + d) - f(x)|
    step, missed = h, 0
    found: _Limit | None = None
    confirmed, drowned = 0, False
    for _ in range(60 if shrink == 0.25 else 80):
        t = x + side * h
        d = t - x  # the step actually taken
        h *= shrink
        if d == 0:
            break
        ft = safe(t)
        missed = 0 if ft is not None else missed + 1
        if ft is None:
            continue
        q, step = (ft - f0) / d, abs(d)
        qs.append(q)
        dfs.append(abs(ft - f0))
        noise = 4 * math.ulp(max(abs(f0), abs(ft))) / abs(d)  # rounding in a quotient
        if found is not None:  # the quotient, or a fresh estimate, stays at the limit
            again = _settled(qs, dfs, noise, step, tol, strict)
            near = found.err + tol(found.value) / 4 + noise
            stays = abs(q - found.value) <= near or (
                again is not None and abs(again.value - found.value) <= near + again.err
            )
            shrinks = dfs[-1] <= 0.5 * dfs[-2] or dfs[-1] <= 4 * math.ulp(dfs[-2])
            confirmed, found = (confirmed + 1, found) if stays and shrinks else (0, None)
            if found is not None and confirmed >= 2:
                return found
        if found is None and len(qs) >= 3:
            found = _settled(qs, dfs, noise, step, tol, strict)
            if found is not None and not strict:
                return found
        if noise > tol(q) / 4:
            drowned = True
            break  # rounding error in the quotients from here on exceeds the tolerance
    last = qs[-5:]
    if len(last) == 5 and all(abs(b) >= 1.2 * abs(a) and a * b > 0 for a, b in zip(last, last[1:])):
        return _Limit(math.copysign(math.inf, last[-1]), "infinite", 0.0, step)
    if missed >= 5:  # f is undefined at every shorter step: x is at an edge of its domain
        return _Limit(qs[-1] if qs else math.nan, "outside", math.inf, step)
    kind = "rounding" if drowned else "unsettled"
    return _Limit(qs[-1] if qs else math.nan, kind, math.inf, step)


def _one_sided(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    side: int,
    h: float,
    tol: Callable[[float], float],
) -> _Estimate:
    """The limit of the difference quotients on one side of x, where f is defined only there."""
    here, there = ("x+h", "x-h") if side > 0 else ("x-h", "x+h")
    lim = _limit(safe, x, f0, side, h, tol)
    if lim.kind == "settled":
        how = "one-sided, extrapolated" if lim.extrapolated else "one-sided"
        return lim.value, "", f"{how}: {there} is outside f's domain", (), lim.step
    if lim.kind == "infinite":
        note = f"one-sided slope from {here} grows without bound; {there} is outside f's domain"
        return lim.value, "", note, (), lim.step
    note = f"one-sided slope from {here} does not settle; {there} is outside f's domain"
    return lim.value, UNVERIFIED, note, (), lim.step


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
        if fp is None or fm is None or not span:
            return None
        q = (fp - fm) / span
        # a quotient whose rounding exceeds the tolerance measures nothing
        return None if math.ulp(max(abs(fp), abs(fm))) / span > tol(q) / 2 else q

    c1: float | None = central
    est = central
    for k in range(6):
        if k:
            h /= 10
            c1 = c(h)
        c2, c4 = c(h / 2), c(h / 4)
        if c1 is None or c2 is None or c4 is None:
            note = "Richardson's steps leave f's domain or are lost in rounding"
            if k:  # only the shortened steps, which nothing has checked, are left
                return est, UNVERIFIED, note + " before its estimates settle", (), h
            return est, "", "central difference: " + note, (), h
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
    return _two_sided(safe, x, f0, h, method, tol, note)


def _quotients(safe: Callable[[float], float | None], x: float, f0: float, s: float):
    """(right, left, central) difference quotients at step s, or None where a step is lost."""
    fp, fm = safe(x + s), safe(x - s)
    hp, hm = (x + s) - x, x - (x - s)  # the steps actually taken: x + s rounds
    if fp is None or fm is None or not hp or not hm:
        return None
    return (fp - f0) / hp, (f0 - fm) / hm, (fp - fm) / (hp + hm)


def _side_note(lim: _Limit, here: str) -> str:
    if lim.kind == "infinite":
        return f"the slope from {here} grows without bound (a jump or a vertical tangent)"
    if lim.kind == "rounding":
        return (
            f"the slope from {here} is lost in rounding (last {lim.value:.6g} at step "
            f"{lim.step:.0e}: f's rounding over so short a step exceeds the tolerance; "
            "try a longer eps or eps='auto')"
        )
    return f"the slope from {here} does not settle (last {lim.value:.6g} at step {lim.step:.0e})"


def _two_sided(
    safe: Callable[[float], float | None],
    x: float,
    f0: float,
    h: float,
    method: str,
    tol: Callable[[float], float],
    note: str,
) -> _Estimate:
    """The derivative where f is defined on both sides, decided from several steps per side.

    At steps h and h * _SHRINK the one-sided slopes must agree (within the relative tolerance
    and rounding) and so must the central differences: then f is smooth within h and the
    method's formula at h is the estimate. Otherwise each side's slope is followed to its
    limit as the step shrinks: limits that settle and agree mean f is smooth (a kink or jump
    lies within h of the point, not at it), limits that settle and differ mean a kink, and
    anything else leaves the row UNVERIFIED.
    """
    first, second = _quotients(safe, x, f0, h), _quotients(safe, x, f0, h * _SHRINK)
    if first is not None and second is not None:
        # one ulp of f over the shorter step: the quotients' resolution
        quantum = math.ulp(max(abs(f0), 1e-300)) / ((x + h * _SHRINK) - x or h)
        noise = 4 * quantum
        (r1, l1, c1), (r2, l2, c2) = first, second

        def rel(q: float) -> float:
            # Over a long step (eps="auto" at a large |x|) every quotient can be smaller than
            # atol whatever f's slope, so there only the relative tolerance says they agree
            return tol(q) if h <= _LONG_STEP else tol(q) - tol(0.0)

        # the one-sided slopes agree, or differ only by f's curvature: f'' h, shrinking with
        # the step (at a smooth maximum or minimum), never by a kink's constant jump
        agree = abs(r1 - l1) <= rel(max(abs(r1), abs(l1))) + noise
        agree = agree and abs(r2 - l2) <= rel(max(abs(r2), abs(l2))) + noise
        # (only the central difference's error is O(h²) there; a one-sided one is f'' h / 2)
        curved = method == "central" and h <= _LONG_STEP
        curved = curved and abs((r2 - l2) - _SHRINK * (r1 - l1)) <= tol(0.0) / 4 + noise
        # where one ulp of f over the step exceeds the tolerance, the quotients are too
        # coarse to tell slopes apart and can agree on a wrong one by chance
        resolved = quantum / 2 <= 4 * tol(c1)  # (a margin: rounding is rarely a whole ulp)
        if resolved and (agree or curved) and abs(c1 - c2) <= tol(c1) / 4 + noise:
            return _at_step(safe, x, h, method, tol, first, note)
    strict = h > _LONG_STEP  # see rel() above
    right = _limit(safe, x, f0, 1, h, tol, _SHRINK, strict)
    left = _limit(safe, x, f0, -1, h, tol, _SHRINK, strict)
    for lim, other, side in ((right, left, 1), (left, right, -1)):
        if other.kind == "outside" and lim.kind != "outside":
            return _one_sided(safe, x, f0, side, h, tol)
    if right.kind == left.kind == "infinite" and right.value == left.value:
        note = "slopes from x+h and x-h both grow without bound (a vertical tangent)"
        return right.value, "", note, (), min(right.step, left.step)
    step = min(right.step, left.step)
    if right.kind != "settled" or left.kind != "settled":
        sides = ((left, "x-h"), (right, "x+h"))
        bad = "; ".join(_side_note(lim, here) for lim, here in sides if lim.kind != "settled")
        note = "; ".join(n for n in (note, "no derivative to compare with: " + bad) if n)
        return (right.value + left.value) / 2, UNVERIFIED, note, (), step
    lo, hi = sorted((left.value + 0.0, right.value + 0.0))  # + 0.0: no "-0" in the note
    mean = (lo + hi) / 2
    if hi - lo > tol(max(abs(lo), abs(hi))):
        pad = max(right.err, left.err)
        note = f"not differentiable here: slopes {left.value + 0.0:.6g} left, "
        note += f"{right.value + 0.0:.6g} right"
        return mean, "kink", note, (lo - pad, hi + pad), step
    why = (
        f"smooth, a kink or jump within eps: slopes at {h:.0e} disagree, "
        f"settle to {mean:.6g} on both sides"
    )
    if method == "richardson":  # it shrinks its own step; trusted where it meets the limits
        first = _quotients(safe, x, f0, h)
        if first is not None:
            num, kind, note2, _, s2 = _at_step(safe, x, h, method, tol, first, note)
            if not kind and abs(num - mean) <= tol(mean) / 2:
                return num, "", "; ".join(n for n in (why, note2) if n), (), s2
    # the longest step whose difference agrees with the limits
    s = h
    while s >= step / 2:
        qs = _quotients(safe, x, f0, s)
        if qs is not None:
            est = qs[0] if method == "forward" else qs[2]
            if abs(est - mean) <= tol(mean) / 4:
                shrunk = why + (f"; step shrunk to {s:.0e}" if s < h else "")
                return est, "", "; ".join(n for n in (note, shrunk) if n), (), s
        s *= _SHRINK
    return (
        mean,
        "",
        "; ".join(n for n in (note, "limit of one-sided slopes: " + why) if n),
        (),
        step,
    )


def _at_step(
    safe: Callable[[float], float | None],
    x: float,
    h: float,
    method: str,
    tol: Callable[[float], float],
    qs: tuple[float, float, float],
    note: str,
) -> _Estimate:
    """The method's estimate at step h, where f is smooth within h."""
    right, _, central = qs
    if method == "forward":
        return right, "", note, (), h
    if method == "central":
        return central, "", note, (), h
    num, kind, note2, _, h = _richardson(safe, x, h, central, tol)
    return num, kind, "; ".join(n for n in (note, note2) if n), (), h


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
