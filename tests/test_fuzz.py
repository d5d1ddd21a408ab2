"""Stateful fuzzing of the whole API (hypothesis RuleBasedStateMachine).

The machine owns a pool of atomics -- owned ones (`atomic()`, the classes
called directly, `shared=True` ones and their unpickled twins on the same
memory, `atomicarray()`s) and views (`atomicview()`, `atomicarrayview()`)
over many kinds of memory: bytearrays, arrays, anonymous mmaps (writable
and PROT_READ), shared memory, bytes, memoryview slices at aligned and
misaligned offsets, read-only memoryviews, casts to other formats and
shapes -- several views often sharing the same bytes, with different types
and widths. Rules call every operation with valid and invalid arguments
(operands of every wrong type, size and range; bad memory orders, plain
ints among them; bad bit and element indexes; bad signatures), misuse the
contexts, release, orphan and drop views, refuse to close or resize memory
that is exported, and write to the memory behind the atomics' back.

Every call is checked against tests/model.py, or must raise one of the
exceptions the README documents for the bad input it was given; after each
step, every live atomic's value, and every byte of every buffer, must equal
the model's (so a failed call changed nothing, and no operation wrote
outside its object). Nothing here breaks the lifetime contract: memory is
only closed or resized when no view uses it, except where the interpreter
itself refuses (CPython locks exporters).

ATOMICS_FUZZ_EXAMPLES (default 100) sets the number of runs of the
machine, ATOMICS_FUZZ_STEPS (default 50) the steps per run, and
ATOMICS_FUZZ_SHRINK=1 makes hypothesis minimize a failing run (slow).
"""

import array
import copy
import enum
import gc
import mmap
import os
import pickle
import random
import sys
import traceback

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, invariant,
                                 precondition, rule,
                                 run_state_machine_as_test)

import atomics
from atomics import base
from atomics.exc import AlignmentError, UnsupportedWidthException

from atomics._ops import ops_of

from . import oracle
from .model import Model
from .utils import (INTEGRAL_OPS, IS_CPYTHON, IS_GRAALPY, READONLY_WIDTHS,
                    UNSUPPORTED_WIDTHS, WIDTHS, BadIndex, HasIndex, MyInt,
                    SharedMemory, address_of, truncating_numbers)

MO = atomics.MemoryOrder
OP = atomics.OpType

# (GraalPy runs Python 15 to 40 times slower: a tenth of the runs there.)
EXAMPLES = int(os.environ.get("ATOMICS_FUZZ_EXAMPLES", "0") or 0) or (
    10 if IS_GRAALPY else 100)
STEPS = int(os.environ.get("ATOMICS_FUZZ_STEPS", "0") or 0) or 50
# Shrinking a failing run of this machine can take hypothesis's full five
# minutes; by default the failing run is reported as found (every step and
# draw is printed). ATOMICS_FUZZ_SHRINK=1 minimizes it first.
SHRINK = os.environ.get("ATOMICS_FUZZ_SHRINK", "") not in ("", "0")

ATYPES = {"INT": atomics.INT, "UINT": atomics.UINT, "BYTES": atomics.BYTES}
ALL_OPS = sorted(INTEGRAL_OPS)
PAGE = mmap.PAGESIZE

# ------------------------------------------------------ argument objects --


class Small(enum.IntEnum):
    ONE = 1
    SIX = 6


class NotAnOrder(enum.IntEnum):
    """Same values as MemoryOrder members, but not MemoryOrder."""

    RELAXED = 0
    SEQ_CST = 5


def _released_memoryview(n):
    mv = memoryview(bytearray(n))
    mv.release()
    return mv


# The strategies below draw arguments of every kind, good and bad; what
# each one means, or which exceptions it may raise, the oracle decides
# (tests/oracle.py), for this machine and scripts/fuzz.py alike.

NOT_INTS = [1.5, 2.0, "1", b"\x01", None, [1], (1,), 1j, object(),
            bytearray(b"\x01")] + truncating_numbers()


def int_operand(kind, width, current=None):
    """Operands for an integral atomic of (kind, width)."""
    m = Model(kind, width)
    valid = st.one_of(st.integers(m.min, m.max), st.sampled_from(
        m.edge_values()))
    choices = [
        valid, valid.map(MyInt), valid.map(HasIndex),
        st.sampled_from([True, False, Small.SIX]),
        # out of range, as ints and as objects with __index__
        st.one_of(st.integers(m.max + 1, 4 * m.max + 4),
                  st.integers(-4 * (m.max + 1), m.min - 1),
                  st.sampled_from([v for v in (2**64, 2**128, 2**200,
                                               -2**200, -1)
                                   if not m.min <= v <= m.max])
                  ).flatmap(lambda v: st.sampled_from(
                      [v, HasIndex(v), MyInt(v)])),
        st.sampled_from(NOT_INTS),
        st.builds(BadIndex),
    ]
    if current is not None:
        choices.append(st.just(current))
    return st.one_of(*choices)


def bytes_operand(width, current=None):
    """Operands for a BYTES atomic of `width`."""
    data = st.binary(min_size=width, max_size=width)
    wrap = [bytes, bytearray, memoryview, lambda b: array.array("B", b),
            lambda b: memoryview(bytearray(b)).cast("B", (1, width))]
    if width % 2 == 0:
        wrap.append(lambda b: array.array("h", b))
    bad_sizes = sorted({0, width - 1, width + 1, 2 * width} - {width})
    choices = [
        st.tuples(data, st.sampled_from(wrap)).map(lambda t: t[1](t[0])),
        st.tuples(st.sampled_from(bad_sizes), st.sampled_from(
            [bytes, bytearray])).map(lambda t: t[1](b"\x5a" * t[0])),
        st.builds(_released_memoryview, st.just(width)),
        st.sampled_from([0, 1, 2**70, "ab", "x" * width, None, 1.5,
                         [0] * width, object()]),
    ]
    if current is not None:
        choices.append(st.just(current))
    return st.one_of(*choices)


