#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The tests on other CPUs, under emulation: aarch64 (a weakly ordered CPU,
# tested as an ARMv8.0 core without LSE and as one with every extension
# qemu has) and s390x (big-endian). x86_64 is the host, tested natively by
# scripts/run-tests.sh.
#
# Usage: scripts/cross-test.sh [aarch64|s390x|all] [--python] [--c-only]
#
#   1. vendor/patomic is cross-built with Debian 12's cross compilers and its
#      ctest suite (check_no_libatomic included) runs under qemu-user; on
#      aarch64 once per emulated CPU (QEMU_CPU cortex-a53 and max).
#   2. With --python (and without --c-only): a CPython 3.11 of the target
#      architecture is unpacked from Debian 12's own packages into
#      .interpreters/cross/<arch>/sysroot and run under qemu-user, hpy 0.9.0
#      is built for it from its sdist, the atomics wheel is built and
#      installed, and the Python suite runs (reduced sizes, see below).
#
# Needs: gcc-<arch>-linux-gnu, qemu-user-static (or qemu-user) and cmake;
# when a tool is missing and we are root, they are installed with apt-get
# (CI runs as root on a fresh Debian 12); otherwise the script says what to
# install. The target's Debian packages are fetched through a PRIVATE apt
# configuration (as scripts/provision-pypy.sh does), from the mirror this
# machine's apt sources name: nothing outside the project is changed.
#
# Why a wrapper instead of binfmt_misc: registering qemu with the kernel
# changes the whole machine (and needs a mounted binfmt_misc, which a
# container may not have). Instead the target python is a shell script that
# starts qemu; a python process that starts "sys.executable" (spawn
# children, subprocess tests) runs that script, and any host program it
# starts (the cross compiler, cmake, /bin/sh) runs natively.
#
# Environment knobs:
#   CROSS_DEBIAN_MIRROR    Debian archive URI (default: the machine's apt
#                          sources, as in provision-pypy.sh)
#   CROSS_PYTEST_ARGS      extra pytest arguments (e.g. "-x -k wait")
#   ATOMICS_STRESS_SCALE, ATOMICS_FUZZ_EXAMPLES, ATOMICS_FUZZ_STEPS
#                          override the reduced sizes used under emulation
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cross=$root/.interpreters/cross

log() { printf 'cross-test [%4ds]: %s\n' "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

targets=()
python=0
for arg in "$@"; do
    case $arg in
        aarch64|s390x) targets+=("$arg") ;;
        all) targets+=(aarch64 s390x) ;;
        --python) python=1 ;;
        --c-only) python=0 ;;
        -h|--help) sed -n '3,41p' "$0"; exit 0 ;;
        *) echo "usage: $0 [aarch64|s390x|all] [--python] [--c-only]" >&2; exit 2 ;;
    esac
done
((${#targets[@]})) || targets=(aarch64 s390x)

# ---------------------------------------------------------------- tools --

qemu_for() { # the qemu-user binary for $1, static build preferred
    local q
    for q in "qemu-$1-static" "qemu-$1"; do
        command -v "$q" >/dev/null && { command -v "$q"; return 0; }
    done
    return 1
}

ensure_tools() {
    local missing=() t
    command -v cmake >/dev/null || missing+=(cmake)
    for t in "${targets[@]}"; do
        command -v "$t-linux-gnu-gcc" >/dev/null || missing+=("gcc-$t-linux-gnu")
        qemu_for "$t" >/dev/null || missing+=(qemu-user-static)
    done
    ((${#missing[@]})) || return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [[ $(id -u) != 0 ]]; then
        die "missing tools; install them with: apt-get install ${missing[*]}"
    fi
    log "installing: ${missing[*]}"
    # -qq keeps apt from echoing the mirror's address
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
}

# ------------------------------------------------------------ C tests --

# The sysroot of the cross toolchain (its libc), for qemu's -L.
toolchain_sysroot() { echo "/usr/$1-linux-gnu"; }

c_tests() { # arch
    local arch=$1 build=$cross/$1/patomic-build qemu cpus cpu start
    qemu=$(qemu_for "$arch")
    log "$arch: building vendor/patomic with $arch-linux-gnu-gcc"
    cmake -S "$root/vendor/patomic" -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$arch" \
        -DCMAKE_C_COMPILER="$arch-linux-gnu-gcc" \
        "-DCMAKE_CROSSCOMPILING_EMULATOR=$qemu;-L;$(toolchain_sysroot "$arch")" \
        >/dev/null
    cmake --build "$build" --parallel 2 >/dev/null
    # aarch64: an ARMv8.0 core (no LSE: 16-byte ops by ldxp/stxp) and the
    # most capable one qemu emulates (LSE: casp). s390x: qemu's default.
    case $arch in
        aarch64) cpus=(cortex-a53 max) ;;
        *) cpus=(default) ;;
    esac
    for cpu in "${cpus[@]}"; do
        log "$arch: ctest under $(basename "$qemu") (cpu $cpu)"
        start=$SECONDS
        if [[ $cpu == default ]]; then
            env -u QEMU_CPU ctest --test-dir "$build" --output-on-failure -j2
        else
            QEMU_CPU=$cpu ctest --test-dir "$build" --output-on-failure -j2
        fi
        log "$arch (cpu $cpu): C tests passed in $((SECONDS - start)) s"
    done
}

# --------------------------------------------------------------- main --

ensure_tools
for arch in "${targets[@]}"; do
    c_tests "$arch"
done
