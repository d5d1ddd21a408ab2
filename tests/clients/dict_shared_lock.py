# SPDX-License-Identifier: MIT
"""Client program: the cross-process lock of a dict kept in shared memory.

Usage pattern: a dictionary synchronised through `SharedMemory` keeps a
small control block with fields at fixed offsets (a stream position, the
lock holder's pid, a lock byte, the data), each a memoryview slice kept as
an attribute. Its lock views the lock byte with
`atomics.atomicview(buffer=lock_field[0:1], atype=atomics.BYTES)`, enters
that context once when the lock is made, and keeps the view. Taking the
lock is a test-and-set, `exchange(b'\\x01')` returning `b'\\x00'`, retried
a bounded number of times; the holder's pid goes into the plain bytes
beside it, and the lock is reentrant within a process. Giving it back
clears the pid, then `exchange(b'\\x00')` must return `b'\\x01'`; a lock
left by a dead process is taken over with `cmpxchg_strong(expected=b'\\x01',
desired=b'\\x00').success`; closing calls `ctx.__exit__(None, None, None)`.
`os.register_at_fork` refreshes the pid in forked children. Workers
started by `fork` and by `spawn` attach by name and update the data under
the lock, nesting acquisitions.
"""

import multiprocessing
import os
import sys
import time
from multiprocessing import shared_memory

import atomics

ROUNDS = 200
SPINS = 100_000


class LockTimeout(Exception):
    pass


class ControlBlock:
    """[0:4] stream position, [4:8] the lock holder's pid, [8:10] the lock,
    [10:18] the data (a stand-in for the dict's contents)."""

    def __init__(self, name=None):
        if name is None:
            self.memory = shared_memory.SharedMemory(create=True, size=512)
            self.memory.buf[:18] = bytes(18)
        else:
            self.memory = shared_memory.SharedMemory(name=name)
        buf = self.memory.buf
        self.position_field = buf[0:4]
        self.holder_field = buf[4:8]
        self.lock_field = buf[8:10]
        self.data_field = buf[10:18]
        self.lock = ProcessLock(self.lock_field, self.holder_field)

    @staticmethod
    def _get(field):
        return int.from_bytes(field, "little")

    @staticmethod
    def _put(field, value):
        field[:] = value.to_bytes(len(field), "little")

    def increment(self, n):
        with self.lock, self.lock:  # nested, as dict methods call each other
            self._put(self.data_field, self._get(self.data_field) + n)
            self._put(self.position_field,
                      self._get(self.position_field) + 1)

    def close(self):
        self.lock.close()
        del self.position_field, self.holder_field, self.lock_field
        del self.data_field
        self.memory.close()


class ProcessLock:
    def __init__(self, lock_field, holder_field):
        self.depth = 0
        self.lock_field = lock_field
        self.holder_field = holder_field
        self.pid = os.getpid()
        self.ctx = atomics.atomicview(buffer=lock_field[0:1],
                                      atype=atomics.BYTES)
        self.flag = self.ctx.__enter__()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self):
        if self.depth:
            raise RuntimeError("forked while holding the lock")
        self.pid = os.getpid()

    def holder(self):
        return int.from_bytes(self.holder_field, "little")

    def acquire(self):
        if self.depth:
            if self.holder() != self.pid:
                raise RuntimeError(f"process {self.holder()} took our lock")
            self.depth += 1
            return
        for _ in range(SPINS):
            if self.flag.exchange(b"\x01") == b"\x00":
                assert self.holder() == 0
                self.holder_field[:] = self.pid.to_bytes(4, "little")
                self.depth = 1
                return
            time.sleep(0)
        raise LockTimeout(f"held by {self.holder()}")

    def release(self):
        if self.holder() != self.pid:
            raise RuntimeError(f"process {self.holder()} took our lock")
        self.depth -= 1
        if self.depth == 0:
            self.holder_field[:] = bytes(4)
            if self.flag.exchange(b"\x00") != b"\x01":
                raise RuntimeError("the lock was free")

    def take_over(self):
        """Free a lock whose holder died; False if it was not held."""
        if self.depth:
            raise RuntimeError("we hold it: release it instead")
        self.holder_field[:] = bytes(4)
        return self.flag.cmpxchg_strong(expected=b"\x01",
                                        desired=b"\x00").success

    def close(self):
        self.ctx.__exit__(None, None, None)
        del self.ctx, self.flag, self.lock_field, self.holder_field

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def attached(name, n):
    block = ControlBlock(name)
    for _ in range(ROUNDS):
        block.increment(n)
    block.close()


def inherited(block, n):
    # the parent's objects, copied by fork: the view is still open here
    for _ in range(ROUNDS):
        block.increment(n)


def main():
    block = ControlBlock()
    try:
        plan = [("spawn", attached, block.memory.name),
                ("spawn", attached, block.memory.name),
                ("fork", inherited, block),
                ("fork", attached, block.memory.name)]
        procs = [multiprocessing.get_context(method).Process(
            target=target, args=(arg, 3)) for method, target, arg in plan]
        for p in procs:
            p.start()
        for _ in range(ROUNDS):
            block.increment(1)
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        value = block._get(block.data_field)
        assert value == ROUNDS * (1 + 3 * len(procs)), value
        print(f"value: {value}, updates: "
              f"{block._get(block.position_field)}")
        lock = block.lock
        assert not lock.take_over()  # nobody holds it
        lock.flag.store(b"\x01")  # as if its holder had died
        assert lock.take_over()
        assert block.lock_field[0] == 0
        with lock:
            assert lock.holder() == os.getpid()
        assert lock.holder() == 0
    finally:
        block.close()
        block.memory.unlink()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
