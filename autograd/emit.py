"""A graph's forward and backward pass as straight-line Python, written from the op table.

`codegen(root)` gives source a person reads: one line per op, variables named
after labels, each backward line commented with the op's local derivative (the
chain rule written out, as in a step-by-step derivation). `autograd.compile`
uses the same lines, without comments and with short names, to run a graph
again at new values without building it.

Every expression comes from `autograd.opspec` (the one table of ops); the
helper functions it names (`div`, `pow_data`, ...) are the generated code's
only globals. Labels are user text: names are made from them by keeping ASCII
letters, digits and `_`, and they appear elsewhere only in comments, escaped by
`ascii()`. Numbers appear as `repr` of floats or ints, or the names `inf`/`nan`.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import fused
from .engine import Value, _is_custom, topological_order
from .opspec import FUNCTIONS, OpSpec, spec_for

__all__ = ["codegen", "NotCompilableError", "Straight", "straight_line"]

_PLACEHOLDERS = frozenset({"a", "b", "c", "out", "g", "w", "x"})
MAX_TERMS = 64  # terms of a variadic op per source line (a longer fold continues on the next)


class NotCompilableError(TypeError):
    """The graph has an op without an entry in the op table (or a custom closure)."""


# -- the table's expressions as format strings --------------------------------


@functools.cache
def _template(expr: str) -> tuple[str, tuple[str, ...]]:
    """A table expression as a format string with `{a}`, `{g}`, ... for its placeholders,
    and the placeholders it uses, each once.

    What is substituted is always an atom (a name, or a literal in parentheses
    when negative), so Python's precedence keeps the expression's meaning.
    """
    tree = ast.parse(expr, mode="eval")
    used: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in _PLACEHOLDERS:
                used[node.id] = None
                node.id = f"\x00{node.id}\x00"
            elif node.id not in FUNCTIONS:
                raise ValueError(f"opspec: the name {node.id!r} in {expr!r} is not in FUNCTIONS")
    text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")
    return re.sub("\x00([a-z]+)\x00", r"{\1}", text), tuple(used)


def _fill(
    expr: str, env: dict[str, int], reads: list[int], lit: tuple | None = None, term: bool = False
) -> str:
    """`expr` with its placeholders replaced: a variable (an id in `env`) becomes a
    positional field `{k}` for `reads[k]` (appended); `lit`, (placeholder, literal
    text), goes in as text. `term`: parenthesised where it could not be a term of a sum."""
    key = (expr, len(reads), lit, term)
    hit = _FILLED.get(key)
    if hit is None:
        fmt, used = _template(expr)
        subst, names, k = {}, [], len(reads)
        for name in used:
            if lit is not None and name == lit[0]:
                subst[name] = lit[1]
            else:
                subst[name] = f"{{{k}}}"
                names.append(name)
                k += 1
        text = fmt.format(**subst)
        if term and not _atomic(expr):
            text = f"({text})"
        hit = text, tuple(names)
        if len(_FILLED) > _FILLED_MAX:  # many distinct constants: start again
            _FILLED.clear()
        _FILLED[key] = hit
    for name in hit[1]:
        reads.append(env[name])
    return hit[0]


_FILLED: dict[tuple, tuple[str, tuple[str, ...]]] = {}
_FILLED_MAX = 100_000


@functools.cache
def _fold(expr: str) -> tuple[str, str]:
    """A variadic op's forward template `acc + term` as (accumulator name, term expression)."""
    tree = ast.parse(expr, mode="eval").body
    ok = (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.op, ast.Add)
        and isinstance(tree.left, ast.Name)
        and (
            isinstance(tree.right, (ast.Name, ast.Call, ast.Constant))
            or (isinstance(tree.right, ast.BinOp) and isinstance(tree.right.op, ast.Mult))
        )
    )
    if not ok:
        raise ValueError(f"opspec: the variadic template {expr!r} is not of the form `acc + term`")
    return tree.left.id, ast.unparse(tree.right)


