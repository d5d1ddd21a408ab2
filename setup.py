# SPDX-License-Identifier: MIT
"""Build: CMake builds vendor/patomic, then hpy_src is built against it as
ONE HPy universal binary (atomics/_native.hpy0.so) for every interpreter;
on CPython also HPy's CPython runtime (atomics/_hpy/universal.*.so), from
the pinned hpy 0.9.0 sdist with our edits (hpy_runtime/); the same runtime
on GraalPy 25+, which dropped HPy but runs C API extensions.

Metadata lives in pyproject.toml; this file only drives the builds.
Knobs (environment):
  ATOMICS_HPY_SDIST=FILE          the hpy-0.9.0 sdist to use (else pip fetches it)
  ATOMICS_UNIVERSAL_BINARY=FILE   ship this _native.hpy0.so instead of compiling
                                  hpy_src (how scripts/build-wheels.sh puts one
                                  binary into every wheel)
  ATOMICS_CPYTHON_RUNTIME=0       leave the CPython runtime out: the wheel for
                                  PyPy and GraalPy 24, tagged py3-none
  ATOMICS_SANITIZE=address,...    build everything with -fsanitize (scripts/)
"""

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Distribution, Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
PATOMIC = ROOT / "vendor" / "patomic"
sys.path.insert(0, str(ROOT))
from hpy_runtime import source as hpy_source  # noqa: E402

# hpy.devel (headers, helper sources, the setuptools integration) from the
# pinned, edited source: the same files whichever interpreter builds.
HPY_SOURCE = hpy_source.prepare(ROOT / "build" / "hpy")
sys.path.insert(0, str(HPY_SOURCE))
import hpy.devel  # noqa: E402

try:  # setuptools >= 70 ships bdist_wheel; before that it came from `wheel`
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:  # no wheels to tag then (e.g. build_ext --inplace)
        bdist_wheel = None

# The universal ABI is the point of this package, so it is the default (hpy
# defaults to its CPython ABI on CPython). `--hpy-abi=...` still overrides.
hpy.devel.DEFAULT_HPY_ABI = "universal"

NATIVE = "atomics._native"
RUNTIME = "atomics._hpy.universal"
PREBUILT = os.environ.get("ATOMICS_UNIVERSAL_BINARY")
# The runtime is CPython's own HPy context; PyPy and GraalPy 24 have theirs.
# GraalPy 25 dropped HPy, and runs the CPython runtime through its C API.
# A free-threaded CPython gets none: HPy 0.9's runtime needs the GIL, and
# `import atomics` says so there (atomics/_load.py).
HOST_NEEDS_RUNTIME = (
    (platform.python_implementation() == "CPython"
     and not sysconfig.get_config_var("Py_GIL_DISABLED"))
    or (sys.implementation.name == "graalpy"
        and sys.implementation.version[0] >= 25))
BUILD_RUNTIME = (HOST_NEEDS_RUNTIME
                 and os.environ.get("ATOMICS_CPYTHON_RUNTIME", "1") != "0")

# C11 plus what hpy's headers need from POSIX/glibc (alloca). hpy's method
# trampolines initialise their argument structs partially (the rest is
# zero, as C guarantees), which -Wextra's missing-field-initializers flags.
C_FLAGS = ["-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror",
           "-Wno-missing-field-initializers", "-O2",
           # export only HPyInit__native, not the library's internals
           "-fvisibility=hidden"]


def cmake_executable():
    """The cmake from the build requirements, else the one on PATH."""
    try:
        import cmake  # the PyPI package ships the binary

        return str(Path(cmake.CMAKE_BIN_DIR) / "cmake")
    except ImportError:
        found = shutil.which("cmake")
        if not found:
            sys.exit("building atomics needs cmake (pip install cmake)")
        return found


def sanitizer_flags():
    """-fsanitize flags when ATOMICS_SANITIZE is set (see scripts/)."""
    sanitize = os.environ.get("ATOMICS_SANITIZE")
    if not sanitize:
        return []
    return [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer",
            "-fno-sanitize-recover=all"]


