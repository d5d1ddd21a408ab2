"""Every operation x width x atype x memory source, against the model."""

import sys

import pytest

import atomics

from .model import Model
from .utils import (ARITH_OPS, ATYPES, CMPXCHG_OPS, COMMON_OPS, INDEX_OPS,
                    NOARG_OPS, SOURCES, WIDTHS, make_atomic,
                    ops_for, writable_buffer)

CASES = [pytest.param(source, atype, width, op,
                      id=f"{source}-{atype}{width}-{op}")
         for source in SOURCES for atype in ATYPES for width in WIDTHS
         for op in ops_for(atype)]


def arg_lists(opname, model):
    """Operand tuples to try for `opname` (before the order argument)."""
    edges = model.edge_values()
    if opname in NOARG_OPS:
        return [()]
    if opname in INDEX_OPS:
        return [(i,) for i in model.bit_indices()]
    if opname in CMPXCHG_OPS:
        return None  # depends on the current value: see below
    return [(v,) for v in edges]


def check_result(kind, opname, got, want):
    """`got` (from atomics) equals `want` (from the model), exact types."""
    if opname in CMPXCHG_OPS:
        assert type(got) is atomics.CmpxchgResult
        assert got.success is want[0]
        assert type(got.expected) is (bytes if kind == "BYTES" else int)
        assert got.expected == want[1]
    elif want is None:
        assert got is None
    elif opname in INDEX_OPS:
        assert type(got) is bool
        assert got is want
    else:
        assert type(got) is (bytes if kind == "BYTES" else int)
        assert got == want


def run_op(a, model, opname, args):
    want = model.apply(opname, *args)
    got = getattr(a, opname)(*args)
    if opname == "cmpxchg_weak":
        # may fail spuriously: retry while it reports failure with an
        # unchanged, matching value
        tries = 0
        while want[0] and not got.success and got.expected == args[0] \
                and tries < 1000:
            got = getattr(a, opname)(*args)
            tries += 1
    check_result(model.kind, opname, got, want)


@pytest.mark.parametrize("source,kind,width,opname", CASES)
def test_op_matches_model(source, kind, width, opname):
    with make_atomic(source, ATYPES[kind], width) as a:
        model = Model(kind, width)
        assert a.load() == model.value  # zero-initialised / fresh buffer
        for initial in model.edge_values():
            if opname in CMPXCHG_OPS:
                others = model.edge_values()[::2]
                args_list = ([(initial, o) for o in others] +
                             [(o, initial) for o in others if o != initial])
            else:
                args_list = arg_lists(opname, model)
            for args in args_list:
                a.store(initial)
                model.bits = model.encode(initial)
                run_op(a, model, opname, args)
                assert a.load() == model.value, (initial, args)


# ------------------------------------------------------- wraparound edges --

INTEGRAL_WIDTHS = [pytest.param(k, w, id=f"{k}{w}") for k in ("INT", "UINT")
                   for w in WIDTHS]


def limits(kind, width):
    bits = 8 * width
    if kind == "INT":
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


