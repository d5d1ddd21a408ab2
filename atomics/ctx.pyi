# SPDX-License-Identifier: MIT
from types import TracebackType
from typing import Generic, TypeVar

from ._classes import (AtomicArray, AtomicBytesView, AtomicIntegralView,
                       AtomicIntView, AtomicUintView, AtomicView)

_V = TypeVar("_V")
_A = TypeVar("_A", bound=AtomicArray)

class _Context(Generic[_V]):
    def __enter__(self) -> _V: ...
    def __exit__(self, exc_type: type[BaseException] | None = None,
                 exc_value: BaseException | None = None,
                 traceback: TracebackType | None = None) -> None: ...
    def release(self) -> None: ...

class AtomicViewContext(_Context[AtomicView]):
    def __init__(self, *, buffer: object, is_integral: bool,
                 is_signed: bool) -> None: ...

class AtomicIntegralViewContext(_Context[AtomicIntegralView]):
    def __init__(self, *, buffer: object, is_signed: bool) -> None: ...

class AtomicBytesViewContext(_Context[AtomicBytesView]):
    def __init__(self, *, buffer: object) -> None: ...

class AtomicIntViewContext(_Context[AtomicIntView]):
    def __init__(self, *, buffer: object) -> None: ...

class AtomicUintViewContext(_Context[AtomicUintView]):
    def __init__(self, *, buffer: object) -> None: ...

class AtomicArrayViewContext(_Context[_A]):
    def __init__(self, *, buffer: object, width: int,
                 array_class: type[_A]) -> None: ...
