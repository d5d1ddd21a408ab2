#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Provision CPython 3.13, 3.14 or 3.15 for this project from Debian unstable's
# packages, without root and without touching the system's apt/dpkg state.
#
# Usage: scripts/provision-cpython.sh [--force] VERSION     (e.g. 3.14)
#
# The LAST line of stdout is the absolute path of the interpreter to use,
# always <project>/.interpreters/cpythonVERSION/bin/pythonVERSION. Everything
# else goes to stderr, so callers can do:
#     PY314=$(scripts/provision-cpython.sh 3.14 | tail -n 1)
# A second run finds the stamp file, runs the interpreter once and returns in
# well under a second. Runs for one VERSION are serialised with flock; runs
# for different versions may overlap.
#
# What the printed interpreter is: a venv (made with `venv`, so it has pip;
# also pytest and hypothesis by default) layered on a base CPython, which is
# Debian unstable's pythonX.Y packages plus the runtime libraries they need
# (glibc among them: Debian 12's 2.36 is too old for them), unpacked into
# .interpreters/cpythonX.Y/base and started through the unpacked glibc's own
# dynamic loader by a tiny wrapper script, base/usr/bin/pythonX.Y (see
# write_wrapper in scripts/lib/debian.sh, which holds the machinery shared
# with provision-pypy.sh). The venv gives callers one fixed path, keeps the
# base pristine, and works as tox `base_python`: virtualenv resolves it back
# to base/usr/bin/pythonX.Y and makes its envs from that. Venvs must use
# symlinks (the default), not --copies.
#
# Building C extensions with the host's gcc works: libpythonX.Y-dev's headers
# are in the tree, and the tree is made to describe itself (see
# fix_sysconfig below): Debian's sysconfig data names /usr/include/pythonX.Y
# and friends, which do not exist on the host; and include/pythonX.Y/
# pyconfig.h becomes a link to the $multiarch one it would #include from
# the host's /usr/include. The sysconfig data Debian ships carries none of
# its build-only compiler flags (LTO, -ffile-prefix-map, -specs=...); what
# it has (CC=x86_64-linux-gnu-gcc, CFLAGS like -fno-strict-overflow, for
# 3.15 also -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer) gcc 12
# understands, so compiler flags are left alone, and die_on_foreign_flags
# checks that no -flto / -ffile-prefix-map / -specs= crept back in.
# One 3.15 caveat that is not ours to fix: its pyconfig.h defines
# _POSIX_C_SOURCE 202405L, while the host's glibc 2.36 <features.h> defines
# 200809L, so C code that includes a system header before Python.h (against
# Python's rules) gets a "_POSIX_C_SOURCE redefined" warning -- an error
# under -Werror (hpy 0.9.0's own debug-mode sources, for one).
#
# Environment knobs:
#   CPYTHON_BASE           an existing pythonX.Y (with its C headers) to layer
#                          the venv on instead of Debian's; nothing is
#                          downloaded then. It is part of the stamp.
#   CPYTHON_DEBIAN_SUITE   the Debian suite to take the packages from
#                          (default: sid).
#   CPYTHON_DEBIAN_MIRROR  Debian archive URI to fetch from; by default it is
#                          read from this machine's own apt sources.
#   CPYTHON_PIP_PACKAGES   requirements to pip-install into the venv
#                          (default: "pytest hypothesis"; set it empty for
#                          pip alone).
set -euo pipefail

# Bump when the recipe changes, so existing installs are rebuilt.
readonly RECIPE_VERSION=1
# Debian's pip wheel: `venv` installs pip from it through ensurepip, which
# Debian points at the directory WHEEL_PKG_DIR (see fix_sysconfig).
readonly PIP_WHEEL_DEB=python3-pip-whl
# Runtime packages of the lib* dependency closure that nothing here loads:
# glibc's extra iconv modules (the unpacked libc looks for gconv modules at
# the absolute system path, see unpack_debs).
readonly CLOSURE_EXCLUDE="libc-gconv-modules-extra"

usage() { echo "usage: $0 [--force] VERSION   (VERSION: 3.13, 3.14 or 3.15)" >&2; exit 2; }
force=0 version=
for arg; do
  case $arg in
    --force) force=1 ;;
    3.[0-9]|3.[1-9][0-9]) [[ -z $version ]] || usage; version=$arg ;;
    *) usage ;;
  esac
