"""What `__dict__` and `__weakref__` in `Value.__slots__` cost per node, side by side in one run.

    python -m benchmarks.slots

Builds a second copy of `autograd/engine.py` in memory with those two slots
removed (the engine as it was before they were added) and times both copies on
the same workloads, alternating between them on every repetition so that drift
in machine load affects both alike. Memory is tracemalloc's peak while an
n-op chain is built and backpropagated, per node.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import sys
import time
import tracemalloc
import types
from pathlib import Path

from autograd import engine, gc_paused

SLOTS_ADDED = '\n        "__dict__",\n        "__weakref__",\n    )'


def engine_without_dict() -> types.ModuleType:
    """A copy of autograd.engine whose Value has no __dict__ or __weakref__ slot."""
    path = Path(engine.__file__)
    source = path.read_text()
    if SLOTS_ADDED not in source:
        raise RuntimeError("engine.py's __slots__ line changed: update benchmarks/slots.py")
    module = types.ModuleType("autograd._engine_without_dict")
    module.__package__ = "autograd"
    module.__file__ = str(path)
    # our own source file, with one line changed: not user text
    exec(compile(source.replace(SLOTS_ADDED, ")"), str(path), "exec"), module.__dict__)  # noqa: S102
    return module


def chain(Value, n: int, backward: bool = True):
    x = Value(0.5)
    y = x
    for _ in range(n // 2):
        y = y * 0.9999999 + 1e-7
    if backward:
        y.backward()
    return y


def dot(Value, n: int):
    ws = [Value(0.001 * i) for i in range(n)]
    xs = [Value(1.0 - 0.0001 * i) for i in range(n)]
    y = sum(w * x for w, x in zip(ws, xs))
    y.backward()
    return y


def bytes_per_node(Value, n: int = 20_000) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        chain(Value, n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (n + 1)


def main() -> int:
    variants = {"without": engine_without_dict().Value, "with": engine.Value}
    assert not hasattr(variants["without"](1.0), "__dict__")
    assert hasattr(variants["with"](1.0), "__dict__")
    workloads = {
        "chain of 100,000 ops, build only": lambda V: chain(V, 100_000, backward=False),
        "chain of 100,000 ops, build + backward": lambda V: chain(V, 100_000),
        "dot product n=20,000 (Python sum), build + backward": lambda V: dot(V, 20_000),
    }
    repeats = 15
    print(f"CPython {sys.version.split()[0]}; {repeats} alternating repetitions each")
    print()
    print("| measure | without __dict__/__weakref__ | with | change |")
    print("|---|---|---|---|")
    for paused in (False, True):
        for name, run in workloads.items():
            times: dict[str, list[float]] = {k: [] for k in variants}
            for _ in range(repeats):
                for key, V in variants.items():
                    gc.collect()
                    start = time.perf_counter()
                    with gc_paused() if paused else contextlib.nullcontext():
                        run(V)
                    times[key].append(time.perf_counter() - start)
            for stat in (statistics.median, min):
                a, b = (stat(times[k]) for k in variants)
                print(
                    f"| {name}, GC {'paused' if paused else 'on'} ({stat.__name__}) "
                    f"| {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {100 * (b / a - 1):+.1f}% |"
                )
    sizes = {k: sys.getsizeof(V(1.0)) for k, V in variants.items()}
    a, b = sizes.values()
    print(f"| sys.getsizeof(Value) | {a} B | {b} B | {b - a:+d} B |")
    mem = {k: statistics.median(bytes_per_node(V) for _ in range(3)) for k, V in variants.items()}
    a, b = mem.values()
    print(f"| peak memory per node, 20,000-op chain | {a:.0f} B | {b:.0f} B | {b - a:+.0f} B |")
    before = tracemalloc_size(lambda: engine.Value(1.0))
    after = tracemalloc_size(lambda: _adamw_moments(engine.Value(1.0)))
    print(f"| a leaf, and one given .m and .v (AdamW) | | {before:.0f} B, {after:.0f} B | |")
    return 0


def _adamw_moments(v):
    v.m, v.v = 0.0, 0.0
    return v


def tracemalloc_size(make, n: int = 10_000) -> float:
    """Traced bytes per object for n objects from make()."""
    gc.collect()
    tracemalloc.start()
    try:
        keep = [make() for _ in range(n)]
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del keep
    return current / n


if __name__ == "__main__":
    sys.exit(main())
