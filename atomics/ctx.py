# SPDX-License-Identifier: MIT
"""The view contexts: `atomicview()` returns one of these.

A context takes (and locks) the buffer's export and makes its view when it
is created, hands the view out when entered, and gives the export back on
`release()` or `__exit__`. After that the view raises ValueError on any
use, so a view can never touch memory whose owner may already have freed
or resized it.
"""

from . import _jit
from ._buffer import AtomicCore
from ._classes import (AtomicBytesArray, AtomicBytesView, AtomicIntArray,
                       AtomicIntegralView, AtomicIntView, AtomicUintArray,
                       AtomicUintView, AtomicView, release_view)

__all__ = [
    "AtomicViewContext",
    "AtomicIntegralViewContext",
    "AtomicBytesViewContext",
    "AtomicIntViewContext",
    "AtomicUintViewContext",
    "AtomicArrayViewContext",
]

_FRESH, _OPEN, _CLOSED = range(3)


class AtomicViewContext:
    """Context for an atomic view of `buffer` exposing no operations (ANY).

    Use it in a `with` statement: `with ctx as view: ...`. The buffer must
    stay valid until the context is released (which `__exit__` does).
    """

    _view_class = AtomicView
    # until construction succeeds (so that __del__ of a half-made context
    # finds nothing to release)
    _state = _CLOSED
    _view = None
    _core = None

    def __init__(self, *, buffer, is_integral: bool, is_signed: bool):
        self._open(buffer, self._view_class, is_integral=is_integral,
                   is_signed=is_signed)

    def _open(self, buffer, cls, **keywords):
        """Export `buffer` and make the view, a `cls(**keywords)` on its
        memory; the constructor checks (once, in C) that the memory suits
        it. Keep the export only if it does."""
        _jit.check_home(f"{type(self).__name__}()")
        core = AtomicCore(buffer)
        try:
            self._view = cls(*core.memory(), **keywords)
        except BaseException:
            core.release()  # a failed construction leaves no export behind
            raise
        self._core = core
        self._state = _FRESH

    def __enter__(self):
        if self._state == _OPEN:
            raise ValueError("Cannot open context multiple times.")
        if self._state == _CLOSED:
            raise ValueError("Cannot open context after calling 'release'.")
        self._state = _OPEN
        return self._view

    def __exit__(self, exc_type=None, exc_value=None, traceback=None):
        """Release the buffer, even from inside the `with` block (the view
        is unusable from then on). Returns None: exceptions propagate."""
        self._close()

    def release(self) -> None:
        """Give the buffer back; afterwards the context cannot be entered.
        Not allowed while the context is open (use `__exit__` for that)."""
        if self._state == _OPEN:
            raise ValueError("Cannot call 'release' while context is open.")
        self._close()

    def _close(self) -> None:
        _jit.check_home(f"closing {type(self).__name__}")
        view, self._view = self._view, None
        if view is not None:
            release_view(view)
        if self._core is not None:
            self._core.release()
        self._state = _CLOSED

    def __reduce_ex__(self, protocol):
        # (copy.copy too) a copy would share this context's export of the
        # buffer: releasing either would release the other's view
        raise TypeError(f"cannot pickle or copy {type(self).__name__!r} "
                        f"object: it holds an export of its buffer")

    def __del__(self):
        # An open context's view may still be in use: it keeps the core, and
        # so the export, alive by itself, and the core releases it when the
        # view goes. Anything else can be given back now.
        if self._state != _OPEN:
            self._close()


class AtomicIntegralViewContext(AtomicViewContext):
    """Context for an atomic integer view of `buffer`."""

    _view_class = AtomicIntegralView

    def __init__(self, *, buffer, is_signed: bool):
        self._open(buffer, self._view_class, is_signed=is_signed)


class AtomicBytesViewContext(AtomicViewContext):
    """Context for an atomic bytes view of `buffer`."""

    _view_class = AtomicBytesView

    def __init__(self, *, buffer):
        self._open(buffer, self._view_class)


class AtomicIntViewContext(AtomicIntegralViewContext):
    """Context for an atomic signed integer view of `buffer`."""

    _view_class = AtomicIntView

    def __init__(self, *, buffer):
        self._open(buffer, self._view_class)


class AtomicUintViewContext(AtomicIntegralViewContext):
    """Context for an atomic unsigned integer view of `buffer`."""

    _view_class = AtomicUintView

    def __init__(self, *, buffer):
        self._open(buffer, self._view_class)


class AtomicArrayViewContext(AtomicViewContext):
    """Context for an atomic array over `buffer`: one atomic per `width`
    bytes, of the class `array_class` (AtomicIntArray, AtomicUintArray or
    AtomicBytesArray). The same lifetime rules as views apply."""

    def __init__(self, *, buffer, width: int, array_class):
        if array_class not in (AtomicIntArray, AtomicUintArray,
                               AtomicBytesArray):
            raise TypeError("array_class must be AtomicIntArray, "
                            "AtomicUintArray or AtomicBytesArray")
        # (as long as the buffer: the constructor divides it into elements)
        self._open(buffer, array_class, width=width)
