"""The engine as a user runs it: a plain script, GC on, no `gc.freeze()`.

    python -m benchmarks.user                  # print the Markdown table
    python -m benchmarks.user --update-readme  # also write it into README.md

Two child processes run the same workloads, one without and one with PyTorch
imported (importing it leaves ~10^5 objects for every full collection to scan).
In each, the contenders are interleaved: every round runs valuegrad, micrograd
and (with torch imported) PyTorch 0-d float64 tensors once each, and the table
gives medians over rounds and the ratios of those medians. Both measure the
per-op growth of the chain; the one without torch, its memory and the objects
per node the garbage collector tracks.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys

from . import workloads as w
from .run import bytes_per_node, interleaved, once, write_block

START, END = "<!-- benchmarks-user:start -->", "<!-- benchmarks-user:end -->"
WORKLOADS = {
    f"deep chain ({w.CHAIN_N:,} ops)": "chain",
    f"wide dot product (n={w.DOT_N:,})": "dot",
    "moons training step (MLP 2-16-16-1, 100 points, fused)": "moons",
}


def _interleaved(engines: tuple[str, ...], rounds: int) -> dict[str, dict[str, float | None]]:
    """Median seconds per workload and engine, the engines taking turns each round."""
    return {key: interleaved(key, engines, rounds) for key in WORKLOADS.values()}


def tracked_per_node(n: int = 10_000) -> float:
    """Objects the cyclic GC tracks per op node of a chain (built, not yet backpropagated)."""
    from autograd import Value

    gc.collect()
    before = len(gc.get_objects())
    y = Value(0.5)
    for _ in range(n // 2):
        y = y * 0.9999999 + 1e-7
    after = len(gc.get_objects())
    del y
    return (after - before) / n


def growth(sizes=(10_000, 100_000, 1_000_000)) -> dict[int, float]:
    """valuegrad's deep chain: seconds per op at each size (median of 7; of 3 at 1e6)."""
    res = {}
    for n in sizes:
        run = w.chain_valuegrad(n)
        res[n] = statistics.median(once("valuegrad", run) for _ in range(3 if n >= 10**6 else 7))
        res[n] /= n
    return res


def child(with_torch: bool, rounds: int) -> dict:
    import micrograd.engine  # noqa: F401
    import micrograd.nn  # noqa: F401

    import autograd  # noqa: F401
    import nn  # noqa: F401

    engines: tuple[str, ...] = ("valuegrad", "micrograd")
    if with_torch:
        import torch  # noqa: F401

        engines += ("torch",)
    from autograd.native import built

    result = {"times": _interleaved(engines, rounds), "growth": growth(), "c": built()}
    if not with_torch:
        result["bytes"] = {e: bytes_per_node(e) for e in ("valuegrad", "micrograd")}
        result["tracked"] = tracked_per_node()
    return result


def _run_child(with_torch: bool, rounds: int, pure: bool = False) -> dict:
    """One child process's results; `pure`: the plain-Python engine (no C helper)."""
    cmd = [sys.executable, "-m", "benchmarks.user", "--child", "torch" if with_torch else "plain"]
    cmd += ["--rounds", str(rounds)]
    env = {**os.environ, "VALUEGRAD_PURE_PYTHON": "1"} if pure else os.environ
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout)


def _ratio(times: dict[str, float]) -> float:
    return times["micrograd"] / times["valuegrad"]


def _ms(t: float) -> str:
    return f"{t * 1000:.0f} ms" if t >= 0.1 else f"{t * 1000:.1f} ms"


def table(rounds: int) -> str:
    plain, with_torch = _run_child(False, rounds), _run_child(True, rounds)
    pure = _run_child(False, rounds, pure=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    c_helper = "built" if plain["c"] and with_torch["c"] else "NOT built"
    lines = [
        f"As a user runs it: a plain script, GC on, no `gc.freeze()`; medians of {rounds} "
        f"interleaved rounds in one process per column group; load average {load}; "
        f"the C helpers (autograd/_*.c) {c_helper}.",
        "",
        "| workload | valuegrad | micrograd | micrograd / valuegrad "
        "| torch imported: valuegrad | micrograd | torch 0-d "
        "| micrograd / valuegrad | torch / valuegrad |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for title, key in WORKLOADS.items():
        a, b = plain["times"][key], with_torch["times"][key]
        lines.append(
            f"| {title} | {_ms(a['valuegrad'])} | {_ms(a['micrograd'])} "
            f"| **{a['micrograd'] / a['valuegrad']:.1f}x** | {_ms(b['valuegrad'])} "
            f"| {_ms(b['micrograd'])} | {_ms(b['torch'])} "
            f"| **{b['micrograd'] / b['valuegrad']:.1f}x** "
            f"| **{b['torch'] / b['valuegrad']:.1f}x** |"
        )
    mem = plain["bytes"]
    lines += [
        "",
        f"Peak memory per deep-chain node (tracemalloc, 100,000 ops, forward and backward): "
        f"valuegrad {mem['valuegrad']:.0f} B, micrograd {mem['micrograd']:.0f} B. "
        f"Objects the garbage collector tracks per op node: {plain['tracked']:.2f}.",
    ]
    for what, res in (("without torch imported", plain), ("with torch imported", with_torch)):
        per_op = {int(n): t for n, t in res["growth"].items()}
        lo, hi = min(per_op), max(per_op)
        lines += [
            "",
            f"Deep chain, time per op as it grows (GC on, {what}): "
            + ", ".join(f"{n:,} ops {t * 1e6:.2f} µs" for n, t in sorted(per_op.items()))
            + f"; {lo:,} to {hi:,} ops: **{per_op[hi] / per_op[lo]:.2f}x**.",
        ]
    per_op = {int(n): t for n, t in pure["growth"].items()}
    lo, hi = min(per_op), max(per_op)
    lines += [
        "",
        "Without the C helpers (no C compiler at install, or VALUEGRAD_PURE_PYTHON=1; "
        "without torch imported): micrograd / valuegrad "
        + ", ".join(
            f"{title.split(' (')[0]} **{_ratio(pure['times'][key]):.1f}x**"
            for title, key in WORKLOADS.items()
        )
        + f"; chain per-op growth {lo:,} to {hi:,} ops **{per_op[hi] / per_op[lo]:.2f}x**; "
        f"tracked objects per op node {pure['tracked']:.2f}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.user", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--child", choices=("plain", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child == "torch", args.rounds)))
        return 0
    text = table(args.rounds)
    print(text)
    if args.update_readme:
        return write_block(text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
