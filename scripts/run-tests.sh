#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The whole test suite, from a fresh machine: the C library's own tests
# (ctest); the interpreters (CPython 3.12-3.15, PyPy, GraalPy 24.2 and 25) provisioned
# into .interpreters/; the wheels built once (scripts/build-wheels.sh: one
# universal binary in every wheel); tox running the Python suite on CPython
# 3.11-3.15 (3.11 and 3.14 also in HPy's debug mode), PyPy, GraalPy 24.2
# and 25; then
# the sanitizer runs (scripts/sanitize.sh) and the same-binary check. A
# lane of its own runs the C tests and the Python suite on aarch64 and
# s390x under qemu-user (scripts/cross-test.sh).
# Arguments go to tox (e.g. `-e py313`): then tox runs in the foreground
# after the same preparation, and no sanitizers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
interpreters=$root/.interpreters
logs=$interpreters/logs
wheels=$interpreters/wheels
tools=$interpreters/tools
mkdir -p "$logs"
export ATOMICS_WHEEL_DIR=$wheels

echo "== patomic: C tests" >&2
build=$interpreters/patomic-build
cmake -S vendor/patomic -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --parallel >/dev/null
ctest --test-dir "$build" --output-on-failure

if [ ! -x "$tools/bin/tox" ]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install -q "tox>=4.11"
fi
rm -rf .tox/binary-records "$wheels.ready" "$wheels.failed"

# GraalPy's lane: provisioning (~3 min) starts now, its tox env (one core,
# ~13 min) as soon as the wheels are there; it overlaps everything below.
graal_lane() {
    scripts/provision-graalpy.sh | tail -n 1
    while [ ! -e "$wheels.ready" ]; do
        [ -e "$wheels.failed" ] && { echo "no wheels to test" >&2; return 1; }
        sleep 2
    done
    "$tools/bin/tox" -e graal "$@"
}
# GraalPy 25's lane, the same way (its tox env first builds GraalPy 25's
# wheel: the one binary beside our HPy runtime built for GraalPy 25).
graal25_lane() {
    scripts/provision-graalpy.sh 25 | tail -n 1
    while [ ! -e "$wheels.ready" ]; do
        [ -e "$wheels.failed" ] && { echo "no wheels to test" >&2; return 1; }
        sleep 2
    done
    "$tools/bin/tox" -e graal25 "$@"
}
if [ $# -eq 0 ]; then
    echo "== GraalPy 24.2 and 25 lanes started (output shown when they end)" >&2
    graal_lane >"$logs/graal.log" 2>&1 &
    graal=$!
    graal25_lane >"$logs/graal25.log" 2>&1 &
    graal25=$!
    # Other CPUs: cross compilers and qemu-user (apt), each target's CPython
    # 3.11 from Debian's packages, the suite at reduced size (~10 min of
    # one core; its own caches under .interpreters/cross).
    echo "== aarch64 and s390x lane started (output shown when it ends)" >&2
    scripts/cross-test.sh all --python >"$logs/cross.log" 2>&1 &
    cross=$!
fi

echo "== interpreters" >&2
scripts/provision-pypy.sh | tail -n 1
pythons=(python3.11)
# CPython 3.12: Debian has no package of it; the machine's own (on PATH or
# pyenv's) is layered into .interpreters/cpython3.12 like the others.
py312=
for candidate in "$(command -v python3.12 || true)" \
                 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3.12; do
    if [ -x "$candidate" ] && "$candidate" -c \
            'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
        py312=$candidate
    fi
done
[ -n "$py312" ] || { echo "error: no CPython 3.12 on this machine" >&2; exit 1; }
pythons+=("$(CPYTHON_BASE=$py312 scripts/provision-cpython.sh 3.12 | tail -n 1)")
for version in 3.13 3.14 3.15; do
    pythons+=("$(scripts/provision-cpython.sh "$version" | tail -n 1)")
done

echo "== wheels" >&2
if ! scripts/build-wheels.sh -o "$wheels" "${pythons[@]}" | tail -n 1; then
    touch "$wheels.failed"
    exit 1
fi
touch "$wheels.ready"
# the hpy sdist build-wheels.sh fetched, for the sanitizers' build
export ATOMICS_HPY_SDIST=$interpreters/hpy-sdist/hpy-0.9.0.tar.gz

if [ $# -gt 0 ]; then
    echo "== tox $*" >&2
    scripts/provision-graalpy.sh | tail -n 1
    scripts/provision-graalpy.sh 25 | tail -n 1
    exec "$tools/bin/tox" "$@"
fi

echo "== tox: CPython 3.11-3.15, HPy debug mode, PyPy" >&2
"$tools/bin/tox" -e py311,py312,py313,py314,py315,hpy-debug,hpy-debug-314,pypy

echo "== sanitizers" >&2
sanitize=0
scripts/sanitize.sh -q || sanitize=$?

graal_status=0
wait "$graal" || graal_status=$?
echo "== GraalPy 24.2: provisioning and tox (its output)" >&2
cat "$logs/graal.log"
graal25_status=0
wait "$graal25" || graal25_status=$?
echo "== GraalPy 25: provisioning and tox (its output)" >&2
cat "$logs/graal25.log"
cross_status=0
wait "$cross" || cross_status=$?
echo "== aarch64 and s390x under qemu-user (its output)" >&2
cat "$logs/cross.log"
"$tools/bin/tox" -e same-binary
for lane in sanitize:$sanitize graal:$graal_status graal25:$graal25_status \
            cross:$cross_status; do
    [ "${lane#*:}" -eq 0 ] || echo "== FAILED: ${lane%%:*} (status ${lane#*:})" >&2
done
[ "$sanitize" -eq 0 ] && [ "$graal_status" -eq 0 ] && [ "$graal25_status" -eq 0 ] &&
    [ "$cross_status" -eq 0 ]
