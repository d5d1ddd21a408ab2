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
#      ctest suite (check_no_libatomic included) runs under qemu-user, as
#      built for release and under UBSan; on aarch64 once per emulated CPU
#      (QEMU_CPU cortex-a53 and max).
#   2. With --python (and without --c-only): a CPython 3.11 of the target
#      architecture is unpacked from Debian 12's own packages into
#      .interpreters/cross/<arch>/sysroot and run under qemu-user, the
#      atomics wheel (with HPy's runtime from the pinned hpy 0.9.0 sdist) is
#      built for it and installed, and the Python suite runs under emulation: at reduced
#      sizes and without the spawn/forkserver variants of the process
#      tests (see python_tests); on aarch64 as qemu's default CPU (LSE),
#      then its width-16 tests again as a Cortex-A53 (no LSE).
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
#   CROSS_PYTEST_ARGS      extra pytest arguments (e.g. "-x --durations=20")
#   CROSS_FULL_SUITE=1     also the process tests' spawn/forkserver variants
#   ATOMICS_STRESS_SCALE, ATOMICS_FUZZ_EXAMPLES, ATOMICS_FUZZ_STEPS
#                          override the reduced sizes used under emulation
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cross=$root/.interpreters/cross

log_tag=cross-test
mirror_env=CROSS_DEBIAN_MIRROR
# shellcheck source=lib/debian.sh
. "$root/scripts/lib/debian.sh"

targets=()
python=0
for arg in "$@"; do
    case $arg in
        aarch64|s390x) targets+=("$arg") ;;
        all) targets+=(aarch64 s390x) ;;
        --python) python=1 ;;
        --c-only) python=0 ;;
        -h|--help) awk 'NR > 2 && /^#/ { print; next } NR > 2 { exit }' "$0"; exit 0 ;;
        *) echo "usage: $0 [aarch64|s390x|all] [--python] [--c-only]" >&2; exit 2 ;;
    esac
done
((${#targets[@]})) || targets=(aarch64 s390x)

# ---------------------------------------------------------------- tools --

deb_arch_of() {
    case $1 in
        aarch64) echo arm64 ;;
        s390x) echo s390x ;;
        *) return 1 ;;
    esac
}

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
        # the target's libc headers: only a Recommends of the compiler
        [[ -f /usr/$t-linux-gnu/include/stdio.h ]] ||
            missing+=("libc6-dev-$(deb_arch_of "$t")-cross")
        qemu_for "$t" >/dev/null || missing+=(qemu-user-static)
    done
    ((${#missing[@]})) || return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [[ $(id -u) != 0 ]]; then
        die "missing tools; install them with: apt-get install ${missing[*]}"
    fi
    log "installing: ${missing[*]}"
    # -qq keeps apt from echoing the mirror's address. No recommends:
    # qemu-user-static's would register qemu with the kernel's binfmt_misc,
    # a change to the whole machine that nothing here needs.
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
}

# ------------------------------------------------------------ C tests --

# The sysroot of the cross toolchain (its libc), for qemu's -L.
toolchain_sysroot() { echo "/usr/$1-linux-gnu"; }

c_tests() { # arch
    local arch=$1 qemu cpus cpu start build variant
    qemu=$(qemu_for "$arch")
    # aarch64: an ARMv8.0 core (no LSE: 16-byte ops by ldaxp/stlxp) and the
    # most capable one qemu emulates (LSE: casp). s390x: qemu's default.
    case $arch in
        aarch64) cpus=(cortex-a53 max) ;;
        *) cpus=(default) ;;
    esac
    # Twice: as shipped (Release), and under UndefinedBehaviorSanitizer
    # (which, unlike ASan and TSan, works under qemu-user).
    for variant in release ubsan; do
        build=$cross/$arch/patomic-$variant
        log "$arch: building vendor/patomic ($variant) with $arch-linux-gnu-gcc"
        local flags=(-DCMAKE_BUILD_TYPE=Release)
        [[ $variant == ubsan ]] &&
            flags=(-DCMAKE_BUILD_TYPE=Debug -DPATOMIC_SANITIZE=undefined)
        cmake -S "$root/vendor/patomic" -B "$build" "${flags[@]}" \
            -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$arch" \
            -DCMAKE_C_COMPILER="$arch-linux-gnu-gcc" \
            "-DCMAKE_CROSSCOMPILING_EMULATOR=$qemu;-L;$(toolchain_sysroot "$arch")" \
            >/dev/null
        cmake --build "$build" --parallel 2 >/dev/null
        for cpu in "${cpus[@]}"; do
            log "$arch: ctest ($variant) under $(basename "$qemu") (cpu $cpu)"
            start=$SECONDS
            if [[ $cpu == default ]]; then
                env -u QEMU_CPU UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                    ctest --test-dir "$build" --output-on-failure -j2
            else
                QEMU_CPU=$cpu UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                    ctest --test-dir "$build" --output-on-failure -j2
            fi
            log "$arch (cpu $cpu, $variant): C tests passed in $((SECONDS - start)) s"
        done
    done
}