def literal(c: object) -> str:
    """A constant as Python source: repr of a float or int, inf/nan by name; negatives
    parenthesised. Anything else (a Fraction, a huge int) is refused."""
    if type(c) is float and c - c == 0.0:  # finite: the common case first
        text = repr(c)
        return f"({text})" if text[0] == "-" else text
    if isinstance(c, bool):
        c = int(c)
    if isinstance(c, float):
        c = float(c)  # a subclass (numpy.float64) as the float it is
        if math.isnan(c):
            return "nan"
        text = repr(c) if math.isfinite(c) else ("inf" if c > 0 else "-inf")
    elif isinstance(c, int) and abs(c) < 2**63:
        text = repr(int(c))
    else:
        raise NotCompilableError(f"the constant {type(c).__name__} {c!r:.40} has no literal form")
    return f"({text})" if text.startswith("-") else text


# -- names ---------------------------------------------------------------------

_OPNAMES = {"+": "add", "-": "sub", "*": "mul", "/": "quot", "**": "pow", "ReLU": "relu",
            "linear": "lin", "sum": "total"}  # fmt: skip
_RESERVED = set(FUNCTIONS) | {"S", "forward_backward", "seed"}


class _Namer:
    """Unique Python identifiers for values, each with a free `grad_` twin."""

    def __init__(self) -> None:
        self.used: set[str] = set(_RESERVED)
        self.counts: dict[str, int] = {}

    def claim(self, base: str) -> str:
        name, k = base, 1
        while name in self.used or f"grad_{name}" in self.used or keyword.iskeyword(name):
            k += 1
            name = f"{base}_{k}"
        self.used.update((name, f"grad_{name}"))
        return name

    def numbered(self, base: str) -> str:
        k = self.counts.get(base, 0) + 1
        self.counts[base] = k
        return self.claim(f"{base}{k}")


def sanitize(label: str) -> str:
    """An identifier made from a label (ASCII letters, digits, `_`), or '' if none is left.

    Operator signs go, spaces become `_`: the lecture's 'x1*w1 + x2*w2' is `x1w1_x2w2`.
    """
    name = re.sub(r"[^A-Za-z0-9_\s]+", "", label)
    name = re.sub(r"[\s_]+", "_", name).strip("_")[:32].rstrip("_")
    if name and name[0].isdigit():
        name = f"v_{name}"
    return name


def _show(label: str) -> str:
    """A label as it may appear in a comment: escaped, one line, short."""
    text = ascii(label)
    return text if len(text) <= 42 else text[:39] + "..."


# -- the graph as lines -------------------------------------------------------


@dataclass(slots=True)
class Line:
    """`target = rhs` (or `target += rhs`): one statement of the generated code."""

    target: int  # a variable id
    reads: tuple[int, ...]
    rhs: str  # a format string: field {k} is the variable reads[k]
    comment: str = ""
    augment: bool = False  # codegen only: compile writes `g = g + ...`, never `+=`


@dataclass
class Straight:
    """A graph as straight-line code: variables, forward lines, backward lines."""

    names: list[str] = field(default_factory=list)  # variable id -> identifier
    inputs: list[int] = field(default_factory=list)  # the leaf values' variables, in order
    leaves: list[Value] = field(default_factory=list)  # the leaves, in the order of `inputs`
    forward: list[Line] = field(default_factory=list)
    backward: list[Line] = field(default_factory=list)
    root: int = -1  # the output's variable
    seed: int = -1  # the variable holding the output's gradient (compile mode)
    grads: list[int] = field(default_factory=list)  # d root / d leaf, for each wanted leaf
    wanted: list[int] = field(default_factory=list)  # indices into `leaves`
    n_ops: int = 0
    # vmap's dense layers: (variable of a matrix summed over samples, [(leaf, flat index)])
    summed: list[tuple[int, list[tuple[Value, int]]]] = field(default_factory=list)


_SPECS: dict[tuple, OpSpec | None] = {}  # spec_for by (op, number of parents, no constant)


def _spec(node: Value) -> OpSpec:
    custom = _is_custom(node)
    key = (node._op, len(node._prev), node._ctx is None)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = spec_for(node._op, len(node._prev), node._ctx)
    if custom:
        spec = None
    if spec is not None and spec.form == "n" and not isinstance(node._ctx, tuple):
        raise NotCompilableError(f"the op {node._op!r} kept no record of its terms (_ctx)")
    if spec is None:
        raise NotCompilableError(
            f"the op {node._op!r} (a node with {len(node._prev)} inputs"
            f"{', a custom _backward' if custom else ''}) has no entry in the op "
            "table autograd.opspec, so it cannot be written out as code"
        )
    return spec


