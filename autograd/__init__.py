"""valuegrad's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> x = Value(2.0); y = x * x + x.sin(); y.backward(); round(x.grad, 4)
3.5839
"""

from .compiled import Compiled, compile
from .emit import codegen
from .engine import Value, topological_order
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
    "codegen",
    "compile",
    "Compiled",
    "TracingError",
]
__version__ = "0.1.0"