# ------------------------------------------- target CPython (--python) --

# Debian 12's CPython 3.11 and every library it (and its stdlib's extension
# modules) links against, plus the headers hpy's build needs. Found with
# `apt-cache depends --recurse` in the private configuration below, less
# what only dpkg's maintainer scripts use (perl, dpkg, tar) and what the
# cross toolchain already has (libc6-dev and friends).
readonly PY_DEBS=(
    python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
    libpython3.11-dev
    libc6 libgcc-s1 gcc-12-base
    libbz2-1.0 libcrypt1 libdb5.3 libexpat1 libffi8 libgdbm6 libgdbm-compat4
    liblzma5 libncursesw6 libtinfo6 libreadline8 readline-common libnsl2
    libtirpc3 libtirpc-common libgssapi-krb5-2 libk5crypto3 libkrb5-3
    libkrb5support0 libkeyutils1 libcom-err2 libsqlite3-0 libssl3 libuuid1
    zlib1g media-types
)
# pip for the target's venv (Debian 12's CPython has no ensurepip without
# python3.11-venv, whose wheels are the same as this package's).
readonly PIP_WHEEL_DEB=python3-pip-whl
readonly PY_RECIPE=2


# Debian's packages for the target through a private apt configuration
# (scripts/lib/debian.sh, shared with the provisioning scripts), from the
# archive this machine's apt sources name.
fetch_target_debs() { # work deb_arch
    local work=$1 deb_arch=$2
    fetch_debs "$(host_codename)" "${PY_DEBS[@]}" "$PIP_WHEEL_DEB"
}

