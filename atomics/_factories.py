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


def _lookup(table, atype):
    """(class, extra keywords) for `atype`; the tags compare by identity,
    so a dict lookup is the atype check."""
    try:
        return table[atype]
    except (KeyError, TypeError):
        check_atype(atype)  # raises the documented TypeError
        raise


def _extra(kwargs, names):
    # Keywords a class does not take are ignored, as in atomics 1.0.2;
    # missing ones raise the usual TypeError from the class.
    return {name: kwargs[name] for name in names if name in kwargs}


def atomic(width: int, atype, **kwargs):
    """A new atomic object of `width` bytes with its own zeroed memory.

    `atype` is INT, UINT or BYTES (INTEGRAL also needs `is_signed=`; ANY
    needs `is_integral=` and `is_signed=`). Raises UnsupportedWidthException
    for a width with no atomic operations on this machine.
    """
    cls, extra = _lookup(_ATOMIC, atype)
    if not extra:
        return cls(width=width)
    return cls(width=width, **_extra(kwargs, extra))


def atomicview(buffer, atype, **kwargs):
    """A context giving an atomic view of `buffer` (any object with the
    buffer protocol): `with atomicview(buffer=buf, atype=INT) as a: ...`.

    The view's width is the buffer's size in bytes. Raises
    UnsupportedWidthException for a size with no atomic operations, and
    AlignmentError if the buffer is not suitably aligned.
    """
    cls, extra = _lookup(_CONTEXT, atype)
    if not extra:
        return cls(buffer=buffer)
    return cls(buffer=buffer, **_extra(kwargs, extra))