class BuildWithPatomic(build_ext):
    """build_ext that builds the static patomic library with CMake before
    the universal binary, or ships a prebuilt binary instead."""

    def build_extension(self, ext):
        if ext.name == NATIVE:
            if PREBUILT:
                self.ship_prebuilt(ext)
                return
            lib = self.build_patomic()
            ext.include_dirs.append(str(PATOMIC / "include"))
            ext.extra_objects.append(str(lib))
        # no hpy loader stub: it imports pkg_resources (gone from setuptools
        # >= 82); atomics/_load.py loads the binary itself
        ext._needs_stub = False
        super().build_extension(ext)

    def ship_prebuilt(self, ext):
        prebuilt = Path(PREBUILT)
        if prebuilt.name != "_native.hpy0.so" or not prebuilt.is_file():
            sys.exit(f"ATOMICS_UNIVERSAL_BINARY={PREBUILT}: "
                     f"not a _native.hpy0.so file")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prebuilt, target)

    def build_patomic(self):
        build_dir = Path(self.build_temp).resolve() / "patomic"
        cmake = cmake_executable()
        configure = [
            cmake, "-S", str(PATOMIC), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DPATOMIC_BUILD_TESTS=OFF",
        ]
        sanitize = os.environ.get("ATOMICS_SANITIZE")
        if sanitize:
            configure.append(f"-DPATOMIC_SANITIZE={sanitize}")
        subprocess.run(configure, check=True)
        subprocess.run([cmake, "--build", str(build_dir)], check=True)
        return build_dir / "libpatomic.a"


class HPyDistribution(Distribution):
    """Takes setup(hpy_ext_modules=...) with hpy.devel from the source tree:
    an installed hpy registers that keyword through an entry point, which a
    source tree has not."""

    def __init__(self, attrs=None):
        attrs = dict(attrs or {})
        hpy_ext_modules = attrs.pop("hpy_ext_modules", [])
        super().__init__(attrs)
        self.hpy_ext_modules = hpy_ext_modules
        hpy.devel.handle_hpy_ext_modules(self, "hpy_ext_modules",
                                         hpy_ext_modules)


commands = {"build_ext": BuildWithPatomic}

if bdist_wheel is not None:
    class WheelTags(bdist_wheel):
        """A wheel with the CPython runtime is for that CPython only (the
        default cpXY-cpXY tag; on GraalPy 25 graalpy312-graalpy250_312_native,
        for that GraalPy); one without it is py3-none-<platform>, for every
        interpreter with HPy built in (hpy would tag it cp311-cp311, which
        PyPy's and GraalPy's pip refuse). The universal binary itself depends
        on no Python ABI."""

        def get_tag(self):
            tag = super().get_tag()
            return tag if BUILD_RUNTIME else ("py3", "none", tag[2])

    commands["bdist_wheel"] = WheelTags


sanitize = sanitizer_flags()
# hpy's headers as system headers: the trampolines its HPyDef_* macros expand
# to cast function types (by design), which -Wextra would otherwise reject in
# our files. Our own code keeps every warning.
native_flags = C_FLAGS + sanitize + [
    "-isystem", hpy.devel.HPyDevel().get_extra_include_dirs()[0]]

runtime = []
if BUILD_RUNTIME:
    # hpy's code, built as hpy builds it: its own warning level, and no
    # sanitizers (they check our code, not the interpreter's runtime)
    runtime.append(Extension(
        RUNTIME,
        sources=[str(HPY_SOURCE / p) for p in hpy_source.RUNTIME_SOURCES],
        include_dirs=[str(HPY_SOURCE / p)
                      for p in hpy_source.RUNTIME_INCLUDE_DIRS],
        define_macros=hpy_source.RUNTIME_MACROS,
    ))

setup(
    distclass=HPyDistribution,
    hpy_ext_modules=[
        Extension(
            NATIVE,
            sources=sorted(str(p.relative_to(ROOT))
                           for p in (ROOT / "hpy_src").glob("*.c")),
            depends=[str(p.relative_to(ROOT))
                     for p in (ROOT / "hpy_src").glob("*.h")],
            extra_compile_args=native_flags,
            extra_link_args=sanitize,
        )
    ],
    ext_modules=runtime,
    cmdclass=commands,
)
