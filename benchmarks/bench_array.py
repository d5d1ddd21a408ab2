# SPDX-License-Identifier: MIT
"""Indexed array operations against the same operations on one atomic.

    python benchmarks/bench_array.py [--quick]

For each operation, ns/op of `arr.op(i, ...)` on an atomicarray of 64
8-byte ints and of `a.op(...)` on one atomic, measured alternately (best of
several repeats, so that both see the same machine), and their ratio.

Unlike bench_ops.py, the timeit loop's own cost (5-10 ns on CPython) is
NOT subtracted: it is in both columns, which keeps the ratio stable on a
noisy machine but makes it smaller than the ratio of the operations alone.
"""

import argparse
import sys
import timeit

import atomics

OPS = {
    # name: (array statement, single-atomic statement)
    "load": ("arr.load(7)", "a.load()"),
    "store": ("arr.store(7, 5)", "a.store(5)"),
    "inc": ("arr.inc(7)", "a.inc()"),
    "fetch_add": ("arr.fetch_add(7, 3)", "a.fetch_add(3)"),
    "exchange": ("arr.exchange(7, 9)", "a.exchange(9)"),
    "cmpxchg_strong": ("arr.cmpxchg_strong(7, 9, 9)",
                       "a.cmpxchg_strong(9, 9)"),
    "bit_test_set": ("arr.bit_test_set(7, 3)", "a.bit_test_set(3)"),
}


def best_ns(statement, namespace, number, repeat):
    timer = timeit.Timer(statement, globals=namespace)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    number, rounds = (20_000, 3) if args.quick else (200_000, 7)
    namespace = {"arr": atomics.atomicarray(64, 8, atomics.INT),
                 "a": atomics.atomic(width=8, atype=atomics.INT)}
    print(f"{sys.implementation.name} {sys.version.split()[0]}: ns/op")
    print(f"{'operation':16s}{'array':>10s}{'single':>10s}{'ratio':>8s}")
    for name, (indexed, single) in OPS.items():
        best = {indexed: float("inf"), single: float("inf")}
        for _ in range(rounds):  # alternate, so both see the same noise
            for statement in best:
                best[statement] = min(best[statement], best_ns(
                    statement, namespace, number, 1))
        ratio = best[indexed] / best[single]
        print(f"{name:16s}{best[indexed]:10.1f}{best[single]:10.1f}"
              f"{ratio:8.2f}")


if __name__ == "__main__":
    main()
