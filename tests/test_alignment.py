"""Alignment: the class API, and AlignmentError from atomicview()."""

import mmap

import pytest

import atomics
from atomics import Alignment
from atomics.exc import AlignmentError, UnsupportedWidthException

from .utils import (ATYPES, IS_CPYTHON, READONLY_WIDTHS, UNSUPPORTED_WIDTHS,
                    WIDTHS, address_of, aligned_slice, file_mmap)


@pytest.mark.parametrize("width", WIDTHS)
def test_alignment_attributes(width):
    for align in (Alignment(width), Alignment(width=width)):
        assert align.width == width
        assert align.recommended == width
        assert align.minimum == width  # 1.0.2 said 1
        assert align.size_within == 0
        assert str(align) == (f"Alignment(width={width}, recommended={width},"
                              f" minimum={width}, size_within=0)")


def test_alignment_equality_is_identity():
    a, b = Alignment(4), Alignment(4)
    assert a == a
    assert a != b


@pytest.mark.parametrize("width", UNSUPPORTED_WIDTHS)
def test_alignment_unsupported_width(width):
    with pytest.raises(UnsupportedWidthException) as info:
        Alignment(width)
    assert info.value.width == width
    assert info.value.readonly is False


def test_alignment_negative_width():
    with pytest.raises(ValueError):
        Alignment(-4)


def test_alignment_width_beyond_size_t():
    """The same errors as atomic(width=...): OverflowError past 64 bits,
    UnsupportedWidthException for any unsupported width below that."""
    for width in (2**64, 2**100):
        with pytest.raises(OverflowError, match="size_t"):
            Alignment(width)
        with pytest.raises(OverflowError, match="size_t"):
            atomics.atomic(width=width, atype=atomics.INT)
    with pytest.raises(UnsupportedWidthException):
        Alignment(2**64 - 1)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 4, 7, 8, 12])
def test_is_valid_on_slices(width, offset):
    align = Alignment(width)
    backing, mv = aligned_slice(width, offset)
    ok = offset % width == 0
    assert align.is_valid(mv) is ok
    assert align.is_valid(mv, using_recommended=True) is ok
    assert align.is_valid_recommended(mv) is ok
    # minimum == width: the same answer (1.0.2 said True for any address)
    assert align.is_valid(mv, using_recommended=False) is ok
    assert align.is_valid_minimum(mv) is ok
    # no export is kept: the slice can be released, the bytearray resized
    mv.release()
    backing.append(0)


def test_readme_alignment_example():
    buf = bytearray(8)
    align = Alignment(len(buf))
    if address_of(buf) % 8 == 0:
        assert align.is_valid(buf)
    else:
        assert not align.is_valid(buf)


def test_is_valid_readonly_buffers(tmp_path):
    align = Alignment(4)
    _, good = aligned_slice(4)
    _, bad = aligned_slice(4, 2)
    assert align.is_valid(good.toreadonly()) is True
    assert align.is_valid(bad.toreadonly()) is False
    m = file_mmap(tmp_path, bytes(4096))
    try:
        mv = memoryview(m)
        assert align.is_valid(mv[0:4]) is True
        assert align.is_valid(mv[1:5]) is False
        assert align.is_valid(mv[4:8]) is True
        mv.release()
    finally:
        m.close()


def test_is_valid_using_recommended_is_keyword_only():
    _, mv = aligned_slice(4)
    with pytest.raises(TypeError):
        Alignment(4).is_valid(mv, True)


@pytest.mark.parametrize("method", ["is_valid", "is_valid_recommended",
                                    "is_valid_minimum"])
def test_is_valid_bad_buffers(method):
    align = Alignment(4)
    for bad in (1234, "abcd", None, [0, 0, 0, 0]):
        with pytest.raises(TypeError) as info:
            getattr(align, method)(bad)
        assert str(info.value) == ("Positional argument 'buffer' must "
                                   "support the buffer protocol.")
    for size in (0, 1, 3, 5, 8):
        with pytest.raises(ValueError) as info:
            getattr(align, method)(bytearray(size))
        assert str(info.value) == ("Positional argument 'buffer' does not "
                                   "have matching width of 4.")
    with pytest.raises((BufferError, TypeError, ValueError)):
        getattr(align, method)(memoryview(bytearray(8))[::2])


# ------------------------------------------------------- AlignmentError --

MISALIGNED = [pytest.param(w, off, k, id=f"{k}{w}+{off}")
              for w in WIDTHS if w > 1 for off in range(1, min(w, 4) + 1)
              if off % w for k in ATYPES]


@pytest.mark.parametrize("width,offset,kind", MISALIGNED)
def test_misaligned_memoryview_slice(width, offset, kind):
    backing, mv = aligned_slice(width, offset)
    address = address_of(mv)
    with pytest.raises(AlignmentError) as info:
        atomics.atomicview(buffer=mv, atype=ATYPES[kind])
    err = info.value
    assert err.width == width
    assert err.address == address
    assert err.using_recommended is True
    assert str(err) == (f"The alignment of address {hex(address)} does not "
                        f"meet the recommended alignment requirements for "
                        f"atomic operations on objects with a width of "
                        f"{width}.")
    # a failed construction leaves no export behind
    mv.release()
    backing.append(0)


def test_example_from_brief():
    ba = bytearray(16)
    mv = memoryview(ba)
    base = address_of(ba)
    offset = 1 if base % 4 == 0 else (4 - base % 4) + 1
    part = mv[offset:offset + 4]
    with pytest.raises(AlignmentError) as info:
        atomics.atomicview(buffer=part, atype=atomics.INT)
    assert info.value.address == base + offset
    part.release()
    mv.release()
    if IS_CPYTHON:
        ba.extend(b"xx")  # resizable: nothing exported


@pytest.mark.parametrize("width", [w for w in WIDTHS if w > 1])
@pytest.mark.parametrize("readonly", [False, True], ids=["rw", "ro"])
def test_misaligned_mmap_slice(tmp_path, width, readonly):
    if readonly and width not in READONLY_WIDTHS:
        pytest.skip(f"no read-only ops for width {width} on this CPU")
    if readonly:
        m = file_mmap(tmp_path, bytes(4096))
    else:
        m = mmap.mmap(-1, 4096)
    mv = memoryview(m)
    addresses = []
    try:
        for offset in (1, width + 1):
            part = mv[offset:offset + width]
            with pytest.raises(AlignmentError) as info:
                atomics.atomicview(buffer=part, atype=atomics.UINT)
            part.release()
            assert info.value.width == width
            assert info.value.using_recommended is True
            # an mmap starts on a page boundary
            assert (info.value.address - offset) % mmap.PAGESIZE == 0
            addresses.append(info.value.address)
        assert addresses[1] - addresses[0] == width
        # aligned slices of the same mmap are fine
        part = mv[width:2 * width]
        with atomics.atomicview(buffer=part, atype=atomics.UINT) as a:
            assert a.readonly is readonly
            assert a.load() == 0
        part.release()
    finally:
        mv.release()
        m.close()  # BufferError if an export leaked


def test_owned_atomics_are_always_aligned():
    for width in WIDTHS:
        for _ in range(20):
            a = atomics.atomic(width=width, atype=atomics.UINT)
            a.store(5)
            assert a.load() == 5
