# SPDX-License-Identifier: MIT
"""Client program: unique, increasing microsecond timestamps.

Usage pattern: a timestamp module creates a named `SharedMemory` segment
when imported and then calls `atomics.atomic(width=8, atype=atomics.UINT,
buffer=shm.buf)`, as if the atomic lived in the segment. atomics 1.0.2
ignored `buffer=` without a word, so the counter is private to the process;
here the call works the same, with an IgnoredArgumentWarning naming
`buffer` (the segment stays untouched, as before). Timestamps are claimed
with `cmpxchg_strong(expected=last, desired=stamp).success`, from several
threads.
"""

import getpass
import os
import sys
import threading
import time
from multiprocessing import shared_memory

import atomics

THREADS = 4
PER_THREAD = 2_000
TRIES = 100_000


def _now():
    return time.time_ns() // 1_000


def _setup():
    name = f"stamps-{getpass.getuser()}-{os.getpid()}"
    segment = shared_memory.SharedMemory(name=name, create=True, size=8)
    last = atomics.atomic(width=8, atype=atomics.UINT, buffer=segment.buf)
    last.store(_now())
    return segment, last


_SEGMENT, _LAST = _setup()


def stamp():
    """A timestamp (in us) above every one handed out before, and not
    ahead of the clock."""
    for _ in range(TRIES):
        last = _LAST.load()
        wanted = max(last + 1, _now())
        if wanted > _now():
            time.sleep(1e-6)  # asked faster than the clock ticks
            continue
        if _LAST.cmpxchg_strong(expected=last, desired=wanted).success:
            return wanted
    raise RuntimeError("no timestamp after many tries")


def main():
    got = [[] for _ in range(THREADS)]

    def work(k):
        for _ in range(PER_THREAD):
            got[k].append(stamp())

    threads = [threading.Thread(target=work, args=(k,))
               for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [s for part in got for s in part]
    assert len(set(every)) == len(every), "a timestamp was handed out twice"
    assert all(part == sorted(part) for part in got)
    assert max(every) <= _now()
    # buffer= was ignored: the segment was never written
    assert bytes(_SEGMENT.buf[:8]) == bytes(8)
    _SEGMENT.close()
    _SEGMENT.unlink()
    print(f"timestamps: {len(every)} unique, increasing per thread")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
