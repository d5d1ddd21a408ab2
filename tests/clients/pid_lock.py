# SPDX-License-Identifier: MIT
"""Client program: a lock that records its holder's pid, for a shared cache.

Usage pattern: a fault-tolerant lock in a 4-byte `SharedMemory` segment.
It opens `atomics.atomicview(buffer=shm.buf, atype=atomics.INT)` once,
keeps the view from `ctx.__enter__()` for its whole life, and stores -1 to
mean free. Taking it loops on `cmpxchg_strong(-1, os.getpid())` with short
random sleeps; giving it back is `cmpxchg_strong(os.getpid(), -1)`, logged
as an error if it fails; when a worker dies holding it, the parent frees it
with `cmpxchg_strong(dead_pid, -1)`. The lock reaches the workers by `fork`.
"""

import logging
import multiprocessing
import os
import random
import signal
import struct
import sys
import time
from multiprocessing.shared_memory import SharedMemory

import atomics

log = logging.getLogger("cache")
ROUNDS = 300
WORKERS = 3
FREE = -1


class OwnedLock:
    backoff = 50e-6

    def __init__(self):
        self.segment = SharedMemory(create=True, size=4)
        self._ctx = atomics.atomicview(buffer=self.segment.buf,
                                       atype=atomics.INT)
        self._owner = self._ctx.__enter__()
        self._owner.store(FREE)

    def __enter__(self):
        me = os.getpid()
        while not self._owner.cmpxchg_strong(FREE, me):
            time.sleep(self.backoff * random.random())

    def __exit__(self, *exc):
        if not self._owner.cmpxchg_strong(os.getpid(), FREE):
            log.error("lost the lock while holding it")

    def owner(self):
        return self._owner.load()

    def free_if_held_by(self, pid):
        """For a process known to be dead: give its lock back."""
        if not self._owner.cmpxchg_strong(pid, FREE):
            return False
        log.warning("freed the lock held by dead process %d", pid)
        return True

    def destroy(self):
        self._ctx.__exit__(None, None, None)
        self.segment.close()
        self.segment.unlink()


def add_one(cache):
    hits, = struct.unpack_from("q", cache.buf)
    struct.pack_into("q", cache.buf, 0, hits + 1)


def worker(lock, cache):
    for _ in range(ROUNDS):
        with lock:
            add_one(cache)


def dies_holding(lock, cache):
    lock.__enter__()
    add_one(cache)
    time.sleep(600)  # killed before it lets go


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout,
                        format="%(levelname)s %(message)s")
    ctx = multiprocessing.get_context("fork")
    lock = OwnedLock()
    cache = SharedMemory(create=True, size=8)
    cache.buf[:8] = bytes(8)
    try:
        victim = ctx.Process(target=dies_holding, args=(lock, cache))
        victim.start()
        while lock.owner() != victim.pid:
            time.sleep(0.001)
        workers = [ctx.Process(target=worker, args=(lock, cache))
                   for _ in range(WORKERS)]
        for p in workers:
            p.start()
        time.sleep(0.05)
        assert lock.owner() == victim.pid  # the others are still waiting
        os.kill(victim.pid, signal.SIGKILL)
        victim.join()
        assert not lock.free_if_held_by(os.getpid())  # not ours: no change
        assert lock.free_if_held_by(victim.pid)
        for p in workers:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        total, = struct.unpack_from("q", cache.buf)
        assert total == 1 + WORKERS * ROUNDS, total
        assert lock.owner() == FREE
        print(f"updates: {total}")
    finally:
        cache.close()
        cache.unlink()
        lock.destroy()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
