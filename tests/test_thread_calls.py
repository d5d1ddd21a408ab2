"""Every call gives the same answer on another thread as on the main one.

GraalPy 24's HPy layer cannot call back into the interpreter from threads
other than the one that imported atomics, so there the integer operations
take another path (atomics/_jit.py, `_away` in hpy_src/atomic_ops.c): these
tests run one list of calls on the main thread and on a worker thread, each
on fresh atomics, and compare results, exceptions and the values left. On
CPython and PyPy both threads take the same path.
"""

import threading

import pytest

import atomics
from atomics import MemoryOrder as MO

from .utils import IS_GRAALPY_HPY, WIDTHS

BIG = [0, 1, -1, 5, 2**31 - 2, 2**31 - 1, 2**31, -2**31, 2**32 - 1, 2**32,
       2**47, 2**48 - 1, 2**48, 2**53 - 1, 2**53, 2**53 + 1, -2**53 - 1,
       2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1, 2**64, 2**95,
       2**96 - 1, 2**96 + 3, -2**96, 2**127 - 1, 2**127, -2**127,
       -2**127 - 1, 2**128 - 1, 2**128, -2**128, 2**130, -2**140, 2**1000]
ODD = [1.5, "3", None, b"\0", True]

SHAPES = {
    "value": ["store", "bin_or", "bin_xor", "bin_and", "add", "sub"],
    "fetch": ["exchange", "bin_fetch_or", "bin_fetch_xor", "bin_fetch_and",
              "fetch_add", "fetch_sub"],
    "noarg": ["load", "bin_not", "bin_fetch_not", "inc", "dec", "neg",
              "fetch_inc", "fetch_dec", "fetch_neg"],
    "bit": ["bit_test", "bit_test_set", "bit_test_reset", "bit_test_compl"],
}
ORDERS = [MO.RELAXED, MO.ACQUIRE, MO.RELEASE, MO.ACQ_REL, 5, None]


def calls(width, signed):
    """(method, args, kwargs) for an atomic of this width and sign."""
    start = -7 if signed else 2**(8 * width) - 9
    out = [("store", (start,), {})]
    for name in SHAPES["value"] + SHAPES["fetch"]:
        for v in BIG + ODD:
            out.append((name, (v,), {}))
            out.append(("load", (), {}))
        for order in ORDERS:
            out.append((name, (3,), {"order": order}))
    for name in SHAPES["noarg"]:
        for order in ORDERS + [MO.SEQ_CST]:
            out.append((name, (), {"order": order}))
            out.append(("load", (), {}))
    for name in SHAPES["bit"]:
        for i in [0, 3, 8 * width - 1, 8 * width, -1, 2**70, 1.0, "x"]:
            out.append((name, (i,), {}))
        out.append((name, (1,), {"order": MO.RELEASE}))
    for name in ("cmpxchg_weak", "cmpxchg_strong"):
        for expected, desired in [(start, 1), (1, 2**40), (5, 6),
                                  (2**70, 0), (0, 2**70), ("x", 0), (0, 1.5),
                                  (-1, -2), (2**(8 * width - 1), 0)]:
            out.append((name, (expected, desired), {}))
            out.append(("load", (), {}))
        for succ, fail in [(MO.ACQUIRE, MO.RELAXED), (MO.RELAXED, MO.ACQUIRE),
                           (MO.SEQ_CST, MO.RELEASE), (MO.SEQ_CST, 5),
                           (5, MO.RELAXED), (MO.ACQ_REL, MO.ACQUIRE)]:
            out.append((name, (0, 1), {"success": succ, "failure": fail}))
    out.append(("__int__", (), {}))
    out.append(("__str__", (), {}))
    out.append(("width", None, None))
    out.append(("signed", None, None))
    out.append(("readonly", None, None))
    out.append(("ops_supported", None, None))
    return out


def outcome(obj, name, args, kwargs):
    try:
        if args is None:
            return ("ok", getattr(obj, name))
        result = getattr(obj, name)(*args, **kwargs)
        if isinstance(result, atomics.CmpxchgResult):
            return ("ok", tuple(result))
        return ("ok", result)
    except Exception as exc:  # noqa: BLE001 - compared below
        return (type(exc).__name__, str(exc))


def run_all(a, width, signed):
    return [outcome(a, *call) for call in calls(width, signed)] + [
        ("final", a.load())]


