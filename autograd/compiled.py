"""`compile(fn)`: trace a function of `Value`s once, then run it as straight-line Python.

    loss_fn = autograd.compile(loss_fn)   # the one-line change
    loss = loss_fn(X, y)                  # a Value, as before
    loss.backward()                       # fills .grad of the parameters, as before

The first call with a given shape of arguments runs `fn` on `Value`s while
tracing, writes the graph's forward and backward pass as Python with
`autograd.emit` (expressions from the op table), and compiles it in chunks.
Later calls with new numbers run that code without building a graph.

What is fixed at trace time and what is not:
- every argument (numbers and `Value`s, in lists and tuples) is an input: new
  values give new results; a different shape (length of a list, a number where
  a `Value` was) traces again, logged at debug level on the "valuegrad.compile"
  logger;
- `Value`s the function reaches without taking them as arguments (a model's
  parameters) are read afresh on every call and receive gradients on backward;
- plain numbers it reads from elsewhere, and the number of iterations of its
  loops, are constants of the compiled code;
- a `Value` in `if`, `<`, `bool()`, `float()`, and `no_grad()` or `detach()`
  raise `TracingError` while tracing: the branch would be frozen. relu, abs and
  the edge cases of pow, sqrt and division are data-dependent *inside* ops and
  stay exact. Reading `.data` inside the function cannot be detected: don't.
- only the ops the result depends on are compiled: an op whose result is unused
  is not run again, so its domain error (log of a negative, say) is not raised;
- an op with no entry in the op table (a micrograd-style custom op) makes
  `compile` warn once and run the function with the engine: never a wrong number.

No `eval` or `exec`: each chunk is the source of a module holding one `def`,
passed to the builtin `compile()`; the function's code object is taken from the
module's constants and bound to the op table's helper functions.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import CodeType, FunctionType
from typing import Any

from .domain import as_float
from .emit import Line, NotCompilableError, Straight, render, straight_line
from .engine import Value, _node
from .gcpause import gc_paused
from .higher import register_rule
from .modes import _MODE, _TRACING, TracingError, _Mode
from .opspec import FUNCTIONS

__all__ = ["compile", "Compiled", "TracingError", "CompileWarning", "TraceInfo"]

log = logging.getLogger("valuegrad.compile")

# reads (a statement counts one more) per generated function: compile() time and memory
# stay linear. Measured on the moons step: 8,000 reads compile no faster per line than
# 32,000 once loads are one statement, and each boundary costs the steady step loads and
# stores (32,000: 6% faster steps than 16,000)
CHUNK_COST = 32000
_GLOBALS: dict[str, Any] = {"__builtins__": {}, **FUNCTIONS}
_CODE: OrderedDict[str, CodeType] = OrderedDict()  # source digest -> code, for the process
_CODE_MAX = 4096


class CompileWarning(UserWarning):
    """`compile` could not write a function out and runs it with the engine instead."""


@dataclass
class TraceInfo:
    """What one trace produced and what it cost (CPU seconds of this process)."""

    shape: str  # the arguments' shape, in brief
    ops: int
    lines: int
    chunks: int
    emit_seconds: float
    compile_seconds: float


@dataclass
class _Program:
    """Compiled chunks and where their inputs and outputs sit in the list `S`.

    S holds: the flattened arguments' data, the fixed Values' data, the seed,
    the wanted leaves' gradients (arguments first, then fixed Values), then
    whatever crosses chunks.
    """

    forward: list[FunctionType]
    backward: list[FunctionType]
    n_slots: int
    root: int  # slot of the output's value
    seed: int  # slot of the output's gradient; the gradients follow it
    fixed: list[Value]  # the leaves that are not arguments (parameters), in slot order
    arg_wanted: list[int]  # the flat index of each argument that gets a gradient
    fixed_wanted: list[Value]  # the fixed leaves that get a gradient
    fixed_ids: frozenset[int] = frozenset()  # ids of `fixed`, to spot one passed as argument
    # vmap's dense layers: (slot of a matrix summed over samples, the wanted leaves' indices
    # among the gradients, their flat indices in the matrix)
    summed: list[tuple[int, list[int], list[int]]] = field(default_factory=list)
    info: TraceInfo = field(repr=False, default=None)  # type: ignore[assignment]


_FALLBACK = object()


def _function(
    source: str, name: str, glob: dict[str, Any] = _GLOBALS, defaults: tuple = ()
) -> FunctionType:
    """The one `def` of `source` as a function over the op table's helpers (no exec);
    `defaults` are its parameters' defaults after `S`."""
    key = hashlib.sha256(source.encode()).hexdigest()
    code = _CODE.get(key)
    if code is None:
        module = builtins.compile(source, f"<valuegrad {name}>", "exec")
        (code,) = [c for c in module.co_consts if isinstance(c, CodeType)]
        _CODE[key] = code
        if len(_CODE) > _CODE_MAX:
            _CODE.popitem(last=False)
    else:
        _CODE.move_to_end(key)
    return FunctionType(code, glob, name, defaults or None)


