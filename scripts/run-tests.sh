#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The whole test suite, from a fresh machine: the C library's own tests
# (ctest); then PyPy and GraalPy are provisioned and tox runs the Python
# suite on CPython (also in HPy's debug mode), PyPy and GraalPy with one
# binary; then the sanitizer runs (scripts/sanitize.sh). Arguments go to tox
# (e.g. `-e py311`), and then tox runs in the foreground and no sanitizers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== patomic: C tests" >&2
build=$root/.interpreters/patomic-build
cmake -S vendor/patomic -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --parallel >/dev/null
ctest --test-dir "$build" --output-on-failure

tools=$root/.interpreters/tools
if [ ! -x "$tools/bin/tox" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install -q "tox>=4.11"
fi
rm -rf .tox/binary-records

if [ $# -gt 0 ]; then
    echo "== interpreters" >&2
    scripts/provision-pypy.sh | tail -n 1
    scripts/provision-graalpy.sh | tail -n 1
    echo "== tox $*" >&2
    exec "$tools/bin/tox" "$@"
fi

# Two lanes, so that the slow GraalPy run (one core, ~10 min) overlaps the
# rest: GraalPy is provisioned while tox runs CPython and PyPy, and its tox
# env runs while the sanitizers do. Its output is shown when it ends.
logs=$root/.interpreters/logs
mkdir -p "$logs"
echo "== interpreters (GraalPy in the background)" >&2
scripts/provision-pypy.sh | tail -n 1
scripts/provision-graalpy.sh >"$logs/provision-graalpy.log" 2>&1 &
provision=$!

echo "== tox: CPython, HPy debug mode, PyPy" >&2
"$tools/bin/tox" -e py311,hpy-debug,pypy

if ! wait "$provision"; then
    cat "$logs/provision-graalpy.log" >&2
    exit 1
fi
tail -n 1 "$logs/provision-graalpy.log"
echo "== tox: GraalPy (in the background)" >&2
"$tools/bin/tox" -e graal >"$logs/tox-graal.log" 2>&1 &
graal=$!

echo "== sanitizers" >&2
sanitize=0
scripts/sanitize.sh -q || sanitize=$?

graal_status=0
wait "$graal" || graal_status=$?
echo "== tox: GraalPy (its output)" >&2
cat "$logs/tox-graal.log"
"$tools/bin/tox" -e same-binary
[ "$sanitize" -eq 0 ] && [ "$graal_status" -eq 0 ]
