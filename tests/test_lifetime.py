"""The view-context lifetime contract (README "Lifetime of views")."""

import gc
import mmap
import sys

import pytest

import atomics
import atomics.ctx
import atomics.exc
import atomics.view

from .utils import (ATYPES, IS_CPYTHON, IS_GRAALPY, IS_GRAALPY_HPY, IS_PYPY,
                    can_resize,
                    collect_unraisable, ops_for, INDEX_OPS, OPERAND_OPS,
                    CMPXCHG_OPS)

MULTIPLE = "Cannot open context multiple times."
AFTER_RELEASE = "Cannot open context after calling 'release'."
RELEASE_OPEN = "Cannot call 'release' while context is open."
RELEASED = "Operation forbidden on released AtomicCore object."

cpython_only = pytest.mark.skipif(
    not IS_CPYTHON, reason="only CPython locks buffer exporters "
    f"({sys.implementation.name} does not)")


def new_ctx(atype=atomics.INT, size=4):
    ba = bytearray(size)
    return ba, atomics.atomicview(buffer=ba, atype=atype)


def test_enter_returns_view_sharing_buffer():
    ba, ctx = new_ctx()
    with ctx as a:
        assert isinstance(a, atomics.view.AtomicIntView)
        a.store(7)
        assert int.from_bytes(ba, sys.byteorder) == 7


def test_enter_while_open():
    _, ctx = new_ctx()
    with ctx as a:
        with pytest.raises(ValueError) as info:
            ctx.__enter__()
        assert str(info.value) == MULTIPLE
        assert a.load() == 0  # still usable
        with pytest.raises(ValueError) as info:
            with ctx:
                pass
        assert str(info.value) == MULTIPLE
        assert a.load() == 0


def test_release_while_open():
    _, ctx = new_ctx()
    with ctx as a:
        with pytest.raises(ValueError) as info:
            ctx.release()
        assert str(info.value) == RELEASE_OPEN
        a.inc()
        assert a.load() == 1


@pytest.mark.parametrize("closer", ["release", "__exit__", "exit_args"])
def test_enter_after_release_before_enter(closer):
    ba, ctx = new_ctx()
    if closer == "release":
        assert ctx.release() is None
    elif closer == "__exit__":
        assert ctx.__exit__() is None
    else:
        assert ctx.__exit__(None, None, None) is None
    if IS_CPYTHON:
        assert can_resize(ba)
    with pytest.raises(ValueError) as info:
        ctx.__enter__()
    assert str(info.value) == AFTER_RELEASE


def test_enter_after_normal_exit():
    """The README's documented text (1.0.2 said 'multiple times')."""
    _, ctx = new_ctx()
    with ctx:
        pass
    with pytest.raises(ValueError) as info:
        ctx.__enter__()
    assert str(info.value) == AFTER_RELEASE
    with pytest.raises(ValueError) as info:
        with ctx:
            pass
    assert str(info.value) == AFTER_RELEASE


def test_release_and_exit_repeatable():
    _, ctx = new_ctx()
    ctx.release()
    ctx.release()
    ctx.__exit__(None, None, None)
    ctx.release()
    _, ctx = new_ctx()
    with ctx:
        pass
    ctx.release()
    ctx.__exit__(None, None, None)
    ctx.release()


def test_exit_returns_none_and_exceptions_propagate():
    ba, ctx = new_ctx()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with ctx as a:
            a.store(3)
            raise Boom()
    assert ctx.__exit__(Boom, Boom(), None) is None
    with pytest.raises(ValueError) as info:
        a.load()
    assert str(info.value) == RELEASED
    if IS_CPYTHON:
        assert can_resize(ba)


def test_manual_exit_inside_with():
    ba, ctx = new_ctx()
    with ctx as a:
        a.store(5)
        ctx.__exit__(None, None, None)
        if IS_CPYTHON:
            assert can_resize(ba)  # released at once
        with pytest.raises(ValueError) as info:
            a.load()
        assert str(info.value) == RELEASED
    # the real exit afterwards is harmless
    with pytest.raises(ValueError) as info:
        ctx.__enter__()
    assert str(info.value) == AFTER_RELEASE


def released_view(kind):
    ba, ctx = new_ctx(ATYPES[kind], 8)
    with ctx as a:
        a.store(a.load())
    return a


def call_args(opname, kind):
    if opname in CMPXCHG_OPS:
        return (bytes(8), bytes(8)) if kind == "BYTES" else (0, 0)
    if opname in INDEX_OPS:
        return (0,)
    if opname in OPERAND_OPS:
        return (bytes(8),) if kind == "BYTES" else (1,)
    return ()


@pytest.mark.parametrize("kind,opname", [
    pytest.param(k, o, id=f"{k}-{o}") for k in ATYPES for o in ops_for(k)])
