"""Bad input: the documented exception, never a crash, value unchanged."""

import array
import enum
import sys

import pytest

import atomics
from atomics.exc import OperandTypeError

from .model import Model
from .utils import (ATYPES, CMPXCHG_OPS, COMMON_OPS, INDEX_OPS, MO,
                    NOARG_OPS, OPERAND_NAME, OPERAND_OPS, WIDTHS, HasIndex,
                    MyInt, cmpxchg_kw, make_atomic, ops_for,
                    truncating_numbers)


class Color(enum.IntEnum):
    RED = 1
    BLUE = 6


class FloatLike:
    def __float__(self):
        return 1.0


INITIAL = 0x25

OPERAND_TAKERS = sorted(OPERAND_OPS | CMPXCHG_OPS)


def operand_calls(a, opname, kind, bad):
    """Calls of `opname` that pass `bad` in each operand position."""
    good = bytes(a.width) if kind == "BYTES" else 0
    m = getattr(a, opname)
    if opname in CMPXCHG_OPS:
        return [("expected", lambda: m(bad, good)),
                ("desired", lambda: m(good, bad)),
                ("expected", lambda: m(expected=bad, desired=good)),
                ("desired", lambda: m(expected=good, desired=bad))]
    name = OPERAND_NAME[opname]
    return [(name, lambda: m(bad)), (name, lambda: m(**{name: bad}))]


INTEGRAL_BAD_TYPES = [1.0, 2.5, "1", b"\x01", None, [1], (1,), {1: 1},
                      FloatLike(), 1j, object()] + truncating_numbers()
BYTES_BAD_TYPES = [0, 1, 2**70, "abcd"[:1], None, 1.0, [0], object(),
                   "x" * 16]

TYPE_CASES = (
    [pytest.param(k, w, op, id=f"{k}{w}-{op}")
     for k in ("INT", "UINT") for w in WIDTHS
     for op in OPERAND_TAKERS if op in ops_for(k)] +
    [pytest.param("BYTES", w, op, id=f"BYTES{w}-{op}")
     for w in WIDTHS for op in OPERAND_TAKERS if op in ops_for("BYTES")])


@pytest.mark.isolated
@pytest.mark.parametrize("kind,width,opname", TYPE_CASES)
def test_wrong_operand_type(kind, width, opname):
    """OperandTypeError (a TypeError and an AttributeError), unchanged."""
    bads = BYTES_BAD_TYPES if kind == "BYTES" else INTEGRAL_BAD_TYPES
    with make_atomic("owned", ATYPES[kind], width) as a:
        model = Model(kind, width, INITIAL)
        a.store(model.value)
        for bad in bads:
            for _, call in operand_calls(a, opname, kind, bad):
                with pytest.raises(OperandTypeError) as info:
                    call()
                assert isinstance(info.value, TypeError)
                assert isinstance(info.value, AttributeError)
                assert a.load() == model.value, bad


def out_of_range(kind, width):
    bits = 8 * width
    if kind == "INT":
        return [(1 << (bits - 1), "int too big to convert"),
                (1 << bits, "int too big to convert"),
                (2**200, "int too big to convert"),
                (-(1 << (bits - 1)) - 1, "int too big to convert"),
                (-2**200, "int too big to convert")]
    return [(1 << bits, "int too big to convert"),
            (2**200, "int too big to convert"),
            (-1, "can't convert negative int to unsigned"),
            (-(1 << bits), "can't convert negative int to unsigned"),
            (-2**200, "can't convert negative int to unsigned")]


RANGE_CASES = [pytest.param(s, k, w, op, id=f"{s}-{k}{w}-{op}")
               for s in ("owned", "bytearray") for k in ("INT", "UINT")
               for w in WIDTHS
               for op in OPERAND_TAKERS]


