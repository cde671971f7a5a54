"""valuegrad's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> x = Value(2.0); y = x * x + x.sin(); y.backward(); round(x.grad, 4)
3.5839
"""

from .batched import vmap
from .compiled import Compiled, compile
from .emit import codegen
from .engine import Value, topological_order
from .explorer import explore
from .functional import grad, hessian, value_and_grad
from .gcpause import gc_paused
from .gradcheck import GradcheckError, gradcheck, gradcheck_module
from .higher import gradients
from .modes import (
    AnomalyError,
    TracingError,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
)

__all__ = [
    "Value",
    "topological_order",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "AnomalyError",
    "gradcheck",
    "gradcheck_module",
    "GradcheckError",
    "grad",
    "value_and_grad",
    "hessian",
    "gradients",
    "gc_paused",
    "draw_dot",
    "to_svg",
    "render",
    "explore",
    "codegen",
    "compile",
    "Compiled",
    "vmap",
    "TracingError",
]
__version__ = "0.1.0"

_DRAWING = ("draw_dot", "to_svg", "render")


def __getattr__(name: str):
    # the drawing layer imports the graphviz package: only when it is used
    if name in _DRAWING:
        from . import draw

        return getattr(draw, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_DRAWING))
