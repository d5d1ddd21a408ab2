"""The exceptions of atomics.exc: hierarchy, attributes, str, repr,
pickling, and CmpxchgResult."""

import copy
import pickle

import pytest

import atomics
from atomics import CmpxchgResult
from atomics.exc import (AlignmentError, MemoryOrderError, OperandTypeError,
                         UnsupportedOperationException,
                         UnsupportedWidthException)

from .utils import MO, OP

EXCEPTIONS = [AlignmentError, MemoryOrderError, UnsupportedWidthException,
              UnsupportedOperationException]


def article(op):
    return "an" if op.name[0] in "AEIOU" else "a"


def test_hierarchy():
    builtin = (ValueError, TypeError, AttributeError, OSError, BufferError,
               ArithmeticError, LookupError, RuntimeError)
    for cls in EXCEPTIONS:
        assert issubclass(cls, Exception)
        assert not issubclass(cls, builtin)
        for other in EXCEPTIONS:
            assert cls is other or not issubclass(cls, other)
    assert issubclass(OperandTypeError, TypeError)
    assert issubclass(OperandTypeError, AttributeError)


@pytest.mark.parametrize("recommended", [True, False])
def test_alignment_error(recommended):
    e = AlignmentError(4, 4097, using_recommended=recommended)
    assert (e.width, e.address, e.using_recommended) == (4, 4097, recommended)
    kind = "recommended" if recommended else "minimum"
    msg = (f"The alignment of address 0x1001 does not meet the {kind} "
           f"alignment requirements for atomic operations on objects with a "
           f"width of 4.")
    assert str(e) == msg
    assert e.args == (msg,)
    assert repr(e) == (f"AlignmentError(width=4, address=4097, "
                       f"using_recommended={recommended})")
    e2 = AlignmentError(width=8, address=16, using_recommended=True)
    assert e2.width == 8
    with pytest.raises(TypeError):
        AlignmentError(4, 4097, True)  # flag is keyword-only


@pytest.mark.parametrize("op", list(OP), ids=lambda o: o.name)
@pytest.mark.parametrize("is_fail", [False, True])
def test_memory_order_error(op, is_fail):
    order = MO.ACQ_REL
    e = MemoryOrderError(op, order, is_fail=is_fail)
    assert (e.optype, e.order, e.is_fail) == (op, order, is_fail)
    mid = "fail" if is_fail else ""
    msg = (f"ACQ_REL is not a valid {mid} memory order for {article(op)} "
           f"{op.name} operation.")
    assert str(e) == msg
    assert e.args == (msg,)
    with pytest.raises(TypeError):
        MemoryOrderError(op, order, is_fail)


def test_memory_order_error_articles():
    assert str(MemoryOrderError(OP.EXCHANGE, MO.ACQUIRE, is_fail=False)) == \
        "ACQUIRE is not a valid  memory order for an EXCHANGE operation."
    assert str(MemoryOrderError(OP.XOR, MO.RELEASE, is_fail=True)) == \
        "RELEASE is not a valid fail memory order for a XOR operation."
    for op, art in ((OP.ADD, "an"), (OP.OR, "an"), (OP.INC, "an"),
                    (OP.STORE, "a"), (OP.NEG, "a"), (OP.FETCH_ADD, "a")):
        assert f" for {art} {op.name} operation." in str(
            MemoryOrderError(op, MO.RELAXED, is_fail=False))


def test_memory_order_error_repr():
    e = MemoryOrderError(OP.STORE, MO.ACQUIRE, is_fail=False)
    assert repr(e) == ("MemoryOrderError(optype=OpType.STORE, "
                       "order=MemoryOrder.ACQUIRE, is_fail=False)")


@pytest.mark.parametrize("readonly", [False, True])
def test_unsupported_width_exception(readonly):
    e = UnsupportedWidthException(3, readonly=readonly)
    assert (e.width, e.readonly) == (3, readonly)
    kind = "readonly objects" if readonly else "objects"
    msg = f"No operations are supported on {kind} with a width of 3."
    assert str(e) == msg and e.args == (msg,)
    assert repr(e) == f"UnsupportedWidthException(width=3, readonly={readonly})"
    with pytest.raises(TypeError):
        UnsupportedWidthException(3, readonly)


@pytest.mark.parametrize("readonly", [False, True])
def test_unsupported_operation_exception(readonly):
    e = UnsupportedOperationException(OP.ADD, 3, readonly=readonly)
    assert (e.optype, e.width, e.readonly) == (OP.ADD, 3, readonly)
    kind = "readonly" if readonly else ""
    msg = (f"Operation ADD is not supported on {kind} objects with a width "
           f"of 3.")
    assert str(e) == msg and e.args == (msg,)
    with pytest.raises(TypeError):
        UnsupportedOperationException(OP.ADD, 3, readonly)


def test_unsupported_operation_exception_repr():
    e = UnsupportedOperationException(OP.ADD, 3, readonly=False)
    assert repr(e) == ("UnsupportedOperationException(optype=OpType.ADD, "
                       "width=3, readonly=False)")


