# SPDX-License-Identifier: MIT
"""The view contexts: `atomicview()` returns one of these.

A context takes (and locks) the buffer's export when it is created, hands
out one view when entered, and gives the export back on `release()` or
`__exit__`. After that the view raises ValueError on any use, so a view can
never touch memory whose owner may already have freed or resized it.
"""

from ._alignment import Alignment
from ._buffer import AtomicCore
from ._classes import (AtomicBytesArray, AtomicBytesView, AtomicIntArray,
                       AtomicIntegralView, AtomicIntView, AtomicUintArray,
                       AtomicUintView, AtomicView, release_view)
from ._load import native
from ._ops import ops_of
from .exc import AlignmentError, UnsupportedWidthException

__all__ = [
    "AtomicViewContext",
    "AtomicIntegralViewContext",
    "AtomicBytesViewContext",
    "AtomicIntViewContext",
    "AtomicUintViewContext",
    "AtomicArrayViewContext",
]

_FRESH, _OPEN, _CLOSED = range(3)

# The ops of BYTES atomics (and of ANY ones that are not integral).
_BYTES_OPS = sum(1 << op.optype for op in ops_of("BYTES").values())


def _check(core: AtomicCore, width: int, is_integral: bool) -> None:
    mask = native.ops_mask(width, core.readonly)
    if not is_integral:
        mask &= _BYTES_OPS
    if not mask:
        raise UnsupportedWidthException(width, readonly=core.readonly)
    if core.width % width:
        raise ValueError(f"buffer of {core.width} bytes does not hold a "
                         f"whole number of {width}-byte atomics")
    if core.address % Alignment(width).recommended:
        raise AlignmentError(width, core.address, using_recommended=True)


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
        self._open_core(buffer, is_integral, is_signed, None)

    def _open_core(self, buffer, is_integral, is_signed, width):
        """Export `buffer` and check it suits atomics of `width` bytes (the
        whole buffer if None); keep the export only if it does."""
        core = AtomicCore(buffer, is_integral=is_integral,
                          is_signed=is_signed)
        try:
            _check(core, core.width if width is None else width, is_integral)
            core.pin_mapping(buffer)
        except BaseException:
            core.release()  # a failed construction leaves no export behind
            raise
        self._core = core
        self._state = _FRESH

    def _make(self, core):
        return self._view_class(core)

    def __enter__(self):
        if self._state == _OPEN:
            raise ValueError("Cannot open context multiple times.")
        if self._state == _CLOSED:
            raise ValueError("Cannot open context after calling 'release'.")
        self._view = self._make(self._core)
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
        super().__init__(buffer=buffer, is_integral=True, is_signed=is_signed)


class AtomicBytesViewContext(AtomicViewContext):
    """Context for an atomic bytes view of `buffer`."""

    _view_class = AtomicBytesView

    def __init__(self, *, buffer):
        super().__init__(buffer=buffer, is_integral=False, is_signed=False)


class AtomicIntViewContext(AtomicIntegralViewContext):
    """Context for an atomic signed integer view of `buffer`."""

    _view_class = AtomicIntView

    def __init__(self, *, buffer):
        super().__init__(buffer=buffer, is_signed=True)


class AtomicUintViewContext(AtomicIntegralViewContext):
    """Context for an atomic unsigned integer view of `buffer`."""

    _view_class = AtomicUintView

    def __init__(self, *, buffer):
        super().__init__(buffer=buffer, is_signed=False)


class AtomicArrayViewContext(AtomicViewContext):
    """Context for an atomic array over `buffer`: one atomic per `width`
    bytes, of the class `array_class` (AtomicIntArray, AtomicUintArray or
    AtomicBytesArray). The same lifetime rules as views apply."""

    def __init__(self, *, buffer, width: int, array_class):
        if array_class not in (AtomicIntArray, AtomicUintArray,
                               AtomicBytesArray):
            raise TypeError("array_class must be AtomicIntArray, "
                            "AtomicUintArray or AtomicBytesArray")
        if not isinstance(width, int):
            raise TypeError("Keyword argument 'width' must have type 'int'.")
        # the same errors as atomic(width=...); width 0 fails in _check
        if width < 0:
            raise ValueError("Negative width")
        if width >= 1 << 64:
            raise OverflowError("Value would overflow size_t")
        self._array_class = array_class
        self._width = width
        self._open_core(buffer, array_class is not AtomicBytesArray, False,
                        width)

    def _make(self, core):
        # the core goes positionally (see owned_new in hpy_src/construct.c)
        return self._array_class(core, length=core.width // self._width,
                                 width=self._width)

