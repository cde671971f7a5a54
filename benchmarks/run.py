"""Time valuegrad, micrograd, PyTorch 0-d tensors and plain floats side by side, in one process.

    python -m benchmarks                  # print the Markdown table
    python -m benchmarks --update-readme  # also write it into README.md

micrograd needs a raised recursion limit and a large thread stack for deep
graphs; it runs in such a thread. valuegrad runs in the main thread with the
defaults. PyTorch is optional (skipped with a note when it is not installed).
Garbage collection is left on for every engine, as a user would have it, but
after all engines are imported the runner calls `gc.freeze()`: otherwise every
full collection rescans the ~160,000 objects that importing PyTorch creates,
which slows every engine (valuegrad's dot product 3x) for a reason that has
nothing to do with the engine being measured.
"""

from __future__ import annotations

import argparse
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


def _time(run, repeats: int, paused: bool = False) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        if paused:
            with gc_paused():
                run()
        else:
            run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(engine: str, workload: str, repeats: int, paused: bool = False) -> float | None:
    """Median seconds for one repetition, or None when the engine is missing."""
    if engine == "torch" and importlib.util.find_spec("torch") is None:
        return None
    run = getattr(w, f"{workload}_{engine}")()
    if engine == "micrograd":
        return _in_big_stack(lambda: _time(run, repeats, paused))
    return _time(run, repeats, paused)


def bytes_per_node(engine: str, n: int = 20_000) -> float | None:
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
    return [(n, _time(w.chain_valuegrad(n), 1 if n >= 1_000_000 else 3, paused)) for n in sizes]


def _fmt_time(t: float | None) -> str:
    if t is None:
        return "n/a"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def table(repeats: int) -> str:
    lines = ["GC on, heap frozen after the imports (`gc.freeze()`, not a user's case):", ""]
    lines += _timings(repeats, paused=False)
    lines += ["", "GC paused during each repetition, for every engine (`with gc_paused():`):", ""]
    lines += _timings(repeats, paused=True)
    lines += _memory_and_scaling()
    return "\n".join(lines)


def _timings(repeats: int, paused: bool) -> list[str]:
    head = "| workload | " + " | ".join(ENGINES) + " | micrograd / valuegrad | torch / valuegrad |"
    lines = [head, "|" + "---|" * (len(ENGINES) + 3)]
    for title, key in WORKLOADS.items():
        times = {e: measure(e, key, repeats, paused) for e in ENGINES}
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
        f"Peak memory per graph node (tracemalloc, 20,000-op chain): valuegrad "
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


def header() -> str:
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    return (
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; medians of repeats in one process (GC on, import-time "
        f"objects frozen); micrograd 0.1.0, PyTorch {torch_version} (0-d float64 tensors), "
        "and hand-written float code as the floor."
    )


def _import_engines() -> None:
    """Import every engine up front, then take the import-time objects out of the GC's scans."""
    import micrograd.engine  # noqa: F401
    import micrograd.nn  # noqa: F401

    import autograd  # noqa: F401
    import nn  # noqa: F401

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401
    gc.collect()
    gc.freeze()


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
