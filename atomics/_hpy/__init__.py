# SPDX-License-Identifier: MIT
"""HPy's CPython runtime, as this package builds it: `universal` here is
hpy 0.9.0's `hpy.universal` with our edits for CPython 3.13+ (see
hpy_runtime/ in the source tree and README, "How it is built"). Only wheels
for CPython carry it; PyPy and GraalPy use their built-in HPy."""
