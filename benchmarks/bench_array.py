# SPDX-License-Identifier: MIT
"""Indexed array operations against the same operations on one atomic.

    python benchmarks/bench_array.py [--quick]

For each operation: ns/op of `arr.op(i, ...)` on an atomicarray of 64
8-byte ints and of `a.op(...)` on one atomic, and their ratio. The two
statements and an empty one (`pass`, the timeit loop's own cost) are timed
in alternation, round after round, so that all three see the same machine;
each keeps its best round. Columns:

  array, single  ns per call, the loop's cost taken out (as bench_ops.py)
  ratio          array / single: the cost of the index, as a factor
  with loop      the same ratio with the loop's cost left in both, as a
                 Python loop over the calls sees it
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


def best_ns(statements, namespace, number, rounds):
    """Best ns per execution of each statement, timed in alternation."""
    timers = {s: timeit.Timer(s, globals=namespace) for s in statements}
    best = dict.fromkeys(statements, float("inf"))
    for _ in range(rounds):
        for statement, timer in timers.items():
            best[statement] = min(best[statement],
                                  timer.timeit(number) / number * 1e9)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    number, rounds = (20_000, 3) if args.quick else (100_000, 15)
    namespace = {"arr": atomics.atomicarray(64, 8, atomics.INT),
                 "a": atomics.atomic(width=8, atype=atomics.INT)}
    print(f"{sys.implementation.name} {sys.version.split()[0]}: ns/op")
    print(f"{'operation':16s}{'array':>8s}{'single':>8s}{'ratio':>7s}"
          f"{'with loop':>11s}")
    for name, (indexed, single) in OPS.items():
        best = best_ns((indexed, single, "pass"), namespace, number, rounds)
        loop = best["pass"]
        array_ns, single_ns = best[indexed] - loop, best[single] - loop
        print(f"{name:16s}{array_ns:8.1f}{single_ns:8.1f}"
              f"{array_ns / single_ns:7.2f}"
              f"{best[indexed] / best[single]:11.2f}")


if __name__ == "__main__":
    main()