# The target python: .interpreters/cross/<arch>/sysroot is the unpacked
# packages; its usr/bin/python3.11 becomes a shell script that runs the real
# ELF (moved to usr/libexec/) under qemu with -L <sysroot>, passing on the
# path it was started as (-0 "$0"), so that sys.executable is the script (or
# a venv's symlink to it) and every re-launch goes through qemu again. The
# venv .interpreters/cross/<arch>/venv holds pytest, hypothesis and the
# build tools (HPy itself comes from the pinned sdist, as on every machine).
provision_python() { # arch
    local arch=$1 deb_arch qemu dir=$cross/$1 work sysroot venv stamp text
    deb_arch=$(deb_arch_of "$arch")
    qemu=$(qemu_for "$arch")
    sysroot=$dir/sysroot
    venv=$dir/venv
    stamp=$dir/.python-provisioned
    text="recipe=$PY_RECIPE qemu=$qemu dir=$dir"
    if [[ -f $stamp && $(<"$stamp") == "$text" ]] &&
        "$venv/bin/python" -c "import pytest, hypothesis" 2>/dev/null; then
        log "$arch: python already provisioned"
        return 0
    fi
    rm -rf "$sysroot" "$venv" "$stamp"
    work=$(mktemp -d "${TMPDIR:-/tmp}/cross-test.XXXXXX")
    fetch_target_debs "$work" "$deb_arch"
    log "$arch: unpacking into $sysroot"
    mkdir -p "$sysroot"
    local deb
    for deb in "$work"/debs/*.deb; do
        [[ ${deb##*/} == "$PIP_WHEEL_DEB"_* ]] && continue
        dpkg-deb -x "$deb" "$sysroot"
    done
    dpkg-deb -x "$work"/debs/"$PIP_WHEEL_DEB"_*.deb "$work/pipwhl"
    rm -rf "$sysroot/usr/share/doc" "$sysroot/usr/share/man" \
        "$sysroot/usr/share/lintian"
    [[ -f $sysroot/usr/bin/python3.11 ]] || die "no python3.11 in the $deb_arch packages"
    mkdir -p "$sysroot/usr/libexec"
    mv "$sysroot/usr/bin/python3.11" "$sysroot/usr/libexec/python3.11"
    {
        echo '#!/bin/sh'
        echo "# Generated by scripts/cross-test.sh: the $arch python3.11 under qemu-user."
        echo 'usr=$(readlink -f -- "$0") && usr=${usr%/*/*} || exit 127'
        echo "exec \"$qemu\" -L \"\${usr%/usr}\" -0 \"\$0\" \"\$usr/libexec/python3.11\" \"\$@\""
    } >"$sysroot/usr/bin/python3.11"
    chmod 755 "$sysroot/usr/bin/python3.11"
    "$sysroot/usr/bin/python3.11" -c "import platform, sys; print(platform.machine(), sys.byteorder, sys.version)" >&2 ||
        die "the $arch python3.11 does not start under $qemu"

    log "$arch: venv and pip (under emulation: slow)"
    local pip_wheel
    pip_wheel=$(echo "$work"/pipwhl/usr/share/python-wheels/pip-*.whl)
    "$sysroot/usr/bin/python3.11" -m venv --without-pip "$venv"
    "$venv/bin/python" "$pip_wheel/pip" install -q --no-input \
        --disable-pip-version-check "$pip_wheel" >&2
    log "$arch: pytest, hypothesis and the build tools"
    "$venv/bin/python" -m pip install -q --no-input --disable-pip-version-check \
        pytest hypothesis "setuptools>=77" wheel >&2 ||
        die "pip install into the $arch venv failed"
    "$venv/bin/python" -c "import pytest, hypothesis" ||
        die "the $arch venv does not import pytest, hypothesis"
    rm -rf "$work"
    printf '%s\n' "$text" >"$stamp"
}

# The pinned hpy sdist (sha256 checked): HPy's runtime for the target
# CPython is built from it, with our edits, as on every machine. Fetched by
# a host python's pip into a cache of this script's own (pip prepares an
# sdist's metadata in an isolated build env: minutes under emulation).
hpy_sdist() {
    local host=$cross/host-venv
    if [[ ! -x $host/bin/python ]]; then
        python3 -m venv "$host" >&2 || die "python3 -m venv failed (install python3-venv)"
    fi
    (cd "$root" && env -u ATOMICS_HPY_SDIST \
        "$host/bin/python" -m hpy_runtime.source "$cross/hpy-sdist") ||
        die "fetching the hpy sdist failed"
}

