# SPDX-License-Identifier: MIT
"""The exceptions raised by atomics (besides built-in ones).

Each keeps its constructor arguments as attributes, has a `repr` that
rebuilds it, and pickles (so an error can be sent between processes).
"""

from ._enums import MemoryOrder, OpType

__all__ = [
    "AlignmentError",
    "MemoryOrderError",
    "UnsupportedWidthException",
    "UnsupportedOperationException",
    "OperandTypeError",
]


def _article(optype: OpType) -> str:
    return "an" if optype.name[0] in "AEIOU" else "a"


def _show(value):
    """repr() of a field, but enum members as `OpType.STORE`."""
    if isinstance(value, (OpType, MemoryOrder)):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def _rebuild(cls, args, kwargs):
    return cls(*args, **kwargs)


class _KeywordException(Exception):
    """Base for exceptions with keyword-only flags: pickles by calling the
    constructor again (the default pickling would pass the message)."""

    _args = ()
    _kwargs = {}

    def __reduce__(self):
        return _rebuild, (type(self), self._args, self._kwargs)

    def __repr__(self):
        items = list(zip(self._arg_names, self._args)) + list(
            self._kwargs.items())
        fields = ", ".join(f"{name}={_show(value)}" for name, value in items)
        return f"{type(self).__name__}({fields})"


class AlignmentError(_KeywordException):
    """The buffer's address does not meet the alignment the atomic needs."""

    _arg_names = ("width", "address")

    def __init__(self, width: int, address: int, *, using_recommended: bool):
        self.width = width
        self.address = address
        self.using_recommended = using_recommended
        self._args = (width, address)
        self._kwargs = {"using_recommended": using_recommended}
        kind = "recommended" if using_recommended else "minimum"
        super().__init__(
            f"The alignment of address {hex(address)} does not meet the "
            f"{kind} alignment requirements for atomic operations on objects "
            f"with a width of {width}.")


class MemoryOrderError(_KeywordException):
    """A memory order that the operation does not accept."""

    _arg_names = ("optype", "order")

    def __init__(self, optype: OpType, order: MemoryOrder, *, is_fail: bool):
        # (enum members come back as plain ints from some copies, e.g.
        # copy.deepcopy on GraalPy)
        optype, order = OpType(optype), MemoryOrder(order)
        self.optype = optype
        self.order = order
        self.is_fail = is_fail
        self._args = (optype, order)
        self._kwargs = {"is_fail": is_fail}
        # the doubled space for non-fail orders is atomics 1.0.2's text
        kind = "fail" if is_fail else ""
        super().__init__(
            f"{order.name} is not a valid {kind} memory order for "
            f"{_article(optype)} {optype.name} operation.")


class UnsupportedWidthException(_KeywordException):
    """No operation exists for objects of this width (and writability)."""

    _arg_names = ("width",)

    def __init__(self, width: int, *, readonly: bool):
        self.width = width
        self.readonly = readonly
        self._args = (width,)
        self._kwargs = {"readonly": readonly}
        kind = "readonly objects" if readonly else "objects"
        super().__init__(
            f"No operations are supported on {kind} with a width of "
            f"{width}.")


class UnsupportedOperationException(_KeywordException):
    """The operation does not exist for this object (see ops_supported)."""

    _arg_names = ("optype", "width")

    def __init__(self, optype: OpType, width: int, *, readonly: bool):
        optype = OpType(optype)
        self.optype = optype
        self.width = width
        self.readonly = readonly
        self._args = (optype, width)
        self._kwargs = {"readonly": readonly}
        # the doubled space for writable objects is atomics 1.0.2's text
        kind = "readonly" if readonly else ""
        super().__init__(
            f"Operation {optype.name} is not supported on {kind} objects "
            f"with a width of {width}.")


class OperandTypeError(TypeError, AttributeError):
    """An operand (or memory order) of the wrong type.

    A TypeError, which is what it is; also an AttributeError, which is what
    atomics 1.0.2 raised for a non-int operand, so code written for either
    catches it.
    """


# Factories the compiled core calls to raise the exceptions above (it passes
# plain ints); registered in atomics/_classes.py.
def order_error(op: int, order: int, is_fail: int) -> MemoryOrderError:
    return MemoryOrderError(OpType(op), MemoryOrder(order),
                            is_fail=bool(is_fail))


def width_error(width: int, readonly: bool) -> UnsupportedWidthException:
    return UnsupportedWidthException(width, readonly=bool(readonly))


def op_error(op: int, width: int,
             readonly: int) -> UnsupportedOperationException:
    return UnsupportedOperationException(OpType(op), width,
                                         readonly=bool(readonly))
