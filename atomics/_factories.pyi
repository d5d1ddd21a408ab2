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

# atomicview(): width=, if given, must be the buffer's size (ValueError
# otherwise). In every factory, other keywords are accepted as atomics 1.0.2
# accepted them; those with no effect warn (atomics.IgnoredArgumentWarning).
@overload
def atomicview(buffer: object, atype: type[INT], *, width: int = ...,
               **kwargs: Any) -> AtomicIntViewContext: ...
@overload
def atomicview(buffer: object, atype: type[UINT], *, width: int = ...,
               **kwargs: Any) -> AtomicUintViewContext: ...
@overload
def atomicview(buffer: object, atype: type[BYTES], *, width: int = ...,
               **kwargs: Any) -> AtomicBytesViewContext: ...
@overload
def atomicview(buffer: object, atype: type[INTEGRAL], *, width: int = ...,
               **kwargs: Any) -> AtomicIntegralViewContext: ...
@overload
def atomicview(buffer: object, atype: type[ANY], *, width: int = ...,
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
