#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Provision PyPy 3.11 v7.3.19 (which has HPy 0.9 built in) for this project,
# without root and without touching the system's apt/dpkg state.
#
# Usage: scripts/provision-pypy.sh [--force]
#
# The LAST line of stdout is the absolute path of the interpreter to use,
# always <project>/.interpreters/pypy/bin/pypy3. Everything else goes to
# stderr, so callers can do:
#     PYPY=$(scripts/provision-pypy.sh | tail -n 1)
# A second run finds the stamp file and returns in well under a second.
#
# What the printed interpreter is: a venv (made with `venv --without-pip`)
# that already holds pip, pytest and hypothesis, layered on a base PyPy:
#   * Debian 13+ (system pypy3 >= 7.3.19): the base is the system pypy3.
#   * Debian 12: the base is Debian 13's pypy3 package plus the Debian 13
#     runtime libraries it needs (glibc 2.41 among them), unpacked into
#     .interpreters/pypy/base and started through that glibc's own dynamic
#     loader by a tiny wrapper script, base/usr/bin/pypy3.11 (see
#     write_wrapper in scripts/lib/debian.sh, which holds the machinery
#     shared with provision-cpython.sh).
# Using a venv in both cases gives callers one fixed path, keeps the base
# pristine, and works as tox `base_python` (virtualenv resolves the venv
# back to its base interpreter).
#
# Environment knobs:
#   PYPY_DEBIAN_MIRROR  Debian archive URI to fetch from; by default it is read
#                       from this machine's own apt sources.
#   PYPY_PIP_PACKAGES   requirements to pip-install into the venv
#                       (default: "pytest hypothesis<6.156", see below).
set -euo pipefail

# Bump when the recipe changes, so existing installs are rebuilt.
readonly RECIPE_VERSION=2
readonly MIN_PYPY=(7 3 19)
# The Debian release whose pypy3 is 7.3.19; only used where the system
# pypy3 is too old.
readonly PYPY_SUITE=trixie
# Debian 13's pypy3 plus every shared library it (and the cffi modules in
# pypy3-lib) links against, so nothing falls back to the host's older
# libraries. Found with `readelf -d` over the unpacked tree; zlib1g is the
# one the colleague's list lacked (it resolved to the host's copy).
readonly PYPY_DEBS=(
  pypy3 pypy3-lib
  libc6 libgcc-s1 gcc-14-base
  libbz2-1.0 libexpat1 libffi8 libgdbm6t64 liblzma5 libncursesw6 libtinfo6
  libsqlite3-0 libssl3t64 openssl-provider-legacy libzstd1 zlib1g
)
# Debian's pip wheel gets pip into the venv with nothing but apt: PyPy has
# no ensurepip and the host may have no pip at all.
readonly PIP_WHEEL_DEB=python3-pip-whl

# hypothesis >= 6.156.1 ships a compiled (PyO3) pp311 wheel whose module
# needs PyPyModule_FromDefAndSpec2, which PyPy 7.3.19's cpyext lacks, so
# `import hypothesis` fails; 6.155.7 is the last pure-Python release.
pip_packages=${PYPY_PIP_PACKAGES:-pytest hypothesis<6.156}
force=0
case "${1-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
project_dir=$(dirname -- "$script_dir")
# Mirror discovery, the private apt configuration, unpacking and the
# glibc-loader wrapper; log and die.
log_tag=provision-pypy
mirror_env=PYPY_DEBIAN_MIRROR
# shellcheck source-path=SCRIPTDIR source=lib/debian.sh
. "$script_dir/lib/debian.sh"
interp_root=$project_dir/.interpreters
dest=$interp_root/pypy
launcher=$dest/bin/pypy3
stamp=$dest/.provisioned
stamp_text="recipe=$RECIPE_VERSION pypy>=${MIN_PYPY[*]} pip=[$pip_packages] dest=$dest"

# Python snippet: exit 0 only on PyPy >= MIN_PYPY with HPy's universal ABI.
min_tuple=$(IFS=,; echo "${MIN_PYPY[*]}")
readonly PYPY_OK_CHECK="import sys, hpy.universal
sys.exit(not (sys.implementation.name == 'pypy'
              and sys.pypy_version_info[:3] >= ($min_tuple)))"

