# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2154  # log_tag, mirror_env and work come from the caller
#
# Shared machinery of scripts/provision-*.sh: fetch Debian packages of some
# suite with a *private* apt configuration (no root; the system's apt/dpkg
# state is neither read nor written), unpack them into a tree, and start a
# binary of that tree through the tree's own glibc (see write_wrapper).
#
# Source it from bash after `set -euo pipefail`. The caller sets:
#   log_tag           prefix of the log lines, e.g. "provision-pypy"
#   mirror_env        name of the environment variable that overrides the
#                     Debian archive URI, e.g. "PYPY_DEBIAN_MIRROR"
#   work              a scratch directory (deleted by the caller at exit)
# and calls debian_arch_init, which sets deb_arch, multiarch and ldso.
# Nothing here names a mirror: the archive URI is read from this machine's
# own apt sources (find_debian_mirror), as apt itself would use it.

readonly DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf '%s [%3ds]: %s\n' "$log_tag" "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

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

# Sets deb_arch (dpkg's name), multiarch (the lib/ subdirectory) and ldso
# (the dynamic loader's file name in it; empty where we don't know it).
debian_arch_init() {
  deb_arch=$(dpkg --print-architecture)
  case $deb_arch in
    amd64) multiarch=x86_64-linux-gnu ldso=ld-linux-x86-64.so.2 ;;
    arm64) multiarch=aarch64-linux-gnu ldso=ld-linux-aarch64.so.1 ;;
    *) multiarch='' ldso='' ;;   # write_wrapper refuses these
  esac
}

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

# apt-get / apt-cache with a private configuration: our own sources, lists,
# cache and an empty dpkg status, so the system's apt state is neither read
# nor written and no root is needed. The system's apt.conf.d is still
# honoured on purpose: it may carry proxy or mirror settings this machine
# needs.
_private_apt_opts() {
  private_apt_opts=(
    -o Dir::Etc::SourceList=/dev/null
    -o Dir::Etc::SourceParts="$work/apt/sources.list.d"
    -o Dir::Etc::Preferences=/dev/null
    -o Dir::Etc::PreferencesParts="$work/apt/preferences.d"
    -o Dir::State="$work/apt/state"
    -o Dir::State::status="$work/apt/state/status"
    -o Dir::Cache="$work/apt/cache"
    -o APT::Default-Release=
    -o APT::Architecture="$deb_arch"
    -o APT::Architectures="$deb_arch"
    -o Acquire::Languages=none
    -o APT::Sandbox::User="$(id -un)"
  )
}
private_apt() {
  local private_apt_opts
  _private_apt_opts
  # -qq: errors only; apt's progress lines would echo the mirror's address.
  apt-get -qq "${private_apt_opts[@]}" "$@"
}
private_apt_cache() {
  local private_apt_opts
  _private_apt_opts
  apt-cache -q "${private_apt_opts[@]}" "$@"
}

# Point the private apt configuration at the main component of $suite on
# the machine's Debian mirror and download its package index.
apt_index() {
  local suite=$1 mirror
  mirror=${!mirror_env:-}
  if [[ -z $mirror ]]; then
    mirror=$(find_debian_mirror "$(host_codename)") ||
      die "no Debian archive found in the apt sources (set $mirror_env)"
  fi
  [[ -r $DEBIAN_KEYRING ]] || die "$DEBIAN_KEYRING missing (install debian-archive-keyring)"
  mkdir -p "$work"/apt/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial} "$work/debs"
  : >"$work/apt/state/status"
  # Targets: Packages keeps `update` to one index file (~10 MB): no
  # translations, Contents or AppStream metadata.
  cat >"$work/apt/sources.list.d/private.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Architectures: $deb_arch
Targets: Packages
Signed-By: $DEBIAN_KEYRING
EOF
  log "fetching $suite package index"
  private_apt update >&2 || die "apt-get update of the private $suite source failed"
}

# Download the given packages (from the index apt_index fetched) into
# $work/debs.
download_debs() {
  log "downloading: $*"
  (cd "$work/debs" && private_apt download "$@" >&2) || die "apt-get download failed"
}

# Download the given packages from $suite of the machine's Debian mirror
# into $work/debs.
fetch_debs() {
  local suite=$1; shift
  apt_index "$suite"
  download_debs "$@"
}

