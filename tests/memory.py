"""How much memory this process holds: what tests/test_stress.py and
benchmarks/bench_memory.py measure leaks with. Only the standard library,
so that the benchmark (run as a script) imports it as cleanly as the
tests do."""

import gc
import os

STATM = "/proc/self/statm"


def rss():
    """Resident set size in bytes (Linux: /proc/self/statm)."""
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def malloc_in_use_fn():
    """A function returning the bytes malloc() has handed out and not got
    back (glibc's mallinfo2), or None where there is no such function.

    A leak of small C blocks shows in RSS only in part (malloc reuses pages
    the interpreter freed); this counts every block."""
    try:
        import ctypes

        class MallInfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                "fsmblks", "uordblks", "fordblks", "keepcost")]

        # (a CDLL of our own: its function objects are ours to declare)
        mallinfo2 = ctypes.CDLL(None).mallinfo2
        mallinfo2.restype = MallInfo2
    except (ImportError, OSError, AttributeError):
        return None

    def in_use():
        info = mallinfo2()
        return info.uordblks + info.hblkhd  # small blocks + mmapped ones

    return in_use


def settle():
    """Full collections, enough for every interpreter to free what became
    garbage (PyPy runs finalizers a collection later)."""
    for _ in range(3):
        gc.collect()
