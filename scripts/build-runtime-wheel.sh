#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The wheel of atomics for one more interpreter that takes atomics' own HPy
# runtime but is not one of build-wheels.sh's CPythons: GraalPy 25, which
# dropped HPy and runs the runtime through its C API. Built from what
# scripts/build-wheels.sh left in WHEELS: its sdist, and the universal
# binary out of its py3-none wheel (ATOMICS_UNIVERSAL_BINARY), so this wheel
# ships that same binary beside the runtime built for PYTHON, as the CPython
# wheels do.
#
# Usage: scripts/build-runtime-wheel.sh PYTHON WHEELS OUT
# The LAST line printed is the path of the wheel, in OUT.
#
# No build isolation: PYTHON's own setuptools builds (the GraalPy 25 venv of
# scripts/provision-graalpy.sh has it). An isolated build environment costs
# GraalPy's pip minutes, and cmake is not needed with a prebuilt binary. The
# hpy sdist build-wheels.sh fetched into .interpreters/hpy-sdist is used
# when it is there (else setup.py has PYTHON's pip fetch it).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 PYTHON WHEELS OUT" >&2; exit 2; }
python=$1 wheels=$(realpath -- "$2") out=$(realpath -m -- "$3")
root=$(cd "$(dirname "$0")/.." && pwd)

log() { printf 'build-runtime-wheel [%3ds]: %s\n' "$SECONDS" "$*" >&2; }

shopt -s nullglob
sdists=("$wheels"/atomics-*.tar.gz)
binary_wheels=("$wheels"/atomics-*-py3-none-*.whl)
[ ${#sdists[@]} -eq 1 ] && [ ${#binary_wheels[@]} -eq 1 ] || {
    log "error: $wheels needs one sdist and one py3-none wheel (scripts/build-wheels.sh)"
    exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/atomics-runtime-wheel.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
"$python" -m zipfile -e "${binary_wheels[0]}" "$work/unpacked"
export ATOMICS_UNIVERSAL_BINARY=$work/unpacked/atomics/_native.hpy0.so
sdist=$root/.interpreters/hpy-sdist/hpy-0.9.0.tar.gz
if [ -z "${ATOMICS_HPY_SDIST-}" ] && [ -f "$sdist" ]; then
    export ATOMICS_HPY_SDIST=$sdist
fi

log "wheel for $python (the universal binary of $(basename "${binary_wheels[0]}"))"
rm -rf -- "$out"
mkdir -p -- "$out"
"$python" -m pip wheel -q --no-deps --no-index --no-build-isolation \
    --disable-pip-version-check -w "$out" "${sdists[0]}" >&2
built=("$out"/atomics-*.whl)
[ ${#built[@]} -eq 1 ] || { log "error: no wheel in $out"; exit 1; }
log "done: $(basename "${built[0]}")"
echo "${built[0]}"
