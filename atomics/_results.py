# SPDX-License-Identifier: MIT
"""CmpxchgResult: what `cmpxchg_weak` / `cmpxchg_strong` return.

The class is compiled (hpy_src/cmpxchg_result.c) so that creating a result
is cheap. HPy 0.9 has neither class methods nor an iterator slot, so two
methods are attached here: `__class_getitem__` (`CmpxchgResult[int]` works
as for a typing.Generic) and `__iter__` (`ok, value = result`).

On PyPy the result is built in Python instead (atomics/_jit.py explains
why); both classes behave the same.
"""

import sys
from types import GenericAlias

from . import _jit
from ._load import native


def _iter(self):
    return iter((self.success, self.expected))


def _bool(self):
    if self.success is True or self.success is False:
        return self.success
    raise TypeError("CmpxchgResult.success must be a bool to test the "
                    "result's truth")


if _jit.ENABLED:
    CmpxchgResult = _jit.CmpxchgResult
else:
    CmpxchgResult = native.CmpxchgResult
    CmpxchgResult.__class_getitem__ = classmethod(GenericAlias)
    CmpxchgResult.__iter__ = _iter
    if sys.implementation.name == "graalpy":
        # GraalPy 24.2 drops the TypeError an HPy nb_bool slot raises (a
        # non-bool `success` would read as true): check in Python there.
        CmpxchgResult.__bool__ = _bool
