#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmarks: build the wheel once, install it (and the peers: atomicshm
# 0.1.0 for CPython, atomics 1.0.2) into .interpreters/bench/, and run
# benchmarks/bench_all.py on every interpreter that is provisioned.
# Arguments go to bench_all.py (e.g. --quick).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/.interpreters/bench
mkdir -p "$bench"
rm -rf "$bench/wheel" "$bench/atomics"
python3 -m pip wheel -q --no-deps -w "$bench/wheel" "$root"
python3 -m pip install -q --no-deps --target "$bench/atomics" "$bench"/wheel/atomics-*.whl
[ -d "$bench/peers" ] || python3 -m pip install -q --target "$bench/peers" "atomicshm==0.1.0" "hpy==0.9.0"
[ -d "$bench/reference" ] || python3 -m pip install -q --target "$bench/reference" "atomics==1.0.2"

interpreters=("$(command -v python3)")
for candidate in "$root/.interpreters/pypy/bin/pypy3" "$root/.interpreters/graalpy/bin/graalpy"; do
    [ -x "$candidate" ] && interpreters+=("$candidate")
done
python3 "$root/benchmarks/bench_all.py" --atomics "$bench/atomics" \
    --peers "$bench/peers" "$@" "${interpreters[@]}"
