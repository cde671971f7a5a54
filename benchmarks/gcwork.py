"""Where the deep chain's per-op growth goes: the garbage collector's full collections.

    python -m benchmarks.gcwork                  # without and with torch imported
    python -m benchmarks.gcwork --update-readme  # also write it into README.md

Runs the benchmark's deep chain (GC on, nothing frozen, as a user runs it) at
growing sizes (the fastest of 5 runs below 1e6 ops) and records every collection
with `gc.callbacks`: how many full (generation 2) collections ran, how many
tracked objects they scanned per op node, and how much of the run's time they
took. The last columns: the time per op with the full collections' time taken
out (what the engine itself costs), and the part of it that is `backward()`
(which pauses the collector).
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time

from .run import write_block

START, END = "<!-- gcwork:start -->", "<!-- gcwork:end -->"
SIZES = (10_000, 100_000, 1_000_000)


def measure(n: int) -> dict[str, float]:
    """One run of an n-op chain: seconds, full collections, objects they scanned, their seconds."""
    from autograd import Value

    full = {"count": 0, "scanned": 0, "seconds": 0.0}
    started: list[float] = []

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            full["count"] += 1
            full["scanned"] += len(gc.get_objects())  # a full collection scans every tracked object
            started.append(time.perf_counter())
        else:
            full["seconds"] += time.perf_counter() - started.pop()

    gc.collect()
    gc.callbacks.append(callback)
    try:
        start = time.perf_counter()
        y = Value(0.5)
        for _ in range(n // 2):  # the benchmark's deep chain (benchmarks.workloads)
            y = y * 0.9999999 + 1e-7
        built = time.perf_counter()
        y.backward()
        total = time.perf_counter() - start
    finally:
        gc.callbacks.remove(callback)
    full_s = {f"full_{k}": v for k, v in full.items()}
    return {"n": n, "seconds": total, "backward": total - (built - start), **full_s}


def table(sizes=SIZES) -> str:
    measure(sizes[0])  # warm-up: imports, caches and the first allocations are not per-op costs
    rows = [
        min((measure(n) for _ in range(1 if n >= 10**6 else 5)), key=lambda r: r["seconds"])
        for n in sizes
    ]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Deep chain, GC on, nothing frozen; load average {load}; "
        f"tracked objects before: {len(gc.get_objects()):,}.",
        "",
        "| ops | per op | full collections | objects scanned per op | ns per scanned object "
        "| share of time | per op without them | of which backward |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        n, t, gct, scanned = r["n"], r["seconds"], r["full_seconds"], r["full_scanned"]
        ns = f"{gct / scanned * 1e9:.0f}" if scanned else "-"
        lines.append(
            f"| {n:,} | {t / n * 1e6:.2f} µs | {r['full_count']} | {scanned / n:.2f} | {ns} "
            f"| {gct / t:.0%} | {(t - gct) / n * 1e6:.2f} µs | {r['backward'] / n * 1e6:.2f} µs |"
        )
    first, last = rows[0], rows[-1]
    grow = (last["seconds"] / last["n"]) / (first["seconds"] / first["n"])
    grow_rest = ((last["seconds"] - last["full_seconds"]) / last["n"]) / (
        (first["seconds"] - first["full_seconds"]) / first["n"]
    )
    lines += [
        "",
        f"Per-op growth {first['n']:,} to {last['n']:,} ops: {grow:.2f}x; "
        f"without the full collections' time: {grow_rest:.2f}x.",
    ]
    return "\n".join(lines)


def _child(with_torch: bool) -> str:
    cmd = [sys.executable, "-m", "benchmarks.gcwork", "--child", "torch" if with_torch else "plain"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gcwork", description=__doc__)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--child", choices=("plain", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.child == "torch":
            import torch  # noqa: F401
        import autograd  # noqa: F401

        print(table())
        return 0
    text = "\n\n".join(
        f"{what}: {_child(with_torch).strip()}"
        for what, with_torch in (("Without torch imported", False), ("With torch imported", True))
    )
    print(text)
    if args.update_readme:
        return write_block(text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
