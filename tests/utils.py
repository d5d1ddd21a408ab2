"""Shared helpers for the atomics test suite.

Expectations come from the spec (README) and from the machine
(/proc/cpuinfo), not from what `atomics` reports about itself, with one
exception: the lists of operations come from the package's op table
(atomics._ops, the one list there is), which tests/test_op_table.py holds
against the spec's OpType and type stubs.
"""

import contextlib
import ctypes
import decimal
import fractions
import mmap
import platform
import sys
import threading

import atomics
from atomics._ops import ops_of

IS_CPYTHON = sys.implementation.name == "cpython"
IS_PYPY = sys.implementation.name == "pypy"
IS_GRAALPY = sys.implementation.name == "graalpy"
# GraalPy with HPy built in (24.2); GraalPy 25 dropped it and runs atomics'
# own HPy runtime through its C API, where these limits do not apply
IS_GRAALPY_HPY = IS_GRAALPY and sys.implementation.version[0] < 25
IS_LINUX = sys.platform.startswith("linux")
BYTEORDER = sys.byteorder

MO = atomics.MemoryOrder
OP = atomics.OpType
ALL_ORDERS = list(MO)

# GraalPy 24.2's HPy layer can call back into the interpreter only from the
# thread that imported atomics: elsewhere, integer operations take a path
# that needs no call back, and what needs one (bytes values, wait, notify,
# construction, pickling) raises RuntimeError (README, Interpreters). Tests
# doing that in threads skip there.
GRAALPY_THREADS = __import__("pytest").mark.skipif(
    IS_GRAALPY_HPY, reason="GraalPy 24.2 runs no wait(), notify or bytes values "
    "on threads other than the one that imported atomics")

# ---------------------------------------------------------------- machine --


def cpu_flags():
    """The CPU feature flags from /proc/cpuinfo (empty if unavailable)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


MACHINE = platform.machine().lower()
IS_X86_64 = MACHINE in ("x86_64", "amd64")
IS_AARCH64 = MACHINE in ("aarch64", "arm64")
IS_S390X = MACHINE == "s390x"
CPU_FLAGS = cpu_flags()
HAS_CX16 = IS_X86_64 and "cx16" in CPU_FLAGS
HAS_AVX = IS_X86_64 and "avx" in CPU_FLAGS


def hwcap():
    """The kernel's AT_HWCAP for this process (0 if unavailable): on
    aarch64 it says which atomic instructions the CPU has. Read from
    /proc/self/auxv (pairs of native unsigned longs), which qemu-user
    emulates too."""
    import struct
    try:
        with open("/proc/self/auxv", "rb") as f:
            data = f.read()
    except OSError:
        return 0
    size = struct.calcsize("L")
    for i in range(0, len(data) - 2 * size + 1, 2 * size):
        key, value = struct.unpack_from("LL", data, i)
        if key == 16:  # AT_HWCAP
            return value
    return 0


# aarch64: FEAT_LSE2 (HWCAP_USCAT) makes an aligned 16-byte ldp atomic
HAS_LSE2 = IS_AARCH64 and bool(hwcap() & (1 << 25))

BASE_WIDTHS = [1, 2, 4, 8]
# Width 16 needs a lock-free 16-byte compare-exchange: x86_64 CPUs with
# cmpxchg16b, every aarch64 (ldaxp/stlxp, or LSE's casp) and every s390x
# (cdsg).
HAS_WIDTH_16 = HAS_CX16 or IS_AARCH64 or IS_S390X
# ... and read-only 16-byte views a 16-byte load that never writes: x86_64
# with AVX, aarch64 with LSE2, s390x (lpq).
HAS_READONLY_16 = HAS_WIDTH_16 and (HAS_AVX or HAS_LSE2 or IS_S390X)
WIDTHS = BASE_WIDTHS + ([16] if HAS_WIDTH_16 else [])


def readonly_16_supported():
    import atomics._native  # noqa: F401  (the module is in sys.modules)
    return sys.modules["atomics._native"].ops_mask(16, True) != 0


READONLY_WIDTHS = BASE_WIDTHS + ([16] if readonly_16_supported() else [])
UNSUPPORTED_WIDTHS = [0, 3, 5, 6, 7, 9, 10, 12, 15, 17, 24, 32, 64, 4096]
if not HAS_WIDTH_16:
    UNSUPPORTED_WIDTHS.append(16)

ATYPES = {"INT": atomics.INT, "UINT": atomics.UINT, "BYTES": atomics.BYTES}

# ------------------------------------------------------------------ names --

# The operations each family has, with their OpType (README "Operations").
_INTEGRAL = ops_of("INTEGRAL")
_BYTES = ops_of("BYTES")
COMMON_OPS = {name: op.optype for name, op in _BYTES.items()}
INTEGRAL_OPS = {name: op.optype for name, op in _INTEGRAL.items()}
ARITH_OPS = {name: optype for name, optype in INTEGRAL_OPS.items()
             if name not in COMMON_OPS}

# What each method takes before its memory order(s).
OPERAND_OPS = {name for name, op in _INTEGRAL.items()
               if op.operands in (("desired",), ("value",))}
NOARG_OPS = {name for name, op in _INTEGRAL.items() if not op.operands}
INDEX_OPS = {name for name, op in _INTEGRAL.items()
             if op.operands == ("index",)}
CMPXCHG_OPS = {name for name, op in _INTEGRAL.items()
               if op.family == "cmpxchg"}
# The first parameter's keyword name.
OPERAND_NAME = {name: _INTEGRAL[name].operands[0] for name in OPERAND_OPS}
# What works on read-only memory: the ops that never write.
READ_OPS = {name for name, op in _INTEGRAL.items()
            if op.signature in ("load", "test")}


# Argument objects for bad-input and fuzz tests (scripts/fuzz.py uses them
# too).


class HasIndex:
    """Not an int, but has __index__ (accepted wherever ints are)."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __repr__(self):
        return f"HasIndex({self.value!r})"


