# SPDX-License-Identifier: MIT
"""Atomic classes with their own memory (what `atomic()` returns)."""

from ._classes import Atomic, AtomicBytes, AtomicInt, AtomicIntegral, AtomicUint

__all__ = ["Atomic", "AtomicIntegral", "AtomicBytes", "AtomicInt",
           "AtomicUint"]
