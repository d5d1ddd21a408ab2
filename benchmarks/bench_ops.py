# SPDX-License-Identifier: MIT
"""ns per operation: atomics next to its peers, on the running interpreter.

    python benchmarks/bench_ops.py [--json FILE] [--quick]

Measured in one run, with one method: the best of several timeit repeats of
each statement, minus the best for `pass` (the loop's own cost); on PyPy and
GraalPy, whose JITs compile a loop only once it has run a while, repeats go
on until the loop is warm (the best stops improving). Columns:

  atomics      this package (installed, or the source tree if built in place)
  atomicshm    atomicshm 0.1.0 (CPython only), the fastest peer we know
  atomics-1.0.2  the original (run in a subprocess: same package name)
  lock         the same operation on a plain int under threading.Lock
  mp.Value     multiprocessing.Value('q') (process-shared, with its lock)
  C method     x.bit_length(): the interpreter's own cheapest bound C call
  floor        the same work in the least HPy code that can do it
               (benchmarks/floor/floor.c, when ATOMICS_FLOOR names its
               binary): the calling convention's cost, one atomic
               instruction, the conversions and the result's boxing

Peers that are not installed are skipped (scripts/bench.sh installs them).
The ratio column is atomics / atomicshm (atomics / lock where there is no
atomicshm, as on PyPy and GraalPy); /floor is atomics / floor.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import timeit
from pathlib import Path
from types import ModuleType

# (label, statement) per operation and implementation; setup code below
# defines the names each statement uses.
OPS = {
    "construct": {
        "atomics": "atomic(width=8, atype=INT)",
        "atomicshm": "shm_view.cell_u64(0)",
        "atomics-1.0.2": "atomic(width=8, atype=INT)",
        "lock": "[0]",
        "mp.Value": "Value('q', 0)",
    },
    "load": {
        "atomics": "a.load()",
        "atomicshm": "cell.load()",
        "atomics-1.0.2": "a.load()",
        "lock": "box[0]",
        "mp.Value": "mv.value",
    },
    "store": {
        "atomics": "a.store(1)",
        "atomicshm": "cell.store(1)",
        "atomics-1.0.2": "a.store(1)",
        "lock": "with lock: box[0] = 1",
        "mp.Value": "mv.value = 1",
    },
    "inc": {
        "atomics": "a.inc()",
        "atomicshm": "cell.fetch_add(1)",
        "atomics-1.0.2": "a.inc()",
        "lock": "with lock: box[0] += 1",
        "mp.Value": "with mv.get_lock(): mv.value += 1",
    },
    "fetch_add": {
        "atomics": "a.fetch_add(1)",
        "atomicshm": "cell.fetch_add(1)",
        "atomics-1.0.2": "a.fetch_add(1)",
        "lock": "with lock: old = box[0]; box[0] = old + 1",
        "mp.Value": "with mv.get_lock(): old = mv.value; mv.value = old + 1",
    },
    "cmpxchg_strong": {
        "atomics": "a.cmpxchg_strong(expected=1, desired=1)",
        "atomicshm": "cell.cas(1, 1)",
        "atomics-1.0.2": "a.cmpxchg_strong(expected=1, desired=1)",
        "lock": "with lock:\n if box[0] == 1: box[0] = 1",
        "mp.Value": "with mv.get_lock():\n if mv.value == 1: mv.value = 1",
    },
    "cmpxchg_strong (positional)": {
        "atomics": "a.cmpxchg_strong(1, 1)",
        "atomicshm": "cell.cas(1, 1)",
    },
    "view load": {
        "atomics": "v.load()",
        "atomicshm": "shm_view.load_u64(0)",
        "atomics-1.0.2": "v.load()",
    },
    "view fetch_add": {
        "atomics": "v.fetch_add(1)",
        "atomicshm": "shm_view.fetch_add_u64(0, 1)",
        "atomics-1.0.2": "v.fetch_add(1)",
    },
    "view open+close": {
        "atomics": "with atomicview(buffer=spare, atype=INT): pass",
        "atomics-1.0.2": "with atomicview(buffer=spare, atype=INT): pass",
    },
}
# the floor of each op: the same work and arguments, KEYWORDS like atomics'
FLOOR = {"load": "c.load()", "store": "c.store(1)", "inc": "c.inc()",
         "fetch_add": "c.fetch_add(1)",
         "cmpxchg_strong": "c.cas(expected=1, desired=1)",
         "cmpxchg_strong (positional)": "c.cas(1, 1)",
         "view load": "c.load()", "view fetch_add": "c.fetch_add(1)"}
for _op, _stmt in FLOOR.items():
    OPS[_op]["floor"] = _stmt
# the calling conventions themselves, for the README's cost breakdown
FLOOR_ONLY = {"floor: NOARGS nop()": "c.nop()",
              "floor: O nop_o(1)": "c.nop_o(1)",
              "floor: KEYWORDS nop_kw()": "c.nop_kw()",
              "floor: cas_tuple(1, 1)": "c.cas_tuple(1, 1)"}

SETUP_ATOMICS = """
from atomics import atomic, atomicview, INT
a = atomic(width=8, atype=INT)
a.store(1)
_buf = bytearray(8)
_ctx = atomicview(buffer=_buf, atype=INT)
v = _ctx.__enter__()
spare = bytearray(8)
"""

SETUP_ATOMICSHM = """
import atomicshm
shm_view = atomicshm.AtomicView(bytearray(64))
cell = shm_view.cell_u64(0)
cell.store(1)
"""

SETUP_MPVALUE = """
from multiprocessing import Value
mv = Value('q', 1)
"""

# The cell is one object for the whole run: each setup starts it at 1, as
# SETUP_ATOMICS starts its atomic. (Grown by the inc and fetch_add rows,
# its load() boxed a big int where atomics' fresh atomic gives a cached
# small one, and in a whole run the same c.load() took 21.8 ns in the
# "view load" row against 14.6 in "load": view load looked 0.87x its
# floor. Reset, both rows agree.)
SETUP_FLOOR = """
import _floor
c = _floor.cell
c.store(1)
"""

SETUP_LOCK = """
import threading
lock = threading.Lock()
box = [1]
"""


# PyPy and GraalPy compile a loop only after it has run for a while
# (GraalPy's optimizing runtime: seconds, in background threads), so a
# fixed number of repeats there times the interpreter, or the compiler at
# work, or (for the empty loop) a mix of both, and the difference is noise:
# GraalPy once gave 0 ns for most operations that way. There each loop
# runs until it is warm, and the empty loop is timed once per setup.
JIT = sys.implementation.name != "cpython"
WARMUP = 3.0  # seconds, at least; --warmup
_setups = {}  # setup: (its namespace, the empty loop's best)


def warm_best(timer, number, settle=5):
    """Best seconds per execution of `timer`'s statement once the loop is
    compiled: batches of `number` for at least WARMUP seconds and until
    `settle` in a row have not beaten the best by 2% (at most 3 x WARMUP
    seconds)."""
    best, quiet = float("inf"), 0
    start = time.perf_counter()
    while True:
        t = timer.timeit(number) / number
        quiet = quiet + 1 if t > best * 0.98 else 0
        best = min(best, t)
        elapsed = time.perf_counter() - start
        if elapsed >= 3 * WARMUP or (quiet >= settle and elapsed >= WARMUP):
            return best


def time_row(stmts, repeat, number):
    """{name: best ns per execution} for {name: (statement, setup)}, the
    empty loop's cost removed. On CPython the repeats of a row take turns
    (statement, its empty loop, the next statement, ...): this VM's speed
    drifts by 10-50% over minutes, and so a slow spell weighs on every
    column of the row alike, not on one of them."""
    if JIT:
        return {name: _warm_statement(stmt, setup, number)
                for name, (stmt, setup) in stmts.items()}
    timers = {name: (timeit.Timer(stmt, setup), timeit.Timer("pass", setup))
              for name, (stmt, setup) in stmts.items()}
    best = {name: [float("inf"), float("inf")] for name in stmts}
    for _ in range(repeat):
        for name, pair in timers.items():
            for k, timer in enumerate(pair):
                best[name][k] = min(best[name][k],
                                    timer.timeit(number) / number)
    return {name: max(stmt - empty, 0.0) * 1e9
            for name, (stmt, empty) in best.items()}


def time_statement(stmt, setup, repeat, number):
    """Best ns per execution of `stmt`, the empty loop's cost removed."""
    return time_row({"": (stmt, setup)}, repeat, number)[""]