def straight_line(
    root: Value,
    inputs: Sequence[Value] | None = None,
    wanted: Sequence[Value] | Callable[[Value], bool] | None = None,
    *,
    readable: bool = True,
    cut: set[Value] | frozenset[Value] = frozenset(),
    mapped: set[Value] | None = None,
) -> Straight:
    """The lines computing `root` and d root / d leaf for each leaf in `wanted`.

    `inputs` are the leaves that become variables fed from outside (default:
    every leaf); other leaves become constants. `wanted` (leaves, or a test of
    a leaf) defaults to `inputs`.
    `readable=False` (for compile) names variables `v1`, `g1`, ..., writes no
    comments, and adds a seed variable and one prior-gradient variable per
    wanted leaf, so a leaf's gradient accumulates exactly as `backward()` does.
    `cut`: op nodes taken as leaves (Values made before a trace: inputs, as for the engine).
    `mapped` (vmap, with `readable=False`): the leaves holding one entry per sample; dense
    layers are then written as matrix products over numpy columns (`autograd.fused`).
    """
    if not isinstance(root, Value):
        raise TypeError(f"codegen needs a Value, got {type(root).__name__}")
    if cut:
        ops = _cut_order(root, cut)
        leaf_ids = {id(v) for v in cut}

        def is_leaf(v: Value) -> bool:
            return v._bw is None or id(v) in leaf_ids
    else:
        ops = topological_order(root, leaves=False) if root._bw is not None else []

        def is_leaf(v: Value) -> bool:
            return v._bw is None

    specs = [_spec(v) for v in ops]
    reading = _reading_order(root) if readable else ops
    leaves: list[Value] = []  # in order of first use by an op (as a reader meets them)
    seen: set[Value] = set()
    for v in reading:
        for p in v._prev:
            if is_leaf(p) and p not in seen:
                seen.add(p)
                leaves.append(p)
    if is_leaf(root):
        leaves.append(root)
    if inputs is not None:
        for x in inputs:
            if not isinstance(x, Value) or x._bw is not None:
                raise TypeError(f"codegen: an input must be a leaf Value, not {x!r:.60}")
        if len(set(inputs)) < len(inputs):
            raise ValueError(
                "codegen: an input is listed twice; list each leaf once (it gets one gradient)"
            )
        # the inputs in the order given (one the output does not use gets gradient 0), then
        # the other leaves, which become constants
        input_set = set(inputs)
        leaves = [*dict.fromkeys(inputs), *(v for v in leaves if v not in input_set)]
    else:
        input_set = set(leaves)
    if callable(wanted):
        wanted_set = {v for v in leaves if wanted(v)}
    else:
        wanted_set = input_set if wanted is None else set(wanted)

    out = Straight()
    var: dict[Value, int] = {}
    namer = _Namer()

    all_names = out.names

    def new_var(name: str) -> int:
        all_names.append(name)
        return len(all_names) - 1

    # names: labelled nodes first, so a label keeps its spelling
    names: dict[Value, str] = {}
    if readable:
        for v in [*leaves, *reading]:
            s = sanitize(v.label) if v.label else ""
            if s:
                names[v] = namer.claim(s)
        for v in leaves:
            if v not in names:
                names[v] = namer.numbered("x")
        for v in reading:
            if v not in names:
                names[v] = namer.numbered(_OPNAMES.get(v._op, sanitize(v._op) or "op"))

    def value_name(v: Value) -> str:
        return names[v] if readable else f"v{len(out.names)}"

    def fresh() -> int:
        return new_var(f"v{len(out.names)}")

    layers = fused.find_layers(ops, mapped, is_leaf) if mapped is not None and not readable else {}

    # inputs and constants
    for v in leaves:
        var[v] = new_var(value_name(v))
        if v in input_set:
            out.inputs.append(var[v])
            out.leaves.append(v)
        else:
            note = f"constant{' ' + _show(v.label) if v.label else ''}" if readable else ""
            out.forward.append(Line(var[v], (), literal(v.data), note))
    # forward (any order with parents first gives the same numbers; a reader's is left to right)
    spec_of = dict(zip(ops, specs))
    lits: dict[Value, tuple[str, str]] = {}  # each node's constant operand, as source
    for v in reading:
        if v in layers:
            if layers[v].y < 0:  # the layer's first neuron: the whole layer
                _layer_forward(layers[v], var, lits, spec_of, fresh, out.forward)
            continue
        spec = spec_of[v]
        var[v] = new_var(value_name(v))
        rhs, reads = _forward(v, spec, var, lits)
        note = ""
        if readable:
            shown = _reader(spec.math, v, spec, names) if spec.form != "n" else spec.math
            code = rhs[0].format(*[out.names[r] for r in reads])
            if len(rhs) == 1 and _plain(shown) == _plain(code):
                shown = ""  # the code says it already
            if v.label and sanitize(v.label) != v.label:
                shown += f"{'  ' if shown else ''}label {_show(v.label)}"
            note = f"{spec.op}: {shown}" if shown else ""
        if len(rhs) == 1:
            out.forward.append(Line(var[v], tuple(reads), rhs[0], note))
        else:
            out.forward.extend(_split(var[v], reads, rhs, note))
    out.root = var[root]
    out.n_ops = len(ops)

    # which nodes need a gradient: a wanted leaf lies behind them
    need: set[Value] = {v for v in leaves if v in wanted_set}
    for v in ops:
        if any(p in need for p in v._prev):
            need.add(v)

    # backward, in the engine's order: nodes from the output back, parents in closure order
    grad: dict[Value, int] = {}
    if not readable:
        out.seed = new_var("seed")
        for v in out.leaves:
            if v in wanted_set:
                grad[v] = new_var(f"g{len(out.names)}")  # holds the prior grad first
        _folded_backward(
            out, root, ops, specs, need, wanted_set, var, grad, lits, is_leaf, new_var, layers
        )
    else:
        _readable_backward(
            out, root, ops, specs, need, wanted_set, var, grad, names, lits, is_leaf, new_var
        )
    for i, v in enumerate(out.leaves):
        if v in wanted_set:
            out.wanted.append(i)
            if v not in grad:  # not reached from the output: its gradient is zero
                grad[v] = new_var(f"grad_{names[v]}" if readable else f"g{len(out.names)}")
                out.backward.append(Line(grad[v], (), "0.0", "not used by the output"))
            out.grads.append(grad[v])
    return out


