#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmarks: build the wheel once, install it and the peers (atomicshm
# 0.1.0, atomics 1.0.2, matplotlib) into .interpreters/bench/, run
# benchmarks/bench_ops.py on every provisioned interpreter (one table,
# JSON in benchmarks/results/) and draw benchmarks/ops.png.
# Arguments go to bench_all.py (e.g. --quick).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/.interpreters/bench
venv=$bench/venv
mkdir -p "$bench"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q "atomicshm==0.1.0" "hpy==0.9.0" matplotlib
rm -rf "$bench/wheel" "$bench/atomics"
"$venv/bin/python" -m pip wheel -q --no-deps -w "$bench/wheel" "$root"
# the package alone, for every interpreter's sys.path
"$venv/bin/python" -m pip install -q --no-deps --target "$bench/atomics" "$bench"/wheel/atomics-*.whl
[ -d "$bench/reference" ] || "$venv/bin/python" -m pip install -q --target "$bench/reference" "atomics==1.0.2"

interpreters=("$venv/bin/python")
for candidate in "$root/.interpreters/pypy/bin/pypy3" "$root/.interpreters/graalpy/bin/graalpy"; do
    [ -x "$candidate" ] && interpreters+=("$candidate")
done
results=$root/benchmarks/results
rm -rf "$results"
"$venv/bin/python" "$root/benchmarks/bench_all.py" --atomics "$bench/atomics" \
    --out "$results" "$@" "${interpreters[@]}"
"$venv/bin/python" "$root/benchmarks/plot.py" --out "$root/benchmarks/ops.png" "$results"/*.json
