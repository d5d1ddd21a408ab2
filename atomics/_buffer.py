# SPDX-License-Identifier: MIT
"""Finding, pinning and releasing the memory of a buffer-protocol object.

HPy 0.9 can export buffers but not consume them, so the address of a user's
buffer is obtained here, in Python, with tools every interpreter ships:

* CPython and GraalPy: `PyObject_GetBuffer` / `PyBuffer_Release`, called
  through ctypes function objects of our own (never `ctypes.pythonapi`'s,
  which every library in the process shares). This is the real consumer
  API, so the exporter is locked exactly as a C extension would lock it (a
  bytearray refuses to resize; on CPython an mmap also refuses to close)
  until the export is released. (On GraalPy, ctypes' `from_buffer` neither pins nor locks
  memory, and gives wrong addresses for memoryview slices.)
* PyPy: the export is a `memoryview` of the object (which locks it as far as
  PyPy locks anything) and the address comes from a ctypes array made
  `from_buffer` on that memoryview; PyPy keeps such memory in place.

An `AtomicCore` holds one such export for as long as an atomic uses it.
"""

import ctypes
import mmap
import sys
import weakref

__all__ = ["AtomicCore", "buffer_address"]

# CPython locks an exported mmap (close() raises BufferError); PyPy and
# GraalPy 24.2 do not (see _MappingAlias).
_MMAP_CLOSES_UNDER_EXPORT = sys.implementation.name != "cpython"

_NOT_A_BUFFER = "must support the buffer protocol."


class _CPythonExport:
    """A `Py_buffer` export taken with PyObject_GetBuffer(PyBUF_SIMPLE)."""

    class _PyBuffer(ctypes.Structure):
        _fields_ = [
            ("buf", ctypes.c_void_p),
            ("obj", ctypes.c_void_p),
            ("len", ctypes.c_ssize_t),
            ("itemsize", ctypes.c_ssize_t),
            ("readonly", ctypes.c_int),
            ("ndim", ctypes.c_int),
            ("format", ctypes.c_char_p),
            ("shape", ctypes.c_void_p),
            ("strides", ctypes.c_void_p),
            ("suboffsets", ctypes.c_void_p),
            ("internal", ctypes.c_void_p),
        ]

    _get = _release = _clear = None  # bound on first use: CPython-only

    # PyBUF_SIMPLE: one contiguous run of bytes; a strided buffer is refused
    # with BufferError by its exporter.
    _FLAGS = 0

    __slots__ = ("_view", "address", "nbytes", "readonly")

    @classmethod
    def _bind(cls):
        if sys.implementation.name == "graalpy":
            # GraalPy starts its C API (and so resolves the interpreter's
            # symbols) only when a C extension is first imported; _testcapi
            # is one that every GraalPy ships.
            import _testcapi  # noqa: F401
        # Function objects of our own, from prototypes: the ones of
        # ctypes.pythonapi are shared by every library in the process, so
        # setting their argtypes would break a neighbour that declared them
        # its own way (and a neighbour's declarations would break us).
        # PYFUNCTYPE, like pythonapi's functions, keeps the interpreter
        # lock and raises the Python error a failed call leaves.
        api = ctypes.PyDLL(None)
        buffer_p = ctypes.POINTER(cls._PyBuffer)
        cls._get = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object,
                                     buffer_p, ctypes.c_int)(
            ("PyObject_GetBuffer", api))
        cls._release = ctypes.PYFUNCTYPE(None, buffer_p)(
            ("PyBuffer_Release", api))
        cls._clear = ctypes.PYFUNCTYPE(None)(("PyErr_Clear", api))

    def __init__(self, obj, argument):
        if self._get is None:
            self._bind()
        # Python's own check first: it raises the usual errors (no buffer
        # protocol, released memoryview, ...) on every interpreter, where
        # GraalPy's ctypes would leave a failed call's error pending.
        try:
            with memoryview(obj) as check:
                readonly = check.readonly
        except TypeError:
            raise TypeError(f"{argument} {_NOT_A_BUFFER}") from None
        view = self._PyBuffer()
        if self._get(obj, ctypes.byref(view), self._FLAGS) != 0:
            self._clear()  # (CPython has raised already)
            raise BufferError(f"{argument} cannot export its buffer")
        self._view = view
        self.address = view.buf or 0
        self.nbytes = view.len
        # GraalPy's simple exports of immutable objects claim to be
        # writable: believe whichever says read-only
        self.readonly = bool(view.readonly) or readonly

    def release(self):
        view, self._view = self._view, None
        if view is not None:
            self._release(ctypes.byref(view))


