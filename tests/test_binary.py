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
    # no other copy of the core, and nothing of the reference package (our
    # HPy runtime for CPython, atomics/_hpy/universal.*.so, aside)
    runtime = os.sep + os.path.join("atomics", "_hpy", "universal.")
    others = [m for m in mapped if m != path and runtime not in m and
              (m.endswith(".hpy0.so") and "_native" in m
               or os.sep + "atomics" + os.sep in m and "site-packages" in m)]
    assert others == []


OWN_RUNTIME = (sys.implementation.name == "cpython" or (
    sys.implementation.name == "graalpy"
    and sys.implementation.version[0] >= 25))


def _import_in_child(prelude, timeout):
    """Run `prelude` (Python source, with sys imported) then `import
    atomics` in a fresh interpreter; an ImportError is printed, prefixed
    "ImportError:"."""
    code = ("import sys\n" + prelude +
            "try:\n"
            "    import atomics\n"
            "except ImportError as e:\n"
            "    print('ImportError:', e)\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.skipif(not OWN_RUNTIME,
                    reason="PyPy and GraalPy 24 have HPy built in")
def test_runs_our_hpy_runtime():
    # CPython: never the hpy package's hpy.universal, which crashes on 3.13+;
    # GraalPy 25 has none (it dropped HPy)
    from atomics._load import hpy_universal
    runtime = os.path.realpath(hpy_universal.__file__)
    assert os.path.dirname(runtime) == os.path.realpath(
        os.path.join(os.path.dirname(atomics.__file__), "_hpy"))
    assert os.path.basename(runtime).startswith(
        f"universal.{sys.implementation.name}")
    assert hpy_universal.get_version()[0] == "0.9.0"


@pytest.mark.parametrize("implementation, version, expected", [
    ("cpython", (3, 11), True), ("pypy", (7, 3), False),
    ("graalpy", (24, 2), False), ("graalpy", (25, 0), True),
    ("graalpy", (25, 2), True)])
def test_which_interpreters_get_our_runtime(implementation, version,
                                            expected):
    from atomics._load import own_runtime
    assert own_runtime(implementation, version) is expected


@pytest.mark.skipif(not OWN_RUNTIME,
                    reason="PyPy and GraalPy 24 have HPy built in")
def test_missing_runtime_fails_import_with_reason():
    # as if the package had been built for another interpreter (e.g. the
    # py3-none wheel, which installs on GraalPy 25 too): no atomics._hpy
    out = _import_in_child(
        "class NoRuntime:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'atomics._hpy.universal':\n"
        "            raise ImportError('hidden by the test')\n"
        "sys.meta_path.insert(0, NoRuntime())\n", timeout=300)
    if sys.implementation.name == "graalpy":
        major, minor = sys.implementation.version[:2]
        expected = (f"ImportError: atomics: the HPy runtime for GraalPy "
                    f"{major}.{minor} is missing from ")
        assert "pip install --no-binary atomics atomics" in out.stdout, out
    else:
        major, minor = sys.version_info[:2]
        expected = (f"ImportError: atomics: the HPy runtime for CPython "
                    f"{major}.{minor} is missing from ")
    assert out.stdout.startswith(expected), out


@pytest.mark.parametrize("implementation, version, gil_disabled, words", [
    ("cpython", (3, 13), True, "free-threaded"),
    ("cpython", (3, 16), False, "CPython 3.16 is not supported"),
    ("cpython", (3, 10), False, "CPython 3.10 is not supported"),
])
def test_unsupported_interpreters_are_named(implementation, version,
                                            gil_disabled, words):
    from atomics._load import unsupported_reason
    assert words in unsupported_reason(implementation, version, gil_disabled)


@pytest.mark.parametrize("implementation, version, implementation_version", [
    ("cpython", (3, 11), (3, 11)), ("cpython", (3, 15), (3, 15)),
    ("pypy", (3, 11), (7, 3)), ("graalpy", (3, 11), (24, 2)),
    ("graalpy", (3, 12), (25, 2))])
def test_supported_interpreters_pass(implementation, version,
                                     implementation_version):
    from atomics._load import unsupported_reason
    assert unsupported_reason(implementation, version, False,
                              implementation_version) is None


def test_untested_graalpy_is_named():
    from atomics._load import unsupported_reason
    assert "GraalPy 26 is not supported" in unsupported_reason(
        "graalpy", (3, 13), False, (26, 0))


def test_unsupported_interpreter_fails_import_with_reason():
    # a CPython newer than any tested: import must raise, never crash
    out = _import_in_child("sys.version_info = (3, 99, 0, 'final', 0)\n",
                           timeout=120)
    if sys.implementation.name == "cpython":
        assert "ImportError: atomics: CPython 3.99 is not supported" \
            in out.stdout, out
    else:
        assert out.returncode == 0 and out.stdout == "", out