# The given packages plus, recursively, every shared-library package that
# they Depend or Pre-Depend on (alternatives included), less the packages in
# $1 (a space-separated exclusion list), one name a line. Debian names its
# shared-library packages lib* (zlib1g is the one exception in reach), so
# that closure is what a binary package needs at run time (the other
# dependencies -- tzdata, media-types, netbase, gcc-*-base, debconf -- are
# data or config that the host provides or nothing loads);
# check_needed_libs then verifies it against the ELF files themselves.
lib_closure() {
  local exclude=" $1 " ; shift
  local -A seen=()
  local todo=("$@") next p
  for p in "$@"; do seen[$p]=1; done
  while ((${#todo[@]})); do
    next=()
    while read -r p; do
      [[ -n $p && -z ${seen[$p]-} && $exclude != *" $p "* ]] || continue
      seen[$p]=1
      next+=("$p")
    done < <(private_apt_cache depends --no-recommends --no-suggests \
               --no-conflicts --no-breaks --no-replaces --no-enhances "${todo[@]}" |
             awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 ~ /^(lib|zlib1g)/ { print $2 }')
    todo=("${next[@]}")
  done
  printf '%s\n' "${!seen[@]}" | sort
}

# Unpack every .deb in $work/debs except those whose package name is in
# the space-separated list $2 into the tree $1, then drop dead weight:
# documentation, and glibc's iconv modules, which the unpacked libc never
# loads (it looks for them at the absolute system path).
unpack_debs() {
  local tree=$1 skip=" ${2-} " deb name
  mkdir -p "$tree"
  for deb in "$work"/debs/*.deb; do
    name=${deb##*/}
    name=${name%%_*}
    [[ $skip == *" $name "* ]] || dpkg-deb -x "$deb" "$tree"
  done
  rm -rf "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/lintian" \
         "$tree/usr/lib/$multiarch/gconv"
}

# Fail unless every DT_NEEDED entry of every ELF file under $1/usr is
# provided by the tree's own lib/$multiarch (or, for a private library found
# through a RUNPATH such as $ORIGIN, is a file of the tree), so nothing falls
# back to the host's older libraries. Skipped (with a note) where readelf
# is missing.
check_needed_libs() {
  local tree=$1 missing
  local -A own=()
  while read -r so; do own[$so]=1; done < <(find "$tree/usr" -name '*.so*' -printf '%f\n')
  if ! command -v readelf >/dev/null; then
    log "readelf not found (binutils); skipping the shared-library check"
    return 0
  fi
  # readelf fails on the non-ELF files (scripts) among the executables.
  missing=$({ find "$tree/usr" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) \
                -exec readelf -d {} + 2>/dev/null || true; } |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u |
            while read -r so; do
              [[ -e $tree/usr/lib/$multiarch/$so || -n ${own[$so]-} ]] || printf '%s ' "$so"
            done)
  [[ -z $missing ]] || die "libraries needed but not in the unpacked tree: $missing"
}

# The launcher for an unpacked tree whose binaries need a newer glibc than
# the host's (Debian 12 has 2.36): they must run under the unpacked glibc.
# Going through that glibc's loader with --library-path (instead of
# LD_LIBRARY_PATH) confines the new libraries to this one process: child
# processes such as /bin/sh or a C compiler started by subprocess keep
# using the host's own libraries. --argv0 "$0" makes the interpreter see the
# path it was invoked as, so sys.executable is this wrapper (or the venv
# symlink pointing to it), and multiprocessing, subprocess and venvs all
# re-launch through the wrapper. The wrapper finds the tree relative to its
# own resolved location, because venvs and virtualenv symlink to it (so a
# venv made with --copies does not work: use the default symlinks).
#
# It takes the place of usr/bin/$name (the real ELF moves to usr/libexec/)
# because virtualenv, handed a venv interpreter, looks for the base
# interpreter by name in <base_prefix>/bin: that must be runnable, or tox
# cannot use the venv as base_python.
#
# Usage: write_wrapper USR NAME GENERATOR (the script named in its header).
write_wrapper() {
  local usr=$1 name=$2 generator=$3
  [[ -n $ldso ]] || die "unsupported architecture $deb_arch"
  mkdir -p "$usr/libexec"
  mv "$usr/bin/$name" "$usr/libexec/$name"
  cat >"$usr/bin/$name" <<EOF
#!/bin/sh
# Generated by $generator; see write_wrapper in scripts/lib/debian.sh.
usr=\$(readlink -f -- "\$0") && usr=\${usr%/*/*} || exit 127
lib=\$usr/lib/$multiarch
exec "\$lib/$ldso" --library-path "\$lib" --argv0 "\$0" "\$usr/libexec/$name" "\$@"
EOF
  chmod 755 "$usr/bin/$name"
}
