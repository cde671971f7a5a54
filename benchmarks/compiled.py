"""Compiled straight-line code (`autograd.compile`) beside the engine, in one process.

    python -m benchmarks.compiled                # moons step, tanh MLP, deep chain
    python -m benchmarks.compiled --big          # also a 1,000,000-op chain's compile memory

For each workload: the engine's step, the compiled step (the same function
through `autograd.compile`, after its first call), micrograd, PyTorch 0-d
tensors and hand-written floats; then what the first call costs (tracing and
writing the code, and the builtin `compile()`), and the number of steps after
which compiling has paid for itself. GC on, the heap as a user has it (torch
imported, nothing frozen).

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


WORKLOADS = {
    "moons training step (MLP 2-16-16-1, 100 points)": "moons",
    "tanh MLP 4-32-32-1, forward+backward (20 points)": "tanh",
    f"deep chain ({w.CHAIN_N:,} ops)": "chain",
}
OTHERS = ("micrograd", "torch", "floats")
START, END = "<!-- compiled:start -->", "<!-- compiled:end -->"


def _first_call(setup):
    """(run, compiled function, seconds of the first call) with the trace done; the
    process's cache of compiled code is emptied first, so each first call compiles."""
    import autograd.compiled

    autograd.compiled._CODE.clear()
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
        run, fn, first = _first_call(globals()[f"{key}_compiled"])
        # contenders interleaved: each once per round, so a busy moment hits them alike
        med = r.interleaved(
            key, ("valuegrad", *OTHERS), repeats, clock=CLOCK, extra={"compiled": run}
        )
        engine, compiled = med["valuegrad"], med["compiled"]
        others = {e: med[e] for e in OTHERS}
        ratio = {e: (others[e] / compiled if others[e] else None) for e in OTHERS}
        cells = [r._fmt_time(engine), r._fmt_time(compiled)]
        cells += [r._fmt_time(others[e]) for e in OTHERS]
        cells += [f"{engine / compiled:.1f}x"]
        cells += [f"{ratio[e]:.2f}x" if ratio[e] else "n/a" for e in ("floats", "micrograd")]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
        info = fn.traces[-1]
        even = (first - compiled) / (engine - compiled) if engine > compiled else float("inf")
        costs.append(
            f"| {title} | {info.ops:,} | {info.lines:,} | {info.chunks} "
            f"| {r._fmt_time(info.emit_seconds)} | {r._fmt_time(info.compile_seconds)} "
            f"| {r._fmt_time(first)} | {even:.0f} |"
        )
    lines += [
        "",
        "First call (trace, write the code, compile it, run it once), and the steps after "
        "which it has paid (the first call less a compiled step, over the step time saved "
        "against the engine):",
        "",
        "| workload | ops | lines | chunks | trace + write | compile() | first call "
        "| break-even steps |",
        "|" + "---|" * 8,
        *costs,
    ]
    return "\n".join(lines)


# -- the moons step batched: vmap beside numpy and jax.jit, each vectorised over the points --


def _moons_model():
    from nn import MLP, SGD

    model = MLP(2, [16, 16, 1], seed=1337)
    return model, SGD(model.parameters(), lr=0.5)


def _sgd_step(opt, loss_of):
    """One training step: the loss, zero_grad, backward, the optimizer's step."""

    def step():
        loss = loss_of()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.data

    return step


def moons_engine_step():
    from nn import hinge, l2

    X, y = w.moons_data()
    model, opt = _moons_model()
    return _sgd_step(opt, lambda: hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4))


def moons_compiled_step():
    import autograd
    from nn import hinge, l2

    X, y = w.moons_data()
    model, opt = _moons_model()
    loss_fn = autograd.compile(
        lambda X, y: hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)
    )
    step = _sgd_step(opt, lambda: loss_fn(X, y))
    step.traced = loss_fn
    return step


def moons_vmap_step():
    import numpy as np

    import autograd
    from nn import l2

    X, y = w.moons_data()
    Xa, ya = np.array(X), np.array(y, dtype=float)
    model, opt = _moons_model()
    per_point = autograd.vmap(
        lambda x, t: (1 + -t * model(x)).relu(), in_axes=(0, 0), reduce="mean"
    )
    step = _sgd_step(opt, lambda: per_point(Xa, ya) + l2(model.parameters(), 1e-4))
    step.traced = per_point.compiled
    return step


def _moons_arrays():
    import numpy as np

    model, _ = _moons_model()
    return [
        (
            np.array([[v.data for v in n.w] for n in layer.neurons]),
            np.array([n.b.data for n in layer.neurons]),
        )
        for layer in model.layers
    ]


def moons_numpy_step():
    """The same step written by hand over numpy arrays (forward, backward, SGD)."""
    import numpy as np

    X, y = w.moons_data()
    X, y = np.array(X), np.array(y, dtype=float)
    layers = _moons_arrays()
    n = len(X)

    def step():
        acts, h = [X], X
        for k, (W, b) in enumerate(layers):
            z = h @ W.T + b
            h = np.maximum(z, 0.0) if k < len(layers) - 1 else z
            acts.append(h)
        margin = 1.0 - y * h[:, 0]
        data = np.maximum(margin, 0.0).mean()
        loss = data + 1e-4 * sum((W * W).sum() + (b * b).sum() for W, b in layers)
        g = np.where(margin > 0.0, -y / n, 0.0)[:, None]
        for k in range(len(layers) - 1, -1, -1):
            W, b = layers[k]
            gW, gb = g.T @ acts[k] + 2e-4 * W, g.sum(axis=0) + 2e-4 * b
            if k:
                g = (g @ W) * (acts[k] > 0.0)
            W -= 0.5 * gW
            b -= 0.5 * gb
        return float(loss)

    return step


