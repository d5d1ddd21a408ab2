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

# One wheel, built here once; every env installs that file (tox
# --installpkg; the GraalPy env finds it through ATOMICS_WHEEL_DIR).
# Two lanes run side by side, so that the slow one -- GraalPy's
# provisioning, then its tox env (one core, ~13 min) -- overlaps the rest:
# tox on CPython, HPy debug mode and PyPy, then the sanitizers. GraalPy's
# output is shown when it ends.
logs=$root/.interpreters/logs
wheels=$root/.interpreters/wheel
mkdir -p "$logs"
rm -rf "$wheels"
echo "== wheel" >&2
"$tools/bin/python" -m pip wheel -q --no-deps -w "$wheels" "$root"
wheel=$(echo "$wheels"/atomics-*.whl)
export ATOMICS_WHEEL_DIR=$wheels

echo "== PyPy; GraalPy and its tox env in the background" >&2
scripts/provision-pypy.sh | tail -n 1
(scripts/provision-graalpy.sh | tail -n 1 &&
    "$tools/bin/tox" -e graal) >"$logs/graal.log" 2>&1 &
graal=$!

echo "== tox: CPython, HPy debug mode, PyPy" >&2
"$tools/bin/tox" -e py311,hpy-debug,pypy --installpkg "$wheel"

echo "== sanitizers" >&2
sanitize=0
scripts/sanitize.sh -q || sanitize=$?

graal_status=0
wait "$graal" || graal_status=$?
echo "== GraalPy: provisioning and tox (its output)" >&2
cat "$logs/graal.log"
"$tools/bin/tox" -e same-binary
[ "$sanitize" -eq 0 ] && [ "$graal_status" -eq 0 ]
