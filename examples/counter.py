# SPDX-License-Identifier: MIT
"""One counter, many writers: threads of this process and other processes.

Four threads increment an atomic owned by this process; then four worker
processes (spawned, so they share nothing but the memory) increment one
counter that lives in multiprocessing.shared_memory and take numbered
tickets from it with fetch_add. Every total is exact, and every ticket was
handed out exactly once.
"""

import sys
import time
from multiprocessing import get_context, shared_memory
from threading import Thread

import atomics

THREADS, PROCESSES, PER_WORKER = 4, 4, 50_000


def count_in_threads():
    counter = atomics.atomic(width=8, atype=atomics.INT)

    def work():
        for _ in range(PER_WORKER):
            counter.inc()

    threads = [Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.load()


def worker(shm_name, results):
    """Increment the shared counter and collect the tickets we drew."""
    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        with atomics.atomicview(buffer=shm.buf[:8], atype=atomics.UINT) as c:
            tickets = [c.fetch_add(1) for _ in range(PER_WORKER)]
        results.put(tickets)
    finally:
        shm.close()


def count_in_processes():
    ctx = get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=8)
    try:
        shm.buf[:8] = bytes(8)
        results = ctx.Queue()
        procs = [ctx.Process(target=worker, args=(shm.name, results))
                 for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        drawn = [results.get() for _ in procs]
        for p in procs:
            p.join()
        with atomics.atomicview(buffer=shm.buf[:8], atype=atomics.UINT) as c:
            total = c.load()
        return total, drawn
    finally:
        shm.close()
        shm.unlink()


def main():
    print(f"atomics on {sys.implementation.name} "
          f"{sys.version.split()[0]}")
    start = time.perf_counter()
    total = count_in_threads()
    expected = THREADS * PER_WORKER
    print(f"{THREADS} threads x {PER_WORKER} inc():        "
          f"{total} (expected {expected})")
    assert total == expected

    total, drawn = count_in_processes()
    expected = PROCESSES * PER_WORKER
    unique = len(set().union(*drawn))
    print(f"{PROCESSES} processes x {PER_WORKER} fetch_add(1): "
          f"{total} (expected {expected}), {unique} distinct tickets")
    assert total == expected and unique == expected
    print(f"all exact, in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