def _groups(lines: list[Line]) -> list[list[Line]]:
    """`lines` cut into runs of about CHUNK_COST reads (a statement counts one more)."""
    groups: list[list[Line]] = []
    start, cost = 0, 0
    for k, line in enumerate(lines):
        cost += len(line.reads) + 1
        if cost >= CHUNK_COST:
            groups.append(lines[start : k + 1])
            start, cost = k + 1, 0
    if start < len(lines):
        groups.append(lines[start:])
    return groups


def _chunks(sl: Straight, layout: list[int]) -> tuple[list[tuple[str, tuple]], ...]:
    """Sources (with their defaults) of the forward and backward chunk functions, and each
    variable's slot.

    Inside a chunk, variables are locals; a value crossing chunks (or the
    forward/backward boundary) goes through the list `S`, at its slot: a chunk
    starts with one statement unpacking what it reads from S (an
    `operator.itemgetter` of their slots, the default of its parameter `L`), and
    ends by storing what later chunks read, a slice at a time where slots run on.
    """
    groups = _groups(sl.forward)
    n_fwd = len(groups)
    groups += _groups(sl.backward)
    n = len(sl.names)
    first = [-1] * n  # chunk of a variable's first plain assignment (-1: an input)
    last = [-1] * n  # last chunk that reads or updates it
    inputs = set(layout)
    for k, group in enumerate(groups):
        for line in group:
            for r in line.reads:
                last[r] = k
            if first[line.target] == -1 and line.target not in inputs:
                first[line.target] = k
    end = len(groups)
    outputs = (sl.root, *sl.grads, *(v for v, _ in sl.summed))
    for v in outputs:
        last[v] = end
    slot = [-1] * n
    for i, v in enumerate(layout):  # the inputs' slots, given (-1: a slot without a variable)
        if v >= 0:
            slot[v] = i
    n_slots = len(layout)
    sources = []
    names = sl.names
    for k, group in enumerate(groups):
        used: dict[int, None] = {}
        written: dict[int, None] = {}
        for line in group:
            for r in line.reads:
                used[r] = None
            written[line.target] = None
        loads = [v for v in used if first[v] != k]
        stores = [v for v in written if last[v] > k]
        for v in (*loads, *stores):
            if slot[v] < 0:
                slot[v] = n_slots
                n_slots += 1
        head, defaults = "def chunk(S):", ()
        body = []
        if len(loads) == 1:
            body.append(f"    {names[loads[0]]} = S[{slot[loads[0]]}]")
        elif loads:
            head, defaults = "def chunk(S, L):", (itemgetter(*[slot[v] for v in loads]),)
            body.append(f"    {', '.join(names[v] for v in loads)} = L(S)")
        body += [f"    {render(line, sl.names)}" for line in group]
        body += [f"    {store}" for store in _stores(stores, slot, names)]
        sources.append((head + "\n" + "\n".join(body) + "\n", defaults))
    for v in outputs:  # never taken: each output is in the layout or written by a line
        if slot[v] < 0:
            slot[v], n_slots = n_slots, n_slots + 1
    slot.append(n_slots)  # the total, at the end
    return sources[:n_fwd], sources[n_fwd:], slot


def _stores(stores: list[int], slot: list[int], names: list[str]) -> list[str]:
    """Statements putting the variables `stores` in their slots of S: one slice assignment
    per run of consecutive slots."""
    stores = sorted(stores, key=slot.__getitem__)
    out = []
    i = 0
    while i < len(stores):
        j = i + 1
        while j < len(stores) and slot[stores[j]] == slot[stores[i]] + (j - i):
            j += 1
        if j - i == 1:
            out.append(f"S[{slot[stores[i]]}] = {names[stores[i]]}")
        else:
            values = ", ".join(names[v] for v in stores[i:j])
            out.append(f"S[{slot[stores[i]]}:{slot[stores[j - 1]] + 1}] = {values}")
        i = j
    return out


