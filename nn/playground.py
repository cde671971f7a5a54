"""Watch a network learn: a self-contained training page on the scalar engine.

`playground(model, X, y, loss=..., lr=...)` writes one HTML page (no network
request: its script and style, in `playground_js/` beside this file, are
inlined) that trains an `nn.MLP` live in the browser, as TensorFlow Playground
does, with the numbers of the Python engine: the page's evaluator repeats the
engine's fused `linear` neurons, its losses, its backward order and `nn.SGD`,
and takes its elementwise ops from the op table (`autograd.opspec`), so a page
started from Python trains to the weights `train_like_page` gives in Python.
"""

from __future__ import annotations

import html
import math
import os
import random
from collections.abc import Sequence
from pathlib import Path

from autograd.explorer import Explorer, rules_js, safe_json

from . import losses as _losses
from .modules import MLP
from .optim import SGD

__all__ = ["playground", "Playground", "LOSSES", "DATASETS", "train_like_page", "batches"]

_HERE = Path(__file__).parent / "playground_js"
# the files of the page's script, in the order they are joined (each says what it holds)
_SCRIPTS = ("numbers.js", "data.js", "engine.js", "draw.js", "sample.js", "controls.js")
LOSSES = ("mse", "half_squared_error", "hinge", "bce", "bce_with_logits")
DATASETS = ("moons", "circles", "xor", "spiral", "gauss", "sin", "parabola", "line")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


class Playground(Explorer):
    """A playground page: shows itself inline in Jupyter, `.save(path)` writes it."""

    def __init__(self, html_text: str, height: int = 900) -> None:
        super().__init__(html_text, height)

    def _repr_html_(self) -> str:
        frame = super()._repr_html_()  # the explorer's sandboxed frame, with downloads (export)
        frame = frame.replace('sandbox="allow-scripts"', 'sandbox="allow-scripts allow-downloads"')
        return frame.replace('title="valuegrad explorer"', 'title="valuegrad playground"')

    def __repr__(self) -> str:
        return f"<valuegrad playground page, {len(self.html)} characters>"


def targets(loss: str, classes: Sequence[int]) -> list[float]:
    """What `loss` is given for 0/1 classes: -1/+1 for hinge, the class itself otherwise."""
    return [2.0 * c - 1.0 if loss == "hinge" else float(c) for c in classes]


def _classes(y: Sequence[float]) -> list[int]:
    levels = sorted(set(float(v) for v in y))
    if len(levels) != 2 or not all(math.isfinite(v) for v in levels):
        raise ValueError(
            f"playground(): y (with y_test) needs two finite label values, got {levels[:5]}"
        )
    return [int(float(v) == levels[-1]) for v in y]


def batches(n: int, batch_size: int, seed: int, steps: int) -> list[list[int]]:
    """The page's batch order: a seeded permutation of the n training points, walked in turn
    (a batch_size over n means the full batch, as on the page)."""
    order = _order(n, seed)
    batch_size = min(batch_size, n)
    return [[order[(k * batch_size + j) % n] for j in range(batch_size)] for k in range(steps)]


def _order(n: int, seed: int) -> list[int]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return order


def train_like_page(
    model: MLP,
    X: Sequence[Sequence[float]],
    classes: Sequence[int],
    *,
    loss: str = "mse",
    lr: float = 0.03,
    batch_size: int | None = None,
    seed: int = 0,
    l2: float = 0.0,
    steps: int = 1,
    start: int = 0,
) -> list[float]:
    """Train `model` in Python as the page does (nn's loss, `nn.SGD`, the page's batch order);
    returns the loss of each step. `start`: the page's step count so far (the batches go on)."""
    n = len(X)
    ts = targets(loss, classes)
    opt = SGD(model.parameters(), lr=lr, weight_decay=l2)
    fn = getattr(_losses, loss)
    history = []
    for batch in batches(n, batch_size or n, seed, start + steps)[start:]:
        out = fn([model(X[i]) for i in batch], [ts[i] for i in batch])
        opt.zero_grad()
        out.backward()
        opt.step()
        history.append(out.data)
    return history