def moons_jax_step():
    """The same step in jax.numpy under jax.jit (float64); None without jax."""
    if importlib.util.find_spec("jax") is None:
        return None
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    X, y = w.moons_data()
    X, y = jnp.array(X), jnp.array(y, dtype=jnp.float64)
    params = [(jnp.array(W), jnp.array(b)) for W, b in _moons_arrays()]

    def loss_fn(params):
        h = X
        for k, (W, b) in enumerate(params):
            h = h @ W.T + b
            h = jnp.maximum(h, 0.0) if k < len(params) - 1 else h
        data = jnp.maximum(1.0 - y * h[:, 0], 0.0).mean()
        return data + 1e-4 * sum((W * W).sum() + (b * b).sum() for W, b in params)

    @jax.jit
    def update(params):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        new = [(W - 0.5 * gW, b - 0.5 * gb) for (W, b), (gW, gb) in zip(params, grads)]
        return loss, new

    state = {"p": params}

    def step():
        loss, state["p"] = update(state["p"])
        return float(loss.block_until_ready())

    return step


BATCHED = {
    "engine": moons_engine_step,
    "compiled": moons_compiled_step,
    "vmap": moons_vmap_step,
    "numpy by hand": moons_numpy_step,
    "jax.jit": moons_jax_step,
}


def batched_table(repeats: int) -> str:
    """The moons step five ways, interleaved, with each first call and break-even steps."""
    steps, first, losses = {}, {}, {}
    import autograd.compiled

    for name, make in BATCHED.items():
        autograd.compiled._CODE.clear()  # each first call compiles (no code from a table before)
        gc.collect()
        start = CLOCK()
        step = make()
        if step is None:
            continue
        losses[name] = step()
        first[name] = CLOCK() - start
        steps[name] = step
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(max(repeats, 3) * 4):  # interleaved: each contender once per round
        for name, step in steps.items():
            start = CLOCK()
            step()
            times[name].append(CLOCK() - start)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    for name, loss in losses.items():  # the same first loss: the same model and data
        assert abs(loss - losses["engine"]) <= 1e-9 * abs(losses["engine"]), (name, loss)
    eng = med["engine"]
    lines = [
        "Moons step batched (MLP 2-16-16-1, 100 points, hinge + L2 + SGD), each contender "
        "vectorised over the points except the engine and compiled:",
        "",
        "| contender | step | engine / it | it / jax.jit | first call | break-even steps |",
        "|---|---|---|---|---|---|",
    ]
    for name in steps:
        over = first[name] - med[name]
        even = "-" if name == "engine" else f"{over / (eng - med[name]):.0f}"
        vs_jax = f"{med[name] / med['jax.jit']:.2f}x" if "jax.jit" in med else "n/a"
        lines.append(
            f"| {name} | {r._fmt_time(med[name])} | {eng / med[name]:.1f}x | {vs_jax} "
            f"| {r._fmt_time(first[name])} | {even} |"
        )
    if "jax.jit" not in med:
        lines.append("| jax.jit | not installed (optional: pip install jax) | | | | |")
    written = [
        f"{name}: {info.ops:,} ops in {info.lines:,} lines"
        for name, step in steps.items()
        if (info := getattr(step, "traced", None)) is not None and (info := info.traces[-1])
    ]
    lines += ["", "The code each writes (ops traced, lines written): " + "; ".join(written) + "."]
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
import time
from benchmarks.compiled import chain_compiled


def hwm():  # peak resident memory of this process, in kB (not inherited through fork)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))


base = hwm()
run, fn = chain_compiled(__N__)
t = time.process_time(); run(); first = time.process_time() - t
info = fn.traces[-1]
peak = hwm()
t = time.process_time(); run(); again = time.process_time() - t
print(f"{__N__:,}-op chain in a fresh process: {info.lines:,} lines in {info.chunks} chunks; "
      f"trace + write {info.emit_seconds:.1f} s, compile() {info.compile_seconds:.1f} s; "
      f"peak RSS {peak / 1024:.0f} MB (at start {base / 1024:.0f} MB); "
      f"a compiled call {again:.2f} s")
"""


def big_chain(n: int = 1_000_000) -> str:
    """Compile a big chain in a fresh process and report its peak memory."""
    code = _BIG.replace("__N__", str(n))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def _write_block(start: str, end: str, text: str) -> None:
    """Replace what README.md holds between the markers `start` and `end` with `text`."""
    readme = r.README.read_text()
    before, rest = readme.split(start, 1)
    _, after = rest.split(end, 1)
    r.README.write_text(f"{before}{start}\n{text}\n{end}{after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compiled", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="a 1,000,000-op chain's compile")
    parser.add_argument("--wall", action="store_true", help="wall time, not CPU time")
    parser.add_argument("--update-readme", action="store_true", help="write it into README.md")
    parser.add_argument("--batched", action="store_true", help="only the batched moons table")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401 - a user's heap, with torch imported
    clock = "wall time" if args.wall else "CPU time"
    head = r.header().replace(" (GC on, nothing frozen)", "")
    gc_state = "heap as a user has it, torch imported"
    parts = [f"{head} GC on ({gc_state}); {clock}, medians of {args.repeats} repeats."]
    batched = "\n\n".join([*parts, batched_table(args.repeats)])
    print(batched)
    if args.update_readme:
        _write_block("<!-- batched:start -->", "<!-- batched:end -->", batched)
    if args.batched:
        return 0
    parts += [table(args.repeats), compile_scaling()]
    if args.big:
        parts.append(big_chain())
    text = "\n\n".join(parts)
    print(text)
    if args.update_readme:
        _write_block(START, END, text)
    gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