def _flatten(args: Sequence[Any]) -> tuple[list[Any], tuple]:
    """The numbers and Values in `args` (nested lists and tuples), and the shape."""
    flat: list[Any] = []
    shape: list = []
    stack: list[Any] = [tuple(args)]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            shape.append((type(item).__name__, len(item)))
            stack.extend(reversed(item))
        elif isinstance(item, Value):
            flat.append(item)
            shape.append("v")
        else:
            flat.append(as_float(item, "compile() argument"))
            shape.append("f")
    return flat, tuple(shape)


def _rebuild(args: Sequence[Any], flat: list[Any]) -> list[Any]:
    """`args` with each number or Value replaced by the next item of `flat`."""
    it = iter(flat)

    def build(item):
        if isinstance(item, (list, tuple)):
            return type(item)(build(x) for x in item) if type(item) in (list, tuple) else (
                type(item)(*[build(x) for x in item])
            )  # fmt: skip
        return next(it)

    return [build(a) for a in args]


def _refuse_higher(out: Value, g: Any) -> Sequence[Any]:
    raise NotImplementedError(
        "create_graph through a compiled function: its code computes first derivatives "
        "only; call the function without compile() for higher derivatives"
    )


register_rule("compiled", _refuse_higher)
register_rule("vmap", _refuse_higher)