def test_released_view_methods(kind, opname):
    a = released_view(kind)
    with pytest.raises(ValueError) as info:
        getattr(a, opname)(*call_args(opname, kind))
    assert str(info.value) == RELEASED


@pytest.mark.parametrize("kind", list(ATYPES))
def test_released_view_properties_and_dunders(kind):
    a = released_view(kind)
    uses = [lambda: a.width, lambda: a.readonly, lambda: a.ops_supported,
            lambda: str(a), lambda: format(a)]
    if kind == "BYTES":
        uses.append(lambda: bytes(a))
    else:
        uses += [lambda: int(a), lambda: a.signed]
    for use in uses:
        with pytest.raises(ValueError) as info:
            use()
        assert str(info.value) == RELEASED
    assert type(a).__name__ in repr(a)  # repr still works


def test_released_any_view():
    ba = bytearray(4)
    with atomics.atomicview(buffer=ba, atype=atomics.ANY, is_integral=False,
                            is_signed=False) as a:
        assert str(a) == "AtomicView(width=4, readonly=False)"
    for use in (lambda: a.width, lambda: str(a)):
        with pytest.raises(ValueError):
            use()


# -------------------------------------------------- buffer exports held --

@cpython_only
def test_bytearray_locked_while_open():
    ba, ctx = new_ctx()
    assert not can_resize(ba)  # the context holds the export from creation
    with ctx:
        with pytest.raises(BufferError):
            ba.extend(b"1234")
        with pytest.raises(BufferError):
            ba.clear()
    assert can_resize(ba)
    ba.extend(b"1234")


@cpython_only
def test_bytearray_released_by_release_without_enter():
    ba, ctx = new_ctx()
    assert not can_resize(ba)
    ctx.release()
    assert can_resize(ba)


@cpython_only
def test_mmap_close_refused_while_open():
    m = mmap.mmap(-1, 8)
    ctx = atomics.atomicview(buffer=m, atype=atomics.UINT)
    with ctx as a:
        a.store(9)
        with pytest.raises(BufferError):
            m.close()
        assert a.load() == 9
    m.close()
    assert m.closed


@pytest.mark.skipif(IS_CPYTHON, reason="CPython refuses to close an "
                    "exported mmap (test_mmap_close_refused_while_open)")
@pytest.mark.parametrize("backing", ["anonymous", "file"])
def test_mmap_closed_under_a_view_keeps_it_valid(tmp_path, backing):
    """PyPy and GraalPy let an exported mmap close: the view then works on
    its own mapping of the same pages, so it neither crashes nor stops
    sharing them with the file (and other processes)."""
    if backing == "file":
        path = tmp_path / "data"
        path.write_bytes(bytes(8192))
        with open(path, "r+b") as f:
            m = mmap.mmap(f.fileno(), 8192)
    else:
        m = mmap.mmap(-1, 8192)
    ctx = atomics.atomicview(buffer=memoryview(m)[4096 + 8:4096 + 16],
                             atype=atomics.UINT)
    arrays = atomics.atomicarrayview(buffer=memoryview(m)[:32], width=4,
                                     atype=atomics.INT)
    with ctx as a, arrays as arr:
        a.store(5)
        assert m[4096 + 8:4096 + 16] == (5).to_bytes(8, sys.byteorder)
        m[4096 + 8:4096 + 16] = (6).to_bytes(8, sys.byteorder)
        assert a.load() == 6             # the same pages, both ways
        arr.store(7, -2)
        m.close()
        a.inc()
        arr.inc(7)
        assert (a.load(), arr.load(7)) == (7, -1)
    if backing == "file":
        data = path.read_bytes()
        assert data[4096 + 8:4096 + 16] == (7).to_bytes(8, sys.byteorder)
        assert data[28:32] == (-1).to_bytes(4, sys.byteorder, signed=True)


@pytest.mark.skipif(IS_CPYTHON, reason="CPython refuses to close an "
                    "exported mmap")
def test_private_mmap_views_still_work():
    """An ACCESS_COPY mmap has no shared pages to map again: the view works
    on the mmap's own memory (closing it first breaks the contract)."""
    m = mmap.mmap(-1, 4096, access=mmap.ACCESS_COPY)
    with atomics.atomicview(buffer=memoryview(m)[:8],
                            atype=atomics.INT) as a:
        a.store(-3)
        assert m[:8] == (-3).to_bytes(8, sys.byteorder, signed=True)
        m[:8] = (4).to_bytes(8, sys.byteorder)
        assert a.load() == 4
    m.close()


@cpython_only
def test_memoryview_release_refused_while_open():
    mv = memoryview(bytearray(8))
    with atomics.atomicview(buffer=mv, atype=atomics.UINT) as a:
        with pytest.raises(BufferError):
            mv.release()
        a.inc()
    mv.release()


