"""The seed README's examples, run as scripts with this interpreter.

The README's code blocks lost their indentation in the seed copy; they are
reproduced here statement for statement, correctly indented."""

import os
import subprocess
import sys
import textwrap

import pytest

import atomics

from .utils import HAS_SHM_OPEN

# where the atomics under test lives (installed, or the source tree)
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    atomics.__file__)))

MULTI_THREADING = '''
import atomics
from threading import Thread


def fn(ai: atomics.INTEGRAL, n: int) -> None:
    for _ in range(n):
        ai.inc()


if __name__ == "__main__":
    # setup
    a = atomics.atomic(width=4, atype=atomics.INT)
    total = 10_000
    # run threads to completion
    t1 = Thread(target=fn, args=(a, total // 2))
    t2 = Thread(target=fn, args=(a, total // 2))
    t1.start(), t2.start()
    t1.join(), t2.join()
    # print results
    print(f"a[{a.load()}] == total[{total}]")
'''

MULTI_PROCESSING = '''
import atomics
from multiprocessing import Process, shared_memory


def fn(shmem_name: str, width: int, n: int) -> None:
    shmem = shared_memory.SharedMemory(name=shmem_name)
    buf = shmem.buf[:width]
    with atomics.atomicview(buffer=buf, atype=atomics.INT) as a:
        for _ in range(n):
            a.inc()
    del buf
    shmem.close()


if __name__ == "__main__":
    # setup
    width = 4
    shmem = shared_memory.SharedMemory(create=True, size=width)
    buf = shmem.buf[:width]
    total = 10_000
    # run processes to completion
    p1 = Process(target=fn, args=(shmem.name, width, total // 2))
    p2 = Process(target=fn, args=(shmem.name, width, total // 2))
    p1.start(), p2.start()
    p1.join(), p2.join()
    # print results and cleanup
    with atomics.atomicview(buffer=buf, atype=atomics.INT) as a:
        print(f"a[{a.load()}] == total[{total}]")
    del buf
    shmem.close()
    shmem.unlink()
'''

# The "Contract" example, with each commented-out statement run and the
# exception it documents printed.
CONTRACT = '''
import atomics


def attempt(label, fn):
    try:
        fn()
    except Exception as exc:
        print(f"{label}: {type(exc).__name__}({str(exc)!r})")
    else:
        print(f"{label}: ok")


buf = bytearray(4)
ctx = atomics.atomicview(buffer=buf, atype=atomics.INT)

other = atomics.atomicview(buffer=bytearray(4), atype=atomics.INT)
other.release()
attempt("enter after release", other.__enter__)

with ctx as a:  # this calls ctx.__enter__()
    attempt("release while open", ctx.release)
    attempt("enter while open", ctx.__enter__)
    print(a.load())  # ok

# ctx.__exit__(...) now called
# we can safely invalidate object 'buf' now
buf.extend(b"more")
print(len(buf))

attempt("enter after exit", ctx.__enter__)
attempt("use after exit", a.load)
attempt("release again", ctx.release)
'''

CONSTRUCTION = '''
import atomics

a = atomics.atomic(width=4, atype=atomics.INT)
print(a)  # AtomicInt(value=0, width=4, readonly=False, signed=True)

buf = bytearray(2)
with atomics.atomicview(buffer=buf, atype=atomics.BYTES) as a:
    print(a)  # AtomicBytesView(value=b'\\\\x00\\\\x00', width=2, readonly=True)
'''


def run_script(tmp_path, source, name="example.py", extra_env=None):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
                  if p])
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, str(path)], cwd=str(tmp_path),
                          env=env, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def test_multi_threading_example(tmp_path):
    out, _ = run_script(tmp_path, MULTI_THREADING)
    assert out == "a[10000] == total[10000]\n"


@pytest.mark.skipif(not HAS_SHM_OPEN, reason="this interpreter has no "
                    "shm_open, so no multiprocessing.shared_memory (GraalPy)")
@pytest.mark.parametrize("method", [None, "spawn"])
def test_multi_processing_example(tmp_path, method):
    source = MULTI_PROCESSING
    if method:
        source = source.replace(
            'if __name__ == "__main__":\n',
            'if __name__ == "__main__":\n'
            f'    import multiprocessing; '
            f'multiprocessing.set_start_method("{method}")\n')
    out, err = run_script(tmp_path, source)
    assert out == "a[10000] == total[10000]\n"
    assert "Traceback" not in err


def test_contract_example(tmp_path):
    out, err = run_script(tmp_path, CONTRACT)
    assert out.splitlines() == [
        "enter after release: ValueError(\"Cannot open context after "
        "calling 'release'.\")",
        "release while open: ValueError(\"Cannot call 'release' while "
        "context is open.\")",
        "enter while open: ValueError('Cannot open context multiple "
        "times.')",
        "0",
        "8",
        "enter after exit: ValueError(\"Cannot open context after calling "
        "'release'.\")",
        "use after exit: ValueError('Operation forbidden on released "
        "AtomicCore object.')",
        "release again: ok",
    ]
    assert err == ""


def test_construction_example(tmp_path):
    out, _ = run_script(tmp_path, CONSTRUCTION)
    assert out.splitlines() == [
        "AtomicInt(value=0, width=4, readonly=False, signed=True)",
        # the README's readonly=True is a typo: a bytearray is writable
        "AtomicBytesView(value=b'\\x00\\x00', width=2, readonly=False)",
    ]

