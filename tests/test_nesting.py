"""Nesting the functional API: grad of grad with every argnums, closures over outer
values, value_and_grad and hessian inside and around grad, perturbation confusion.

The reference is PyTorch's `torch.func` (JAX's nesting semantics, an independent
implementation), run on the very same Python functions with float64 tensors;
the issue's own examples are checked against sympy as well.
"""

import threading

import pytest
import sympy

from autograd import Value, grad, gradients, hessian, no_grad, value_and_grad


def _ours():
    return grad, value_and_grad, hessian, float


def _torch(torch):
    from torch.func import grad as tgrad
    from torch.func import grad_and_value
    from torch.func import hessian as thessian

    def vg(f, argnums=0):
        def vg_f(*args):
            g, v = grad_and_value(f, argnums)(*args)
            return v, g

        return vg_f

    def hess(f):
        def hess_f(*args):
            h = thessian(f, argnums=tuple(range(len(args))))(*args)
            return [list(row) for row in h]

        return hess_f

    return tgrad, vg, hess, torch.tensor


# Each case: (name, program(G, VG, H, K) -> function of floats/tensors, point);
# K makes a constant (a float for us, a tensor for torch.func).
CASES = [
    ("issue: d/dy d/dx x*x*y", lambda G, VG, H, K: G(G(lambda x, y: x * x * y, 0), 1), (3.0, 5.0)),
    ("issue: d/dx d/dy x*x*y", lambda G, VG, H, K: G(G(lambda x, y: x * x * y, 1), 0), (3.0, 5.0)),
    ("negative argnums", lambda G, VG, H, K: G(G(lambda x, y: x * x * y, -2), -1), (3.0, 5.0)),
    ("mixed -1 then 0", lambda G, VG, H, K: G(G(lambda x, y: x * y.sin() * x, -1), 0), (0.7, 1.9)),
    (
        "issue: closure (gradient penalty)",
        lambda G, VG, H, K: G(lambda y: G(lambda x: x * x * y)(K(3.0))),
        (5.0,),
    ),
    (
        "issue: third order mixed",
        lambda G, VG, H, K: G(G(G(lambda x, y: x * x * y**3, 1), 1), 0),
        (2.0, 3.0),
    ),
    (
        "JAX perturbation confusion",
        lambda G, VG, H, K: G(lambda x: x * G(lambda y: x + y)(K(1.0))),
        (1.0,),
    ),
    (
        "inner grad at the outer variable",
        lambda G, VG, H, K: G(lambda x: G(lambda y: x * y)(x)),
        (2.0,),
    ),
    (
        "same function nested at (a, a)",
        lambda G, VG, H, K: G(lambda a: G(lambda x, y: x * y * y)(a, a)),
        (3.0,),
    ),
    (
        "Siskind-Pearlmutter",
        lambda G, VG, H, K: G(lambda x: x * G(lambda y: x * y)(K(2.0))),
        (1.0,),
    ),
    (
        "grad of grad of the same f at (x, x)",
        lambda G, VG, H, K: G(lambda x: G(lambda u, v: (u * v).sin())(x, x) * x),
        (0.8,),
    ),
    (
        "value_and_grad nested",
        lambda G, VG, H, K: G(
            lambda x: VG(lambda y: (x * y).exp())(x)[0] * VG(lambda y: x * y**3)(x)[1]
        ),
        (0.6,),
    ),
    (
        "value_and_grad of a grad, value",
        lambda G, VG, H, K: lambda x, y: VG(G(lambda a, b: a**3 * b, 0), 1)(x, y)[0],
        (1.5, -2.0),
    ),
    (
        "value_and_grad of a grad, gradient",
        lambda G, VG, H, K: lambda x, y: VG(G(lambda a, b: a**3 * b.tanh(), 0), 1)(x, y)[1],
        (1.5, -0.4),
    ),
    (
        "hessian inside grad",
        lambda G, VG, H, K: G(lambda x: H(lambda y: y**4 * x)(x)[0][0]),
        (2.0,),
    ),
    (
        "hessian entry inside grad, two args",
        lambda G, VG, H, K: G(lambda x, y: H(lambda a, b: a * a * b * x)(x, y)[0][1], 1),
        (1.3, 0.4),
    ),
    (
        "grad inside hessian",
        lambda G, VG, H, K: lambda x, y: H(G(lambda a, b: a**3 * b * b, 0))(x, y)[1][0],
        (1.1, 0.9),
    ),
    (
        "hessian of a closure over an outer variable",
        lambda G, VG, H, K: G(lambda c: H(lambda x: (c * x).sin())(K(1.2))[0][0]),
        (0.5,),
    ),
    (
        "grad of a function calling hessian twice",
        lambda G, VG, H, K: G(
            lambda x: H(lambda y: y**3)(x)[0][0] * H(lambda y: x * y * y)(x)[0][0]
        ),
        (1.7,),
    ),
]


