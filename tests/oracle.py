"""The oracle both fuzzers judge with: tests/test_fuzz.py (a hypothesis
state machine) and scripts/fuzz.py (atheris).

* `Subject`: one atomic (or array of atomics) under test, the shadow bytes
  its value lives in, and its model there (tests/model.py);
* `expect_call`: what a call of an operation must do, as the README says:
  its arguments bound as the method's signature binds them, each classified
  (`classify`); the exceptions it may raise (any that its bad input
  documents), or, for a good call, the operands the model runs it with;
* `judge`: a good call's result against the model's, which it then
  commits; `check_values` and `check_properties`: what every live subject
  must show.

What it finds wrong it raises as `Wrong(signature, detail)`, an
AssertionError whose signature names the kind of failure (the atheris
fuzzer counts findings by it).
"""

import operator
import sys

import atomics
from atomics._ops import ops_of

from .model import Model

MO = atomics.MemoryOrder
OP = atomics.OpType
EXC = atomics.exc

_OPS = {"INTEGRAL": ops_of("INTEGRAL"), "BYTES": ops_of("BYTES")}
# What works on read-only memory: the ops that never write.
READ_OPS = {name for name, op in _OPS["INTEGRAL"].items()
            if op.signature in ("load", "test")}


class Wrong(AssertionError):
    """The package did something it must not."""

    def __init__(self, signature, detail):
        super().__init__(f"{signature}: {detail}")
        self.signature, self.detail = signature, detail


class Subject:
    """An atomic under test: `obj` (the atomic, or array of atomics) of
    `family` INT, UINT, BYTES or ANY, whose value (element i's) lives in
    `shadow[offset + i * width:][:width]`."""

    def __init__(self, obj, family, width, readonly, integral, signed,
                 shadow, offset, *, length=None, shared=False, ctx=None):
        self.obj = obj
        self.family = family
        self.width = width
        self.readonly = readonly
        self.integral = integral  # (what an ANY one reports it has)
        self.signed = signed
        self.shadow = shadow
        self.offset = offset
        self.length = length    # None: a single atomic; else an array's
        self.shared = shared    # made with shared=True: it pickles
        self.ctx = ctx          # the view context it came from, if any
        self.released = False

    def kind(self):
        """The op table's kind: "INTEGRAL", "BYTES", or None (ANY)."""
        return {"INT": "INTEGRAL", "UINT": "INTEGRAL",
                "BYTES": "BYTES"}.get(self.family)

    def elements(self):
        return [None] if self.length is None else range(self.length)

    def model(self, i=0):
        start = self.offset + (i or 0) * self.width
        bits = int.from_bytes(self.shadow[start:start + self.width],
                              sys.byteorder)
        return Model(self.family, self.width, bits)

    def commit(self, model, i=0):
        start = self.offset + (i or 0) * self.width
        self.shadow[start:start + self.width] = \
            model.bits.to_bytes(self.width, sys.byteorder)

    def load(self, i=None):
        return self.obj.load() if i is None else self.obj.load(i)

    def expected_ops(self):
        """ops_supported: what the memory allows of the object's kind."""
        if self.readonly:
            return [OP.LOAD, OP.BIT_TEST]
        kind = "INTEGRAL" if self.integral else "BYTES"
        return sorted(op.optype for op in _OPS[kind].values())


# -------------------------------------------------------- the arguments --


def _operand(subject, raw):
    """An operand of the subject's type (README "Operations", "Bad
    input")."""
    if subject.family == "BYTES":
        try:
            with memoryview(raw) as view:
                data = view.tobytes()
        except TypeError:
            return None, {EXC.OperandTypeError}
        except ValueError:  # a released memoryview
            return None, {ValueError}
        if len(data) != subject.width:
            return None, {ValueError}
        return data, set()
    value, errors = _integer(raw)
    if errors:
        return None, errors
    model = Model(subject.family, subject.width)
    if not model.min <= value <= model.max:
        return None, {OverflowError}
    return value, set()


def _integer(raw):
    """An int or an object with __index__; TypeError if __index__ fails,
    OperandTypeError for anything else."""
    if not hasattr(type(raw), "__index__"):
        return None, {EXC.OperandTypeError}
    try:
        return operator.index(raw), set()
    except TypeError:
        return None, {TypeError}


def classify(subject, param, raw):
    """(value, errors) of `raw` passed as parameter `param` of an
    operation on `subject`: errors is empty for a valid argument."""
    if param in ("order", "success", "failure", "succ", "fail"):
        return (raw, set()) if isinstance(raw, MO) else (
            None, {EXC.OperandTypeError})
    if param == "index":  # a bit
        value, errors = _integer(raw)
        if not errors and not 0 <= value < 8 * subject.width:
            errors = {ValueError}
        return value, errors
    return _operand(subject, raw)


