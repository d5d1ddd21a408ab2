#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Sanitizer runs:
#   1. patomic's C tests under AddressSanitizer + UndefinedBehaviorSanitizer,
#      and under ThreadSanitizer (the multi-threaded tests);
#   2. the extension and patomic built with ASan + UBSan, and the Python test
#      suite run on CPython with the ASan runtime preloaded.
# Any report fails the run. Arguments go to pytest (e.g. -x, -k ...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/.interpreters/sanitize
mkdir -p "$work"

for san in address,undefined thread; do
    echo "== patomic C tests, -fsanitize=$san" >&2
    build=$work/patomic-${san%%,*}
    cmake -S "$root/vendor/patomic" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
        -DPATOMIC_SANITIZE="$san" >/dev/null
    cmake --build "$build" --parallel >/dev/null
    TSAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
        ctest --test-dir "$build" --output-on-failure
done

echo "== Python suite on an ASan+UBSan build" >&2
venv=$work/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q pytest hypothesis
rm -rf "$work/wheel" "$work/src"
# Build from a copy: setuptools reuses object files in build/ whatever the
# flags, so an instrumented build must not share the tree's build/.
mkdir -p "$work/src"
cp -r "$root"/{atomics,hpy_src,hpy_runtime,vendor,setup.py,pyproject.toml,README.md} "$work/src/"
rm -rf "$work/src/atomics/"*.so
# setup.py reads ATOMICS_SANITIZE (the isolated build inherits it)
ATOMICS_SANITIZE=address,undefined "$venv/bin/python" -m pip wheel -q \
    --no-deps -w "$work/wheel" "$work/src"
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$work"/wheel/*.whl
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
cd "$work"
# CPython itself is not built for LeakSanitizer (its arenas look leaked at
# exit), so leak detection is off; every other ASan/UBSan report is fatal.
LD_PRELOAD="$asan:$ubsan" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$venv/bin/python" -m pytest -p no:cacheprovider --import-mode=importlib \
    --rootdir "$root" -c "$root/pyproject.toml" -q "$root/tests" "$@"