done
[[ -n $version ]] || usage
name=python$version
suite=${CPYTHON_DEBIAN_SUITE:-sid}
pip_packages=${CPYTHON_PIP_PACKAGES-pytest hypothesis}
cpython_base=${CPYTHON_BASE:-}

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
project_dir=$(dirname -- "$script_dir")
# Mirror discovery, the private apt configuration, unpacking and the
# glibc-loader wrapper; log and die.
log_tag="provision-cpython $version"
mirror_env=CPYTHON_DEBIAN_MIRROR
# shellcheck source-path=SCRIPTDIR source=lib/debian.sh
. "$script_dir/lib/debian.sh"
interp_root=$project_dir/.interpreters
dest=$interp_root/cpython$version
launcher=$dest/bin/$name
stamp=$dest/.provisioned
if [[ -n $cpython_base ]]; then
  source_text="base=$cpython_base"
else
  source_text="debian=$suite"
fi
stamp_text="recipe=$RECIPE_VERSION $source_text pip=[$pip_packages] dest=$dest"

# Python snippet: exit 0 only on CPython $version whose C headers are where
# both sysconfig and setuptools (INCLUDEPY) look for them.
readonly OK_CHECK="import os, sys, sysconfig
sys.exit(not (sys.implementation.name == 'cpython'
              and '%d.%d' % sys.version_info[:2] == '$version'
              and os.path.isfile(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))
              and os.path.isfile(os.path.join(sysconfig.get_config_var('INCLUDEPY'), 'Python.h'))))"

is_ready() {
  [[ $force == 0 && -f $stamp && $(<"$stamp") == "$stamp_text" ]] || return 1
  # Run it too: a stamp survives things that break the install (the project
  # moved, so venv symlinks dangle; CPYTHON_BASE was removed; ...).
  "$launcher" -c "$OK_CHECK" >/dev/null 2>&1
}

# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. "$script_dir/lib/provision.sh"
provision_lock_or_done "cpython$version"

