/* Graph nodes that CPython's cyclic garbage collector does not track.
 *
 * The engine's graphs hold no reference cycles, so reference counting frees
 * them; but every node the collector tracks is scanned again at each full
 * collection, and a full collection runs each time the tracked heap grows by a
 * quarter, so a growing graph costs more per op the larger it gets (see the
 * README's "Speed"). This module makes nodes the collector does not see:
 *
 *   Node            a base class with no fields. Instances of its subclasses
 *                   start untracked, and become tracked when an attribute is
 *                   stored in their __dict__ (which may lead back to them).
 *   configure(cls, names)
 *                   tells make() which slots of cls to fill, in this order:
 *                   data, grad, _a, _b, _op, _fn, _ctx.
 *   make(data, a, b, op, fn, ctx)
 *                   a new untracked instance of cls with those slots set and
 *                   grad = 0.0.
 *   track(obj)      lets the collector track obj (a node that may now be part
 *                   of a cycle: a closure over it, or parents set by hand).
 *
 * autograd/untracked.py gives the same names in plain Python when this file
 * could not be compiled; the numbers are the same either way.
 */
#define PY_SSIZE_T_CLEAN
#include "_slots.h"

#define NFIELDS 7

static PyTypeObject *node_cls = NULL; /* the configured class (autograd.Value) */
static Py_ssize_t offsets[NFIELDS];
static PyObject *zero = NULL; /* the float 0.0 every new node's grad starts at */
static PyObject *dict_descr = NULL; /* cls.__dict__["__dict__"]: storing a whole new dict */

/* Stores as object.__setattr__ does; a value stored in the instance __dict__
   (not a slot or property) makes the node tracked, since it may lead back.
   A slot (data, grad, ...) is written directly: the engine's hot stores. */
static int
node_setattro(PyObject *self, PyObject *name, PyObject *value)
{
    PyObject *descr = _PyType_Lookup(Py_TYPE(self), name); /* borrowed */
    if (value != NULL && descr != NULL && Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type == T_OBJECT_EX && !(member->flags & READONLY)) {
            PyObject **slot = (PyObject **)((char *)self + member->offset);
            PyObject *old = *slot;
            Py_INCREF(value);
            *slot = value;
            Py_XDECREF(old);
            return 0;
        }
    }
    if (PyObject_GenericSetAttr(self, name, value) < 0) {
        return -1;
    }
    if (value != NULL && PyObject_IS_GC(self) && !PyObject_GC_IsTracked(self)) {
        if (descr == NULL || Py_TYPE(descr)->tp_descr_set == NULL || descr == dict_descr) {
            PyObject_GC_Track(self);
        }
    }
    return 0;
}

static PyObject *
untracked_alloc(PyTypeObject *cls)
{
    PyObject *obj = cls->tp_alloc(cls, 0);
    if (obj != NULL && PyObject_IS_GC(obj) && PyObject_GC_IsTracked(obj)) {
        PyObject_GC_UnTrack(obj);
    }
    return obj;
}

static PyObject *
node_new(PyTypeObject *cls, PyObject *args, PyObject *kwargs)
{
    return untracked_alloc(cls);
}

static PyTypeObject NodeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "autograd._untracked.Node",
    .tp_doc = "A base class whose instances the cyclic garbage collector does not track\n"
              "until an attribute is stored in their __dict__.",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_setattro = node_setattro,
    .tp_new = node_new,
};

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *cls, *names;
    if (!PyArg_ParseTuple(args, "O!O!:configure", &PyType_Type, &cls, &PyTuple_Type, &names)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)cls, &NodeType)) {
        PyErr_Format(PyExc_TypeError, "configure: %R is not a subclass of Node", cls);
        return NULL;
    }
    Py_ssize_t found[NFIELDS];
    if (slot_offsets(cls, names, NFIELDS, found) < 0) {
        return NULL;
    }
    memcpy(offsets, found, sizeof(offsets));
    PyObject *dict_name = PyUnicode_InternFromString("__dict__");
    if (dict_name == NULL) {
        return NULL;
    }
    PyObject *descr = _PyType_Lookup((PyTypeObject *)cls, dict_name); /* borrowed; NULL if none */
    Py_DECREF(dict_name);
    Py_XINCREF(descr);
    Py_XSETREF(dict_descr, descr);
    Py_INCREF(cls);
    Py_XSETREF(node_cls, (PyTypeObject *)cls);
    Py_RETURN_NONE;
}

static PyObject *
make(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != NFIELDS - 1) {
        PyErr_Format(PyExc_TypeError, "make: 6 arguments (data, a, b, op, fn, ctx), got %zd",
                     nargs);
        return NULL;
    }
    if (node_cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "make: configure() was not called");
        return NULL;
    }
    PyObject *obj = untracked_alloc(node_cls);
    if (obj == NULL) {
        return NULL;
    }
    PyObject *values[NFIELDS] = {args[0], zero, args[1], args[2], args[3], args[4], args[5]};
    for (int i = 0; i < NFIELDS; i++) {
        Py_INCREF(values[i]);
        *(PyObject **)((char *)obj + offsets[i]) = values[i]; /* zeroed by tp_alloc */
    }
    return obj;
}

static PyObject *
track(PyObject *module, PyObject *obj)
{
    if (PyObject_IS_GC(obj) && !PyObject_GC_IsTracked(obj)) {
        PyObject_GC_Track(obj);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(cls, names): the class make() builds and its 7 slots, in make's order."},
    {"make", (PyCFunction)(void (*)(void))make, METH_FASTCALL,
     "make(data, a, b, op, fn, ctx): a new untracked node, its grad 0.0."},
    {"track", track, METH_O, "track(obj): let the cyclic garbage collector track obj."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "autograd._untracked",
    "Graph nodes the cyclic garbage collector does not track.", -1, methods,
};

PyMODINIT_FUNC
PyInit__untracked(void)
{
    if (PyType_Ready(&NodeType) < 0) {
        return NULL;
    }
    zero = PyFloat_FromDouble(0.0);
    if (zero == NULL) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&NodeType);
    if (PyModule_AddObject(module, "Node", (PyObject *)&NodeType) < 0) {
        Py_DECREF(&NodeType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
