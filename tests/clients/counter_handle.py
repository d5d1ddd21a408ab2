# SPDX-License-Identifier: MIT
"""Client program: handles that hand out view contexts on demand.

Usage pattern: a replay buffer keeps its write cursors as 8-byte slots in a
larger shared buffer, each behind a small handle object. Calling the handle
returns a new context, `atomics.atomicview(buffer[offset:offset + size],
atype=atomics.INT)` (buffer passed positionally), used as `with
handle() as a: a.fetch_add(1)`; `peek()` reads the slot's bytes directly,
without making a view, for a cheap approximate look; `copy()` makes another
handle on the same slot (the new process's side of a pickle).
"""

import multiprocessing
import struct
import sys
from multiprocessing import shared_memory

import atomics

SLOTS = 4
ROUNDS = 500
WORKERS = 3


class AtomicHandle:
    def __init__(self, buffer, offset, size=8):
        self._buffer = buffer
        self._offset = offset
        self._size = size

    def __call__(self):
        """A new atomicview context on the slot."""
        return atomics.atomicview(
            self._buffer[self._offset:self._offset + self._size],
            atype=atomics.INT)

    def peek(self):
        return struct.unpack_from("q", self._buffer, self._offset)[0]

    def copy(self, buffer=None):
        return AtomicHandle(self._buffer if buffer is None else buffer,
                            self._offset, self._size)


def worker(name, wid):
    shm = shared_memory.SharedMemory(name=name)
    handles = [AtomicHandle(shm.buf, 8 * i) for i in range(SLOTS)]
    for n in range(ROUNDS):
        with handles[n % SLOTS]() as a:
            a.fetch_add(wid)
        with handles[(n + 1) % SLOTS]() as a:
            a.fetch_sub(1)
    del handles
    shm.close()


def main():
    shm = shared_memory.SharedMemory(create=True, size=8 * SLOTS)
    shm.buf[:] = bytes(8 * SLOTS)
    handles = [AtomicHandle(shm.buf, 8 * i) for i in range(SLOTS)]
    try:
        procs = [multiprocessing.Process(target=worker, args=(shm.name, w))
                 for w in range(1, WORKERS + 1)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        per_slot = ROUNDS // SLOTS
        want = per_slot * sum(range(1, WORKERS + 1)) - per_slot * WORKERS
        values = []
        for h in handles:
            with h() as a:
                values.append(a.load())
            assert h.peek() == values[-1]
        assert values == [want] * SLOTS, values
        twin = handles[0].copy()
        with twin() as a:
            a.store(-5)
        assert handles[0].peek() == -5
        print(f"slots: {values}")
    finally:
        del handles
        twin = None
        shm.close()
        shm.unlink()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