# ---------------------------------------------------------------------------
# Slow path: (re)build from scratch. The stamp is written last, so a run that
# dies half-way is simply redone next time.
# ---------------------------------------------------------------------------
start=$SECONDS
rm -rf -- "$dest"
# Downloads and apt lists live outside $dest (and are deleted at exit) so they
# never count towards the install's size.
work=$(mktemp -d "${TMPDIR:-/tmp}/provision-cpython.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# Make the unpacked tree describe itself. Debian's sysconfig data (the
# _sysconfigdata_*.py module sysconfig and setuptools read, its JSON twin,
# and PEP 739's build-details.json) names the install locations under /usr:
# setuptools takes the include directory from INCLUDEPY, so a C extension
# build would look for /usr/include/pythonX.Y/Python.h on the host, and
# ensurepip (hence `venv`) looks for the pip wheel in WHEEL_PKG_DIR. Each of
# the location variables below that lies under /usr is prefixed with the
# tree's root; nothing else is changed (compiler, flags and build-time
# paths stay as Debian built them; TZPATH, the tools such as
# INSTALL, and the build-time lists keep pointing at the host, as they
# should). Done by rewriting the dict literal's lines in place, so the rest
# of the file stays byte-identical, and checked by reloading it.
fix_sysconfig() {
  local root=$1 stdlib=$2 report
  report=$("$base_python" -I - "$root" "$stdlib" <<'PY'
import ast, glob, json, os, re, sys

root, stdlib = sys.argv[1:]
KEYS = {
    'prefix', 'exec_prefix', 'host_prefix', 'host_exec_prefix', 'BINDIR',
    'LIBDIR', 'LIBPL', 'LIBPC', 'LIBDEST', 'BINLIBDEST', 'DESTLIB',
    'DESTSHARED', 'MACHDESTLIB', 'INCLUDEDIR', 'CONFINCLUDEDIR', 'INCLUDEPY',
    'CONFINCLUDEPY', 'SCRIPTDIR', 'datarootdir', 'MANDIR', 'WHEEL_PKG_DIR',
    'EXENAME',
}
def moved(value):
    if isinstance(value, str) and (value == '/usr' or value.startswith('/usr/')):
        return root + value
    return None

datafiles = [p for p in glob.glob(os.path.join(stdlib, '_sysconfigdata_*.py'))
             if not os.path.islink(p)]
if not datafiles:
    sys.exit('no _sysconfigdata_*.py in ' + stdlib)
line_re = re.compile(r"^( *)('[A-Za-z_]+'): ('.*'),$")
for path in datafiles:
    with open(path) as f:
        old = f.read()
    changed = set()
    def edit(m):
        key = ast.literal_eval(m.group(2))
        new = moved(ast.literal_eval(m.group(3))) if key in KEYS else None
        if new is None:
            return m.group(0)
        changed.add(key)
        return '%s%s: %r,' % (m.group(1), m.group(2), new)
    text = '\n'.join(line_re.sub(edit, line) for line in old.split('\n'))
    before, after = {}, {}
    exec(old, before)
    exec(text, after)
    before, after = before['build_time_vars'], after['build_time_vars']
    want = {k for k in KEYS if moved(before.get(k)) is not None}
    assert changed == want, (path, sorted(want - changed))
    assert {k for k in before if before[k] != after[k]} == want
    assert all(after[k] == moved(before[k]) for k in want)
    with open(path, 'w') as f:
        f.write(text)
    print('sysconfig: %d locations in %s moved under the tree'
          % (len(want), os.path.basename(path)))
    # The JSON twin (3.14+) holds the same dict; nothing reads it at run time.
    twin = path.replace('_sysconfigdata_', '_sysconfig_vars_')[:-3] + '.json'
    if os.path.isfile(twin):
        with open(twin) as f:
            data = json.load(f)
        for k in KEYS:
            if moved(data.get(k)) is not None:
                data[k] = moved(data[k])
        with open(twin, 'w') as f:
            json.dump(data, f, indent=2, sort_keys=True)

# PEP 739 build details (3.14+): every /usr path in it; the static libpython
# it names is deleted from the tree (see below), so that entry goes.
def walk(node):
    for k, v in list(node.items()):
        if isinstance(v, dict):
            walk(v)
        elif moved(v) is not None:
            node[k] = moved(v)
for path in glob.glob(os.path.join(stdlib, 'build-details*.json')):
    with open(path) as f:
        data = json.load(f)
    walk(data)
    lib = data.get('libpython', {})
    if 'static' in lib and not os.path.exists(lib['static']):
        del lib['static']
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)
PY
) || die "adjusting the sysconfig data failed"
  log "$report"
}

