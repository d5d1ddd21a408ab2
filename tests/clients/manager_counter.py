# SPDX-License-Identifier: MIT
"""Client program: a counter object handed to worker processes.

Usage pattern: robot-learning and data-pipeline code keeps frame counters
in segments from a `SharedMemoryManager` (`manager.SharedMemory(size=8)`),
in a small class that imports `from atomics import UINT, MemoryOrder,
atomicview`. Every method opens a fresh view of a `buf` property that
slices the segment, and names its memory order:
`load(order=MemoryOrder.ACQUIRE)`, `store(v, order=MemoryOrder.RELEASE)`,
`add(v, order=MemoryOrder.ACQ_REL)`. The counter object itself is passed to
the processes (pickled: its segment re-attaches by name); producers add to
it and a consumer polls it until everything has arrived.
"""

import multiprocessing
import sys
import time
from multiprocessing.managers import SharedMemoryManager

from atomics import UINT, MemoryOrder, atomicview

PRODUCERS = 3
ITEMS = 300


class ProgressCounter:
    """An unsigned 64-bit count in a segment the manager owns."""

    def __init__(self, manager, nbytes=8):
        self.segment = manager.SharedMemory(size=nbytes)
        self.nbytes = nbytes
        self.store(0)

    @property
    def buf(self):
        return self.segment.buf[:self.nbytes]

    def load(self):
        with atomicview(buffer=self.buf, atype=UINT) as word:
            return word.load(order=MemoryOrder.ACQUIRE)

    def store(self, value):
        with atomicview(buffer=self.buf, atype=UINT) as word:
            word.store(value, order=MemoryOrder.RELEASE)

    def add(self, value):
        with atomicview(buffer=self.buf, atype=UINT) as word:
            word.add(value, order=MemoryOrder.ACQ_REL)

    def detach(self):
        self.segment.close()


def produce(counter, items):
    for _ in range(items):
        counter.add(1)
    counter.detach()


def consume(counter, target, verdict):
    give_up = time.monotonic() + 120
    while counter.load() < target and time.monotonic() < give_up:
        time.sleep(0.001)
    verdict.add(int(counter.load() == target))
    counter.detach()
    verdict.detach()


def run(method):
    ctx = multiprocessing.get_context(method)
    with SharedMemoryManager(ctx=ctx) as manager:
        counter = ProgressCounter(manager)
        verdict = ProgressCounter(manager)
        total = PRODUCERS * ITEMS
        procs = [ctx.Process(target=consume,
                             args=(counter, total, verdict))]
        procs += [ctx.Process(target=produce, args=(counter, ITEMS))
                  for _ in range(PRODUCERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
            assert p.exitcode == 0, p.exitcode
        assert counter.load() == total, counter.load()
        assert verdict.load() == 1  # the consumer saw the exact total
        counter.store(2**64 - 1)
        counter.add(2)  # unsigned 64-bit arithmetic wraps around
        assert counter.load() == 1
        counter.detach()
        verdict.detach()
    print(f"{method}: counted {total}")


def main():
    run("fork")
    run("spawn")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
