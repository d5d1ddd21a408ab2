"""Public names, class hierarchy, properties, str/repr, special methods,
pickling and subclassing."""

import copy
import gc
import operator
import pickle
import sys
import weakref

import pytest

import atomics
import atomics.base
import atomics.ctx
import atomics.exc
import atomics.view

from .utils import ATYPES, OP, SOURCES, WIDTHS, make_atomic

BASE = atomics.base
VIEW = atomics.view
CTX = atomics.ctx


def test_all():
    assert atomics.__all__ == ["atomic", "atomicview", "ANY", "INTEGRAL",
                               "BYTES", "INT", "UINT", "Alignment",
                               "CmpxchgResult", "MemoryOrder", "OpType"]
    for name in atomics.__all__:
        assert getattr(atomics, name) is not None
    ns = {}
    exec("from atomics import *", ns)
    assert sorted(k for k in ns if k != "__builtins__") == \
        sorted(atomics.__all__)


def test_submodule_contents():
    assert {n for n in ("Atomic", "AtomicIntegral", "AtomicBytes",
                        "AtomicInt", "AtomicUint") if hasattr(BASE, n)} == \
        {"Atomic", "AtomicIntegral", "AtomicBytes", "AtomicInt", "AtomicUint"}
    for n in ("AtomicView", "AtomicIntegralView", "AtomicBytesView",
              "AtomicIntView", "AtomicUintView"):
        assert isinstance(getattr(VIEW, n), type)
    for n in ("AtomicViewContext", "AtomicIntegralViewContext",
              "AtomicBytesViewContext", "AtomicIntViewContext",
              "AtomicUintViewContext"):
        assert isinstance(getattr(CTX, n), type)
    for n in ("AlignmentError", "MemoryOrderError",
              "UnsupportedWidthException", "UnsupportedOperationException",
              "OperandTypeError"):
        assert issubclass(getattr(atomics.exc, n), Exception)


def test_type_tags():
    A, I, B, S, U = (atomics.ANY, atomics.INTEGRAL, atomics.BYTES,
                     atomics.INT, atomics.UINT)
    assert issubclass(I, A) and issubclass(B, A)
    assert issubclass(S, I) and issubclass(U, I)
    assert not issubclass(S, U) and not issubclass(U, S)
    assert not issubclass(B, I) and not issubclass(I, B)


FAMILIES = [
    (BASE.Atomic, BASE.AtomicIntegral, BASE.AtomicBytes, BASE.AtomicInt,
     BASE.AtomicUint),
    (VIEW.AtomicView, VIEW.AtomicIntegralView, VIEW.AtomicBytesView,
     VIEW.AtomicIntView, VIEW.AtomicUintView),
    (CTX.AtomicViewContext, CTX.AtomicIntegralViewContext,
     CTX.AtomicBytesViewContext, CTX.AtomicIntViewContext,
     CTX.AtomicUintViewContext),
]
TAGS = (atomics.ANY, atomics.INTEGRAL, atomics.BYTES, atomics.INT,
        atomics.UINT)


@pytest.mark.parametrize("family", FAMILIES, ids=["base", "view", "ctx"])
def test_family_tree(family):
    root, integral, bytes_, int_, uint = family
    assert issubclass(integral, root) and issubclass(bytes_, root)
    assert issubclass(int_, integral) and issubclass(uint, integral)
    assert not issubclass(bytes_, integral)
    assert not issubclass(int_, uint) and not issubclass(uint, int_)


@pytest.mark.parametrize("family", FAMILIES[:2], ids=["base", "view"])
def test_classes_carry_tags(family):
    for cls, tag in zip(family, TAGS):
        assert issubclass(cls, tag)
    assert not issubclass(family[2], atomics.INTEGRAL)
    assert not issubclass(family[3], atomics.UINT)
    assert not issubclass(family[4], atomics.INT)


def test_views_are_not_atomics():
    for cls in FAMILIES[1]:
        assert not issubclass(cls, BASE.Atomic)
    for cls in FAMILIES[0]:
        assert not issubclass(cls, VIEW.AtomicView)


