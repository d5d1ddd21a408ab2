#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The whole test suite, from a fresh machine: the C library's own tests
# (ctest); then PyPy and GraalPy are provisioned and tox runs the Python
# suite on CPython (also in HPy's debug mode), PyPy and GraalPy with one
# binary; then the sanitizer runs (scripts/sanitize.sh). Arguments go to tox
# (e.g. `-e py311`), and then only tox runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== patomic: C tests" >&2
build=$root/.interpreters/patomic-build
cmake -S vendor/patomic -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --parallel >/dev/null
ctest --test-dir "$build" --output-on-failure

echo "== interpreters" >&2
scripts/provision-pypy.sh | tail -n 1
scripts/provision-graalpy.sh | tail -n 1

echo "== tox" >&2
tools=$root/.interpreters/tools
if [ ! -x "$tools/bin/tox" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install -q "tox>=4.11"
fi
rm -rf .tox/binary-records
"$tools/bin/tox" "$@"

if [ $# -eq 0 ]; then
    echo "== sanitizers" >&2
    scripts/sanitize.sh -q
fi