@pytest.mark.parametrize("kind,width", INTEGRAL_WIDTHS)
def test_add_wraps_at_max(kind, width):
    lo, hi = limits(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(hi)
    a.inc()
    assert a.load() == lo
    a.store(hi)
    assert a.fetch_add(1) == hi
    assert a.load() == lo
    a.store(hi)
    a.add(hi)
    assert a.load() == (hi + hi - (1 << 8 * width) if kind == "UINT"
                        else -2)


@pytest.mark.parametrize("kind,width", INTEGRAL_WIDTHS)
def test_sub_wraps_at_min(kind, width):
    lo, hi = limits(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(lo)
    a.dec()
    assert a.load() == hi
    a.store(lo)
    assert a.fetch_sub(1) == lo
    assert a.load() == hi
    a.store(lo)
    a.sub(1)
    assert a.load() == hi


@pytest.mark.parametrize("kind,width", INTEGRAL_WIDTHS)
def test_neg_wraps(kind, width):
    lo, hi = limits(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    if kind == "INT":
        a.store(lo)
        a.neg()
        assert a.load() == lo  # neg(INT_MIN) == INT_MIN
        a.store(hi)
        assert a.fetch_neg() == hi
        assert a.load() == -hi
    else:
        a.store(1)
        a.neg()
        assert a.load() == hi  # UINT neg(1) == max
        assert a.fetch_neg() == hi
        assert a.load() == 1
    a.store(0)
    a.neg()
    assert a.load() == 0


@pytest.mark.parametrize("kind,width", INTEGRAL_WIDTHS)
def test_sign_bit_is_top_bit(kind, width):
    lo, hi = limits(kind, width)
    top = 8 * width - 1
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(-1 if kind == "INT" else hi)
    assert all(a.bit_test(i) for i in range(8 * width))
    a.store(0)
    assert a.bit_test_set(top) is False
    assert a.load() == (lo if kind == "INT" else 1 << top)
    assert a.bit_test_reset(top) is True
    assert a.load() == 0
    assert a.bit_test_compl(0) is False
    assert a.load() == 1


@pytest.mark.parametrize("kind,width", INTEGRAL_WIDTHS)
def test_bin_not_is_ones_complement(kind, width):
    lo, hi = limits(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.bin_not()
    assert a.load() == (-1 if kind == "INT" else hi)
    assert a.bin_fetch_not() == (-1 if kind == "INT" else hi)
    assert a.load() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_bytes_bit_index_is_bit_of_byte(width):
    """BYTES bit i is bit i of the value read as a native integer, as for
    INT and UINT: bit i % 8 of byte i // 8 on a little-endian machine, of
    byte width - 1 - i // 8 on a big-endian one."""
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    for i in range(8 * width):
        a.store(bytes(width))
        assert a.bit_test_set(i) is False
        expected = bytearray(width)
        byte = i // 8 if sys.byteorder == "little" else width - 1 - i // 8
        expected[byte] = 1 << (i % 8)
        assert a.load() == bytes(expected)
        assert a.bit_test(i) is True
        assert sum(a.bit_test(j) for j in range(8 * width)) == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_bytes_bitwise_ops_are_bytewise(width):
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    x = bytes(range(0x10, 0x10 + width))
    y = bytes(range(0xF0, 0xF0 - width, -1))
    a.store(x)
    assert a.bin_fetch_xor(y) == x
    assert a.load() == bytes(p ^ q for p, q in zip(x, y))
    a.store(x)
    a.bin_and(y)
    assert a.load() == bytes(p & q for p, q in zip(x, y))
    a.store(x)
    a.bin_or(y)
    assert a.load() == bytes(p | q for p, q in zip(x, y))
    a.store(x)
    a.bin_not()
    assert a.load() == bytes(0xFF ^ p for p in x)


def test_bytes_has_no_arithmetic():
    for width in WIDTHS:
        a = atomics.atomic(width=width, atype=atomics.BYTES)
        for name in ARITH_OPS:
            assert not hasattr(a, name), name
        for name in COMMON_OPS:
            assert callable(getattr(a, name)), name


def test_bit_method_names():
    """The bit methods are bit_test_*, not the README's bit_compl etc."""
    a = atomics.atomic(width=4, atype=atomics.UINT)
    for name in ("bit_compl", "bit_set", "bit_reset"):
        assert not hasattr(a, name)


# ----------------------------------------- views agree on the same memory --

VIEW_CASES = [pytest.param(s, w, id=f"{s}-{w}")
              for s in ("bytearray", "mmap", "shm") for w in WIDTHS]


@pytest.mark.parametrize("source,width", VIEW_CASES)
def test_int_uint_bytes_views_agree(source, width):
    bits = 8 * width
    with writable_buffer(source, width) as buf:
        with atomics.atomicview(buffer=buf, atype=atomics.INT) as i, \
                atomics.atomicview(buffer=buf, atype=atomics.UINT) as u, \
                atomics.atomicview(buffer=buf, atype=atomics.BYTES) as b:
            for value in (-1, -2, 1, -(1 << (bits - 1)), (1 << (bits - 1)) - 1,
                          0x0123456789ABCDEF0FEDCBA987654321 % (1 << bits)
                          - (1 << (bits - 1))):
                i.store(value)
                raw = value.to_bytes(width, sys.byteorder, signed=True)
                assert bytes(buf) == raw  # native byte order in memory
                assert b.load() == raw
                assert u.load() == value % (1 << bits)
                assert i.load() == value
            u.fetch_add(1)
            assert i.load() == int.from_bytes(bytes(buf), sys.byteorder,
                                              signed=True)
            b.store(b"\x80" + bytes(width - 1))
            assert u.load() == int.from_bytes(b"\x80" + bytes(width - 1),
                                              sys.byteorder)
            # writes to the buffer itself are seen by the views
            buf[0:width] = b"\x01" * width
            assert u.load() == int.from_bytes(b"\x01" * width, sys.byteorder)
            assert b.load() == b"\x01" * width


@pytest.mark.parametrize("source,width", VIEW_CASES)
def test_view_writes_reach_buffer(source, width):
    with writable_buffer(source, width) as buf:
        with atomics.atomicview(buffer=buf, atype=atomics.UINT) as a:
            a.store(0xA5)
            assert bytes(buf) == (0xA5).to_bytes(width, sys.byteorder)
            a.bit_test_set(8 * width - 1)
            assert buf[(width - 1) if sys.byteorder == "little" else 0] \
                & 0x80
