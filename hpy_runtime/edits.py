# SPDX-License-Identifier: MIT
"""Our edits to hpy 0.9.0's CPython runtime, applied to the pinned sdist at
build time (hpy 0.9.0 predates CPython 3.13 and does not run there, and
refuses to be built for GraalPy, which had its own HPy until 24.2), and one
that frees objects faster.

Each edit names one file of the unpacked sdist, the exact upstream text it
replaces (which must occur exactly once, or the build stops: a different
upstream is never patched blindly) and why. The replacements are ours.
Upstream tracks the same breakage in hpyproject/hpy#493 (crash on 3.13),
#490 (3.13 CI) and the open, partial fix #494; once an hpy release supports
current CPython these edits can go.
"""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edit:
    path: str
    why: str
    old: str
    new: str


CTX_TYPE = "hpy/devel/src/runtime/ctx_type.c"
HPYMODULE = "hpy/universal/src/hpymodule.c"

EDITS = [
    Edit(
        CTX_TYPE,
        "Recognise HPy types without a tp_flags bit. hpy marks them with bit "
        "2, which CPython 3.13 took for Py_TPFLAGS_INLINE_VALUES (then "
        "CPython lays out and frees our objects as if they had inline "
        "attribute values). Every HPy type already carries its "
        "HPyType_Extra_t as the heap type's _ht_tpname, with tp_name "
        "pointing at the name inside it and a magic number in front: that "
        "is the mark now. Types made any other way have _ht_tpname NULL "
        "(class statements) or equal to tp_name (PyType_FromSpec).",
        old="""static inline bool _is_HPyType(PyTypeObject *tp) {
    return tp->tp_flags & HPy_TPFLAGS_INTERNAL_IS_HPY_TYPE;
}""",
        new="""static inline bool _is_HPyType(PyTypeObject *tp) {
    /* atomics: recognised by the HPyType_Extra_t hung on _ht_tpname, not by
       a tp_flags bit (CPython >= 3.13 uses bit 2 itself). */
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return false;
    const char *extra = ((PyHeapTypeObject *)tp)->_ht_tpname;
    return extra != NULL
        && tp->tp_name == extra + offsetof(HPyType_Extra_t, name)
        && ((const HPyType_Extra_t *)extra)->magic == HPy_TYPE_MAGIC;
}"""),
    Edit(
        CTX_TYPE,
        "Stop setting the tp_flags bit (see the edit above).",
        old="spec->flags = flags | HPy_TPFLAGS_INTERNAL_IS_HPY_TYPE;",
        new="spec->flags = flags;  /* atomics: no HPy bit in tp_flags */"),
    Edit(
        CTX_TYPE,
        "Allocate HPy_New's objects with the type's tp_alloc. "
        "PyObject_GC_New/PyObject_New skip what CPython 3.13+ sets up in "
        "tp_alloc (inline values, managed dicts of subclasses); tp_alloc "
        "also zeroes the object and starts GC tracking, so the later "
        "PyObject_GC_Track must go (tracking twice is a fatal error). A "
        "failed allocation is now caught before the object is touched.",
        old="""    PyObject *result;
    if (PyType_IS_GC(tp))
        result = PyObject_GC_New(PyObject, tp);
    else
        result = PyObject_New(PyObject, tp);
""",
        new="""    /* atomics: tp_alloc, as CPython >= 3.13 requires; it zeroes and tracks */
    PyObject *result = tp->tp_alloc(tp, 0);
    if (result == NULL)
        return HPy_NULL;
"""),
    Edit(
        CTX_TYPE,
        "tp_alloc has already started GC tracking (see above).",
        old="""    if (PyType_IS_GC(tp))
        PyObject_GC_Track(result);

    if (!result)
        return HPy_NULL;
""",
        new="""    /* atomics: tp_alloc has tracked the object already */
"""),
    Edit(
        CTX_TYPE,
        "Free an object of an HPy type that derives from object directly "
        "(CmpxchgResult, made by every cmpxchg) without walking its "
        "hierarchy. "
        "hpytype_dealloc walks it twice, for fields, then for tp_destroy, "
        "testing every base for being an HPy type (since edit 1 a few "
        "loads and compares, not one bit test) and finding the object's "
        "payload again on each; with object as the only base the same "
        "calls are made on the one HPy type directly. Freeing a "
        "CmpxchgResult (two HPyFields) went from 117 to 69 instructions.",
        old="""    // decref and clear all the HPyFields
    hpytype_clear(self);
""",
        new="""    /* atomics: one HPy type, then object: no walk (same calls) */
    if (tp->tp_base == &PyBaseObject_Type && _is_HPyType(tp)) {
        HPyType_Extra_t *extra = _HPyType_EXTRA(tp);
        void *data = _HPy_Payload(self, extra->shape);
        if (extra->tp_traverse_impl != NULL)
            extra->tp_traverse_impl(data, _decref_visitor, NULL);
        if (extra->tp_destroy_impl != NULL)
            extra->tp_destroy_impl(data);
        tp->tp_free(self);
        Py_DECREF(tp);
        return;
    }

    // decref and clear all the HPyFields
    hpytype_clear(self);
"""),
    Edit(
        HPYMODULE,
        "Build on GraalPy 25 and later. hpy refuses GraalPy because GraalPy "
        "came with its own hpy.universal, and up to 24.2 it did; GraalPy 25 "
        "dropped HPy and runs C API extensions, this runtime among them, so "
        "only GraalPy before 25 is refused now. GRAALPY_VERSION_NUM, in "
        "GraalPy's pyconfig.h, is 0x180202 for 24.2.2 and 0x190204f0 for "
        "25.2.4: every 24.x is below 0x190000, every 25.x above.",
        old="""#ifdef GRAALVM_PYTHON
#  error "Cannot build hpy.universal on top of GraalPy. GraalPy comes with its own version of it"
#endif""",
        new="""/* atomics: GraalPy >= 25 has no HPy of its own; this runtime runs there
   through GraalPy's C API like any C extension */
#if defined(GRAALVM_PYTHON) && GRAALPY_VERSION_NUM < 0x190000
#  error "Cannot build hpy.universal on top of GraalPy. GraalPy comes with its own version of it"
#endif"""),
]


def apply(source: Path) -> None:
    """Apply EDITS to the unpacked sdist at `source`, in place."""
    for edit in EDITS:
        path = source / edit.path
        text = path.read_text()
        count = text.count(edit.old)
        if count != 1:
            raise RuntimeError(
                f"hpy runtime edit for {edit.path} expected its upstream "
                f"text once, found it {count} times: is this hpy 0.9.0?\n"
                f"{edit.old}")
        path.write_text(text.replace(edit.old, edit.new))