is_ready() {
  [[ $force == 0 && -f $stamp && $(<"$stamp") == "$stamp_text" ]] || return 1
  # Run it too: a stamp survives things that break the install (the project
  # moved, so venv symlinks dangle; the system pypy3 was removed; ...).
  "$launcher" -c "$PYPY_OK_CHECK" >/dev/null 2>&1
}

# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. "$script_dir/lib/provision.sh"
provision_lock_or_done pypy

# ---------------------------------------------------------------------------
# Slow path: (re)build from scratch. The stamp is written last, so a run that
# dies half-way is simply redone next time.
# ---------------------------------------------------------------------------
start=$SECONDS
rm -rf -- "$dest"
# Downloads and apt lists live outside $dest (and are deleted at exit) so they
# never count towards the install's size.
work=$(mktemp -d "${TMPDIR:-/tmp}/provision-pypy.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

debian_arch_init

# 1. A base interpreter, and a pip wheel to bootstrap the venv with.
pip_wheel=
system_pypy=$(command -v pypy3 || true)
if [[ -n $system_pypy && $(readlink -f -- "$system_pypy") != "$interp_root"/* ]] &&
   "$system_pypy" -c "$PYPY_OK_CHECK" >/dev/null 2>&1; then
  log "using the system PyPy: $system_pypy"
  base_python=$system_pypy
  pip_wheel=$(newest /usr/share/python-wheels/pip-*.whl)
  if [[ -z $pip_wheel ]]; then
    fetch_debs "$(host_codename)" "$PIP_WHEEL_DEB"
  fi
else
  fetch_debs "$PYPY_SUITE" "${PYPY_DEBS[@]}" "$PIP_WHEEL_DEB"
  base=$dest/base
  log "unpacking into $base"
  unpack_debs "$base" "$PIP_WHEEL_DEB"
  [[ -x $base/usr/bin/pypy3.11 ]] || die "pypy3.11 binary not found in the $PYPY_SUITE package"
  check_needed_libs "$base"
  write_wrapper "$base/usr" pypy3.11 scripts/provision-pypy.sh
  # Debian's usr/bin/pypy3 -> pypy3.11 symlink now leads to the wrapper.
  base_python=$base/usr/bin/pypy3
fi
if [[ -z $pip_wheel ]]; then
  for deb in "$work"/debs/"$PIP_WHEEL_DEB"_*.deb; do
    [[ -f $deb ]] && dpkg-deb -x "$deb" "$work/pipwhl"
  done
  pip_wheel=$(newest "$work"/pipwhl/usr/share/python-wheels/pip-*.whl)
  [[ -n $pip_wheel ]] || die "no pip wheel in the $PIP_WHEEL_DEB package"
fi

"$base_python" -c "$PYPY_OK_CHECK" ||
  die "$base_python is not a working PyPy >= ${min_tuple//,/.} with HPy"

# 2. The venv callers use. --without-pip because PyPy has no ensurepip here;
#    pip comes from the wheel instead (a wheel is importable as a zip, so
#    `python pip.whl/pip` runs pip straight out of it).
log "creating venv $dest"
"$base_python" -m venv --without-pip "$dest"
log "installing into the venv: pip $pip_packages"
# -q also keeps pip from echoing a configured index address.
# shellcheck disable=SC2086  # pip_packages is a word list
"$launcher" "$pip_wheel/pip" install -q --no-input --disable-pip-version-check \
  --no-warn-script-location "$pip_wheel" $pip_packages >&2 ||
  die "pip install into the PyPy venv failed"

"$launcher" -c "$PYPY_OK_CHECK" || die "the new venv does not work"
# Installing is not enough: a wheel built for a newer PyPy installs fine and
# then fails to import (see the hypothesis note at the top).
for module in pytest hypothesis; do
  if [[ " $pip_packages" == *" $module"* ]]; then
    "$launcher" -c "import $module" ||
      die "$module was installed into the venv but does not import under PyPy"
  fi
done
printf '%s\n' "$stamp_text" >"$stamp"
log "done in $((SECONDS - start)) s; $(du -sh "$dest" | cut -f1) in $dest"
printf '%s\n' "$launcher"
