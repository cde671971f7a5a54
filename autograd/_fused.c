/* The fused linear op's four loops (autograd/ops.py), in C.
 *
 * Each does the same float operations in the same order as the Python function
 * of the same name in ops.py, so every result is the same to the bit (the
 * build turns off contracting a*b + c into one fused multiply-add). A loop only
 * runs when every input is what it handles: `Value`s of exactly the configured
 * class whose data (and, backward, grad) are Python floats, and plain floats
 * for the numbers among the inputs. Anything else (an int in .data, a Value as
 * a gradient under create_graph, a subclass, a numpy scalar) makes it return
 * None or False before it changes anything, and ops.py runs the Python loop.
 *
 *   configure(cls, names)          the Value class, and its data and grad slots' names
 *   values_sum(ws, xs, b)          b + w0*x0 + w1*x1 + ..., every x a Value
 *   weighted_sum(ws, xs, b)        the same, an x a Value or a float
 *   linear_bw_values(ws, xs, b, g) w.grad += x.data*g; x.grad += w.data*g; b.grad += g
 *   linear_bw(ws, xs, b, g)        the same, w.grad += x*g for a float x
 */
#define PY_SSIZE_T_CLEAN
#include "_slots.h"

#if defined(__clang__) /* gcc ignores this pragma: setup.py passes -ffp-contract=off */
#pragma STDC FP_CONTRACT OFF
#endif

static PyTypeObject *value_cls = NULL;
static Py_ssize_t data_off, grad_off;

static int
is_value(PyObject *obj)
{
    return Py_TYPE(obj) == value_cls;
}

/* the float in a slot of a Value of the configured class; 0 if not one */
static int
float_in(PyObject *obj, Py_ssize_t off, double *out)
{
    if (!is_value(obj)) {
        return 0;
    }
    PyObject *v = SLOT(obj, off);
    if (v == NULL || !PyFloat_CheckExact(v)) {
        return 0;
    }
    *out = PyFloat_AS_DOUBLE(v);
    return 1;
}

static int
add_to_grad(PyObject *obj, double term)
{
    double sum = PyFloat_AS_DOUBLE(SLOT(obj, grad_off)) + term;
    PyObject *new = PyFloat_FromDouble(sum);
    if (new == NULL) {
        return -1;
    }
    Py_SETREF(SLOT(obj, grad_off), new);
    return 0;
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *cls, *names;
    Py_ssize_t found[2];
    if (!PyArg_ParseTuple(args, "OO:configure", &cls, &names)
        || slot_offsets(cls, names, 2, found) < 0) {
        return NULL;
    }
    data_off = found[0];
    grad_off = found[1];
    Py_INCREF(cls);
    Py_XSETREF(value_cls, (PyTypeObject *)cls);
    Py_RETURN_NONE;
}

/* ws and xs: tuples of one length; b: None or a Value. 0 if not. */
static int
shapes(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want, Py_ssize_t *n)
{
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%zd arguments needed, got %zd", want, nargs);
        return -1;
    }
    if (value_cls == NULL || !PyTuple_CheckExact(args[0]) || !PyTuple_CheckExact(args[1])) {
        return 0;
    }
    *n = PyTuple_GET_SIZE(args[0]);
    if (PyTuple_GET_SIZE(args[1]) != *n) {
        return 0;
    }
    return args[2] == Py_None || is_value(args[2]);
}

/* one x's number: its data for a Value, itself for a float (when `floats`) */
static int
number(PyObject *x, int floats, double *out)
{
    if (floats && PyFloat_CheckExact(x)) {
        *out = PyFloat_AS_DOUBLE(x);
        return 1;
    }
    return float_in(x, data_off, out);
}

static PyObject *
sum(PyObject *const *args, Py_ssize_t nargs, int floats)
{
    Py_ssize_t n;
    int ok = shapes(args, nargs, 3, &n);
    if (ok <= 0) {
        return ok < 0 ? NULL : Py_NewRef(Py_None);
    }
    double acc = 0.0;
    if (args[2] != Py_None && !float_in(args[2], data_off, &acc)) {
        Py_RETURN_NONE;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double w, x;
        if (!float_in(PyTuple_GET_ITEM(args[0], i), data_off, &w)
            || !number(PyTuple_GET_ITEM(args[1], i), floats, &x)) {
            Py_RETURN_NONE;
        }
        double term = w * x;
        acc = acc + term;
    }
    return PyFloat_FromDouble(acc);
}

static PyObject *
backward(PyObject *const *args, Py_ssize_t nargs, int floats)
{
    Py_ssize_t n;
    int ok = shapes(args, nargs, 4, &n);
    if (ok <= 0) {
        return ok < 0 ? NULL : Py_NewRef(Py_False);
    }
    PyObject *ws = args[0], *xs = args[1], *b = args[2];
    if (!PyFloat_CheckExact(args[3])) {
        Py_RETURN_FALSE;
    }
    double g = PyFloat_AS_DOUBLE(args[3]), unused;
    /* first check everything, so that a fallback finds nothing changed; the
       loop below only ever stores floats, so what is checked stays true */
    if (b != Py_None && !float_in(b, grad_off, &unused)) {
        Py_RETURN_FALSE;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(ws, i), *x = PyTuple_GET_ITEM(xs, i);
        if (!float_in(w, data_off, &unused) || !float_in(w, grad_off, &unused)) {
            Py_RETURN_FALSE;
        }
        if (floats && PyFloat_CheckExact(x)) {
            continue;
        }
        if (!float_in(x, data_off, &unused) || !float_in(x, grad_off, &unused)) {
            Py_RETURN_FALSE;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyTuple_GET_ITEM(ws, i), *x = PyTuple_GET_ITEM(xs, i);
        if (PyFloat_CheckExact(x)) { /* w.grad += x * g */
            if (add_to_grad(w, PyFloat_AS_DOUBLE(x) * g) < 0) {
                return NULL;
            }
            continue;
        }
        if (add_to_grad(w, PyFloat_AS_DOUBLE(SLOT(x, data_off)) * g) < 0
            || add_to_grad(x, PyFloat_AS_DOUBLE(SLOT(w, data_off)) * g) < 0) {
            return NULL;
        }
    }
    if (b != Py_None && add_to_grad(b, g) < 0) {
        return NULL;
    }
    Py_RETURN_TRUE;
}

/* the module's four functions: a loop, and whether an x may be a plain float */
#define LOOP(name, loop, floats)                                              \
    static PyObject *name(PyObject *module, PyObject *const *args, Py_ssize_t nargs) \
    {                                                                         \
        return loop(args, nargs, floats);                                     \
    }
LOOP(values_sum, sum, 0)
LOOP(weighted_sum, sum, 1)
LOOP(linear_bw_values, backward, 0)
LOOP(linear_bw, backward, 1)

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(cls, (data, grad)): the Value class and the names of the slots read."},
    {"values_sum", FASTCALL(values_sum),
     "values_sum(ws, xs, b): b + sum of w*x in order (every x a Value), or None."},
    {"weighted_sum", FASTCALL(weighted_sum),
     "weighted_sum(ws, xs, b): the same, an x a Value or a float, or None."},
    {"linear_bw_values", FASTCALL(linear_bw_values),
     "linear_bw_values(ws, xs, b, g): the gradients added; False (nothing done) if not."},
    {"linear_bw", FASTCALL(linear_bw),
     "linear_bw(ws, xs, b, g): the same, an x a Value or a float."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "autograd._fused", "The fused linear op's loops, in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__fused(void)
{
    return PyModule_Create(&module_def);
}