def test_contexts_have_no_tag():
    for cls in FAMILIES[2]:
        assert not issubclass(cls, atomics.ANY)


def test_isinstance_of_objects():
    a = atomics.atomic(width=4, atype=atomics.INT)
    assert isinstance(a, atomics.INT) and isinstance(a, atomics.INTEGRAL)
    assert isinstance(a, atomics.ANY) and not isinstance(a, atomics.UINT)
    ctx = atomics.atomicview(buffer=bytearray(2), atype=atomics.BYTES)
    assert not isinstance(ctx, atomics.ANY)
    with ctx as v:
        assert isinstance(v, atomics.BYTES)
        assert isinstance(v, VIEW.AtomicBytesView)
        assert not isinstance(v, BASE.Atomic)


def test_optype_values():
    names = ["STORE", "LOAD", "EXCHANGE", "CMPXCHG_WEAK", "CMPXCHG_STRONG",
             "BIT_TEST", "BIT_TEST_COMPL", "BIT_TEST_SET", "BIT_TEST_RESET",
             "OR", "XOR", "AND", "NOT", "FETCH_OR", "FETCH_XOR", "FETCH_AND",
             "FETCH_NOT", "ADD", "SUB", "INC", "DEC", "NEG", "FETCH_ADD",
             "FETCH_SUB", "FETCH_INC", "FETCH_DEC", "FETCH_NEG"]
    assert [(o.name, o.value) for o in atomics.OpType] == \
        [(n, i) for i, n in enumerate(names, 1)]
    assert issubclass(atomics.OpType, int)


# ------------------------------------------------------------ properties --

PROP_CASES = [pytest.param(s, k, w, id=f"{s}-{k}{w}") for s in SOURCES[:2]
              for k in ATYPES for w in WIDTHS]


@pytest.mark.parametrize("source,kind,width", PROP_CASES)
def test_properties(source, kind, width):
    with make_atomic(source, ATYPES[kind], width) as a:
        assert type(a.width) is int and a.width == width
        assert a.readonly is False
        ops = a.ops_supported
        assert type(ops) is list
        expected = list(range(1, 18 if kind == "BYTES" else 28))
        assert [int(o) for o in ops] == expected
        assert all(type(o) is OP for o in ops)
        ops.clear()  # a new list each time
        assert len(a.ops_supported) == len(expected)
        assert a.ops_supported is not a.ops_supported
        if kind == "BYTES":
            assert not hasattr(a, "signed")
        else:
            assert a.signed is (kind == "INT")
        for prop in ("width", "readonly", "ops_supported", "signed"):
            if prop == "signed" and kind == "BYTES":
                continue
            before = getattr(a, prop)
            with pytest.raises(AttributeError):
                setattr(a, prop, before)
            with pytest.raises(AttributeError):
                delattr(a, prop)
            assert getattr(a, prop) == before


# ------------------------------------------------------------------- str --

@pytest.mark.parametrize("width", WIDTHS)
def test_str_formats(width):
    i = atomics.atomic(width=width, atype=atomics.INT)
    i.store(-3)
    assert str(i) == (f"AtomicInt(value=-3, width={width}, readonly=False, "
                      f"signed=True)")
    u = atomics.atomic(width=width, atype=atomics.UINT)
    u.store(200)
    assert str(u) == (f"AtomicUint(value=200, width={width}, readonly=False,"
                      f" signed=False)")
    b = atomics.atomic(width=width, atype=atomics.BYTES)
    data = bytes(range(1, width + 1))
    b.store(data)
    assert str(b) == (f"AtomicBytes(value={data!r}, width={width}, "
                      f"readonly=False)")
    g = atomics.atomic(width=width, atype=atomics.INTEGRAL, is_signed=False)
    assert str(g) == (f"AtomicIntegral(value=0, width={width}, "
                      f"readonly=False, signed=False)")
    r = atomics.atomic(width=width, atype=atomics.ANY, is_integral=True,
                       is_signed=True)
    assert str(r) == f"Atomic(width={width}, readonly=False)"


