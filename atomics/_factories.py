# SPDX-License-Identifier: MIT
"""atomic(), atomicview(), atomicarray() and atomicarrayview(): build the
right class for an `atype`."""

import warnings

from . import _jit, _shared
from ._classes import (Atomic, AtomicArray, AtomicBytes, AtomicBytesArray,
                       AtomicInt, AtomicIntArray, AtomicIntegral, AtomicUint,
                       AtomicUintArray)
from ._types import ANY, BYTES, INT, INTEGRAL, UINT, check_atype
from .ctx import (AtomicArrayViewContext, AtomicBytesViewContext,
                  AtomicIntegralViewContext, AtomicIntViewContext,
                  AtomicUintViewContext, AtomicViewContext)
from .exc import IgnoredArgumentWarning

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


# Keyword arguments beyond those an atype takes. atomics 1.0.2 ignored
# every one of them for INT, UINT and BYTES, and real programs pass some
# (most often is_signed=/is_integral= to every atype, or a width= that
# matches the buffer), so refusing them would break working code. What
# happens instead (README, "Differences from atomics 1.0.2"):
#
# * is_signed= / is_integral= that agree with what the atype fixes: accepted
#   silently (they say nothing wrong);
# * atomicview(width=...): checked against the buffer (see _check_width);
# * anything else, a disagreeing is_signed=/is_integral= included: ignored as
#   1.0.2 did, with an IgnoredArgumentWarning naming it, so old code runs
#   and new code learns that the argument does nothing.

# atype -> (is_integral, is_signed) it fixes; None where it takes the keyword
_FIXED = {
    ANY: (None, None),
    INTEGRAL: (True, None),
    BYTES: (False, False),
    INT: (True, True),
    UINT: (True, False),
}
_FAMILY_KEYWORDS = ("is_integral", "is_signed")
_ATYPE_NAME = {ANY: "ANY", INTEGRAL: "INTEGRAL", BYTES: "BYTES", INT: "INT",
               UINT: "UINT"}
_WHAT = {  # (keyword, fixed value) -> what the atype is
    ("is_integral", True): "integral",
    ("is_integral", False): "not integral",
    ("is_signed", True): "signed",
    ("is_signed", False): "not signed",
}
# advice for keywords that look meaningful but are not
_HINTS = {
    ("atomic", "buffer"): "an atomic() has memory of its own and never "
    "uses a buffer; for an atomic on a buffer use atomicview(buffer=..., "
    "atype=...)",
    ("atomicarray", "buffer"): "an atomicarray() has memory of its own; "
    "for an array on a buffer use atomicarrayview(buffer=..., width=..., "
    "atype=...)",
    ("atomicview", "shared"): "a view is shared exactly when its buffer is "
    "(shared=True is for atomic() and atomicarray())",
    ("atomicarrayview", "shared"): "a view is shared exactly when its "
    "buffer is (shared=True is for atomic() and atomicarray())",
}
# warnings.warn's stacklevel from _ignored: _ignored, _extra, the factory,
# and then the factory's caller, whose line the warning names
_STACKLEVEL = 4


def _agrees(value, fixed):
    """Whether `value` for a family keyword says what the atype fixes (by
    truth value, as the classes that take these keywords read them)."""
    try:
        return bool(value) == fixed
    except Exception:  # noqa: BLE001 - a value without a truth value
        return False


def _ignored(func, message):
    warnings.warn(f"{func}() ignores {message}", IgnoredArgumentWarning,
                  stacklevel=_STACKLEVEL)


def _extra(func, atype, kwargs, names):
    """The keywords in `names` that were passed (missing ones raise the
    usual TypeError from the class); every other keyword is accepted, and
    warned about unless it agrees with `atype`."""
    for name, value in kwargs.items():
        if name in names:
            continue
        if name in _FAMILY_KEYWORDS:
            fixed = _FIXED[atype][_FAMILY_KEYWORDS.index(name)]
            if fixed is None or _agrees(value, fixed):
                continue  # (None: the atype takes it, e.g. INTEGRAL arrays)
            _ignored(func, f"{name}={value!r}: {_ATYPE_NAME[atype]} is "
                     f"{_WHAT[name, fixed]}")
            continue
        hint = _HINTS.get((func, name), f"it means nothing to {func}() "
                          f"(atomics 1.0.2 ignored it too; misspelt?)")
        _ignored(func, f"the keyword argument {name!r}: {hint}")
    return {name: kwargs[name] for name in names if name in kwargs}


def _buffer_size(buffer):
    """memoryview(buffer).nbytes, or None for anything memoryview refuses
    (the context's constructor then raises its documented error)."""
    try:
        with memoryview(buffer) as view:
            return view.nbytes
    except Exception:  # noqa: BLE001 - reported by the constructor
        return None


def _check_width(buffer, kwargs):
    """atomicview(..., width=N): a view's width is its buffer's size, so a
    width= that says the same is accepted (1.0.2 ignored it, and programs
    pass it), and one that does not is an error: the program expects an
    atomic of another size than it would get."""
    width = kwargs.pop("width")
    if not isinstance(width, int):
        raise TypeError("Keyword argument 'width' must have type 'int'.")
    size = _buffer_size(buffer)
    if size is not None and size != width:
        raise ValueError(f"atomicview() got width={width}, but the buffer "
                         f"has {size} bytes: a view's width is its buffer's "
                         f"size (pass a buffer of {width} bytes, e.g. a "
                         f"slice, or leave width= out)")


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
    if kwargs:
        kwargs = _extra("atomic", atype, kwargs, extra)
    if not shared:  # the common call, kept short: it is most of the cost
        return cls(width=width, **kwargs)
    return _new(cls, dict(width=width, **kwargs), shared)


def atomicview(buffer, atype, **kwargs):
    """A context giving an atomic view of `buffer` (any object with the
    buffer protocol): `with atomicview(buffer=buf, atype=INT) as a: ...`.

    The view's width is the buffer's size in bytes. Raises
    UnsupportedWidthException for a size with no atomic operations, and
    AlignmentError if the buffer is not suitably aligned.
    """
    cls, extra = _lookup(_CONTEXT, atype)
    if "width" in kwargs:
        kwargs = dict(kwargs)
        _check_width(buffer, kwargs)
    return cls(buffer=buffer, **_extra("atomicview", atype, kwargs, extra))


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
    if kwargs:
        kwargs = _extra("atomicarray", atype, kwargs, extra)
    return _new(cls, dict(length=length, width=width, **kwargs), shared)


def atomicarrayview(buffer, width: int, atype, **kwargs):
    """A context giving an atomic array over `buffer`, one atomic per
    `width` bytes: `with atomicarrayview(buffer=buf, width=8, atype=INT) as
    a: a.inc(0)`. The buffer's size must be a multiple of `width`; the
    lifetime rules of atomicview() apply.
    """
    if atype is ANY:
        raise TypeError("an array view needs INTEGRAL, INT, UINT or BYTES")
    cls, _ = _array_class(atype, kwargs)
    _extra("atomicarrayview", atype, kwargs, ())
    return AtomicArrayViewContext(buffer=buffer, width=width, array_class=cls)
