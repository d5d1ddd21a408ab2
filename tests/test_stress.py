"""Fault and load tests: many processes on one shared word, workers killed
mid-run, locks built from the atomics guarding non-atomic memory,
wait/notify handshakes across processes, and RSS staying flat while
millions of atomics and views come and go.

Sizes are chosen to finish in a few seconds each; ATOMICS_STRESS_SCALE
(a float, default 1) multiplies them for longer runs, e.g.

    ATOMICS_STRESS_SCALE=20 python -m pytest tests/test_stress.py

Worker functions live at module level so that "spawn" children can import
them (tests/conftest.py puts the project root on sys.path for them).
"""

import gc
import mmap
import multiprocessing
import os
import signal
import sys
import time

import pytest

import atomics

from .memory import STATM, malloc_in_use_fn, rss, settle
from .utils import IS_GRAALPY, WIDTHS, SharedMemory, address_of

MO = atomics.MemoryOrder

# GraalPy (on the JVM, without a JIT compiler as provisioned here) runs
# Python 15 to 40 times slower: the same tests, a twentieth of the work.
SCALE = float(os.environ.get("ATOMICS_STRESS_SCALE", "1") or 1) * (
    0.05 if IS_GRAALPY else 1)


# Let another process run (the lock holder, on fewer CPUs than processes).
# GraalPy has no os.sched_yield, and its time.sleep(0) sleeps about a
# second (24.2): a microsecond's sleep yields there.
_yield = getattr(os, "sched_yield", None) or (lambda: time.sleep(1e-6))


def scaled(n, minimum=1):
    """`n` times the stress scale, at least `minimum`."""
    return max(minimum, int(n * SCALE))


START_METHODS = [m for m in ("spawn", "fork")
                 if m in multiprocessing.get_all_start_methods()]

# How long anything may block before the test calls it a hang.
HANG = 120.0 * max(1.0, SCALE)

# -------------------------------------------------------------- helpers --


def _view(buf, atype):
    return atomics.atomicview(buffer=buf, atype=atype)


class _Shm:
    """A SharedMemory segment seen by a worker: named slices of it, each
    released (so that close() works on every interpreter) on exit."""

    def __init__(self, name):
        self.shm = SharedMemory(name=name)
        self._slices = []

    def slice(self, start, size):
        mv = self.shm.buf[start:start + size]
        self._slices.append(mv)
        return mv

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for mv in self._slices:
            mv.release()
        self._slices.clear()
        self.shm.close()


def _arrive(gate, n_procs):
    """Barrier: count this process in on `gate`, then wait (not spin: there
    may be fewer CPUs than processes) until all `n_procs` have arrived."""
    gate.inc()
    gate.notify_all()
    deadline = time.monotonic() + HANG
    while True:
        seen = gate.load()
        if seen >= n_procs:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("barrier: not every worker arrived")
        gate.wait(seen, timeout=0.05)


def _start(method, target, args_list):
    ctx = multiprocessing.get_context(method)
    procs = [ctx.Process(target=target, args=args, daemon=True)
             for args in args_list]
    for p in procs:
        p.start()
    return procs


def _join(procs, timeout=HANG):
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    hung = [p for p in procs if p.is_alive()]
    for p in hung:
        p.kill()
        p.join(10)
    assert not hung, f"{len(hung)} worker(s) hung and were killed"
    return [p.exitcode for p in procs]


@pytest.fixture
def make_shm():
    """SharedMemory segments (zeroed), closed and unlinked afterwards."""
    made = []

    def make(size):
        shm = SharedMemory(create=True, size=size)
        shm.buf[:size] = bytes(size)
        made.append(shm)
        return shm

    yield make
    for shm in made:
        shm.close()
        shm.unlink()


class _Parent:
    """The test process's own views of a segment (released at the end)."""

    def __init__(self, shm):
        self.shm = shm
        self._open = []

    def view(self, start, size, atype):
        mv = self.shm.buf[start:start + size]
        ctx = _view(mv, atype)
        self._open.append((ctx, mv))
        return ctx.__enter__()

    def raw(self, start, size):
        return bytes(self.shm.buf[start:start + size])

    def close(self):
        for ctx, mv in self._open:
            ctx.__exit__()
            mv.release()
        self._open.clear()


