#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Provision GraalPy 24.2.x (Python 3.11 language level, HPy 0.9.0 built in;
# GraalPy 25+ dropped HPy) for this project, running on a stock JDK from the
# language's Maven artifacts. No root needed, nothing outside the project is
# touched except Maven's network settings, which are read as usual.
#
# Usage: scripts/provision-graalpy.sh [--force] [VERSION]
#   VERSION: 24.2.x (default: GRAALPY_VERSION, else 24.2.2), or 25 (= 25.2.4,
#   the newest 25.x on Maven Central when this was written) or any 25.x.y:
#   GraalPy 25, which has no HPy (atomics builds its own HPy runtime there,
#   through GraalPy's C API), in <project>/.interpreters/graalpy25 beside
#   24.2; see "GraalPy 25" below.
#
# The LAST line of stdout is the absolute path of the interpreter to use,
# always <project>/.interpreters/graalpy/bin/graalpy (graalpy25/bin/graalpy
# for GraalPy 25). Everything else goes to stderr, so callers can do:
#     GRAALPY=$(scripts/provision-graalpy.sh | tail -n 1)
# A second run finds the stamp file and returns in well under a second.
#
# Layout of <project>/.interpreters/graalpy:
#   base/lib/*.jar       every jar GraalPy needs (`mvn dependency:copy-dependencies`
#                        of base/maven/pom.xml; Maven's download cache is a
#                        throw-away folder inside base/maven, deleted afterwards)
#   base/bin/graalpy     the real launcher: a bash script that starts the JVM
#   base/cache/          GraalPy's stdlib and native files (extracted once)
#   base/graalpy.aot     JDK 25 AOT cache (class loading/linking + profiles)
#   bin/graalpy, ...     a venv (`graalpy -m venv`) on top of base, holding
#                        pip, pytest and hypothesis; this is what is printed
#
# How it runs (measured on a 2-core machine; numbers below):
#   * JDK: Temurin 25 when present (GRAALPY_JAVA_HOME overrides), else the
#     default `java` (OpenJDK 17 works too, just ~1.5x slower to start).
#   * Truffle's fallback runtime (-Dtruffle.UseFallbackRuntime=true): GraalPy's
#     AST/bytecode interpreter runs as plain Java code, no Graal JIT for Python.
#   * -XX:TieredStopAtLevel=1 (C1 only): C2 spends more time compiling the huge
#     interpreter methods than it gives back within a test run on 2 cores.
#     Export GRAALPY_JAVA_OPTS=-XX:TieredStopAtLevel=4 for long CPU-bound runs.
#   * -XX:+UseSerialGC: a bit faster than G1 here and half the memory
#     (~0.5 GB instead of ~1 GB RSS for a small pytest run).
#   * an AOT cache (JDK >= 25, JEP 483/514/515) made by a training run during
#     provisioning; a stale or mismatching cache is silently ignored by the JVM.
#   * GraalPy on the JVM never writes .pyc at import time
#     (sys.dont_write_bytecode is True whatever -B/--python.DontWriteBytecodeFlag
#     say), but it reads them: the venv's site-packages are byte-compiled once
#     here with compileall (~30 s), which cuts `import pytest, hypothesis`
#     from ~9 s to ~6.5 s in every process.
#
# Measured (wall seconds, 2 cores, other jobs running on the machine):
#                                 -c pass  sum(i*i for 3M) 1st..8th  import hpy.universal  pytest run*
#   JDK 17, JVM defaults          7-8.7    3.8 -> 1.1-1.6            1.4                   156
#   JDK 25 + AOT, JVM defaults    3.5-5.8  4.5 -> 1.3                0.6                   154
#   chosen: JDK 25+AOT, C1, Serial 2.2-2.7  4.4-5.4 flat              0.4                   80
#   Graal JIT (GRAALPY_JIT=1)     13-16    8.7 -> 0.6                3.1                   238
#   (CPython 3.11: 0.02 s, 0.2 s, -, 5.5 s)
#   * 3 hypothesis tests x 300 examples + a 1M loop, pytest+hypothesis imported
#     from a plain folder. HPy method call in a loop: ~4 us (interpreter),
#     ~0.16 us (Graal JIT), 0.08 us (CPython).
#
# The optimizing (Graal JIT) runtime, GRAALPY_JIT=1, opt-in: Truffle 24.2
# needs a JVMCI JDK whose JVMCI matches Graal compiler 24.2, i.e. JDK 24;
# only 17 and 25 are here. Compiler 24.2.2 on JDK 25 aborts the VM
# ("NoSuchFieldError: ... Services ... IS_BUILDING_NATIVE_IMAGE"); compiler
# 25.0.x with Truffle 24.2 is refused ("The Graal compiler version '25.0.2' is
# incompatible with polyglot version '24.2.2'", and with version checks off it
# fails with "NoClassDefFoundError: com.oracle.truffle.api.object.UnsafeAccess").
# What works is GraalPy 24.2.2 (language, launcher, LLVM runtime, regex) on the
# Truffle/polyglot/NFI 25.0.2 runtime jars with compiler 25.0.2 on
# --upgrade-module-path, on JDK 25, everything on the module path. That is an
# unsupported version mix and, on 2 cores, slower for test suites (the jar
# Graal compiler has to warm up itself), so it is not the default.
#
# GraalPy 25 (Python 3.12 language level) takes the same recipe with these
# differences: the jars come from the `org.graalvm.polyglot:python` pom (from
# 25.1 on the only bundle; there is no python-community or LLVM runtime to add:
# GraalPy 25 runs C extensions natively); it needs a JDK >= 22, as its native
# access is the JDK's foreign function API (JEP 454: on JDK 17 `import ctypes`
# fails with "JEP 454 is not included on this JDK"); the venv also gets
# setuptools, to build atomics' HPy runtime for it; GRAALPY_JIT is not offered.
#
# Environment knobs:
#   GRAALPY_VERSION       GraalPy version (default 24.2.2, the newest 24.2.x
#                         Maven Central had when this was written; a VERSION
#                         argument overrides it)
#   GRAALPY_JAVA_HOME     JDK to run on (default: Temurin 25 if installed, else
#                         the `java` on PATH)
#   GRAALPY_JIT           1: the optimizing runtime described above, into
#                         .interpreters/graalpy-jit/ (beside the default)
#   GRAALPY_PIP_PACKAGES  requirements pip-installs into the venv
#                         (default "pytest hypothesis<6.156", see below)
# At run time the launcher also reads GRAALPY_JAVA_OPTS (extra JVM options,
# appended last so they win).
set -euo pipefail

