# SPDX-License-Identifier: MIT
"""Build-time helpers: HPy's CPython runtime (`hpy.universal`), built from
the pinned hpy 0.9.0 sdist with our own small edits (see edits.py).
Nothing here is installed; setup.py imports it."""
