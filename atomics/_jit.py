# SPDX-License-Identifier: MIT
"""Front-ends for interpreters with a tracing JIT (PyPy).

A tracing JIT compiles Python code together with its caller, but a call
into C is a black box to it, and on PyPy two things about such a call are
expensive: keyword arguments (PyPy builds a fresh tuple of names for every
call, which the C side has to decode) and objects allocated in C (a
CmpxchgResult made by HPy_New costs several times the atomic operation).
Python code is free of both once the JIT has compiled it.

So on PyPy every operation is a small Python function that the JIT inlines
into its caller, leaving one positional C call: keywords are resolved in
Python, and the default memory order is not passed at all (the C fast
path). cmpxchg calls a C twin that returns only the value the atomic held,
as a hardware compare-exchange does, and builds a Python CmpxchgResult:
the strong form succeeds exactly when that value equals `expected`, and it
serves for cmpxchg_weak too (a weak compare-exchange may fail spuriously,
but need not). On CPython, which has no JIT, the C methods are called
directly instead (a Python layer would only add cost there).

GraalPy gets the cmpxchg front-ends only, for another reason: GraalPy 24.2
keeps ~90 bytes of native memory for every object made from an HPy type,
forever, so a compiled CmpxchgResult per call would grow the process
without bound (a Python one is freed as usual).
"""

import operator
import sys
from types import GenericAlias

from ._enums import MemoryOrder
from ._ops import ops_of

# Whether the classes get front-ends at all, and whether only for cmpxchg.
ENABLED = sys.implementation.name in ("pypy", "graalpy")
_CMPXCHG_ONLY = sys.implementation.name == "graalpy"

_SEQ_CST = MemoryOrder.SEQ_CST


class CmpxchgResult:
    """The outcome of a compare-exchange (the Python-level twin of the
    compiled atomics.CmpxchgResult; see its docstring)."""

    __slots__ = ("success", "expected")
    __class_getitem__ = classmethod(GenericAlias)

    def __init__(self, success, expected):
        self.success = success
        self.expected = expected

    def __init_subclass__(cls, **kwargs):
        # as the compiled class (which cannot be subclassed)
        raise TypeError("CmpxchgResult cannot be subclassed")

    def __reduce__(self):
        return CmpxchgResult, (self.success, self.expected)

    def __bool__(self):
        if self.success is True or self.success is False:
            return self.success
        raise TypeError("CmpxchgResult.success must be a bool to test the "
                        "result's truth")

    def __iter__(self):
        return iter((self.success, self.expected))

    def __repr__(self):
        return (f"CmpxchgResult(success={self.success!r}, "
                f"expected={self.expected!r})")

    __str__ = __repr__


CmpxchgResult.__module__ = "atomics"


def _as_bytes(value):
    return value if type(value) is bytes else memoryview(value).tobytes()


def _front(name, raw, operands, orders, doc, compare=None):
    """A Python method `name(self, *operands, *orders=SEQ_CST)` calling the
    C method `raw` with the operands, and the orders only if one is not the
    default. For cmpxchg, `raw` returns the value the atomic held, and the
    method a CmpxchgResult; `compare(expected)` gives what that value is
    compared with (an int for __index__ objects, bytes for buffers). `doc`
    is the C method's docstring."""
    params = ", ".join(list(operands) + [f"{o}=_SEQ_CST" for o in orders])
    operands = [o for o in operands if o != "/"]  # "/": positional-only
    args = ", ".join(["self"] + operands)
    explicit = ", ".join(["self"] + operands + list(orders))
    defaulted = " and ".join(f"{o} is _SEQ_CST" for o in orders)
    call = (f"raw({args}) if {defaulted} else raw({explicit})")
    if compare:
        # `expected` is converted first, and the C call gets the result: so
        # the comparison sees exactly the value the C call compared with,
        # and __index__ runs once. If it is not an operand at all, the C
        # call gets it as it is and raises the documented error before it
        # touches the atomic.
        body = (f"    try:\n"
                f"        expected = compare(expected)\n"
                f"    except Exception:\n"
                f"        pass\n"
                f"    old = {call}\n"
                f"    return _Result(old == expected, old)\n")
    else:
        body = f"    return {call}\n"
    source = f"def {name}(self, {params}):\n{body}"
    namespace = {"raw": raw, "_SEQ_CST": _SEQ_CST, "_Result": CmpxchgResult,
                 "compare": compare}
    exec(source, namespace)
    front = namespace[name]
    # the C docstring without its signature line (the function has one)
    front.__doc__ = doc.split("--\n\n", 1)[-1]
    front.__qualname__ = name
    return front


def install(cls, kind, array):
    """Replace the C operations of `cls`, a class of atomics of `kind`
    ("INTEGRAL" or "BYTES"), or of arrays of them, with JIT-friendly
    front-ends."""
    # an array's element index comes first, positional-only ("/")
    index = ["i", "/"] if array else []
    for op in ops_of(kind).values():
        method = vars(cls)[op.name]
        operands = index + list(op.operands)
        if op.twin is not None:  # cmpxchg: the twin returns the old value
            compare = _as_bytes if kind == "BYTES" else operator.index
            setattr(cls, op.name, _front(op.name, vars(cls)[op.twin],
                                         operands, op.orders, method.__doc__,
                                         compare))
        elif not _CMPXCHG_ONLY:
            setattr(cls, op.name, _front(op.name, method, operands,
                                         op.orders, method.__doc__))