# Bump when the recipe changes, so existing installs are rebuilt.
readonly RECIPE_VERSION=1
readonly JIT_TRUFFLE_VERSION=25.0.2

version=${GRAALPY_VERSION:-24.2.2}
jit=${GRAALPY_JIT:-0}
# hypothesis >= 6.156.1 ships only compiled (PyO3, CPython-ABI) wheels plus an
# sdist that needs Rust; 6.155.7 is the last pure-Python release.
pip_packages=${GRAALPY_PIP_PACKAGES:-pytest hypothesis<6.156}
force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    25) version=25.2.4 ;;
    [0-9]*.*) version=$arg ;;
    *) echo "usage: $0 [--force] [VERSION]" >&2; exit 2 ;;
  esac
done
major=${version%%.*}

log() { printf 'provision-graalpy: [%ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
project_dir=$(dirname -- "$script_dir")
interp_root=$project_dir/.interpreters
dest=$interp_root/graalpy
# the optimizing runtime beside the default one, not instead of it (the
# benchmarks measure both: scripts/bench.sh)
[[ $jit != 1 ]] || dest=$interp_root/graalpy-jit
# What GraalPy 25 does differently (see the header); 24.x keeps the defaults.
python_version=3.11
native_check=hpy.universal
poms="python-community llvm-community"
if ((major >= 25)); then
  dest=$interp_root/graalpy$major
  python_version=3.12
  poms=python
  native_check="ctypes, _testcapi"   # native access works: C extensions load
  [[ -n ${GRAALPY_PIP_PACKAGES+set} ]] || pip_packages+=" setuptools"
  [[ $jit != 1 ]] || { echo "GRAALPY_JIT=1 is for GraalPy 24.2 only" >&2; exit 2; }
fi
base=$dest/base
launcher=$dest/bin/graalpy

# Feature version of the JDK in $1 (read from its `release` file: no JVM start).
jdk_feature() {
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null) || true
  printf '%s' "${v:-0}"
}
pick_java_home() {
  if [[ -n ${GRAALPY_JAVA_HOME:-} ]]; then
    printf '%s' "$GRAALPY_JAVA_HOME"; return
  fi
  local h
  for h in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-*; do
    [[ -x $h/bin/java ]] && { printf '%s' "$h"; return; }
  done
  h=$(command -v java) || die "no java found (install a JDK >= 17)"
  h=$(readlink -f -- "$h")
  printf '%s' "${h%/bin/java}"
}
java_home=$(pick_java_home)
[[ -x $java_home/bin/java ]] || die "$java_home/bin/java is not executable"
feature=$(jdk_feature "$java_home")
((feature >= 17)) || die "$java_home is not a JDK >= 17"
((major < 25 || feature >= 22)) || die "GraalPy $version needs a JDK >= 22 (JEP 454); $java_home is $feature"
if [[ $jit == 1 ]] && ((feature != 25)); then
  die "GRAALPY_JIT=1 needs JDK 25 (Graal compiler $JIT_TRUFFLE_VERSION); $java_home is $feature"
