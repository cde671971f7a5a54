"""Optimizers that update any list of parameters, as PyTorch's do (`torch.optim`).

They work on float gradients: after `backward(create_graph=True)` a parameter's
`.grad` is a `Value`, and a step uses its `.data`; `p.data` always stays a float.
Settings are checked as `torch.optim` checks them, with a `ValueError` naming
the setting (and, unlike PyTorch, NaN and infinities are refused too).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _number(owner: str, name: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{owner}: {name} must be a finite number, not {x!r}")
    return float(x)


def _at_least_0(owner: str, name: str, x: object) -> float:
    x = _number(owner, name, x)
    if x < 0.0:
        raise ValueError(f"{owner}: invalid {name} {x!r} (must be >= 0)")
    return x


def _grad(p: Value) -> float:
    g = p.grad
    return g.data if isinstance(g, Value) else g


class Optimizer:
    """Holds a list of parameters; `step()` updates them from `.grad`."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: no parameters to optimize")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{name}: parameters must be Values, got {p!r}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{name}: a parameter appears more than once (it would step twice)")
        self.lr = _at_least_0(name, "lr", lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """`torch.optim.SGD`: d = grad + weight_decay * p; with momentum, the buffer
    b = d at the first step, then momentum * b + (1 - dampening) * d, and d = b
    (or d + momentum * b with `nesterov=True`); p -= lr * d."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        *,
        dampening: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _at_least_0("SGD", "momentum", momentum)
        self.weight_decay = _at_least_0("SGD", "weight_decay", weight_decay)
        self.dampening = _number("SGD", "dampening", dampening)
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov momentum requires a momentum > 0 and zero dampening")
        self.nesterov = bool(nesterov)
        self._velocity: list[float] | None = None

    def step(self) -> None:
        wd, mu = self.weight_decay, self.momentum
        grads = [p.grad for p in self.params]
        if set(map(type, grads)) != {float}:  # Values (create_graph): their numbers
            grads = [_grad(p) for p in self.params]
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params)]
        if mu:
            if self._velocity is None:
                self._velocity = list(grads)
            else:
                keep = 1.0 - self.dampening
                self._velocity = [mu * v + keep * g for v, g in zip(self._velocity, grads)]
            if self.nesterov:
                grads = [g + mu * v for g, v in zip(grads, self._velocity)]
            else:
                grads = self._velocity
        for p, g in zip(self.params, grads):
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba), bias-corrected, as `torch.optim.Adam` (weight decay as L2).

    The second moment is kept as its square root, updated with `hypot`, so a
    gradient whose square underflows (1e-200) or overflows (1e200) still moves
    the parameter as exact Adam does (PyTorch gives -inf or no step there).
    Where a parameter's gradients have all been 0 and `eps=0`, it is left as
    it is (PyTorch computes 0/0 and makes it NaN); where the update is not a
    finite number, `step` raises `FloatingPointError` naming the parameter.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Adam: betas must be a pair of numbers, not {betas!r}")
        for i, beta in enumerate(betas):
            beta = _number("Adam", f"betas[{i}]", beta)
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: invalid betas[{i}] {beta!r} (must be in [0, 1))")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _at_least_0("Adam", "eps", eps)
        self.weight_decay = _at_least_0("Adam", "weight_decay", weight_decay)
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._r = [0.0] * len(self.params)  # sqrt of the second moment

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        step_size = self.lr / (1 - b1**self.t)
        c2_sqrt = math.sqrt(1 - b2**self.t)
        sb2, s1b2 = math.sqrt(b2), math.sqrt(1 - b2)
        updates = []
        for i, p in enumerate(self.params):
            g = _grad(p) + self.weight_decay * p.data if self.weight_decay else _grad(p)
            m = self._m[i] = b1 * self._m[i] + (1 - b1) * g
            # sqrt(b2 v + (1 - b2) g^2) without squaring g, so it neither underflows nor overflows
            r = self._r[i] = math.hypot(sb2 * self._r[i], s1b2 * g)
            denom = r / c2_sqrt + self.eps
            if not denom and not m:
                updates.append(0.0)  # every gradient so far was 0: no step (0/0)
                continue
            u = step_size * m / denom if denom else math.nan
            if not math.isfinite(u) and math.isfinite(g):
                name = p.label or f"parameter {i}"
                raise FloatingPointError(
                    f"Adam: the update of {name} is {u!r} (gradient {g!r}, first moment {m!r}, "
                    f"sqrt of second moment {r!r}, eps={self.eps!r}): too small to represent"
                )
            updates.append(u)
        for p, u in zip(self.params, updates):
            p.data -= u
