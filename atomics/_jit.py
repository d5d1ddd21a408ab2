# SPDX-License-Identifier: MIT
"""Front-ends for interpreters with a tracing JIT (PyPy).

A tracing JIT compiles Python code together with its caller, but a call
into C is a black box to it, and on PyPy two things about such a call are
expensive: keyword arguments (PyPy builds a fresh tuple of names for every
call, which the C side has to decode) and objects allocated in C (a
CmpxchgResult made by HPy_New costs several times the atomic operation).
Python code is free of both once the JIT has compiled it.

So on PyPy every operation is a small Python function that the JIT inlines
into its caller, leaving one positional C call: keywords are resolved in
Python, and with the default memory order it calls the op's SEQ_CST twin,
a NOARGS or O method where the op's shape allows one (a method that takes
keywords costs PyPy a raw argument array per call). The functions' globals
are a module's dict, whose entries PyPy's JIT treats as constants. cmpxchg
calls a C twin that returns only the value the atomic held, as a hardware
compare-exchange does, and builds a Python CmpxchgResult:
the strong form succeeds exactly when that value equals `expected`, and it
serves for cmpxchg_weak too (a weak compare-exchange may fail spuriously,
but need not). On CPython, which has no JIT, the C methods are called
directly instead (a Python layer would only add cost there).

GraalPy gets front-ends for two other reasons. GraalPy 24.2 keeps ~90
bytes of native memory for every object made from an HPy type, forever, so
a compiled CmpxchgResult per call would grow the process without bound (a
Python one is freed as usual). And its HPy layer can call back into the
interpreter only from one thread (the one whose JNI environment it keeps:
the thread that imports atomics, see README, Interpreters): called from any
other thread, the C methods return NotImplemented at once, untouched, and
the front-end then calls `_away`, the one method that calls nothing back.
It takes and returns only small ints and floats, which GraalPy passes in
the handle itself: operands go as three floats each (`_parts`), results
come back as a float when one holds them exactly, else in three parts, and
errors as a code that the front-end raises as the regular call would.
Bytes atomics have no `_away`: their operations, wait, notify, pickling
and the factories (atomic(), atomicview(), ...) raise RuntimeError on such
threads (`away_error`); the classes' own constructors answer SystemError.
"""

import operator
import sys
import _thread
from types import GenericAlias, ModuleType

from ._enums import MemoryOrder
from ._ops import ops_of

# Whether the classes get front-ends at all, and whether they must also
# serve threads GraalPy cannot call back from: GraalPy 24's built-in HPy
# only (GraalPy 25 runs atomics through our own runtime, on its C API,
# which calls back from any thread).
ENABLED = sys.implementation.name in ("pypy", "graalpy")
GRAALPY = (sys.implementation.name == "graalpy"
           and sys.implementation.version[0] < 25)

_SEQ_CST = MemoryOrder.SEQ_CST


class CmpxchgResult:
    """The outcome of a compare-exchange (the Python-level twin of the
    compiled atomics.CmpxchgResult; see its docstring)."""

    __slots__ = ("success", "expected")
    __class_getitem__ = classmethod(GenericAlias)

    def __init__(self, success, expected):
        self.success = success
        self.expected = expected

    def __init_subclass__(cls, **kwargs):
        # as the compiled class (which cannot be subclassed)
        raise TypeError("CmpxchgResult cannot be subclassed")

    def __reduce__(self):
        return CmpxchgResult, (self.success, self.expected)

    def __bool__(self):
        if self.success is True or self.success is False:
            return self.success
        raise TypeError("CmpxchgResult.success must be a bool to test the "
                        "result's truth")

    def __iter__(self):
        return iter((self.success, self.expected))

    def __repr__(self):
        return (f"CmpxchgResult(success={self.success!r}, "
                f"expected={self.expected!r})")

    __str__ = __repr__


CmpxchgResult.__module__ = "atomics"


def _as_bytes(value):
    return value if type(value) is bytes else memoryview(value).tobytes()