fi

stamp=$dest/.provisioned
stamp_text="recipe=$RECIPE_VERSION graalpy=$version jit=$jit java=$java_home pip=[$pip_packages] dest=$dest"
readonly OK_CHECK="import sys, $native_check
sys.exit(not (sys.implementation.name == 'graalpy' and sys.version_info[:2] == (${python_version/./, })))"

is_ready() {
  [[ $force == 0 && -f $stamp && $(<"$stamp") == "$stamp_text" ]] || return 1
  # No interpreter start here (that costs seconds): check the files instead.
  [[ -x $base/bin/graalpy && -L $launcher && -e $launcher && -x $java_home/bin/java ]]
}

# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. "$script_dir/lib/provision.sh"
provision_lock_or_done "${dest##*/}"

# ---------------------------------------------------------------------------
# Slow path: (re)build from scratch. The stamp is written last, so a run that
# dies half-way is simply redone next time.
# ---------------------------------------------------------------------------
command -v mvn >/dev/null || die "mvn not found (Debian package: maven)"
start=$SECONDS
rm -rf -- "$dest"
mkdir -p "$base/maven" "$base/lib" "$base/bin" "$base/cache"

# 1. The jars. python-launcher brings the launcher and, through
#    python-language, the polyglot API and Truffle; the two `pom` artifacts are
#    the "community" bundles: python-community adds the resources, the
#    optimizing Truffle runtime jar and NFI; llvm-community adds the LLVM
#    runtime (Sulong), which GraalPy 24.x uses to load libhpy-native and
#    C extensions. Without it `import hpy.universal` fails. GraalPy 25: the
#    `python` pom instead, which is its community bundle (see the header).
jit_management=
if [[ $jit == 1 ]]; then
  tv=$JIT_TRUFFLE_VERSION
  jit_management=$(
    for ga in org.graalvm.polyglot:polyglot \
              org.graalvm.truffle:truffle-api org.graalvm.truffle:truffle-runtime \
              org.graalvm.truffle:truffle-compiler org.graalvm.truffle:truffle-nfi \
              org.graalvm.truffle:truffle-nfi-libffi \
              org.graalvm.sdk:collections org.graalvm.sdk:nativeimage \
              org.graalvm.sdk:word org.graalvm.sdk:jniutils; do
      printf '      <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n' \
        "${ga%%:*}" "${ga#*:}" "$tv"
    done
    printf '      <dependency><groupId>org.graalvm.compiler</groupId><artifactId>compiler</artifactId><version>%s</version></dependency>\n' "$tv"
  )
fi
cat >"$base/maven/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/provision-graalpy.sh: the jars GraalPy $version needs. -->
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.provision</groupId>
  <artifactId>graalpy-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
$(if [[ -n $jit_management ]]; then
    printf '  <dependencyManagement>\n    <dependencies>\n%s\n    </dependencies>\n  </dependencyManagement>\n' "$jit_management"
  fi)
  <dependencies>
    <dependency>
      <groupId>org.graalvm.python</groupId>
      <artifactId>python-launcher</artifactId>
      <version>$version</version>
    </dependency>
$(for pom in $poms; do
    printf '    <dependency><groupId>org.graalvm.polyglot</groupId><artifactId>%s</artifactId><version>%s</version><type>pom</type></dependency>\n' "$pom" "$version"
  done)
$(if [[ $jit == 1 ]]; then
    printf '    <dependency><groupId>org.graalvm.compiler</groupId><artifactId>compiler</artifactId><version>%s</version></dependency>\n' "$JIT_TRUFFLE_VERSION"
  fi)
  </dependencies>
