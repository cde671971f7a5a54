"""Compare valuegrad's moons training step between checkouts, on a busy machine.

    python -m benchmarks.compare /path/to/checkout-a /path/to/checkout-b

Each round runs every checkout in a fresh subprocess (alternating, so load on
the machine hits them alike) and times 15 steps by CPU time (less disturbed by
other processes than wall time); the report gives the fastest step and the
median of the rounds' medians, with the collector on and paused.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

_CHILD = r"""
import gc, statistics, sys, time
from autograd import gc_paused
from benchmarks import run, workloads
run._import_engines()
step = workloads.moons_valuegrad()
out = []
for paused in (False, True):
    ts = []
    for _ in range(15):
        gc.collect()
        t = time.process_time()
        if paused:
            with gc_paused():
                step()
        else:
            step()
        ts.append(time.process_time() - t)
    out += [min(ts), statistics.median(ts)]
print(*out)
"""


def main(argv: list[str] | None = None) -> int:
    roots = [os.path.abspath(r) for r in (argv if argv is not None else sys.argv[1:])]
    if not roots:
        print(__doc__)
        return 2
    results: dict[str, list[list[float]]] = {r: [] for r in roots}
    for _ in range(6):
        for root in roots:
            env = {**os.environ, "PYTHONPATH": root}
            out = subprocess.run(
                [sys.executable, "-c", _CHILD], cwd=root, env=env, capture_output=True, text=True
            )
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                return 1
            results[root].append([float(x) * 1000 for x in out.stdout.split()])
    for root, rows in results.items():
        on = min(r[0] for r in rows), statistics.median(r[1] for r in rows)
        off = min(r[2] for r in rows), statistics.median(r[3] for r in rows)
        print(
            f"{root}: moons step CPU time, GC on: fastest {on[0]:.1f} ms, median {on[1]:.1f} ms; "
            f"GC paused: fastest {off[0]:.1f} ms, median {off[1]:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
