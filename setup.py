# SPDX-License-Identifier: MIT
"""Build: CMake builds vendor/patomic, then hpy_src is built against it as
ONE HPy universal binary (atomics/_native.hpy0.so) for every interpreter.

Metadata lives in pyproject.toml; this file only drives the two builds.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import hpy.devel
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

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

ROOT = Path(__file__).resolve().parent
PATOMIC = ROOT / "vendor" / "patomic"

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


class BuildWithPatomic(build_ext):
    """build_ext that first builds the static patomic library with CMake."""

    def run(self):
        lib = self.build_patomic()
        for ext in self.extensions:
            ext.include_dirs.append(str(PATOMIC / "include"))
            ext.extra_objects.append(str(lib))
            # no hpy loader stub: it imports pkg_resources (gone from
            # setuptools >= 82); atomics/_load.py loads the binary itself
            ext._needs_stub = False
        super().run()

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


commands = {"build_ext": BuildWithPatomic}

if bdist_wheel is not None:
    class UniversalWheel(bdist_wheel):
        """Tag the wheel py3-none-<platform>: the binary depends on no
        Python ABI, so every HPy interpreter may install it (hpy 0.9.0 would
        tag it cp311-cp311, which PyPy's and GraalPy's pip refuse)."""

        def get_tag(self):
            _, _, platform = super().get_tag()
            return "py3", "none", platform

    commands["bdist_wheel"] = UniversalWheel


def sanitizer_flags():
    """-fsanitize flags when ATOMICS_SANITIZE is set (see scripts/)."""
    sanitize = os.environ.get("ATOMICS_SANITIZE")
    if not sanitize:
        return [], []
    flags = [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer",
             "-fno-sanitize-recover=all"]
    return flags, flags


compile_extra, link_extra = sanitizer_flags()
# hpy's headers as system headers: the trampolines its HPyDef_* macros expand
# to cast function types (by design), which -Wextra would otherwise reject in
# our files. Our own code keeps every warning.
compile_extra += ["-isystem", hpy.devel.HPyDevel().get_extra_include_dirs()[0]]

setup(
    hpy_ext_modules=[
        Extension(
            "atomics._native",
            sources=sorted(str(p.relative_to(ROOT))
                           for p in (ROOT / "hpy_src").glob("*.c")),
            depends=[str(p.relative_to(ROOT))
                     for p in (ROOT / "hpy_src").glob("*.h")],
            extra_compile_args=C_FLAGS + compile_extra,
            extra_link_args=link_extra,
        )
    ],
    cmdclass=commands,
)
