# SPDX-License-Identifier: MIT
"""HPy's CPython runtime, as this package builds it: `universal` here is
hpy 0.9.0's `hpy.universal` with our edits: fixes for CPython 3.13+ and
one that frees objects faster (see hpy_runtime/ in the source tree and
README, "How it is built"). Only wheels for CPython and GraalPy 25 carry
it; PyPy and GraalPy 24 use their built-in HPy."""