def on_thread(func, *args):
    """func(*args) on a new thread (atomics are made on the main one: on
    GraalPy only integer operations run on other threads)."""
    box = []

    def target():
        try:
            box.append(("ok", func(*args)))
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            box.append(("raised", exc))

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(600)
    assert not t.is_alive(), "the worker thread hung"
    if box[0][0] == "raised":
        raise box[0][1]
    return box[0][1]


@pytest.mark.threads
def test_same_answers_on_a_thread():
    # (one test, not one per width: on GraalPy each `threads` test costs a
    # child interpreter's start)
    for atype, width in [("INT", 1), ("UINT", 2), ("INT", 4), ("UINT", 4),
                         ("INT", 8), ("UINT", 8), ("INT", 16), ("UINT", 16)]:
        if width not in WIDTHS:
            continue
        kind = getattr(atomics, atype)
        signed = atype == "INT"
        main = run_all(atomics.atomic(width=width, atype=kind), width, signed)
        assert on_thread(run_all, atomics.atomic(width=width, atype=kind),
                         width, signed) == main, (atype, width)


@pytest.mark.threads
def test_same_answers_on_a_thread_view_and_array():
    buf = bytearray(8)
    ctx = atomics.atomicview(buffer=buf, atype=atomics.INT)
    view = ctx.__enter__()

    def view_calls(v):
        return [outcome(v, *call) for call in calls(8, True)] + [
            ("final", v.load())]

    main = view_calls(view)
    view.store(0)
    assert on_thread(view_calls, view) == main
    ctx.__exit__()
    released = [outcome(view, name, (1,), {}) for name in
                ("store", "fetch_add", "bit_test")] + [
        outcome(view, name, (), {}) for name in ("load", "inc")] + [
        outcome(view, "width", None, None)]
    assert on_thread(lambda: [outcome(view, name, (1,), {}) for name in
                              ("store", "fetch_add", "bit_test")] + [
        outcome(view, name, (), {}) for name in ("load", "inc")] + [
        outcome(view, "width", None, None)]) == released
    assert released[0][0] == "ValueError"

    def array_calls(arr):
        out = []
        for i in [0, 2, -1, -3, 3, -4, 2**40, -2**70, 1.0, "0"]:
            out.append(outcome(arr, "fetch_add", (i, 2**33), {}))
            out.append(outcome(arr, "store", (i, -1), {}))
            out.append(outcome(arr, "cmpxchg_strong", (i, -1, 2**62), {}))
            out.append(outcome(arr, "bit_test_reset", (i, 62), {}))
            out.append(outcome(arr, "load", (i,), {"order": MO.ACQUIRE}))
            out.append(outcome(arr, "inc", (i,), {"order": MO.ACQUIRE}))
        out.append(outcome(arr, "__len__", (), {}))
        return out + [[arr.load(i) for i in range(len(arr))]]

    for signed in (True, False):
        def make():
            return atomics.atomicarray(3, 8, atomics.INT if signed
                                       else atomics.UINT)
        assert on_thread(array_calls, make()) == array_calls(make())


@pytest.mark.threads
def test_what_cannot_run_on_a_thread_fails_at_once():
    """On GraalPy, what needs the interpreter from a thread raises at once
    (elsewhere it simply works); the main thread is unharmed."""
    b = atomics.atomic(width=8, atype=atomics.BYTES)
    i = atomics.atomic(width=4, atype=atomics.INT, shared=True)

    def attempts():
        out = []
        for func in (lambda: b.store(b"12345678"), lambda: b.load(),
                     lambda: bytes(b),
                     lambda: i.wait(1, timeout=0), lambda: i.notify_all(),
                     lambda: atomics.atomic(width=4, atype=atomics.INT),
                     lambda: atomics.atomicarray(2, 4, atomics.INT),
                     lambda: atomics.atomicview(buffer=bytearray(4),
                                                atype=atomics.INT),
                     lambda: atomics.Alignment(4),
                     lambda: __import__("pickle").dumps(i)):
            try:
                func()
                out.append("ok")
            except RuntimeError as exc:
                out.append(str(exc))
        return out

    got = on_thread(attempts)
    if IS_GRAALPY_HPY:
        assert all("cannot run on this thread on GraalPy" in g for g in got), got
    else:
        assert got == ["ok"] * len(got)
    # the main thread still works, and so do the integer operations on the
    # worker
    assert i.fetch_add(2) == 0 and i.load() == 2
    assert on_thread(lambda: i.fetch_add(3)) == 2
    assert i.load() == 5