def operand(kind, width, current=None):
    if kind == "BYTES":
        return bytes_operand(width, current)
    return int_operand(kind, width, current)


def bit_index(width):
    n = 8 * width
    valid = st.integers(0, n - 1)
    return st.one_of(
        valid, valid.map(HasIndex), st.sampled_from([True, False, Small.SIX]),
        st.sampled_from([-1, -n, n, n + 1, 2**31, 2**63, 2**64, 2**200,
                         -2**200]).flatmap(lambda i: st.sampled_from(
                             [i, HasIndex(i)])),
        st.sampled_from([1.0, "1", None, b"\x01", [1]]
                        + truncating_numbers()),
    )


def element_index(length):
    """Element indexes for an array of `length`, in range (negative ones
    count from the end) and not."""
    choices = [
        st.sampled_from([length, length + 1, -length - 1, 2**63, 2**64,
                         2**200, -2**200]).flatmap(lambda i: st.sampled_from(
                             [i, HasIndex(i)])),
        st.sampled_from([1.0, "0", None, b"\x00"] + truncating_numbers()),
    ]
    if length:
        valid = st.integers(-length, length - 1)
        choices += [valid, valid.map(HasIndex), valid]
    return st.one_of(*choices)


# Orders: MemoryOrder members, and things that are not.
NOT_ORDERS = [0, 2, 3, 4, 5, -1, 2**70, True, None, "SEQ_CST", 5.0,
              NotAnOrder.SEQ_CST, NotAnOrder.RELAXED]
order_arg = st.one_of(st.sampled_from(list(MO)), st.sampled_from(list(MO)),
                      st.sampled_from(NOT_ORDERS))


def draw_call(data, kind, width, opname, current):
    """Draw the arguments of a call of `opname` on a (kind, width) atomic
    holding `current`: operands, memory orders, positional/keyword form,
    and sometimes a signature error. Returns (args, kwargs)."""
    op = ops_of("BYTES" if kind == "BYTES" else "INTEGRAL")[opname]
    given = {}
    for name in op.operands:
        strategy = (bit_index(width) if name == "index" else
                    operand(kind, width, current if name == "expected"
                            else None))
        given[name] = data.draw(strategy, label=name)
    for name in op.orders:
        if data.draw(st.integers(0, 2), label=f"give {name}"):
            given[name] = data.draw(order_arg, label=name)
    # positional prefix: the longest run of given parameters, cut anywhere
    params = list(op.operands + op.orders)
    prefix = 0
    while prefix < len(params) and params[prefix] in given:
        prefix += 1
    cut = data.draw(st.integers(0, prefix), label="positional")
    args = [given[p] for p in params[:cut]]
    kwargs = {p: given[p] for p in params[cut:] if p in given}
    # sometimes a signature error
    mistake = data.draw(st.sampled_from(
        [None] * 12 + ["unknown", "twice", "missing", "extra", "family"]),
        label="mistake")
    if mistake == "unknown":
        kwargs["bogus"] = 1
    elif mistake == "twice" and args:
        kwargs[params[0]] = args[0]
    elif mistake == "missing" and op.operands:
        args = []
        kwargs = {k: v for k, v in kwargs.items() if k != op.operands[0]}
    elif mistake == "extra":
        args = [given.get(p, MO.SEQ_CST) for p in params] + [MO.SEQ_CST]
        kwargs = {}
    elif mistake == "family" and op.family == "cmpxchg":
        kwargs["success" if kind == "BYTES" else "succ"] = MO.SEQ_CST
    return args, kwargs


def describe(args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}"
                                       for k, v in kwargs.items()]
    return f"({', '.join(parts)})"


# ----------------------------------------------------------------- memory --

REGION_KINDS = ["bytearray", "array", "mmap", "shm", "ro_mmap", "bytes",
                "small_bytearray"]
SMALL_SIZES = [1, 2, 4, 8, 16, 3]


class Region:
    """Memory that views are made over, and the bytes it should hold
    (`shadow`); `exports` counts the contexts/views holding it."""

    def __init__(self, kind, seed, small_size):
        rnd = random.Random(seed)
        self.kind = kind
        self.exports = 0
        self.unlinked = False
        self.reader = None
        if kind in ("small_bytearray", "bytes"):
            size = small_size
        elif kind in ("bytearray", "array"):
            size = 96
        else:
            size = PAGE
        content = bytes(rnd.getrandbits(8) for _ in range(min(size, 256)))
        content += bytes(size - len(content))
        self.writable = kind not in ("ro_mmap", "bytes")
        if kind in ("bytearray", "small_bytearray"):
            self.obj = bytearray(content)
        elif kind == "array":
            self.obj = array.array("Q")
            self.obj.frombytes(content)
        elif kind == "mmap":
            self.obj = mmap.mmap(-1, size)
            self.obj[:] = content
        elif kind == "ro_mmap":
            self.obj = mmap.mmap(-1, size, access=mmap.ACCESS_READ)
            content = bytes(size)  # anonymous: zero pages, PROT_READ
        elif kind == "shm":
            self.obj = SharedMemory(create=True, size=size)
            # all access goes through this slice: CPython's refused close()
            # releases shm.buf itself (see shm_close_refused)
            self.reader = self.obj.buf[:size]
            self.reader[:] = content
        elif kind == "bytes":
            self.obj = bytes(content)
        self.size = size
        self.shadow = bytearray(content)

    def __repr__(self):
        return f"<Region {self.kind} size={self.size}>"

    def memory(self):
        """The buffer to slice views from."""
        return self.reader if self.kind == "shm" else self.obj

    def raw(self):
        if self.kind == "shm":
            return bytes(self.reader)
        if self.kind == "array":
            return self.obj.tobytes()
        if self.kind in ("mmap", "ro_mmap"):
            return self.obj[:]
        return bytes(self.obj)

    def write(self, start, data):
        """A plain (non-atomic) write behind the atomics' back."""
        end = start + len(data)
        if self.kind == "array":
            mv = memoryview(self.obj)
            flat = mv.cast("B")
            flat[start:end] = data
            flat.release()
            mv.release()
        else:
            self.memory()[start:end] = data
        self.shadow[start:end] = data

    def base(self):
        """The address of the first byte modulo 4096, or None if unknown
        (a `bytes`: no portable way to find it)."""
        if self.kind == "ro_mmap":
            return 0  # page aligned
        if self.kind == "bytes":
            return None
        return address_of(self.memory()) % PAGE

    def close(self):
        if self.kind == "shm":
            self.reader.release()
            self.obj.close()
            if not self.unlinked:
                self.obj.unlink()
        elif self.kind in ("mmap", "ro_mmap"):
            self.obj.close()  # BufferError on CPython if an export leaked


