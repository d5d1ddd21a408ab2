# SPDX-License-Identifier: MIT
"""Client program: a display driver handing frames to another program.

Usage pattern: a frame buffer lives in a file under /dev/shm that both
programs map with `mmap`; its first 4 bytes are a lock. The writer views
them with a positional call, `atomics.atomicview(lock, atomics.UINT)`, in a
fresh `with` block per frame, waits with `while not a.cmpxchg_weak(0, 1):
time.sleep(0.001)`, copies the frame in and unlocks with `a.store(0)`. The
reader (a separate program, started here as a second process) takes the
same lock to copy frames out, and must never see half of one frame and
half of the next.
"""

import mmap
import os
import subprocess
import sys
import tempfile
import time

import atomics

SMALL = sys.implementation.name == "graalpy"
FRAME = 4096 if SMALL else 8192
FRAMES = 40 if SMALL else 400
LAST = 255  # the byte of the last frame


class SharedDisplay:
    def __init__(self, path):
        self._file = open(path, "r+b")
        self._map = mmap.mmap(self._file.fileno(), 0)
        self._mem = memoryview(self._map)
        self._lock = self._mem[:4]
        self.framebuffer = self._mem[4:4 + FRAME]
        self.ready = self._mem[4 + FRAME:]  # the reader's "I am here" byte

    def show(self, frame):
        with atomics.atomicview(self._lock, atomics.UINT) as a:
            while not a.cmpxchg_weak(0, 1):
                time.sleep(1 / 1000)
            self.framebuffer[:] = frame
            a.store(0)

    def grab(self):
        with atomics.atomicview(self._lock, atomics.UINT) as a:
            while not a.cmpxchg_weak(0, 1):
                time.sleep(1 / 1000)
            frame = bytes(self.framebuffer)
            a.store(0)
        return frame

    def close(self):
        del self.framebuffer, self._lock, self.ready
        self._mem.release()
        self._map.close()
        self._file.close()


def reader(path):
    display = SharedDisplay(path)
    display.ready[0] = 1
    seen, torn = set(), 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        frame = display.grab()
        if frame.count(frame[:1]) != len(frame):
            torn += 1
        seen.add(frame[0])
        if frame[0] == LAST:
            break
        time.sleep(0)
    display.close()
    print(f"{len(seen)} {torn}")
    return 0 if LAST in seen else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "reader":
        return reader(sys.argv[2])
    fd, path = tempfile.mkstemp(prefix="display-", dir="/dev/shm")
    try:
        os.write(fd, bytes(4 + FRAME + 1))
        os.close(fd)
        display = SharedDisplay(path)
        other = subprocess.Popen([sys.executable, __file__, "reader", path],
                                 stdout=subprocess.PIPE, text=True)
        while not display.ready[0] and other.poll() is None:
            time.sleep(0.001)  # frames from now on overlap the reader
        for i in range(FRAMES):
            display.show(bytes([i % LAST]) * FRAME)
        display.show(bytes([LAST]) * FRAME)
        out, _ = other.communicate(timeout=180)
        assert other.returncode == 0, other.returncode
        distinct, torn = map(int, out.split())
        assert torn == 0, f"{torn} torn frames"
        assert display.grab() == bytes([LAST]) * FRAME
        display.close()
    finally:
        os.unlink(path)
    print("reader saw whole frames only")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
