# SPDX-License-Identifier: MIT
"""Client program: a table of spin locks in one shared-memory segment.

Usage pattern: a model server keeps one 4-byte lock per resource in a
`SharedMemory` segment; each lock object holds its slice
`shm.buf[i * 4:(i + 1) * 4]` and opens a fresh view for every operation:
trying returns `a.cmpxchg_weak(0, 1)` itself (a CmpxchgResult, used as a
bool) from `with atomics.atomicview(self.word, atype=atomics.INT)`, the
blocking form spins on `while not a.cmpxchg_weak(0, 1): pass` and unlocking
on `while not a.cmpxchg_weak(1, 0): pass`. For coroutines, an async lock
retries the non-blocking form with jittered exponential backoff. Worker
processes update plain (non-atomic) counters under the locks.
"""

import asyncio
import multiprocessing
import random
import struct
import sys
from multiprocessing import shared_memory

import atomics

LOCKS = 4
ROUNDS = 400
TASK_ROUNDS = 50
WORKERS = 3


class LockTable:
    def __init__(self, name, count):
        self.count = count
        try:
            self.segment = shared_memory.SharedMemory(name=name, create=True,
                                                      size=4 * count)
            self.segment.buf[:] = bytes(4 * count)
        except FileExistsError:
            self.segment = shared_memory.SharedMemory(name=name)

    def __getitem__(self, i):
        if not 0 <= i < self.count:
            raise IndexError(i)
        return SpinLock(self.segment.buf[i * 4:(i + 1) * 4])


class SpinLock:
    def __init__(self, word):
        self.word = word

    def try_acquire(self):
        with atomics.atomicview(self.word, atype=atomics.INT) as a:
            return a.cmpxchg_weak(0, 1)

    def release(self):
        with atomics.atomicview(self.word, atype=atomics.INT) as a:
            a.store(0)

    def __enter__(self):
        with atomics.atomicview(buffer=self.word, atype=atomics.INT) as a:
            while not a.cmpxchg_weak(0, 1):
                pass

    def __exit__(self, *exc):
        with atomics.atomicview(buffer=self.word, atype=atomics.INT) as a:
            while not a.cmpxchg_weak(1, 0):
                pass

    def forget(self):
        self.word.release()


class BackoffLock:
    def __init__(self, lock, first=0.0002, growth=1.5, longest=0.01):
        self.lock = lock
        self.first, self.growth, self.longest = first, growth, longest

    async def __aenter__(self):
        pause = self.first
        while not self.lock.try_acquire():
            await asyncio.sleep(pause)
            pause = min(pause * self.growth, self.longest)
            pause *= random.uniform(0.7, 1.3)

    async def __aexit__(self, *exc):
        self.lock.release()


def increment(counters, i):
    """Deliberately not atomic: read, then write."""
    value, = struct.unpack_from("q", counters.buf, 8 * i)
    struct.pack_into("q", counters.buf, 8 * i, value + 1)


async def coroutine_pair(lock, counters):
    async def bumps():
        for _ in range(TASK_ROUNDS):
            async with BackoffLock(lock):
                value, = struct.unpack_from("q", counters.buf, 0)
                await asyncio.sleep(0)  # the other coroutine runs here
                struct.pack_into("q", counters.buf, 0, value + 1)
    await asyncio.gather(bumps(), bumps())


def worker(table_name, counters_name):
    table = LockTable(table_name, LOCKS)
    counters = shared_memory.SharedMemory(name=counters_name)
    locks = [table[i] for i in range(LOCKS)]
    for n in range(ROUNDS):
        with locks[n % LOCKS]:
            increment(counters, n % LOCKS)
    asyncio.run(coroutine_pair(locks[0], counters))
    for lock in locks:
        lock.forget()
    counters.close()
    table.segment.close()


def main():
    table_name = f"locks-{multiprocessing.current_process().pid}"
    table = LockTable(table_name, LOCKS)
    counters = shared_memory.SharedMemory(create=True, size=8 * LOCKS)
    counters.buf[:] = bytes(8 * LOCKS)
    try:
        procs = [multiprocessing.Process(target=worker,
                                         args=(table_name, counters.name))
                 for _ in range(WORKERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        got = list(struct.unpack_from(f"{LOCKS}q", counters.buf))
        want = [WORKERS * (ROUNDS // LOCKS)] * LOCKS
        want[0] += WORKERS * 2 * TASK_ROUNDS
        assert got == want, (got, want)
        print(f"counters: {got}")
        lock = table[1]
        assert lock.try_acquire()
        assert not lock.try_acquire()  # held
        lock.release()
        lock.forget()
        assert bytes(table.segment.buf) == bytes(4 * LOCKS)  # all free
    finally:
        counters.close()
        counters.unlink()
        table.segment.close()
        table.segment.unlink()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
