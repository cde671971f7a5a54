"""Measure how long the test command and each notebook take, and write it into README.md.

    python scripts/readme_times.py                   # time each notebook, print the block
    python scripts/readme_times.py --suite           # also time the whole test command
    python scripts/readme_times.py --update-readme   # both, written into README.md

The figures in README.md's block <!-- test-times:start --> ... <!-- test-times:end --> come
from here, never typed by hand: wall-clock seconds on this machine, with its core count and
load average when measured (other work on the machine slows everything down).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- test-times:start -->", "<!-- test-times:end -->"
SELF = "tests/test_readme_install.py::test_readme_times_are_generated_for_every_notebook"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def notebooks() -> list[Path]:
    """Every notebook the test command runs, in order."""
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def _one_min_load() -> float:
    return os.getloadavg()[0]


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _load(before: float) -> str:
    return f"1-minute load average {before:.1f} before, {_one_min_load():.1f} after"


def block(suite: bool) -> str:
    """The Markdown the README shows: the test command's time and each notebook's."""
    lines = []
    if suite:
        before = _one_min_load()
        # the one test that reads this block is left out: it fails until the block is written
        secs = _wall([*PYTEST, "-n", "auto", "--nbmake", "tests", "notebooks", "--deselect", SELF])
        lines.append(
            f"The test command's pytest stage (`pytest -n auto --nbmake tests notebooks`) took "
            f"{secs / 60:.1f} minutes of wall time on {os.cpu_count()} cores ({_load(before)})."
        )
    before = _one_min_load()
    cells = []
    for nb in notebooks():
        secs = _wall([*PYTEST, "--nbmake", str(nb)])
        cells.append(f"{nb.stem[:2]} {secs:.0f} s")
    lines.append(
        f"Each notebook under `pytest --nbmake` (wall time, one at a time, including the kernel's "
        f"start; {os.cpu_count()} cores, {_load(before)}): {', '.join(cells)}."
    )
    return "\n\n".join(lines)


def write_readme(text: str) -> None:
    """Replace the README's block between the markers with `text`."""
    readme = README.read_text()
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", action="store_true", help="also time the whole test command")
    ap.add_argument("--update-readme", action="store_true", help="time both, write README.md")
    args = ap.parse_args()
    text = block(args.suite or args.update_readme)
    print(text)
    if args.update_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
