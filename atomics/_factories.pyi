# SPDX-License-Identifier: MIT
from typing import Any, overload

from ._classes import (Atomic, AtomicArray, AtomicBytes, AtomicBytesArray,
                       AtomicInt, AtomicIntArray, AtomicIntegral, AtomicUint,
                       AtomicUintArray)
from ._types import ANY, BYTES, INT, INTEGRAL, UINT
from .ctx import (AtomicArrayViewContext, AtomicBytesViewContext,
                  AtomicIntegralViewContext, AtomicIntViewContext,
                  AtomicUintViewContext, AtomicViewContext)

@overload
def atomic(width: int, atype: type[INT], *, shared: bool = ...,
           **kwargs: Any) -> AtomicInt: ...
@overload
def atomic(width: int, atype: type[UINT], *, shared: bool = ...,
           **kwargs: Any) -> AtomicUint: ...
@overload
def atomic(width: int, atype: type[BYTES], *, shared: bool = ...,
           **kwargs: Any) -> AtomicBytes: ...
@overload
def atomic(width: int, atype: type[INTEGRAL], *, shared: bool = ...,
           **kwargs: Any) -> AtomicIntegral: ...
@overload
def atomic(width: int, atype: type[ANY], *, shared: bool = ...,
           **kwargs: Any) -> Atomic: ...

@overload
def atomicview(buffer: object, atype: type[INT],
               **kwargs: Any) -> AtomicIntViewContext: ...
@overload
def atomicview(buffer: object, atype: type[UINT],
               **kwargs: Any) -> AtomicUintViewContext: ...
@overload
def atomicview(buffer: object, atype: type[BYTES],
               **kwargs: Any) -> AtomicBytesViewContext: ...
@overload
def atomicview(buffer: object, atype: type[INTEGRAL],
               **kwargs: Any) -> AtomicIntegralViewContext: ...
@overload
def atomicview(buffer: object, atype: type[ANY],
               **kwargs: Any) -> AtomicViewContext: ...

@overload
def atomicarray(length: int, width: int, atype: type[INT], *,
                shared: bool = ..., **kwargs: Any) -> AtomicIntArray: ...
@overload
def atomicarray(length: int, width: int, atype: type[UINT], *,
                shared: bool = ..., **kwargs: Any) -> AtomicUintArray: ...
@overload
def atomicarray(length: int, width: int, atype: type[BYTES], *,
                shared: bool = ..., **kwargs: Any) -> AtomicBytesArray: ...
@overload
def atomicarray(length: int, width: int, atype: type[ANY], *,
                shared: bool = ..., **kwargs: Any) -> AtomicArray: ...

@overload
def atomicarrayview(buffer: object, width: int, atype: type[INT],
                    **kwargs: Any) -> AtomicArrayViewContext[AtomicIntArray]: ...
@overload
def atomicarrayview(buffer: object, width: int, atype: type[UINT],
                    **kwargs: Any) -> AtomicArrayViewContext[AtomicUintArray]: ...
@overload
def atomicarrayview(buffer: object, width: int, atype: type[BYTES],
                    **kwargs: Any) -> AtomicArrayViewContext[AtomicBytesArray]: ...
@overload
def atomicarrayview(buffer: object, width: int, atype: type[ANY],
                    **kwargs: Any) -> AtomicArrayViewContext[AtomicArray]: ...
