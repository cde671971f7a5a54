"""`vmap(fn, in_axes=...)`: one compiled function run over samples, summed into one `Value`.

    loss = autograd.vmap(sample_loss, in_axes=(0, 0))(X, Y) + l2(params)
    loss.backward()   # each parameter's .grad: the sum of its per-sample gradients

`in_axes` has JAX's meaning: for each argument, 0 if it holds one entry per
sample (a list, tuple or numpy array, along its first axis) and `None` if all
samples share it; one int or `None` applies to every argument. `fn` is compiled
(`autograd.compile`) once per shape of a sample's arguments, so its tracing guard
and refusals hold here too.

The result is the sum of fn over the samples (or the mean, `reduce="mean"`), as
one engine node per sample under one `total` node. The sum order: sample 0
first, left to right, as `sum(fn(x) for x in X)`; on backward each sample's
gradients are added to `.grad` from the last sample back to the first (the order
in which the engine's backward visits the samples), so gradients agree with the
engine's to rounding (1e-12 relative), not bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .compiled import _FALLBACK, Compiled, _aliases, _flatten
from .engine import Value, _node
from .ops import total

try:  # numpy columns when numpy is installed; one compiled call per sample otherwise
    import numpy as _np

    from .columns import COLUMN_FUNCTIONS

    _COLUMNS: dict[str, Any] | None = {"__builtins__": {}, **COLUMN_FUNCTIONS}
except ImportError:  # pragma: no cover - numpy is optional
    _np = None
    _COLUMNS = None

__all__ = ["vmap", "Batched"]


class Batched:
    """`fn` mapped over the samples of its mapped arguments, the results summed."""

    def __init__(
        self, fn: Callable[..., Value], in_axes: int | None | Sequence[int | None] = 0,
        reduce: str = "sum",
    ) -> None:  # fmt: skip
        if reduce not in ("sum", "mean"):
            raise ValueError(f"vmap: reduce must be 'sum' or 'mean', not {reduce!r}")
        if not (in_axes is None or isinstance(in_axes, (int, list, tuple))) or isinstance(
            in_axes, bool
        ):
            raise TypeError(f"vmap: in_axes must be 0, None or a tuple of them, not {in_axes!r}")
        for a in in_axes if isinstance(in_axes, (list, tuple)) else (in_axes,):
            if a not in (0, None) or isinstance(a, bool):
                raise ValueError(f"vmap: each in_axes entry must be 0 or None, not {a!r}")
        self.fn = fn
        self.in_axes = in_axes
        self.reduce = reduce
        self.compiled = fn if isinstance(fn, Compiled) else Compiled(fn)
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", "vmapped")

    def __repr__(self) -> str:
        return f"<vmap {self.__name__} in_axes={self.in_axes!r} reduce={self.reduce!r}>"

    def __call__(self, *args: Any) -> Value:
        """The sum (or mean) over samples of fn(sample's arguments), as one Value."""
        axes = self.in_axes
        if isinstance(axes, (list, tuple)):
            if len(axes) != len(args):
                raise ValueError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments")
        else:
            axes = (axes,) * len(args)
        mapped = [i for i, a in enumerate(axes) if a == 0]
        if not mapped:
            raise ValueError("vmap: no argument is mapped (every in_axes entry is None)")
        lengths = {i: len(args[i]) for i in mapped}
        n = lengths[mapped[0]]
        if any(k != n for k in lengths.values()):
            raise ValueError(f"vmap: mapped arguments have different lengths {lengths}")
        if n == 0:
            raise ValueError("vmap: no samples (the mapped arguments are empty)")
        if _np is not None:
            out = self._columns(args, axes, n)
            if out is not None:
                return out
        columns = [list(args[i]) if axes[i] == 0 else None for i in range(len(args))]
        outs = []
        for s in range(n):
            sample = [args[i] if col is None else _plain(col[s]) for i, col in enumerate(columns)]
            outs.append(self.compiled(*sample))
        out = total(outs)
        return out / n if self.reduce == "mean" else out

    def _columns(self, args: Sequence[Any], axes: Sequence[int | None], n: int) -> Value | None:
        """The batch run as numpy columns, or None where it cannot be (Values per sample)."""
        np = _np
        sample0: list[Any] = []
        cols: list[Any] = []
        mapped: list[bool] = []  # per flat argument: one entry per sample
        for a, axis in zip(args, axes):
            if axis is None:
                sample0.append(a)
                flat_a, _ = _flatten([a])
                cols += [np.float64(x if type(x) is float else x.data) for x in flat_a]
                mapped += [False] * len(flat_a)
                continue
            arr = np.asarray(a)
            if arr.dtype.kind not in "fiu" or arr.shape[0] != n:
                return None  # Values (or ragged rows) per sample: one compiled call each
            arr = arr.astype(np.float64)
            sample0.append(arr[0].tolist())
            cols += list(arr.reshape(n, -1).T) if arr.ndim > 1 else [arr]
            mapped += [True] * (arr.size // n)
        c = self.compiled
        flat0, shape = _flatten(sample0)
        # which arguments are per sample is part of the program: its dense layers need
        # weights that are the same for every sample
        key = (*shape, *_aliases(flat0), ("mapped", tuple(mapped)), "columns")
        prog = c._programs.get(key)
        if prog is None:
            prog = c._trace(
                sample0, flat0, key, grads_of_numbers=False, columns=_COLUMNS, mapped=mapped
            )
        if prog is _FALLBACK or any(id(x) in prog.fixed_ids for x in flat0):
            return None
        # the parameters as Python floats: arithmetic on them alone is the engine's exactly
        S = cols + [p.data for p in prog.fixed]
        S += [0.0] * (prog.n_slots - len(S))
        with np.errstate(all="ignore"):
            for f in prog.forward:
                f(S)
        root = S[prog.root]
        value = float(root.sum() if np.shape(root) == (n,) else np.broadcast_to(root, (n,)).sum())
        mean = self.reduce == "mean"
        parents = (*[flat0[i] for i in prog.arg_wanted], *prog.fixed_wanted)
        lo, hi = prog.seed + 1, prog.seed + 1 + len(parents)

        def _backward(g: float) -> None:
            S[prog.seed] = np.full(n, g / n if mean else g)
            S[lo:hi] = [0.0] * (hi - lo)
            with np.errstate(all="ignore"):
                for f in prog.backward:
                    f(S)
            # a number is every sample's gradient (0.0: no sample reached the leaf)
            per_sample = S[lo:hi]
            try:  # numbers only (a layer's weights get theirs summed below)
                totals = np.array(per_sample, dtype=np.float64) * n
                if totals.ndim != 1:
                    raise ValueError("columns of one sample")
            except (ValueError, TypeError):  # columns among them
                totals = np.array(
                    [
                        np.broadcast_to(c, (n,)).sum() if isinstance(c, np.ndarray) else c * n
                        for c in per_sample
                    ],
                    dtype=np.float64,
                )
            for at_slot, at, flat in prog.summed:  # dense layers' gradients, summed already
                np.add.at(totals, at, S[at_slot].ravel()[flat])
            totals = totals.tolist()
            for p, total_grad in zip(parents, totals):
                p.grad += total_grad

        return _node(value / n if mean else value, parents, "vmap", _backward)


def _plain(x: Any) -> Any:
    """A numpy row as a list of Python floats (nested as it is); anything else as it is."""
    tolist = getattr(x, "tolist", None)
    return tolist() if tolist is not None and not isinstance(x, Value) else x


def vmap(
    fn: Callable[..., Value], in_axes: int | None | Sequence[int | None] = 0, reduce: str = "sum"
) -> Batched:
    """`fn` over samples: call it with per-sample lists to get the sum of fn over them.

    `in_axes` (0 or None per argument, as in JAX) says which arguments hold one
    entry per sample and which are shared. The result is one `Value` usable with
    engine ops; its `backward()` fills `.grad` of every `Value` fn reached with the
    sum of the per-sample gradients. `reduce="mean"` divides by the number of samples.
    """
    return Batched(fn, in_axes, reduce)