def _front(name, raw, operands, orders, doc, compare=None, away=None,
           seq_cst=None):
    """A Python method `name(self, *operands, *orders=SEQ_CST)` calling the
    C method `raw` with the operands, and the orders only if one is not the
    default; with the default orders it calls `seq_cst`, a NOARGS or O
    twin, instead where there is one (cheaper to call on PyPy than a
    method taking keywords). For cmpxchg, `raw` returns the value the
    atomic held, and the method a CmpxchgResult; `compare(expected)` gives
    what that value is compared with (an int for __index__ objects, bytes
    for buffers). `doc` is the C method's docstring. On GraalPy,
    `away(self, operands, orders)` runs the call where `raw` answered
    NotImplemented (a thread it must not call back from)."""
    params = ", ".join(list(operands) + [f"{o}=_SEQ_CST" for o in orders])
    operands = [o for o in operands if o != "/"]  # "/": positional-only
    args = ", ".join(["self"] + operands)
    explicit = ", ".join(["self"] + operands + list(orders))
    defaulted = " and ".join(f"{o} is _SEQ_CST" for o in orders)
    default = "seq_cst" if seq_cst is not None else "raw"
    call = (f"{default}({args}) if {defaulted} else raw({explicit})")
    result = "old" if compare else "r"
    detour = ""
    if away is not None:
        detour = (f"    if {result} is _AWAY:\n"
                  f"        {result} = away(self, {_tuple(operands)}, "
                  f"{_tuple(orders)})\n")
    if compare:
        # `expected` is converted first, and the C call gets the result: so
        # the comparison sees exactly the value the C call compared with,
        # and __index__ runs once. If it is not an operand at all, the C
        # call gets it as it is and raises the documented error before it
        # touches the atomic.
        body = (f"    try:\n"
                f"        expected = compare(expected)\n"
                f"    except Exception:\n"
                f"        pass\n"
                f"    old = {call}\n{detour}"
                f"    return _Result(old == expected, old)\n")
    elif away is not None:
        body = f"    r = {call}\n{detour}    return r\n"
    else:
        body = f"    return {call}\n"
    source = f"def {name}(self, {params}):\n{body}"
    # The function's globals are a module's dict: PyPy's JIT reads a
    # module's globals as constants (a plain dict's it looks up on every
    # call, ~20 ns an op).
    namespace = ModuleType(f"{__name__}.{name}").__dict__
    namespace.update(raw=raw, seq_cst=seq_cst, _SEQ_CST=_SEQ_CST,
                     _Result=CmpxchgResult, compare=compare, away=away,
                     _AWAY=NotImplemented)
    exec(source, namespace)
    front = namespace[name]
    # the C docstring without its signature line (the function has one)
    front.__doc__ = doc.split("--\n\n", 1)[-1]
    front.__qualname__ = name
    return front


def _tuple(names):
    return "(" + "".join(f"{n}, " for n in names) + ")"


def install(cls, kind, array):
    """Replace the C operations of `cls`, a class of atomics of `kind`
    ("INTEGRAL" or "BYTES"), or of arrays of them, with JIT-friendly
    front-ends."""
    # an array's element index comes first, positional-only ("/")
    index = ["i", "/"] if array else []
    has_away = hasattr(cls, "_away")
    for op in ops_of(kind).values():
        method = vars(cls)[op.name]
        operands = index + list(op.operands)
        away = _away_front(op, array, has_away) if GRAALPY else None
        seq_cst = vars(cls).get(op.array_seq_cst if array else op.seq_cst)
        if op.twin is not None:  # cmpxchg: the twin returns the old value
            compare = _as_bytes if kind == "BYTES" else operator.index
            setattr(cls, op.name, _front(op.name, vars(cls)[op.twin],
                                         operands, op.orders, method.__doc__,
                                         compare, away))
        else:
            setattr(cls, op.name, _front(op.name, method, operands,
                                         op.orders, method.__doc__,
                                         away=away, seq_cst=seq_cst))
    if GRAALPY:
        for name in ("notify_one", "notify_all"):
            if name in vars(cls):
                setattr(cls, name, _notify_front(name, vars(cls)[name]))
        if "__int__" in vars(cls):
            cls.__int__ = lambda self: self.load()
        if "__bytes__" in vars(cls):
            cls.__bytes__ = lambda self: self.load()


# ---------------------------------------------- GraalPy: other threads --

# The thread whose calls the C methods serve (set by `set_home`).
_home = None
_get_ident = _thread.get_ident


def set_home(native):
    """Make this thread the one the C methods serve on GraalPy (the rest go
    through `_away`); `native` checks first that GraalPy passes numbers as
    `_away` expects (else `_away` answers SystemError)."""
    global _home
    native.set_home_thread((7, -7, 2.5, 2**40))
    _home = _get_ident()


def away_error(what):
    """The RuntimeError for what cannot run on this thread."""
    return RuntimeError(
        f"{what} cannot run on this thread on GraalPy: its HPy layer can "
        f"call back into the interpreter only from the thread that imported "
        f"atomics, and this needs it (integer operations of integral "
        f"atomics work from any thread; see the README, Interpreters)")


def check_home(what):
    """Raise away_error(what) unless on the thread the C methods serve."""
    if _home is not None and _get_ident() != _home:
        raise away_error(what)


def _notify_front(name, raw):
    def front(self, *args):
        r = raw(self, *args)
        if r is NotImplemented:
            raise away_error(f"{name}()")
        return r
    front.__doc__ = raw.__doc__.split("--\n\n", 1)[-1]
    front.__qualname__ = name
    return front


_NAN = float("nan")
_M48 = (1 << 48) - 1
_TOP = 1 << 33
_NO_PARTS = (0.0, 0.0, 0.0)


