# SPDX-License-Identifier: MIT
"""atomic() and atomicview(): build the right class for an `atype`."""

from ._classes import Atomic, AtomicBytes, AtomicInt, AtomicIntegral, AtomicUint
from ._types import ANY, BYTES, INT, INTEGRAL, UINT, check_atype
from .ctx import (AtomicBytesViewContext, AtomicIntegralViewContext,
                  AtomicIntViewContext, AtomicUintViewContext,
                  AtomicViewContext)

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


def _build(table, atype, kwargs, **fixed):
    check_atype(atype)
    cls, extra = table[atype]
    # Keywords a class does not take are ignored, as in atomics 1.0.2;
    # missing ones raise the usual TypeError from the class.
    return cls(**fixed, **{k: v for k, v in kwargs.items() if k in extra})


def atomic(width: int, atype, **kwargs):
    """A new atomic object of `width` bytes with its own zeroed memory.

    `atype` is INT, UINT or BYTES (INTEGRAL also needs `is_signed=`; ANY
    needs `is_integral=` and `is_signed=`). Raises UnsupportedWidthException
    for a width with no atomic operations on this machine.
    """
    return _build(_ATOMIC, atype, kwargs, width=width)


def atomicview(buffer, atype, **kwargs):
    """A context giving an atomic view of `buffer` (any object with the
    buffer protocol): `with atomicview(buffer=buf, atype=INT) as a: ...`.

    The view's width is the buffer's size in bytes. Raises
    UnsupportedWidthException for a size with no atomic operations, and
    AlignmentError if the buffer is not suitably aligned.
    """
    return _build(_CONTEXT, atype, kwargs, buffer=buffer)
