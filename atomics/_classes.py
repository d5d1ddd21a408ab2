# SPDX-License-Identifier: MIT
"""Build the atomic classes from the compiled core.

The operations are C methods of these classes (no Python wrapper between a
call and the atomic instruction; on PyPy and GraalPy see _jit.py). The classes are made
here because their bases include the Python type tags and mixins adding
what needs no speed: properties, `str()`, wait(), and pickling (of shared
atomics only).

Hierarchy (each family the same shape; views are not `Atomic`s):

    Atomic(ANY)         -> AtomicIntegral(INTEGRAL) -> AtomicInt(INT)
                                                    -> AtomicUint(UINT)
                        -> AtomicBytes(BYTES)
    AtomicView(ANY)     -> AtomicIntegralView(...)  ... (same shape)
    AtomicArray         -> AtomicIntArray, AtomicUintArray, AtomicBytesArray
"""

import sys
import time
from collections import namedtuple

from . import _jit, _shared, exc
from ._buffer import AtomicCore
from ._enums import MemoryOrder, OpType, ops_from_mask
from ._load import native
from ._types import ANY, BYTES, INT, INTEGRAL, UINT

native.register_hook("MemoryOrder", MemoryOrder)
native.register_hook("AtomicCore", AtomicCore)
native.register_hook("order_error", exc.order_error)
native.register_hook("width_error", exc.width_error)
native.register_hook("alignment_error", exc.alignment_error)
native.register_hook("op_error", exc.op_error)
native.register_hook("OperandTypeError", exc.OperandTypeError)


class _IntOnly:
    """int() takes it, but it is not an integer (like Fraction): the
    extension converts one to learn whether this interpreter's integer
    conversions refuse such objects, or it must check operands itself."""

    def __int__(self):
        return 42


native.probe_int_conversions(_IntOnly())
if _jit.GRAALPY:
    _jit.set_home(native)


_building = True  # while this module makes its classes

# wait() sleeps in C at most this long before Python looks at signals and
# the timeout again (a signal usually interrupts the sleep earlier).
_WAIT_SLICE_NS = 50_000_000


# What `_properties()` (C: hpy_src/atomic_type.c) returns, in its order;
# it raises ValueError once a view is released.
_Props = namedtuple("_Props", "width readonly signed ops_mask")


class _Properties:
    """Properties and pickling shared by every atomic class."""

    __slots__ = ()

    def _props(self) -> _Props:
        props = self._properties()
        if props is NotImplemented:
            # a thread GraalPy cannot call back from: the C method answered
            # at once, untouched (_jit.py)
            props = _jit.properties(self)
        return _Props._make(props)

    def __init_subclass__(cls, **kwargs):
        # hpy 0.9 on CPython locates the C struct of a Python subclass's
        # instances wrongly (HPy_New, tp_traverse, tp_destroy), which would
        # corrupt memory: refuse clearly instead.
        if not _building:
            raise TypeError(f"atomics classes cannot be subclassed "
                            f"({cls.__name__}); wrap an atomic instead")
        super().__init_subclass__(**kwargs)

    @property
    def width(self) -> int:
        """Width in bytes (of one element, for arrays)."""
        return self._props().width

    @property
    def readonly(self) -> bool:
        """Whether the memory is read-only (only loads are supported)."""
        return self._props().readonly

    @property
    def ops_supported(self) -> "list[OpType]":
        """The operations this object supports, as a new sorted list."""
        return ops_from_mask(self._props().ops_mask)

    def __copy__(self):
        # even a shared atomic: pickle makes it an alias of the same memory,
        # which a "copy" must not silently be
        raise TypeError(f"cannot copy {type(self).__name__!r} object: an "
                        f"atomic is bound to its memory (share the object "
                        f"itself)")

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce_ex__(self, protocol):
        # Only shared atomics travel: their memory has a name, and their core
        # remembers how they were made (_shared.py).
        owner = self._owner()
        if owner is NotImplemented:  # see _props
            raise _jit.away_error(f"pickling {type(self).__name__!r}")
        if not isinstance(owner, _shared.SharedCore):
            raise TypeError(
                f"cannot pickle {type(self).__name__!r} object: its memory "
                f"is private to this process (use shared=True)")
        return owner.reduce(type(self))


if sys.implementation.name in ("pypy", "graalpy"):
    # PyPy and GraalPy give every HPy object a __dict__ (CPython gives them
    # none): refuse new attributes there too, as the README promises.
    def _no_attributes(self, name, value=None):
        raise AttributeError(f"{type(self).__name__!r} object has no "
                             f"attribute {name!r}")

    _Properties.__setattr__ = _no_attributes
    _Properties.__delattr__ = _no_attributes