class Entry(oracle.Subject):
    """A subject under test, and where the machine got it: the region its
    memory is in (None: its own), and the memoryviews to release after its
    context."""

    def __init__(self, obj, family, width, readonly, integral, signed,
                 shadow, offset, region=None, ctx=None, keep=(), length=None,
                 shared=False):
        super().__init__(obj, family, width, readonly, integral, signed,
                         shadow, offset, length=length, shared=shared,
                         ctx=ctx)
        self.region = region
        self.keep = list(keep)

    def __repr__(self):
        where = self.region.kind if self.region else "owned"
        state = "released" if self.released else (
            "orphan" if self.region and self.ctx is None else "live")
        shape = "" if self.length is None else f"[{self.length}]"
        return (f"<{self.family}{self.width}{shape} {where}"
                f"{' shared' if self.shared else ''} "
                f"{'ro ' if self.readonly else ''}{state}>")

    def release_keep(self):
        for mv in reversed(self.keep):
            mv.release()
        self.keep.clear()


def _expect_raises(errors, call, what):
    """call() must raise an instance of one of `errors`."""
    errors = tuple(errors)
    try:
        result = call()
    except errors:
        return
    except Exception as exc:  # noqa: BLE001 - reported as the failure
        raise AssertionError(f"{what}: raised {type(exc).__name__}: {exc} "
                             f"(allowed: "
                             f"{[e.__name__ for e in errors]})") from exc
    raise AssertionError(f"{what}: returned {result!r} instead of raising "
                         f"one of {[e.__name__ for e in errors]}")


MAX_ENTRIES = 10
MAX_REGIONS = 5