def _warm_statement(stmt, setup, number):
    # the setup runs once (timeit runs it before every batch: a
    # multiprocessing.Value's semaphore per batch, which GraalPy never
    # frees), into a module's dict (whose names the JITs fold, as they do
    # a function's locals)
    if setup not in _setups:
        namespace = ModuleType("bench_setup").__dict__
        exec(setup, namespace)
        _setups[setup] = namespace, warm_best(
            timeit.Timer("pass", globals=namespace), number)
    namespace, empty = _setups[setup]
    best = warm_best(timeit.Timer(stmt, globals=namespace), number)
    return max(best - empty, 0.0) * 1e9


# Under this a JIT compiled the statement away (reading a list item, say):
# nothing to compare a cost with, or to draw (bench_all.py, plot.py).
COMPILED_AWAY_NS = 1.0


def ratio(value, peer):
    """value / peer as text ("-" if either is missing, or peer was compiled
    away)."""
    if value is None or not peer or peer < COMPILED_AWAY_NS:
        return "-"
    return f"{value / peer:.2f}"


def available(setup):
    try:
        exec(setup, {})
        return True
    except Exception:
        return False


def load_floor():
    """Import benchmarks/floor as `_floor` through atomics' HPy runtime,
    if ATOMICS_FLOOR names its binary (scripts/bench.sh builds it)."""
    path = os.environ.get("ATOMICS_FLOOR")
    if not path or not os.path.isfile(path):
        return False
    from importlib.machinery import ModuleSpec
    from atomics._load import hpy_universal
    spec = ModuleSpec("_floor", None, origin=path)
    sys.modules["_floor"] = hpy_universal._load_bootstrap(
        "_floor", "_floor", "", path, None, spec, os.environ)
    return True


