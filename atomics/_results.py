# SPDX-License-Identifier: MIT
"""CmpxchgResult: what `cmpxchg_weak` / `cmpxchg_strong` return.

The class is compiled (hpy_src/cmpxchg_result.c) so that creating a result
is cheap. HPy 0.9 has neither class methods nor an iterator slot, so
methods are attached here: `__class_getitem__` (`CmpxchgResult[int]` works
as for a typing.Generic), `__iter__` (`ok, value = result`) and
`__reduce__` (pickling).

On PyPy and GraalPy the result is built in Python instead (atomics/_jit.py
explains why); both classes behave the same.
"""

from types import GenericAlias

from . import _jit
from ._load import native


def _iter(self):
    return iter((self.success, self.expected))


def _reduce(self):
    # results pickle (a Pool worker may return one) as the class and its
    # two fields, so either interpreter's class unpickles the other's
    return CmpxchgResult, (self.success, self.expected)


if _jit.ENABLED:
    CmpxchgResult = _jit.CmpxchgResult
else:
    CmpxchgResult = native.CmpxchgResult
    CmpxchgResult.__class_getitem__ = classmethod(GenericAlias)
    CmpxchgResult.__iter__ = _iter
    CmpxchgResult.__reduce__ = _reduce
