"""Thread-safe modes: `no_grad`, `enable_grad` and `detect_anomaly`.

Each mode lives in a `contextvars.ContextVar`, so it nests, and a thread or
asyncio task sees only the modes it entered itself.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import math
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from .opspec import spec_for

__all__ = [
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "AnomalyError",
    "TracingError",
    "is_tracing",
]

F = TypeVar("F", bound=Callable[..., Any])


class _Mode(NamedTuple):
    grad: bool
    anomaly: dict | None  # id(node) -> (node, creation stack) while anomaly mode is on
    made: set[int] | None = None  # while compile traces: the ids of the op nodes made


_RECORD = _Mode(True, None)  # the default: record the graph, no anomaly checks
_MODE: contextvars.ContextVar[_Mode] = contextvars.ContextVar(
    "valuegrad_mode",
    default=_RECORD,  # noqa: B039 - an immutable tuple
)


# How many functional transforms (grad, value_and_grad, hessian) are running f right
# now: an inner transform keeps its result's graph, so the outer one can differentiate it.
_TRANSFORM_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar(
    "valuegrad_transform_depth", default=0
)


class AnomalyError(FloatingPointError):
    """An op produced NaN or inf while `detect_anomaly()` was on."""


# True while `autograd.compile` traces a function: then a Value's data must not
# decide Python control flow, or the compiled code would freeze the branch taken.
_TRACING: contextvars.ContextVar[bool] = contextvars.ContextVar("valuegrad_tracing", default=False)


class TracingError(TypeError):
    """A Value was used as a Python bool or number while `compile` traced a function."""


def is_tracing() -> bool:
    """Whether `autograd.compile` is tracing a function here and now."""
    return _TRACING.get()


def _concrete(what: str) -> None:
    """Refuse `what` (a comparison, bool(), float(), ...) on a Value while tracing."""
    if _TRACING.get():
        raise TracingError(
            f"compile: {what} on a Value while tracing: the compiled code would keep the "
            "branch (or number) taken now, and be silently wrong for other data. "
            "Use relu() or abs() for a choice that depends on data, or call the "
            "function without compile()."
        )


class _ModeSwitch:
    """A context manager (and decorator) that sets the mode for its block.

    As a decorator it works with or without parentheses (`@no_grad` and
    `@no_grad()`); on a generator function the mode holds while the generator
    runs (each time it resumes), not while it is merely created, as in PyTorch.
    """

    def __new__(cls, fn: Callable | None = None):
        self = super().__new__(cls)
        if fn is None:
            return self
        if not callable(fn):
            raise TypeError(f"{cls.__name__}() takes no arguments, got {type(fn).__name__}")
        return self(fn)  # used as @no_grad, without parentheses

    def _enter_mode(self, mode: _Mode) -> _Mode:
        raise NotImplementedError

    def __enter__(self):
        self._tokens = getattr(self, "_tokens", [])
        self._tokens.append(_MODE.set(self._enter_mode(_MODE.get())))
        return self

    def __exit__(self, *exc: object) -> None:
        _MODE.reset(self._tokens.pop())

    def __call__(self, fn: F) -> F:
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(type(self), fn)  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _wrap_generator(switch: type[_ModeSwitch], fn: Callable) -> Callable:
    """`fn`, a generator function, with each step of its generator run under `switch()`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            with switch():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with switch():
                        gen.close()
                    raise
                except BaseException as e:
                    with switch():
                        response = gen.throw(e)
                else:
                    with switch():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return wrapper


class no_grad(_ModeSwitch):  # noqa: N801 - named as in PyTorch
    """Ops inside build no graph: their results are leaves with no parents and no closure."""

    def _enter_mode(self, mode: _Mode) -> _Mode:
        _concrete("no_grad()")  # its results would be leaves with numbers frozen at trace time
        return mode._replace(grad=False)


class enable_grad(_ModeSwitch):  # noqa: N801 - named as in PyTorch
    """Record the graph again inside a `no_grad` block."""

    def _enter_mode(self, mode: _Mode) -> _Mode:
        return mode._replace(grad=True)


class detect_anomaly(_ModeSwitch):  # noqa: N801 - named as in PyTorch
    """Raise `AnomalyError` at the first op whose value or gradient is NaN or inf.

    The error names the op, its inputs and the line of user code that created
    the node. Slow: it records a stack for every node; use it to debug.
    """

    def _enter_mode(self, mode: _Mode) -> _Mode:
        return mode._replace(anomaly={} if mode.anomaly is None else mode.anomaly)


def is_grad_enabled() -> bool:
    """Whether ops record the graph here and now."""
    return _MODE.get().grad


def _user_frame(stack: traceback.StackSummary) -> str:
    here = __file__.rsplit("/", 1)[0]
    for frame in reversed(stack):
        if not frame.filename.startswith(here):
            return (
                f'File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}'
            )
    return "(inside valuegrad)"


def _describe(node: Any) -> str:
    ins = ", ".join(f"{p.data!r}" for p in node._prev) or "no inputs"
    const = "" if node._ctx is None else f" with constant {node._ctx!r}"
    return f"{node._op or 'leaf'}({ins}){const}"


def _slope(node: Any, i: int) -> str:
    """The op table's local slope d out / d (parent i), as a reader writes it, for an error
    message."""
    spec = spec_for(node._op, len(node._prev), node._ctx)
    if spec is None or spec.form == "n":
        return ""
    return f"local slope d out/d {'ab'[i]} = {spec.dmath[i]} where out = {spec.math}, times the "


def _record(node: Any) -> None:
    """Anomaly mode: remember where `node` was made, and fail on a non-finite value."""
    stack = traceback.extract_stack()[:-2]
    if not math.isfinite(node.data):
        raise AnomalyError(
            f"forward: {_describe(node)} gave {node.data!r}\ncreated at {_user_frame(stack)}"
        )
    _MODE.get().anomaly[id(node)] = (node, stack)


def _anomaly_check(node: Any) -> None:
    """Anomaly mode: fail if `node`'s closure gave a parent a non-finite gradient."""
    for i, p in enumerate(node._prev):
        if isinstance(p.grad, float) and not math.isfinite(p.grad):
            seen = _MODE.get().anomaly.get(id(node))
            where = _user_frame(seen[1]) if seen and seen[0] is node else "(outside detect_anomaly)"
            raise AnomalyError(
                f"backward: {_describe(node)} passed gradient {p.grad!r} to its input "
                f"{p.data!r} ({_slope(node, i)}upstream grad {node.grad!r})\ncreated at {where}"
            )
