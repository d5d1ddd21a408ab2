# SPDX-License-Identifier: MIT
"""CmpxchgResult: what `cmpxchg_weak` / `cmpxchg_strong` return.

The class is compiled (hpy_src/cmpxchg_result.c) so that creating a result
is cheap. HPy 0.9 has neither class methods nor an iterator slot, so two
methods are attached here: `__class_getitem__` (`CmpxchgResult[int]` works
as for a typing.Generic) and `__iter__` (`ok, value = result`).
"""

from types import GenericAlias

from ._load import native

CmpxchgResult = native.CmpxchgResult


def _iter(self):
    return iter((self.success, self.expected))


CmpxchgResult.__class_getitem__ = classmethod(GenericAlias)
CmpxchgResult.__iter__ = _iter
