# SPDX-License-Identifier: MIT
"""MemoryOrder and OpType.

Their values are shared with the C library (vendor/patomic): a memory order
is the C11 `memory_order` number, an op type is the op's id in patomic's ops
table, so both cross into C as plain ints.
"""

from enum import IntEnum


class MemoryOrder(IntEnum):
    """C11/C++11 memory orders (CONSUME is left out: it would add nothing).

    Every operation defaults to SEQ_CST. Use another order only if you know
    the C++ memory model well.
    """

    RELAXED = 0
    ACQUIRE = 2
    RELEASE = 3
    ACQ_REL = 4
    SEQ_CST = 5

    def is_valid_store_order(self) -> bool:
        """Whether this order can be used for a store."""
        return self in (MemoryOrder.RELAXED, MemoryOrder.RELEASE,
                        MemoryOrder.SEQ_CST)

    def is_valid_load_order(self) -> bool:
        """Whether this order can be used for a load (or a bit test)."""
        return self in (MemoryOrder.RELAXED, MemoryOrder.ACQUIRE,
                        MemoryOrder.SEQ_CST)

    def is_valid_fail_order(self, succ: "MemoryOrder") -> bool:
        """Whether this order can be the failure order of a compare-exchange
        whose success order is `succ`: a load order no stronger than it."""
        return self.value <= succ.value and self.is_valid_load_order()


class OpType(IntEnum):
    """The atomic operations; `ops_supported` lists them."""

    STORE = 1
    LOAD = 2
    EXCHANGE = 3
    CMPXCHG_WEAK = 4
    CMPXCHG_STRONG = 5
    BIT_TEST = 6
    BIT_TEST_COMPL = 7
    BIT_TEST_SET = 8
    BIT_TEST_RESET = 9
    OR = 10
    XOR = 11
    AND = 12
    NOT = 13
    FETCH_OR = 14
    FETCH_XOR = 15
    FETCH_AND = 16
    FETCH_NOT = 17
    ADD = 18
    SUB = 19
    INC = 20
    DEC = 21
    NEG = 22
    FETCH_ADD = 23
    FETCH_SUB = 24
    FETCH_INC = 25
    FETCH_DEC = 26
    FETCH_NEG = 27


def ops_from_mask(mask: int) -> "list[OpType]":
    """The OpTypes whose bit (1 << value) is set in `mask`, sorted."""
    return [op for op in OpType if mask >> op & 1]
