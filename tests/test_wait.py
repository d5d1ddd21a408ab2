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