def _readable_backward(out, root, ops, specs, need, wanted_set, var, grad, names, lits, is_leaf,
                       new_var) -> None:  # fmt: skip
    """codegen's backward lines: one per contribution, commented, `+=` after the first."""
    first: set[Value] = set()  # nodes whose gradient has been assigned once
    if root in need or root in wanted_set:
        g = grad[root] = new_var(f"grad_{names[root]}")
        if is_leaf(root):  # the output is a leaf
            out.backward.append(Line(g, (), "1.0", "the output's own slope"))
        else:
            out.backward.append(Line(g, (), "1.0", f"∂{names[root]}/∂{names[root]} = 1"))
    for v, spec in zip(reversed(ops), reversed(specs)):
        if v not in need:
            continue
        terms = _terms(v, spec, var, grad[v], lits)
        for (parent, expr, env, lit), note in zip(terms, _notes(v, spec, names)):
            if parent not in need:
                continue
            reads: list[int] = []
            rhs = _fill(expr, env, reads, lit)
            if parent not in grad:
                grad[parent] = new_var(f"grad_{names[parent]}")
            out.backward.append(
                Line(grad[parent], tuple(reads), rhs, note, augment=parent in first)
            )
            first.add(parent)


FOLD_TERMS = 5000  # terms written between flushes of every partial sum (keeps chunks local)


