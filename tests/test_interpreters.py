"""One shared memory segment, worker processes of every interpreter the
project provisions (CPython, PyPy, GraalPy): all increment, compare-exchange
and read the same atomics, and each pair plays ping-pong through a flag.

A shared atomic pickles to its segment's name (atomics/_shared.py), so the
workers get their atomics as pickles on the command line: the pickle is the
same bytes whatever interpreter made or reads it.
"""

import glob
import os
import pickle
import subprocess
import sys
import textwrap
from itertools import combinations

import pytest

import atomics

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTERPRETERS = os.path.join(REPO, ".interpreters")
PROVISIONED = {
    "pypy": os.path.join(INTERPRETERS, "pypy", "bin", "pypy3"),
    "graalpy": os.path.join(INTERPRETERS, "graalpy", "bin", "graalpy"),
}


def _loads_atomics(exe, pythonpath):
    """Whether `exe` can import this atomics and run an operation."""
    try:
        proc = subprocess.run(
            [exe, "-c", "import atomics; atomics.atomic(width=8, "
             "atype=atomics.UINT).fetch_add(1)"],
            env=dict(os.environ, PYTHONPATH=pythonpath),
            capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def interpreters(pythonpath):
    """{label: executable}: this one, the provisioned PyPy and GraalPy
    (scripts/provision-*.sh), and every other GraalPy provisioned beside
    it (.interpreters/graalpy*/, e.g. another version) that runs atomics.
    The label is the name sys.implementation gives, plus the folder's
    suffix for the other GraalPys."""
    this = sys.implementation.name
    if this == "graalpy" and sys.implementation.version[0] >= 25:
        this = f"graalpy{sys.implementation.version[0]}"  # GraalPy 24.2 joins
    found = {this: sys.executable}
    for name, path in PROVISIONED.items():
        if (name not in found and os.access(path, os.X_OK)
                and os.path.realpath(path) != os.path.realpath(sys.executable)):
            found[name] = path
    # (graalpy<N>: another version; not graalpy-jit, the same GraalPy with
    # its optimizing runtime, for the benchmarks)
    for path in sorted(glob.glob(os.path.join(INTERPRETERS, "graalpy[0-9]*",
                                              "bin", "graalpy"))):
        label = os.path.basename(os.path.dirname(os.path.dirname(path)))
        if (label not in found and os.access(path, os.X_OK)
                and _loads_atomics(path, pythonpath)):
            found[label] = path
    return found


WORKER = textwrap.dedent("""
    import pickle, sys
    counter, cas_counter, flags, n, role = pickle.loads(
        bytes.fromhex(sys.argv[1]))
    import atomics
    assert type(counter).__module__ == "atomics.base"
    for _ in range(n):
        counter.fetch_add(1)
        current = cas_counter.load()
        while not cas_counter.cmpxchg_weak(current, current + 1):
            current = cas_counter.load()
    # ping-pong: on flag k, the "ping" side sets odd values and waits for
    # the "pong" side's even answer
    for k, side in role:
        flag = flags[k]
        for i in range(20):
            if side == "ping":
                flag.store(2 * i + 1)
                flag.notify_all()
                assert flag.wait(2 * i + 1, timeout=300)
            else:
                assert flag.wait(2 * i, timeout=300)
                flag.store(2 * i + 2)
                flag.notify_all()
    print(sys.implementation.name, counter.load() >= n)
""")


def package_path(tmp_path):
    """A directory holding only the atomics under test, for the other
    interpreters' sys.path (this interpreter's site-packages would shadow
    their own built-in hpy)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "atomics").symlink_to(os.path.dirname(atomics.__file__))
    return str(site)


def test_all_interpreters_share_atomics(tmp_path):
    site = package_path(tmp_path)
    found = interpreters(site)
    if len(found) < 2:
        pytest.skip("only one interpreter is provisioned "
                    "(scripts/provision-pypy.sh, provision-graalpy.sh)")
    names = sorted(found)
    pairs = list(combinations(range(len(names)), 2))
    counter = atomics.atomic(width=8, atype=atomics.UINT, shared=True)
    cas_counter = atomics.atomic(width=8, atype=atomics.INT, shared=True)
    flags = [atomics.atomic(width=4, atype=atomics.INT, shared=True)
             for _ in pairs]
    n = 2000
    roles = {i: [] for i in range(len(names))}
    for k, (a, b) in enumerate(pairs):
        roles[a].append((k, "ping"))
        roles[b].append((k, "pong"))
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = dict(os.environ, PYTHONPATH=site)
    procs = []
    for i, name in enumerate(names):
        payload = pickle.dumps((counter, cas_counter, flags, n, roles[i]))
        procs.append(subprocess.Popen(
            [found[name], str(script), payload.hex()], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=900) for p in procs]
    for name, p, (out, err) in zip(names, procs, outputs):
        assert p.returncode == 0, f"{name}: {err}"
        implementation = "graalpy" if name.startswith("graalpy") else name
        assert out.split() == [implementation, "True"], (name, out, err)
    assert counter.load() == n * len(names)
    assert cas_counter.load() == n * len(names)
    assert [f.load() for f in flags] == [40] * len(pairs)
