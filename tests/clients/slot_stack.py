# SPDX-License-Identifier: MIT
"""Client program: a pool of fixed-size slots in shared memory.

Usage pattern: an allocator keeps a stack of free slot numbers in a
`multiprocessing.shared_memory` segment, with the stack's top index in an
8-byte header field. The field is viewed with
`atomicview(buffer=shm.buf[24:32], width=8, atype=UINT)` (a `width=` that
atomics 1.0.2 ignored, here checked against the slice), the context is
entered once with `ctx.__enter__()` and the view kept on the instance for
the life of the segment, and `close()` calls `ctx.__exit__(None, None,
None)` before closing the segment. Worker processes attach by name and pop
slots with a compare-exchange loop on the top index.
"""

import multiprocessing
import struct
import sys
from multiprocessing import shared_memory

import atomics

HEADER = struct.Struct("QQQQ")  # slot size, slot count, (unused), top
TOP = 24                        # offset of the top index
ENTRY = struct.Struct("I")      # one free-stack entry: a slot number

SMALL = sys.implementation.name == "graalpy"
SLOTS = 64 if SMALL else 2_000
WORKERS = 3


class SlotPool:
    def __init__(self, name, slot_size=32, slots=0, create=False):
        if create:
            size = HEADER.size + ENTRY.size * slots + slot_size * slots
            self.shm = shared_memory.SharedMemory(name=name, create=True,
                                                  size=size)
            HEADER.pack_into(self.shm.buf, 0, slot_size, slots, 0, slots)
            for i in range(slots):
                # slot i is free; the last one pushed is popped first
                ENTRY.pack_into(self.shm.buf, HEADER.size + ENTRY.size * i,
                                slots - 1 - i)
        else:
            self.shm = shared_memory.SharedMemory(name=name)
        self.slot_size, self.slots, _, _ = HEADER.unpack_from(self.shm.buf)
        self.data = HEADER.size + ENTRY.size * self.slots
        self._top_ctx = atomics.atomicview(buffer=self.shm.buf[TOP:TOP + 8],
                                           width=8, atype=atomics.UINT)
        self._top = self._top_ctx.__enter__()

    def allocate(self):
        """Offset of a free slot in the data area, or None if none is left."""
        while True:
            top = self._top.load()
            if top == 0:
                return None
            if self._top.cmpxchg_weak(expected=top, desired=top - 1):
                slot, = ENTRY.unpack_from(
                    self.shm.buf, HEADER.size + ENTRY.size * (top - 1))
                return slot * self.slot_size

    def free(self, offset):
        """Give a slot back (one process at a time, as the pool's owner)."""
        top = self._top.load()
        if top >= self.slots:
            raise RuntimeError("free stack overflow: double free?")
        ENTRY.pack_into(self.shm.buf, HEADER.size + ENTRY.size * top,
                        offset // self.slot_size)
        self._top.store(top + 1)

    def write(self, offset, data):
        start = self.data + offset
        self.shm.buf[start:start + len(data)] = data

    def read(self, offset, size):
        start = self.data + offset
        return bytes(self.shm.buf[start:start + size])

    def available(self):
        return self._top.load()

    def close(self):
        self._top_ctx.__exit__(None, None, None)
        self.shm.close()


def worker(name, wid, results):
    pool = SlotPool(name)
    mine = []
    while True:
        offset = pool.allocate()
        if offset is None:
            break
        pool.write(offset, wid.to_bytes(4, "little"))
        mine.append(offset)
    pool.close()
    results.put((wid, mine))


def main():
    name = f"slots-{multiprocessing.current_process().pid}"
    pool = SlotPool(name, slots=SLOTS, create=True)
    try:
        results = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=worker,
                                         args=(name, w + 1, results))
                 for w in range(WORKERS)]
        for p in procs:
            p.start()
        claimed = {}
        for _ in procs:
            wid, offsets = results.get(timeout=120)
            for offset in offsets:
                assert offset not in claimed, f"slot {offset} popped twice"
                claimed[offset] = wid
        for p in procs:
            p.join()
            assert p.exitcode == 0, p.exitcode
        assert sorted(claimed) == [i * pool.slot_size for i in range(SLOTS)]
        # each slot holds the id of the one worker that popped it
        for offset, wid in claimed.items():
            assert pool.read(offset, 4) == wid.to_bytes(4, "little")
        print(f"slots popped: {len(claimed)} of {SLOTS}, each once")
        for offset in claimed:
            pool.free(offset)
        print(f"slots free again: {pool.available()}")
    finally:
        pool.close()
        pool.shm.unlink()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