@pytest.mark.parametrize("source,kind,width,opname", RANGE_CASES)
def test_out_of_range(source, kind, width, opname):
    """OverflowError (with CPython's texts) and the atomic unchanged."""
    with make_atomic(source, ATYPES[kind], width) as a:
        model = Model(kind, width, INITIAL)
        a.store(model.value)
        for value, message in out_of_range(kind, width):
            for _, call in operand_calls(a, opname, kind, value):
                with pytest.raises(OverflowError) as info:
                    call()
                assert str(info.value) == message
                assert a.load() == model.value


@pytest.mark.parametrize("kind", ["INT", "UINT"])
@pytest.mark.parametrize("width", WIDTHS)
def test_range_limits_accepted(kind, width):
    model = Model(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    for v in (model.min, model.max):
        a.store(v)
        assert a.load() == v
        assert a.exchange(v) == v
        a.add(v)
        model.bits = model.encode(v)
        model.apply("add", v)
        assert a.load() == model.value


INDEX_LIKE = [pytest.param(v, id=f"{type(v).__name__}({v.__index__()})")
              for v in (True, False, Color.BLUE, MyInt(5), HasIndex(3))]


@pytest.mark.parametrize("kind", ["INT", "UINT"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("value", INDEX_LIKE)
def test_index_objects_accepted(kind, width, value):
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    as_int = value.__index__()
    a.store(value)
    got = a.load()
    assert got == as_int and type(got) is int
    assert type(a.exchange(value)) is int
    a.add(value)
    assert a.load() == 2 * as_int
    a.sub(value)
    assert a.fetch_sub(value) == as_int
    assert a.load() == 0
    r = a.cmpxchg_strong(value, 7)
    assert r.success is (as_int == 0)
    r = a.cmpxchg_strong(0 if as_int else 7, value)
    assert r.success is True
    assert a.load() == as_int and type(r.expected) is int
    a.bin_or(value)
    a.bin_and(value)
    a.bin_xor(value)
    assert a.load() == 0
    assert a.bit_test(value) is False  # __index__ works for the index too
    assert a.bit_test_set(value) is False
    assert a.load() == 1 << as_int


# ----------------------------------------------------------- BYTES inputs --

STORE_OPERANDS = {
    "bytes": (lambda: b"ab", None),
    "bytearray": (lambda: bytearray(b"ab"), None),
    "memoryview": (lambda: memoryview(b"ab"), None),
    "array_B": (lambda: array.array("B", b"ab"), None),
    "array_h": (lambda: array.array("h", b"ab"), None),
    "int": (lambda: 0x6261, OperandTypeError),
    "str": (lambda: "ab", OperandTypeError),
    "None": (lambda: None, OperandTypeError),
    "list": (lambda: [0x61, 0x62], OperandTypeError),
}


@pytest.mark.isolated
@pytest.mark.parametrize("operand", list(STORE_OPERANDS))
def test_bytes_store_operand(operand):
    """The smallest case: one store of each operand kind on a 2-byte BYTES
    atomic (bytes-like: stored; anything else: OperandTypeError)."""
    make, error = STORE_OPERANDS[operand]
    a = atomics.atomic(width=2, atype=atomics.BYTES)
    if error is None:
        a.store(make())
        assert a.load() == b"ab"
    else:
        with pytest.raises(error):
            a.store(make())
        assert a.load() == b"\x00\x00"


@pytest.mark.isolated
@pytest.mark.parametrize("width", WIDTHS)
def test_bytes_like_operands(width):
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    data = bytes(range(3, 3 + width))
    ok = [data, bytearray(data), memoryview(data), memoryview(bytearray(data)),
          array.array("B", data), memoryview(data).cast("B", (1, width))]
    if width % 2 == 0:
        # nbytes, not len(): two bytes per item (rejected by 1.0.2)
        ok.append(array.array("h", data))
    if width % 4 == 0:
        ok.append(memoryview(data).cast("i"))
    for operand in ok:
        a.store(bytes(width))
        a.store(operand)
        assert a.load() == data
        assert a.exchange(operand) == data
        a.bin_xor(operand)
        assert a.load() == bytes(width)
        assert a.cmpxchg_strong(bytes(width), operand).success is True
        assert a.cmpxchg_strong(operand, bytes(width)).success is True
        assert a.bin_fetch_or(operand) == bytes(width)
        assert a.load() == data


@pytest.mark.isolated
@pytest.mark.parametrize("width", WIDTHS)
def test_bytes_wrong_length(width):
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    a.store(b"\x11" * width)
    bad_lengths = [0, width - 1, width + 1, 2 * width]
    for n in bad_lengths:
        for bad in (b"\x01" * n, bytearray(n), memoryview(bytes(n))):
            for opname in sorted(OPERAND_OPS & set(COMMON_OPS)):
                with pytest.raises(ValueError) as info:
                    getattr(a, opname)(bad)
                # the message names the parameter: 'desired' or 'value'
                assert str(info.value) == (f"'{OPERAND_NAME[opname]}' object "
                                           f"length does not match width.")
            for opname in sorted(CMPXCHG_OPS):
                with pytest.raises(ValueError) as info:
                    getattr(a, opname)(bad, bytes(width))
                assert str(info.value) == \
                    "'expected' object length does not match width."
                with pytest.raises(ValueError) as info:
                    getattr(a, opname)(bytes(width), bad)
                assert str(info.value) == \
                    "'desired' object length does not match width."
            assert a.load() == b"\x11" * width
    if width > 1:
        # an array of 2-byte items with `width` items has the wrong nbytes
        with pytest.raises(ValueError):
            a.store(array.array("h", [0] * width))


@pytest.mark.isolated
@pytest.mark.parametrize("width", WIDTHS)
def test_bytes_cmpxchg_never_mutates_expected(width):
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    current = bytes(range(100, 100 + width))
    a.store(current)
    for make in (bytes, bytearray):
        expected = make(b"\x07" * width)
        for op in sorted(CMPXCHG_OPS):
            r = getattr(a, op)(expected, b"\x09" * width)
            assert r.success is False
            assert r.expected == current
            assert expected == b"\x07" * width
            assert r.expected is not expected
    # 1-byte objects are often shared/cached by the interpreter
    one = b"\x00"
    b = atomics.atomic(width=1, atype=atomics.BYTES)
    b.store(b"\xff")
    for _ in range(3):
        r = b.cmpxchg_strong(one, b"\x01")
        assert r.success is False and r.expected == b"\xff"
    assert one == b"\x00" and bytes([0]) == b"\x00" and b"\x00"[0] == 0
    ba = bytearray(b"\x00")
    mv = memoryview(ba)
    b.cmpxchg_weak(mv, b"\x01")
    assert ba == b"\x00"
    mv.release()


@pytest.mark.isolated
def test_bytes_operand_export_released():
    """An operand's buffer is not kept exported after the call."""
    a = atomics.atomic(width=4, atype=atomics.BYTES)
    ba = bytearray(b"abcd")
    a.store(ba)
    a.cmpxchg_strong(ba, ba)
    a.bin_or(ba)
    ba.append(1)  # would be BufferError on CPython if still exported
    assert len(ba) == 5


# -------------------------------------------------------------- bit index --

INDEX_CASES = [pytest.param(k, w, op, id=f"{k}{w}-{op}") for k in ATYPES
               for w in WIDTHS for op in sorted(INDEX_OPS)]


@pytest.mark.parametrize("kind,width,opname", INDEX_CASES)
def test_bit_index_out_of_range(kind, width, opname):
    model = Model(kind, width, INITIAL)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(model.value)
    m = getattr(a, opname)
    for bad in (-1, -8, 8 * width, 8 * width + 1, 2**31, 2**63, 2**64,
                2**200, -2**200):
        for call in (lambda: m(bad), lambda: m(index=bad),
                     lambda: m(bad, MO.RELAXED)):
            with pytest.raises(ValueError) as info:
                call()
            assert str(info.value) == "'index' value out of range."
            assert a.load() == model.value
    for bad in [1.0, "1", None, b"\x01", [1]] + truncating_numbers():
        with pytest.raises(OperandTypeError):
            m(bad)
        assert a.load() == model.value


# ------------------------------------------------------- call signatures --

SIG_CASES = [pytest.param(k, op, id=f"{k}-{op}") for k in ATYPES
             for op in ops_for(k)]


@pytest.mark.parametrize("kind,opname", SIG_CASES)
def test_bad_signatures(kind, opname):
    width = 4
    model = Model(kind, width, INITIAL)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(model.value)
    m = getattr(a, opname)
    good = bytes(width) if kind == "BYTES" else 0
    if opname in NOARG_OPS:
        nparams, names = 0, []
    elif opname in CMPXCHG_OPS:
        nparams, names = 2, ["expected", "desired"]
    elif opname in INDEX_OPS:
        nparams, names = 1, ["index"]
        good = 0
    else:
        nparams, names = 1, [OPERAND_NAME[opname]]
    args = [good] * nparams
    extra_orders = 2 if opname in CMPXCHG_OPS else 1
    bad_calls = [
        lambda: m(*args, *[MO.SEQ_CST] * extra_orders, MO.SEQ_CST),
        lambda: m(*args, bogus=1),
        lambda: m(*args, ORDER=MO.SEQ_CST),
    ]
    if nparams:
        bad_calls.append(lambda: m(*args[:-1]))  # missing operand
        bad_calls.append(lambda: m(*args, **{names[0]: good}))  # twice
    if opname in CMPXCHG_OPS:
        other = ("success", "failure") if kind == "BYTES" else ("succ",
                                                                "fail")
        bad_calls += [lambda: m(*args, **{other[0]: MO.SEQ_CST}),
                      lambda: m(*args, **{other[1]: MO.SEQ_CST}),
                      lambda: m(*args, order=MO.SEQ_CST)]
    else:
        bad_calls.append(lambda: m(*args, MO.SEQ_CST, order=MO.SEQ_CST))
    for call in bad_calls:
        with pytest.raises(TypeError):
            call()
        assert a.load() == model.value
    # the right keyword names work
    kwargs = dict(zip(names, args))
    if opname in CMPXCHG_OPS:
        s_kw, f_kw = cmpxchg_kw(kind)
        kwargs.update({s_kw: MO.SEQ_CST, f_kw: MO.RELAXED})
    else:
        kwargs["order"] = MO.SEQ_CST
    m(**kwargs)


def test_keyword_calls_repeated_with_varied_names():
    """Keyword handling stays right when call sites alternate names."""
    a = atomics.atomic(width=8, atype=atomics.INT)
    for i in range(1, 50):
        a.store(desired=i, order=MO.RELAXED)
        assert a.load(order=MO.ACQUIRE) == i
        a.store(order=MO.SEQ_CST, desired=-i)
        assert a.load() == -i
        r = a.cmpxchg_strong(desired=i, expected=-i, failure=MO.RELAXED)
        assert r.success is True
        r = a.cmpxchg_strong(-i, failure=MO.RELAXED, desired=0,
                             success=MO.ACQ_REL)
        assert r.success is False and r.expected == i
    with pytest.raises(TypeError):
        a.store(desired=1, desired2=2)
    assert a.load() == 49


# ----------------------------------------------------------- other inputs --

@pytest.mark.parametrize("kind,opname", SIG_CASES)
def test_released_views_never_crash(kind, opname):
    """Any call on a released view (even with bad operands) raises a
    documented exception and never touches memory."""
    ba = bytearray(8)
    with atomics.atomicview(buffer=ba, atype=ATYPES[kind]) as a:
        a.store(Model(kind, 8, INITIAL).value)
    m = getattr(a, opname)
    for args in [(), (0,), (bytes(8),), (1.5,), (2**100,), (0, 0),
                 (bytes(8), bytes(8)), (0, MO.ACQUIRE)]:
        try:
            m(*args)
        except (ValueError, TypeError, OverflowError):
            pass
        else:
            pytest.fail(f"{opname}{args} worked on a released view")
    assert ba == INITIAL.to_bytes(8, sys.byteorder)
