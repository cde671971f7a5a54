"""First, second and third derivatives of random programs against PyTorch float64.

Programs come from `autograd.testing.expressions()`; PyTorch runs the very same
program (`Expression.torch`) and differentiates it with
`torch.autograd.grad(create_graph=True)`. We compute the same derivatives through
`gradients(create_graph=True)`, through `backward(create_graph=True)`, and through
nestings of `grad` / `value_and_grad` / `hessian` with random argnums (negative
ones too) and closures over outer values.

Where the two disagree, sympy decides (exact derivatives, 30 digits): the test
then requires our number to be sympy's, i.e. torch was the one that was wrong.
One such case is pinned below (the third derivative of x**x at 1).
"""

import math

import sympy
from conftest import require_torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, gradients, hessian, value_and_grad
from autograd.testing import expressions

ORDER = 3
PROGRAMS = expressions(max_depth=5)


def _keys(n, order):
    keys = [()]
    for _ in range(order):
        keys = [k + (i,) for k in keys for i in range(n)]
    return keys


def torch_derivatives(torch, ex, order=ORDER):
    """{(i, j, ...): d^k f / dx_i dx_j ...} by torch.autograd.grad(create_graph=True)."""
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in ex.point]
    level = {(): ex.torch(torch, leaves)}
    found = {(): level[()].item()}
    for _ in range(order):
        nxt = {}
        for key, t in level.items():
            if t.requires_grad:
                gs = torch.autograd.grad(
                    t, leaves, create_graph=True, allow_unused=True, materialize_grads=True
                )
            else:  # a constant: every further derivative is 0
                gs = [torch.zeros(()) for _ in leaves]
            for i, g in enumerate(gs):
                nxt[key + (i,)] = g
                found[key + (i,)] = g.item()
        level = nxt
    return found


def _our_derivatives(ex, differentiate, order=ORDER):
    """The same table, with `differentiate(value, leaves) -> list of gradients`."""
    leaves = [Value(x) for x in ex.point]
    level = {(): ex.build(*leaves)}
    found = {(): level[()].data}
    for _ in range(order):
        nxt = {}
        for key, v in level.items():
            gs = differentiate(v, leaves) if isinstance(v, Value) else [0.0] * len(leaves)
            for i, g in enumerate(gs):
                nxt[key + (i,)] = g
                found[key + (i,)] = g.data if isinstance(g, Value) else g
        level = nxt
    return found


def _by_backward(v, leaves):
    for leaf in leaves:
        leaf.grad = 0.0
    v.backward(create_graph=True)
    return [leaf.grad for leaf in leaves]


def _close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _sympy_derivative(ex, key):
    expr, syms = ex.sympy()
    d = sympy.diff(expr, *[syms[i] for i in key]) if key else expr
    return float(d.subs(dict(zip(syms, ex.point))).evalf(30))


def agree(ours, theirs, ex, key, how):
    """Ours must match torch; where it does not, sympy decides, and ours must be sympy's."""
    ours = ours.data if isinstance(ours, Value) else ours
    if _close(ours, theirs):
        return
    exact = _sympy_derivative(ex, key)
    assert _close(ours, exact), (
        f"{ex}: d{key} by {how} is {ours!r}, torch {theirs!r}, sympy {exact!r}"
    )
    # here torch was wrong (ours is sympy's): e.g. its pow backward drops the
    # exponent's derivative at exponent 0, see test_torch_is_wrong_on_x_to_the_x


def _as_values(f):
    """f on any mix of floats and Values (a float argument becomes a constant leaf)."""
    return lambda *a: f(*[x if isinstance(x, Value) else Value(x) for x in a])


@settings(max_examples=100, deadline=None)
@given(PROGRAMS)
def test_gradients_create_graph_match_torch(ex):
    torch = require_torch()
    ref = torch_derivatives(torch, ex)
    ours = _our_derivatives(ex, lambda v, xs: gradients(v, xs, create_graph=True))
    for key in ref:
        agree(ours[key], ref[key], ex, key, "gradients(create_graph=True)")


@settings(max_examples=60, deadline=None)
@given(PROGRAMS)
def test_backward_create_graph_matches_torch(ex):
    torch = require_torch()
    ref = torch_derivatives(torch, ex)
    ours = _our_derivatives(ex, _by_backward)
    for key in ref:
        agree(ours[key], ref[key], ex, key, "backward(create_graph=True)")


def _gradient_of(f, i):
    """value_and_grad's gradient part, as a function to nest further."""
    return lambda *a: value_and_grad(f, i)(*a)[1]