def test_str_views(tmp_path):
    buf = bytearray(2)
    with atomics.atomicview(buffer=buf, atype=atomics.BYTES) as a:
        # the README shows readonly=True here: a documentation typo
        assert str(a) == ("AtomicBytesView(value=b'\\x00\\x00', width=2, "
                          "readonly=False)")
    with atomics.atomicview(buffer=bytes([5, 0, 0, 0]),
                            atype=atomics.UINT) as a:
        v = int.from_bytes(bytes([5, 0, 0, 0]), sys.byteorder)
        assert str(a) == (f"AtomicUintView(value={v}, width=4, readonly=True,"
                          f" signed=False)")
    with atomics.atomicview(buffer=bytearray(8), atype=atomics.INT) as a:
        a.store(-9)
        assert str(a) == ("AtomicIntView(value=-9, width=8, readonly=False, "
                          "signed=True)")
    with atomics.atomicview(buffer=bytearray(4), atype=atomics.INTEGRAL,
                            is_signed=True) as a:
        assert str(a) == ("AtomicIntegralView(value=0, width=4, "
                          "readonly=False, signed=True)")
    with atomics.atomicview(buffer=bytearray(4), atype=atomics.ANY,
                            is_integral=False, is_signed=False) as a:
        assert str(a) == "AtomicView(width=4, readonly=False)"


def test_repr_is_default():
    a = atomics.atomic(width=4, atype=atomics.INT)
    assert repr(a).startswith("<") and "AtomicInt" in repr(a)
    assert repr(a) != str(a)


# -------------------------------------------------------- special methods --

@pytest.mark.parametrize("kind", ["INT", "UINT"])
def test_int_and_no_index(kind):
    a = atomics.atomic(width=8, atype=ATYPES[kind])
    a.store(3)
    assert int(a) == 3 and type(int(a)) is int
    for use in (operator.index, hex, oct, bin, range, float, bytes,
                lambda x: [1, 2, 3, 4][x], lambda x: "abcd"[x:],
                lambda x: x + 1, lambda x: x < 5, lambda x: -x,
                lambda x: x & 1, len, iter, complex):
        with pytest.raises(TypeError):
            use(a)
    b = a
    with pytest.raises(TypeError):
        b += 1
    assert a.load() == 3


def test_bytes_dunder():
    a = atomics.atomic(width=4, atype=atomics.BYTES)
    a.store(b"abcd")
    assert bytes(a) == b"abcd" and type(bytes(a)) is bytes
    for use in (int, float, operator.index, len, iter):
        with pytest.raises(TypeError):
            use(a)


@pytest.mark.parametrize("kind", list(ATYPES))
def test_truthiness_and_identity_equality(kind):
    a = atomics.atomic(width=2, atype=ATYPES[kind])
    b = atomics.atomic(width=2, atype=ATYPES[kind])
    assert bool(a) is True  # value is zero, still truthy
    assert a == a and a != b and not (a == b)
    assert hash(a) == hash(a)
    assert len({a, b, a}) == 2
    with atomics.atomicview(buffer=bytearray(2), atype=ATYPES[kind]) as v:
        assert bool(v) is True
        assert v == v and v != a


@pytest.mark.parametrize("kind", list(ATYPES))
@pytest.mark.parametrize("func", [pickle.dumps, copy.copy, copy.deepcopy,
                                  lambda x: pickle.dumps(x, protocol=0)],
                         ids=["pickle", "copy", "deepcopy", "pickle0"])
def test_not_copyable(kind, func):
    a = atomics.atomic(width=4, atype=ATYPES[kind])
    with pytest.raises(TypeError):
        func(a)
    with atomics.atomicview(buffer=bytearray(4), atype=ATYPES[kind]) as v:
        with pytest.raises(TypeError):
            func(v)
        assert v.width == 4
    assert a.width == 4


@pytest.mark.parametrize("func", [pickle.dumps, copy.copy, copy.deepcopy],
                         ids=["pickle", "copy", "deepcopy"])
