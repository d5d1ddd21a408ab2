# SPDX-License-Identifier: MIT
"""Load the universal HPy binary, atomics/_native.hpy0.so.

The same file serves CPython, PyPy and GraalPy; what differs is the HPy
runtime that hands it a context. PyPy and GraalPy 24 have one built in
(`hpy.universal`). On CPython it is `atomics._hpy.universal`, built with
this package from the pinned hpy 0.9.0 source plus our edits (fixes for
CPython 3.13+, where upstream hpy 0.9.0 crashes, and one for speed).
GraalPy 25 dropped HPy but runs C API extensions: there the same runtime is
built against GraalPy's C API.
Where no runtime can work, import fails here with an ImportError that says
why, before anything can crash.

hpy's own generated loader stub needs pkg_resources, which setuptools >= 82
no longer has, so the package loads the binary itself. `_load_bootstrap` is
what that stub calls on every HPy implementation; it also honours the `HPY`
environment variable (HPY=debug runs the module in HPy's debug mode).
"""

import os
import sys
import sysconfig
from importlib.machinery import ModuleSpec
from pathlib import Path

PATH = Path(__file__).resolve().with_name("_native.hpy0.so")

# CPython versions the runtime is built and tested for (README, Interpreters)
CPYTHON_TESTED = ((3, 11), (3, 15))
# GraalPy (sys.implementation.version) from which on atomics brings its own
# runtime (GraalPy 25 dropped HPy), and the newest major version tested
GRAALPY_OWN_RUNTIME = (25, 0)
GRAALPY_TESTED = 25


def own_runtime(implementation, implementation_version):
    """Whether atomics brings this interpreter's HPy runtime (ours, built
    with the package) rather than finding one built in."""
    return implementation == "cpython" or (
        implementation == "graalpy"
        and tuple(implementation_version[:2]) >= GRAALPY_OWN_RUNTIME)


def unsupported_reason(implementation, version, gil_disabled,
                       implementation_version=(0, 0)):
    """Why this interpreter cannot run atomics, or None if it can.
    `version` is sys.version_info[:2], `implementation_version`
    sys.implementation.version[:2] (it matters for GraalPy only)."""
    if implementation == "graalpy":
        major = implementation_version[0]
        if major > GRAALPY_TESTED:
            return (f"GraalPy {major} is not supported: atomics' HPy runtime "
                    f"for GraalPy (which dropped HPy in 25) is built and "
                    f"tested for GraalPy {GRAALPY_TESTED}")
        return None
    if implementation != "cpython":
        return None
    low, high = CPYTHON_TESTED
    if gil_disabled:
        return ("free-threaded CPython builds are not supported: HPy 0.9's "
                "CPython runtime relies on the GIL (use the regular build "
                f"of CPython {version[0]}.{version[1]})")
    if not low <= version <= high:
        return (f"CPython {version[0]}.{version[1]} is not supported: "
                f"atomics' HPy runtime is built and tested for CPython "
                f"{low[0]}.{low[1]} to {high[0]}.{high[1]}")
    return None


def missing_runtime_message(implementation, version, implementation_version,
                            folder):
    """The ImportError's text where our runtime should be but is not."""
    if implementation == "graalpy":
        # a py3-none wheel (for interpreters with HPy built in) installs on
        # GraalPy 25 too: only a build from source brings the runtime there
        return (f"atomics: the HPy runtime for GraalPy "
                f"{implementation_version[0]}.{implementation_version[1]} is "
                f"missing from {folder}: GraalPy 25 has no HPy of its own, "
                f"and this copy of the package was built for an interpreter "
                f"that has (or for another one); reinstall it from source "
                f"with this GraalPy (pip install --no-binary atomics "
                f"atomics, or pip install . in its source tree)")
    return (f"atomics: the HPy runtime for CPython {version[0]}.{version[1]} "
            f"is missing from {folder}: this copy of the package was built "
            f"for another interpreter; reinstall it with this one (pip "
            f"install atomics, or pip install . in its source tree)")


def _runtime():
    """The HPy runtime module of this interpreter."""
    implementation = sys.implementation.name
    implementation_version = tuple(sys.implementation.version[:2])
    reason = unsupported_reason(implementation, sys.version_info[:2],
                                bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
                                implementation_version)
    if reason:
        raise ImportError(f"atomics: {reason}", name=__package__)
    if not own_runtime(implementation, implementation_version):
        try:
            import hpy.universal
        except ImportError as exc:
            raise ImportError(
                f"atomics: this {implementation} has no HPy runtime "
                f"(hpy.universal): atomics needs an interpreter with HPy 0.9 "
                f"built in (PyPy 7.3.19+, GraalPy 24.2), or one it brings "
                f"its own HPy runtime for (CPython 3.11 to 3.15, GraalPy 25)",
                name=__package__) from exc
        return hpy.universal
    try:
        from ._hpy import universal
    except ImportError as exc:
        raise ImportError(
            missing_runtime_message(implementation, sys.version_info[:2],
                                    implementation_version,
                                    Path(__file__).parent / "_hpy"),
            name=__package__) from exc
    return universal


def _load():
    name = f"{__package__}._native"
    if not PATH.is_file():
        raise ImportError(
            f"atomics: the compiled core {PATH.name} is missing from "
            f"{PATH.parent}; install the package (pip install .) or build it "
            f"in place (python setup.py build_ext --inplace)",
            name=name, path=str(PATH))
    spec = ModuleSpec(name, loader=None, origin=str(PATH))
    module = hpy_universal._load_bootstrap(
        "_native", name, __package__, str(PATH), None, spec, os.environ)
    # PyPy 7.3.19 swaps these two (short name as __name__, dotted name as
    # __file__); set them as CPython does.
    module.__name__ = name
    module.__file__ = str(PATH)
    sys.modules[name] = module
    setattr(sys.modules[__package__], "_native", module)  # atomics._native
    return module


# the runtime in use; its `_debug` module serves HPy's debug mode (tests)
hpy_universal = _runtime()
native = _load()
