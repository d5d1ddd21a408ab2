"""Shared atomics: shared=True memory that pickles across processes."""

import concurrent.futures
import copy
import gc
import multiprocessing
import os
import pickle
import subprocess
import sys
import time
import warnings

import pytest

import atomics

from .utils import IS_GRAALPY, IS_GRAALPY_HPY

# GraalPy has no os.fork
METHODS = ["spawn"] + ([] if IS_GRAALPY else ["fork"])
N = 300 if IS_GRAALPY else 2000


def add_n(counter, n):
    for _ in range(n):
        counter.inc()
    return counter.load()


def segments(pid=None):
    """The shared segments process @p pid (this one by default) created:
    named atomics-<pid>-<random>, so that another process's (a test lane
    running beside this one) never counts."""
    prefix = f"atomics-{os.getpid() if pid is None else pid}-"
    return {f for f in os.listdir("/dev/shm") if f.startswith(prefix)}


def test_pickle_round_trip_shares_memory():
    a = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    b = pickle.loads(pickle.dumps(a))
    assert type(b) is type(a) and b is not a
    a.store(41)
    b.inc()
    assert a.load() == 42
    arr = atomics.atomicarray(4, 2, atomics.UINT, shared=True)
    copy = pickle.loads(pickle.dumps(arr))
    copy.store(3, 7)
    assert arr.load(3) == 7 and len(copy) == 4
    kinds = [atomics.atomic(width=4, atype=atomics.BYTES, shared=True),
             atomics.atomic(width=2, atype=atomics.INTEGRAL, is_signed=False,
                            shared=True),
             atomics.atomic(width=2, atype=atomics.ANY, is_integral=True,
                            is_signed=True, shared=True)]
    for k in kinds:
        assert type(pickle.loads(pickle.dumps(k))) is type(k)


def test_copy_refused():
    """copy/deepcopy would make a second handle on the same memory (what
    pickle does on purpose): a copy must not silently alias, so both raise,
    for shared atomics as for private ones."""
    a = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    arr = atomics.atomicarray(2, 8, atomics.INT, shared=True)
    for obj in (a, arr, {"nested": [a]}):
        for func in (copy.copy, copy.deepcopy):
            if func is copy.copy and isinstance(obj, dict):
                continue  # a shallow copy of a dict does not copy values
            with pytest.raises(TypeError, match="copy"):
                func(obj)
    a.store(5)
    assert a.load() == 5


def cmpxchg_in_worker(counter):
    return counter.cmpxchg_strong(expected=0, desired=1)


@pytest.mark.skipif(IS_GRAALPY_HPY, reason="GraalPy 24.2 cannot pickle a shared "
                    "atomic outside the thread that imported atomics, and "
                    "Pool pickles in a helper thread")
def test_worker_returns_cmpxchg_result():
    """A CmpxchgResult pickles, so a worker can return one."""
    counter = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        first = pool.apply(cmpxchg_in_worker, (counter,))
        second = pool.apply(cmpxchg_in_worker, (counter,))
    assert type(first) is atomics.CmpxchgResult
    assert (first.success, first.expected) == (True, 0)
    assert (second.success, second.expected) == (False, 1)
    assert counter.load() == 1


def test_segment_unlinked_when_done():
    before = segments()
    a = atomics.atomic(width=8, atype=atomics.UINT, shared=True)
    mine = segments() - before
    assert len(mine) == 1
    b = pickle.loads(pickle.dumps(a))
    del a
    # b (mapped in this process) keeps the creator's segment alive
    assert mine <= segments()
    b.inc()
    del b
    # PyPy needs a second collection for the finalizer, GraalPy (the JVM's
    # GC) may need a few
    deadline = time.monotonic() + 30
    while mine & segments() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.05)
    assert not (mine & segments())


def test_segment_unlinked_when_creator_exits():
    """Even with the atomics still referenced, exiting unlinks the segment."""
    code = ("import os, atomics\n"
            "a = atomics.atomic(width=8, atype=atomics.UINT, shared=True)\n"
            "arr = atomics.atomicarray(3, 4, atomics.INT, shared=True)\n"
            "a.inc()\n"
            "mine = [f for f in os.listdir('/dev/shm')\n"
            "        if f.startswith(f'atomics-{os.getpid()}-')]\n"
            "print(os.getpid(), len(mine), flush=True)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    pid, alive = out.split()
    assert alive == "2"
    assert not segments(pid)


@pytest.mark.parametrize("method", METHODS)
def test_processes(method):
    ctx = multiprocessing.get_context(method)
    counter = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        procs = [ctx.Process(target=add_n, args=(counter, N))
                 for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    assert counter.load() == 2 * N


# Pool and ProcessPoolExecutor pickle their arguments in a helper thread
PICKLES_IN_THREADS = pytest.mark.skipif(
    IS_GRAALPY_HPY, reason="GraalPy 24.2 cannot pickle a shared atomic outside "
    "the thread that imported atomics")


@PICKLES_IN_THREADS
@pytest.mark.parametrize("method", METHODS)
def test_pool_and_executor(method):
    ctx = multiprocessing.get_context(method)
    counter = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ctx.Pool(2) as pool:
            pool.starmap(add_n, [(counter, N)] * 2)
        with concurrent.futures.ProcessPoolExecutor(
                2, mp_context=ctx) as ex:
            list(ex.map(add_n, [counter] * 2, [N] * 2))
    assert counter.load() == 4 * N


def test_no_resource_tracker_warnings(tmp_path):
    """A child that unpickles a shared atomic leaves no warning behind (the
    resource tracker of multiprocessing.shared_memory would)."""
    script = tmp_path / "child.py"
    script.write_text(
        "import atomics, multiprocessing as mp, sys\n"
        "def work(c):\n"
        "    c.inc()\n"
        "if __name__ == '__main__':\n"
        "    c = atomics.atomic(width=8, atype=atomics.INT, shared=True)\n"
        "    p = mp.get_context('spawn').Process(target=work, args=(c,))\n"
        "    p.start(); p.join()\n"
        "    print(c.load())\n")
    root = os.path.dirname(os.path.dirname(atomics.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(
            os.pathsep) if p]))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
    assert "leaked" not in proc.stderr and "Warning" not in proc.stderr