# The atomics wheel, built under emulation by the target's own python (as a
# user's `pip install` would on that machine), installed into its venv, and
# the suite run. No build isolation: it would install PyPI's cmake, a binary
# of the target architecture that the host cannot exec; setup.py then takes
# the host's cmake, and CC makes that cmake use the cross compiler.
python_tests() { # arch
    local arch=$1 dir=$cross/$1 sysroot venv src start
    sysroot=$dir/sysroot
    venv=$dir/venv
    src=$dir/src
    start=$SECONDS
    log "$arch: building the atomics wheel under emulation"
    rm -rf "$src" "$dir/wheel"
    mkdir -p "$src"
    # a copy: setuptools reuses whatever object files a build/ holds
    cp -r "$root"/{atomics,hpy_src,hpy_runtime,vendor,setup.py,pyproject.toml,MANIFEST.in,README.md} "$src/"
    rm -rf "$src/atomics/"*.so "$src/atomics/_hpy/"*.so
    local sdist
    sdist=$(hpy_sdist)
    # Through a path with "build" in it: hpy.devel lists its runtime sources
    # by absolute path, which setuptools' build_py refuses ("setup script
    # specifies an absolute path") unless the path contains the name of a
    # build directory ("build"); the isolated env of a normal `pip wheel`
    # lives in /tmp/pip-build-env-*, which is why that one passes.
    ln -sfn venv "$dir/build-venv"
    # (the build runs the cross compiler natively, with Python's headers
    # from the sysroot: usr/include/python3.11/pyconfig.h includes
    # <$arch-linux-gnu/...>)
    ATOMICS_HPY_SDIST=$sdist CC=$arch-linux-gnu-gcc CFLAGS="-idirafter $sysroot/usr/include" \
        "$dir/build-venv/bin/python" -m pip wheel -q --no-input --disable-pip-version-check \
        --no-deps --no-build-isolation -w "$dir/wheel" "$src" >&2 ||
        die "$arch: building the wheel failed"
    "$venv/bin/python" -m pip install -q --no-input --disable-pip-version-check \
        --force-reinstall --no-deps "$dir"/wheel/atomics-*.whl >&2
    log "$arch: wheel built and installed in $((SECONDS - start)) s"

    # Reduced sizes under emulation, through the knobs the suite already has
    # (any of them set in the environment wins): a tenth of the stress
    # tests' work, a fifth of the fuzzer's runs at half the steps.
    export ATOMICS_STRESS_SCALE=${ATOMICS_STRESS_SCALE:-0.1}
    export ATOMICS_FUZZ_EXAMPLES=${ATOMICS_FUZZ_EXAMPLES:-20}
    export ATOMICS_FUZZ_STEPS=${ATOMICS_FUZZ_STEPS:-25}
    # And a subset: every test, except the variants of the process tests
    # that start their workers with the "spawn" or "forkserver" method (the
    # same tests run with "fork"). Those re-test Python's own start-up of a
    # fresh interpreter, nothing of the CPU's, and each child there is a new
    # qemu and interpreter: 10 to 50 s per test, half the suite's time.
    # CROSS_FULL_SUITE=1 runs them too. Never here: the test that runs
    # the suite's atomics in the other provisioned interpreters (PyPy,
    # GraalPy): those are x86_64 programs, which cannot load this
    # architecture's binary (that test is the host lane's).
    local select=(-k "not spawn and not forkserver and not test_all_interpreters_share_atomics")
    [[ ${CROSS_FULL_SUITE:-0} == 1 ]] &&
        select=(-k "not test_all_interpreters_share_atomics")
    log "$arch: pytest under emulation (ATOMICS_STRESS_SCALE=$ATOMICS_STRESS_SCALE" \
        "ATOMICS_FUZZ_EXAMPLES=$ATOMICS_FUZZ_EXAMPLES ATOMICS_FUZZ_STEPS=$ATOMICS_FUZZ_STEPS" \
        "${select[*]})"
    start=$SECONDS
    mkdir -p "$dir/run"
    # shellcheck disable=SC2086  # CROSS_PYTEST_ARGS is a word list
    (cd "$dir/run" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest \
        --import-mode=importlib -p no:cacheprovider --rootdir "$root" \
        -c "$root/pyproject.toml" "$root/tests" "${select[@]}" \
        ${CROSS_PYTEST_ARGS:-})
    log "$arch: Python suite passed in $((SECONDS - start)) s"
    if [[ $arch == aarch64 ]]; then
        # qemu's default CPU has LSE, so the suite ran on casp; the tests of
        # width 16 once more on an Armv8.0 core, where the ops are
        # ldaxp/stlxp loops (the stress tests left out: the C tests cover
        # both paths under threads).
        log "$arch: the width-16 tests again as a Cortex-A53 (no LSE)"
        start=$SECONDS
        # shellcheck disable=SC2086
        (cd "$dir/run" && QEMU_CPU=cortex-a53 PYTHONDONTWRITEBYTECODE=1 \
            "$venv/bin/python" -m pytest --import-mode=importlib \
            -p no:cacheprovider --rootdir "$root" -c "$root/pyproject.toml" \
            "$root/tests" -q -k "16 and not spawn and not forkserver and not stress" \
            ${CROSS_PYTEST_ARGS:-})
        log "$arch (cortex-a53): width-16 tests passed in $((SECONDS - start)) s"
    fi
}

# --------------------------------------------------------------- main --

ensure_tools
for arch in "${targets[@]}"; do
    c_tests "$arch"
done
if ((python)); then
    for arch in "${targets[@]}"; do
        provision_python "$arch"
        python_tests "$arch"
    done
fi
