# SPDX-License-Identifier: MIT
"""Client program: a compare-exchange retry loop on a BYTES atomic.

Usage pattern: a 4-byte BYTES view of shared memory (`atomicview(buffer=
mem.buf[0:4], atype=atomics.BYTES)`), a loop seeded with a result the
program builds itself, `res = atomics.CmpxchgResult(success=False,
expected=v.load())`, and `while not res: res = v.cmpxchg_weak(expected=...,
desired=...)`.

The program this stands for passed a `bytearray` as `expected` and relied
on atomics 1.0.2 writing the current value into it on failure. That was a
bug (it also wrote into immutable `bytes`), fixed here: `expected` is never
modified, so such a loop must retry with `res.expected`, which works with
1.0.2 and with this package alike. Shown below: the stale bytearray stays
as it was, and the loop over `res.expected` converges. Where the
interpreter has no `multiprocessing.shared_memory` (GraalPy), an anonymous
shared `mmap` holds the bytes instead.
"""

import mmap
import sys

import atomics


def fresh_memory(size):
    try:
        from multiprocessing import shared_memory
        mem = shared_memory.SharedMemory(create=True, size=size)
    except (ImportError, AttributeError):  # GraalPy: no shm_open
        pass
    else:
        return mem.buf, lambda: (mem.close(), mem.unlink())
    mem = mmap.mmap(-1, size)
    view = memoryview(mem)
    return view, lambda: (view.release(), mem.close())


def main():
    buf, dispose = fresh_memory(1024)
    word = buf[0:4]
    word[:] = b"\x11\x22\x33\x44"
    desired = b"\xff" * 4
    ctx = atomics.atomicview(buffer=word, atype=atomics.BYTES)
    with ctx as v:
        # the 1.0.2-era version: a stale bytearray that the library "fixed"
        stale = bytearray(b"\x11" * 4)
        res = atomics.CmpxchgResult(success=False, expected=v.load())
        tries = 0
        while not res and tries < 5:
            res = v.cmpxchg_weak(expected=stale, desired=desired)
            tries += 1
        assert not res and stale == bytearray(b"\x11" * 4)
        print(f"stale bytearray after {tries} failures: {bytes(stale)!r}")
        print(f"what the atomic holds: {res.expected!r}")
        # the portable version: retry with what the atomic held
        res = atomics.CmpxchgResult(success=False, expected=v.load())
        while not res:
            res = v.cmpxchg_weak(expected=res.expected, desired=desired)
        print(res)
        ok, before = res
        assert ok and before == b"\x11\x22\x33\x44"
        assert v.load() == desired
    del word
    dispose()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
