"""Optimizers that update any list of parameters, as PyTorch's do."""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """Holds a list of parameters; `step()` updates them from `.grad`."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: no parameters to optimize")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: parameters must be Values, got {p!r}")
        if not (isinstance(lr, (int, float)) and lr >= 0 and math.isfinite(lr)):
            raise ValueError(f"{type(self).__name__}: lr must be a number >= 0, not {lr!r}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (grad + weight_decay * p) (PyTorch's form)."""

    def __init__(
        self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self._velocity: list[float] | None = None

    def step(self) -> None:
        grads = [
            p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            for p in self.params
        ]
        if self.momentum:
            if self._velocity is None:
                self._velocity = grads
            else:
                self._velocity = [self.momentum * v + g for v, g in zip(self._velocity, grads)]
            grads = self._velocity
        for p, g in zip(self.params, grads):
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba), bias-corrected, as `torch.optim.Adam`."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for i, p in enumerate(self.params):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            self._m[i] = b1 * self._m[i] + (1 - b1) * g
            self._v[i] = b2 * self._v[i] + (1 - b2) * g * g
            p.data -= self.lr * (self._m[i] / c1) / (math.sqrt(self._v[i] / c2) + self.eps)
