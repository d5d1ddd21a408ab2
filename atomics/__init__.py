# SPDX-License-Identifier: MIT
"""Lock-free, address-free atomic operations on memory you own or share.

Thread-safe and process-safe (on shared memory), on CPython, PyPy and
GraalPy alike, through one compiled HPy binary. See README.md.
"""

from ._alignment import Alignment
from ._enums import MemoryOrder, OpType
from ._factories import atomic, atomicview
from ._factories import atomicarray as atomicarray
from ._factories import atomicarrayview as atomicarrayview
from ._results import CmpxchgResult
from ._types import ANY, BYTES, INT, INTEGRAL, UINT
from .exc import IgnoredArgumentWarning as IgnoredArgumentWarning

# __all__ is atomics 1.0.2's, so `from atomics import *` is unchanged;
# atomicarray, atomicarrayview and IgnoredArgumentWarning are the additions
# (see README).
__all__ = [
    "atomic",
    "atomicview",
    "ANY",
    "INTEGRAL",
    "BYTES",
    "INT",
    "UINT",
    "Alignment",
    "CmpxchgResult",
    "MemoryOrder",
    "OpType",
]
