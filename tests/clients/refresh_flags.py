# SPDX-License-Identifier: MIT
"""Client program: coalescing refresh requests in an asyncio integration.

Usage pattern: a home-automation integration attaches two width-1 atomics,
made positionally as `atomics.atomic(1, atomics.INT)`, to its connection
object and uses them as booleans (`store(0)` / `store(1)`, `load()`): the
first request wins `cmpxchg_strong(0, 1)` on "refreshing" and refreshes;
requests arriving meanwhile only set "another refresh requested", and the
refresher repeats while `exchange(0)` on that flag returns 1. Everything
runs in one event loop, with device status callbacks interleaved.
"""

import asyncio
import sys

import atomics

FALSE, TRUE = 0, 1
BURSTS = 20
PER_BURST = 7


class Connection:
    def __init__(self):
        self.refreshes = 0
        self.running = 0
        self.max_running = 0

    async def request_state(self):
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        await asyncio.sleep(0.001)  # the device answers
        self.refreshes += 1
        self.running -= 1


async def refresh(connection):
    if not connection.is_refreshing.cmpxchg_strong(FALSE, TRUE):
        connection.is_additional_refresh_requested.store(TRUE)
        return False
    try:
        while True:
            await connection.request_state()
            if connection.is_additional_refresh_requested.exchange(FALSE) \
                    != TRUE:
                break
    finally:
        connection.is_refreshing.store(FALSE)
    return True


async def main_async():
    connection = Connection()
    connection.is_refreshing = atomics.atomic(1, atomics.INT)
    connection.is_refreshing.store(FALSE)
    connection.is_additional_refresh_requested = atomics.atomic(1,
                                                                atomics.INT)
    connection.is_additional_refresh_requested.store(FALSE)
    led = []
    for _ in range(BURSTS):
        results = await asyncio.gather(*(refresh(connection)
                                         for _ in range(PER_BURST)))
        led.append(sum(results))
    assert led == [1] * BURSTS, led  # one refresher per burst
    assert connection.max_running == 1  # refreshes never overlapped
    # each burst: the leader's refresh, plus one for the requests it absorbed
    assert connection.refreshes == 2 * BURSTS, connection.refreshes
    assert connection.is_refreshing.load() == FALSE
    assert connection.is_additional_refresh_requested.load() == FALSE
    print(f"bursts: {BURSTS} of {PER_BURST} requests, refreshes: "
          f"{connection.refreshes}")


def main():
    asyncio.run(main_async())
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