def _folded_backward(out, root, ops, specs, need, wanted_set, var, grad, lits, is_leaf,
                     new_var, layers) -> None:  # fmt: skip
    """compile's backward lines: each gradient summed in one expression per run of its terms.

    The engine adds an op node's gradient up from 0.0 (`0.0 + t1 + t2 + ...`, left to right,
    in the order its backward visits the children) and a leaf's onto its prior `.grad`
    (`g + t1 + ...`). A term's value does not depend on when it is computed, so writing the
    terms of a run in one left-to-right sum gives the same floats as one `+=` per term. A
    run ends where the node's own contributions are written (a node), at MAX_TERMS terms,
    or every FOLD_TERMS terms (so a sum reads only recent variables); the next run goes on
    from the partial sum: `g = g + t...`, never `g += t1 + t2`, which would add t1 + t2 first.
    `0.0 + t1` is t1 unless t1 is -0.0; a sum that starts from 0.0 is never -0.0, so a node's
    gradient is never -0.0 (but the seed may be), and a first term that passes on such a
    gradient or 0.0 (`g`, relu's `g if ... else 0.0`) starts the sum without `0.0 +`. A
    gradient that is one such term with no arithmetic (`g`: an add's operand) is no new
    variable: the terms read the child's. A dense layer (`layers`, vmap's) passes its terms
    back at its first neuron, when every neuron's gradient is final.
    """
    pending: dict[Value, tuple[list[str], list[int]]] = {}  # node -> (terms, reads) of its run
    started: set[Value] = set()  # gradient variables that hold a partial sum (or a prior)
    lines = out.backward
    since = 0  # terms written since the last flush of everything

    def flush(p: Value, final: bool = False) -> None:
        parts, reads = pending.pop(p)
        if final and parts[0] == "{0}" and len(parts) == 1 and p not in started:
            grad[p] = reads[0]  # a copy of a gradient that is never -0.0: read it where it is
            return
        started.add(p)
        lines.append(Line(grad[p], tuple(reads), " + ".join(parts)))

    def start(parent: Value, expr: str, g: int) -> tuple[list[str], list[int]]:
        """The run of `parent`'s gradient that a term goes on."""
        run = pending.get(parent)
        if run is None:
            gp = grad.get(parent)
            if gp is None:
                gp = grad[parent] = new_var(f"g{len(out.names)}")
            if parent in started or is_leaf(parent):
                run = pending[parent] = (["{0}"], [gp])
            elif g != out.seed and expr and _passes_on(expr):
                run = pending[parent] = ([], [])
            else:
                run = pending[parent] = (["0.0"], [])
        return run

    if root in need or root in wanted_set:
        if is_leaf(root):  # the output is a leaf (an argument): seed onto its prior
            if root in grad:
                pending[root] = (["{0}", "{1}"], [grad[root], out.seed])
        else:
            grad[root] = out.seed
    for v, spec in zip(reversed(ops), reversed(specs)):
        if v not in need:
            continue
        if v in pending:
            flush(v, final=True)
        layer = layers.get(v)
        if layer is not None:
            if v is next(n for n in layer.neurons if n in need):  # every gradient is final
                for x, dx, i in _layer_backward(out, layer, grad, need, wanted_set, lits, new_var):
                    parts, reads = start(x, "", -1)
                    parts.append(f"{{{len(reads)}}}[{i}]")
                    reads.append(dx)
                    if len(parts) > MAX_TERMS:
                        flush(x)
                    since += 1
            continue
        for parent, expr, env, lit in _terms(v, spec, var, grad[v], lits):
            if parent not in need:
                continue
            parts, reads = start(parent, expr, env["g"])
            parts.append(_fill(expr, env, reads, lit, True))
            if len(parts) > MAX_TERMS:
                flush(parent)
            since += 1
        if since > FOLD_TERMS:
            for p in list(pending):
                flush(p)
            since = 0
    for p in list(pending):
        flush(p)


def _layer_forward(layer, var, lits, spec_of, fresh, lines: list[Line]) -> None:
    """A dense layer's forward lines (`autograd.fused`): its neurons' (or their
    activations') variables are rows of one matrix."""
    k = len(layer.xs)
    if layer.source is None:
        layer.x = fresh()
        lines.append(Line(layer.x, tuple(var[x] for x in layer.xs), f"layer_rows({_fields(k)})"))
    else:  # the matrix of the layer before, its rows in this layer's order
        src, perm = layer.source
        at, rows = src.y if src.act is None else src.u, fused.permute(perm)
        layer.x = fresh() if rows else at
        if rows:
            lines.append(Line(layer.x, (at,), "{0}" + rows))
    flat = tuple(var[w] for ws in layer.weights for w in ws)
    layer.w = fresh()
    lines.append(Line(layer.w, flat, f"layer_matrix({k}, {_fields(len(flat))})"))
    reads, bias = (layer.w, layer.x), "None"
    if layer.biases is not None:
        biases = fresh()
        m = len(layer.biases)
        lines.append(
            Line(biases, tuple(var[b] for b in layer.biases), f"layer_matrix(1, {_fields(m)})")
        )
        reads, bias = (*reads, biases), "{2}"
    layer.y = fresh()
    lines.append(Line(layer.y, reads, f"layer_forward({{0}}, {bias}, {{1}})"))
    at = layer.y
    if layer.act is not None:  # the activation on the whole matrix, as on one neuron
        u = layer.act[0]
        rhs, r = _forward(u, spec_of[u], {layer.neurons[0]: layer.y}, lits)
        at = layer.u = fresh()
        lines.append(Line(at, tuple(r), rhs[0]))
    if layer.sink is not None:  # only the next layer reads the rows: it takes the matrix
        return
    for j, v in enumerate(layer.rows):
        var[v] = fresh()
        lines.append(Line(var[v], (at,), f"{{0}}[{j}]"))


