# SPDX-License-Identifier: MIT
"""Arrays of atomics (what atomicarray() returns, and atomicarrayview()
contexts give): every operation takes the element's index first."""

from ._classes import (AtomicArray, AtomicBytesArray, AtomicIntArray,
                       AtomicUintArray)

__all__ = ["AtomicArray", "AtomicIntArray", "AtomicUintArray",
           "AtomicBytesArray"]
