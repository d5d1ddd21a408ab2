"""Memory-order validation of every operation (all five orders)."""

import pytest

import atomics
from atomics.exc import MemoryOrderError, OperandTypeError

from .model import Model
from .utils import (ALL_ORDERS, ATYPES, CMPXCHG_OPS, INDEX_OPS, MO,
                    INTEGRAL_OPS, NOARG_OPS, OPERAND_NAME, OPERAND_OPS,
                    VALID_FAIL, cmpxchg_kw, ops_for,
                    order_valid)


def test_enum_values():
    assert [(m.name, m.value) for m in MO] == [
        ("RELAXED", 0), ("ACQUIRE", 2), ("RELEASE", 3), ("ACQ_REL", 4),
        ("SEQ_CST", 5)]
    with pytest.raises(ValueError):
        MO(1)  # no CONSUME
    assert issubclass(MO, int)


@pytest.mark.parametrize("order", ALL_ORDERS, ids=lambda o: o.name)
def test_validity_helpers(order):
    assert order.is_valid_store_order() is order_valid("store", order)
    assert order.is_valid_load_order() is order_valid("load", order)
    for succ in ALL_ORDERS:
        assert order.is_valid_fail_order(succ) is (order in VALID_FAIL[succ])


def operands(opname, kind, width):
    """Arguments (before the order) for one call of `opname`."""
    model = Model(kind, width)
    if opname in NOARG_OPS:
        return ()
    if opname in INDEX_OPS:
        return (1,)
    if opname in CMPXCHG_OPS:
        return (model.decode(3), model.decode(9))
    return (model.decode(6),)


INITIAL = 3

ORDER_CASES = [pytest.param(kind, width, op, id=f"{kind}{width}-{op}")
               for kind in ATYPES for width in (1, 8)
               for op in ops_for(kind) if op not in CMPXCHG_OPS]


