"""Training speed of the playground page in headless Chromium: a 2-8-8-1 tanh network on
200 points, full batch.

    python -m benchmarks.playground

Reports, measured inside the page: steps per second of training alone (PG.run, one
redraw at the end), the time of one full redraw (decision boundary, points, curves,
network), and, while the page plays as a user sees it (the play button: steps within
a time budget per frame, a redraw every ~60 ms), steps and redraws per second.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import nn
from nn.playground import playground

_TIMER = """async () => {
  const t0 = performance.now(); PG.run(60); const train = 60 / ((performance.now() - t0) / 1000);
  const draws = [];
  for (let k = 0; k < 10; k++) {
    const t1 = performance.now(); PG.run(0); document.body.getBoundingClientRect();
    draws.push(performance.now() - t1);
  }
  draws.sort((a, b) => a - b);
  return {train: train, redraw_ms: draws[5]};
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    X, y = nn.make_moons(200, noise=0.1, seed=0)
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    pg = playground(model, X, y, loss="mse", lr=0.05, seed=0)
    path = os.path.join(tempfile.mkdtemp(), "playground.html")
    pg.save(path)
    chromium = os.environ.get("VALUEGRAD_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto("file://" + path)
        r = page.evaluate(_TIMER)
        page.evaluate("PG.run(0)")
        s0, f0 = page.evaluate("[PG.step, PG.frames]")
        page.click("#pg-play")
        page.wait_for_timeout(5000)
        page.click("#pg-play")
        s1, f1 = page.evaluate("[PG.step, PG.frames]")
        browser.close()
    print(f"2-8-8-1 tanh MLP, 200 points, full batch (mse), Chromium, {os.cpu_count()} cores")
    print(f"  training alone:  {r['train']:7.1f} steps/s")
    print(f"  one full redraw: {r['redraw_ms']:7.1f} ms (median of 10)")
    print(f"  playing (5 s):   {(s1 - s0) / 5:7.1f} steps/s, {(f1 - f0) / 5:5.1f} redraws/s")


if __name__ == "__main__":
    main()