def _fields(n: int) -> str:
    return ", ".join(f"{{{k}}}" for k in range(n))


def _layer_backward(out, layer, grad, need, wanted_set, lits, new_var) -> list:
    """A dense layer's backward lines, once every neuron's gradient is final; its inputs'
    terms (input, variable of dX, row) to add to their gradients."""

    def line(reads: tuple[int, ...], rhs: str) -> int:
        target = new_var(f"v{len(out.names)}")
        out.backward.append(Line(target, reads, rhs))
        return target

    if layer.g_from is not None:  # the next layer's dX, in this layer's order
        dx, perm = layer.g_from
        rows = fused.permute(perm)
        g = line((dx,), "{0}" + rows) if rows else dx
    else:
        rows = layer.rows
        reads = tuple(grad[v] for v in rows if v in need)
        it = iter(range(len(reads)))
        each = ", ".join("0.0" if v not in need else f"{{{next(it)}}}" for v in rows)
        g = line(reads, f"layer_rows({each})")
    if layer.act is not None:  # back through the activation, on the whole matrix
        u = layer.act[0]
        spec = _spec(u)
        ((_, expr, env, lit),) = _terms(u, spec, {layer.neurons[0]: layer.y, u: layer.u}, g, lits)
        r: list[int] = []
        rhs = _fill(expr, env, r, lit)
        g = line(tuple(r), rhs)
    terms: list[tuple[Value, int, int]] = []
    if any(x in need for x in layer.xs):
        dx = line((layer.w, g), "{0}.T @ {1}")
        if layer.source is not None:  # the rows of the layer before, whole
            src, perm = layer.source
            inverse = sorted(range(len(perm)), key=perm.__getitem__)
            src.g_from = (dx, inverse)
        else:
            terms = [(x, dx, i) for i, x in enumerate(layer.xs) if x in need]
    k = len(layer.xs)
    params = [(w, j * (k + 1) + i) for j, ws in enumerate(layer.weights) for i, w in enumerate(ws)]
    if layer.biases is not None:
        params += [(b, j * (k + 1) + k) for j, b in enumerate(layer.biases)]
    params = [(p, i) for p, i in params if p in wanted_set]
    if params:
        out.summed.append((line((g, layer.x), "layer_summed({0}, {1})"), params))
    return terms


@functools.cache
def _passes_on(expr: str) -> bool:
    """Whether a gradient expression is `g`, or a choice between `g` and a constant that is
    not -0.0 (relu's): never -0.0 when g is not."""
    body = ast.parse(expr, mode="eval").body
    branches = [body.body, body.orelse] if isinstance(body, ast.IfExp) else [body]
    return all(
        (isinstance(b, ast.Name) and b.id == "g")
        or (
            isinstance(b, ast.Constant)
            and type(b.value) in (int, float)
            and math.copysign(1.0, b.value) > 0
        )
        for b in branches
    )


@functools.cache
def _atomic(expr: str) -> bool:
    """Whether a table expression can be a term of a sum without parentheses."""
    body = ast.parse(expr, mode="eval").body
    if isinstance(body, ast.BinOp):
        return not isinstance(body.op, (ast.Add, ast.Sub))
    return isinstance(body, (ast.Name, ast.Call, ast.Constant, ast.UnaryOp))