@pytest.mark.isolated
@pytest.mark.parametrize("by_keyword", [False, True], ids=["pos", "kw"])
@pytest.mark.parametrize("kind,width,opname", ORDER_CASES)
def test_order(kind, width, opname, by_keyword):
    """All five orders: valid ones work (result as with the default order);
    invalid ones raise MemoryOrderError(optype, order, is_fail=False) and
    change nothing."""
    args = operands(opname, kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    call = getattr(a, opname)
    for order in ALL_ORDERS:
        model = Model(kind, width, INITIAL)
        a.store(model.value)
        if order_valid(opname, order):
            want = model.apply(opname, *args)
            got = (call(*args, order=order) if by_keyword
                   else call(*args, order))
            assert got == want, order
            assert a.load() == model.value, order
            continue
        with pytest.raises(MemoryOrderError) as info:
            if by_keyword:
                call(*args, order=order)
            else:
                call(*args, order)
        err = info.value
        assert type(err) is MemoryOrderError
        assert err.optype is INTEGRAL_OPS[opname]
        assert err.order is order
        assert err.is_fail is False
        article = "an" if err.optype.name[0] in "AEIOU" else "a"
        assert str(err) == (f"{order.name} is not a valid  memory order "
                            f"for {article} {err.optype.name} operation.")
        assert a.load() == model.value  # unchanged


@pytest.mark.parametrize("kind", list(ATYPES))
def test_valid_orders_everywhere(kind):
    """Every op accepts every order its rule allows, with the same result
    as the model (this test never takes an error path)."""
    a = atomics.atomic(width=4, atype=ATYPES[kind])
    model = Model(kind, 4)
    for opname in ops_for(kind):
        for order in ALL_ORDERS:
            if opname in CMPXCHG_OPS:
                orders = (order, MO.RELAXED)
            elif order_valid(opname, order):
                orders = (order,)
            else:
                continue
            args = operands(opname, kind, 4)
            want = model.apply(opname, *args)
            got = getattr(a, opname)(*args, *orders)
            if opname in CMPXCHG_OPS:
                got = (got.success, got.expected)
                if opname == "cmpxchg_weak" and want[0] and not got[0]:
                    model.bits = model.encode(got[1])  # spurious failure
                    continue
            assert got == want, (opname, order)
            assert a.load() == model.value


@pytest.mark.isolated
def test_bit_test_uses_load_validity():
    """bit_test validates as a load: ACQUIRE ok, RELEASE/ACQ_REL raise
    (1.0.2 validated it as a store)."""
    a = atomics.atomic(width=4, atype=atomics.INT)
    a.store(2)
    assert a.bit_test(1, MO.ACQUIRE) is True
    assert a.bit_test(0, order=MO.ACQUIRE) is False
    for bad in (MO.RELEASE, MO.ACQ_REL):
        with pytest.raises(MemoryOrderError) as info:
            a.bit_test(1, bad)
        assert info.value.optype is atomics.OpType.BIT_TEST
        assert info.value.is_fail is False


CMPXCHG_CASES = [pytest.param(kind, op, succ, id=f"{kind}-{op}-{succ.name}")
                 for kind in ATYPES for op in sorted(CMPXCHG_OPS)
                 for succ in ALL_ORDERS]


@pytest.mark.isolated
@pytest.mark.parametrize("kind,opname,succ", CMPXCHG_CASES)
def test_cmpxchg_orders(kind, opname, succ):
    """Each (success, failure) pair: valid pairs compare-exchange; an
    invalid failure order raises MemoryOrderError(is_fail=True)."""
    width = 4
    model = Model(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(model.decode(INITIAL))
    s_kw, f_kw = cmpxchg_kw(kind)
    for fail in ALL_ORDERS:
        calls = [
            lambda e, d: getattr(a, opname)(e, d, succ, fail),
            lambda e, d: getattr(a, opname)(expected=e, desired=d,
                                            **{s_kw: succ, f_kw: fail}),
        ]
        for call in calls:
            if fail in VALID_FAIL[succ]:
                # failing compare (current value is INITIAL)
                res = call(model.decode(5), model.decode(7))
                assert res.success is False
                assert res.expected == model.decode(INITIAL)
                res = call(model.decode(INITIAL), model.decode(8))
                while opname == "cmpxchg_weak" and not res.success and \
                        res.expected == model.decode(INITIAL):
                    res = call(model.decode(INITIAL), model.decode(8))
                assert res.success is True
                assert a.load() == model.decode(8)
                a.store(model.decode(INITIAL))
                continue
            with pytest.raises(MemoryOrderError) as info:
                call(model.decode(INITIAL), model.decode(8))
            err = info.value
            assert err.optype is INTEGRAL_OPS[opname]
            assert err.order is fail
            assert err.is_fail is True
            assert str(err) == (f"{fail.name} is not a valid fail memory "
                                f"order for a {err.optype.name} operation.")
            assert a.load() == model.decode(INITIAL)


@pytest.mark.isolated
@pytest.mark.parametrize("kind", list(ATYPES))
def test_cmpxchg_fail_order_alone_checked_against_default_success(kind):
    """Only the failure order given: success defaults to SEQ_CST, so every
    load order is a valid failure order."""
    a = atomics.atomic(width=2, atype=ATYPES[kind])
    model = Model(kind, 2)
    _, f_kw = cmpxchg_kw(kind)
    for fail in ALL_ORDERS:
        if fail in VALID_FAIL[MO.SEQ_CST]:
            res = a.cmpxchg_strong(model.decode(0), model.decode(0),
                                   **{f_kw: fail})
            assert res.success is True
        else:
            with pytest.raises(MemoryOrderError):
                a.cmpxchg_strong(model.decode(0), model.decode(1),
                                 **{f_kw: fail})
            assert a.load() == model.decode(0)


BAD_ORDERS = [5, 0, 2.0, None, "SEQ_CST", True]


@pytest.mark.parametrize("bad", BAD_ORDERS, ids=repr)
@pytest.mark.parametrize("kind,opname",
                         [pytest.param(k, o, id=f"{k}-{o}") for k in ATYPES
                          for o in ops_for(k)])
def test_order_not_a_memory_order(kind, opname, bad):
    """A plain int (even a valid order's value) is not a MemoryOrder:
    OperandTypeError, both a TypeError and an AttributeError."""
    width = 2
    model = Model(kind, width)
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    a.store(model.decode(INITIAL))
    args = operands(opname, kind, width)
    call = getattr(a, opname)
    attempts = [lambda: call(*args, bad), lambda: call(*args, order=bad)]
    if opname in CMPXCHG_OPS:
        s_kw, f_kw = cmpxchg_kw(kind)
        attempts = [lambda: call(*args, bad), lambda: call(*args, **{s_kw: bad}),
                    lambda: call(*args, MO.SEQ_CST, bad),
                    lambda: call(*args, **{f_kw: bad})]
    for attempt in attempts:
        with pytest.raises(OperandTypeError) as info:
            attempt()
        assert isinstance(info.value, TypeError)
        assert isinstance(info.value, AttributeError)
        assert a.load() == model.decode(INITIAL)


@pytest.mark.parametrize("opname", sorted(OPERAND_OPS))
def test_order_keyword_with_operand_keyword(opname):
    a = atomics.atomic(width=8, atype=atomics.INT)
    getattr(a, opname)(**{OPERAND_NAME[opname]: 3, "order": MO.SEQ_CST})
    getattr(a, opname)(order=MO.SEQ_CST, **{OPERAND_NAME[opname]: 3})
