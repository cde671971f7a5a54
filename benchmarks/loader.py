"""Worst cases for `nn.load`: how long malformed files take to be refused, and the
peak memory (tracemalloc) while refusing them.

    python -m benchmarks.loader

Each case is a file that must raise ValueError; the table shows its size, the
time to refuse it (median of 3) and the peak traced memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
import time
import tracemalloc


def _state(nin: int = 2, width: int = 2) -> dict:
    from nn import MLP

    return MLP(nin, [width, 1], seed=0).state_dict()


def cases() -> dict[str, str]:
    big = _state(100, 1000)  # ~100,000 parameters, ~2.6 MB of JSON
    big_text = json.dumps(big)
    s = _state()
    out = {}
    for nin in (2**40, 3_000_000, 10**300):
        t = json.loads(json.dumps(s))
        t["architecture"]["layers"][0]["neurons"][0]["nin"] = nin
        out[f"nin = {nin if nin < 10**20 else '10**300'}"] = json.dumps(t)
    t = json.loads(json.dumps(big))
    t["architecture"]["layers"][0]["neurons"][0]["nin"] = 3_000_000
    out["nin = 3,000,000 in a 100,000-parameter file"] = json.dumps(t)
    out["5,000 nested ["] = "[" * 5000 + "]" * 5000
    out["1,000,000 nested [ (2 MB)"] = "[" * 1_000_000 + "]" * 1_000_000
    out["unterminated string of 2 MB with escaped quotes"] = '{"a": "' + '\\"' * 1_000_000
    t = json.loads(big_text)
    t["parameters"][-1] = 10**400
    out["last of 100,000 parameters is 10**400"] = json.dumps(t)
    out["100,000-parameter file cut in half"] = big_text[: len(big_text) // 2]
    return out


def _valid() -> str:
    return json.dumps(_state(100, 1000))


def main() -> int:
    import nn

    print("| malformed file | size | time to refuse | peak memory |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "bad.json")
        for name, text in cases().items():
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            times = []
            for _ in range(3):
                start = time.perf_counter()
                try:
                    nn.load(path)
                except ValueError:
                    pass
                else:
                    raise AssertionError(f"{name}: loaded")
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            with contextlib.suppress(ValueError):
                nn.load(path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            t = statistics.median(times)
            print(f"| {name} | {len(text):,} B | {t * 1000:.1f} ms | {peak / 2**20:.1f} MiB |")
        with open(path, "w", encoding="utf-8") as f:
            f.write(_valid())
        start = time.perf_counter()
        nn.load(path)
        t = time.perf_counter() - start
        print(f"\nFor scale: loading the valid 100,000-parameter file takes {t * 1000:.0f} ms.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
