# SPDX-License-Identifier: MIT
"""atomic(), atomicview(), atomicarray() and atomicarrayview(): build the
right class for an `atype`."""

from . import _jit, _shared
from ._classes import (Atomic, AtomicArray, AtomicBytes, AtomicBytesArray,
                       AtomicInt, AtomicIntArray, AtomicIntegral, AtomicUint,
                       AtomicUintArray)
from ._types import ANY, BYTES, INT, INTEGRAL, UINT, check_atype
from .ctx import (AtomicArrayViewContext, AtomicBytesViewContext,
                  AtomicIntegralViewContext, AtomicIntViewContext,
                  AtomicUintViewContext, AtomicViewContext)

# atype -> (class, the extra keyword arguments it takes)
_ATOMIC = {
    ANY: (Atomic, ("is_integral", "is_signed")),
    INTEGRAL: (AtomicIntegral, ("is_signed",)),
    BYTES: (AtomicBytes, ()),
    INT: (AtomicInt, ()),
    UINT: (AtomicUint, ()),
}
_CONTEXT = {
    ANY: (AtomicViewContext, ("is_integral", "is_signed")),
    INTEGRAL: (AtomicIntegralViewContext, ("is_signed",)),
    BYTES: (AtomicBytesViewContext, ()),
    INT: (AtomicIntViewContext, ()),
    UINT: (AtomicUintViewContext, ()),
}


def _lookup(table, atype):
    """(class, extra keywords) for `atype`; the tags compare by identity,
    so a dict lookup is the atype check."""
    try:
        return table[atype]
    except (KeyError, TypeError):
        check_atype(atype)  # raises the documented TypeError
        raise


# The keywords of the atype families. Each is accepted (and ignored) where
# the atype fixes it, as in atomics 1.0.2, so code can pass them to every
# atype; any other keyword is a TypeError (1.0.2 ignored those too, so that
# a misspelt `sharde=True` went unnoticed).
_FAMILY_KEYWORDS = ("is_integral", "is_signed")


def _extra(func, kwargs, names):
    """The keywords in `names` that were passed; missing ones raise the
    usual TypeError from the class."""
    for name in kwargs:
        if name not in _FAMILY_KEYWORDS:
            raise TypeError(f"{func}() got an unexpected keyword argument "
                            f"{name!r}")
    return {name: kwargs[name] for name in names if name in kwargs}


def _new(cls, kwargs, shared):
    """cls(**kwargs), in shared memory if asked."""
    if not shared:
        return cls(**kwargs)
    obj = cls(**kwargs)  # checks the arguments before a segment is made
    size = obj.width * (len(obj) if isinstance(obj, AtomicArray) else 1)
    return _shared.new(cls, kwargs, size)


def atomic(width: int, atype, *, shared: bool = False, **kwargs):
    """A new atomic object of `width` bytes with its own zeroed memory.

    `atype` is INT, UINT or BYTES (INTEGRAL also needs `is_signed=`; ANY
    needs `is_integral=` and `is_signed=`). Raises UnsupportedWidthException
    for a width with no atomic operations on this machine.

    With `shared=True` the memory is shared memory, and the atomic can be
    pickled, so passed to other processes (multiprocessing.Process, Pool,
    ProcessPoolExecutor), which then operate on the same memory.
    """
    _jit.check_home("atomic()")
    cls, extra = _lookup(_ATOMIC, atype)
    return _new(cls, dict(width=width, **_extra("atomic", kwargs, extra)),
                shared)


def atomicview(buffer, atype, **kwargs):
    """A context giving an atomic view of `buffer` (any object with the
    buffer protocol): `with atomicview(buffer=buf, atype=INT) as a: ...`.

    The view's width is the buffer's size in bytes. Raises
    UnsupportedWidthException for a size with no atomic operations, and
    AlignmentError if the buffer is not suitably aligned.
    """
    cls, extra = _lookup(_CONTEXT, atype)
    return cls(buffer=buffer, **_extra("atomicview", kwargs, extra))


_ARRAY = {
    ANY: (AtomicArray, ("is_integral", "is_signed")),
    BYTES: (AtomicBytesArray, ()),
    INT: (AtomicIntArray, ()),
    UINT: (AtomicUintArray, ()),
}


def _array_class(atype, kwargs):
    if atype is INTEGRAL:
        if "is_signed" not in kwargs:
            raise TypeError("an INTEGRAL array needs is_signed=")
        return (AtomicIntArray if kwargs["is_signed"] else AtomicUintArray), ()
    return _lookup(_ARRAY, atype)


def atomicarray(length: int, width: int, atype, *, shared: bool = False,
                **kwargs):
    """A new array of `length` zeroed atomics of `width` bytes each.

    Every operation takes the element's index first:
    `counters.fetch_add(3, 1)`, `flags.cmpxchg_strong(0, expected=0,
    desired=1)`; `len(array)` is its length. `atype` and `shared` are as for
    atomic(). Indexes out of range raise IndexError.
    """
    _jit.check_home("atomicarray()")
    cls, extra = _array_class(atype, kwargs)
    return _new(cls, dict(length=length, width=width,
                          **_extra("atomicarray", kwargs, extra)), shared)


def atomicarrayview(buffer, width: int, atype, **kwargs):
    """A context giving an atomic array over `buffer`, one atomic per
    `width` bytes: `with atomicarrayview(buffer=buf, width=8, atype=INT) as
    a: a.inc(0)`. The buffer's size must be a multiple of `width`; the
    lifetime rules of atomicview() apply.
    """
    if atype is ANY:
        raise TypeError("an array view needs INTEGRAL, INT, UINT or BYTES")
    cls, _ = _array_class(atype, kwargs)
    _extra("atomicarrayview", kwargs, ())
    return AtomicArrayViewContext(buffer=buffer, width=width, array_class=cls)
