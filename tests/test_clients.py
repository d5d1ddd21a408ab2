"""Programs written against atomics 1.0.2's API, run unchanged.

Each file in tests/clients/ is a small program, in our own words, that
uses atomics the way a kind of public client code does (a shared-memory
allocator, spin and pid locks, a shared dict's lock, counters handed to
worker processes, asyncio flags, ...; its docstring names the usage
pattern). Each is run here as a script by the interpreter running the
suite, so on CPython, PyPy and GraalPy alike, and must exit 0, print what
it should, and write nothing to stderr but the warnings expected of it.
The programs check their own results as well (a lost update or a torn
frame makes them fail).
"""

import os
import re
import subprocess
import sys

import pytest

import atomics

from .utils import HAS_FORK, HAS_SHM_OPEN, IS_GRAALPY

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS = os.path.join(HERE, "clients")
# where the atomics under test lives (installed, or the source tree)
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    atomics.__file__)))

# GraalPy 24.2 has no shm_open (so no multiprocessing.shared_memory): there
# the programs run with clients/graalpy_shm/ on their path, which supplies
# it (see its sitecustomize.py)
GRAALPY_SHM = os.path.join(CLIENTS, "graalpy_shm")
SHM_SHIM = IS_GRAALPY and not HAS_SHM_OPEN and os.path.isdir("/dev/shm")
NO_SHM = pytest.mark.skipif(
    not (HAS_SHM_OPEN or SHM_SHIM), reason="no multiprocessing.shared_memory "
    "on this interpreter, which the program is built on")
NO_FORK = pytest.mark.skipif(
    not HAS_FORK, reason="this interpreter cannot fork (GraalPy), and the "
    "program hands objects to its workers by forking")

BUFFER_WARNING = (
    "IgnoredArgumentWarning: atomic() ignores the keyword argument 'buffer': "
    "an atomic() has memory of its own and never uses a buffer; for an "
    "atomic on a buffer use atomicview(buffer=..., atype=...)")

# program -> (marks, the lines it prints (regular expressions), the
# warnings it must print on stderr)
PROGRAMS = {
    "slot_stack": ([NO_SHM], [
        r"slots popped: (\d+) of \1, each once",
        r"slots free again: \d+",
    ], []),
    "framebuffer_lock": ([], [
        r"reader saw whole frames only",
    ], []),
    "lock_array": ([NO_SHM], [
        r"counters: \[600, 300, 300, 300\]",
    ], []),
    "pid_lock": ([NO_SHM, NO_FORK], [
        r"WARNING freed the lock held by dead process \d+",
        r"updates: 901",
    ], []),
    "dict_shared_lock": ([NO_SHM, NO_FORK], [
        r"value: 2600, updates: 1000",
    ], []),
    "manager_counter": ([NO_SHM, NO_FORK], [
        r"fork: counted 900",
        r"spawn: counted 900",
    ], []),
    "stage_states": ([NO_SHM], [
        r"states: READY READY READY READY FAILED READY",
        r"reference counts: \[6, 6, 6, 6, 6, 6\]",
    ], []),
    "pickled_lock": ([NO_SHM], [
        r"names: 63, added once each",
    ], []),
    "thread_ids": ([], [
        r"callback ids: (\d+) distinct, shared by 4 clients",
        r"sequence numbers: (\d+), important: \d+",
        r"rows processed: \d+",
    ], []),
    "refresh_flags": ([], [
        r"bursts: 20 of 7 requests, refreshes: 40",
    ], []),
    "handoff_gate": ([], [
        r"handed over: \d+ items, in order",
    ], []),
    "election_votes": ([], [
        r"rounds: 30, won: 21",
    ], []),
    "microtime": ([NO_SHM], [
        r"timestamps: 8000 unique, increasing per thread",
    ], [BUFFER_WARNING]),
    "bytes_retry_loop": ([], [
        re.escape(r"stale bytearray after 5 failures: b'\x11\x11\x11\x11'"),
        re.escape(r"""what the atomic holds: b'\x11"3D'"""),
        re.escape(r"""CmpxchgResult(success=True, expected=b'\x11"3D')"""),
    ], []),
    "counter_handle": ([NO_SHM], [
        r"slots: \[375, 375, 375, 375\]",
    ], []),
    "named_mutex": ([NO_SHM], [
        r"critical sections: 80",
    ], []),
}


def run_client(name, *options, timeout=600):
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)  # the interpreter's default filters
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_ROOT] + ([GRAALPY_SHM] if SHM_SHIM else []) +
        [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return subprocess.run(
        [sys.executable, *options, os.path.join(CLIENTS, name + ".py")],
        env=env, capture_output=True, text=True, timeout=timeout)


def warnings_in(stderr):
    """The warnings in `stderr` as "Category: message", after checking that
    it holds nothing else (each warning is a "file:line: Category: message"
    line, then the source line, indented)."""
    found, lines = [], stderr.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^.+:\d+: (\w+Warning: .*)$", lines[i])
        assert m, f"unexpected output on stderr:\n{stderr}"
        found.append(m.group(1))
        i += 1
        if i < len(lines) and lines[i].startswith(" "):
            i += 1  # the source line
    return found


def test_every_program_is_listed():
    names = {f[:-3] for f in os.listdir(CLIENTS) if f.endswith(".py")}
    assert names == set(PROGRAMS)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=marks) for name, (marks, _, _) in
    PROGRAMS.items()])
def test_client(name):
    _, lines, warnings = PROGRAMS[name]
    proc = run_client(name)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == len(lines) + 1, proc.stdout
    for pattern, line in zip(lines, out):
        assert re.fullmatch(pattern, line), (pattern, line)
    assert out[-1] == "ok"
    # expected warnings are shown, and are not errors; nothing else is said
    assert warnings_in(proc.stderr) == warnings


@NO_SHM
def test_ignored_argument_warning_can_be_made_an_error():
    """Who wants no ignored arguments turns the warning into an error
    (it is a UserWarning)."""
    proc = run_client("microtime", "-W", "error::UserWarning")
    assert proc.returncode != 0
    assert "atomics.exc.IgnoredArgumentWarning: atomic() ignores the " \
        "keyword argument 'buffer'" in proc.stderr
