#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build what a release publishes, into OUT (default .interpreters/wheels):
#   * the sdist (every wheel below is built from it, which proves it whole);
#   * the universal binary, built ONCE, and the wheel that holds just it,
#     tagged py3-none-<platform>: PyPy and GraalPy (HPy built in);
#   * one wheel per CPython given, tagged cpXY-cpXY-<platform>: that same
#     binary file (ATOMICS_UNIVERSAL_BINARY) beside HPy's CPython runtime
#     built for that CPython;
# then `twine check` on everything and `auditwheel show` on each wheel.
#
# Usage: scripts/build-wheels.sh [-o OUT] PYTHON...
#   PYTHON: CPython interpreters with pip (e.g. from provision-cpython.sh)
# The LAST line printed is OUT. Tools (build, twine, auditwheel) come from
# the project's tools venv; the hpy 0.9.0 sdist is fetched once into
# .interpreters/ and handed to every build (ATOMICS_HPY_SDIST).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.interpreters/wheels
if [ "${1-}" = "-o" ]; then out=$(realpath -m "$2"); shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [-o OUT] PYTHON..." >&2; exit 2; }

log() { printf 'build-wheels [%3ds]: %s\n' "$SECONDS" "$*" >&2; }

tools=$root/.interpreters/tools
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/python" -m pip install -q build twine auditwheel "tox>=4.11" >&2

# the pinned hpy sdist, fetched once (its hash is checked on every use)
ATOMICS_HPY_SDIST=$(cd "$root" && env -u ATOMICS_HPY_SDIST \
    "$tools/bin/python" -m hpy_runtime.source "$root/.interpreters/hpy-sdist")
export ATOMICS_HPY_SDIST

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/atomics-wheels.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

log "sdist"
"$tools/bin/python" -m build --sdist --outdir "$out" "$root" >"$work/sdist.log" 2>&1 ||
    { cat "$work/sdist.log" >&2; exit 1; }
sdist=$(echo "$out"/atomics-*.tar.gz)

log "universal binary and its py3-none wheel"
ATOMICS_CPYTHON_RUNTIME=0 "$tools/bin/python" -m pip wheel -q --no-deps \
    -w "$out" "$sdist" >&2
universal_wheel=$(echo "$out"/atomics-*-py3-none-*.whl)
(cd "$work" && "$tools/bin/python" -m zipfile -e "$universal_wheel" unpacked)
export ATOMICS_UNIVERSAL_BINARY=$work/unpacked/atomics/_native.hpy0.so

# two at a time: each build is one compiler process at a time
pids=()
for python in "$@"; do
    name=$("$python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
    log "$name wheel (HPy runtime for $python)"
    "$python" -m pip wheel -q --no-deps --disable-pip-version-check \
        -w "$work/$name" "$sdist" >"$work/$name.log" 2>&1 &
    pids+=("$!:$name")
    if [ ${#pids[@]} -ge 2 ]; then
        p=${pids[0]}; pids=("${pids[@]:1}")
        wait "${p%%:*}" || { cat "$work/${p#*:}.log" >&2; exit 1; }
    fi
done
for p in "${pids[@]}"; do
    wait "${p%%:*}" || { cat "$work/${p#*:}.log" >&2; exit 1; }
done
for python in "$@"; do
    name=$("$python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
    mv "$work/$name"/atomics-*.whl "$out/"
done

log "twine check"
"$tools/bin/python" -m twine check --strict "$out"/* >&2
for wheel in "$out"/*.whl; do
    # the wheel's own universal binary must be the one built above
    (cd "$work" && rm -rf check && "$tools/bin/python" -m zipfile -e "$wheel" check)
    cmp -s "$work/check/atomics/_native.hpy0.so" "$ATOMICS_UNIVERSAL_BINARY" ||
        { log "error: $(basename "$wheel") carries another _native.hpy0.so"; exit 1; }
    policy=$("$tools/bin/auditwheel" show "$wheel" 2>&1 | tr '\n' ' ' |
             grep -o 'platform tag: "[^"]*"' | head -n 1) || true
    log "$(basename "$wheel"): auditwheel: consistent with ${policy:-no manylinux policy}"
done
log "done: $(cd "$out" && ls | tr '\n' ' ')"
echo "$out"