def test_context_not_copyable(func):
    """A copy of a context would share its export of the buffer: releasing
    either would release the other's view."""
    ctx = atomics.atomicview(buffer=bytearray(8), atype=atomics.INT)
    with pytest.raises(TypeError, match="export"):
        func(ctx)
    with ctx as v:
        v.store(3)
        assert v.load() == 3
    arrays = atomics.atomicarrayview(buffer=bytearray(16), width=8,
                                     atype=atomics.UINT)
    with pytest.raises(TypeError, match="export"):
        func(arrays)
    arrays.release()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_cmpxchg_result_pickles(protocol):
    a = atomics.atomic(width=4, atype=atomics.BYTES)
    for result in (atomics.CmpxchgResult(True, 5),
                   a.cmpxchg_strong(expected=b"\0" * 4, desired=b"abcd"),
                   atomics.atomic(width=8, atype=atomics.INT).cmpxchg_weak(
                       1, 2)):
        back = pickle.loads(pickle.dumps(result, protocol=protocol))
        assert type(back) is atomics.CmpxchgResult
        assert (back.success, back.expected) == (result.success,
                                                   result.expected)
        assert repr(back) == repr(result)
        assert copy.copy(result).expected == result.expected


@pytest.mark.parametrize("atype,width,start,other", [
    (atomics.INT, 8, -5, 7), (atomics.UINT, 16, 2**100, 3),
    (atomics.BYTES, 4, b"abcd", b"wxyz")], ids=["INT", "UINT16", "BYTES"])
def test_cmpxchg_result_attributes(atype, width, start, other):
    """What a cmpxchg returns reads, compares, unpacks and can be assigned
    like a plain record (on CPython its value is boxed only when read)."""
    a = atomics.atomic(width=width, atype=atype)
    a.store(start)
    hit = a.cmpxchg_strong(start, other)
    miss = a.cmpxchg_strong(start, start)
    assert (hit.success, hit.expected, bool(hit)) == (True, start, True)
    assert (miss.success, miss.expected, bool(miss)) == (False, other, False)
    assert miss.expected is miss.expected  # one object, read twice
    ok, value = miss
    assert (ok, value) == (False, other)
    assert repr(hit) == f"CmpxchgResult(success=True, expected={start!r})"
    miss.expected = "mine"
    miss.success = True
    assert (miss.success, miss.expected, bool(miss)) == (True, "mine", True)
    miss.success = 1
    with pytest.raises(TypeError, match="must be a bool"):
        bool(miss)


class _Held:
    """Something a result can hold that a weak reference can watch."""


@pytest.mark.parametrize("made_by", ["cmpxchg", "constructor"])
def test_cmpxchg_result_releases_what_it_holds(made_by):
    """A result that dies lets go of the objects in its attributes (those
    assigned to it, or given to CmpxchgResult()): nothing leaks, and
    nothing is freed while the result still holds it."""
    held = [_Held(), _Held()]
    watch = [weakref.ref(h) for h in held]
    if made_by == "cmpxchg":
        a = atomics.atomic(width=8, atype=atomics.INT)
        result = a.cmpxchg_strong(1, 2)
        assert result.expected == 0  # boxed and kept before being replaced
        result.success, result.expected = held
    else:
        result = atomics.CmpxchgResult(*held)
    del held
    gc.collect()
    assert [w() is not None for w in watch] == [True, True]
    assert (result.success, result.expected) == (watch[0](), watch[1]())
    del result
    for _ in range(3):
        gc.collect()
    assert [w() for w in watch] == [None, None]


def test_cmpxchg_result_not_subclassable():
    """On every interpreter alike (the compiled class cannot be)."""
    with pytest.raises(TypeError):
        class Sub(atomics.CmpxchgResult):  # noqa: F841
            pass


@pytest.mark.parametrize("cls", FAMILIES[0] + FAMILIES[1],
                         ids=lambda c: c.__name__)
def test_not_subclassable(cls):
    with pytest.raises(TypeError):
        type("Sub", (cls,), {})
    with pytest.raises(TypeError):
        class Sub(cls):  # noqa: F841
            pass


def test_bound_methods():
    a = atomics.atomic(width=4, atype=atomics.UINT)
    m = a.inc
    m()
    m()
    assert a.load() == 2