class BadIndex:
    """__index__ returns a non-int: a TypeError."""

    def __index__(self):
        return "seven"

    def __repr__(self):
        return "BadIndex()"


class IntOnly:
    """Has __int__ but no __index__: int(x) works, but it is not an integer
    (like Fraction and Decimal), so operands and indexes reject it."""

    def __int__(self):
        return 42

    def __repr__(self):
        return "IntOnly()"


# Objects that int() truncates but that are not integers: never operands.
def truncating_numbers():
    return [fractions.Fraction(7, 2), decimal.Decimal("2.9"), IntOnly()]


class MyInt(int):
    """An int subclass (accepted as an int)."""

    def __repr__(self):
        return f"MyInt({int(self)})"


def ops_for(atype_name):
    return sorted(INTEGRAL_OPS if atype_name != "BYTES" else COMMON_OPS)


def order_valid(opname, order):
    """Whether `order` is valid for `opname` (not cmpxchg's fail order):
    README "Memory orders", by what the op does (its signature)."""
    signature = _INTEGRAL[opname].signature
    if signature == "store":
        return order in (MO.RELAXED, MO.RELEASE, MO.SEQ_CST)
    if signature in ("load", "test"):  # load, bit_test
        return order in (MO.RELAXED, MO.ACQUIRE, MO.SEQ_CST)
    return True


# README "Memory orders": the valid fail orders for each success order.
VALID_FAIL = {
    MO.RELAXED: {MO.RELAXED},
    MO.ACQUIRE: {MO.RELAXED, MO.ACQUIRE},
    MO.RELEASE: {MO.RELAXED, MO.ACQUIRE},
    MO.ACQ_REL: {MO.RELAXED, MO.ACQUIRE},
    MO.SEQ_CST: {MO.RELAXED, MO.ACQUIRE, MO.SEQ_CST},
}


def cmpxchg_kw(atype_name):
    """cmpxchg's order keyword names for the family (README
    "Operations")."""
    ops = _BYTES if atype_name == "BYTES" else _INTEGRAL
    return ops["cmpxchg_strong"].orders

# ---------------------------------------------------------------- threads --


def run_threads(target, args_list, timeout=120):
    """Run target(*args) in one thread per args, all released together.

    Returns the results in order; re-raises the first exception any worker
    raised (a failing worker must fail the test, not just print).
    """
    n = len(args_list)
    barrier = threading.Barrier(n)
    results = [None] * n
    errors = []

    def worker(i, args):
        try:
            barrier.wait()
            results[i] = target(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i, a), daemon=True)
               for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if any(t.is_alive() for t in threads):
        raise TimeoutError("worker threads did not finish")
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]
    return results

# ---------------------------------------------------------------- buffers --


def address_of(buf):
    """The address of a buffer's first byte, found the way atomics finds it
    (ctypes' own addressof gives unusable numbers on GraalPy)."""
    from atomics._buffer import buffer_address
    return buffer_address(buf)[0]


def aligned_slice(width, offset=0, alignment=16):
    """(backing bytearray, memoryview of `width` bytes) whose address is
    `offset` bytes past an `alignment` boundary."""
    ba = bytearray(width + offset + 2 * alignment)
    base = address_of(ba)
    start = (-base) % alignment + offset
    return ba, memoryview(ba)[start:start + width]


@contextlib.contextmanager
def writable_buffer(source, width):
    """A writable, suitably aligned buffer of `width` bytes from `source`
    ("bytearray", "mmap" or "shm"), cleaned up (and so checked to be
    released by the view) afterwards."""
    if source == "bytearray":
        ba = bytearray(width)
        if address_of(ba) % width == 0:
            yield ba
        else:  # not aligned by the allocator: use an aligned slice
            _, mv = aligned_slice(width)
            yield mv
            mv.release()
    elif source == "mmap":
        m = mmap.mmap(-1, width)
        yield m
        m.close()  # BufferError here if an export leaked (CPython)
    elif source == "shm":
        shm = SharedMemory(create=True, size=max(width, 1))
        buf = shm.buf[:width]
        try:
            yield buf
        finally:
            buf.release()
            shm.close()
            shm.unlink()
    else:
        raise ValueError(source)


