# SPDX-License-Identifier: MIT
"""The operations, as the compiled core lists them (hpy_src/op_table.h).

That table is the one list of operations: the methods of the classes are
made from it in C, and from `native.op_table()` here everything the Python
side needs to know about them (the PyPy/GraalPy front-ends in _jit.py, and
the test suite's lists). `OpType` and the type stubs stay written out, for
type checkers; tests/test_op_table.py checks that they match this table.
"""

from typing import NamedTuple, Optional, Tuple

from ._enums import OpType
from ._load import native


class Op(NamedTuple):
    """One operation's method."""

    name: str                 # the method's name
    optype: OpType            # what ops_supported and the errors call it
    op: str                   # patomic's name of the op (include/patomic)
    operands: Tuple[str, ...]  # its parameters before the memory orders
    orders: Tuple[str, ...]   # its memory-order parameters
    family: str               # "common", "bitwise", "arithmetic", "cmpxchg"
    signature: str            # patomic's signature: "store", "fetch", ...
    kinds: Tuple[str, ...]    # who has it: "INTEGRAL", "BYTES"
    twin: Optional[str]       # `_<name>_old` (see _jit.py), or None
    seq_cst: Optional[str]    # `_<name>_seq_cst` of single atomics, or None
    array_seq_cst: Optional[str]  # the same of arrays (see _jit.py)


OPS = tuple(Op(name, OpType(optype), *rest)
            for name, optype, *rest in native.op_table())


def ops_of(kind: str) -> "dict[str, Op]":
    """{name: Op} of the methods that atomics of `kind` ("INTEGRAL" or
    "BYTES") have, in the table's order."""
    return {op.name: op for op in OPS if kind in op.kinds}