def classify_element(subject, raw):
    """(element, errors) of `raw` as an array's element index (negative
    ones count from the end)."""
    value, errors = _integer(raw)
    if errors:
        return 0, errors
    if not -subject.length <= value < subject.length:
        return 0, {IndexError}
    return value % subject.length, set()


def _order_valid(op, order):
    """README "Memory orders", by what the op does (its signature)."""
    if op.signature == "store":
        return order in (MO.RELAXED, MO.RELEASE, MO.SEQ_CST)
    if op.signature in ("load", "test"):
        return order in (MO.RELAXED, MO.ACQUIRE, MO.SEQ_CST)
    return True


def _fail_order_valid(succ, fail):
    """A load order no stronger than the success order."""
    return fail in (MO.RELAXED, MO.ACQUIRE, MO.SEQ_CST) and fail <= succ


class Call:
    """What a call must do: `errors`, the exceptions it may raise (empty:
    it must work), and `operands`, the values the model runs it with."""

    def __init__(self, errors, operands):
        self.errors, self.operands = errors, operands


def expect_call(subject, opname, args, kwargs, element_errors=()):
    """What `opname(*args, **kwargs)` on `subject` must do. `args` are the
    arguments after an array's element index, whose errors (from
    `classify_element`) are `element_errors`."""
    op = _OPS[subject.kind()][opname]
    params = list(op.operands + op.orders)
    errors = set(element_errors)
    if subject.released:
        errors.add(ValueError)
    if subject.readonly and opname not in READ_OPS:
        errors.add(EXC.UnsupportedOperationException)
    # bound as the signature binds: a TypeError before anything else
    bound = dict(zip(params, args))
    if len(args) > len(params) or any(
            k not in params or k in bound for k in kwargs) or any(
            name not in bound and name not in kwargs
            for name in op.operands):
        return Call(errors | {TypeError}, None)
    bound.update(kwargs)
    values = {}
    for name, raw in bound.items():
        values[name], arg_errors = classify(subject, name, raw)
        errors |= arg_errors
    orders = [bound.get(name, MO.SEQ_CST) for name in op.orders]
    if all(isinstance(order, MO) for order in orders):
        if not _order_valid(op, orders[0]) or (
                len(orders) == 2 and not _fail_order_valid(*orders)):
            errors.add(EXC.MemoryOrderError)
    return Call(errors, [values[name] for name in op.operands])


# ----------------------------------------------------------- the results --


def judge(subject, opname, call, got, element=None, what=""):
    """A good call's result `got` must be the model's; then the model's new
    value is the subject's."""
    model = subject.model(element)
    want = model.apply(opname, *call.operands)
    label = f"{opname} on {subject.family}"
    if opname in ("cmpxchg_weak", "cmpxchg_strong"):
        if type(got) is not atomics.CmpxchgResult:
            raise Wrong(f"{label}: not a CmpxchgResult", f"{what}: {got!r}")
        got = (got.success, got.expected)
        if opname == "cmpxchg_weak" and want[0] and got == (False, want[1]):
            # a spurious failure (allowed for weak): nothing changed
            model = subject.model(element)
            want = got
        same = got == want and type(got[1]) is type(want[1])
    else:
        same = got == want and type(got) is type(want)
    if not same:
        raise Wrong(f"{label}: result differs from the model",
                    f"{what}: {got!r} != {want!r}")
    subject.commit(model, element)


def check_values(subjects, when=""):
    """Every live subject's value is its model's."""
    for subject in subjects:
        if subject.released or subject.family == "ANY":
            continue
        for i in subject.elements():
            got, want = subject.load(i), subject.model(i).value
            if got != want:
                raise Wrong("value differs from the model",
                            f"{subject!r}[{i}] {when}: {got!r} != "
                            f"{want!r}")


def check_properties(subject):
    """The properties, str() and len() of a live subject."""
    obj = subject.obj
    got = (obj.width, obj.readonly)
    if got != (subject.width, subject.readonly):
        raise Wrong("wrong width/readonly", f"{subject!r}: {got}")
    ops = obj.ops_supported
    if ops != subject.expected_ops() or obj.ops_supported is ops:
        raise Wrong("wrong ops_supported", f"{subject!r}: {ops}")
    name = type(obj).__name__
    if subject.length is not None:
        fields = [f"length={subject.length}"]
        if len(obj) != subject.length:
            raise Wrong("wrong array length", f"{subject!r}: {len(obj)}")
    else:
        fields = []
        if subject.family != "ANY":
            fields.append(f"value={subject.model().value!r}")
    fields += [f"width={subject.width}", f"readonly={subject.readonly}"]
    if subject.family in ("INT", "UINT"):
        fields.append(f"signed={subject.signed}")
        if obj.signed is not subject.signed:
            raise Wrong("wrong signed", repr(subject))
    if subject.family != "ANY" and str(obj) != f"{name}({', '.join(fields)})":
        raise Wrong("wrong str()", f"{subject!r}: {str(obj)}")
