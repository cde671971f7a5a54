/* Where a class keeps a __slots__ entry: the C helpers read and write a Value's
 * slots (data, grad, _a, ...) at these offsets, as the slot's descriptor does. */
#ifndef VALUEGRAD_SLOTS_H
#define VALUEGRAD_SLOTS_H

#include <Python.h>
#include <structmember.h>

#define SLOT(obj, off) (*(PyObject **)((char *)(obj) + (off)))

/* the offset of cls's slot `name` in *out; -1 with an exception if it is not one */
static int
slot_offset(PyObject *cls, PyObject *name, Py_ssize_t *out)
{
    PyObject *descr = PyObject_GetAttr(cls, name);
    if (descr == NULL) {
        return -1;
    }
    int slot = Py_IS_TYPE(descr, &PyMemberDescr_Type)
               && ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX;
    if (slot) {
        *out = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    else {
        PyErr_Format(PyExc_TypeError, "configure: %R of %R is not a __slots__ entry", name, cls);
    }
    Py_DECREF(descr);
    return slot ? 0 : -1;
}

/* the offsets of cls's slots named in the tuple `names`, in order, into out[n] */
static int
slot_offsets(PyObject *cls, PyObject *names, Py_ssize_t n, Py_ssize_t *out)
{
    if (!PyType_Check(cls) || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) != n) {
        PyErr_Format(PyExc_TypeError, "configure: a class and %zd slot names, got %R and %R", n,
                     cls, names);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (slot_offset(cls, PyTuple_GET_ITEM(names, i), &out[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

#endif