def run_here(impls, repeat, number):
    """{op: {impl: ns}} for the implementations importable here."""
    setups = {"atomics": SETUP_ATOMICS, "atomicshm": SETUP_ATOMICSHM,
              "lock": SETUP_LOCK, "mp.Value": SETUP_MPVALUE,
              "floor": SETUP_FLOOR}
    results = {}
    usable = {name for name in impls if name in setups
              and available(setups[name])}
    # multiprocessing.Value's semaphore is freed only when its object is:
    # at once on CPython, at some later GC on PyPy and GraalPy (24.2: at
    # exit), where a million of them in one loop exhaust the process's
    # memory maps (ENOMEM from sem_open) before that
    skip = ({("construct", "mp.Value")}
            if sys.implementation.name in ("pypy", "graalpy") else set())
    for op, stmts in OPS.items():
        results[op] = time_row(
            {name: (stmt, setups[name]) for name, stmt in stmts.items()
             if name in usable and (op, name) not in skip},
            repeat, number)
    if "floor" in usable:
        for op, stmt in FLOOR_ONLY.items():
            results[op] = {"floor": time_statement(stmt, SETUP_FLOOR, repeat,
                                                   number)}
    results["C method"] = {"x.bit_length()": time_statement(
        "x.bit_length()", "x = 12345", repeat, number)}
    return results


REFERENCE = Path(__file__).resolve().parent.parent / ".interpreters" / \
    "bench" / "reference"


def run_reference(repeat, number):
    """atomics 1.0.2's timings, from a subprocess that sees only it."""
    if not (REFERENCE / "atomics").is_dir():
        return {}
    code = f"""
import json, sys, timeit
sys.path.insert(0, {str(REFERENCE)!r})
sys.path.insert(1, {str(Path(__file__).resolve().parent)!r})
import bench_ops
setup = bench_ops.SETUP_ATOMICS
out = {{}}
for op, stmts in bench_ops.OPS.items():
    if "atomics-1.0.2" in stmts:
        out[op] = bench_ops.time_statement(stmts["atomics-1.0.2"], setup,
                                           {repeat}, {number})
print(json.dumps(out))
"""
    env = dict(os.environ, PYTHONPATH="")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env=env, cwd=str(REFERENCE))
    if proc.returncode != 0:
        print(f"atomics 1.0.2 failed here: {proc.stderr.strip()[-300:]}",
              file=sys.stderr)
        return {}
    return json.loads(proc.stdout)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    global WARMUP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--quick", action="store_true",
                        help="fewer iterations (a smoke test, not a result)")
    parser.add_argument("--warmup", type=float, default=WARMUP,
                        help="on PyPy and GraalPy: seconds each loop runs "
                             "at least before it counts as compiled")
    args = parser.parse_args()
    repeat, number = (3, 20_000) if args.quick else (7, 200_000)
    if JIT:
        # shorter batches: the interpreted ones (microseconds an op on
        # GraalPy) would otherwise take seconds each
        number //= 4
        WARMUP = args.warmup

    impls = ["atomics", "atomicshm", "lock", "mp.Value"]
    if load_floor():
        impls.append("floor")
    results = run_here(impls, repeat, number)
    for op, ns in run_reference(repeat, max(number // 100, 1000)).items():
        results[op]["atomics-1.0.2"] = ns

    import datetime
    measured = datetime.date.today().isoformat()
    interp = (f"{sys.implementation.name} {platform.python_version()}"
              f" ({platform.machine()})")
    print(f"atomics benchmark on {interp}: ns/op (lower is better)")
    columns = ["atomics", "atomicshm", "atomics-1.0.2", "lock", "mp.Value",
               "floor"]
    print(f"{'operation':28s}" + "".join(f"{c:>15s}" for c in columns) +
          f"{'ratio':>8s}{'/floor':>8s}")

    for op in [*OPS, *(op for op in FLOOR_ONLY if op in results)]:
        row = results[op]
        cells = "".join(f"{row[c]:15.1f}" if c in row else f"{'-':>15s}"
                        for c in columns)
        ns, peer = row.get("atomics"), row.get("atomicshm", row.get("lock"))
        print(f"{op:28s}{cells}"
              f"{ratio(ns, peer):>8s}{ratio(ns, row.get('floor')):>8s}")
    print(f"{'C method: x.bit_length()':28s}"
          f"{results['C method']['x.bit_length()']:15.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "interpreter": sys.implementation.name,
            "version": platform.python_version(),
            "machine": platform.machine(),
            "cpu": _cpu_model(),
            "date": measured,
            "results": results,
        }, indent=2) + "\n")


if __name__ == "__main__":
    main()
