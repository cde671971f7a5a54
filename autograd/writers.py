"""Writers of a graph to a file, by suffix, that `autograd.draw.render` dispatches to
besides its own formats: `autograd.explorer` adds ".html" when imported (as
`import autograd` does), so draw never imports the explorer, which imports draw."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["WRITERS"]

WRITERS: dict[str, Callable] = {}  # suffix -> writer(root, path, **kw) -> Path
