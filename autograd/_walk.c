/* engine.topological_order in C: the same walk, so the same order.
 *
 *   configure(cls, (a, b, fn), many)
 *       the Value class, the names of its slots holding the parents (`_a`,
 *       `_b`) and the chain rule (`_fn`), and the marker in `_b` that says `_a`
 *       is a tuple of all the parents (a fused op).
 *   order(root, leaves)
 *       every node root depends on, each after all of its parents; without
 *       leaves, only the nodes with a rule (and root). None, having changed
 *       nothing, when a node is not exactly of the configured class (or its
 *       parents not a tuple): the Python walk in engine.py then runs, and
 *       raises what it raises.
 *
 * The walk is engine.py's: a stack of nodes and markers, each node pushed with
 * a marker above its parents and emitted when the marker comes back, parents
 * pushed in order, a node's visit decided when it is popped. No Python code
 * runs during it (the visited set hashes nodes by identity), so the stack
 * holds borrowed references to nodes the graph keeps alive.
 */
#define PY_SSIZE_T_CLEAN
#include "_slots.h"

static PyTypeObject *node_cls = NULL;
static Py_ssize_t a_off, b_off, fn_off;
static PyObject *many = NULL;

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *cls, *names, *marker;
    Py_ssize_t found[3];
    if (!PyArg_ParseTuple(args, "OOO:configure", &cls, &names, &marker)
        || slot_offsets(cls, names, 3, found) < 0) {
        return NULL;
    }
    a_off = found[0];
    b_off = found[1];
    fn_off = found[2];
    Py_INCREF(cls);
    Py_XSETREF(node_cls, (PyTypeObject *)cls);
    Py_INCREF(marker);
    Py_XSETREF(many, marker);
    Py_RETURN_NONE;
}

typedef struct {
    PyObject **items; /* borrowed; NULL is the marker "emit the node below" */
    Py_ssize_t n, cap;
} Stack;

static int
push(Stack *s, PyObject *item)
{
    if (s->n == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 64;
        PyObject **items = PyMem_Realloc(s->items, cap * sizeof(PyObject *));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = item;
    return 0;
}

/* whether `p` goes on the stack: 1 yes, 0 no, -1 error, -2 not a node (fall back) */
static int
wanted(PyObject *p, int leaves, PyObject *visited)
{
    if (Py_TYPE(p) != node_cls) {
        return -2;
    }
    if (!leaves) {
        PyObject *fn = SLOT(p, fn_off);
        if (fn == NULL) {
            return -2;
        }
        if (fn == Py_None) {
            return 0;
        }
    }
    int seen = PySet_Contains(visited, p);
    return seen < 0 ? -1 : !seen;
}

/* pushes p if wanted; 0 done, -1 error, -2 fall back */
static int
consider(Stack *s, PyObject *p, int leaves, PyObject *visited)
{
    int w = wanted(p, leaves, visited);
    if (w <= 0) {
        return w;
    }
    return push(s, p);
}

/* the walk into `order`; 0 done, -1 error, -2 fall back */
static int
walk(PyObject *root, int leaves, PyObject *order, PyObject *visited, Stack *s)
{
    if (Py_TYPE(root) != node_cls || push(s, root) < 0) {
        return Py_TYPE(root) != node_cls ? -2 : -1;
    }
    while (s->n) {
        PyObject *v = s->items[--s->n];
        if (v == NULL) { /* every parent of the node below is in order */
            if (PyList_Append(order, s->items[--s->n]) < 0) {
                return -1;
            }
            continue;
        }
        int seen = PySet_Contains(visited, v);
        if (seen) {
            if (seen < 0) {
                return -1;
            }
            continue;
        }
        if (PySet_Add(visited, v) < 0 || push(s, v) < 0 || push(s, NULL) < 0) {
            return -1;
        }
        PyObject *a = SLOT(v, a_off), *b = SLOT(v, b_off);
        if (a == NULL || b == NULL) {
            return -2;
        }
        if (a == Py_None) {
            continue;
        }
        if (b == many) {
            if (!PyTuple_CheckExact(a)) {
                return -2;
            }
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(a); i++) {
                int r = consider(s, PyTuple_GET_ITEM(a, i), leaves, visited);
                if (r < 0) {
                    return r;
                }
            }
            continue;
        }
        int r = consider(s, a, leaves, visited);
        if (r == 0 && b != Py_None) {
            r = consider(s, b, leaves, visited);
        }
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

static PyObject *
order(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "order: 2 arguments (root, leaves), got %zd", nargs);
        return NULL;
    }
    if (node_cls == NULL) {
        Py_RETURN_NONE;
    }
    int leaves = PyObject_IsTrue(args[1]);
    if (leaves < 0) {
        return NULL;
    }
    PyObject *result = PyList_New(0), *visited = PySet_New(NULL);
    Stack s = {NULL, 0, 0};
    int r = (result == NULL || visited == NULL) ? -1 : walk(args[0], leaves, result, visited, &s);
    PyMem_Free(s.items);
    Py_XDECREF(visited);
    if (r < 0) {
        Py_XDECREF(result);
        if (r == -2) {
            Py_RETURN_NONE;
        }
        return NULL;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(cls, (a, b, fn), many): the Value class, its parent and rule slots, the "
     "fused-op marker."},
    {"order", (PyCFunction)(void (*)(void))order, METH_FASTCALL,
     "order(root, leaves): engine.topological_order's list, or None to use the Python walk."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "autograd._walk", "engine.topological_order in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__walk(void)
{
    return PyModule_Create(&module_def);
}
