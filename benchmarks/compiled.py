"""Compiled straight-line code (`autograd.compile`) beside the engine, in one process.

    python -m benchmarks.compiled                # moons step, tanh MLP, deep chain
    python -m benchmarks.compiled --big          # also a 1,000,000-op chain's compile memory

For each workload: the engine's step, the compiled step (the same function
through `autograd.compile`, after its first call), micrograd, PyTorch 0-d
tensors and hand-written floats; then what the first call costs (tracing and
writing the code, and the builtin `compile()`), and the number of steps after
which compiling has paid for itself. GC on, import-time objects frozen, as in
`python -m benchmarks`; `--no-freeze` leaves the heap as a user has it.

Times are CPU time of this process (`time.process_time`), not wall time: on a
machine shared with other jobs wall time measures the neighbours; `--wall`
switches to `time.perf_counter`.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import time

from . import run as r
from . import workloads as w


def moons_compiled():
    import autograd
    from nn import MLP, SGD, hinge, l2

    X, y = w.moons_data()
    model = MLP(2, [16, 16, 1], seed=1337)
    opt = SGD(model.parameters(), lr=0.5)

    @autograd.compile
    def loss_fn(X, y):
        return hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)

    def step():
        loss = loss_fn(X, y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step, loss_fn


def tanh_compiled():
    import autograd
    from nn import MLP, mse

    model = MLP(4, [32, 32, 1], activation="tanh", seed=0)
    loss_fn = autograd.compile(lambda X, y: mse([model(x) for x in X], y))

    def run():
        model.zero_grad()
        loss_fn(w.TANH_X, w.TANH_Y).backward()

    return run, loss_fn


def chain_compiled(n: int = w.CHAIN_N):
    import autograd
    from autograd import Value

    def chain(x):
        y = x
        for _ in range(n // 2):
            y = y * 0.9999999 + 1e-7
        return y

    fn = autograd.compile(chain)

    def run():
        fn(Value(0.5)).backward()

    return run, fn


CLOCK = time.process_time


def _time(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = CLOCK()
        run()
        times.append(CLOCK() - start)
    return statistics.median(times)


def measure(engine: str, key: str, repeats: int) -> float | None:
    """Median seconds of one repetition of `key` on `engine`; None if it is not installed."""
    if engine == "torch" and importlib.util.find_spec("torch") is None:
        return None
    run = getattr(w, f"{key}_{engine}")()
    if engine == "micrograd":
        return r._in_big_stack(lambda: _time(run, repeats))
    return _time(run, repeats)


WORKLOADS = {
    "moons training step (MLP 2-16-16-1, 100 points)": "moons",
    "tanh MLP 4-32-32-1, forward+backward (20 points)": "tanh",
    f"deep chain ({w.CHAIN_N:,} ops)": "chain",
}
OTHERS = ("micrograd", "torch", "floats")


def _first_call(setup):
    """(run, compiled function, seconds of the first call) with the trace done."""
    run, fn = setup()
    start = CLOCK()
    run()
    return run, fn, CLOCK() - start


def table(repeats: int) -> str:
    head = (
        "| workload | valuegrad engine | compiled | micrograd | torch | floats "
        "| engine / compiled | floats / compiled | micrograd / compiled |"
    )
    lines = [head, "|" + "---|" * 9]
    costs = []
    for title, key in WORKLOADS.items():
        engine = measure("valuegrad", key, repeats)
        run, fn, first = _first_call(globals()[f"{key}_compiled"])
        compiled = _time(run, repeats)
        others = {e: measure(e, key, repeats) for e in OTHERS}
        ratio = {e: (others[e] / compiled if others[e] else None) for e in OTHERS}
        cells = [r._fmt_time(engine), r._fmt_time(compiled)]
        cells += [r._fmt_time(others[e]) for e in OTHERS]
        cells += [f"{engine / compiled:.1f}x"]
        cells += [f"{ratio[e]:.2f}x" if ratio[e] else "n/a" for e in ("floats", "micrograd")]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
        info = fn.traces[-1]
        setup = info.emit_seconds + info.compile_seconds
        even = setup / (engine - compiled) if engine > compiled else float("inf")
        costs.append(
            f"| {title} | {info.ops:,} | {info.lines:,} | {info.chunks} "
            f"| {r._fmt_time(info.emit_seconds)} | {r._fmt_time(info.compile_seconds)} "
            f"| {r._fmt_time(first)} | {even:.0f} |"
        )
    lines += [
        "",
        "First call (trace, write the code, compile it), and the steps after which it has paid:",
        "",
        "| workload | ops | lines | chunks | trace + write | compile() | first call "
        "| break-even steps |",
        "|" + "---|" * 8,
        *costs,
    ]
    return "\n".join(lines)


def compile_scaling(sizes=(10_000, 100_000)) -> str:
    """Compile time per line of a deep chain as it grows (linear if chunking works)."""
    import autograd.compiled

    parts = []
    for n in sizes:
        autograd.compiled._CODE.clear()  # no help from the process's cache of compiled code
        _, fn, _ = _first_call(lambda n=n: chain_compiled(n))
        info = fn.traces[-1]
        parts.append(
            f"{n:,} ops: {info.lines:,} lines, trace + write {info.emit_seconds:.2f} s, "
            f"compile() {info.compile_seconds:.2f} s "
            f"({info.compile_seconds / info.lines * 1e6:.1f} µs per line)"
        )
    return "Deep chain, compile cost as it grows: " + "; ".join(parts) + "."


_BIG = """
import resource, sys, time
from benchmarks.compiled import chain_compiled
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run, fn = chain_compiled({n})
t = time.process_time(); run(); first = time.process_time() - t
info = fn.traces[-1]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.process_time(); run(); again = time.process_time() - t
print(f"{n:,}-op chain in a fresh process: {{info.lines:,}} lines in {{info.chunks}} chunks; "
      f"trace + write {{info.emit_seconds:.1f}} s, compile() {{info.compile_seconds:.1f}} s; "
      f"peak RSS {{peak / 1024:.0f}} MB (at start {{base / 1024:.0f}} MB); "
      f"a compiled call {{again:.2f}} s")
"""


def big_chain(n: int = 1_000_000) -> str:
    """Compile a big chain in a fresh process and report its peak memory."""
    code = _BIG.replace("{n:,}", f"{n:,}").replace("({n})", f"({n})")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compiled", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="a 1,000,000-op chain's compile")
    parser.add_argument("--no-freeze", action="store_true", help="leave the heap unfrozen")
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    if args.no_freeze:
        if importlib.util.find_spec("torch") is not None:
            import torch  # noqa: F401 - a user's heap, with torch imported
    else:
        r._import_engines()
    gc_state = "heap as a user has it, torch imported" if args.no_freeze else "import-time frozen"
    clock = "wall time" if args.wall else "CPU time"
    print(f"{r.header()}\nGC on ({gc_state}); {clock}, medians of {args.repeats} repeats.\n")
    print(table(args.repeats))
    print()
    print(compile_scaling())
    if args.big:
        print()
        print(big_chain())
    gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