def _to_float(r):
    return r.item() if hasattr(r, "item") else (r.data if isinstance(r, Value) else r)


@pytest.mark.parametrize("name, program, point", CASES, ids=[c[0] for c in CASES])
def test_nested_transforms_match_torch_func(torch, name, program, point):
    ours = program(*_ours())(*point)
    assert isinstance(ours, float), "top level with float arguments gives a float"
    theirs = program(*_torch(torch))(*[torch.tensor(p) for p in point])
    assert ours == pytest.approx(_to_float(theirs), rel=1e-12, abs=1e-12), name


def test_issue_examples_match_sympy():
    x, y = sympy.symbols("x y")
    f = x * x * y
    assert grad(grad(lambda x, y: x * x * y, argnums=0), argnums=1)(3.0, 5.0) == float(
        sympy.diff(f, x, y).subs({x: 3, y: 5})
    )
    assert grad(lambda y: grad(lambda x: x * x * y)(3.0))(5.0) == float(
        sympy.diff(f, x, y).subs({x: 3, y: 5})
    )
    g = x * x * y**3
    assert grad(grad(grad(lambda x, y: x * x * y**3, 1), 1), 0)(2.0, 3.0) == float(
        sympy.diff(g, y, y, x).subs({x: 2, y: 3})
    )
    # JAX's documented perturbation-confusion example: d/dx (x * d/dy (x + y)) = 1
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_top_level_value_arguments_give_values_with_graph(torch):
    x = Value(3.0)
    g = grad(lambda t: t**3 * t.sin())(x)
    assert isinstance(g, Value)
    g.backward()
    tx = torch.tensor(3.0, requires_grad=True)
    (tg,) = torch.autograd.grad(tx**3 * tx.sin(), tx, create_graph=True)
    tg.backward()
    assert g.data == pytest.approx(tg.item(), rel=1e-14)
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-13)
    v, h = value_and_grad(lambda a, b: a * b, argnums=1)(2.0, Value(4.0))
    assert isinstance(v, Value) and isinstance(h, Value) and (v.data, h.data) == (8.0, 2.0)
    rows = hessian(lambda a: a * 2.0)(Value(1.0))
    assert isinstance(rows[0][0], Value) and rows[0][0].data == 0.0
    assert isinstance(grad(lambda a: a + 1)(Value(0.0)), Value)  # a constant gradient too


def test_inner_closure_over_outer_value_reaches_it():
    # the gradient penalty: d/dw of (d/dx w*x**2)**2 at x=3 = 2*(6w)*6 = 72w
    w = Value(0.5)
    penalty = grad(lambda x: w * x * x)(Value(3.0)) ** 2
    penalty.backward()
    assert w.grad == 72 * 0.5  # closed form above


def test_differentiated_value_argument_is_a_fresh_handle():
    x = Value(2.0)
    # f closes over x and is differentiated at x: only the argument's path counts
    g = grad(lambda t: t * x)(x)
    assert g.data == 2.0
    g.backward()
    assert x.grad == 1.0  # d/dx of (d/dt t*x at t=x) = d/dx x


def test_results_are_floats_at_top_level():
    assert isinstance(grad(lambda x: x * x)(3.0), float)
    v, g = value_and_grad(lambda x: x * x)(3.0)
    assert isinstance(v, float) and isinstance(g, float)
    rows = hessian(lambda x, y: x * y)(1.0, 2.0)
    assert all(isinstance(h, float) for row in rows for h in row)
    assert isinstance(grad(lambda x: grad(lambda y: y * y)(x))(1.0), float)


