"""The benchmark workloads, written once per engine in that engine's own idiom.

Each `setup_*` function returns a zero-argument callable that runs one
repetition (build the graph, backpropagate, and for training, update) and
returns the number of graph nodes it made (or None where that is not counted).
"""

from __future__ import annotations

import math
import random

MOONS_N = 100
DOT_N = 20_000
CHAIN_N = 100_000


def moons_data():
    from nn import make_moons

    X, y = make_moons(MOONS_N, noise=0.1, seed=1)
    return X, [2 * t - 1 for t in y]


# -- the moons training step of micrograd's demo: MLP(2, [16, 16, 1]), hinge + L2 --


def moons_valuegrad():
    from nn import MLP, SGD, hinge, l2

    X, y = moons_data()
    model = MLP(2, [16, 16, 1], seed=1337)
    opt = SGD(model.parameters(), lr=0.5)

    def step():
        loss = hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def moons_micrograd():
    from micrograd.engine import Value
    from micrograd.nn import MLP

    X, y = moons_data()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])

    def step():  # micrograd's demo notebook, as written there
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad

    return step


def _scalar_mlp(new, sizes, rng):
    """Weights [layer][neuron] = (w list, b) of scalars made by `new`."""
    return [
        [([new(rng.uniform(-1, 1)) for _ in range(nin)], new(0.0)) for _ in range(nout)]
        for nin, nout in zip(sizes, sizes[1:])
    ]


def _torch_mlp(sizes, rng, hidden: str):
    """A scalar MLP of 0-d float64 tensors, one op per node: (parameters, forward)."""
    import torch

    layers = _scalar_mlp(
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), sizes, rng
    )
    params = [p for layer in layers for w, b in layer for p in (*w, b)]

    def forward(x):
        for i, layer in enumerate(layers):
            out = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, x):
                    act = act + wi * xi
                out.append(getattr(act, hidden)() if i < len(layers) - 1 else act)
            x = out
        return x[0]

    return params, forward


def moons_torch():
    import torch

    X, y = moons_data()
    params, forward = _torch_mlp([2, 16, 16, 1], random.Random(1337), "relu")

    def step():
        xs = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in X]
        scores = [forward(x) for x in xs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad

    return step


def _float_backprop(layers, X, T, act, slope, out_delta):
    """Hand-written forward and backward of a scalar MLP on plain floats.

    `act`/`slope` are the hidden activation and its derivative in terms of the
    activation's output; `out_delta(score, t)` is dLoss/dscore for one sample.
    Returns [layer][neuron] = (weight grads, [bias grad]).
    """
    grads = [[([0.0] * len(w), [0.0]) for w, _ in layer] for layer in layers]
    for x, t in zip(X, T):
        acts = [x]
        for i, layer in enumerate(layers):
            z = [b + sum(wi * xi for wi, xi in zip(w, acts[-1])) for w, b in layer]
            acts.append([act(v) for v in z] if i < len(layers) - 1 else z)
        delta = [out_delta(acts[-1][0], t)]
        for i in range(len(layers) - 1, -1, -1):
            inp = acts[i]
            back = [0.0] * len(inp)
            for j, (w, _) in enumerate(layers[i]):
                gw, gb = grads[i][j]
                gb[0] += delta[j]
                for k, xi in enumerate(inp):
                    gw[k] += delta[j] * xi
                    back[k] += delta[j] * w[k]
            if i:
                delta = [bk * slope(a) for bk, a in zip(back, inp)]
    return grads


def moons_floats():
    """The same step by hand on plain floats: the floor no engine can beat."""
    X, y = moons_data()
    layers = _scalar_mlp(float, [2, 16, 16, 1], random.Random(1337))

    def step():
        grads = _float_backprop(
            layers,
            X,
            y,
            lambda v: max(v, 0.0),
            lambda a: 1.0 if a > 0 else 0.0,
            lambda score, t: -t / MOONS_N if 1 - t * score > 0 else 0.0,
        )
        for layer, glayer in zip(layers, grads):
            for j, ((w, b), (gw, gb)) in enumerate(zip(layer, glayer)):
                for k in range(len(w)):
                    w[k] -= 0.5 * (gw[k] + 2e-4 * w[k])
                layer[j] = (w, b - 0.5 * (gb[0] + 2e-4 * b))

    return step


# -- a wide dot product: one * and one + node per term ------------------------


def _dot(new):
    def run():
        ws = [new(0.001 * (i % 100)) for i in range(DOT_N)]
        xs = [new(0.5) for _ in range(DOT_N)]
        s = ws[0] * xs[0]
        for w, x in zip(ws[1:], xs[1:]):
            s = s + w * x
        s.backward()
        return 2 * DOT_N + 2 * DOT_N - 1

    return run


def dot_valuegrad():
    from autograd import Value

    return _dot(Value)


def dot_micrograd():
    from micrograd.engine import Value

    return _dot(Value)


def dot_torch():
    import torch

    return _dot(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))


