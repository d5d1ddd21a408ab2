# SPDX-License-Identifier: MIT
"""Wait/notify round trip between two processes.

    python benchmarks/bench_wait.py [--partner INTERPRETER] [-n ROUNDS]
                                    [--repeat R]

One shared 4-byte atomic (shared=True), two processes: this one stores an
odd value and notifies, the partner (another process of this interpreter,
or of --partner) sees it, stores the next even value and notifies, and this
one waits for that; neither polls. Prints microseconds per round trip (two
wakeups), the best of --repeat runs of --rounds each.
"""

import argparse
import pickle
import subprocess
import sys
import time

import atomics

STOP = 2**32 - 1


def partner():
    flag = pickle.loads(sys.stdin.buffer.read())
    flag.store(1)
    flag.notify_all()
    while True:
        seen = flag.load()
        if seen == STOP:
            return
        if seen % 2 == 0 and seen > 1:
            flag.store(seen + 1)
            flag.notify_all()
        else:
            flag.wait(seen)


def round_trips(flag, rounds, value):
    start = time.perf_counter()
    for _ in range(rounds):
        value += 1  # even: the partner's turn
        flag.store(value)
        flag.notify_all()
        while flag.load() == value:
            flag.wait(value)
        value += 1
    return (time.perf_counter() - start) / rounds, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partner", default=sys.executable)
    parser.add_argument("-n", "--rounds", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    flag = atomics.atomic(width=4, atype=atomics.UINT, shared=True)
    child = subprocess.Popen([args.partner, __file__, "--run-partner"],
                             stdin=subprocess.PIPE)
    child.stdin.write(pickle.dumps(flag))
    child.stdin.close()
    while flag.load() != 1:
        flag.wait(0, timeout=0.1)
    value, best = 1, float("inf")
    round_trips(flag, min(args.rounds, 200), value)  # warm-up
    value = flag.load()
    for _ in range(args.repeat):
        seconds, value = round_trips(flag, args.rounds, value)
        best = min(best, seconds)
    flag.store(STOP)
    flag.notify_all()
    child.wait(timeout=60)
    here = f"{sys.implementation.name} {sys.version.split()[0]}"
    print(f"wait/notify round trip, {here} <-> {args.partner}: "
          f"{best * 1e6:.1f} us (best of {args.repeat} x {args.rounds})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--run-partner"]:
        partner()
    else:
        main()
