# SPDX-License-Identifier: MIT
"""Atomic views of a buffer (what entering an `atomicview()` context gives).

They cannot be built from the public API directly: a view is only ever made
by its context, which owns the buffer export the view relies on.
"""

from ._classes import (AtomicBytesView, AtomicIntegralView, AtomicIntView,
                       AtomicUintView, AtomicView)

__all__ = ["AtomicView", "AtomicIntegralView", "AtomicBytesView",
           "AtomicIntView", "AtomicUintView"]
