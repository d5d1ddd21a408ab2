# SPDX-License-Identifier: MIT
"""The type tags: what kind of values an atomic holds.

They are plain classes used for `isinstance` checks, type hints and the
`atype` argument of `atomic()` / `atomicview()`. INT and UINT are unrelated,
and BYTES is not INTEGRAL. They have no instance layout (`__slots__ = ()`),
so the compiled atomic classes can inherit from them freely.
"""


class ANY:
    """Any atomic object (the root of the type tags)."""

    __slots__ = ()


class INTEGRAL(ANY):
    """An atomic integer, signed or unsigned."""

    __slots__ = ()


class BYTES(ANY):
    """An atomic whose values are `bytes` of its width."""

    __slots__ = ()


class INT(INTEGRAL):
    """An atomic signed (two's complement) integer."""

    __slots__ = ()


class UINT(INTEGRAL):
    """An atomic unsigned integer."""

    __slots__ = ()


ATYPES = (ANY, INTEGRAL, BYTES, INT, UINT)


def check_atype(atype):
    """Raise TypeError unless `atype` is one of the five tags itself."""
    if not any(atype is tag for tag in ATYPES):
        raise TypeError(
            "Type parameter 'atype' must be one of "
            "[ANY, INTEGRAL, BYTES, INT, UINT].")