def test_transform_inside_no_grad_still_differentiates():
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert grad(grad(lambda x: x**3))(2.0) == 12.0
        assert hessian(lambda x: x**3)(2.0) == [[12.0]]


def test_no_grad_inside_f_is_respected():
    def f(x):
        with no_grad():
            c = x * x  # a constant to the gradient
        return c * x

    assert grad(f)(3.0) == 9.0


def test_depth_is_restored_after_an_error():
    def boom(x):
        raise KeyError("inside f")

    with pytest.raises(KeyError):
        grad(boom)(1.0)
    assert isinstance(grad(lambda x: x * x)(3.0), float)


def test_nesting_depth_is_per_thread():
    inside, done = threading.Event(), threading.Event()
    results = {}

    def outer(x):
        inside.set()
        done.wait(5)
        return x * x

    def other():
        inside.wait(5)
        results["other"] = grad(lambda x: x * x)(3.0)
        done.set()

    t = threading.Thread(target=other)
    t.start()
    results["outer"] = grad(outer)(2.0)
    t.join()
    assert isinstance(results["other"], float) and results == {"other": 6.0, "outer": 4.0}


def test_argnums_defaults_and_range():
    f = lambda x, y: x * x * y  # noqa: E731
    assert value_and_grad(f)(3.0, 5.0) == (45.0, 30.0)  # argnums 0 by default
    assert grad(f, argnums=-2)(3.0, 5.0) == 30.0  # -n is the first argument
    assert grad(f, argnums=(1, 1, 0))(3.0, 5.0) == (9.0, 9.0, 30.0)
    for bad in (2, -3):
        with pytest.raises(ValueError, match=f"argnums {bad} is out of range for 2"):
            grad(f, argnums=bad)(3.0, 5.0)


def test_constant_and_wrong_outputs():
    assert grad(lambda x: 3)(1.0) == 0.0
    assert grad(grad(lambda x: x * 2))(1.0) == 0.0
    assert hessian(lambda x, y: x + y * y)(1.0, 3.0) == [[0.0, 0.0], [0.0, 2.0]]
    assert hessian(lambda x, y: 7.0)(1.0, 3.0) == [[0.0, 0.0], [0.0, 0.0]]
    for transform in (grad, hessian):
        with pytest.raises(TypeError, match="returned str"):
            transform(lambda x: "no")(1.0)
        with pytest.raises(TypeError, match="returned bool"):
            transform(lambda x: x > 0)(1.0)
    with pytest.raises(TypeError, match="grad"):
        grad(lambda x: x)("1.0")


# -- top level, closing over a Value: the gradient stays connected to it -----------------
# (torch.func.grad over a closure on a tensor that requires grad gives a result with a
# grad_fn; the issue's rule: keep the graph whenever a closed-over value is a Value)

W_GLOBAL = Value(2.0, label="w")


def test_top_level_grad_closing_over_a_value_keeps_its_graph(torch):
    w = Value(2.0, label="w")
    g = grad(lambda x: w * x * x)(3.0)
    assert isinstance(g, Value) and g.data == 12.0
    g.backward()
    tw = torch.tensor(2.0, requires_grad=True)
    tg = torch.func.grad(lambda x: tw * x * x)(torch.tensor(3.0))
    (want,) = torch.autograd.grad(tg, tw)
    assert w.grad == want.item() == 6.0  # d/dw (2 w x) = 2x


def test_top_level_grad_sees_a_value_through_globals_defaults_and_partials():
    import functools

    g = grad(lambda x: W_GLOBAL * x * x)(3.0)
    assert isinstance(g, Value)
    assert gradients(g, [W_GLOBAL]) == [6.0]
    v = Value(4.0)
    g2 = grad(lambda x, c=v: x * x * c)(1.0)
    assert isinstance(g2, Value) and gradients(g2, [v]) == [2.0]
    g3 = grad(functools.partial(lambda x, c: x * c, c=v))(1.0)
    assert isinstance(g3, Value) and gradients(g3, [v]) == [1.0]


def test_top_level_grad_of_a_pure_function_is_a_float():
    assert grad(lambda x: x * x * 2.0)(3.0) == 12.0
    assert type(grad(lambda x: x * x)(3.0)) is float
    assert type(value_and_grad(lambda x: x.sin())(1.0)[0]) is float