class Compiled:
    """A function of `Value`s traced once per shape of its arguments and run as compiled code."""

    def __init__(self, fn: Callable[..., Value]) -> None:
        if not callable(fn):
            raise TypeError(
                f"autograd.compile needs a function, got {type(fn).__name__} "
                "(for Python's builtin compile() use builtins.compile)"
            )
        self.fn = fn
        self.traces: list[TraceInfo] = []  # one per trace, the newest last
        self._programs: dict[tuple, Any] = {}
        self._warned = False
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", "compiled")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __repr__(self) -> str:
        return f"<compiled {self.__name__}: {len(self._programs)} traced shape(s)>"

    # -- calling --------------------------------------------------------

    def __call__(self, *args: Any) -> Value:
        """fn(*args) as a Value; its backward() fills the gradients of the Values behind it."""
        if _MODE.get().anomaly is not None:  # detect_anomaly checks every op: use the engine
            return self.fn(*args)
        flat, shape = _flatten(args)
        key = (*shape, *_aliases(flat))
        prog = self._programs.get(key)
        if prog is None:
            prog = self._trace(args, flat, key, grads_of_numbers=False)
        if prog is _FALLBACK:
            return self.fn(*args)
        if prog.fixed_ids and any(id(x) in prog.fixed_ids for x in flat):
            # an argument the function also reaches from outside: one leaf, as in the engine
            shared = tuple(i for i, x in enumerate(flat) if id(x) in prog.fixed_ids)
            key = (*key, ("shared", shared))
            prog = self._programs.get(key)
            if prog is None:
                prog = self._trace(args, flat, key, grads_of_numbers=False, shared=shared)
            if prog is _FALLBACK:
                return self.fn(*args)  # never, in practice: the plain trace compiled
        S = self._forward(prog, flat)
        parents = (*[flat[i] for i in prog.arg_wanted], *prog.fixed_wanted)
        lo, hi = prog.seed + 1, prog.seed + 1 + len(parents)

        def _backward(g: float) -> None:
            S[prog.seed] = g
            S[lo:hi] = [p.grad for p in parents]
            for f in prog.backward:
                f(S)
            for p, grad in zip(parents, S[lo:hi]):
                p.grad = grad

        return _node(S[prog.root], parents, "compiled", _backward)

    def value_and_grad(self, *args: Any) -> tuple[float, Any]:
        """(fn(*args) as a float, d/d each argument, nested as the arguments are).

        Numbers and Values alike get a gradient; no `.grad` is touched.
        """
        flat, shape = _flatten(args)
        key = (*shape, "value_and_grad")
        prog = self._programs.get(key)
        if prog is None:
            prog = self._trace(args, flat, key, grads_of_numbers=True)
        if prog is _FALLBACK:
            from .higher import gradients

            leaves = [Value(x.data if isinstance(x, Value) else x) for x in flat]
            out = self.fn(*_rebuild(args, leaves))
            return out.data, _rebuild(args, gradients(out, leaves))
        S = self._forward(prog, flat)
        lo, hi = prog.seed + 1, prog.seed + 1 + len(prog.arg_wanted)  # no fixed_wanted here
        S[prog.seed] = 1.0
        S[lo:hi] = [0.0] * (hi - lo)
        for f in prog.backward:
            f(S)
        grads = [0.0] * len(flat)
        for i, grad in zip(prog.arg_wanted, S[lo:hi]):
            grads[i] = grad
        return S[prog.root], _rebuild(args, grads)

    @staticmethod
    def _forward(prog: _Program, flat: list[Any]) -> list:
        S = [x if type(x) is float else x.data for x in flat]
        if prog.fixed:
            S += [p.data for p in prog.fixed]
        S += [0.0] * (prog.n_slots - len(S))
        for f in prog.forward:
            f(S)
        return S

    # -- tracing ---------------------------------------------------------

    def _trace(
        self,
        args: Sequence[Any],
        flat: list[Any],
        key: tuple,
        grads_of_numbers: bool,
        shared: tuple[int, ...] = (),
        columns: dict[str, Any] | None = None,
        mapped: Sequence[bool] = (),
    ):
        what = "traces again" if self._programs else "traces"
        log.debug("compile: %s %s for arguments of shape %s", self.__name__, what, _brief(key))
        leaves: list[Value] = []
        first: dict[int, Value] = {}  # id of an argument Value -> its leaf (one per Value)
        for i, x in enumerate(flat):
            if not isinstance(x, Value):
                leaves.append(Value(x))
            elif grads_of_numbers:  # value_and_grad: d/d each position
                leaves.append(Value(x.data))
            else:
                if id(x) not in first:
                    first[id(x)] = x if i in shared else Value(x.data)
                leaves.append(first[id(x)])
        traced = _rebuild(args, leaves)
        t0 = time.process_time()
        young: set[int] = set()  # the ids of the op nodes the function makes
        with gc_paused():
            tracing = _TRACING.set(True)
            mode = _MODE.set(_Mode(True, None, young))
            try:
                out = self.fn(*traced)
            except NotCompilableError as e:  # e.g. bce's targets passed as arguments
                return self._fall_back(key, e)
            finally:
                _MODE.reset(mode)
                _TRACING.reset(tracing)
        # an op node the function reached that it did not make was made before the call
        # (a closure over a non-leaf Value): an input, read afresh, as for the engine
        cut = _old_ops(out, young) if isinstance(out, Value) else set()
        del young
        if not isinstance(out, Value):
            raise TypeError(
                f"compile: {self.__name__} returned {type(out).__name__}, not a Value "
                "(a compiled function returns one scalar Value, such as a loss)"
            )
        index: dict[Value, int] = {}
        for i, leaf in enumerate(leaves):
            index.setdefault(leaf, i)
        is_number = [not isinstance(x, Value) for x in flat]
        try:
            # every leaf is an input; gradients for Value arguments and for the Values
            # reached from outside (parameters); for numbers only in value_and_grad
            sl = straight_line(
                out,
                None,
                wanted=lambda v: v not in index or grads_of_numbers or not is_number[index[v]],
                readable=False,
                cut=cut,
                mapped={leaves[i] for i, m in enumerate(mapped) if m} if columns else None,
            )
        except NotCompilableError as e:
            return self._fall_back(key, e)
        del out, traced  # the traced graph: freed now (no cycles), before compiling
        t1 = time.process_time()
        leaf_var = dict(zip(sl.leaves, sl.inputs))
        grad_var = {sl.leaves[i]: g for i, g in zip(sl.wanted, sl.grads)}  # = the prior grad
        fixed = [v for v in sl.leaves if v not in index]
        arg_wanted = [i for leaf, i in index.items() if leaf in grad_var]
        fixed_wanted = [v for v in fixed if v in grad_var]
        layout = [leaf_var.get(leaf, -1) for leaf in leaves] + [leaf_var[v] for v in fixed]
        layout.append(sl.seed)
        layout += [grad_var[leaves[i]] for i in arg_wanted] + [grad_var[v] for v in fixed_wanted]
        if columns is not None:  # vmap: the same lines over numpy columns
            from .columns import vectorize

            for line in (*sl.forward, *sl.backward):
                line.rhs = vectorize(line.rhs)
        glob = _GLOBALS if columns is None else columns
        fwd_src, bwd_src, slot = _chunks(sl, layout)
        lines = len(sl.forward) + len(sl.backward)
        sl.forward, sl.backward = [], []
        t2 = time.process_time()
        forward = [
            _function(s, f"{self.__name__}: forward {k}", glob, d)
            for k, (s, d) in enumerate(fwd_src)
        ]
        backward = [
            _function(s, f"{self.__name__}: backward {k}", glob, d)
            for k, (s, d) in enumerate(bwd_src)
        ]
        t3 = time.process_time()
        prog = _Program(
            forward=forward,
            backward=backward,
            n_slots=slot[-1],
            root=slot[sl.root],
            seed=slot[sl.seed],
            fixed=fixed,
            arg_wanted=arg_wanted,
            fixed_wanted=fixed_wanted,
            fixed_ids=frozenset(id(v) for v in fixed),
        )
        wanted_at = {v: i for i, v in enumerate([*(leaves[i] for i in arg_wanted), *fixed_wanted])}
        for v, params in sl.summed:
            at = [wanted_at[p] for p, _ in params]
            prog.summed.append((slot[v], at, [i for _, i in params]))
        prog.info = TraceInfo(
            _brief(key),
            sl.n_ops,
            lines,
            len(forward) + len(backward),
            (t1 - t0) + (t2 - t1),
            t3 - t2,
        )
        self.traces.append(prog.info)
        self._programs[key] = prog
        log.debug(
            "compile: %s: %d ops, %d lines in %d chunks; trace and emit %.3f s, compile %.3f s",
            self.__name__,
            sl.n_ops,
            lines,
            prog.info.chunks,
            prog.info.emit_seconds,
            prog.info.compile_seconds,
        )
        return prog

    def _fall_back(self, key: tuple, e: Exception) -> object:
        self._programs[key] = _FALLBACK
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"compile: {self.__name__} runs with the engine, uncompiled: {e}",
                CompileWarning,
                stacklevel=4,
            )
        return _FALLBACK


