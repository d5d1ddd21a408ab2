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
    "IgnoredArgumentWarning",
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
    """Base for exceptions whose constructor takes positional fields and
    keyword-only flags: keeps both as attributes, shows them in repr(), and
    pickles by calling the constructor again (the default pickling would
    pass the message)."""

    _arg_names = ()

    def _init(self, message, args, kwargs):
        for name, value in zip(self._arg_names, args):
            setattr(self, name, value)
        for name, value in kwargs.items():
            setattr(self, name, value)
        self._args = args
        self._kwargs = kwargs
        super().__init__(message)

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
        kind = "recommended" if using_recommended else "minimum"
        self._init(f"The alignment of address {hex(address)} does not meet "
                   f"the {kind} alignment requirements for atomic "
                   f"operations on objects with a width of {width}.",
                   (width, address), {"using_recommended": using_recommended})


class MemoryOrderError(_KeywordException):
    """A memory order that the operation does not accept."""

    _arg_names = ("optype", "order")

    def __init__(self, optype: OpType, order: MemoryOrder, *, is_fail: bool):
        # (enum members come back as plain ints from some copies, e.g.
        # copy.deepcopy on GraalPy)
        optype, order = OpType(optype), MemoryOrder(order)
        # the doubled space for non-fail orders is atomics 1.0.2's text
        kind = "fail" if is_fail else ""
        self._init(f"{order.name} is not a valid {kind} memory order for "
                   f"{_article(optype)} {optype.name} operation.",
                   (optype, order), {"is_fail": is_fail})


class UnsupportedWidthException(_KeywordException):
    """No operation exists for objects of this width (and writability)."""

    _arg_names = ("width",)

    def __init__(self, width: int, *, readonly: bool):
        kind = "readonly objects" if readonly else "objects"
        self._init(f"No operations are supported on {kind} with a width of "
                   f"{width}.", (width,), {"readonly": readonly})


class UnsupportedOperationException(_KeywordException):
    """The operation does not exist for this object (see ops_supported)."""

    _arg_names = ("optype", "width")

    def __init__(self, optype: OpType, width: int, *, readonly: bool):
        optype = OpType(optype)
        # the doubled space for writable objects is atomics 1.0.2's text
        kind = "readonly" if readonly else ""
        self._init(f"Operation {optype.name} is not supported on {kind} "
                   f"objects with a width of {width}.", (optype, width),
                   {"readonly": readonly})


class OperandTypeError(TypeError, AttributeError):
    """An operand (or memory order) of the wrong type.

    A TypeError, which is what it is; also an AttributeError, which is what
    atomics 1.0.2 raised for a non-int operand, so code written for either
    catches it.
    """


class IgnoredArgumentWarning(UserWarning):
    """A keyword argument that atomic(), atomicview() or the array factories
    accepted but ignored, as atomics 1.0.2 did (so code written for it keeps
    running). The message names the argument and says what to do instead.

    A UserWarning, so Python shows it by default, once per calling line,
    wherever the call is made (a DeprecationWarning would be hidden when
    the call is inside a library). Silence it with
    `warnings.filterwarnings("ignore", category=IgnoredArgumentWarning)`;
    make it an error with `warnings.simplefilter("error",
    IgnoredArgumentWarning)` (or `python -W error::UserWarning`).
    """


# Factories the compiled core calls to raise the exceptions above (it passes
# plain ints); registered in atomics/_classes.py.
def order_error(op: int, order: int, is_fail: int) -> MemoryOrderError:
    return MemoryOrderError(OpType(op), MemoryOrder(order),
                            is_fail=bool(is_fail))


def width_error(width: int, readonly: bool) -> UnsupportedWidthException:
    return UnsupportedWidthException(width, readonly=bool(readonly))


def alignment_error(width: int, address: int) -> AlignmentError:
    return AlignmentError(width, address, using_recommended=True)


def op_error(op: int, width: int,
             readonly: int) -> UnsupportedOperationException:
    return UnsupportedOperationException(OpType(op), width,
                                         readonly=bool(readonly))
