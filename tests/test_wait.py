"""wait / notify_one / notify_all across threads and processes."""

import multiprocessing
import threading
import time

import pytest

import atomics

from .utils import GRAALPY_THREADS, IS_GRAALPY, WIDTHS


@pytest.mark.parametrize("width", WIDTHS)
def test_wait_returns_when_value_differs(width):
    a = atomics.atomic(width=width, atype=atomics.UINT)
    assert a.wait(1) is True          # already different: no blocking
    t0 = time.monotonic()
    assert a.wait(0, timeout=0.05) is False
    assert time.monotonic() - t0 >= 0.04


@GRAALPY_THREADS
@pytest.mark.parametrize("width", WIDTHS)
def test_notify_wakes_a_thread(width):
    a = atomics.atomic(width=width, atype=atomics.INT)
    woke = []

    def waiter():
        woke.append(a.wait(0, timeout=30))

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.05)
    a.store(-1)
    a.notify_all()
    t.join(30)
    assert woke == [True]


def test_wait_bytes_and_errors():
    b = atomics.atomic(width=4, atype=atomics.BYTES)
    assert b.wait(b"\1\0\0\0") is True
    with pytest.raises(ValueError):
        b.wait(b"\0")
    with pytest.raises(TypeError):
        atomics.atomic(width=4, atype=atomics.INT).wait("x")
    buf = bytearray(4)
    with atomics.atomicview(buffer=buf, atype=atomics.INT) as v:
        pass
    with pytest.raises(ValueError, match="released"):
        v.wait(0)
    with pytest.raises(ValueError, match="released"):
        v.notify_one()


def consumer(flag, rounds):
    """Wait for each odd value, answer with the next even one."""
    for i in range(rounds):
        flag.wait(2 * i)
        flag.store(2 * i + 2)
        flag.notify_all()


def test_ping_pong_between_processes():
    flag = atomics.atomic(width=4, atype=atomics.INT, shared=True)
    rounds = 20 if IS_GRAALPY else 200
    p = multiprocessing.get_context("spawn").Process(
        target=consumer, args=(flag, rounds))
    p.start()
    for i in range(rounds):
        flag.store(2 * i + 1)
        flag.notify_all()
        assert flag.wait(2 * i + 1, timeout=120)
    p.join(120)
    assert p.exitcode == 0
    assert flag.load() == 2 * rounds


# ------------------------------------------------------------ array elements

@pytest.mark.parametrize("width", WIDTHS)
def test_array_wait_watches_one_element(width):
    arr = atomics.atomicarray(3, width, atomics.UINT)
    arr.store(1, 5)
    assert arr.wait(1, 0) is True          # element 1 already differs
    assert arr.wait(-1, 0, timeout=0.02) is False
    assert arr.wait(0, 0, timeout=0) is False
    arr.notify_one(2)
    arr.notify_all(-3)
    assert [arr.load(i) for i in range(3)] == [0, 5, 0]


@GRAALPY_THREADS
@pytest.mark.parametrize("width", WIDTHS)
def test_array_notify_wakes_a_thread(width):
    """A waiter on element 2 sleeps through changes of its neighbours and
    wakes when its own element changes."""
    arr = atomics.atomicarray(4, width, atomics.INT)
    woke = []

    def waiter():
        woke.append(arr.wait(2, 0, timeout=30))

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.05)
    arr.store(1, 7)
    arr.store(3, 7)
    arr.notify_all(1)
    arr.notify_all(3)
    time.sleep(0.05)
    assert woke == []
    arr.store(2, -1)
    arr.notify_one(2)
    t.join(30)
    assert woke == [True]


def test_array_wait_errors():
    arr = atomics.atomicarray(2, 4, atomics.BYTES)
    assert arr.wait(0, b"\1\0\0\0") is True
    with pytest.raises(IndexError):
        arr.wait(2, b"\0\0\0\0")
    with pytest.raises(IndexError):
        arr.notify_one(-3)
    with pytest.raises(TypeError):
        arr.notify_all(1.0)
    with pytest.raises(ValueError):
        arr.wait(0, b"\0")                 # wrong width
    with pytest.raises(TypeError):
        atomics.atomicarray(2, 8, atomics.INT).wait(0, "x")
    assert not hasattr(atomics.atomicarray(1, 4, atomics.ANY,
                                           is_integral=True, is_signed=True),
                       "wait")
    ctx = atomics.atomicarrayview(buffer=bytearray(8), width=4,
                                  atype=atomics.INT)
    with ctx as view:
        assert view.wait(1, 1) is True
    with pytest.raises(ValueError, match="released"):
        view.wait(0, 0)
    with pytest.raises(ValueError, match="released"):
        view.notify_all(0)


def slot_worker(slots, n):
    """Wait for each slot to be handed over (1), answer by setting it to 2."""
    for i in range(n):
        slots.wait(i, 0)
        slots.store(i, 2)
        slots.notify_all(i)


def test_array_handshake_between_processes():
    n = 4 if IS_GRAALPY else 16
    slots = atomics.atomicarray(n, 4, atomics.INT, shared=True)
    p = multiprocessing.get_context("spawn").Process(
        target=slot_worker, args=(slots, n))
    p.start()
    for i in range(n):
        slots.store(i, 1)
        slots.notify_all(i)
        assert slots.wait(i, 1, timeout=120)
        assert slots.load(i) == 2
    p.join(120)
    assert p.exitcode == 0
