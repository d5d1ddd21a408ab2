# SPDX-License-Identifier: MIT
"""Run bench_ops.py on every interpreter and print one table.

    python benchmarks/bench_all.py --sites DIR [--out DIR] [--quick]
                                   INTERPRETER...

DIR/site-<label> holds the atomics installed for that
interpreter alone (scripts/bench.sh: `pip install --target` of its wheel,
all wheels with the one universal binary), put on its sys.path (peers come
from the interpreter's own environment). Each interpreter writes its JSON
to --out (default benchmarks/results/) and prints its own table, with
every peer; then one table of atomics on all of them: ns/op and the
ratios to the HPy floor and to the yardstick of that interpreter.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench_ops import ratio

HERE = Path(__file__).resolve().parent


def label(interpreter):
    """The interpreter's name, and "-jit" for GraalPy's optimizing runtime
    (.interpreters/graalpy-jit/: the same launcher name as the default's);
    scripts/bench.sh names the sites the same way."""
    path = Path(interpreter)
    jit = path.parent.parent.name.endswith("-jit")
    return path.name + ("-jit" if jit else "")


def run(interpreter, sites, out, quick):
    name = label(interpreter)
    result = out / f"{name}.json"
    env = dict(os.environ, PYTHONPATH=str(sites / f"site-{name}"))
    cmd = [interpreter, str(HERE / "bench_ops.py"), "--json", str(result)]
    if quick:
        cmd.append("--quick")
    if name.endswith("-jit"):
        # Graal compiles in background tiers: on a 2-vCPU machine a loop
        # calling into C is at its steady speed only after ~10 s
        cmd += ["--warmup", "12"]
    print(f"== {interpreter}", file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, env=env, cwd=str(out))
    data = json.loads(result.read_text())
    data["jit"] = name.endswith("-jit")
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("interpreters", nargs="+")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    runs = [run(i, args.sites.resolve(), args.out.resolve(), args.quick)
            for i in args.interpreters]

    print_summary(runs)


def print_summary(runs):
    """One table of atomics on every interpreter: ns/op, its ratio to the
    HPy floor (same work, least code), and to the yardstick users compare
    with: atomicshm's same operation on CPython, a threading.Lock-protected
    int increment elsewhere. (Each interpreter's own table, printed above
    and kept in the JSON, has every peer.)"""
    print("\natomics: ns/op, /floor, and /ref (CPython: atomicshm's same "
          "op; PyPy, GraalPy: `with lock: x += 1`)")
    tags = [data["interpreter"] + ".".join(data["version"].split(".")[:2])
            + ("-jit" if data["jit"] else "") for data in runs]
    cell = "{:>11s}{:>7s}{:>7s}"  # ns, /floor, /ref: 25 columns an interpreter
    print(f"{'':28s}" + "".join(f"{t:>25s}" for t in tags))
    print(f"{'operation':28s}" + cell.format("ns", "/floor", "/ref")
          * len(runs))
    ops = [op for op in runs[0]["results"]
           if op != "C method" and not op.startswith("floor:")]
    for op in ops:
        cells = []
        for data in runs:
            results = data["results"]
            row = results.get(op, {})
            ns = row.get("atomics")
            if data["interpreter"] == "cpython":
                ref = row.get("atomicshm")
            elif op not in ("construct", "view open+close"):
                ref = results.get("inc", {}).get("lock")
            else:  # a lock increment is no yardstick for these
                ref = None
            cells.append(cell.format(
                "-" if ns is None else f"{ns:.1f}",
                ratio(ns, row.get("floor")), ratio(ns, ref)))
        print(f"{op:28s}" + "".join(cells))


if __name__ == "__main__":
    main()
