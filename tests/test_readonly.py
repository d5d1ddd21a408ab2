"""Readonly buffers give readonly views: only LOAD and BIT_TEST."""

import mmap
import sys

import pytest

import atomics
from atomics.exc import UnsupportedOperationException, UnsupportedWidthException

from .model import Model
from .utils import (ATYPES, CMPXCHG_OPS, HAS_READONLY_16, INDEX_OPS,
                    INTEGRAL_OPS, OP, OPERAND_OPS, READ_OPS, READONLY_WIDTHS,
                    WIDTHS, aligned_slice, file_mmap, ops_for)

READONLY_KINDS = ["bytes", "toreadonly", "mmap_read"]


def readonly_buffer(kind, data, tmp_path):
    if kind == "bytes":
        # a bytes object's data is not always aligned (PyPy): pick one that
        # is, among several copies
        candidates = [bytes(bytearray(data)) for _ in range(64)]
        for b in candidates:
            if atomics.Alignment(len(data)).is_valid(b):
                return b, lambda: None
        pytest.skip(f"{sys.implementation.name} gave no bytes object with "
                    f"{len(data)}-aligned data")
    if kind == "toreadonly":
        _, mv = aligned_slice(len(data))
        mv[:] = data
        ro = mv.toreadonly()
        return ro, lambda: (ro.release(), mv.release())
    m = file_mmap(tmp_path, data, mmap.ACCESS_READ)
    return m, m.close


def sample(width):
    return bytes((0x81 + 7 * i) & 0xFF for i in range(width))


def mutating_args(opname, model):
    if opname in READ_OPS:
        return None
    if opname in CMPXCHG_OPS:
        return (model.value, model.value)
    if opname in INDEX_OPS:
        return (0,)
    if opname in OPERAND_OPS:
        return (model.decode(1),)
    return ()


CASES = [pytest.param(k, w, kind, id=f"{kind}-{k}{w}")
         for k in ATYPES for w in READONLY_WIDTHS for kind in READONLY_KINDS]


@pytest.mark.isolated
@pytest.mark.parametrize("kind,width,bufkind", CASES)
def test_readonly_view(tmp_path, kind, width, bufkind):
    data = sample(width)
    buf, cleanup = readonly_buffer(bufkind, data, tmp_path)
    model = Model(kind, width, int.from_bytes(data, sys.byteorder))
    try:
        with atomics.atomicview(buffer=buf, atype=ATYPES[kind]) as a:
            assert a.readonly is True
            assert a.width == width
            assert a.ops_supported == [OP.LOAD, OP.BIT_TEST]
            assert a.load() == model.value
            if kind == "BYTES":
                assert a.load() == data
                assert bytes(a) == data
            else:
                assert int(a) == model.value
            for i in range(8 * width):
                assert a.bit_test(i) is model.apply("bit_test", i)
            for opname in ops_for(kind):
                args = mutating_args(opname, model)
                if args is None:
                    continue
                with pytest.raises(UnsupportedOperationException) as info:
                    getattr(a, opname)(*args)
                err = info.value
                assert err.optype is INTEGRAL_OPS[opname]
                assert err.width == width
                assert err.readonly is True
                assert str(err) == (f"Operation {err.optype.name} is not "
                                    f"supported on readonly objects with a "
                                    f"width of {width}.")
                assert a.load() == model.value
    finally:
        cleanup()


@pytest.mark.isolated
def test_readonly_width_16_needs_atomic_loads():
    """A readonly 16-byte view exists exactly when a 16-byte load that never
    writes is atomic (x86_64 with AVX, aarch64 with LSE2, s390x); otherwise
    it is an unsupported width."""
    assert (16 in READONLY_WIDTHS) == HAS_READONLY_16
    if 16 in READONLY_WIDTHS:
        assert 16 in WIDTHS
    else:
        with pytest.raises(UnsupportedWidthException) as info:
            with atomics.atomicview(buffer=bytes(16), atype=atomics.INT):
                pass
        assert info.value.width == 16
        assert info.value.readonly is True


def test_writable_view_of_readonly_mmap_copy_is_writable(tmp_path):
    """ACCESS_COPY and ACCESS_WRITE mmaps are writable buffers."""
    for access in (mmap.ACCESS_COPY, mmap.ACCESS_WRITE):
        m = file_mmap(tmp_path, bytes(8), access)
        try:
            with atomics.atomicview(buffer=m, atype=atomics.INT) as a:
                assert a.readonly is False
                a.store(-3)
                assert a.load() == -3
        finally:
            m.close()
