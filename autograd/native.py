"""The optional C helpers, built by `pip install` where a C compiler is.

`load(name)` gives one (`_untracked`: nodes the cyclic garbage collector does
not track; `_walk`: the topological order; `_fused`: the fused linear op's
loops), or None when it was not
built or the environment variable VALUEGRAD_PURE_PYTHON is set (to anything but
"" or "0") before import. Every helper has a plain-Python twin that gives the
same numbers.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = ["HELPERS", "PURE", "built", "load"]

HELPERS = ("_untracked", "_walk", "_fused")

PURE: bool = os.environ.get("VALUEGRAD_PURE_PYTHON", "") not in ("", "0")
"""True when VALUEGRAD_PURE_PYTHON asks for plain Python only."""


def load(name: str) -> ModuleType | None:
    """The C helper `autograd.<name>`, or None (not built, or PURE)."""
    if PURE:
        return None
    try:
        return importlib.import_module(f"autograd.{name}")
    except ImportError:  # not compiled: no C compiler when installed
        return None


def built() -> bool:
    """Whether every C helper is built and in use."""
    return all(load(name) is not None for name in HELPERS)
