# SPDX-License-Identifier: MIT
"""Alignment: what address a buffer needs for atomics of a given width."""

from . import _jit
from ._buffer import buffer_address
from ._load import native


class Alignment:
    """The alignment requirements for atomic operations of one width.

    `recommended`: the alignment `atomicview()` requires. `minimum`: the
    smallest alignment at which the operations are still atomic, as long as
    the object does not cross a `size_within` boundary (0: no such limit).
    On every CPU supported so far (x86_64, aarch64, s390x) both are the
    width.
    """

    __slots__ = ("width", "recommended", "minimum", "size_within")

    def __init__(self, width: int):
        # (a bad width raises in C, by the rule of atomic(width=...))
        _jit.check_home("Alignment()")
        recommended, minimum, size_within = native.alignment(width)
        self.width = width
        self.recommended = recommended
        self.minimum = minimum
        self.size_within = size_within

    def __str__(self) -> str:
        return (f"Alignment(width={self.width}, "
                f"recommended={self.recommended}, minimum={self.minimum}, "
                f"size_within={self.size_within})")

    def _address(self, buffer) -> int:
        address, nbytes, _ = buffer_address(buffer)
        if nbytes != self.width:
            raise ValueError(f"Positional argument 'buffer' does not have "
                             f"matching width of {self.width}.")
        return address

    def is_valid(self, buffer, *, using_recommended: bool = True) -> bool:
        """Whether `buffer` meets the recommended (default) or minimum
        alignment."""
        if using_recommended:
            return self.is_valid_recommended(buffer)
        return self.is_valid_minimum(buffer)

    def is_valid_recommended(self, buffer) -> bool:
        """Whether `buffer`'s address is a multiple of `recommended`."""
        return self._address(buffer) % self.recommended == 0

    def is_valid_minimum(self, buffer) -> bool:
        """Whether `buffer`'s address is a multiple of `minimum` and, when
        `size_within` is set, the buffer stays inside one such block."""
        address = self._address(buffer)
        if address % self.minimum:
            return False
        if self.size_within == 0:
            return True
        return address % self.size_within + self.width <= self.size_within
