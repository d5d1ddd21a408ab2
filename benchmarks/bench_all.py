# SPDX-License-Identifier: MIT
"""Run bench_ops.py on every interpreter and print one table.

    python benchmarks/bench_all.py --sites DIR [--out DIR] [--quick]
                                   INTERPRETER...

DIR/site-<label> holds the atomics installed for that
interpreter alone (scripts/bench.sh: `pip install --target` of its wheel,
all wheels with the one universal binary), put on its sys.path (peers come
from the interpreter's own environment). Each interpreter writes its JSON
to --out (default benchmarks/results/); the table has, per operation,
atomics' ns/op on each interpreter, and the peers where they run.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

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

    columns = []  # (header, interpreter index, implementation)
    for index, data in enumerate(runs):
        # cpython3.14, pypy3.11, ...: several CPythons run side by side
        tag = (data["interpreter"] + ".".join(data["version"].split(".")[:2])
               + ("-jit" if data["jit"] else ""))
        for impl in ("atomics", "atomicshm", "atomics-1.0.2", "lock",
                     "mp.Value", "floor"):
            if any(impl in row for op, row in data["results"].items()
                   if op != "C method"):
                columns.append((f"{impl}@{tag}", index, impl))
    ops = [op for op in runs[0]["results"] if op != "C method"]
    width = max(len(h) for h, _, _ in columns) + 2
    print("ns/op (lower is better); " + ", ".join(
        f"{d['interpreter']} {d['version']}" for d in runs))
    print(f"{'operation':28s}" + "".join(f"{h:>{width}s}"
                                         for h, _, _ in columns))
    for op in ops:
        cells = []
        for _, index, impl in columns:
            value = runs[index]["results"].get(op, {}).get(impl)
            cells.append(f"{value:{width}.1f}" if value is not None
                         else f"{'-':>{width}s}")
        print(f"{op:28s}" + "".join(cells))
    print(f"{'C method: x.bit_length()':28s}" + "".join(
        f"{runs[index]['results']['C method']['x.bit_length()']:{width}.1f}"
        if impl == "atomics" else f"{'':>{width}s}"
        for _, index, impl in columns))


if __name__ == "__main__":
    main()