def _aliases(flat: list[Any]) -> tuple:
    """() when no Value is passed twice; else the first position of each argument's Value."""
    ids = [id(x) for x in flat if type(x) is not float]
    if len(set(ids)) == len(ids):
        return ()
    pos: dict[int, int] = {}
    return (("aliases", tuple(pos.setdefault(id(x), i) for i, x in enumerate(flat))),)


def _old_ops(out: Value, young: set[int]) -> set[Value]:
    """The op nodes behind `out` made before the trace (not in `young`), not looking below them."""
    old: set[Value] = set()
    seen: set[int] = set()
    stack = [out]
    while stack:
        v = stack.pop()
        if v._bw is None or id(v) in seen:
            continue
        seen.add(id(v))
        if id(v) in young:
            stack.extend(v._prev)
        else:
            old.add(v)
    return old


_NOTES = {
    "value_and_grad": "value_and_grad",
    "columns": "over columns (vmap)",
    "aliases": "a Value passed more than once",
    "shared": "an argument the function also reaches",
    "mapped": "",  # vmap's in_axes, told by "columns"
    "list": "",
    "tuple": "",
}


def _brief(key: tuple) -> str:
    """A program's key (the arguments' shape, then notes) in words."""
    numbers, values = key.count("f"), key.count("v")
    lists = sum(type(k) is tuple and k[0] in ("list", "tuple") for k in key) - 1  # not args
    notes = [_NOTES[k if type(k) is str else k[0]] for k in key if k not in ("f", "v")]
    extra = "".join(f", {n}" for n in notes if n)
    return f"{numbers} numbers and {values} Values in {lists} lists{extra}"


def compile(fn: Callable[..., Value]) -> Compiled:  # noqa: A001 - autograd.compile, as torch.compile
    """`fn`, traced once per shape of its arguments and run as compiled straight-line Python.

    Call it as `fn`: it returns a `Value` whose `backward()` fills `.grad` of
    every `Value` argument and every `Value` the function reached otherwise (a
    model's parameters), bit for bit as `fn(...).backward()` would. Usable as a
    decorator. See the module's docstring for what tracing fixes.
    """
    return Compiled(fn)
