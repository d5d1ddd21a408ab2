"""Atomicity across threads and across processes (shared memory)."""

import multiprocessing
import sys

import pytest

import atomics

from .model import Model
from .utils import (ATYPES, HAS_FORK, IS_GRAALPY_HPY, WIDTHS, SharedMemory,
                    run_threads,
                    shm_worker_cmpxchg,
                    shm_worker_fetch_add)

N_THREADS = 4
N_INC = 5000

# Tests marked `threads` run on GraalPy in a child interpreter with a
# timeout (tests/conftest.py): a wedged JVM fails the test, not the run.


def test_run_threads_reraises():
    def work(i):
        if i == 2:
            raise KeyError("worker 2 failed")
        return i * 10

    with pytest.raises(KeyError, match="worker 2 failed"):
        run_threads(work, [(i,) for i in range(4)])
    assert run_threads(work, [(0,), (1,)]) == [0, 10]


@pytest.fixture(autouse=True)
def _fast_switching():
    """Switch threads often, so that races would show."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


@pytest.mark.threads
def test_threads_inc_exact():
    for kind, width in [("INT", 4), ("UINT", 8), ("INT", 1), ("UINT", 2),
                        ("INT", 16)]:
        if width not in WIDTHS:
            continue
        a = atomics.atomic(width=width, atype=ATYPES[kind])

        def work(n):
            for _ in range(n):
                a.inc()

        run_threads(work, [(N_INC,)] * N_THREADS)
        total = N_THREADS * N_INC
        # narrow widths wrap around: compare with the model's wrapped value
        assert a.load() == Model(kind, width, total).value, (kind, width)


@pytest.mark.threads
def test_threads_fetch_inc_unique():
    """Every fetch_inc returns a distinct old value: 0..total-1."""
    a = atomics.atomic(width=8, atype=atomics.UINT)

    def work(n):
        return [a.fetch_inc() for _ in range(n)]

    results = run_threads(work, [(N_INC,)] * N_THREADS)
    seen = sorted(v for part in results for v in part)
    assert seen == list(range(N_THREADS * N_INC))
    assert a.load() == N_THREADS * N_INC


@pytest.mark.threads
def test_threads_on_view():
    ba = bytearray(8)
    with atomics.atomicview(buffer=ba, atype=atomics.INT) as a:
        def work(n, step):
            for _ in range(n):
                a.fetch_add(step)
                a.sub(step - 1)

        run_threads(work, [(N_INC, k) for k in (3, 5, 7, 11)])
        assert a.load() == N_THREADS * N_INC
    assert int.from_bytes(ba, sys.byteorder) == N_THREADS * N_INC


@pytest.mark.threads
def test_threads_cmpxchg_loop():
    a = atomics.atomic(width=4, atype=atomics.INT)

    def work(n):
        retries = 0
        for _ in range(n):
            res = atomics.CmpxchgResult(success=False, expected=a.load())
            while not res:
                res = a.cmpxchg_weak(expected=res.expected,
                                     desired=res.expected + 1)
                retries += not res
        return retries

    run_threads(work, [(N_INC // 2,)] * N_THREADS)
    assert a.load() == N_THREADS * (N_INC // 2)


@pytest.mark.threads
def test_threads_bit_ops_exact():
    """Each thread owns some bits; bit_test_set/reset never lose updates."""
    a = atomics.atomic(width=8, atype=atomics.UINT)

    def work(bits):
        for _ in range(200):
            for b in bits:
                assert a.bit_test_set(b) is False
            for b in bits:
                assert a.bit_test_reset(b) is True
        for b in bits:
            a.bit_test_set(b)

    run_threads(work, [(range(i, 64, 4),) for i in range(4)])
    assert a.load() == 2**64 - 1


@pytest.mark.threads
def test_threads_bytes_xor():
    a = atomics.atomic(width=8, atype=atomics.BYTES)
    masks = [bytes([1 << i]) * 8 for i in range(4)]

    def work(mask, n):
        for _ in range(n):
            a.bin_xor(mask)

    if IS_GRAALPY_HPY:
        # bytes values need the interpreter: refused at once, and nothing
        # is changed (README, Interpreters)
        with pytest.raises(RuntimeError, match="cannot run on this thread"):
            run_threads(work, [(m, 1001) for m in masks])
        assert a.load() == bytes(8)
        return
    run_threads(work, [(m, 1001) for m in masks])
    assert a.load() == bytes([0x0F]) * 8  # odd count: every mask applied


@pytest.mark.threads
def test_threads_fetch_add_wide_values():
    """fetch_add on a counter far beyond 32 bits, with an explicit order:
    the old values are all distinct and the total exact."""
    for kind, start in [("UINT", 2**63 - 2_000), ("INT", -2**40)]:
        a = atomics.atomic(width=8, atype=ATYPES[kind])
        a.store(start)

        def work(n):
            return [a.fetch_add(1, order=atomics.MemoryOrder.ACQ_REL)
                    for _ in range(n)]

        olds = run_threads(work, [(N_INC // 2,)] * N_THREADS)
        total = N_THREADS * (N_INC // 2)
        assert sorted(v for part in olds for v in part) == list(
            range(start, start + total))
        assert a.load() == start + total


@pytest.mark.threads
def test_main_thread_and_workers_together():
    """The main thread draws tickets while three workers do: on GraalPy it
    takes the compiled path and they take `_away`, on the same word at the
    same time."""
    import threading
    a = atomics.atomic(width=8, atype=atomics.UINT)
    a.store(2**32 - 1_000)            # crosses 32 bits on the way
    start = a.load()
    n = N_INC // 2
    drawn = [[] for _ in range(N_THREADS)]

    def work(k):
        drawn[k] = [a.fetch_add(1) for _ in range(n)]

    workers = [threading.Thread(target=work, args=(k,), daemon=True)
               for k in range(1, N_THREADS)]
    for t in workers:
        t.start()
    work(0)
    for t in workers:
        t.join(120)
    assert not any(t.is_alive() for t in workers)
    assert sorted(v for part in drawn for v in part) == list(
        range(start, start + N_THREADS * n))
    assert a.load() == start + N_THREADS * n


@pytest.mark.threads
def test_threads_exchange_conserves_tokens():
    """Threads keep swapping their token with the atomic's: no token is
    lost or duplicated (small ones, and ones that need all 64 bits)."""
    a = atomics.atomic(width=8, atype=atomics.UINT)
    tokens = [3, 2**31 + 1, 2**40 + 7, 2**64 - 1]
    a.store(2**53 + 5)

    def work(token, n):
        for _ in range(n):
            token = a.exchange(token)
        return token

    held = run_threads(work, [(t, 3000) for t in tokens])
    assert sorted(held + [a.load()]) == sorted(tokens + [2**53 + 5])


@pytest.mark.threads
def test_threads_arithmetic_and_binary_ops():
    """Each thread adds and subtracts, sets and clears its own bits with
    every arithmetic and binary operation; the totals are exact."""
    counter = atomics.atomic(width=8, atype=atomics.INT)
    bits = atomics.atomic(width=4, atype=atomics.UINT)
    arr = atomics.atomicarray(4, 8, atomics.UINT)
    last = atomics.atomicarray(N_THREADS, 8, atomics.INT)

    def work(i, n):
        mine = 1 << i
        for k in range(n):
            counter.add(3)
            counter.fetch_sub(2)
            counter.dec()
            counter.fetch_inc()
            counter.sub(1)
            assert bits.bin_fetch_or(mine) & mine == 0
            bits.bin_xor(mine)            # clears it again
            bits.bin_or(mine << 8)
            assert bits.bin_fetch_and(~(mine << 8) & 0xFFFFFFFF) & mine << 8
            bits.bin_and(0xFFFFFFFF)
            arr.fetch_add(k % 4, 2**33)
            last.store(i, -k)
        return i

    run_threads(work, [(i, 1500) for i in range(N_THREADS)])
    assert counter.load() == 0
    assert bits.load() == 0
    assert [arr.load(j) for j in range(4)] == [N_THREADS * 375 * 2**33] * 4
    assert [last.load(i) for i in range(N_THREADS)] == [-1499] * N_THREADS


# ------------------------------------------------------------- processes --

START_METHODS = [m for m in ("fork", "spawn", "forkserver")
                 if m in multiprocessing.get_all_start_methods()
                 and (HAS_FORK or m == "spawn")]
N_PROC_OPS = 20000


def run_processes(method, target, args_list):
    ctx = multiprocessing.get_context(method)
    procs = [ctx.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    for p in procs:
        if p.is_alive():
            p.kill()
    assert [p.exitcode for p in procs] == [0] * len(procs)


@pytest.fixture
def shm():
    mem = SharedMemory(create=True, size=64)
    yield mem
    mem.close()
    mem.unlink()


@pytest.mark.parametrize("method", [m for m in START_METHODS
                                    if m != "forkserver"])
@pytest.mark.parametrize("kind,width,step", [("INT", 4, -3), ("UINT", 8, 5)])
def test_processes_fetch_add(shm, method, kind, width, step):
    n_procs = 2
    run_processes(method, shm_worker_fetch_add,
                  [(shm.name, width, kind, n_procs, N_PROC_OPS, step)]
                  * n_procs)
    buf = shm.buf[:width]
    with atomics.atomicview(buffer=buf, atype=ATYPES[kind]) as a:
        assert a.load() == n_procs * N_PROC_OPS * step
    buf.release()


@pytest.mark.parametrize("method", START_METHODS)
def test_processes_cmpxchg_loop(shm, method):
    n_procs = 3 if method == "fork" else 2
    run_processes(method, shm_worker_cmpxchg,
                  [(shm.name, 8, "INT", n_procs, N_PROC_OPS)] * n_procs)
    buf = shm.buf[:8]
    with atomics.atomicview(buffer=buf, atype=atomics.INT) as a:
        assert a.load() == n_procs * N_PROC_OPS
    buf.release()


@pytest.mark.threads(timeout=600)
def test_processes_and_threads_together():
    """Two processes and two threads of this one on the same word."""
    shm = SharedMemory(create=True, size=64)
    try:
        _processes_and_threads(shm)
    finally:
        shm.close()
        shm.unlink()


def _processes_and_threads(shm):
    ctx = multiprocessing.get_context(START_METHODS[0])
    procs = [ctx.Process(target=shm_worker_fetch_add,
                         args=(shm.name, 4, "UINT", 2, N_PROC_OPS, 1))
             for _ in range(2)]
    for p in procs:
        p.start()
    buf = shm.buf[:4]
    with atomics.atomicview(buffer=buf, atype=atomics.UINT) as a:
        def work(n):
            for _ in range(n):
                a.inc()
        run_threads(work, [(N_PROC_OPS,)] * 2)
        for p in procs:
            p.join(120)
        assert [p.exitcode for p in procs] == [0, 0]
        assert a.load() == 4 * N_PROC_OPS
    buf.release()