def _parts(v):
    """An int argument as `_away` takes it: (low, mid, top) with
    v == top * 2**96 + mid * 2**48 + low, top clamped to +-2**33 (beyond
    every width either way); top NaN: v is not an int."""
    try:
        v = operator.index(v)
    except TypeError:
        return 0.0, 0.0, _NAN
    top = v >> 96
    if top > _TOP:
        top = _TOP
    elif top < -_TOP:
        top = -_TOP
    return float(v & _M48), float(v >> 48 & _M48), float(top)


def _order(order):
    # the C methods take MemoryOrder members only (-1: anything else)
    return float(order.value) if type(order) is MemoryOrder else -1.0


# `_away`'s error codes (hpy_src/atomic_ops.c): 0 means "spilled"
(_SPILLED, _RELEASED, _NO_OP, _ORDER_TYPE, _ORDER, _FAIL_ORDER_TYPE,
 _FAIL_ORDER, _OPERAND_TYPE, _NEGATIVE, _TOO_BIG, _BIT_INDEX_TYPE,
 _BIT_INDEX, _INDEX_TYPE, _INDEX, _BAD_CALL) = range(15)


def _spilled(self):
    """The value `_away` left in three parts."""
    low, mid, top = (self._away(-2.0, float(k), *_NO_PARTS * 3 + (0.0,))
                     for k in range(3))
    return int(low) | int(mid) << 48 | int(top) << 96


def properties(self):
    """`_properties()` on a thread GraalPy cannot call back from."""
    if not hasattr(self, "_away"):
        raise away_error(f"{type(self).__name__}'s properties")
    r = self._away(-1.0, 0.0, 0.0, *_NO_PARTS * 3)
    if type(r) is not float:
        raise _error(self, r, 0, (), ())
    packed = int(r)
    return (packed & 31, bool(packed >> 5 & 1), bool(packed >> 6 & 1),
            packed >> 7)


def _operand_type(obj, what):
    from .exc import OperandTypeError
    return OperandTypeError(f"'{type(obj).__name__}' object cannot be used "
                            f"as {what}")


def _error(self, code, op, values, orders, index=None):
    """The exception the regular call would have raised."""
    from . import exc
    if code == _RELEASED:
        return ValueError("Operation forbidden on released AtomicCore "
                          "object.")
    if code == _NO_OP:
        width, readonly = properties(self)[:2]
        return exc.op_error(op, width, readonly)
    if code in (_ORDER_TYPE, _FAIL_ORDER_TYPE):
        return _operand_type(orders[code == _FAIL_ORDER_TYPE],
                             "a memory order (a MemoryOrder member is "
                             "required)")
    if code in (_ORDER, _FAIL_ORDER):
        is_fail = code == _FAIL_ORDER
        return exc.order_error(op, orders[is_fail], is_fail)
    if code == _OPERAND_TYPE:
        which = int(self._away(-2.0, 0.0, *_NO_PARTS * 3 + (0.0,)))
        return _operand_type(values[which], "an integer operand")
    if code == _NEGATIVE:
        return OverflowError("can't convert negative int to unsigned")
    if code == _TOO_BIG:
        return OverflowError("int too big to convert")
    if code == _BIT_INDEX_TYPE:
        return _operand_type(values[0], "a bit index")
    if code == _BIT_INDEX:
        return ValueError("'index' value out of range.")
    if code == _INDEX_TYPE:
        return _operand_type(index, "an element index")
    if code == _INDEX:
        return IndexError("atomic array index out of range")
    return RuntimeError(f"atomics: internal error {code!r} in _away")


# patomic's signatures whose ops return nothing, and a bit's old value
_RETURNS_NONE = ("store", "void", "void_noarg")
_RETURNS_BOOL = ("test", "test_modify")


def _away_front(op, is_array, has_away):
    """What the front-end of `op` (an _ops.Op) calls where the C method
    answered NotImplemented."""
    if not has_away:
        def unsupported(self, operands, orders):
            raise away_error(f"{type(self).__name__}.{op.name}()")
        return unsupported
    code = float(op.optype)
    returns_none = op.signature in _RETURNS_NONE
    returns_bool = op.signature in _RETURNS_BOOL
    optype = op.optype

    def away(self, operands, orders):
        if is_array:
            index, values = operands[0], operands[1:]
            args = [code, _order(orders[0]),
                    _order(orders[1]) if len(orders) > 1 else 5.0,
                    *_parts(index)]
        else:
            index, values = None, operands
            args = [code, _order(orders[0]),
                    _order(orders[1]) if len(orders) > 1 else 5.0,
                    *_NO_PARTS]
        for v in values:
            args += _parts(v)
        args += _NO_PARTS * (2 - len(values))
        r = self._away(*args)
        if type(r) is float:
            if returns_none:
                return None
            if returns_bool:
                return r != 0.0
            return int(r)
        if r == _SPILLED:
            return _spilled(self)
        raise _error(self, r, optype, values, orders, index)
    return away