def _linear_parts(v: Value) -> list[tuple[Value, int, object]]:
    """A `linear` node's gradients in the order of its closure: (parent, index of its
    formula in the table's row (w, x, b), the other factor: a Value, a number or None)."""
    ws, xs, b = v._ctx
    parts: list[tuple[Value, int, object]] = []
    for w, x in zip(ws, xs):
        parts.append((w, 0, x))
        if isinstance(x, Value):
            parts.append((x, 1, w))
    if b is not None:
        parts.append((b, 2, None))
    return parts


def _terms(v: Value, spec: OpSpec, var: dict[Value, int], g: int, lits: dict) -> list:
    """(parent, expression, env, literal) for each gradient the op passes back, in the order
    of the engine's closure."""
    if spec.form == "n":
        if v._op == "linear":
            items = []
            for parent, k, other in _linear_parts(v):
                env, lit = {"g": g}, None
                if isinstance(other, Value):
                    env["xw"[k]] = var[other]  # w's gradient reads x, x's reads w
                elif other is not None:
                    lit = ("x", literal(other))
                items.append((parent, spec.grads[k], env, lit))
            return items
        return [(p, spec.grads[0], {"g": g}, None) for p in v._prev]
    env = {"a": var[v._prev[0]], "out": var[v], "g": g}
    if spec.form == "vv":
        env["b"] = var[v._prev[1]]
    lit = lits.get(v)
    return [(parent, expr, env, lit) for parent, expr in zip(v._prev, spec.grads)]


def _notes(v: Value, spec: OpSpec, names: dict[Value, str]) -> list[str]:
    """A reader's comment for each of `_terms(v, ...)`: the op and the local derivative."""
    if spec.form == "n":
        if v._op == "linear":
            ds = []
            for parent, k, other in _linear_parts(v):
                d = spec.dmath[k]
                if other is not None:
                    shown = names[other] if isinstance(other, Value) else literal(other)
                    d = re.sub("[wx]ᵢ", shown, d)
                ds.append((parent, d))
        else:
            ds = [(p, spec.dmath[0]) for p in v._prev]
    else:
        ds = [(p, _reader(d, v, spec, names)) for p, d in zip(v._prev, spec.dmath)]
    return [f"{spec.op}: ∂{names[v]}/∂{names[p]} = {d}" for p, d in ds]


def _cut_order(root: Value, cut: set[Value] | frozenset[Value]) -> list[Value]:
    """`topological_order(root, leaves=False)` with the nodes of `cut` taken as leaves."""
    order: list[Value] = []
    if root._bw is None or root in cut:
        return order
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        v = stack.pop()
        if v is None:
            order.append(stack.pop())
        elif v not in visited:
            visited.add(v)
            stack.append(v)
            stack.append(None)
            for p in v._prev:
                if p not in visited and p._bw is not None and p not in cut:
                    stack.append(p)
    return order


def _reading_order(root: Value) -> list[Value]:
    """The op nodes behind `root`, parents first, first parents before later ones."""
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif v not in visited and v._bw is not None:
            visited.add(v)
            stack.append((v, True))
            stack.extend((p, False) for p in reversed(v._prev) if p not in visited)
    return order


def _split(target: int, reads: list[int], terms: list[str], note: str) -> list[Line]:
    """A fold `t0 + t1 + ...` as lines of at most MAX_TERMS terms (the compiler recurses
    on long chains), left to right as one line would be, so the sum is the same."""
    if len(terms) <= MAX_TERMS:  # one line: the fields are numbered as `reads` is
        return [Line(target, tuple(reads), " + ".join(terms), note)]
    lines = []
    for k in range(0, len(terms), MAX_TERMS):
        part = " + ".join(terms[k : k + MAX_TERMS])
        line_reads = [int(m) for m in _FIELD.findall(part)]
        renumber = {r: i for i, r in enumerate(dict.fromkeys(line_reads))}
        ids = [reads[r] for r in renumber]
        shift = 1 if k else 0
        part = _FIELD.sub(lambda m, rn=renumber, s=shift: f"{{{rn[int(m.group(1))] + s}}}", part)
        if k:
            part, ids = "{0} + " + part, [target, *ids]
        lines.append(Line(target, tuple(ids), part))
    lines[0].comment = note
    return lines


_FIELD = re.compile(r"\{([0-9]+)\}")


