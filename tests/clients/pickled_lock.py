# SPDX-License-Identifier: MIT
"""Client program: a lock that pickles itself into worker processes.

Usage pattern: a set of names in a `SharedMemory` segment (open addressing
over 8-byte slots) is guarded by a lock on the segment's first byte:
`atomics.atomicview(buffer=shm.buf[offset:offset + 1], atype=atomics.UINT)`,
a 1-byte UINT view entered once, whose context an `atexit` handler exits
(`ctx.__exit__(None, None, None)`). The lock object is pickled to `spawn`ed
workers: `__getstate__` leaves the context and the view out of the state,
and `__setstate__` opens new ones on the re-attached segment. Locking spins
on `cmpxchg_weak(expected=0, desired=1)`; unlocking insists on
`cmpxchg_strong(expected=1, desired=0)`.
"""

import atexit
import hashlib
import multiprocessing
import struct
import sys
from multiprocessing.shared_memory import SharedMemory

import atomics

WORKERS = 3
NAMES = 60
SLOTS = 512
FIRST_SLOT = 16  # bytes 0-7: the lock byte and padding; 8-15: the count


class ByteLock:
    def __init__(self, segment, offset):
        self.segment = segment
        self.offset = offset
        self.held = False
        self._attach()

    def _attach(self):
        self._ctx = atomics.atomicview(
            buffer=self.segment.buf[self.offset:self.offset + 1],
            atype=atomics.UINT)
        self._byte = self._ctx.__enter__()
        atexit.register(self._ctx.__exit__, None, None, None)
        atexit.register(self.unlock, quietly=True)

    def lock(self):
        while not self._byte.cmpxchg_weak(expected=0, desired=1):
            pass
        self.held = True

    def unlock(self, quietly=False):
        if not self.held:
            if quietly:
                return
            raise RuntimeError("not locked")
        if not self._byte.cmpxchg_strong(expected=1, desired=0):
            raise RuntimeError("someone else unlocked it")
        self.held = False

    def __enter__(self):
        self.lock()

    def __exit__(self, *exc):
        self.unlock()

    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_ctx", "_byte")}
        state["held"] = False
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._attach()


class NameSet:
    def __init__(self, segment, lock):
        self.segment, self.lock = segment, lock

    @staticmethod
    def _key(name):
        key = int.from_bytes(hashlib.sha1(name.encode()).digest()[-8:],
                             "big")
        return key or 1  # 0 marks an empty slot

    def _probe(self, key):
        for i in range(SLOTS):
            at = FIRST_SLOT + 8 * ((key + i) % SLOTS)
            yield at, struct.unpack_from("Q", self.segment.buf, at)[0]

    def add(self, name):
        """True if `name` was new."""
        key = self._key(name)
        with self.lock:
            for at, value in self._probe(key):
                if value == key:
                    return False
                if value == 0:
                    struct.pack_into("Q", self.segment.buf, at, key)
                    count, = struct.unpack_from("Q", self.segment.buf, 8)
                    struct.pack_into("Q", self.segment.buf, 8, count + 1)
                    return True
        raise MemoryError("the set is full")

    def __contains__(self, name):
        key = self._key(name)
        with self.lock:
            for _, value in self._probe(key):
                if value in (0, key):
                    return value == key
        return False

    def __len__(self):
        with self.lock:
            return struct.unpack_from("Q", self.segment.buf, 8)[0]


def register_tables(names, wid, new):
    # every worker offers every name: each is new to exactly one of them
    mine = sum(names.add(f"table-{n}") for n in range(NAMES))
    names.add(f"scratch-{wid}")
    with new.get_lock():
        new.value += mine


def main():
    segment = SharedMemory(create=True, size=FIRST_SLOT + 8 * SLOTS)
    segment.buf[:] = bytes(len(segment.buf))
    lock = ByteLock(segment, 0)
    names = NameSet(segment, lock)
    ctx = multiprocessing.get_context("spawn")
    new = ctx.Value("q", 0)
    try:
        procs = [ctx.Process(target=register_tables, args=(names, w, new))
                 for w in range(WORKERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        assert new.value == NAMES, new.value
        assert len(names) == NAMES + WORKERS
        assert all(f"table-{n}" in names for n in range(NAMES))
        assert "table-x" not in names
        print(f"names: {len(names)}, added once each")
    finally:
        lock._ctx.__exit__(None, None, None)
        del lock, names
        segment.close()
        segment.unlink()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
