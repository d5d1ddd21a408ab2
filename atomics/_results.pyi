# SPDX-License-Identifier: MIT
from typing import Generic, Iterator, TypeVar

T = TypeVar("T")

class CmpxchgResult(Generic[T]):
    """The outcome of a compare-exchange: `success`, and the value the
    atomic held (`expected`)."""

    success: bool
    expected: T
    def __init__(self, success: bool, expected: T) -> None: ...
    def __bool__(self) -> bool: ...
    def __iter__(self) -> Iterator[bool | T]: ...