def _forward(
    v: Value, spec: OpSpec, var: dict[Value, int], lits: dict[Value, tuple[str, str]]
) -> tuple[list[str], list[int]]:
    """The forward right-hand side as fold terms (one for a fixed-arity op), and its reads."""
    reads: list[int] = []

    if spec.form == "n":
        acc, term = _fold(spec.forward)
        if v._op == "linear":
            ws, xs, b = v._ctx
            terms = [_fill(acc, {acc: var[b]}, reads) if b is not None else "0.0"]
            for w, x in zip(ws, xs):
                if isinstance(x, Value):
                    terms.append(_fill(term, {"w": var[w], "x": var[x]}, reads))
                else:
                    terms.append(_fill(term, {"w": var[w]}, reads, ("x", literal(x))))
        else:  # sum: start, then the terms, constants included
            start, vs = v._ctx
            (name,) = _template(term)[1]
            if isinstance(start, Value):
                terms = [_fill(acc, {acc: var[start]}, reads)]
            else:
                terms = [literal(float(start))]
            for t in vs:
                if isinstance(t, Value):
                    terms.append(_fill(term, {name: var[t]}, reads))
                else:
                    terms.append(literal(t))
        return terms, reads
    env = {"a": var[v._prev[0]]}
    if spec.form == "vv":
        env["b"] = var[v._prev[1]]
    lit = None
    if spec.form == "vc":
        lit = lits[v] = ("c", literal(v._ctx))
    return [_fill(spec.forward, env, reads, lit)], reads


def _plain(text: str) -> str:
    text = text.replace("×", "*").replace("−", "-")
    return re.sub(r"[^A-Za-z0-9_*+/()-]", "", text)


def _reader(form: str, v: Value, spec: OpSpec, names: dict[Value, str]) -> str:
    """A reader's math form with the parents' names (and the constant) filled in."""
    subst = {"a": names[v._prev[0]]}
    if spec.form == "vv":
        subst["b"] = names[v._prev[1]]
    if spec.form == "vc":
        subst["c"] = literal(v._ctx)
    return re.sub(r"(?<![A-Za-z0-9_])[abc](?![A-Za-z0-9_])", lambda m: subst[m.group()], form)


def render(line: Line, names: Sequence[str]) -> str:
    """A line's statement with the variables' names filled in."""
    rhs = line.rhs.format(*[names[r] for r in line.reads])
    return f"{names[line.target]} {'+=' if line.augment else '='} {rhs}"


# -- the readable form -----------------------------------------------------------------


def codegen(root: Value, inputs: Sequence[Value] | None = None) -> str:
    """Python source of the forward and backward pass of `root`'s graph, to read.

    One function, `forward_backward(...)`, taking the `inputs` (default: every
    leaf, in the order the graph first uses them; other leaves become
    constants) and returning the output's value and a tuple with its gradient
    for each input. One line per op, named after labels where set; each
    backward line is commented with the op and its local derivative. Running
    it gives what `backward()` gives (up to the sign of a zero gradient: the
    engine's gradients start from +0.0).
    """
    sl = straight_line(root, inputs, readable=True)
    args = ", ".join(sl.names[i] for i in sl.inputs)
    head = [f"def forward_backward({args}):"]
    body: list[tuple[str, str]] = [("# forward pass: each op's value from its inputs", "")]
    body += [(render(ln, sl.names), ln.comment) for ln in sl.forward]
    body.append(("# backward pass: the chain rule, from the output back to the inputs", ""))
    body += [(render(ln, sl.names), ln.comment) for ln in sl.backward]
    grads = ", ".join(sl.names[g] for g in sl.grads)
    body.append((f"return {sl.names[sl.root]}, ({grads}{',' if len(sl.grads) == 1 else ''})", ""))
    width = min(max((len(code) for code, note in body if note), default=0), 48)
    lines = head
    for code, note in body:
        lines.append(f"    {code.ljust(width)}  # {note}" if note else f"    {code}")
    used = sorted({m for code, _ in body for m in _NAME.findall(code) if m in FUNCTIONS})
    if used:  # the op table's helpers the code calls, so it runs as printed
        lines.insert(0, f"from autograd.generated import {', '.join(used)}\n\n")
    return "\n".join(lines) + "\n"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