class ApiMachine(RuleBasedStateMachine):

    def __init__(self):
        super().__init__()
        self.entries = []
        self.pending = []  # (ctx, Entry-to-be) not entered yet
        self.regions = []
        self.closed_ctxs = []  # released contexts, for misuse checks

    # ------------------------------------------------------- construction --

    @precondition(lambda self: len(self.entries) < MAX_ENTRIES)
    @rule(family=st.sampled_from(["INT", "UINT", "BYTES", "INTEGRAL",
                                  "ANY"]),
          width=st.sampled_from(WIDTHS), how=st.sampled_from(
              ["factory", "class", "shared"]), signed=st.booleans(),
          integral=st.booleans())
    def new_owned(self, family, width, how, signed, integral):
        if family == "INTEGRAL":
            kwargs = {"is_signed": signed}
            cls = base.AtomicIntegral
        elif family == "ANY":
            kwargs = {"is_integral": integral, "is_signed": signed}
            cls = base.Atomic
        else:
            kwargs = {}
            cls = {"INT": base.AtomicInt, "UINT": base.AtomicUint,
                   "BYTES": base.AtomicBytes}[family]
        if how == "class":
            obj = cls(width=width, **kwargs)
        else:
            obj = atomics.atomic(width=width, atype=getattr(atomics, family),
                                 shared=how == "shared", **kwargs)
        assert type(obj) is cls
        is_integral, is_signed = {
            "INT": (True, True), "UINT": (True, False),
            "BYTES": (False, False), "INTEGRAL": (True, signed),
            "ANY": (integral, signed)}[family]
        if family == "INTEGRAL":
            family = "INT" if signed else "UINT"
        entry = Entry(obj, family, width, False, is_integral, is_signed,
                      bytearray(width), 0, shared=how == "shared")
        self.check_properties(entry)
        self.entries.append(entry)

    @precondition(lambda self: len(self.entries) < MAX_ENTRIES)
    @rule(family=st.sampled_from(["INT", "UINT", "BYTES", "INTEGRAL",
                                  "ANY"]),
          width=st.sampled_from(WIDTHS), length=st.integers(0, 5),
          shared=st.booleans(), signed=st.booleans())
    def new_owned_array(self, family, width, length, shared, signed):
        kwargs = {"is_signed": signed} if family == "INTEGRAL" else {}
        if family == "ANY":
            kwargs = {"is_integral": True, "is_signed": signed}
        obj = atomics.atomicarray(length, width, getattr(atomics, family),
                                  shared=shared, **kwargs)
        if family == "INTEGRAL":
            family = "INT" if signed else "UINT"
        is_integral = family in ("INT", "UINT")
        entry = Entry(obj, family, width, False, is_integral,
                      family == "INT", bytearray(width * length), 0,
                      length=length, shared=shared)
        if family == "ANY":  # an array of ANY: properties only
            entry.integral = False
            assert len(obj) == length and obj.width == width
            return
        self.check_properties(entry)
        self.entries.append(entry)

    @rule(bad=st.sampled_from([
        ((-1, 8), ValueError), ((2**64, 8), OverflowError),
        ((1.5, 8), TypeError), (("2", 8), TypeError),
        ((2, 3), UnsupportedWidthException),
        ((2, 0), UnsupportedWidthException),
        ((2, 32), UnsupportedWidthException), ((2, -1), ValueError),
        ((2, 2**64), OverflowError), ((2, 4.0), TypeError)]),
        atype=st.sampled_from([atomics.INT, atomics.UINT, atomics.BYTES,
                               int, None]))
    def new_owned_array_invalid(self, bad, atype):
        (length, width), error = bad
        errors = (error,) if atype in ATYPES.values() else (TypeError, error)
        _expect_raises(errors, lambda: atomics.atomicarray(length, width,
                                                           atype),
                       f"atomicarray({length!r}, {width!r})")

    @precondition(lambda self: any(e.shared and not e.released
                                   for e in self.entries)
                  and len(self.entries) < MAX_ENTRIES)
    @rule(data=st.data())
    def unpickle_shared(self, data):
        """A pickled shared atomic, unpickled here: a second object on the
        same memory."""
        entry = data.draw(st.sampled_from(
            [e for e in self.entries if e.shared]))
        twin = pickle.loads(pickle.dumps(entry.obj))
        assert type(twin) is type(entry.obj) and twin is not entry.obj
        clone = Entry(twin, entry.family, entry.width, entry.readonly,
                      entry.integral, entry.signed, entry.shadow,
                      entry.offset, length=entry.length, shared=True)
        self.check_properties(clone)
        self.entries.append(clone)

    @rule(family=st.sampled_from(list(ATYPES)), bad=st.sampled_from([
        ("width", w, UnsupportedWidthException) for w in UNSUPPORTED_WIDTHS
    ] + [
        ("width", -1, ValueError), ("width", -2**70, (ValueError,
                                                      OverflowError)),
        ("width", 2**64, OverflowError), ("width", 2**100, OverflowError),
        ("width", 4.0, TypeError), ("width", "4", TypeError),
        ("width", None, TypeError),
        ("atype", int, TypeError), ("atype", "INT", TypeError),
        ("atype", None, TypeError), ("atype", OP, TypeError),
        ("class", "positional", TypeError), ("class", "unknown", TypeError),
        ("class", "missing", TypeError),
        ("kw", "INTEGRAL", TypeError), ("kw", "ANY", TypeError),
    ]))
    def new_owned_invalid(self, family, bad):
        what, value, errors = bad
        errors = errors if isinstance(errors, tuple) else (errors,)
        atype = ATYPES[family]
        if what == "width":
            call = lambda: atomics.atomic(width=value, atype=atype)  # noqa
        elif what == "atype":
            call = lambda: atomics.atomic(width=4, atype=value)  # noqa
        elif what == "kw":  # a required keyword left out
            call = lambda: atomics.atomic(  # noqa
                width=4, atype=getattr(atomics, value),
                **({"is_integral": True} if value == "ANY" else {}))
        else:
            cls = {"INT": base.AtomicInt, "UINT": base.AtomicUint,
                   "BYTES": base.AtomicBytes}[family]
            call = {"positional": lambda: cls(4),
                    "unknown": lambda: cls(width=4, bogus=1),
                    "missing": lambda: cls()}[value]
        _expect_raises(errors, call, f"atomic() with bad {what} {value!r}")
        if what == "width" and errors == (UnsupportedWidthException,):
            try:
                atomics.atomic(width=value, atype=atype)
            except UnsupportedWidthException as exc:
                assert exc.width == value and exc.readonly is False

    @precondition(lambda self: len(self.regions) < MAX_REGIONS)
    @rule(kind=st.sampled_from(REGION_KINDS), seed=st.integers(0, 2**32),
          small_size=st.sampled_from(SMALL_SIZES))
    def new_region(self, kind, seed, small_size):
        self.regions.append(Region(kind, seed, small_size))

    @precondition(lambda self: self.regions and
                  len(self.entries) + len(self.pending) < MAX_ENTRIES)
    @rule(data=st.data())
    def new_view(self, data):
        region = data.draw(st.sampled_from(self.regions), label="region")
        variant = data.draw(st.sampled_from(
            ["slice", "slice", "readonly", "shape", "format", "whole"]),
            label="variant")
        family = data.draw(st.sampled_from(
            ["INT", "UINT", "BYTES", "INTEGRAL", "ANY"]), label="family")
        signed, integral = data.draw(st.booleans()), data.draw(st.booleans())
        enter = data.draw(st.integers(0, 4), label="enter") > 0
        as_array = data.draw(st.integers(0, 3), label="array") == 0
        if as_array:
            return self.new_array_view(data, region, family, signed)
        keep = []
        whole = variant == "whole" or region.kind in ("small_bytearray",
                                                      "bytes")
        if whole:
            offset, width, buf = 0, region.size, region.memory()
            address_mod = region.base()
        else:
            width = data.draw(st.sampled_from(
                WIDTHS + [0, 3, 5, 12, 32]), label="width")
            misalign = data.draw(st.sampled_from([0] * 6 + [1, 2, 4, 8]),
                                 label="misalign")
            slot = data.draw(st.integers(0, 3), label="slot")
            base_mod = region.base()
            if base_mod is None:
                offset = 16 * slot + misalign
            else:  # a `slot`-th 16-aligned address, then `misalign` past it
                offset = (-base_mod) % 16 + 16 * slot + misalign
            mem = memoryview(region.memory())
            keep.append(mem)
            flat = mem.cast("B") if mem.format != "B" else mem
            if flat is not mem:
                keep.append(flat)
            buf = flat[offset:offset + width]
            keep.append(buf)
            width = buf.nbytes  # cut short at the end of the region
            address_mod = None
            if region.writable:  # measured on this very slice
                address_mod = address_of(buf) % PAGE if width else 0
            elif base_mod is not None:
                address_mod = (base_mod + offset) % PAGE
            if variant == "readonly":
                buf = buf.toreadonly()
                keep.append(buf)
            elif variant == "shape" and width >= 2 and width % 2 == 0:
                buf = buf.cast("B", (2, width // 2))
                keep.append(buf)
            elif variant == "format" and width % 4 == 0 and width:
                buf = buf.cast("I")
                keep.append(buf)
        readonly = not region.writable or (variant == "readonly"
                                           and not whole)
        if family == "INTEGRAL":
            kwargs, is_integral, is_signed = {"is_signed": signed}, True, \
                signed
            family = "INT" if signed else "UINT"
            atype = atomics.INTEGRAL
        elif family == "ANY":
            kwargs = {"is_integral": integral, "is_signed": signed}
            is_integral, is_signed = integral, signed
            atype = atomics.ANY
        else:
            kwargs = {}
            is_integral, is_signed = family != "BYTES", family == "INT"
            atype = ATYPES[family]
        supported = width in (READONLY_WIDTHS if readonly else WIDTHS)
        expect = None
        if not supported:
            expect = UnsupportedWidthException
        elif address_mod is not None and \
                address_mod % atomics.Alignment(width).recommended:
            expect = AlignmentError
        try:
            ctx = atomics.atomicview(buffer=buf, atype=atype, **kwargs)
        except (UnsupportedWidthException, AlignmentError) as exc:
            for mv in reversed(keep):
                mv.release()
            if address_mod is None and type(exc) is AlignmentError:
                return  # a `bytes` at an address we could not know
            assert type(exc) is expect, (
                f"{type(exc).__name__}: {exc} for width {width} at "
                f"{address_mod} (expected {expect})")
            assert exc.width == width
            if expect is UnsupportedWidthException:
                assert exc.readonly is readonly
            return
        assert expect is None, (
            f"atomicview() of width {width} at address mod {address_mod} "
            f"(readonly={readonly}) worked; expected {expect.__name__}")
        region.exports += 1
        entry = Entry(None, family if atype is not atomics.ANY else "ANY",
                      width, readonly, is_integral, is_signed, region.shadow,
                      offset, region, ctx, keep)
        if enter:
            self._enter(entry)
        else:
            self.pending.append(entry)

    def new_array_view(self, data, region, family, signed):
        """atomicarrayview() over a slice of `region`: element width,
        count, a size that is not a whole number of elements sometimes, and
        misalignment sometimes."""
        if region.kind in ("small_bytearray", "bytes"):
            return
        width = data.draw(st.sampled_from(WIDTHS + [3]), label="width")
        count = data.draw(st.integers(0, 4), label="count")
        extra = data.draw(st.sampled_from([0] * 5 + [1, width // 2]),
                          label="extra")
        misalign = data.draw(st.sampled_from([0] * 6 + [1, 4]),
                             label="misalign")
        readonly = not region.writable or data.draw(st.booleans(),
                                                    label="toreadonly")
        base_mod = region.base()
        offset = (-base_mod) % 16 + misalign
        nbytes = count * width + extra
        keep = []
        mem = memoryview(region.memory())
        keep.append(mem)
        flat = mem.cast("B") if mem.format != "B" else mem
        if flat is not mem:
            keep.append(flat)
        buf = flat[offset:offset + nbytes]
        keep.append(buf)
        nbytes = buf.nbytes
        if region.writable and readonly:
            buf = buf.toreadonly()
            keep.append(buf)
        kwargs, atype = {}, ATYPES.get(family)
        if family == "INTEGRAL":
            kwargs, atype = {"is_signed": signed}, atomics.INTEGRAL
            family = "INT" if signed else "UINT"
        elif family == "ANY":
            _expect_raises([TypeError], lambda: atomics.atomicarrayview(
                buffer=buf, width=width, atype=atomics.ANY),
                "atomicarrayview of ANY")
            for mv in reversed(keep):
                mv.release()
            return
        errors = set()
        if width not in (READONLY_WIDTHS if readonly else WIDTHS):
            errors.add(UnsupportedWidthException)
        else:
            if nbytes % width:
                errors.add(ValueError)
            if (base_mod + offset) % atomics.Alignment(width).recommended:
                errors.add(AlignmentError)
        make = lambda: atomics.atomicarrayview(  # noqa: E731
            buffer=buf, width=width, atype=atype, **kwargs)
        if nbytes == 0 and errors == {AlignmentError}:
            # nothing to align: whether an empty buffer's address is checked
            # is the interpreter's business (PyPy reports no address)
            errors = set()
            try:
                ctx = make()
            except AlignmentError:
                for mv in reversed(keep):
                    mv.release()
                return
        elif errors:
            _expect_raises(errors, make, f"atomicarrayview({nbytes} bytes "
                           f"at {offset}, width={width})")
            for mv in reversed(keep):
                mv.release()
            return
        else:
            ctx = make()
        region.exports += 1
        entry = Entry(None, family, width, readonly, family != "BYTES",
                      family == "INT", region.shadow, offset, region, ctx,
                      keep, length=nbytes // width)
        self._enter(entry)

    def _enter(self, entry):
        entry.obj = entry.ctx.__enter__()
        self.entries.append(entry)
        self.check_properties(entry)

    @precondition(lambda self: self.pending)
    @rule(data=st.data(), release=st.booleans())
    def enter_or_release_pending(self, data, release):
        entry = data.draw(st.sampled_from(self.pending), label="pending")
        self.pending.remove(entry)
        if not release:
            self._enter(entry)
            return
        assert entry.ctx.release() is None
        entry.ctx.release()  # harmless twice
        entry.region.exports -= 1
        _expect_raises([ValueError], entry.ctx.__enter__,
                       "entering a released context")
        entry.release_keep()
        self.closed_ctxs.append(entry.ctx)

    @rule(data=st.data(), what=st.sampled_from(
        ["not_buffer", "strided", "released", "atype", "no_signed",
         "no_integral", "ctx_positional", "ctx_unknown"]))
    def new_view_invalid(self, data, what):
        ba = bytearray(64)
        mv = memoryview(ba)
        calls = {
            "not_buffer": ([TypeError], lambda: atomics.atomicview(
                buffer=data.draw(st.sampled_from(
                    [None, 1, "abcd", 1.5, object(), [0] * 8])),
                atype=atomics.INT)),
            "strided": ([BufferError], lambda: atomics.atomicview(
                buffer=mv[::2][:8], atype=atomics.UINT)),
            "released": ([ValueError], lambda: atomics.atomicview(
                buffer=_released_memoryview(8), atype=atomics.BYTES)),
            "atype": ([TypeError], lambda: atomics.atomicview(
                buffer=ba, atype=data.draw(st.sampled_from(
                    [int, bytes, None, "INT", 3, MO])))),
            "no_signed": ([TypeError], lambda: atomics.atomicview(
                buffer=mv[:8], atype=atomics.INTEGRAL)),
            "no_integral": ([TypeError], lambda: atomics.atomicview(
                buffer=mv[:8], atype=atomics.ANY, is_signed=True)),
            "ctx_positional": ([TypeError],
                               lambda: atomics.ctx.AtomicIntViewContext(
                                   mv[:8])),
            "ctx_unknown": ([TypeError],
                            lambda: atomics.ctx.AtomicUintViewContext(
                                buffer=mv[:8], bogus=1)),
        }
        errors, call = calls[what]
        _expect_raises(errors, call, f"atomicview(): {what}")
        mv.release()
        # a failed construction keeps no export (CPython would refuse this)
        ba.append(1)
        assert len(ba) == 65

    # ----------------------------------------------------- the contexts --

    def _views(self):
        return [e for e in self.entries if e.region is not None]

    @precondition(lambda self: any(e.ctx and not e.released
                                   for e in self.entries))
    @rule(data=st.data(), how=st.sampled_from(
        ["exit", "exit_args", "misuse", "orphan"]))
    def context(self, data, how):
        entry = data.draw(st.sampled_from(
            [e for e in self.entries if e.ctx and not e.released]))
        ctx = entry.ctx
        if how == "misuse":
            _expect_raises([ValueError], ctx.__enter__, "entering twice")
            _expect_raises([ValueError], ctx.release,
                           "release() while open")
            return
        if how == "orphan":
            # a context dropped while open leaves its view working
            entry.ctx = None
            del ctx
            if not IS_CPYTHON:
                gc.collect()
            return
        if how == "exit":
            assert ctx.__exit__() is None
        else:
            assert ctx.__exit__(None, None, None) is None
        ctx.__exit__()  # harmless twice
        ctx.release()  # and release() after __exit__ too
        entry.released = True
        entry.region.exports -= 1
        entry.release_keep()
        _expect_raises([ValueError], ctx.__enter__,
                       "entering after __exit__")

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def drop(self, data):
        """Drop an owned atomic, a released view or an orphaned view (whose
        export goes back when the garbage collector frees it)."""
        candidates = [e for e in self.entries
                      if e.region is None or e.released or e.ctx is None]
        if not candidates:
            return
        entry = data.draw(st.sampled_from(candidates))
        self.entries.remove(entry)
        entry.obj = None
        if entry.region is not None and not entry.released:
            # an orphaned view: its export goes when the view is freed
            if not IS_CPYTHON:
                gc.collect()
            entry.region.exports -= 1
            _release_keep_collecting(entry)

    # ------------------------------------------------------ the buffers --

    @precondition(lambda self: any(r.kind == "small_bytearray"
                                   for r in self.regions))
    @rule(data=st.data())
    def resize_bytearray(self, data):
        region = data.draw(st.sampled_from(
            [r for r in self.regions if r.kind == "small_bytearray"]))
        if region.exports:
            if not IS_CPYTHON:
                return  # only CPython refuses; resizing would break views
            _expect_raises([BufferError], lambda: region.obj.append(0),
                           "resizing an exported bytearray")
            return
        # no export: allowed everywhere (and proves no export leaked)
        region.obj.append(0)
        del region.obj[-1]

    @precondition(lambda self: IS_CPYTHON and any(
        r.kind in ("mmap", "ro_mmap") and r.exports for r in self.regions))
    @rule(data=st.data())
    def mmap_close_refused(self, data):
        region = data.draw(st.sampled_from(
            [r for r in self.regions
             if r.kind in ("mmap", "ro_mmap") and r.exports]))
        _expect_raises([BufferError], region.obj.close,
                       "closing an exported mmap")
        assert not region.obj.closed

    @precondition(lambda self: IS_CPYTHON and any(
        r.kind == "shm" and r.exports for r in self.regions))
    @rule(data=st.data())
    def shm_close_refused(self, data):
        region = data.draw(st.sampled_from(
            [r for r in self.regions if r.kind == "shm" and r.exports]))
        _expect_raises([BufferError], region.obj.close,
                       "closing exported shared memory")

    @precondition(lambda self: any(r.kind == "shm" and not r.unlinked
                                   for r in self.regions))
    @rule(data=st.data())
    def shm_unlink(self, data):
        """Unlinking removes the name only: mapped views keep working."""
        region = data.draw(st.sampled_from(
            [r for r in self.regions if r.kind == "shm" and not r.unlinked]))
        region.obj.unlink()
        region.unlinked = True

    @precondition(lambda self: any(r.writable for r in self.regions))
    @rule(data=st.data())
    def plain_write(self, data):
        """Write memory directly: the atomics must see it."""
        region = data.draw(st.sampled_from(
            [r for r in self.regions if r.writable]))
        start = data.draw(st.integers(0, min(region.size, 128) - 1))
        size = data.draw(st.integers(1, min(region.size - start, 24)))
        region.write(start, data.draw(st.binary(min_size=size,
                                                max_size=size)))

    # --------------------------------------------------- the operations --

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def operation(self, data):
        entry = data.draw(st.sampled_from(self.entries), label="entry")
        opname = data.draw(st.sampled_from(ALL_OPS), label="op")
        if entry.kind() is None or opname not in ops_of(entry.kind()):
            assert not hasattr(entry.obj, opname), opname
            return
        index, element, element_errors = [], None, set()
        if entry.length is not None:
            raw = data.draw(element_index(entry.length), label="element")
            element, element_errors = oracle.classify_element(entry, raw)
            index = [raw]
        current = (entry.model(element).value if entry.length != 0 else
                   Model(entry.family, entry.width).value)
        args, kwargs = draw_call(data, entry.family, entry.width, opname,
                                 current)
        call = oracle.expect_call(entry, opname, args, kwargs,
                                  element_errors)
        method = getattr(entry.obj, opname)
        what = f"{entry!r}.{opname}{describe(index + args, kwargs)}"
        if call.errors:
            _expect_raises(call.errors,
                           lambda: method(*index, *args, **kwargs), what)
            return
        got = method(*index, *args, **kwargs)
        oracle.judge(entry, opname, call, got, element, what)

    @precondition(lambda self: self.entries)
    @rule(data=st.data(), timeout=st.sampled_from([0, 0, 0, 0.001]))
    def wait_and_notify(self, data, timeout):
        entry = data.draw(st.sampled_from(self.entries), label="entry")
        if entry.family == "ANY":
            assert not hasattr(entry.obj, "wait")
            return
        index = []  # an array's element index argument, else nothing
        element, index_errors = None, set()
        if entry.length is not None:
            raw = data.draw(element_index(entry.length), label="element")
            element, index_errors = oracle.classify_element(entry, raw)
            index = [raw]
        current = (entry.model(element).value if entry.length != 0
                   else Model(entry.family, entry.width).value)
        old = data.draw(operand(entry.family, entry.width, current),
                        label="old")
        value, old_errors = oracle.classify(entry, "old", old)
        released = {ValueError} if entry.released else set()
        errors = old_errors | index_errors | released
        obj = entry.obj
        if errors:
            _expect_raises(errors,
                           lambda: obj.wait(*index, old, timeout=timeout),
                           f"{entry!r}.wait({index!r}, {old!r})")
        else:
            assert obj.wait(*index, old, timeout=timeout) is (
                value != current)
        for notify in (obj.notify_one, obj.notify_all):
            if released or index_errors:
                _expect_raises(released | index_errors,
                               lambda: notify(*index), "notify")
            else:
                assert notify(*index) is None

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def special_methods(self, data):
        entry = data.draw(st.sampled_from(self.entries), label="entry")
        obj = entry.obj
        if entry.length is None:
            assert bool(obj) is True  # always truthy
        elif not entry.released:
            assert bool(obj) is (entry.length > 0)  # a container
        assert obj == obj and not (obj != obj) and obj != object()
        assert hash(obj) == hash(obj)
        assert type(obj).__name__ in repr(obj)  # repr always works
        bads = [lambda: obj + 1, lambda: obj < obj, lambda: -obj,
                lambda: copy.copy(obj), lambda: copy.deepcopy(obj)]
        if not entry.shared:  # shared atomics pickle
            bads.append(lambda: pickle.dumps(obj))
        for bad in bads:
            _expect_raises([TypeError], bad, "a special method")

        def augmented():
            x = obj
            x += 1

        _expect_raises([TypeError], augmented, "+= on an atomic")
        _expect_raises([AttributeError], lambda: setattr(obj, "width", 1),
                       "setting a property")
        if entry.released:
            uses = [lambda: obj.width, lambda: obj.readonly,
                    lambda: obj.ops_supported, lambda: str(obj)]
            if entry.length is not None:
                uses.append(lambda: len(obj))
            elif entry.family in ("INT", "UINT"):
                uses += [lambda: obj.signed, lambda: int(obj)]
            elif entry.family == "BYTES":
                uses.append(lambda: bytes(obj))
            for use in uses:
                _expect_raises([ValueError], use, "use after release")
            return
        self.check_properties(entry)

    def check_properties(self, entry):
        """The oracle's checks, and the conversions: int() of integral
        atomics, bytes() of BYTES ones, neither of anything else."""
        oracle.check_properties(entry)
        obj = entry.obj
        if entry.length is None and entry.family in ("INT", "UINT"):
            value = entry.model().value
            assert int(obj) == value and type(int(obj)) is int
            _expect_raises([TypeError], lambda: bytes(obj), "bytes(int)")
        elif entry.length is None and entry.family == "BYTES":
            assert bytes(obj) == entry.model().value
            _expect_raises([TypeError], lambda: int(obj), "int(bytes)")
        elif entry.length is None:
            assert str(obj).startswith(f"{type(obj).__name__}(")
        else:
            for conversion in (int, bytes):
                _expect_raises([TypeError], lambda: conversion(obj),
                               f"{conversion.__name__}() of an array")

    # ------------------------------------------------------- invariants --

    @invariant()
    def values_match_model(self):
        oracle.check_values(self.entries)

    @invariant()
    def memory_matches_model(self):
        for region in self.regions:
            raw = region.raw()
            if raw != region.shadow:
                diff = [i for i in range(len(raw))
                        if raw[i] != region.shadow[i]]
                raise AssertionError(f"{region!r}: bytes {diff[:16]} differ "
                                     f"from the model")

    # --------------------------------------------------------- teardown --

    def teardown(self):
        for entry in self.pending:
            entry.ctx.release()
            entry.region.exports -= 1
            entry.release_keep()
        for entry in self.entries:
            if entry.ctx is not None and not entry.released:
                entry.ctx.__exit__()
                entry.region.exports -= 1
                entry.release_keep()
        orphans = [e for e in self.entries
                   if e.region is not None and e.ctx is None
                   and not e.released]
        for entry in self.entries:
            entry.obj = None
        if orphans and not IS_CPYTHON:
            gc.collect()
        for entry in orphans:
            entry.region.exports -= 1
            _release_keep_collecting(entry)
        self.entries, self.pending = [], []
        for region in self.regions:
            assert region.exports == 0, region
            if region.kind == "small_bytearray":
                # CPython: BufferError if an export leaked
                _collecting(lambda: region.obj.append(0))
            _collecting(region.close)
        self.regions = []


def _collecting(action):
    """action(); if it fails with BufferError (something still exports the
    memory), collect garbage once and try again: an object kept alive only
    by a reference cycle is not a leak."""
    try:
        action()
    except BufferError:
        gc.collect()
        action()


def _release_keep_collecting(entry):
    _collecting(entry.release_keep)


@pytest.mark.isolated
def test_api_state_machine():
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if SHRINK:
        phases.append(Phase.shrink)
    try:
        run_state_machine_as_test(
            ApiMachine, settings=settings(
                max_examples=EXAMPLES, stateful_step_count=STEPS,
                deadline=None, database=None, phases=phases))
    except BaseException as exc:
        # The failing steps' frames hold atomics; shared ones unlink their
        # /dev/shm segment only when collected, and this runs in a forked
        # child that exits without running finalizers: let them go first.
        _clear_frames(exc, set())
        raise
    finally:
        for _ in range(3):  # PyPy runs finalizers a collection later
            gc.collect()


def _clear_frames(exc, seen):
    if exc is None or id(exc) in seen:
        return
    seen.add(id(exc))
    traceback.clear_frames(exc.__traceback__)
    for inner in getattr(exc, "exceptions", ()):
        _clear_frames(inner, seen)
    _clear_frames(exc.__cause__, seen)
    _clear_frames(exc.__context__, seen)


# ------------------------------------------------- findings, pinned down --
#
# Minimal reproducers of what the machine (and scripts/fuzz.py) found, as
# plain tests.


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("value", [-1, "max+1", 2**200],
                         ids=["-1", "max+1", "2**200"])
def test_index_object_out_of_range_unsigned(width, value):
    """An out-of-range operand is an OverflowError, whether it is an int or
    an object with __index__ (README "Bad input"), on UINT too."""
    a = atomics.atomic(width=width, atype=atomics.UINT)
    a.store(7)
    if value == "max+1":
        value = 2**(8 * width)
    for obj in (value, HasIndex(value)):
        for call in (lambda: a.store(obj), lambda: a.fetch_add(obj),
                     lambda: a.cmpxchg_strong(obj, 1),
                     lambda: a.wait(obj, timeout=0)):
            with pytest.raises(OverflowError):
                call()
            assert a.load() == 7


@pytest.mark.parametrize("how", ["owned", "view"])
def test_no_instance_dict(how):
    """README: atomic objects have no __dict__ (so no stray attributes)."""
    ba = bytearray(8)
    ctx = atomics.atomicview(buffer=ba, atype=atomics.UINT)
    a = (atomics.atomic(width=8, atype=atomics.INT) if how == "owned"
         else ctx.__enter__())
    try:
        with pytest.raises(AttributeError):
            a.spam = 1
        with pytest.raises(AttributeError):
            a.width = 1
        # (PyPy's and GraalPy's HPy objects have one)
        if sys.implementation.name == "cpython":
            assert not hasattr(a, "__dict__")
    finally:
        ctx.__exit__()


@pytest.mark.parametrize("width,error", [
    (0, UnsupportedWidthException), (3, UnsupportedWidthException),
    (-1, ValueError), (2**64, OverflowError), (2**70, OverflowError),
    (1.0, TypeError)], ids=["0", "3", "-1", "2**64", "2**70", "1.0"])
@pytest.mark.parametrize("how", ["atomic", "atomicarray", "atomicarrayview"])
def test_width_checks_agree(how, width, error):
    """README "Bad input": a width without operations (0 among them) is
    UnsupportedWidthException, one >= 2**64 OverflowError -- for
    atomicarrayview() as for atomic() and atomicarray()."""
    make = {
        "atomic": lambda: atomics.atomic(width=width, atype=atomics.INT),
        "atomicarray": lambda: atomics.atomicarray(2, width, atomics.INT),
        "atomicarrayview": lambda: atomics.atomicarrayview(
            buffer=bytearray(16), width=width, atype=atomics.INT),
    }[how]
    with pytest.raises(error):
        make()


@pytest.mark.parametrize("how", ["atomicarray", "shared", "bytearray",
                                 "memoryview", "bytes", "misaligned"])
def test_empty_arrays(how):
    """An array of no elements (an empty buffer, or length 0) is an empty
    array on every interpreter, like atomicarray(0, ...) is."""
    ctx = None
    if how == "atomicarray":
        arr = atomics.atomicarray(0, 8, atomics.UINT)
    elif how == "shared":
        arr = atomics.atomicarray(0, 8, atomics.UINT, shared=True)
    else:
        # (an empty slice at an odd address: nothing there to misalign)
        buf = {"bytearray": bytearray(), "bytes": b"",
               "memoryview": memoryview(bytearray(16))[:0],
               "misaligned": memoryview(bytearray(16))[3:3]}[how]
        ctx = atomics.atomicarrayview(buffer=buf, width=8, atype=atomics.UINT)
        arr = ctx.__enter__()
    assert len(arr) == 0
    with pytest.raises(IndexError):
        arr.load(0)
    if ctx is not None:
        ctx.__exit__()
