"""atomic(), atomicview(), the classes built directly, and widths."""

import array
import ctypes
import sys
import warnings

import pytest

import atomics
import atomics.base
import atomics.ctx
import atomics.view
from atomics.exc import IgnoredArgumentWarning, UnsupportedWidthException

from .utils import (HAS_WIDTH_16, IS_CPYTHON, IS_GRAALPY_HPY,
                    UNSUPPORTED_WIDTHS, WIDTHS, aligned_slice, can_resize)

ATYPE_MSG = ("Type parameter 'atype' must be one of "
             "[ANY, INTEGRAL, BYTES, INT, UINT].")

OWNED_CLASSES = {
    atomics.INT: atomics.base.AtomicInt,
    atomics.UINT: atomics.base.AtomicUint,
    atomics.BYTES: atomics.base.AtomicBytes,
}
CONTEXT_CLASSES = {
    atomics.INT: (atomics.ctx.AtomicIntViewContext,
                  atomics.view.AtomicIntView),
    atomics.UINT: (atomics.ctx.AtomicUintViewContext,
                   atomics.view.AtomicUintView),
    atomics.BYTES: (atomics.ctx.AtomicBytesViewContext,
                    atomics.view.AtomicBytesView),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("atype", list(OWNED_CLASSES),
                         ids=lambda t: t.__name__)
def test_atomic_returns_class(atype, width):
    for a in (atomics.atomic(width=width, atype=atype),
              atomics.atomic(width, atype),
              atomics.atomic(width, atype=atype)):
        assert type(a) is OWNED_CLASSES[atype]
        assert a.width == width
        assert a.readonly is False
        assert a.load() == (bytes(width) if atype is atomics.BYTES else 0)


def test_atomic_integral_and_any():
    a = atomics.atomic(width=4, atype=atomics.INTEGRAL, is_signed=True)
    assert type(a) is atomics.base.AtomicIntegral
    assert a.signed is True
    a.store(-1)
    assert a.load() == -1
    u = atomics.atomic(width=4, atype=atomics.INTEGRAL, is_signed=False)
    assert u.signed is False
    u.store(2**32 - 1)
    assert u.load() == 2**32 - 1
    any_ = atomics.atomic(width=4, atype=atomics.ANY, is_integral=False,
                          is_signed=False)
    assert type(any_) is atomics.base.Atomic
    assert not hasattr(any_, "load")
    assert not hasattr(any_, "store")
    assert any_.width == 4
    assert any_.ops_supported == [atomics.OpType(v) for v in range(1, 18)]
    any_i = atomics.atomic(width=2, atype=atomics.ANY, is_integral=True,
                           is_signed=True)
    assert any_i.ops_supported == list(atomics.OpType)


def test_missing_required_kwargs():
    with pytest.raises(TypeError):
        atomics.atomic(width=4, atype=atomics.INTEGRAL)
    with pytest.raises(TypeError):
        atomics.atomic(width=4, atype=atomics.ANY, is_signed=True)
    with pytest.raises(TypeError):
        atomics.atomic(width=4, atype=atomics.ANY, is_integral=True)
    with pytest.raises(TypeError):
        atomics.atomicview(buffer=bytearray(4), atype=atomics.INTEGRAL)
    with pytest.raises(TypeError):
        atomics.atomic(atype=atomics.INT)
    with pytest.raises(TypeError):
        atomics.atomic(width=4)


# ------------------------------------------------ keywords beyond the API --
#
# atomics 1.0.2 ignored every extra keyword for INT, UINT and BYTES, and
# programs written for it pass some: is_signed=/is_integral= that agree with
# the atype are accepted silently, atomicview(width=N) is checked against
# the buffer, and anything else is ignored with an IgnoredArgumentWarning
# that names it (README, "Differences from atomics 1.0.2").

AGREEING = [
    (atomics.INT, dict(is_signed=True, is_integral=True)),
    (atomics.UINT, dict(is_signed=False, is_integral=1)),
    (atomics.BYTES, dict(is_signed=False, is_integral=False)),
    (atomics.INTEGRAL, dict(is_signed=False, is_integral=True)),
]


@pytest.mark.parametrize("atype,kwargs", AGREEING,
                         ids=lambda x: getattr(x, "__name__", str(x)))
def test_family_kwargs_that_agree_are_silent(atype, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        a = atomics.atomic(width=4, atype=atype, **kwargs)
        ctx = atomics.atomicview(buffer=bytearray(4), atype=atype, **kwargs)
        arr = atomics.atomicarray(2, 4, atype, **kwargs)
        actx = atomics.atomicarrayview(bytearray(8), 4, atype, **kwargs)
    with ctx as v:
        assert type(v).__name__ == type(a).__name__ + "View"
    with actx as av:
        assert type(av) is type(arr)
    if atype is not atomics.BYTES:
        assert a.signed is bool(kwargs["is_signed"])


DISAGREEING = [
    (atomics.UINT, "is_signed", True, "UINT is not signed"),
    (atomics.INT, "is_signed", False, "INT is signed"),
    (atomics.INT, "is_integral", False, "INT is integral"),
    (atomics.BYTES, "is_integral", True, "BYTES is not integral"),
    (atomics.BYTES, "is_signed", 1, "BYTES is not signed"),
    (atomics.INTEGRAL, "is_integral", None, "INTEGRAL is integral"),
]


@pytest.mark.parametrize("atype,name,value,what", DISAGREEING,
                         ids=lambda x: getattr(x, "__name__", repr(x)))
def test_family_kwargs_that_disagree_warn_and_are_ignored(atype, name, value,
                                                          what):
    extra = {"is_signed": True} if atype is atomics.INTEGRAL else {}
    kwargs = {name: value, **extra}
    for func, make in [
        ("atomic", lambda: atomics.atomic(width=4, atype=atype, **kwargs)),
        ("atomicview", lambda: atomics.atomicview(
            buffer=bytearray(4), atype=atype, **kwargs)),
        ("atomicarray", lambda: atomics.atomicarray(2, 4, atype, **kwargs)),
    ]:
        with pytest.warns(IgnoredArgumentWarning) as record:
            obj = make()
        assert len(record) == 1
        assert str(record[0].message) == \
            f"{func}() ignores {name}={value!r}: {what}"
        # the warning points at the line that called the factory
        assert record[0].filename == __file__
        if func == "atomicview":
            with obj as view:
                _check_kind(atype, view)
        else:
            _check_kind(atype, obj)


def _check_kind(atype, obj):
    """The ignored keyword changed nothing: the object is what the atype
    says."""
    if atype is atomics.UINT:
        assert obj.signed is False
    elif atype is atomics.INT:
        assert obj.signed is True
    elif atype is atomics.BYTES:
        assert not hasattr(obj, "signed")
    else:  # INTEGRAL, with is_signed=True
        assert obj.signed is True


MAKERS = [
    lambda **kw: atomics.atomic(width=4, atype=atomics.INT, **kw),
    lambda **kw: atomics.atomic(width=4, atype=atomics.ANY, is_integral=True,
                                is_signed=True, **kw),
    lambda **kw: atomics.atomicview(buffer=bytearray(4), atype=atomics.UINT,
                                    **kw),
    lambda **kw: atomics.atomicarray(2, 4, atomics.INT, **kw),
    lambda **kw: atomics.atomicarrayview(buffer=bytearray(8), width=4,
                                         atype=atomics.INT, **kw),
]
MAKER_IDS = ["atomic", "atomic-ANY", "atomicview", "atomicarray",
             "atomicarrayview"]


@pytest.mark.parametrize("make", MAKERS, ids=MAKER_IDS)
@pytest.mark.parametrize("keyword", ["sharde", "lenght", "whatever"])
def test_unknown_kwargs_warn_and_are_ignored(make, keyword):
    """A keyword with no meaning (1.0.2 ignored it silently, so a misspelt
    `sharde=True` went unnoticed) is ignored with a warning naming it."""
    reference = make()
    with pytest.warns(IgnoredArgumentWarning,
                      match=f"ignores the keyword argument '{keyword}': "
                      r"it means nothing to") as record:
        obj = make(**{keyword: True})
    assert len(record) == 1
    assert record[0].filename == __file__
    assert type(obj) is type(reference)
    for ctx in (obj, reference):
        if isinstance(ctx, atomics.ctx.AtomicViewContext):
            ctx.release()


def test_ignored_keywords_that_look_meaningful_get_advice():
    buf = bytearray(8)
    with pytest.warns(IgnoredArgumentWarning,
                      match=r"atomic\(\) ignores the keyword argument "
                      r"'buffer': an atomic\(\) has memory of its own .* "
                      r"use atomicview\(buffer="):
        a = atomics.atomic(width=8, atype=atomics.UINT, buffer=buf)
    a.store(7)
    assert buf == bytearray(8)  # ignored: the atomic is not on `buf`
    with pytest.warns(IgnoredArgumentWarning,
                      match=r"'shared': a view is shared exactly when its "
                      r"buffer is"):
        atomics.atomicview(buffer=bytearray(4), atype=atomics.INT,
                           shared=True).release()
    with pytest.warns(IgnoredArgumentWarning,
                      match=r"'buffer': .* use atomicarrayview\(buffer="):
        atomics.atomicarray(2, 4, atomics.INT, buffer=buf)


def test_every_ignored_keyword_is_named():
    with pytest.warns(IgnoredArgumentWarning) as record:
        atomics.atomic(width=4, atype=atomics.UINT, is_signed=True, foo=1,
                       bar=2)
    assert [str(w.message).split(":")[0] for w in record] == [
        "atomic() ignores is_signed=True",
        "atomic() ignores the keyword argument 'foo'",
        "atomic() ignores the keyword argument 'bar'"]


def test_ignored_argument_warning_class():
    assert atomics.IgnoredArgumentWarning is IgnoredArgumentWarning
    # shown by default wherever the call is (a DeprecationWarning would be
    # hidden when a library makes the call)
    assert issubclass(IgnoredArgumentWarning, UserWarning)
    assert not issubclass(IgnoredArgumentWarning, DeprecationWarning)
    assert "IgnoredArgumentWarning" not in atomics.__all__  # 1.0.2's list


def test_ignored_keyword_as_error_leaves_no_export():
    """With warnings turned into errors, the call fails before the buffer
    is exported."""
    buf = bytearray(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IgnoredArgumentWarning)
        with pytest.raises(IgnoredArgumentWarning, match="'sharde'"):
            atomics.atomicview(buffer=buf, atype=atomics.INT, sharde=True)
    assert can_resize(buf)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("atype,kwargs", [
    (atomics.INT, {}), (atomics.UINT, {}), (atomics.BYTES, {}),
    (atomics.INTEGRAL, {"is_signed": True}),
    (atomics.ANY, {"is_signed": False, "is_integral": True}),
], ids=["INT", "UINT", "BYTES", "INTEGRAL", "ANY"])
def test_atomicview_width_matching_the_buffer_is_accepted(width, atype,
                                                          kwargs):
    _, buf = aligned_slice(width)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ctx = atomics.atomicview(buffer=buf, width=width, atype=atype,
                                 **kwargs)
    with ctx as v:
        assert v.width == width


@pytest.mark.parametrize("width,size", [(8, 4), (4, 8), (1, 2), (16, 8),
                                        (0, 4), (-8, 8), (3, 4)])
def test_atomicview_width_not_matching_the_buffer_is_refused(width, size):
    buf = bytearray(size)
    with pytest.raises(ValueError) as info:
        atomics.atomicview(buffer=buf, width=width, atype=atomics.UINT)
    assert str(info.value).startswith(
        f"atomicview() got width={width}, but the buffer has {size} bytes")
    assert can_resize(buf)  # refused before the buffer was exported


def test_atomicview_width_bad_type_and_bad_buffer():
    with pytest.raises(TypeError) as info:
        atomics.atomicview(buffer=bytearray(4), width=4.0, atype=atomics.INT)
    assert str(info.value) == "Keyword argument 'width' must have type 'int'."
    # a non-buffer is reported as without width=
    with pytest.raises(TypeError) as info:
        atomics.atomicview(buffer=object(), width=4, atype=atomics.INT)
    assert str(info.value) == ("Keyword argument 'buffer' must support the "
                               "buffer protocol.")
    released = memoryview(bytearray(4))
    released.release()
    with pytest.raises(ValueError, match="released"):
        atomics.atomicview(buffer=released, width=4, atype=atomics.INT)


class _SubINT(atomics.INT):
    pass


BAD_ATYPES = [int, None, "INT", 4, atomics.INT(), _SubINT, atomics.base.AtomicInt,
              atomics.CmpxchgResult, object]


@pytest.mark.parametrize("bad", BAD_ATYPES, ids=repr)
def test_bad_atype(bad):
    with pytest.raises(TypeError) as info:
        atomics.atomic(width=4, atype=bad)
    assert str(info.value) == ATYPE_MSG
    with pytest.raises(TypeError) as info:
        atomics.atomicview(buffer=bytearray(4), atype=bad)
    assert str(info.value) == ATYPE_MSG


@pytest.mark.parametrize("bad", [4.0, "4", None, b"\x04", [4]], ids=repr)
def test_width_not_int(bad):
    with pytest.raises(TypeError) as info:
        atomics.atomic(width=bad, atype=atomics.INT)
    assert str(info.value) == "Keyword argument 'width' must have type 'int'."


@pytest.mark.parametrize("bad", [-1, -4, -(2**70)])
def test_width_negative(bad):
    with pytest.raises(ValueError) as info:
        atomics.atomic(width=bad, atype=atomics.UINT)
    assert str(info.value) == "Negative width"


@pytest.mark.parametrize("bad", [2**64, 2**64 + 4, 2**100])
def test_width_too_big(bad):
    with pytest.raises(OverflowError):
        atomics.atomic(width=bad, atype=atomics.BYTES)


@pytest.mark.isolated
@pytest.mark.parametrize("atype", list(OWNED_CLASSES),
                         ids=lambda t: t.__name__)
def test_unsupported_width(atype):
    for width in UNSUPPORTED_WIDTHS + [2**63 - 1, 2**64 - 1]:
        with pytest.raises(UnsupportedWidthException) as info:
            atomics.atomic(width=width, atype=atype)
        assert info.value.width == width
        assert info.value.readonly is False
        assert str(info.value) == ("No operations are supported on objects "
                                   f"with a width of {width}.")


@pytest.mark.isolated
def test_unsupported_width_integral_and_any():
    with pytest.raises(UnsupportedWidthException):
        atomics.atomic(width=3, atype=atomics.INTEGRAL, is_signed=True)
    with pytest.raises(UnsupportedWidthException):
        atomics.atomic(width=5, atype=atomics.ANY, is_integral=True,
                       is_signed=False)


@pytest.mark.isolated
def test_width_16_support_matches_cpu():
    """Width 16 exists exactly where the CPU has a lock-free 16-byte
    compare-exchange: x86_64 with cmpxchg16b, aarch64, s390x (new vs
    1.0.2)."""
    if HAS_WIDTH_16:
        for atype in OWNED_CLASSES:
            a = atomics.atomic(width=16, atype=atype)
            assert a.width == 16
    else:
        with pytest.raises(UnsupportedWidthException):
            atomics.atomic(width=16, atype=atomics.INT)


# --------------------------------------------- classes built directly --

def test_classes_direct_construction():
    a = atomics.base.AtomicInt(width=2)
    assert a.width == 2 and a.signed is True
    u = atomics.base.AtomicUint(width=8)
    assert u.signed is False
    b = atomics.base.AtomicBytes(width=4)
    assert b.load() == bytes(4)
    i = atomics.base.AtomicIntegral(width=4, is_signed=True)
    assert i.signed is True
    r = atomics.base.Atomic(width=4, is_integral=False, is_signed=False)
    assert r.width == 4


@pytest.mark.parametrize("call", [
    lambda: atomics.base.AtomicInt(2),
    lambda: atomics.base.AtomicUint(4),
    lambda: atomics.base.AtomicBytes(4),
    lambda: atomics.base.AtomicIntegral(4, is_signed=True),
    lambda: atomics.base.Atomic(4, is_integral=False, is_signed=False),
    lambda: atomics.base.AtomicInt(),
    lambda: atomics.base.AtomicIntegral(width=4),
    lambda: atomics.base.AtomicInt(width=4, bogus=1),
    lambda: atomics.ctx.AtomicIntViewContext(bytearray(4)),
    lambda: atomics.ctx.AtomicBytesViewContext(),
    lambda: atomics.ctx.AtomicIntegralViewContext(buffer=bytearray(4)),
])
def test_classes_direct_construction_errors(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.isolated
def test_direct_construction_validates_width():
    with pytest.raises(UnsupportedWidthException):
        atomics.base.AtomicInt(width=3)
    with pytest.raises(ValueError):
        atomics.base.AtomicUint(width=-1)
    with pytest.raises(TypeError):
        atomics.base.AtomicBytes(width=4.0)


def test_context_classes_direct():
    ba = bytearray(8)
    with atomics.ctx.AtomicIntViewContext(buffer=ba) as v:
        assert type(v) is atomics.view.AtomicIntView
        v.store(-2)
    assert bytes(ba) == (-2).to_bytes(8, sys.byteorder, signed=True)
    with atomics.ctx.AtomicIntegralViewContext(buffer=ba,
                                               is_signed=False) as v:
        assert type(v) is atomics.view.AtomicIntegralView
        assert v.load() == 2**64 - 2
    with atomics.ctx.AtomicViewContext(buffer=ba, is_integral=True,
                                       is_signed=True) as v:
        assert type(v) is atomics.view.AtomicView
        assert v.ops_supported == list(atomics.OpType)


def test_view_class_needs_core():
    with pytest.raises(TypeError) as info:
        atomics.view.AtomicIntView(bytearray(4))
    assert str(info.value) == ("Positional argument 'core' must have type "
                               "'AtomicCore'.")


# ------------------------------------------------------------ atomicview --

@pytest.mark.parametrize("atype", list(CONTEXT_CLASSES),
                         ids=lambda t: t.__name__)
def test_atomicview_returns_context(atype):
    ctx_cls, view_cls = CONTEXT_CLASSES[atype]
    for ctx in (atomics.atomicview(buffer=bytearray(4), atype=atype),
                atomics.atomicview(bytearray(4), atype),
                atomics.atomicview(bytearray(4), atype=atype)):
        assert type(ctx) is ctx_cls
        with ctx as v:
            assert type(v) is view_cls


@pytest.mark.parametrize("bad", [1234, "abcd", None, 4.0, [1, 2, 3, 4],
                                 object()], ids=repr)
def test_atomicview_not_a_buffer(bad):
    with pytest.raises(TypeError) as info:
        atomics.atomicview(buffer=bad, atype=atomics.INT)
    assert str(info.value) == ("Keyword argument 'buffer' must support the "
                               "buffer protocol.")


def test_atomicview_non_contiguous():
    ba = bytearray(16)
    mv = memoryview(ba)[::2]
    with pytest.raises(BufferError):
        atomics.atomicview(buffer=mv, atype=atomics.INT)
    mv.release()
    if IS_CPYTHON:
        assert can_resize(ba)


def test_atomicview_released_memoryview():
    mv = memoryview(bytearray(4))
    mv.release()
    with pytest.raises(ValueError):
        atomics.atomicview(buffer=mv, atype=atomics.INT)


@pytest.mark.parametrize("width", UNSUPPORTED_WIDTHS[:8])
def test_atomicview_unsupported_width(width):
    ba = bytearray(width)
    with pytest.raises(UnsupportedWidthException) as info:
        atomics.atomicview(buffer=ba, atype=atomics.BYTES)
    assert info.value.width == width
    assert info.value.readonly is False
    if IS_CPYTHON:
        assert can_resize(ba)  # no export left behind
    with pytest.raises(UnsupportedWidthException) as info:
        atomics.atomicview(buffer=bytes(width), atype=atomics.INT)
    assert info.value.readonly is True
    assert str(info.value) == ("No operations are supported on readonly "
                               f"objects with a width of {width}.")


def test_width_is_nbytes():
    arr = array.array("i", [-7])
    with atomics.atomicview(buffer=arr, atype=atomics.INT) as a:
        assert a.width == arr.itemsize
        assert a.load() == -7
        a.store(12)
    assert arr[0] == 12
    arr_h = array.array("H", [513])
    with atomics.atomicview(buffer=arr_h, atype=atomics.UINT) as a:
        assert a.width == 2
        assert a.load() == 513
    ba = bytearray(8)
    cast = memoryview(ba).cast("B", (2, 4))
    with atomics.atomicview(buffer=cast, atype=atomics.BYTES) as a:
        assert a.width == 8
        a.store(b"12345678")
    cast.release()
    assert ba == b"12345678"


@pytest.mark.skipif(IS_GRAALPY_HPY,
                    reason="GraalPy 24.2's C API cannot export a ctypes "
                    "object's buffer (atomicview raises BufferError there)")
def test_ctypes_object_as_buffer():
    c = ctypes.c_int64(-5)
    with atomics.atomicview(buffer=c, atype=atomics.INT) as a:
        assert a.width == 8
        assert a.load() == -5
        a.fetch_add(10)
    assert c.value == 5


def test_atomicview_memoryview_slice():
    backing, mv = aligned_slice(8, 8)
    with atomics.atomicview(buffer=mv, atype=atomics.UINT) as a:
        a.store(0x0102030405060708)
    assert bytes(backing[:]).count(bytes(mv)) >= 1
    assert int.from_bytes(mv, sys.byteorder) == 0x0102030405060708
