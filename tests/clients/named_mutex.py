# SPDX-License-Identifier: MIT
"""Client program: a named mutex for long waits, from code and coroutines.

Usage pattern: a mutex over a named 4-byte `SharedMemory` segment. It
calls `atomicview(segment.buf, INT)` (both arguments by position, the whole
segment as the buffer; imported as `from atomics import INT, atomicview`),
enters the context once and keeps the view for the mutex's life. Taking it
tries `cmpxchg_weak(UNLOCKED, LOCKED).success`, either once (non-blocking)
or every 10 ms until a timeout, in plain code or with `asyncio.sleep`;
giving it back stores UNLOCKED; closing exits the context before closing
the segment, which the context holds. The mutex pickles as its name and
re-opens the segment on arrival (`__getstate__`/`__setstate__`).
"""

import asyncio
import multiprocessing
import os
import struct
import sys
import time
from multiprocessing import shared_memory

from atomics import INT, atomicview

UNLOCKED, LOCKED = 0, 1
ROUNDS = 20
WORKERS = 2
POLL = 0.01


class NamedMutex:
    def __init__(self, name, create=False):
        self._open(name, create)

    def _open(self, name, create):
        self.name = name
        self.segment = shared_memory.SharedMemory(name=name, create=create,
                                                  size=4 if create else 0)
        self._ctx = atomicview(self.segment.buf, INT)
        self._word = self._ctx.__enter__()
        if create:
            self._word.store(UNLOCKED)

    def try_lock(self):
        return self._word.cmpxchg_weak(UNLOCKED, LOCKED).success

    def lock(self, blocking=True, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.try_lock():
            if not blocking or (deadline and time.monotonic() >= deadline):
                return False
            time.sleep(POLL)
        return True

    async def lock_async(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.try_lock():
            if deadline and time.monotonic() >= deadline:
                return False
            await asyncio.sleep(POLL)
        return True

    def unlock(self):
        self._word.store(UNLOCKED)

    def __enter__(self):
        self.lock()
        return self

    def __exit__(self, *exc):
        self.unlock()

    async def __aenter__(self):
        await self.lock_async()
        return self

    async def __aexit__(self, *exc):
        self.unlock()

    def close(self):
        if self._ctx is not None:
            self._ctx.__exit__(None, None, None)  # first: it holds the buffer
            self._ctx = self._word = None
            self.segment.close()

    def destroy(self):
        self.close()
        self.segment.unlink()

    def __getstate__(self):
        return {"name": self.name}

    def __setstate__(self, state):
        self._open(state["name"], create=False)


def slow_increment(data):
    value, = struct.unpack_from("q", data.buf)
    time.sleep(0.001)  # a "long" critical section
    struct.pack_into("q", data.buf, 0, value + 1)


async def two_coroutines(mutex, data):
    async def bump_some():
        for _ in range(ROUNDS // 2):
            async with mutex:
                slow_increment(data)
                await asyncio.sleep(0)  # the other one tries meanwhile
    await asyncio.gather(bump_some(), bump_some())


def worker(mutex, data_name):
    data = shared_memory.SharedMemory(name=data_name)
    for _ in range(ROUNDS):
        with mutex:
            slow_increment(data)
    asyncio.run(two_coroutines(mutex, data))
    data.close()
    mutex.close()


def main():
    mutex = NamedMutex(f"mutex-{os.getpid()}", create=True)
    data = shared_memory.SharedMemory(create=True, size=8)
    data.buf[:8] = bytes(8)
    try:
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=worker, args=(mutex, data.name))
                 for _ in range(WORKERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        total, = struct.unpack_from("q", data.buf)
        assert total == WORKERS * 2 * ROUNDS, total
        assert mutex.lock(blocking=False)
        assert not mutex.lock(blocking=False)
        started = time.monotonic()
        assert not mutex.lock(timeout=0.05)
        assert time.monotonic() - started >= 0.05
        assert not asyncio.run(mutex.lock_async(timeout=0.05))
        mutex.unlock()
        assert mutex.lock(timeout=0.05)
        mutex.unlock()
        print(f"critical sections: {total}")
    finally:
        data.close()
        data.unlink()
        mutex.destroy()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