def test_bytearray_resize_while_open():
    """CPython (and GraalPy 25) lock the exporter: resizing raises
    BufferError. PyPy does not lock exports: the resize is NOT prevented
    there (the contract - do not invalidate the buffer while the context is
    open - is then entirely the user's)."""
    if not (IS_CPYTHON or IS_PYPY or IS_GRAALPY and not IS_GRAALPY_HPY):
        pytest.skip(f"export locking unknown on {sys.implementation.name}")
    ba = bytearray(8)
    with atomics.atomicview(buffer=ba, atype=atomics.INT) as a:
        a.store(1)
        if not IS_PYPY:
            with pytest.raises(BufferError):
                ba.extend(b"12345678")
            assert len(ba) == 8
            assert a.load() == 1
        else:
            ba.extend(b"12345678")  # succeeds on PyPy
            assert len(ba) == 16
            # do not touch `a` now: its memory may be gone


@cpython_only
def test_with_without_as_keeps_export():
    """The view's __del__ does not release: `with ctx:` (no `as`) keeps the
    buffer exported until the exit."""
    ba, ctx = new_ctx()
    with ctx:
        gc.collect()
        assert not can_resize(ba)
    assert can_resize(ba)


@cpython_only
def test_deleting_view_inside_with_keeps_export():
    ba, ctx = new_ctx()
    with ctx as a:
        del a
        gc.collect()
        assert not can_resize(ba)
    assert can_resize(ba)


def test_context_collected_while_open():
    """A context collected while open does not release: its view keeps the
    buffer (and works) until the view itself goes; nothing is reported."""
    ba = bytearray(8)
    with collect_unraisable() as seen:
        ctx = atomics.atomicview(buffer=ba, atype=atomics.INT)
        view = ctx.__enter__()
        del ctx
        for _ in range(3):
            gc.collect()
        view.store(-1)
        assert view.load() == -1
        assert ba == b"\xff" * 8
        if IS_CPYTHON:
            assert not can_resize(ba)
        del view
    assert seen == []
    if IS_CPYTHON:
        assert can_resize(ba)


def test_context_collected_unused_releases():
    ba = bytearray(8)
    with collect_unraisable() as seen:
        atomics.atomicview(buffer=ba, atype=atomics.INT)
    assert seen == []
    if IS_CPYTHON:
        assert can_resize(ba)


@pytest.mark.parametrize("make", [lambda: bytearray(8),
                                  lambda: mmap.mmap(-1, 8),
                                  lambda: memoryview(bytearray(8))],
                         ids=["bytearray", "mmap", "memoryview"])
def test_temporary_buffer_kept_alive(make):
    """`atomicview(buffer=<temporary>)`: the context keeps the buffer
    object alive while it is in use."""
    with atomics.atomicview(buffer=make(), atype=atomics.INT) as a:
        for _ in range(3):
            gc.collect()
        junk = [bytearray(8) for _ in range(1000)]  # reuse freed memory
        a.store(-5)
        assert a.load() == -5
        assert all(j == bytes(8) for j in junk)


def test_view_survives_while_context_open_after_gc():
    ba, ctx = new_ctx()
    with ctx as a:
        gc.collect()
        a.inc()
        assert a.load() == 1


def test_two_contexts_same_buffer_independent():
    ba = bytearray(4)
    c1 = atomics.atomicview(buffer=ba, atype=atomics.INT)
    c2 = atomics.atomicview(buffer=ba, atype=atomics.UINT)
    with c1 as a:
        with c2 as b:
            a.store(-1)
            assert b.load() == 2**32 - 1
        with pytest.raises(ValueError):
            b.load()
        assert a.load() == -1
    if IS_CPYTHON:
        assert can_resize(ba)


def test_failed_context_construction_reports_nothing():
    """A context whose construction fails (missing or positional
    arguments) must not print 'Exception ignored in __del__' later."""
    with collect_unraisable() as seen:
        for bad in (lambda: atomics.atomicview(buffer=bytearray(4),
                                               atype=atomics.INTEGRAL),
                    lambda: atomics.ctx.AtomicBytesViewContext(),
                    lambda: atomics.ctx.AtomicIntViewContext(bytearray(4))):
            with pytest.raises(TypeError):
                bad()
    assert seen == []


def test_failed_context_construction_bad_buffer_reports_nothing():
    with collect_unraisable() as seen:
        for buf in (bytearray(3), 12, memoryview(bytearray(8))[::2]):
            with pytest.raises((TypeError, BufferError,
                                atomics.exc.UnsupportedWidthException)):
                atomics.atomicview(buffer=buf, atype=atomics.INT)
    assert seen == []