@pytest.fixture
def parent_views():
    made = []

    def make(shm):
        p = _Parent(shm)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


# ------------------------------------------------------------- tickets --
#
# Layout: the counter (UINT, 8 bytes) at 0, the start barrier at 8.

COUNTER, GATE = 0, 8
TICKET = 8  # bytes per logged ticket


def ticket_worker(name, log_path, n, n_procs):
    """Draw `n` tickets with fetch_add(1) and log each one.

    The log is written with one unbuffered os.write() per ticket, *before*
    the next fetch_add. So if the process is SIGKILLed at any point, every
    ticket it drew is in the log except possibly the last one (killed
    between fetch_add and its write): at most one unlogged ticket per killed
    worker. An 8-byte write to a regular file is not torn in practice; the
    reader still ignores a trailing partial record, which would only be
    that same last ticket.
    """
    with _Shm(name) as shm:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            with _view(shm.slice(COUNTER, 8), atomics.UINT) as counter, \
                    _view(shm.slice(GATE, 8), atomics.UINT) as gate:
                _arrive(gate, n_procs)
                fetch_add, write = counter.fetch_add, os.write
                for _ in range(n):
                    write(fd, fetch_add(1).to_bytes(TICKET, "little"))
        finally:
            os.close(fd)


def read_tickets(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    whole = len(data) - len(data) % TICKET
    return [int.from_bytes(data[i:i + TICKET], "little")
            for i in range(0, whole, TICKET)]


TICKET_START = 2**40 + 12345  # not 0: a wrong start would show


@pytest.mark.parametrize("method", START_METHODS)
def test_tickets_distinct_and_complete(method, make_shm, parent_views,
                                       tmp_path):
    """N processes x M fetch_add(1): the tickets are exactly
    range(start, start + N*M), each drawn once, and the counter is exact."""
    n_procs, n = 4, scaled(50_000)
    shm = make_shm(64)
    p = parent_views(shm)
    counter = p.view(COUNTER, 8, atomics.UINT)
    counter.store(TICKET_START)
    logs = [str(tmp_path / f"tickets-{i}.bin") for i in range(n_procs)]
    procs = _start(method, ticket_worker,
                   [(shm.name, log, n, n_procs) for log in logs])
    assert _join(procs) == [0] * n_procs
    per_worker = [read_tickets(log) for log in logs]
    assert [len(t) for t in per_worker] == [n] * n_procs
    for tickets in per_worker:  # each worker's tickets increase
        assert all(a < b for a, b in zip(tickets, tickets[1:]))
    everything = sorted(t for tickets in per_worker for t in tickets)
    assert everything == list(range(TICKET_START,
                                     TICKET_START + n_procs * n))
    assert counter.load() == TICKET_START + n_procs * n


@pytest.mark.parametrize("method", START_METHODS)
def test_tickets_with_workers_killed(method, make_shm, parent_views,
                                     tmp_path):
    """Two of four workers are SIGKILLed mid-run (after drawing some
    tickets; they would run for much longer). The survivors finish, every
    logged ticket is distinct, and the counter exceeds the logged count by
    at most one ticket per killed worker (see ticket_worker)."""
    n_procs, n = 4, scaled(50_000)
    # worker -> tickets it must have logged before it is killed
    victims = {1: max(1, n // 4), 3: max(2, n // 2)}
    shm = make_shm(64)
    p = parent_views(shm)
    counter = p.view(COUNTER, 8, atomics.UINT)
    counter.store(TICKET_START)
    logs = [str(tmp_path / f"tickets-{i}.bin") for i in range(n_procs)]
    # victims would draw 10**12 tickets: they are certainly still running
    # when they are killed
    procs = _start(method, ticket_worker,
                   [(shm.name, log, 10**12 if i in victims else n, n_procs)
                    for i, log in enumerate(logs)])
    try:
        deadline = time.monotonic() + HANG
        for i, threshold in sorted(victims.items(), key=lambda kv: kv[1]):
            while (os.path.getsize(logs[i]) if os.path.exists(logs[i])
                   else 0) < threshold * TICKET:
                assert procs[i].is_alive(), "victim exited before the kill"
                assert time.monotonic() < deadline, "victim made no progress"
                time.sleep(0.001)
            os.kill(procs[i].pid, signal.SIGKILL)
        codes = _join(procs)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    for i, code in enumerate(codes):
        assert code == (-signal.SIGKILL if i in victims else 0), (i, code)
    per_worker = [read_tickets(log) for log in logs]
    for i, tickets in enumerate(per_worker):
        if i in victims:
            assert len(tickets) >= victims[i]
        else:
            assert len(tickets) == n
        assert all(a < b for a, b in zip(tickets, tickets[1:]))
    logged = [t for tickets in per_worker for t in tickets]
    assert len(set(logged)) == len(logged), "a ticket was drawn twice"
    final = counter.load()
    assert all(TICKET_START <= t < final for t in logged)
    unlogged = (final - TICKET_START) - len(logged)
    assert 0 <= unlogged <= len(victims), (final, len(logged))
    # the counter still works after its users were killed
    assert counter.fetch_add(1) == final


# --------------------------------------------------------------- locks --
#
# A lock built from the atomics guards a NON-atomic critical section: a
# read-modify-write of an 8-byte total through plain shm.buf slicing, and a
# history where the holder writes its id at position `total`. Lost updates
# or two holders at once show as a wrong total, a history slot written
# twice or left empty, or the "occupied" marker catching an overlap.

LOCK, NEXT, SERVING, OCCUPIED, OVERLAPS = 0, 8, 16, 24, 32
LOCK_GATE = 40
TOTAL = 48
HISTORY = 64


def _spin_acquire(lock, next_, serving, me):
    spins = 0
    while True:
        # test-and-test-and-set: spin on a load, then try the cmpxchg
        if lock.load(MO.RELAXED) == 0 and lock.cmpxchg_weak(
                0, me, MO.ACQUIRE, MO.RELAXED):
            return
        spins += 1
        if spins % 8 == 0:
            _yield()  # fewer CPUs than processes: let the holder run


def _spin_release(lock, next_, serving, me):
    assert lock.exchange(0, MO.RELEASE) == me


def _ticket_acquire(lock, next_, serving, me):
    mine = next_.fetch_add(1, MO.RELAXED)
    spins = 0
    while serving.load(MO.ACQUIRE) != mine:
        spins += 1
        if spins % 4 == 0:
            _yield()
    return mine


def _ticket_release(lock, next_, serving, me):
    serving.fetch_add(1, MO.RELEASE)


def _futex_ticket_acquire(lock, next_, serving, me):
    """A ticket lock whose waiters sleep in wait() instead of spinning."""
    mine = next_.fetch_add(1)
    deadline = time.monotonic() + HANG
    while True:
        now = serving.load()
        if now == mine:
            return mine
        if time.monotonic() > deadline:
            raise TimeoutError("ticket lock: never served")
        serving.wait(now, timeout=1.0)


def _futex_ticket_release(lock, next_, serving, me):
    serving.fetch_add(1)
    serving.notify_all()


LOCKS = {
    "spin": (_spin_acquire, _spin_release),
    "ticket": (_ticket_acquire, _ticket_release),
    "ticket-wait": (_futex_ticket_acquire, _futex_ticket_release),
}


def lock_worker(name, lock_kind, me, n, n_procs):
    acquire, release = LOCKS[lock_kind]
    with _Shm(name) as shm:
        total = shm.slice(TOTAL, 8)
        history = shm.slice(HISTORY, n * n_procs)
        # the serving counter is 4 bytes: wait() on it uses the futex
        with _view(shm.slice(LOCK, 8), atomics.UINT) as lock, \
                _view(shm.slice(NEXT, 8), atomics.UINT) as next_, \
                _view(shm.slice(SERVING, 4), atomics.UINT) as serving, \
                _view(shm.slice(OCCUPIED, 8), atomics.UINT) as occupied, \
                _view(shm.slice(OVERLAPS, 8), atomics.UINT) as overlaps, \
                _view(shm.slice(LOCK_GATE, 8), atomics.UINT) as gate:
            _arrive(gate, n_procs)
            for i in range(n):
                acquire(lock, next_, serving, me)
                # -- critical section: plain memory only --
                if occupied.exchange(me) != 0:
                    overlaps.inc()
                value = int.from_bytes(total, "little")
                if i % 5 == 0:
                    _yield()  # widen the race window
                if history[value] != 0:
                    overlaps.inc()
                history[value] = me
                total[:] = (value + 1).to_bytes(8, "little")
                if occupied.exchange(0) != me:
                    overlaps.inc()
                # -- end --
                release(lock, next_, serving, me)


@pytest.mark.parametrize("lock_kind", list(LOCKS))
@pytest.mark.parametrize("method", START_METHODS)
def test_lock_protects_non_atomic_section(method, lock_kind, make_shm,
                                          parent_views):
    n_procs = 3
    # a spinning ticket lock with more processes than CPUs hands over in
    # strict order, so each handover may wait for a time slice: fewer rounds
    n = scaled({"spin": 5000, "ticket": 1000, "ticket-wait": 3000}[lock_kind])
    shm = make_shm(HISTORY + n * n_procs)
    procs = _start(method, lock_worker,
                   [(shm.name, lock_kind, me, n, n_procs)
                    for me in range(1, n_procs + 1)])
    assert _join(procs) == [0] * n_procs
    p = parent_views(shm)
    assert p.view(OVERLAPS, 8, atomics.UINT).load() == 0
    assert p.view(OCCUPIED, 8, atomics.UINT).load() == 0
    assert int.from_bytes(p.raw(TOTAL, 8), "little") == n * n_procs
    history = p.raw(HISTORY, n * n_procs)
    assert history.count(0) == 0, "a critical section was lost"
    assert [history.count(me) for me in range(1, n_procs + 1)] == \
        [n] * n_procs
    if lock_kind == "spin":
        assert p.view(LOCK, 8, atomics.UINT).load() == 0
    else:
        assert p.view(NEXT, 8, atomics.UINT).load() == n * n_procs
        assert p.view(SERVING, 4, atomics.UINT).load() == n * n_procs


# --------------------------------------------------------- wait/notify --
#
# Handshake: the producer (this process) writes round i's payload into
# plain memory, sets `flag` to 2i-1 and notifies; the consumer (another
# process) waits for that, checks the payload, sets `flag` to 2i and
# notifies; the producer waits for that before the next round. Values wrap
# around at narrow widths (each still differs from the one before).

FLAG, ERRORS, PAYLOAD, ACK = 0, 16, 24, 32
WAIT_GATE = 40


def _payload(i):
    return (i * 0x9E3779B97F4A7C15) & (2**64 - 1)


def _wait_for(a, want, what):
    """Wait (with wait(), never spinning) until `a` holds `want`."""
    deadline = time.monotonic() + HANG
    while True:
        now = a.load()
        if now == want:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: waited for {want}, have {now}")
        a.wait(now, timeout=1.0)


def _wrap(value, atype, width):
    bits = 8 * width
    value &= (1 << bits) - 1
    if atype is atomics.INT and value >> (bits - 1):
        value -= 1 << bits
    return value


ATYPE_NAMES = {"INT": atomics.INT, "UINT": atomics.UINT}


def handshake_consumer(name, atype_name, width, rounds):
    atype = ATYPE_NAMES[atype_name]
    with _Shm(name) as shm:
        payload = shm.slice(PAYLOAD, 8)
        with _view(shm.slice(FLAG, width), atype) as flag, \
                _view(shm.slice(ERRORS, 8), atomics.UINT) as errors:
            for i in range(1, rounds + 1):
                _wait_for(flag, _wrap(2 * i - 1, atype, width),
                          "consumer")
                if int.from_bytes(payload, "little") != _payload(i):
                    errors.inc()
                flag.store(_wrap(2 * i, atype, width))
                flag.notify_all()


HANDSHAKES = [("UINT", 4, 5000), ("INT", 8, 5000), ("UINT", 1, 1000)]
if 16 in WIDTHS:
    HANDSHAKES.append(("INT", 16, 2000))


@pytest.mark.parametrize("atype_name,width,rounds", [
    pytest.param(*h, id=f"{h[0]}{h[1]}") for h in HANDSHAKES])
@pytest.mark.parametrize("method", START_METHODS)
def test_wait_notify_handshake(method, atype_name, width, rounds, make_shm,
                               parent_views):
    rounds = scaled(rounds)
    atype = ATYPE_NAMES[atype_name]
    shm = make_shm(64)
    p = parent_views(shm)
    flag = p.view(FLAG, width, atype)
    errors = p.view(ERRORS, 8, atomics.UINT)
    payload = shm.buf[PAYLOAD:PAYLOAD + 8]
    try:
        (proc,) = _start(method, handshake_consumer,
                         [(shm.name, atype_name, width, rounds)])
        try:
            for i in range(1, rounds + 1):
                payload[:] = _payload(i).to_bytes(8, "little")
                flag.store(_wrap(2 * i - 1, atype, width))
                flag.notify_all()
                _wait_for(flag, _wrap(2 * i, atype, width), "producer")
        finally:
            code = _join([proc])
    finally:
        payload.release()
    assert code == [0]
    assert errors.load() == 0
    assert flag.load() == _wrap(2 * rounds, atype, width)


def broadcast_consumer(name, rounds):
    with _Shm(name) as shm:
        payload = shm.slice(PAYLOAD, 8)
        with _view(shm.slice(FLAG, 4), atomics.UINT) as gen, \
                _view(shm.slice(ACK, 4), atomics.UINT) as ack, \
                _view(shm.slice(ERRORS, 8), atomics.UINT) as errors:
            for g in range(1, rounds + 1):
                # gen cannot pass g before every consumer acknowledged it
                _wait_for(gen, g, "consumer")
                if int.from_bytes(payload, "little") != _payload(g):
                    errors.inc()
                ack.inc()
                ack.notify_all()


@pytest.mark.parametrize("method", START_METHODS)
def test_wait_notify_broadcast(method, make_shm, parent_views):
    """notify_all() wakes every waiting process: one producer, three
    consumers, each round acknowledged by all before the next."""
    n_consumers, rounds = 3, scaled(3000)
    shm = make_shm(64)
    p = parent_views(shm)
    gen = p.view(FLAG, 4, atomics.UINT)
    ack = p.view(ACK, 4, atomics.UINT)
    errors = p.view(ERRORS, 8, atomics.UINT)
    payload = shm.buf[PAYLOAD:PAYLOAD + 8]
    try:
        procs = _start(method, broadcast_consumer,
                       [(shm.name, rounds)] * n_consumers)
        try:
            for g in range(1, rounds + 1):
                payload[:] = _payload(g).to_bytes(8, "little")
                gen.store(g)
                gen.notify_all()
                _wait_for(ack, g * n_consumers, "producer")
        finally:
            codes = _join(procs)
    finally:
        payload.release()
    assert codes == [0] * n_consumers
    assert errors.load() == 0
    assert ack.load() == rounds * n_consumers


# -------------------------------------------------------------- memory --
#
# Creating and dropping atomics and views must not grow the process: RSS
# after a warm-up and after the loop differ by less than RSS_LIMIT. Each
# test runs isolated (in a forked child), so the heap it measures is its
# own and a leak does not bloat the rest of the run.

RSS_LIMIT = 20 * 2**20


def rss_limit(n):
    """The RSS growth allowed over n iterations: RSS_LIMIT, but no more than
    4 MB plus 8 bytes per iteration (so that a leak of one small block per
    object fails even at the default sizes)."""
    return min(RSS_LIMIT, 4 * 2**20 + 8 * n)


def heap_limit(n):
    """The growth of malloc'ed memory allowed: 1 MB plus 2 bytes per
    iteration (a leaked block is at least 16)."""
    return 2**20 + 2 * n
needs_statm = pytest.mark.skipif(
    not os.path.exists(STATM),
    reason=f"RSS is read from {STATM}, which {sys.platform} lacks")
# GraalPy keeps Python objects in the JVM's heap, which grows and shrinks at
# the JVM's discretion: its RSS does not measure what the objects hold.
needs_own_heap = pytest.mark.skipif(
    IS_GRAALPY, reason="GraalPy's objects live in the JVM heap, and GraalPy "
    "24.2 keeps ~90 bytes per HPy object (README, Interpreters)")


# The sanitizer run (scripts/sanitize.sh) preloads ASan, whose allocator
# keeps freed blocks in quarantine: RSS grows by design there.
needs_plain_malloc = pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="AddressSanitizer's allocator holds freed memory in quarantine")


class Growth:
    """What rss_growth() measured."""

    def __init__(self, n, rss, heap):
        self.n, self.rss, self.heap = n, rss, heap

    def check(self, what):
        impl = sys.implementation.name
        assert self.rss < rss_limit(self.n), (
            f"RSS grew by {_mb(self.rss)} over {self.n} {what} "
            f"({self.rss / self.n:.1f} bytes each) on {impl}")
        if self.heap is not None:
            assert self.heap < heap_limit(self.n), (
                f"malloc'ed memory in use grew by {_mb(self.heap)} over "
                f"{self.n} {what} ({self.heap / self.n:.1f} bytes each) on "
                f"{impl}")


def rss_growth(loop, n, measured_rounds=2, max_warmup=6):
    """Growth of RSS (and of malloc'ed memory in use, where that can be
    read) over `measured_rounds` calls of loop(n).

    Before measuring, loop(n) runs until a call grows RSS by less than
    1 MB (at most `max_warmup` calls): a garbage collector sizes its heap to
    the allocation rate over the first rounds (PyPy's takes a few hundred
    thousand objects), which is not a leak; a leak never settles. Every
    round ends with full collections, so the heap is sized for one round;
    two or more measured rounds even out a heap that shrinks and grows on
    alternate rounds.
    """
    heap = malloc_in_use_fn()
    loop(n)
    settle()
    last = rss()
    for _ in range(max_warmup - 1):
        loop(n)
        settle()
        now = rss()
        if now - last < 2**20:
            break
        last = now
    before, heap_before = rss(), heap() if heap else None
    for _ in range(measured_rounds):
        loop(n)
        settle()  # as in the warm-up: the heap was sized for one round
    return Growth(measured_rounds * n, rss() - before,
                  heap() - heap_before if heap else None)


def _mb(n):
    return f"{n / 2**20:.1f} MB"


# Iterations per round (rss_growth measures two rounds, four for atomic()):
# a million atomics and a hundred thousand views by default.
N_ATOMICS = scaled(250_000, minimum=50_000 if not IS_GRAALPY else 1)
N_VIEWS = scaled(50_000, minimum=10_000 if not IS_GRAALPY else 1)


KINDS = [(atomics.INT, 8), (atomics.UINT, 4), (atomics.BYTES, 1),
         (atomics.INT, 2)] + ([(atomics.UINT, 16)] if 16 in WIDTHS else [])


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_atomics():
    """A million atomic() objects of every width, created and dropped."""
    kinds = KINDS * 8  # an index mask picks one without a modulo

    def loop(count):
        make = atomics.atomic
        for i in range(count):
            atype, width = kinds[i & 31]
            make(width=width, atype=atype)

    assert len(kinds) >= 32
    rss_growth(loop, N_ATOMICS, measured_rounds=4).check(
        "atomic() objects created and dropped")


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_atomics_every_class():
    """Every owned class, made through atomic() and directly, and owned
    arrays."""
    from atomics import base
    makers = [
        lambda: atomics.atomic(width=8, atype=atomics.INTEGRAL,
                               is_signed=True),
        lambda: atomics.atomic(width=4, atype=atomics.ANY,
                               is_integral=False, is_signed=False),
        lambda: base.AtomicInt(width=2),
        lambda: base.AtomicUint(width=8),
        lambda: base.AtomicBytes(width=4),
        lambda: atomics.atomicarray(3, 8, atomics.UINT),
        lambda: atomics.atomicarray(2, 16 if 16 in WIDTHS else 8,
                                    atomics.BYTES),
    ]

    def loop(count):
        for i in range(count):
            makers[i % len(makers)]()

    rss_growth(loop, N_ATOMICS).check("atomics of every class")


def _view_loop(make_buffer, atype=atomics.UINT):
    def loop(count):
        buf = make_buffer()
        for _ in range(count):
            with atomics.atomicview(buffer=buf, atype=atype) as v:
                v.inc()
        return buf
    return loop


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_views_bytearray():
    rss_growth(_view_loop(lambda: bytearray(8)), N_VIEWS).check(
        "views of a bytearray")


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_views_mmap_and_shm():
    m = mmap.mmap(-1, mmap.PAGESIZE)
    shm = SharedMemory(create=True, size=64)
    try:
        slices = [memoryview(m)[8:16], shm.buf[16:20]]

        def loop(count):
            for i in range(count):
                with atomics.atomicview(buffer=slices[i % 2],
                                        atype=atomics.INT) as v:
                    v.dec()

        growth = rss_growth(loop, N_VIEWS // 2)
        for s in slices:
            s.release()
    finally:
        m.close()
        shm.close()
        shm.unlink()
    growth.check("views of an mmap and of shared memory")


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_dropped_contexts():
    """Contexts dropped while open, views dropped without __exit__, and
    contexts released without being entered: the exports go back through
    the garbage collector, and nothing is left behind. (Width 8: every
    machine has it; 16 needs a CPU with a 16-byte compare-exchange.)"""
    ba = bytearray(8)

    def loop(count):
        for i in range(count):
            ctx = atomics.atomicview(buffer=ba, atype=atomics.BYTES)
            if i % 3 == 0:
                view = ctx.__enter__()
                del ctx
                view.store(bytes(8))
                del view
            elif i % 3 == 1:
                ctx.release()
            else:
                del ctx
            if i % 10_000 == 0:
                gc.collect()

    rss_growth(loop, N_VIEWS // 2).check("contexts dropped or released")


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_error_paths():
    """Failing constructions and failing operations leak nothing (no
    handle, no export, no buffer)."""
    ba = bytearray(32)
    odd = 1 + (address_of(ba) + 1) % 2  # an odd address
    misaligned = memoryview(ba)[odd:odd + 8]
    released = memoryview(bytearray(8))
    released.release()
    a = atomics.atomic(width=8, atype=atomics.INT)
    b = atomics.atomic(width=4, atype=atomics.BYTES)
    ro = bytes(8)
    ctx = atomics.atomicview(buffer=ro, atype=atomics.UINT)
    rov = ctx.__enter__()
    calls = [
        lambda: atomics.atomic(width=3, atype=atomics.INT),
        lambda: atomics.atomic(width=-1, atype=atomics.UINT),
        lambda: atomics.atomic(width=4, atype=int),
        lambda: atomics.atomicview(buffer=misaligned, atype=atomics.INT),
        lambda: atomics.atomicview(buffer=released, atype=atomics.INT),
        lambda: atomics.atomicview(buffer=memoryview(ba)[::2],
                                   atype=atomics.INT),
        lambda: atomics.atomicview(buffer=bytearray(3), atype=atomics.INT),
        lambda: atomics.atomicview(buffer=object(), atype=atomics.INT),
        lambda: a.store(2**64),
        lambda: a.store(1.5),
        lambda: a.store(1, 3),
        lambda: a.load(MO.RELEASE),
        lambda: a.cmpxchg_strong(0, 1, MO.RELAXED, MO.SEQ_CST),
        lambda: a.bit_test(64),
        lambda: a.fetch_add(2**200),
        lambda: b.store(b"abc"),
        lambda: b.exchange("abcd"),
        lambda: b.cmpxchg_weak(bytearray(5), b"abcd"),
        lambda: b.wait(b"ab", timeout=0),
        lambda: rov.store(1),
        lambda: rov.fetch_add(1),
    ]

    def loop(count):
        for i in range(count):
            try:
                calls[i % len(calls)]()
            except (TypeError, ValueError, OverflowError, BufferError,
                    atomics.exc.UnsupportedWidthException,
                    atomics.exc.UnsupportedOperationException,
                    atomics.exc.AlignmentError,
                    atomics.exc.MemoryOrderError):
                pass
            else:
                raise AssertionError(f"call {i % len(calls)} succeeded")

    growth = rss_growth(loop, N_VIEWS)
    ctx.__exit__()
    misaligned.release()
    growth.check("failed calls")


@needs_statm
@needs_own_heap
@needs_plain_malloc
@pytest.mark.isolated
def test_rss_flat_operations():
    """A long run of operations (every kind of result object) on a few
    atomics allocates nothing that stays."""
    a = atomics.atomic(width=8, atype=atomics.INT)
    b = atomics.atomic(width=8, atype=atomics.BYTES)
    ones = b"\x01" * 8

    def loop(count):
        for i in range(count):
            a.fetch_add(i)
            a.cmpxchg_strong(a.load(), -i)
            a.bit_test_compl(i % 64)
            b.exchange(ones)
            b.cmpxchg_weak(ones, bytes(8), MO.ACQ_REL, MO.ACQUIRE)
            b.bin_fetch_xor(ones)
            a.wait(a.load() + 1 if a.load() < 2**62 else 0, timeout=0)

    rss_growth(loop, N_VIEWS).check("rounds of operations")