</project>
EOF
log "downloading GraalPy $version jars with Maven"
# The repository cache lives inside the install folder and is deleted after
# the copy: nothing lands in ~/.m2. Mirrors/proxies in ~/.m2/settings.xml
# still apply. -q keeps Maven from echoing repository addresses.
if ! (cd "$base/maven" &&
      mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$base/maven/repository" \
        dependency:copy-dependencies -DoutputDirectory="$base/lib" -DexcludeTypes=pom \
        >"$base/maven/mvn.log" 2>&1); then
  tail -n 30 "$base/maven/mvn.log" >&2
  die "mvn dependency:copy-dependencies failed (log: $base/maven/mvn.log)"
fi
rm -rf -- "$base/maven/repository"
if [[ $jit == 1 ]]; then
  mkdir -p "$base/jit"
  mv "$base/lib/compiler-$JIT_TRUFFLE_VERSION.jar" "$base/jit/"
fi
[[ -f $base/lib/python-launcher-$version.jar ]] || die "python-launcher-$version.jar missing after mvn"

# 2. The launcher. It finds its install relative to its own resolved path and
#    passes the path it was *invoked* as ($0, not resolved: venvs symlink to
#    it) as --python.Executable, so sys.executable is the launcher or the venv
#    symlink, and subprocess/multiprocessing children start GraalPy again,
#    inside the same venv.
#    -Xss16m: GraalPy's recursion needs deep Java stacks.
#    --enable-native-access: NFI/LLVM call native code (JDK 22+ warns otherwise).
#    --sun-misc-unsafe-memory-access=allow: Truffle 24.2 uses sun.misc.Unsafe
#      memory access, which JDK 24+ warns about; the option doesn't exist on 17.
#    -Dpolyglot.engine.userResourceCache: where GraalPy unpacks its stdlib and
#      native libraries; default would be ~/.cache.
#    -Xlog: JDK 25 prints harmless AOT-cache warnings on *stdout* otherwise.
# shellcheck disable=SC2016  # single quotes: expanded by the launcher
{
  printf '#!/usr/bin/env bash\n'
  printf '# Generated by scripts/provision-graalpy.sh: GraalPy %s on %s (JDK %s)%s.\n' \
    "$version" "$java_home" "$feature" "$([[ $jit == 1 ]] && echo ', Graal JIT')"
  printf '# See the comments there. Extra JVM options: GRAALPY_JAVA_OPTS.\n'
  cat <<'EOF'
base=$(readlink -f -- "${BASH_SOURCE[0]}") && base=${base%/*/*} || exit 127
case $0 in
  /*) exe=$0 ;;
  *) exe=$PWD/$0 ;;
esac
EOF
  printf 'java=%q\n' "$java_home/bin/java"
  printf 'opts=(-Xss16m -Dpolyglot.engine.WarnInterpreterOnly=false)\n'
  # C1 only for the interpreter; the JIT mode needs C2 for the Graal compiler.
  [[ $jit == 1 ]] || printf 'opts+=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)\n'
  printf 'opts+=("-Dpolyglot.engine.userResourceCache=$base/cache")\n'
  if ((feature >= 23)); then
    printf 'opts+=(--sun-misc-unsafe-memory-access=allow -Xlog:disable -Xlog:all=error:stderr)\n'
  fi
  if ((feature >= 25)) && [[ $jit != 1 ]]; then
    printf '[[ -f $base/graalpy.aot ]] && opts+=("-XX:AOTCache=$base/graalpy.aot")\n'
  fi
  if [[ $jit == 1 ]]; then
    # Module path: Truffle only picks the optimizing runtime from there.
    cat <<'EOF'
opts+=(--enable-native-access=org.graalvm.truffle,ALL-UNNAMED)
opts+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI)
opts+=("--upgrade-module-path=$(echo "$base"/jit/*.jar)" --module-path "$base/lib")
main=(-m org.graalvm.py.launcher/com.oracle.graal.python.shell.GraalPythonMain)
EOF
  else
    cat <<'EOF'
opts+=(--enable-native-access=ALL-UNNAMED -Dtruffle.UseFallbackRuntime=true)
opts+=(-cp "$base/lib/*")
main=(com.oracle.graal.python.shell.GraalPythonMain)
EOF
  fi
  cat <<'EOF'
# GraalPy's pip: use the package patches bundled with GraalPy, no web lookup.
export PIP_GRAALPY_PATCHES_URL=${PIP_GRAALPY_PATCHES_URL-}
# shellcheck disable=SC2086  # GRAALPY_JAVA_OPTS is a word list
exec "$java" "${opts[@]}" ${GRAALPY_JAVA_OPTS:-} "${main[@]}" \
  --python.Executable="$exe" "$@"
EOF
} >"$base/bin/graalpy"
chmod 755 "$base/bin/graalpy"

# 3. First start: unpacks the stdlib into base/cache and, on JDK 25, records
#    the AOT cache from a run that imports what tests typically use.
readonly TRAIN="import sys, os, re, json, struct, subprocess, tempfile, ctypes, mmap
import multiprocessing, multiprocessing.shared_memory, unittest, venv, $native_check
sum(i * i for i in range(200000))"
log "first start (unpacks the stdlib into $base/cache)"
"$base/bin/graalpy" -c "$OK_CHECK" || die "$base/bin/graalpy does not work"
if ((feature >= 25)) && [[ $jit != 1 ]]; then
  log "recording the JDK AOT cache"
  if ! GRAALPY_JAVA_OPTS="-XX:AOTCacheOutput=$base/graalpy.aot" \
       "$base/bin/graalpy" -c "$TRAIN" >"$base/aot.log" 2>&1; then
    log "AOT cache not made, continuing without it (log: $base/aot.log)"
    rm -f "$base/graalpy.aot"
  fi
fi

# 4. The venv callers use, with pip from ensurepip (bundled, offline).
#    GraalPy's pip is patched to add its vendor's wheel index as a default
#    extra index and to fetch "GraalPy patches" metadata from the web; neither
#    is reachable here, and each costs 5 retries per package. The venv's own
#    pip.conf (site level) empties the extra index; the launcher sets
#    PIP_GRAALPY_PATCHES_URL to empty (use the patches bundled with GraalPy).
log "creating venv $dest"
"$base/bin/graalpy" -m venv --without-pip "$dest" >&2
cat >"$dest/pip.conf" <<'EOF'
# Written by scripts/provision-graalpy.sh: GraalPy's pip adds an extra index
# by default that this machine cannot reach; this turns it off for the venv.
[global]
extra-index-url =
EOF
"$launcher" -I -m ensurepip --default-pip >&2 || die "ensurepip failed"
if [[ -n $pip_packages ]]; then
  log "installing into the venv: $pip_packages"
  # Resolving and downloading with GraalPy's pip takes ~3 minutes (TLS and
  # the resolver run interpreted); the host CPython's pip fetches the same
  # pure-Python wheels in seconds and GraalPy's pip installs them offline in
  # ~25 s. Fallback: GraalPy's pip uses the index itself.
  # -q also keeps pip from echoing a configured index address.
  wheels=$base/wheels
  host_py=
  for py in python3 python; do
    if command -v "$py" >/dev/null && "$py" -m pip --version >/dev/null 2>&1; then
      host_py=$py; break
    fi
  done
  # shellcheck disable=SC2086  # pip_packages is a word list
  if [[ -n $host_py ]] &&
     "$host_py" -m pip download -q --disable-pip-version-check -d "$wheels" \
       --only-binary=:all: --platform any --implementation py --abi none \
       --python-version "$python_version" $pip_packages >&2; then
    "$launcher" -m pip install -q --no-input --disable-pip-version-check \
      --no-warn-script-location --no-compile --no-index --find-links "$wheels" \
      $pip_packages >&2 || die "pip install into the GraalPy venv failed"
  else
    log "no host pip, or not all pure-Python wheels: GraalPy's pip uses the index"
    "$launcher" -m pip install -q --no-input --disable-pip-version-check \
      --no-warn-script-location --no-compile $pip_packages >&2 ||
      die "pip install into the GraalPy venv failed"
  fi
  rm -rf -- "$wheels"
fi
log "byte-compiling the venv's site-packages"
"$launcher" -m compileall -q -j 0 "$dest"/lib/python3.*/site-packages >/dev/null 2>&1 ||
  log "compileall reported errors (continuing: .pyc files are only a speed-up)"
import_check=$OK_CHECK
[[ " $pip_packages" == *" pytest"* || $pip_packages == pytest* ]] && import_check+="
import pytest"
[[ " $pip_packages" == *" hypothesis"* ]] && import_check+="
import hypothesis"
"$launcher" -c "$import_check" || die "the new venv does not work"
printf '%s\n' "$stamp_text" >"$stamp"
log "done in $((SECONDS - start)) s; $(du -sh "$dest" | cut -f1) in $dest"
printf '%s\n' "$launcher"