class _AtomicMixin(_Properties):
    """Python-level behaviour of single atomics."""

    __slots__ = ()

    def __str__(self) -> str:
        props = self._props()
        fields = [f"width={props.width}", f"readonly={props.readonly}"]
        if isinstance(self, (INTEGRAL, BYTES)):
            value = (repr(self.load()) if props.ops_mask >> OpType.LOAD & 1
                     else "LOAD_NOT_SUPPORTED")
            fields.insert(0, f"value={value}")
        if isinstance(self, INTEGRAL):
            fields.append(f"signed={props.signed}")
        return f"{type(self).__name__}({', '.join(fields)})"


class _ArrayMixin(_Properties):
    """Python-level behaviour of atomic arrays."""

    __slots__ = ()

    def __str__(self) -> str:
        props = self._props()
        fields = [f"length={len(self)}", f"width={props.width}",
                  f"readonly={props.readonly}"]
        if isinstance(self, (AtomicIntArray, AtomicUintArray)):
            fields.append(f"signed={props.signed}")
        return f"{type(self).__name__}({', '.join(fields)})"


def _waited(answer):
    if answer is NotImplemented:  # see _Properties._props
        raise _jit.away_error("wait()")
    return answer


def _wait_loop(wait_slice, old, timeout):
    """wait() and an array's wait(i, ...): run `wait_slice(old, ns)` (C,
    without the interpreter lock) slice after slice, so that signal
    handlers and the timeout are looked at in between."""
    if timeout is None:
        while not _waited(wait_slice(old, _WAIT_SLICE_NS)):
            pass
        return True
    deadline = time.monotonic() + timeout
    while True:
        left_ns = int((deadline - time.monotonic()) * 1e9)
        if _waited(wait_slice(old, min(max(left_ns, 0), _WAIT_SLICE_NS))):
            return True
        if left_ns <= 0:
            return False


class _ValueMixin:
    """What atomics holding a value (INTEGRAL, BYTES) add: wait/notify."""

    __slots__ = ()

    def wait(self, old, timeout=None) -> bool:
        """Block while the value equals `old` (C++20 `atomic::wait`).

        Returns True once the value differs, or False if `timeout` seconds
        passed first. Another thread or process wakes waiters by changing
        the value and calling `notify_one()` or `notify_all()`; this works
        across processes on shared memory. The interpreter lock is released
        while waiting, and Ctrl-C interrupts the wait.
        """
        return _wait_loop(self._wait, old, timeout)


class _ValueArrayMixin:
    """What arrays of values (INTEGRAL, BYTES) add: wait/notify per
    element."""

    __slots__ = ()

    def wait(self, i, /, old, timeout=None) -> bool:
        """Block while element i equals `old` (C++20 `atomic::wait`).

        As wait() of a single atomic: True once the element differs, False
        if `timeout` seconds passed first; `notify_one(i)` and
        `notify_all(i)` wake the element's waiters.
        """
        return _wait_loop(lambda old, ns: self._wait(i, old, ns), old,
                          timeout)


class _IntegralMixin:
    """What integral atomics add to _AtomicMixin."""

    __slots__ = ()

    @property
    def signed(self) -> bool:
        """Whether values and arithmetic are signed (two's complement)."""
        return self._props().signed


def _family(suffix: str, module: str):
    """Make one family: Root, Integral, Bytes, Int, Uint (+ suffix)."""
    def make(name, bases):
        return native.make_type(f"{module}.{name}{suffix}", bases)

    root = make("Atomic", (_AtomicMixin, ANY))
    integral = make("AtomicIntegral",
                    (root, _ValueMixin, _IntegralMixin, INTEGRAL))
    bytes_ = make("AtomicBytes", (root, _ValueMixin, BYTES))
    int_ = make("AtomicInt", (integral, INT))
    uint = make("AtomicUint", (integral, UINT))
    if _jit.ENABLED:
        for cls in (integral, int_, uint):
            _jit.install(cls, "INTEGRAL", array=False)
        _jit.install(bytes_, "BYTES", array=False)
    return root, integral, bytes_, int_, uint


(Atomic, AtomicIntegral, AtomicBytes, AtomicInt,
 AtomicUint) = _family("", "atomics.base")
(AtomicView, AtomicIntegralView, AtomicBytesView, AtomicIntView,
 AtomicUintView) = _family("View", "atomics.view")


def _arrays():
    def make(name, bases):
        return native.make_type(f"atomics.array.{name}", bases)

    root = make("AtomicArray", (_ArrayMixin,))
    classes = (make("AtomicIntArray",
                    (root, _ValueArrayMixin, _IntegralMixin)),
               make("AtomicUintArray",
                    (root, _ValueArrayMixin, _IntegralMixin)),
               make("AtomicBytesArray", (root, _ValueArrayMixin)))
    if _jit.ENABLED:
        for cls, kind in zip(classes, ("INTEGRAL", "INTEGRAL", "BYTES")):
            _jit.install(cls, kind, array=True)
    return (root,) + classes


AtomicArray, AtomicIntArray, AtomicUintArray, AtomicBytesArray = _arrays()

release_view = native.release_view
_building = False
