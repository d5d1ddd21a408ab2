"""Atomic arrays: atomicarray() / atomicarrayview(), indexed operations."""

import pickle
import sys

import pytest

import atomics
from atomics.array import (AtomicArray, AtomicBytesArray, AtomicIntArray,
                           AtomicUintArray)

from .model import Model
from .utils import (WIDTHS, BadIndex, HasIndex, MyInt, aligned_slice,
                    truncating_numbers)

MO = atomics.MemoryOrder


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("atype,cls", [(atomics.INT, AtomicIntArray),
                                       (atomics.UINT, AtomicUintArray)])
def test_integral_elements_are_independent(width, atype, cls):
    arr = atomics.atomicarray(5, width, atype)
    assert type(arr) is cls and isinstance(arr, AtomicArray)
    assert len(arr) == 5 and arr.width == width
    kind = "INT" if atype is atomics.INT else "UINT"
    models = [Model(kind, width) for _ in range(5)]
    for i in range(5):
        arr.store(i, i + 1)
        models[i].apply("store", i + 1)
    assert arr.fetch_add(2, 10) == models[2].apply("fetch_add", 10)
    arr.dec(0)
    models[0].apply("dec")
    assert arr.exchange(4, 7) == models[4].apply("exchange", 7)
    arr.neg(1)
    models[1].apply("neg")
    assert [arr.load(i) for i in range(5)] == [m.value for m in models]


def test_negative_index_and_bounds():
    arr = atomics.atomicarray(3, 4, atomics.INT)
    arr.store(-1, 9)
    assert arr.load(2) == 9
    assert arr.load(-3) == arr.load(0) == 0
    for bad in (3, -4, 2**70, -2**70):
        with pytest.raises(IndexError):
            arr.load(bad)
        with pytest.raises(IndexError):
            arr.store(bad, 1)
    with pytest.raises(TypeError):
        arr.load(1.0)
    with pytest.raises(TypeError):
        arr.load()
    assert [arr.load(i) for i in range(3)] == [0, 0, 9]


def test_index_objects():
    """Any integer-like index works, as in a list; others are TypeErrors
    that leave every element alone."""
    arr = atomics.atomicarray(4, 8, atomics.UINT)
    arr.store(HasIndex(2), 5)
    arr.fetch_add(MyInt(-2), 1)
    arr.inc(True)
    assert [arr.load(i) for i in range(4)] == [0, 1, 6, 0]
    assert arr.load(HasIndex(-1)) == 0
    with pytest.raises(IndexError):
        arr.load(HasIndex(4))
    for bad in [BadIndex(), "1", None, 1.0, b"\x01"] + truncating_numbers():
        with pytest.raises(TypeError):
            arr.store(bad, 7)
        with pytest.raises(TypeError):
            arr.cmpxchg_strong(bad, 0, 7)
    assert [arr.load(i) for i in range(4)] == [0, 1, 6, 0]
    with pytest.raises(TypeError):
        arr.load(i=0)  # the index is positional only
    with pytest.raises(TypeError):
        atomics.atomicarray(truncating_numbers()[0], 8, atomics.INT)


def test_cmpxchg_and_orders():
    arr = atomics.atomicarray(2, 8, atomics.UINT)
    res = arr.cmpxchg_strong(1, expected=0, desired=5, success=MO.ACQ_REL,
                             failure=MO.ACQUIRE)
    assert res.success and res.expected == 0 and arr.load(1) == 5
    ok, current = arr.cmpxchg_weak(1, 0, 6)
    assert not ok and current == 5
    with pytest.raises(atomics.exc.MemoryOrderError):
        arr.load(0, MO.RELEASE)
    assert arr.load(1, order=MO.ACQUIRE) == 5


def test_bytes_array():
    arr = atomics.atomicarray(3, 2, atomics.BYTES)
    assert type(arr) is AtomicBytesArray
    arr.store(1, b"ab")
    assert arr.load(1) == b"ab" and arr.load(0) == b"\0\0"
    assert arr.bin_fetch_or(1, b"\x01\x00") == b"ab"
    with pytest.raises(ValueError):
        arr.store(0, b"abc")
    assert not hasattr(arr, "fetch_add")


def test_zero_length_and_errors():
    arr = atomics.atomicarray(0, 8, atomics.INT)
    assert len(arr) == 0
    with pytest.raises(IndexError):
        arr.load(0)
    with pytest.raises(ValueError):
        atomics.atomicarray(-1, 8, atomics.INT)
    with pytest.raises(atomics.exc.UnsupportedWidthException):
        atomics.atomicarray(4, 3, atomics.INT)
    with pytest.raises(TypeError):
        atomics.atomicarray(4, 8, int)


@pytest.mark.parametrize("width", WIDTHS)
def test_arrayview_over_buffer(width):
    backing, mv = aligned_slice(width * 4)
    ctx = atomics.atomicarrayview(buffer=mv, width=width, atype=atomics.UINT)
    with ctx as arr:
        assert len(arr) == 4
        arr.store(3, 1)
        arr.fetch_add(0, 2)
        assert bytes(mv[:width]) == (2).to_bytes(width, sys.byteorder)
        assert bytes(mv[3 * width:]) == (1).to_bytes(width, sys.byteorder)
    with pytest.raises(ValueError, match="released"):
        arr.load(0)
    with pytest.raises(ValueError, match="released"):
        len(arr)
    mv.release()


def test_arrayview_checks():
    backing, mv = aligned_slice(12)
    with pytest.raises(ValueError, match="whole number"):
        atomics.atomicarrayview(buffer=mv, width=8, atype=atomics.INT)
    backing, mv = aligned_slice(16, offset=4)
    with pytest.raises(atomics.exc.AlignmentError):
        atomics.atomicarrayview(buffer=mv, width=8, atype=atomics.INT)
    with pytest.raises(TypeError):
        atomics.atomicarrayview(buffer=12, width=8, atype=atomics.INT)
    with atomics.atomicarrayview(buffer=bytes(16), width=8,
                                 atype=atomics.INT) as arr:
        assert arr.readonly and arr.load(1) == 0
        with pytest.raises(atomics.exc.UnsupportedOperationException):
            arr.store(1, 5)


def test_private_arrays_do_not_pickle():
    with pytest.raises(TypeError, match="shared=True"):
        pickle.dumps(atomics.atomicarray(2, 8, atomics.INT))