SOURCES = ["owned", "bytearray", "mmap", "shm"]


@contextlib.contextmanager
def make_atomic(source, atype, width):
    """An atomic of `atype`/`width`: owned (`atomic()`) or a view over a
    buffer from `source`."""
    if source == "owned":
        yield atomics.atomic(width=width, atype=atype)
        return
    with writable_buffer(source, width) as buf:
        with atomics.atomicview(buffer=buf, atype=atype) as a:
            yield a


def file_mmap(tmp_path, data, access=mmap.ACCESS_READ):
    """An mmap of a temporary file holding `data`."""
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    with open(path, "rb" if access == mmap.ACCESS_READ else "r+b") as f:
        return mmap.mmap(f.fileno(), len(data), access=access)


def can_resize(ba):
    """Whether bytearray `ba` can be resized now (False: BufferError, i.e.
    something holds an export). Leaves its size unchanged."""
    try:
        ba.append(0)
    except BufferError:
        return False
    del ba[-1]
    return True

# ---------------------------------------------------------- shared memory --


class DevShmMemory:
    """multiprocessing.shared_memory.SharedMemory's interface on a file in
    /dev/shm: for interpreters without shm_open (GraalPy), so that the
    shared-memory tests still run there on real shared memory."""

    def __init__(self, name=None, create=False, size=0):
        import os
        import secrets
        if create:
            name = f"atomics-test-{os.getpid()}-{secrets.token_hex(6)}"
        self.name = name
        self._path = os.path.join("/dev/shm", name)
        fd = os.open(self._path, os.O_RDWR | (os.O_CREAT | os.O_EXCL
                                             if create else 0), 0o600)
        try:
            if create:
                os.ftruncate(fd, size)
            self.size = os.fstat(fd).st_size
            self._mmap = mmap.mmap(fd, self.size)
        finally:
            os.close(fd)
        self.buf = memoryview(self._mmap)

    def close(self):
        self.buf.release()
        self._mmap.close()

    def unlink(self):
        import os
        os.unlink(self._path)


def _shared_memory_class():
    try:
        from multiprocessing import shared_memory
        probe = shared_memory.SharedMemory(create=True, size=8)
    except (ImportError, AttributeError, OSError):
        return DevShmMemory  # GraalPy: no _posixshmem.shm_open
    probe.close()
    probe.unlink()
    return shared_memory.SharedMemory


SharedMemory = _shared_memory_class()
HAS_SHM_OPEN = SharedMemory is not DevShmMemory
# GraalPy has no os.fork
HAS_FORK = hasattr(__import__("os"), "fork")

# ------------------------------------------------------------- processes --


BARRIER_OFFSET = 32  # an 8-byte start counter after the data word


@contextlib.contextmanager
def _shm_views(name, width, atype_name, n_procs):
    """Child process: a view of the data word, after all `n_procs` workers
    have arrived (a spin barrier on a UINT at BARRIER_OFFSET), so that the
    workers really run at the same time."""
    shm = SharedMemory(name=name)
    buf = shm.buf[:width]
    gate = shm.buf[BARRIER_OFFSET:BARRIER_OFFSET + 8]
    try:
        with atomics.atomicview(buffer=buf, atype=ATYPES[atype_name]) as a, \
                atomics.atomicview(buffer=gate, atype=atomics.UINT) as g:
            g.inc()
            while g.load() < n_procs:
                pass
            yield a
    finally:
        buf.release()
        gate.release()
        shm.close()


def shm_worker_fetch_add(name, width, atype_name, n_procs, n, step):
    """Child process: n x fetch_add(step) on a SharedMemory view."""
    with _shm_views(name, width, atype_name, n_procs) as a:
        for _ in range(n):
            a.fetch_add(step)


def shm_worker_cmpxchg(name, width, atype_name, n_procs, n):
    """Child process: n increments, each by a cmpxchg_weak retry loop."""
    with _shm_views(name, width, atype_name, n_procs) as a:
        for _ in range(n):
            res = atomics.CmpxchgResult(success=False, expected=a.load())
            while not res:
                res = a.cmpxchg_weak(expected=res.expected,
                                     desired=res.expected + 1)


@contextlib.contextmanager
def collect_unraisable():
    """Collect what the interpreter reports as 'Exception ignored in ...'
    (e.g. from __del__) inside the block, after a full GC at its end."""
    import gc
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(
        (type(u.exc_value).__name__, str(u.exc_value), repr(u.object)))
    try:
        yield seen
        for _ in range(3):
            gc.collect()
    finally:
        sys.unraisablehook = old