# Compiler flags that gcc 12 (Debian 12) may not understand or that tie a
# build to Debian's build tree; Debian strips them from what it ships, and
# this makes sure it still does.
die_on_foreign_flags() {
  local bad
  bad=$("$base_python" -I -c "
import re, sysconfig
keys = ('CC', 'CXX', 'CFLAGS', 'CCSHARED', 'LDSHARED', 'LDCXXSHARED',
        'LDFLAGS', 'CPPFLAGS', 'AR', 'ARFLAGS', 'OPT', 'BASECFLAGS')
pat = re.compile(r'-flto\S*|-ffat-lto-objects|-f\S*prefix-map=\S*|-specs=\S*|-fdebug-prefix-map\S*')
print(' '.join(sorted({f for k in keys for f in pat.findall(sysconfig.get_config_var(k) or '')})))
")
  [[ -z $bad ]] || die "Debian's sysconfig now carries flags the host compiler may reject: $bad (extend fix_sysconfig)"
}

if [[ -n $cpython_base ]]; then
  # 1a. A given base interpreter.
  base_python=$cpython_base
  log "using CPYTHON_BASE=$base_python"
  "$base_python" -c "$OK_CHECK" ||
    die "CPYTHON_BASE=$base_python is not a working CPython $version with its C headers"
else
  # 1b. Debian's pythonX.Y, its headers, ensurepip, the shared libraries
  #     they link to, and the pip wheel for ensurepip, unpacked into
  #     $dest/base.
  debian_arch_init
  [[ -n $ldso ]] || die "unsupported architecture $deb_arch"
  apt_index "$suite"
  mapfile -t debs < <(lib_closure "$CLOSURE_EXCLUDE" \
                        "$name" "$name-minimal" "lib$name-minimal" "lib$name-stdlib")
  ((${#debs[@]} > 4)) || die "$name is not in Debian $suite (set CPYTHON_DEBIAN_SUITE or CPYTHON_BASE)"
  # pythonX.Y-venv holds ensurepip (Debian splits it off the stdlib).
  download_debs "${debs[@]}" "lib$name-dev" "$name-venv" "$PIP_WHEEL_DEB"
  base=$dest/base
  usr=$base/usr
  stdlib=$usr/lib/$name
  log "unpacking into $base"
  unpack_debs "$base"
  [[ -x $usr/bin/$name ]] || die "$name binary not found in the $suite packages"
  # Dead weight: the static libpython (~27 MB; nothing here embeds Python
  # statically) and the links to it and to the shared libpython, which is
  # not unpacked (the interpreter is linked statically, and extensions on
  # Linux do not link to libpython).
  rm -f "$stdlib"/config-"$version"-*/libpython"$version"*.a \
        "$stdlib"/config-"$version"-*/libpython"$version".so \
        "$usr/lib/$multiarch/libpython$version".{a,so}
  # Debian's include/pythonX.Y/pyconfig.h only #includes
  # <$multiarch/pythonX.Y/pyconfig.h>, which a compiler finds in the host's
  # /usr/include, not here: make it a link to that file instead.
  [[ -f $usr/include/$multiarch/$name/pyconfig.h ]] || die "no $multiarch pyconfig.h in lib$name-dev"
  ln -sf "../$multiarch/$name/pyconfig.h" "$usr/include/$name/pyconfig.h"
  # pkg-config files (python-X.Y.pc): their prefix, like sysconfig's.
  sed_usr=$(printf '%s' "$usr" | sed 's/[\\|&]/\\&/g')
  for pc in "$usr/lib/$multiarch/pkgconfig/python-$version"*.pc; do
    [[ -f $pc ]] && sed -i "s|^prefix=/usr\$|prefix=$sed_usr|" "$pc"
  done
  check_needed_libs "$base"
  write_wrapper "$usr" "$name" scripts/provision-cpython.sh
  base_python=$usr/bin/$name
  fix_sysconfig "$base" "$stdlib"
  die_on_foreign_flags
  # Debian ships no bytecode (its postinst compiles it); compile the stdlib
  # once here, so processes that never write any (PYTHONDONTWRITEBYTECODE,
  # as tox.ini sets) do not recompile it at every start.
  log "compiling the standard library"
  "$base_python" -I -m compileall -q -j 0 -x '/(test|idlelib|turtledemo)/' "$stdlib" >&2 ||
    die "compileall of the standard library failed"
  "$base_python" -c "$OK_CHECK" ||
    die "$base_python does not run, or lacks its C headers"
fi

# 2. The venv callers use, with pip (ensurepip) and the requested packages.
log "creating venv $dest"
"$base_python" -m venv "$dest" >&2 || die "$base_python -m venv failed"
if [[ -n $pip_packages ]]; then
  log "installing into the venv: $pip_packages"
  # -q also keeps pip from echoing a configured index address.
  # shellcheck disable=SC2086  # pip_packages is a word list
  "$launcher" -m pip install -q --no-input --disable-pip-version-check \
    --no-warn-script-location $pip_packages >&2 ||
    die "pip install into the venv failed"
fi

"$launcher" -c "$OK_CHECK" || die "the new venv does not work"
# The stdlib modules that need the unpacked shared libraries.
"$launcher" -c "import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, \
decimal, curses, pyexpat, hashlib; hashlib.sha3_256(); ssl.create_default_context()" ||
  die "a standard library extension module does not load"
for module in pytest hypothesis; do
  if [[ " $pip_packages" == *" $module"* ]]; then
    "$launcher" -c "import $module" ||
      die "$module was installed into the venv but does not import"
  fi
done
printf '%s\n' "$stamp_text" >"$stamp"
log "done in $((SECONDS - start)) s: $("$launcher" -VV | head -n 1); $(du -sh "$dest" | cut -f1) in $dest"
printf '%s\n' "$launcher"