def dot_floats():
    def run():
        ws = [0.001 * (i % 100) for i in range(DOT_N)]
        xs = [0.5] * DOT_N
        s = 0.0
        for w, x in zip(ws, xs):
            s += w * x
        gw = list(xs)
        gx = list(ws)
        return s, gw, gx

    return run


# -- a deep chain: y = y * a + c, one node per op ----------------------------


def _chain(new, n):
    def run():
        x = new(0.5)
        y = x
        for _ in range(n // 2):
            y = y * 0.9999999 + 1e-7
        y.backward()
        return n + 1

    return run


def chain_valuegrad(n=CHAIN_N):
    from autograd import Value

    return _chain(Value, n)


def chain_micrograd(n=CHAIN_N):
    from micrograd.engine import Value

    return _chain(Value, n)


def chain_torch(n=CHAIN_N):
    import torch

    return _chain(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), n)


def chain_floats(n=CHAIN_N):
    def run():
        y, d = 0.5, 1.0
        for _ in range(n // 2):
            y = y * 0.9999999 + 1e-7
            d *= 0.9999999
        return y, d

    return run


# -- a tanh MLP, forward and backward: MLP(4, [32, 32, 1]) on 20 points, MSE --


TANH_X = [[math.sin(i + k) for k in range(4)] for i in range(20)]
TANH_Y = [math.cos(i) for i in range(20)]


def tanh_valuegrad():
    from nn import MLP, mse

    model = MLP(4, [32, 32, 1], activation="tanh", seed=0)

    def run():
        model.zero_grad()
        mse([model(x) for x in TANH_X], TANH_Y).backward()

    return run


def _micrograd_tanh(v):
    """tanh as a micrograd custom op (its pip release has none), as in the micrograd lecture."""
    from micrograd.engine import Value

    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


def tanh_micrograd():
    from micrograd.engine import Value
    from micrograd.nn import Layer

    random.seed(0)
    layers = [Layer(4, 32, nonlin=False), Layer(32, 32, nonlin=False), Layer(32, 1, nonlin=False)]

    def forward(x):
        for i, layer in enumerate(layers):
            x = [n(x) for n in layer.neurons]
            if i < 2:
                x = [_micrograd_tanh(v) for v in x]
        return x[0]

    def run():
        for layer in layers:
            layer.zero_grad()
        outs = [forward(list(map(Value, x))) for x in TANH_X]
        loss = sum((o - t) ** 2 for o, t in zip(outs, TANH_Y)) * (1.0 / len(outs))
        loss.backward()

    return run


def tanh_torch():
    import torch

    params, forward = _torch_mlp([4, 32, 32, 1], random.Random(0), "tanh")

    def run():
        for p in params:
            p.grad = None
        outs = [forward([torch.tensor(v, dtype=torch.float64) for v in x]) for x in TANH_X]
        loss = sum((o - t) ** 2 for o, t in zip(outs, TANH_Y)) * (1.0 / len(outs))
        loss.backward()

    return run


def tanh_floats():
    layers = _scalar_mlp(float, [4, 32, 32, 1], random.Random(0))

    def run():
        return _float_backprop(
            layers,
            TANH_X,
            TANH_Y,
            math.tanh,
            lambda a: 1 - a * a,
            lambda score, t: 2 * (score - t) / len(TANH_X),
        )

    return run
