"""The names the code `codegen` writes calls (`sin`, `pow_data`, `inf`, ...), importable.

    from autograd.generated import tanh

is the line `codegen` puts above its function, so the printed code runs as printed.
They are the op table's helpers, `autograd.opspec.FUNCTIONS`.
"""

from __future__ import annotations

from .opspec import FUNCTIONS

globals().update(FUNCTIONS)
__all__ = sorted(FUNCTIONS)