def _chain(f, seq, kinds):
    """grad / value_and_grad applied in turn with argnums seq (innermost first)."""
    for i, kind in zip(seq, kinds):
        f = grad(f, i) if kind == "grad" else _gradient_of(f, i)
    return f


def _closures(f, point, seq):
    """d/dx_seq[-1] ... d/dx_seq[0] f with each level a closure over the outer ones:
    an index bound by an outer level is passed in as that outer Value, the others
    are plain floats at the point."""
    n = len(point)

    def level(m, bound):
        i = seq[m]

        def h(xi):
            b = {**bound, i: xi}
            if m == 0:
                return f(*[b.get(t, point[t]) for t in range(n)])
            return level(m - 1, b)

        return grad(h)(bound.get(i, point[i]))

    return level(len(seq) - 1, {})


@settings(max_examples=150, deadline=None)
@given(PROGRAMS, st.data())
def test_functional_nestings_match_torch(ex, data):
    torch = require_torch()
    ref = torch_derivatives(torch, ex)
    n, point = len(ex.point), ex.point
    f = _as_values(ex.build)
    argnum = st.integers(-n, n - 1)
    k = data.draw(st.integers(1, ORDER), label="order")
    seq = [data.draw(argnum, label="argnums") for _ in range(k)]
    kinds = [data.draw(st.sampled_from(["grad", "vg"]), label="kind") for _ in range(k)]
    key = tuple(i % n for i in seq)
    got = _chain(f, seq, kinds)(*point)
    assert isinstance(got, float)
    agree(got, ref[key], ex, key, f"nested {list(zip(kinds, seq))}")

    # value_and_grad's value, nested
    value = value_and_grad(_chain(f, seq[:-1], kinds[:-1]), seq[-1])(*point)[0]
    agree(value, ref[key[:-1]], ex, key[:-1], "value of value_and_grad")

    # several argnums at once, then differentiated again
    pair = (seq[0], data.draw(argnum, label="second argnum"))
    both = grad(f, argnums=pair)(*point)
    for i, g in zip(pair, both):
        agree(g, ref[(i % n,)], ex, (i % n,), f"grad argnums={pair}")
    j = data.draw(argnum, label="outer argnum")
    summed = grad(lambda *a: sum(grad(f, argnums=pair)(*a)), j)(*point)
    exact = ref[(pair[0] % n, j % n)] + ref[(pair[1] % n, j % n)]
    assert _close(summed, exact) or _close(
        summed,
        _sympy_derivative(ex, (pair[0] % n, j % n)) + _sympy_derivative(ex, (pair[1] % n, j % n)),
    ), (ex, pair, j)

    # closures over outer values (and outer Values passed back in as arguments)
    got = _closures(f, point, [i % n for i in seq])
    agree(got, ref[key], ex, key, f"closures over {key}")

    # hessian of a grad chain, and grad of a hessian entry
    m = data.draw(st.integers(0, 1), label="grads inside hessian")
    H = hessian(_chain(f, seq[:m], kinds[:m]))(*point)
    for a in range(n):
        for b in range(n):
            key_h = key[:m] + (a, b)
            agree(H[a][b], ref[key_h], ex, key_h, f"hessian of {m} grads")
    a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
    got = grad(lambda *x: hessian(f)(*x)[a][b], seq[0])(*point)
    agree(got, ref[(a, b, key[0])], ex, (a, b, key[0]), "grad of a hessian entry")


@settings(max_examples=20, deadline=None)
@given(PROGRAMS)
def test_expression_torch_is_the_same_program(ex):
    torch = require_torch()
    out = ex.torch(torch)  # default leaves: float64 at ex.point, requiring grad
    assert out.dtype == torch.float64 and out.requires_grad
    assert ex.build().data == ex.f()
    assert math.isclose(out.item(), ex.f(), rel_tol=1e-13, abs_tol=1e-300)  # torch rounds its way


def test_torch_is_wrong_on_x_to_the_x():
    """d^3/dx^3 x**x at 1 is 3 (sympy); torch's pow backward replaces d/da a**b by 0
    where b == 0 (here b = x - 1 in the second derivative), so it loses a term: 2."""
    torch = require_torch()
    s = sympy.Symbol("s", positive=True)
    exact = float(sympy.diff(s**s, s, 3).subs(s, 1))
    assert exact == 3.0
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    g = x**x
    for _ in range(3):
        (g,) = torch.autograd.grad(g, x, create_graph=True)
    assert g.item() == 2.0  # torch's (wrong) answer, pinned so a fix there is noticed
    assert grad(grad(grad(lambda x: x**x)))(1.0) == exact
    leaf = Value(1.0)
    g = leaf**leaf
    for _ in range(3):
        (g,) = gradients(g, [leaf], create_graph=True)
    assert g.data == exact
