# SPDX-License-Identifier: MIT
"""Resident memory while atomics and views are created and dropped.

    python benchmarks/bench_memory.py [-n N] [--rounds R] [--json FILE]
                                      [--only NAME ...]

For each workload, runs it R times (default 4) over N iterations and prints
the RSS (from /proc/self/statm) before the first round and after each one,
with full garbage collections in between. A flat line after the first round
or two (the allocator and the garbage collector settling) means nothing is
kept; a line that keeps climbing is a leak, whose size per iteration is the
next column. The last column is the same from malloc's own count of bytes
in use (glibc's mallinfo2), which is exact for leaked C blocks. Run it on
each interpreter:

    PYTHONPATH=. python3 benchmarks/bench_memory.py
    PYTHONPATH=. .interpreters/pypy/bin/pypy3 benchmarks/bench_memory.py

(tests/test_stress.py asserts the same thing, with a bound, in the suite.)
"""

import argparse
import json
import mmap
import os
import platform
import sys
import time

import atomics

# the measuring, shared with tests/test_stress.py
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from tests.memory import STATM, malloc_in_use_fn, rss, settle  # noqa: E402


def owned(kind, width, **kwargs):
    atype = getattr(atomics, kind)

    def run(n):
        make = atomics.atomic
        for _ in range(n):
            make(width=width, atype=atype, **kwargs)
    return run


def views(make_buffer, atype=atomics.UINT):
    def run(n):
        buf = make_buffer()
        for _ in range(n):
            with atomics.atomicview(buffer=buf, atype=atype) as v:
                v.inc()
        if isinstance(buf, memoryview):
            buf.release()
    return run


def mmap_slice():
    return memoryview(_MMAP)[8:16]


def shm_slice():
    return _SHM.buf[16:24]


def dropped_contexts(n):
    ba = bytearray(16)
    for i in range(n):
        ctx = atomics.atomicview(buffer=ba, atype=atomics.BYTES)
        if i % 2:
            view = ctx.__enter__()
            del ctx
            view.store(bytes(16))
            del view
        else:
            ctx.release()


def errors(n):
    a = atomics.atomic(width=8, atype=atomics.INT)
    calls = [lambda: atomics.atomic(width=3, atype=atomics.INT),
             lambda: a.store(2**64), lambda: a.store(1.5),
             lambda: a.load(atomics.MemoryOrder.RELEASE),
             lambda: a.bit_test(64),
             lambda: atomics.atomicview(buffer=bytearray(3),
                                        atype=atomics.INT)]
    for i in range(n):
        try:
            calls[i % len(calls)]()
        except Exception:  # noqa: BLE001 - every call here fails
            pass


def operations(n):
    a = atomics.atomic(width=8, atype=atomics.INT)
    b = atomics.atomic(width=8, atype=atomics.BYTES)
    for i in range(n):
        a.fetch_add(i)
        a.cmpxchg_strong(a.load(), -i)
        b.exchange(b"\x01" * 8)
        b.bin_fetch_xor(b"\x01" * 8)


def arrays(n):
    make = getattr(atomics, "atomicarray", None)
    if make is None:
        return
    for _ in range(n // 10):
        make(10, 8, atomics.UINT)


def shared(n):
    try:
        atomics.atomic(width=8, atype=atomics.INT, shared=True)
    except TypeError:
        return  # a version without shared atomics
    for _ in range(n // 100):  # each one is a shared-memory segment
        atomics.atomic(width=8, atype=atomics.INT, shared=True)


WORKLOADS = {
    "atomic(INT, 8)": (owned("INT", 8), 1.0),
    "atomic(UINT, 16)": (owned("UINT", 16), 0.5),
    "atomic(BYTES, 1)": (owned("BYTES", 1), 0.5),
    "atomic(ANY, 4)": (owned("ANY", 4, is_integral=True, is_signed=False),
                       0.5),
    "atomicview(bytearray)": (views(lambda: bytearray(8)), 0.2),
    "atomicview(mmap)": (views(mmap_slice), 0.1),
    "atomicview(shm)": (views(shm_slice), 0.1),
    "dropped contexts": (dropped_contexts, 0.1),
    "errors": (errors, 0.2),
    "operations": (operations, 0.2),
    "atomicarray(10 x 8)": (arrays, 0.5),
    "shared atomics": (shared, 0.5),
}

_MMAP = _SHM = None


def main():
    global _MMAP, _SHM
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=1_000_000,
                   help="iterations of the owned-atomic workloads per round "
                   "(others run a fixed fraction of it)")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--only", nargs="*", help="workloads to run (substrings)")
    args = p.parse_args()
    if not os.path.exists(STATM):
        sys.exit(f"RSS is read from {STATM}, which {sys.platform} lacks")
    if not sys.modules["atomics._native"].ops_mask(16, False):
        WORKLOADS.pop("atomic(UINT, 16)")  # no cmpxchg16b
    _MMAP = mmap.mmap(-1, mmap.PAGESIZE)
    try:
        from multiprocessing import shared_memory
        _SHM = shared_memory.SharedMemory(create=True, size=64)
    except (ImportError, OSError):
        WORKLOADS.pop("atomicview(shm)")
    impl = f"{sys.implementation.name} {platform.python_version()}"
    heap = malloc_in_use_fn()
    print(f"{impl}: RSS in MB before the first round and after each of "
          f"{args.rounds}, then bytes per iteration over the last "
          f"{max(1, args.rounds - 2)} round(s) by RSS and by malloc")
    results = {"interpreter": impl, "workloads": {}}
    try:
        for name, (run, share) in WORKLOADS.items():
            if args.only and not any(s in name for s in args.only):
                continue
            n = max(1, int(args.n * share))
            settle()
            marks = [rss()]
            heaps = [heap() if heap else 0]
            start = time.perf_counter()
            for _ in range(args.rounds):
                run(n)
                settle()
                marks.append(rss())
                heaps.append(heap() if heap else 0)
            secs = time.perf_counter() - start
            tail = max(1, args.rounds - 2)
            per_iter = (marks[-1] - marks[-1 - tail]) / (tail * n)
            heap_per_iter = ((heaps[-1] - heaps[-1 - tail]) / (tail * n)
                             if heap else None)
            print(f"  {name:24} n={n:<8} "
                  + " ".join(f"{m / 2**20:7.1f}" for m in marks)
                  + f"   {per_iter:6.1f} B/iter"
                  + (f" {heap_per_iter:6.1f} B/iter" if heap else "")
                  + f"  ({secs:.1f} s)", flush=True)
            results["workloads"][name] = {
                "n": n, "rss": marks, "bytes_per_iteration": per_iter,
                "malloc_bytes_per_iteration": heap_per_iter}
    finally:
        _MMAP.close()
        if _SHM is not None:
            _SHM.close()
            _SHM.unlink()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
