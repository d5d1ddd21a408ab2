"""Property-based tests: random op sequences against the pure-Python model
(tests/model.py), for every width and atype, owned and on shared views."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize,
                                 invariant, precondition, rule)

import atomics
from atomics.exc import MemoryOrderError

from .model import Model
from .utils import (ALL_ORDERS, ATYPES, CMPXCHG_OPS, INDEX_OPS, NOARG_OPS,
                    VALID_FAIL, WIDTHS, aligned_slice, ops_for,
                    order_valid)

CURRENT = object()  # cmpxchg: "expect the current value" (likely success)


def value_strategy(kind, width):
    m = Model(kind, width)
    if kind == "BYTES":
        return st.one_of(st.binary(min_size=width, max_size=width),
                         st.sampled_from(m.edge_values()))
    return st.one_of(st.integers(m.min, m.max), st.sampled_from(m.edge_values()))


def op_strategy(kind, width, errors=False):
    """(opname, operands, orders). With `errors`, also out-of-range
    operands and invalid memory orders."""
    values = value_strategy(kind, width)
    if errors and kind != "BYTES":
        m = Model(kind, width)
        values = st.one_of(values, st.integers(m.max + 1, m.max * 4 + 4),
                           st.integers(-4 * (m.max + 1), m.min - 1))

    def args_for(opname):
        if opname in NOARG_OPS:
            args = st.just(())
        elif opname in INDEX_OPS:
            args = st.tuples(st.integers(0, 8 * width - 1))
        elif opname in CMPXCHG_OPS:
            args = st.tuples(st.one_of(st.just(CURRENT), values), values)
        else:
            args = st.tuples(values)
        if opname in CMPXCHG_OPS:
            orders = st.tuples(st.sampled_from(ALL_ORDERS),
                               st.sampled_from(ALL_ORDERS))
        else:
            orders = st.tuples(st.sampled_from(ALL_ORDERS))
        if not errors:
            orders = orders.filter(lambda o: not expect_order_error(opname, o))
        return st.tuples(st.just(opname), args, st.one_of(st.just(()),
                                                          orders))

    return st.sampled_from(ops_for(kind)).flatmap(args_for)


def expect_order_error(opname, orders):
    if not orders:
        return False
    if opname in CMPXCHG_OPS:
        return orders[1] not in VALID_FAIL[orders[0]]
    return not order_valid(opname, orders[0])


def step(a, model, opname, args, orders):
    """Run one op on both; compare the outcome and the new value."""
    if opname in CMPXCHG_OPS and args[0] is CURRENT:
        args = (model.value,) + args[1:]
    before = model.bits
    if expect_order_error(opname, orders):
        with pytest.raises(MemoryOrderError):
            getattr(a, opname)(*args, *orders)
        assert a.load() == model.value
        return
    try:
        want = model.apply(opname, *args)
    except OverflowError:
        model.bits = before
        with pytest.raises(OverflowError):
            getattr(a, opname)(*args, *orders)
        assert a.load() == model.value
        return
    got = getattr(a, opname)(*args, *orders)
    if opname == "cmpxchg_weak":
        while want[0] and not got.success and got.expected == args[0]:
            got = getattr(a, opname)(*args, *orders)  # spurious failure
    if opname in CMPXCHG_OPS:
        assert type(got) is atomics.CmpxchgResult
        assert (got.success, got.expected) == want
        assert type(got.expected) is type(want[1])
    else:
        assert got == want
        assert type(got) is type(want)
    assert a.load() == model.value


PARAMS = [pytest.param(k, w, id=f"{k}{w}") for k in ATYPES for w in WIDTHS]


@pytest.mark.parametrize("kind,width", PARAMS)
@settings(max_examples=25)
@given(data=st.data())
def test_random_op_sequences_owned(kind, width, data):
    ops = data.draw(st.lists(op_strategy(kind, width), max_size=40))
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    model = Model(kind, width)
    for opname, args, orders in ops:
        step(a, model, opname, args, orders)


@pytest.mark.isolated
@pytest.mark.parametrize("kind", list(ATYPES))
@settings(max_examples=30)
@given(data=st.data())
def test_random_sequences_with_errors(kind, data):
    """Sequences mixing invalid orders and out-of-range operands: each
    error is the documented one and leaves the value unchanged."""
    width = data.draw(st.sampled_from(WIDTHS))
    ops = data.draw(st.lists(op_strategy(kind, width, errors=True),
                             max_size=30))
    a = atomics.atomic(width=width, atype=ATYPES[kind])
    model = Model(kind, width)
    for opname, args, orders in ops:
        step(a, model, opname, args, orders)


@pytest.mark.parametrize("kind,width", PARAMS)
@settings(max_examples=15)
@given(data=st.data())
def test_random_op_sequences_view(kind, width, data):
    initial = data.draw(st.binary(min_size=width, max_size=width))
    ops = data.draw(st.lists(op_strategy(kind, width), max_size=30))
    backing, buf = aligned_slice(width)
    buf[:] = initial
    model = Model(kind, width, int.from_bytes(initial, sys.byteorder))
    with atomics.atomicview(buffer=buf, atype=ATYPES[kind]) as a:
        assert a.load() == model.value
        for opname, args, orders in ops:
            step(a, model, opname, args, orders)
            assert bytes(buf) == model.bits.to_bytes(width, sys.byteorder)
    buf.release()


@pytest.mark.isolated
@pytest.mark.parametrize("width", WIDTHS)
@settings(max_examples=20)
@given(data=st.data())
def test_bytes_operand_kinds(width, data):
    """BYTES operands given as bytes, bytearray or memoryview behave
    the same."""
    wrap = data.draw(st.sampled_from([bytes, bytearray, memoryview]))
    ops = data.draw(st.lists(op_strategy("BYTES", width), max_size=20))
    a = atomics.atomic(width=width, atype=atomics.BYTES)
    model = Model("BYTES", width)
    for opname, args, orders in ops:
        args = tuple(wrap(x) if isinstance(x, bytes) else x for x in args)
        step(a, model, opname, args, orders)


# ---------------------------------------- three views over one buffer --

class SharedViews(RuleBasedStateMachine):
    """INT, UINT and BYTES views of one buffer, driven in any interleaving;
    they must always agree with the model and with the raw memory."""

    @initialize(width=st.sampled_from(WIDTHS),
                initial=st.binary(min_size=16, max_size=16))
    def setup(self, width, initial):
        self.width = width
        self.backing, self.buf = aligned_slice(width)
        self.buf[:] = initial[:width]
        self.bits = int.from_bytes(initial[:width], sys.byteorder)
        self.ctxs = {k: atomics.atomicview(buffer=self.buf, atype=t)
                     for k, t in ATYPES.items()}
        self.views = {k: c.__enter__() for k, c in self.ctxs.items()}

    def teardown(self):
        if hasattr(self, "ctxs"):
            for c in self.ctxs.values():
                c.__exit__(None, None, None)
            self.buf.release()

    @precondition(lambda self: hasattr(self, "views"))
    @rule(data=st.data())
    def do_op(self, data):
        kind = data.draw(st.sampled_from(sorted(ATYPES)))
        opname, args, orders = data.draw(op_strategy(kind, self.width))
        model = Model(kind, self.width, self.bits)
        step(self.views[kind], model, opname, args, orders)
        self.bits = model.bits

    @precondition(lambda self: hasattr(self, "views"))
    @invariant()
    def views_agree(self):
        raw = bytes(self.buf)
        assert raw == self.bits.to_bytes(self.width, sys.byteorder)
        for kind, view in self.views.items():
            assert view.load() == Model(kind, self.width, self.bits).value


SharedViews.TestCase.settings = settings(max_examples=30,
                                         stateful_step_count=20)
test_shared_views = SharedViews.TestCase