PICKLE_CASES = [
    AlignmentError(4, 4097, using_recommended=True),
    AlignmentError(2, 1, using_recommended=False),
    MemoryOrderError(OP.CMPXCHG_WEAK, MO.RELEASE, is_fail=True),
    MemoryOrderError(OP.STORE, MO.ACQUIRE, is_fail=False),
    UnsupportedWidthException(3, readonly=True),
    UnsupportedOperationException(OP.NOT, 16, readonly=True),
]
ATTRS = ("width", "address", "using_recommended", "optype", "order",
         "is_fail", "readonly")


@pytest.mark.parametrize("exc", PICKLE_CASES, ids=repr)
@pytest.mark.parametrize("proto", range(pickle.HIGHEST_PROTOCOL + 1))
def test_exceptions_pickle(exc, proto):
    back = pickle.loads(pickle.dumps(exc, protocol=proto))
    assert type(back) is type(exc)
    assert str(back) == str(exc) and back.args == exc.args
    for attr in ATTRS:
        assert getattr(back, attr, None) == getattr(exc, attr, None)
    assert repr(back) == repr(exc)
    assert str(copy.deepcopy(exc)) == str(exc)


@pytest.mark.isolated
def test_raised_exception_pickles():
    a = atomics.atomic(width=4, atype=atomics.INT)
    with pytest.raises(MemoryOrderError) as info:
        a.store(1, MO.ACQUIRE)
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.optype, back.order, back.is_fail) == \
        (OP.STORE, MO.ACQUIRE, False)
    with pytest.raises(UnsupportedWidthException) as info:
        atomics.atomic(width=3, atype=atomics.INT)
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.width, back.readonly) == (3, False)


def test_operand_type_error_catchable_both_ways():
    a = atomics.atomic(width=4, atype=atomics.INT)
    for catch in (TypeError, AttributeError, OperandTypeError):
        with pytest.raises(catch):
            a.store(1.5)
    try:
        a.add("1")
    except AttributeError:
        pass


# --------------------------------------------------------- CmpxchgResult --

def test_cmpxchg_result_construct():
    for r in (CmpxchgResult(True, 5), CmpxchgResult(success=True, expected=5),
              CmpxchgResult(True, expected=5)):
        assert r.success is True and r.expected == 5
        assert repr(r) == str(r) == "CmpxchgResult(success=True, expected=5)"
    r = CmpxchgResult(False, b"\x01")
    assert str(r) == "CmpxchgResult(success=False, expected=b'\\x01')"
    for bad in (lambda: CmpxchgResult(), lambda: CmpxchgResult(True),
                lambda: CmpxchgResult(expected=1),
                lambda: CmpxchgResult(True, 1, 2),
                lambda: CmpxchgResult(True, 1, success=True),
                lambda: CmpxchgResult(True, 1, bogus=1)):
        with pytest.raises(TypeError):
            bad()


def test_cmpxchg_result_attributes_writable():
    r = CmpxchgResult(False, 1)
    r.success = True
    r.expected = 9
    assert r.success is True and r.expected == 9
    assert tuple(r) == (True, 9)


def test_cmpxchg_result_bool_and_iter():
    assert bool(CmpxchgResult(True, 0)) is True
    assert bool(CmpxchgResult(False, 1)) is False
    ok, value = CmpxchgResult(True, 7)
    assert (ok, value) == (True, 7)
    assert list(CmpxchgResult(False, b"ab")) == [False, b"ab"]
    for bad in (1, 0, None, "x"):
        with pytest.raises(TypeError):
            bool(CmpxchgResult(bad, 0))
    r = CmpxchgResult(False, 0)
    n = 0
    while not r:  # the README's loop shape
        n += 1
        r = CmpxchgResult(n == 3, n)
    assert n == 3


def test_cmpxchg_result_generic_and_no_eq():
    alias = CmpxchgResult[int]
    assert alias.__origin__ is CmpxchgResult
    assert alias.__args__ == (int,)
    r = CmpxchgResult(True, 5)
    assert r == r
    assert r != CmpxchgResult(True, 5)  # no __eq__: identity


def test_cmpxchg_result_from_ops():
    a = atomics.atomic(width=4, atype=atomics.INT)
    r = a.cmpxchg_strong(0, 4)
    assert type(r) is CmpxchgResult and r.success is True and r.expected == 0
    r = a.cmpxchg_strong(0, 5)
    assert r.success is False and r.expected == 4
    assert a.load() == 4
    b = atomics.atomic(width=2, atype=atomics.BYTES)
    r = b.cmpxchg_strong(b"\x00\x00", b"hi")
    assert (r.success, r.expected) == (True, b"\x00\x00")
    r = b.cmpxchg_strong(b"\x00\x00", b"no")
    assert (r.success, r.expected) == (False, b"hi")
    assert type(r.expected) is bytes


def test_readme_atomic_mul():
    def atomic_mul(a, operand):
        res = atomics.CmpxchgResult(success=False, expected=a.load())
        while not res:
            desired = res.expected * operand
            res = a.cmpxchg_weak(expected=res.expected, desired=desired)

    a = atomics.atomic(width=8, atype=atomics.INT)
    a.store(-3)
    atomic_mul(a, 7)
    assert a.load() == -21
