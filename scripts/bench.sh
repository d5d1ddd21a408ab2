#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmarks: build the wheels once (scripts/build-wheels.sh: one universal
# binary), install each interpreter's wheel alone into .interpreters/bench/
# site-<name>/, the peers (atomicshm 0.1.0, atomics 1.0.2, matplotlib) into
# the bench venv (CPython 3.11), run benchmarks/bench_ops.py on CPython 3.11
# and every provisioned interpreter (CPython 3.12-3.15, PyPy, GraalPy) in
# one run (one table, JSON in benchmarks/results/) and draw
# benchmarks/ops.png, each op beside its HPy floor (benchmarks/floor/).
# Arguments go to bench_all.py (e.g. --quick).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/.interpreters/bench
venv=$bench/venv
mkdir -p "$bench"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q "atomicshm==0.1.0" matplotlib
[ -d "$bench/reference" ] || "$venv/bin/python" -m pip install -q --target "$bench/reference" "atomics==1.0.2"

interpreters=("$venv/bin/python")
cpythons=("$venv/bin/python")
for version in 3.12 3.13 3.14 3.15; do
    candidate=$root/.interpreters/cpython$version/bin/python$version
    [ -x "$candidate" ] && interpreters+=("$candidate") && cpythons+=("$candidate")
done
# GraalPy's optimizing runtime too (as its users run it), if asked:
# BENCH_GRAALPY_JIT=1 provisions it (scripts/provision-graalpy.sh,
# GRAALPY_JIT=1) into .interpreters/graalpy-jit, measured beside the
# JIT-less default.
if [[ ${BENCH_GRAALPY_JIT:-0} == 1 ]]; then
    GRAALPY_JIT=1 "$root/scripts/provision-graalpy.sh" | tail -n 1
fi
for candidate in "$root/.interpreters/pypy/bin/pypy3" "$root/.interpreters/graalpy/bin/graalpy" \
                 "$root/.interpreters/graalpy-jit/bin/graalpy"; do
    [ -x "$candidate" ] && interpreters+=("$candidate")
done

wheels=$bench/wheels
scripts/build-wheels.sh -o "$wheels" "${cpythons[@]}" | tail -n 1
# each interpreter's own wheel, alone, for its sys.path (bench_all.py)
for interpreter in "${interpreters[@]}"; do
    # (named as benchmarks/bench_all.py names it: -jit for graalpy-jit/)
    name=$(basename "$interpreter")
    [[ $(basename "$(dirname "$(dirname "$interpreter")")") != *-jit ]] || name+=-jit
    site=$bench/site-$name
    rm -rf "$site"
    "$interpreter" -m pip install -q --no-index --no-deps --only-binary :all: \
        --find-links "$wheels" --target "$site" atomics
done

# the HPy floor: the least code that does each op's work (benchmarks/floor)
ATOMICS_FLOOR=$("$venv/bin/python" "$root/benchmarks/floor/build.py" "$bench/floor")
export ATOMICS_FLOOR

results=$root/benchmarks/results
rm -rf "$results"
"$venv/bin/python" "$root/benchmarks/bench_all.py" --sites "$bench" \
    --out "$results" "$@" "${interpreters[@]}"
"$venv/bin/python" "$root/benchmarks/plot.py" --out "$root/benchmarks/ops.png" "$results"/*.json
