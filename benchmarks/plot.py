# SPDX-License-Identifier: MIT
"""Chart of bench_ops.py results: ns/op per operation, atomics next to its
peers, one panel per interpreter.

    python benchmarks/plot.py [--out benchmarks/ops.png] RESULT.json...

(scripts/bench.sh writes the JSON files into benchmarks/results/ and then
runs this.) Needs matplotlib.
"""

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from bench_ops import COMPILED_AWAY_NS  # noqa: E402

IMPLEMENTATIONS = ["atomics", "floor", "atomicshm", "lock", "mp.Value",
                   "atomics-1.0.2"]
COLOURS = {"atomics": "#1f77b4", "floor": "#7f7f7f", "atomicshm": "#2ca02c",
           "lock": "#ff7f0e", "mp.Value": "#9467bd",
           "atomics-1.0.2": "#d62728"}
LABELS = {"lock": "threading.Lock + int", "mp.Value": "multiprocessing.Value",
          "atomics-1.0.2": "atomics 1.0.2",
          "floor": "HPy floor (same work, least code)"}
OPS = ["load", "store", "inc", "fetch_add", "cmpxchg_strong", "view load",
       "view fetch_add", "construct"]


def panel(ax, run):
    results = run["results"]
    impls = [i for i in IMPLEMENTATIONS
             if any(i in results.get(op, {}) for op in OPS)]
    width = 0.8 / len(impls)
    for k, impl in enumerate(impls):
        xs, ys = [], []
        for x, op in enumerate(OPS):
            value = results.get(op, {}).get(impl)
            if value and value >= COMPILED_AWAY_NS:
                xs.append(x + (k - (len(impls) - 1) / 2) * width)
                ys.append(value)
        ax.bar(xs, ys, width, color=COLOURS[impl],
               label=LABELS.get(impl, impl))
    ax.set_yscale("log")
    ax.set_xticks(range(len(OPS)))
    ax.set_xticklabels(OPS, rotation=30, ha="right")
    ax.set_ylabel("ns per operation (log scale)")
    ax.set_title(f"{run['interpreter']} {run['version']}"
                 + (" (JIT)" if run.get("jit") else ""))
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.legend(fontsize=8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).with_name("ops.png"))
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args()
    runs = [dict(json.loads(p.read_text()), jit=p.stem.endswith("-jit"))
            for p in args.results]
    # CPythons by version, then PyPy, then GraalPy without and with its JIT
    order = {"cpython": 0, "pypy": 1, "graalpy": 2}
    runs.sort(key=lambda r: (order.get(r["interpreter"], 3),
                             [int(p) for p in r["version"].split(".")],
                             r["jit"]))
    columns = min(4, len(runs))
    rows = -(-len(runs) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 5 * rows),
                             squeeze=False)
    for ax in axes.flat[len(runs):]:
        ax.set_visible(False)
    for ax, run in zip(axes.flat, runs):
        panel(ax, run)
    first = runs[0]
    fig.suptitle(f"atomics: cost per operation, lower is better "
                 f"(measured {first.get('date', '?')} on "
                 f"{first.get('cpu', '?')}, {first['machine']})")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
