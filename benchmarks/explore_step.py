"""Milliseconds per step of the explorer page on a graph of about 400 values, in Chromium.

    python -m benchmarks.explore_step

Builds an unfused tanh MLP and its loss (close to draw_dot's default limit of 400
values), writes the explorer page, opens it in headless Chromium (Debian's, through
playwright) and times, inside the page, every step of the forward and backward pass
(the script's work plus the style and layout it forces), a full redraw (Home / End),
and moving one input (recomputing both passes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import time

from autograd import Value, topological_order
from autograd.explorer import page
from nn import MLP, mse

_TIMER = """async () => {
  const ex = window.valuegradExplorer, out = {step: [], back: [], jump: [], slider: []};
  const settle = () => document.body.getBoundingClientRect();  // force style and layout
  ex.go(0); settle();
  for (let t = 1; t <= ex.T; t++) {
    const t0 = performance.now(); ex.go(t); settle(); out.step.push(performance.now() - t0);
  }
  for (let t = ex.T - 1; t >= 0; t--) {
    const t0 = performance.now(); ex.go(t); settle(); out.back.push(performance.now() - t0);
  }
  for (let k = 0; k < 10; k++) {
    const t0 = performance.now(); ex.go(k % 2 ? 0 : ex.T); settle();
    out.jump.push(performance.now() - t0);
  }
  ex.go(ex.T); settle();  // inputs move while every number is shown
  const box = document.querySelector('.vg-leaf-box');
  for (let k = 0; k < 10; k++) {
    box.value = String(0.1 * k - 0.3);
    const t0 = performance.now(); box.dispatchEvent(new Event('change')); settle();
    out.slider.push(performance.now() - t0);
  }
  return out;
}"""


def graph() -> Value:
    model = MLP(3, [7, 6, 1], activation="tanh", seed=1, fused=False)
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
    return mse([model([Value(v) for v in x]) for x in xs], [1.0, -1.0])


def main() -> None:
    from playwright.sync_api import sync_playwright

    root = graph()
    root.backward()
    n = len(topological_order(root))
    t0 = time.perf_counter()
    html = page(root, max_nodes=max(400, n))
    write_s = time.perf_counter() - t0
    exe = os.environ.get("VALUEGRAD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.route("**/*", lambda route: route.abort())
        t0 = time.perf_counter()
        pg.set_content(html, wait_until="load")
        load_s = time.perf_counter() - t0
        r = pg.evaluate(_TIMER)
        browser.close()
    print(f"graph: {n} values, page {len(html) / 1e3:.0f} kB written in {write_s * 1e3:.0f} ms,")
    print(f"loaded in {load_s * 1e3:.0f} ms")
    rows = [("step", "step forward (→)"), ("back", "step back (←)"),
            ("jump", "redraw all (Home/End)"), ("slider", "move an input (at end)")]  # fmt: skip
    for key, what in rows:
        xs = r[key]
        print(f"{what:26s} median {statistics.median(xs):6.2f} ms   max {max(xs):6.2f} ms"
              f"   ({len(xs)} times)")  # fmt: skip


if __name__ == "__main__":
    main()
