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
#     write_wrapper below).
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
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

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

# Last existing path among the (glob-expanded) arguments; versions sort last.
newest() {
  local f last=
  for f in "$@"; do [[ -e $f ]] && last=$f; done
  printf '%s' "$last"
}
host_codename() {
  # shellcheck source=/dev/null
  (. /etc/os-release && printf '%s' "${VERSION_CODENAME-}")
}

log() { printf 'provision-pypy [%3ds]: %s\n' "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
project_dir=$(dirname -- "$script_dir")
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

mkdir -p -- "$interp_root"
# Serialise concurrent runs (e.g. parallel CI jobs or tox envs calling us).
if command -v flock >/dev/null; then
  exec 9>"$interp_root/.pypy.lock"
  flock 9
fi

if is_ready; then
  printf '%s\n' "$launcher"
  exit 0
fi

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

# Print the archive URI of the machine's main Debian source: the first
# `deb` entry whose suites include the release codename (e.g. bookworm, so
# never -security/-updates). Reads deb822 *.sources and one-line *.list
# files, as apt does. Falls back to an entry with a bare suite name such as
# "stable" for machines whose sources name no codename.
find_debian_mirror() {
  local codename=$1 files=()
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  local f
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 1
  local pass uri
  for pass in exact bare; do
    uri=$(awk -v want="$codename" -v pass="$pass" '
      function suite_ok(s) {
        return pass == "exact" ? s == want : s ~ /^[a-z]+$/
      }
      function flush(   n, i, s, u) {
        if (!found && types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no" && uris != "") {
          n = split(suites, s, /[ \t]+/)
          split(uris, u, /[ \t]+/)
          for (i = 1; i <= n; i++) if (s[i] != "" && suite_ok(s[i])) { print u[1]; found = 1; break }
        }
        types = suites = uris = enabled = key = ""
      }
      FNR == 1 { flush() }
      FILENAME ~ /\.sources$/ {
        if ($0 ~ /^[ \t]*#/) next
        if ($0 ~ /^[ \t]*$/) { flush(); next }
        if ($0 ~ /^[ \t]/) {            # continuation of a multi-line field
          if (key == "uris") uris = uris " " $0
          else if (key == "suites") suites = suites " " $0
          else if (key == "types") types = types " " $0
          next
        }
        key = tolower(substr($0, 1, index($0, ":") - 1))
        val = substr($0, index($0, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", val)
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "enabled") enabled = val
        next
      }
      {                                 # one-line format
        sub(/#.*/, "")
        if ($1 != "deb" || found) next
        line = $0
        sub(/^[ \t]*deb[ \t]+/, "", line)
        sub(/^\[[^]]*\][ \t]*/, "", line)
        split(line, w, /[ \t]+/)
        if (w[1] != "" && suite_ok(w[2])) { print w[1]; found = 1 }
      }
      END { flush() }
    ' "${files[@]}")
    if [[ -n $uri ]]; then
      printf '%s\n' "$uri"
      return 0
    fi
  done
  return 1
}

# apt-get with a private configuration: our own sources, lists, cache and an
# empty dpkg status, so the system's apt state is neither read nor written
# and no root is needed. The system's apt.conf.d is still honoured on purpose:
# it may carry proxy or mirror settings this machine needs.
private_apt() {
  # -qq: errors only; apt's progress lines would echo the mirror's address.
  apt-get -qq \
    -o Dir::Etc::SourceList=/dev/null \
    -o Dir::Etc::SourceParts="$work/apt/sources.list.d" \
    -o Dir::Etc::Preferences=/dev/null \
    -o Dir::Etc::PreferencesParts="$work/apt/preferences.d" \
    -o Dir::State="$work/apt/state" \
    -o Dir::State::status="$work/apt/state/status" \
    -o Dir::Cache="$work/apt/cache" \
    -o APT::Default-Release= \
    -o APT::Architecture="$deb_arch" \
    -o APT::Architectures="$deb_arch" \
    -o Acquire::Languages=none \
    -o APT::Sandbox::User="$(id -un)" \
    "$@"
}

# Download the given packages from $suite of the machine's Debian mirror
# into $work/debs.
fetch_debs() {
  local suite=$1; shift
  local codename mirror
  codename=$(host_codename)
  mirror=${PYPY_DEBIAN_MIRROR:-}
  if [[ -z $mirror ]]; then
    mirror=$(find_debian_mirror "$codename") ||
      die "no Debian archive found in the apt sources (set PYPY_DEBIAN_MIRROR)"
  fi
  [[ -r $KEYRING ]] || die "$KEYRING missing (install debian-archive-keyring)"
  mkdir -p "$work"/apt/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial} "$work/debs"
  : >"$work/apt/state/status"
  # Targets: Packages keeps `update` to one index file (~10 MB): no
  # translations, Contents or AppStream metadata.
  cat >"$work/apt/sources.list.d/pypy.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Architectures: $deb_arch
Targets: Packages
Signed-By: $KEYRING
EOF
  log "fetching $suite package index"
  private_apt update >&2 || die "apt-get update of the private $suite source failed"
  log "downloading: $*"
  (cd "$work/debs" && private_apt download "$@" >&2) || die "apt-get download failed"
}

# The launcher for the unpacked Debian 13 tree. Debian 12's glibc (2.36) is
# too old for it, so it must run under the unpacked glibc. Going through that
# glibc's loader with --library-path (instead of LD_LIBRARY_PATH) confines the
# new libraries to this one process: child processes such as /bin/sh started
# by subprocess keep using the host's own libraries. --argv0 "$0" makes PyPy
# see the path it was invoked as, so sys.executable is this wrapper (or the
# venv symlink pointing to it), and multiprocessing, subprocess and venvs all
# re-launch through the wrapper. The wrapper finds the tree relative to its
# own resolved location, because venvs and virtualenv symlink to it.
#
# It takes the place of usr/bin/pypy3.11 (the real ELF moves to
# usr/libexec/) because virtualenv, handed a venv interpreter, looks for the
# base interpreter by name in <base_prefix>/bin: that must be runnable, or
# tox cannot use the venv as base_python.
write_wrapper() {
  local usr=$1 multiarch=$2 ldso=$3
  mkdir -p "$usr/libexec"
  mv "$usr/bin/pypy3.11" "$usr/libexec/pypy3.11"
  cat >"$usr/bin/pypy3.11" <<EOF
#!/bin/sh
# Generated by scripts/provision-pypy.sh; see the comments there.
usr=\$(readlink -f -- "\$0") && usr=\${usr%/*/*} || exit 127
lib=\$usr/lib/$multiarch
exec "\$lib/$ldso" --library-path "\$lib" --argv0 "\$0" "\$usr/libexec/pypy3.11" "\$@"
EOF
  chmod 755 "$usr/bin/pypy3.11"
}

deb_arch=$(dpkg --print-architecture)

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
  case $deb_arch in
    amd64) multiarch=x86_64-linux-gnu ldso=ld-linux-x86-64.so.2 ;;
    arm64) multiarch=aarch64-linux-gnu ldso=ld-linux-aarch64.so.1 ;;
    *) die "unsupported architecture $deb_arch" ;;
  esac
  fetch_debs "$PYPY_SUITE" "${PYPY_DEBS[@]}" "$PIP_WHEEL_DEB"
  base=$dest/base
  log "unpacking into $base"
  mkdir -p "$base"
  for deb in "$work"/debs/*.deb; do
    [[ ${deb##*/} == "$PIP_WHEEL_DEB"_* ]] || dpkg-deb -x "$deb" "$base"
  done
  # Dead weight: documentation, and glibc's iconv modules, which the unpacked
  # libc never loads (it looks for them at the absolute system path).
  rm -rf "$base/usr/share/doc" "$base/usr/share/man" "$base/usr/share/lintian" \
         "$base/usr/lib/$multiarch/gconv"
  [[ -x $base/usr/bin/pypy3.11 ]] || die "pypy3.11 binary not found in the $PYPY_SUITE package"
  write_wrapper "$base/usr" "$multiarch" "$ldso"
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