class _MemoryviewExport:
    """A memoryview export, addressed through a ctypes array on top of it."""

    __slots__ = ("_view", "_array", "address", "nbytes", "readonly")

    def __init__(self, obj, argument):
        try:
            view = memoryview(obj)
        except TypeError:
            raise TypeError(f"{argument} {_NOT_A_BUFFER}") from None
        if not view.c_contiguous:
            view.release()
            raise BufferError("memoryview: underlying buffer is not "
                              "C-contiguous")
        self._view = view
        self.nbytes = view.nbytes
        self.readonly = view.readonly
        self._array = None
        self.address = 0
        if self.nbytes:
            flat = view.cast("B") if view.ndim != 1 or view.format != "B" \
                else view
            self._array = (ctypes.c_char * self.nbytes).from_buffer(flat)
            self.address = ctypes.addressof(self._array)

    def release(self):
        self._array = None
        view, self._view = self._view, None
        if view is not None:
            view.release()


_Export = (_CPythonExport if sys.implementation.name in ("cpython", "graalpy")
           else _MemoryviewExport)


class _MappingAlias:
    """A second mapping of the shared pages under an export's memory.

    PyPy and GraalPy let an `mmap` be closed while its memory is exported,
    which would leave a view on unmapped memory (a crash at the next
    operation). Linux can map the same pages once more (mremap with an old
    size of 0, for shared mappings: every mmap but ACCESS_COPY ones); a view
    working on that alias stays valid, and keeps sharing the pages with
    the mmap, its file and other processes, whatever the mmap does.
    """

    __slots__ = ("address", "_base", "_size")

    _libc = None
    _MREMAP_MAYMOVE = 1
    _MAP_FAILED = (1 << 8 * ctypes.sizeof(ctypes.c_void_p)) - 1  # (void *)-1

    @classmethod
    def _bind(cls):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mremap.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                ctypes.c_size_t, ctypes.c_int]
        libc.mremap.restype = ctypes.c_void_p
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.munmap.restype = ctypes.c_int
        cls._libc = libc

    @classmethod
    def create(cls, address, nbytes):
        """An alias of [address, address + nbytes), or None if the memory
        is not a shared mapping (or this is not Linux)."""
        if not sys.platform.startswith("linux") or nbytes == 0:
            return None
        if cls._libc is None:
            cls._bind()
        page = mmap.PAGESIZE
        base = address - address % page
        size = -(-(address + nbytes - base) // page) * page
        alias = cls._libc.mremap(base, 0, size, cls._MREMAP_MAYMOVE)
        if alias in (None, -1, cls._MAP_FAILED):
            return None  # a private mapping (EINVAL): nothing to alias
        self = cls.__new__(cls)
        self._base, self._size = alias, size
        self.address = alias + (address - base)
        return self

    def release(self):
        base, self._base = self._base, None
        if base is not None:
            self._libc.munmap(base, self._size)


def _is_mmap(obj):
    while isinstance(obj, memoryview):
        obj = obj.obj
    return isinstance(obj, mmap.mmap)


def buffer_address(obj, argument="Positional argument 'buffer'"):
    """(address, nbytes, readonly) of `obj`'s memory, without keeping an
    export: for checks such as Alignment.is_valid."""
    export = _Export(obj, argument)
    try:
        return export.address, export.nbytes, export.readonly
    finally:
        export.release()


class AtomicCore:
    """A buffer's memory, exported (and so locked, as far as the interpreter
    locks exporters) until `release()`: what views, array views and shared
    atomics work on. `memory()` gives it to their constructors as plain
    values; the object they make keeps its core (and so the export) alive.

    Where an mmap can be closed under its export (PyPy, GraalPy), the core
    also maps the mmap's shared pages a second time (_MappingAlias) for the
    atomics to work on, so that closing the mmap leaves their memory in
    place.
    """

    __slots__ = ("_export", "_finalizer", "address", "nbytes", "readonly",
                 "alias", "__weakref__")

    def __init__(self, buffer, argument="Keyword argument 'buffer'", *,
                 guard_mmap=True):
        """Export `buffer` (`argument` names it in errors). `guard_mmap`:
        alias an mmap's pages as the class says (a shared segment's mmap,
        which is never closed while a core holds it, needs no alias)."""
        export = _Export(buffer, argument)
        alias = None
        if guard_mmap and _MMAP_CLOSES_UNDER_EXPORT and _is_mmap(buffer):
            alias = _MappingAlias.create(export.address, export.nbytes)
        self._export = export
        # A core dropped unreleased gives its export back when collected:
        # through weakref.finalize, as GraalPy 24.2 never calls __del__.
        self._finalizer = weakref.finalize(self, _release, export, alias)
        self.address = export.address
        self.nbytes = export.nbytes
        self.readonly = export.readonly
        self.alias = alias.address if alias is not None else 0

    def memory(self):
        """(core, address, nbytes, readonly, alias): the positional
        arguments with which the atomic classes take this memory."""
        if self._export is None:
            raise ValueError("Operation forbidden on released AtomicCore "
                             "object.")
        return self, self.address, self.nbytes, self.readonly, self.alias

    def release(self):
        """Give the export back (idempotent)."""
        self._export = None
        self._finalizer()  # releases the export once, then detaches

    def __repr__(self):
        state = "released" if self._export is None else hex(self.address)
        return (f"<AtomicCore {state} nbytes={self.nbytes} "
                f"readonly={self.readonly}>")


def _release(export, alias):
    if alias is not None:
        alias.release()
    export.release()
