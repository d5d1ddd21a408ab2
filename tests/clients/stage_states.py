# SPDX-License-Identifier: MIT
"""Client program: reference counts and states of pipeline stages.

Usage pattern: a pipeline runner shares, through a `SharedMemoryManager`
segment, two 8-byte INT slots per stage (a reference count and a state),
each used through a fresh `with atomics.atomicview(buffer=
shm.buf[offset:offset + 8], atype=atomics.INT)`. Counts report their new
value as `fetch_inc() + 1`, `fetch_add(by) + by`, `fetch_dec() - 1`,
`fetch_sub(by) - by`. A stage is built by whichever process wins
`cmpxchg_strong(expected=UNINITIALIZED, desired=INITIALIZING)` (the result
used as a bool); the others poll `load()` until the state leaves
INITIALIZING, and fail if it became FAILED. The winner moves it on with
another `cmpxchg_strong`, or `store(FAILED)`s it if its work raised.
"""

import enum
import multiprocessing
import sys
import time
from multiprocessing.managers import SharedMemoryManager

import atomics

STAGES = 6
WORKERS = 3
BROKEN = 4  # the stage whose build fails


class State(enum.IntEnum):
    UNINITIALIZED = 0
    INITIALIZING = 1
    READY = 2
    FAILED = 3


class StageFailed(Exception):
    pass


class Board:
    """The shared table: slot i is stage i's count, slot STAGES + i its
    state."""

    def __init__(self, segment):
        self.segment = segment

    def _slot(self, index):
        start = 8 * index
        return atomics.atomicview(buffer=self.segment.buf[start:start + 8],
                                  atype=atomics.INT)

    def refs(self, stage):
        with self._slot(stage) as a:
            return a.load()

    def ref(self, stage, by=1):
        with self._slot(stage) as a:
            return a.fetch_inc() + 1 if by == 1 else a.fetch_add(by) + by

    def unref(self, stage, by=1):
        with self._slot(stage) as a:
            return a.fetch_dec() - 1 if by == 1 else a.fetch_sub(by) - by

    def state(self, stage):
        with self._slot(STAGES + stage) as a:
            return State(a.load())

    def build(self, stage, work):
        """Run `work()` if this process is first to claim `stage`; else wait
        for whoever did. True if we built it, False if someone else did."""
        with self._slot(STAGES + stage) as a:
            if a.cmpxchg_strong(expected=State.UNINITIALIZED.value,
                                desired=State.INITIALIZING.value):
                try:
                    work()
                except Exception as e:
                    a.store(State.FAILED.value)
                    raise StageFailed(stage) from e
                moved = a.cmpxchg_strong(expected=State.INITIALIZING.value,
                                         desired=State.READY.value)
                assert moved, "the state changed under the builder"
                return True
            while a.load() == State.INITIALIZING.value:
                time.sleep(0.0001)
            if a.load() == State.FAILED.value:
                raise StageFailed(stage)
            return False


def run_stages(segment, wid, out):
    board = Board(segment)
    built, failed = [], []

    def work(stage):
        time.sleep(0.002)  # others arrive meanwhile
        if stage == BROKEN:
            raise OSError("cannot create the stage's tables")

    for stage in range(STAGES):
        board.ref(stage)
        board.ref(stage, by=3)
        try:
            if board.build(stage, lambda: work(stage)):
                built.append(stage)
        except StageFailed:
            failed.append(stage)
        board.unref(stage, by=2)
    out.put((wid, built, failed))
    segment.close()


def main():
    with SharedMemoryManager() as manager:
        segment = manager.SharedMemory(2 * 8 * STAGES)
        segment.buf[:] = bytes(len(segment.buf))
        out = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=run_stages,
                                         args=(segment, w, out))
                 for w in range(WORKERS)]
        for p in procs:
            p.start()
        reports = [out.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(120)
            assert p.exitcode == 0, p.exitcode
        board = Board(segment)
        every_build = sorted(s for _, built, _ in reports for s in built)
        assert every_build == [s for s in range(STAGES) if s != BROKEN]
        # the builder and the waiters alike saw the broken stage fail
        assert all(failed == [BROKEN] for _, _, failed in reports), reports
        states = [board.state(s).name for s in range(STAGES)]
        counts = [board.refs(s) for s in range(STAGES)]
        assert counts == [WORKERS * 2] * STAGES, counts
        for stage in range(STAGES):
            assert board.unref(stage, by=WORKERS * 2) == 0
        print(f"states: {' '.join(states)}")
        print(f"reference counts: {counts}")
        segment.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
