# SPDX-License-Identifier: MIT
"""Client program: handing one object at a time to an inference thread.

Usage pattern: a single-slot mailbox between threads whose state is an
`atomics.atomic(width=4, atype=atomics.UINT)` "gate": 0 empty, 1 offered,
39 destroyed. `offer(v)` waits (sleeping 0.1 ms) while the gate is 1, puts
`v` in a plain attribute, then `store(1)`; the consumer waits while it is 0,
takes the object, clears the attribute and `store(0)`; `destroy()` stores
39 and the daemon worker thread stops when it sees that.
"""

import sys
import threading
import time

import atomics

SMALL = sys.implementation.name == "graalpy"
ITEMS = 50 if SMALL else 500
EMPTY, OFFERED, DESTROYED = 0, 1, 39


class Mailbox:
    def __init__(self):
        self._gate = atomics.atomic(width=4, atype=atomics.UINT)
        self._gate.store(EMPTY)
        self._item = None

    def destroy(self):
        self._gate.store(DESTROYED)

    def is_destroyed(self):
        return self._gate.load() == DESTROYED

    def is_empty(self):
        return self._gate.load() == EMPTY

    def offer(self, v):
        while self._gate.load() == OFFERED:
            time.sleep(0.0001)
        self._item = v
        self._gate.store(OFFERED)

    def consume(self):
        while self._gate.load() == EMPTY:
            time.sleep(0.0001)
        if self._gate.load() == DESTROYED:
            return None
        v, self._item = self._item, None
        self._gate.store(EMPTY)
        return v


def main():
    box = Mailbox()
    received = []
    stopped = threading.Event()

    def infer_worker():
        while not box.is_destroyed():
            item = box.consume()
            if item is not None:
                received.append(item * item)
        stopped.set()

    threading.Thread(target=infer_worker, daemon=True).start()
    for i in range(ITEMS):
        box.offer(i)
    while not box.is_empty():
        time.sleep(0.0001)
    box.destroy()
    assert stopped.wait(60), "the worker did not stop"
    assert received == [i * i for i in range(ITEMS)], received[:10]
    print(f"handed over: {len(received)} items, in order")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
