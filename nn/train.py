"""A small training loop with an optional tqdm progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd import Value, gc_paused

from .optim import Optimizer

__all__ = ["fit"]


def fit(
    model: Callable,
    X: Sequence,
    y: Sequence,
    loss_fn: Callable[[list, Sequence], Value],
    optimizer: Optimizer,
    steps: int,
    *,
    accuracy: Callable[[list, Sequence], float] | None = None,
    progress: bool = False,
) -> dict[str, list[float]]:
    """Full-batch training: each step runs the model on every input, then
    `loss_fn(outputs, y)`, backward and `optimizer.step()`.

    Returns the history {"loss": [...], "accuracy": [...]} (accuracy when a
    function for it is given). `progress=True` shows a tqdm bar. The garbage
    collector is paused during each step: the graph holds no cycles, and
    collecting while it grows only costs time.
    """
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc="training", mininterval=1.0)
    for _ in range(steps):
        with gc_paused():
            outputs = [model(x) for x in X]
            loss = loss_fn(outputs, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history["loss"].append(loss.data)
        if accuracy is not None:
            history["accuracy"].append(accuracy(outputs, y))
        if bar is not None:
            postfix = {"loss": f"{loss.data:.4f}"}
            if accuracy is not None:
                postfix["acc"] = f"{history['accuracy'][-1]:.2f}"
            bar.set_postfix(postfix)
            bar.update()
    if bar is not None:
        bar.close()
    return history