def _spec(model: MLP) -> dict:
    if not isinstance(model, MLP):
        raise TypeError(f"playground(): model must be an nn.MLP, got {type(model).__name__}")
    sizes = [len(model.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in model.layers]
    acts = []
    for i, layer in enumerate(model.layers):
        kinds = {n.activation for n in layer.neurons}
        if len(kinds) != 1 or not all(isinstance(k, str) and k in ACTIVATIONS for k in kinds):
            raise ValueError(
                f"playground(): layer {i} needs one activation of {', '.join(ACTIVATIONS)}"
            )
        if not all(n.fused for n in layer.neurons):
            raise ValueError("playground(): the page computes fused neurons (fused=True)")
        acts.append(kinds.pop())
    if sizes[0] != 2 or sizes[-1] != 1:
        raise ValueError(f"playground(): the page trains 2-input, 1-output MLPs, not {sizes}")
    params = [p.data for p in model.parameters()]
    if not all(math.isfinite(p) for p in params):
        raise ValueError("playground(): the model has a non-finite weight")
    return {"sizes": sizes, "acts": acts, "params": params}


def playground(
    model: MLP | None = None,
    X: Sequence[Sequence[float]] | None = None,
    y: Sequence[float] | None = None,
    *,
    loss: str = "mse",
    lr: float = 0.03,
    batch_size: int | None = None,
    seed: int = 0,
    l2: float = 0.0,
    X_test: Sequence[Sequence[float]] | None = None,
    y_test: Sequence[float] | None = None,
    dataset: str = "moons",
    n: int = 200,
    noise: float = 0.1,
    layers: Sequence[int] = (4, 4),
    activation: str = "tanh",
    title: str = "valuegrad playground",
) -> Playground:
    """A page that trains `model` (an `nn.MLP`, 2 inputs, 1 output) on `X, y` live.

    `y` holds two label values (0/1, or -1/+1): the loss sees -1/+1 for `hinge`
    and 0/1 otherwise. Without `X` the page makes `dataset` (moons, circles,
    xor, spiral, gauss; or points above a curve: sin, parabola, line) with `n`
    points and `noise`, half kept for testing; without `model` it builds
    `MLP(2, [*layers, 1], activation)` with `seed`. Batches follow
    `batches(n_train, batch_size, seed, ...)`; `l2` is `nn.SGD`'s weight decay.
    """
    if loss not in LOSSES:
        raise ValueError(f"playground(): unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
    if dataset not in DATASETS:
        raise ValueError(f"playground(): unknown dataset {dataset!r}; valid: {', '.join(DATASETS)}")
    for name, v in (("lr", lr), ("l2", l2), ("noise", noise)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v < math.inf):
            raise ValueError(f"playground(): {name} must be a finite number >= 0, not {v!r}")
    if model is None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"playground(): unknown activation {activation!r}")
        out = "sigmoid" if loss == "bce" else "linear"
        model = MLP(2, [*layers, 1], activation, out, seed=seed)
    spec = _spec(model)
    if loss == "bce" and spec["acts"][-1] != "sigmoid":
        raise ValueError("playground(): bce needs probabilities: a sigmoid output layer")
    data = None
    if X is not None:
        if y is None or len(X) != len(y):
            raise ValueError("playground(): give X and y of the same length")
        xs = [[float(a) for a in row] for row in X]
        ys = list(y)
        if X_test is not None:
            xs += [[float(a) for a in row] for row in X_test]
            ys += list(y_test or [])
        if any(len(r) != 2 or not all(math.isfinite(a) for a in r) for r in xs):
            raise ValueError("playground(): every point of X needs 2 finite coordinates")
        if len(ys) != len(xs) or not X:
            raise ValueError("playground(): X_test and y_test need the same length")
        data = {"X": xs, "y": _classes(ys), "split": len(X)}
    if batch_size is not None and (isinstance(batch_size, bool) or int(batch_size) < 1):
        raise ValueError(f"playground(): batch_size must be a positive integer, not {batch_size}")
    config = {
        "model": spec,
        "data": data,
        "loss": loss,
        "lr": float(lr),
        "batch": batch_size,
        "seed": int(seed),
        "l2": float(l2),
        "dataset": dataset,
        "n": int(n),
        "noise": float(noise),
        "order": None if data is None else _order(data["split"], seed),
    }
    return Playground(page(config, title))


def run_cli(args) -> int:
    """`valuegrad playground`: write the page (and open it unless `--no-browser`)."""
    import tempfile
    import webbrowser

    try:
        layers = [int(w) for w in args.layers.split(",") if w.strip()]
    except ValueError:
        msg = f"--layers needs comma-separated widths such as 8,8, not {args.layers!r}"
        raise ValueError(msg) from None
    if not layers or not all(1 <= w <= 64 for w in layers):
        raise ValueError(f"--layers needs widths from 1 to 64, not {args.layers!r}")
    pg = playground(
        dataset=args.dataset,
        layers=layers,
        activation=args.activation,
        loss=args.loss,
        lr=args.lr,
        seed=args.seed,
    )
    if args.output:
        path = pg.save(args.output)
    else:
        fd, name = tempfile.mkstemp(prefix="valuegrad-playground-", suffix=".html")
        os.close(fd)
        path = pg.save(name)
    print(f"wrote {path}")
    if not args.no_browser:
        webbrowser.open(Path(path).resolve().as_uri())
    return 0


def page(config: dict, title: str) -> str:
    """The page as HTML text: config as JSON, the op table's rules and the inlined script."""
    css = (_HERE / "playground.css").read_text(encoding="utf-8")
    js = "\n".join((_HERE / f).read_text(encoding="utf-8") for f in _SCRIPTS)
    script = rules_js() + "\n" + js
    if "</" in script or "<!--" in script or "</style" in css.lower():
        raise RuntimeError("playground: the inlined script or style would end its element early")
    body = (_HERE / "playground.html").read_text(encoding="utf-8")
    return (
        body.replace("{title}", html.escape(title))
        .replace("{css}", css)
        .replace("{data}", safe_json(config))
        .replace("{script}", script)
    )
