"""Time valuegrad, micrograd, PyTorch 0-d tensors and plain floats side by side, in one process.

    python -m benchmarks                  # print the Markdown table
    python -m benchmarks --update-readme  # also write it into README.md

micrograd needs a raised recursion limit and a large thread stack for deep
graphs; it runs in such a thread. valuegrad runs in the main thread with the
defaults. PyTorch is optional (skipped with a note when it is not installed).
Garbage collection is left on for every engine and nothing is frozen, as a
user has it: every engine is imported first (PyTorch included, whose ~150,000
objects every full collection rescans), then each workload runs. A second table
pauses the collector during each repetition (`with gc_paused():`, which a user
can write too).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import importlib.util
import os
import platform
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from autograd import gc_paused

from . import workloads as w

ENGINES = ("valuegrad", "micrograd", "torch", "floats")
WORKLOADS = {
    "moons training step (MLP 2-16-16-1, 100 points)": "moons",
    f"wide dot product (n={w.DOT_N:,})": "dot",
    f"deep chain ({w.CHAIN_N:,} ops)": "chain",
    "tanh MLP 4-32-32-1, forward+backward (20 points)": "tanh",
}
README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def _in_big_stack(fn):
    """Run fn() in a thread with a 1 GiB stack and a high recursion limit (micrograd recurses)."""
    result: dict = {}
    old_limit = sys.getrecursionlimit()

    def target():
        try:
            result["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - reported in the table
            result["error"] = e

    threading.stack_size(1 << 30)
    sys.setrecursionlimit(10**7)
    try:
        t = threading.Thread(target=target)
        t.start()
        t.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(old_limit)
    if "error" in result:
        raise result["error"]
    return result["value"]


def once(
    engine: str, run: Callable[[], object], paused: bool = False, clock=time.perf_counter
) -> float:
    """Seconds for one run() of an engine's workload, after collecting the last one's garbage."""
    gc.collect()  # the previous contender's garbage is not this one's cost
    start = clock()
    with gc_paused() if paused else contextlib.nullcontext():
        if engine == "micrograd":  # micrograd recurses: a big stack, as its users need
            _in_big_stack(run)
        else:
            run()
    return clock() - start


def interleaved(
    workload: str,
    engines: Sequence[str],
    repeats: int,
    paused: bool = False,
    clock=time.perf_counter,
    extra: dict[str, Callable[[], object]] | None = None,
) -> dict[str, float | None]:
    """Median seconds per engine (and per `extra` contender), taking turns each round.

    None for an engine that is not installed (PyTorch is optional).
    """
    runs = {
        e: getattr(w, f"{workload}_{e}")()
        for e in engines
        if e != "torch" or importlib.util.find_spec("torch") is not None
    }
    runs.update(extra or {})
    times: dict[str, list[float]] = {e: [] for e in runs}
    for _ in range(repeats):
        for e, run in runs.items():
            times[e].append(once(e, run, paused, clock))
    return {e: statistics.median(times[e]) if e in times else None for e in [*engines, *runs]}


def bytes_per_node(engine: str, n: int = 100_000) -> float | None:
    """Peak traced memory while building and backpropagating an n-op chain, per node."""
    if engine not in ("valuegrad", "micrograd"):
        return None
    run = getattr(w, f"chain_{engine}")(n)
    gc.collect()
    tracemalloc.start()
    try:
        nodes = _in_big_stack(run) if engine == "micrograd" else run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / nodes


def scaling(paused: bool, sizes=(1_000, 10_000, 100_000, 1_000_000)) -> list[tuple[int, float]]:
    """valuegrad's deep chain at growing sizes: (ops, seconds)."""
    out = []
    for n in sizes:
        run = w.chain_valuegrad(n)
        repeats = 1 if n >= 1_000_000 else 3
        out.append((n, statistics.median(once("valuegrad", run, paused) for _ in range(repeats))))
    return out


def _fmt_time(t: float | None) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def table(repeats: int) -> str:
    lines = ["GC on, nothing frozen, every engine imported (as a user runs it):", ""]
    lines += _timings(repeats, paused=False)
    lines += ["", "GC paused during each repetition, for every engine (`with gc_paused():`):", ""]
    lines += _timings(repeats, paused=True)
    lines += _memory_and_scaling()
    return "\n".join(lines)


def _timings(repeats: int, paused: bool) -> list[str]:
    head = "| workload | " + " | ".join(ENGINES) + " | micrograd / valuegrad | torch / valuegrad |"
    lines = [head, "|" + "---|" * (len(ENGINES) + 3)]
    for title, key in WORKLOADS.items():
        times = interleaved(key, ENGINES, repeats, paused)
        ours = times["valuegrad"]
        ratios = [
            f"{times[e] / ours:.1f}x" if times[e] is not None else "n/a"
            for e in ("micrograd", "torch")
        ]
        cells = [_fmt_time(times[e]) for e in ENGINES] + ratios
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    return lines


def _memory_and_scaling() -> list[str]:
    mem = {e: bytes_per_node(e) for e in ("valuegrad", "micrograd")}
    lines = [""]
    lines.append(
        "Peak memory per graph node (tracemalloc, 100,000-op chain, forward and backward): "
        "valuegrad "
        f"{mem['valuegrad']:.0f} B, micrograd {mem['micrograd']:.0f} B "
        f"({mem['micrograd'] / mem['valuegrad']:.1f}x); PyTorch's is outside tracemalloc's view."
    )
    for paused in (False, True):
        grow = scaling(paused)
        lines.append("")
        gc_state = "paused" if paused else "on"
        lines.append(
            f"valuegrad deep chain, time per op as the graph grows (GC {gc_state}): "
            + ", ".join(f"{n:,} ops {t / n * 1e6:.2f} µs" for n, t in grow)
            + f" (1,000,000 ops in {grow[-1][1]:.1f} s, default recursion limit and stack)."
        )
    return lines


def _c_helper() -> bool:
    from autograd.native import built

    return built()


def header() -> str:
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    return (
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of repeats in one process (GC on, nothing "
        f"frozen); micrograd 0.1.0, PyTorch {torch_version} (0-d float64 tensors), "
        "and hand-written float code as the floor; the C helpers "
        + ("built" if _c_helper() else "NOT built")
        + "; load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + " before."
    )


def _import_engines() -> None:
    """Import every engine up front, as a script comparing them would."""
    import micrograd.engine  # noqa: F401
    import micrograd.nn  # noqa: F401

    import autograd  # noqa: F401
    import nn  # noqa: F401

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401
    gc.collect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)
    _import_engines()
    text = header() + "\n\n" + table(args.repeats)
    print(text)
    if args.update_readme:
        return write_block(text, START, END)
    return 0


def write_block(text: str, start: str, end: str) -> int:
    """Put `text` between the markers `start` and `end` in README.md; 1 if they are missing."""
    readme = README.read_text()
    if start not in readme or end not in readme:
        print(f"README.md has no {start} ... {end} block", file=sys.stderr)
        return 1
    before, rest = readme.split(start, 1)
    _, after = rest.split(end, 1)
    README.write_text(f"{before}{start}\n{text}\n{end}{after}")
    return 0
