# SPDX-License-Identifier: MIT
"""Client program: ids and sequence numbers handed out to threads.

Usage pattern: in-process counters kept as attributes. A client class has a
class-level `_next_id: INTEGRAL = atomic(width=8, atype=INT)` (imported as
`from atomics import INTEGRAL, atomic, INT`) shared by all its instances,
which take callback ids with `fetch_inc()`; a log sender keeps per-object
sequence numbers in `atomics.atomic(width=4, atype=atomics.UINT)`
attributes; and a dataset builder counts processed rows with
`counter.fetch_inc() + 1` inside functions run by a thread pool.
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import atomics
from atomics import INT, INTEGRAL, atomic

SMALL = sys.implementation.name == "graalpy"
THREADS = 4
PER_THREAD = 200 if SMALL else 2_000
ROWS = 100 if SMALL else 1_000


class Client:
    _next_id: INTEGRAL = atomic(width=8, atype=INT)

    def __init__(self):
        self.callbacks = {}

    def register(self, callback):
        idx = self._next_id.fetch_inc()
        self.callbacks[idx] = callback
        return idx


class Counters:
    def __init__(self):
        self.seq = atomics.atomic(width=4, atype=atomics.UINT)
        self.important_seq = atomics.atomic(width=4, atype=atomics.UINT)


def send_logs(counters, n, got):
    for i in range(n):
        got.append(counters.seq.fetch_inc())
        if i % 10 == 0:
            counters.important_seq.inc()


def main():
    clients = [Client() for _ in range(THREADS)]
    ids = [[] for _ in range(THREADS)]

    def register_many(k):
        for _ in range(PER_THREAD):
            ids[k].append(clients[k].register(print))

    threads = [threading.Thread(target=register_many, args=(k,))
               for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every_id = sorted(i for part in ids for i in part)
    assert every_id == list(range(THREADS * PER_THREAD))
    assert Client._next_id.load() == THREADS * PER_THREAD
    print(f"callback ids: {len(every_id)} distinct, shared by "
          f"{len(clients)} clients")

    counters = Counters()
    got = [[] for _ in range(THREADS)]
    threads = [threading.Thread(target=send_logs,
                                args=(counters, PER_THREAD, got[k]))
               for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for part in got for s in part) == \
        list(range(THREADS * PER_THREAD))
    assert all(part == sorted(part) for part in got)  # increasing per thread
    assert counters.important_seq.load() == THREADS * (PER_THREAD // 10)
    print(f"sequence numbers: {counters.seq.load()}, important: "
          f"{counters.important_seq.load()}")

    rows = atomics.atomic(width=4, atype=atomics.INT)

    def extract_features(row_id):
        done = rows.fetch_inc() + 1
        return row_id * 2, done

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(extract_features, range(ROWS)))
    assert [r for r, _ in results] == [2 * i for i in range(ROWS)]
    assert sorted(d for _, d in results) == list(range(1, ROWS + 1))
    print(f"rows processed: {rows.load()}")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
