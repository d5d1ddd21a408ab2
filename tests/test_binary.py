"""The compiled core: one universal HPy binary, not tied to libpython."""

import os
import shutil
import subprocess
import sys

import pytest

import atomics

from .utils import IS_LINUX


def native_module():
    import atomics._native  # noqa: F401
    return sys.modules["atomics._native"]


def test_native_file_is_universal_binary():
    path = native_module().__file__
    assert path.endswith("_native.hpy0.so")
    assert os.path.isfile(path)
    # it is the binary of the package under test (installed or in place)
    assert os.path.realpath(os.path.dirname(path)) == \
        os.path.realpath(os.path.dirname(atomics.__file__))


def test_native_is_attribute_of_package():
    """`import atomics._native` binds the submodule on the package, as for
    any imported submodule."""
    import atomics._native  # noqa: F401
    assert atomics._native is sys.modules["atomics._native"]
    assert atomics._native.__file__.endswith("_native.hpy0.so")


def test_native_name():
    assert native_module().__name__ == "atomics._native"


def _readelf_needed(path):
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf is not installed")
    out = subprocess.run([readelf, "-d", path], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0]
            for line in out.splitlines() if "(NEEDED)" in line]


@pytest.mark.skipif(not IS_LINUX, reason="ELF checks need Linux")
def test_no_libpython_dependency():
    needed = _readelf_needed(native_module().__file__)
    assert needed, "readelf found no NEEDED entries (libc at least)"
    assert not [n for n in needed if "python" in n.lower()
                or "pypy" in n.lower()], needed


@pytest.mark.skipif(not IS_LINUX, reason="ldd is Linux-only")
def test_ldd_no_libpython():
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("ldd is not installed")
    out = subprocess.run([ldd, native_module().__file__],
                         capture_output=True, text=True).stdout
    assert "libpython" not in out and "libpypy" not in out, out


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"),
                    reason="needs /proc/self/maps (Linux)")
def test_mapped_file_is_our_binary():
    native = native_module()
    path = os.path.realpath(native.__file__)
    with open("/proc/self/maps") as f:
        mapped = {line.split(None, 5)[5].strip() for line in f
                  if len(line.split(None, 5)) == 6}
    assert path in mapped
    # no other copy of the core, and nothing of the reference package
    others = [m for m in mapped if m != path and
              (m.endswith(".hpy0.so") and "_native" in m
               or os.sep + "atomics" + os.sep in m and "site-packages" in m)]
    assert others == []

