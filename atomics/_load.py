# SPDX-License-Identifier: MIT
"""Load the universal HPy binary, atomics/_native.hpy0.so.

The same file serves CPython, PyPy and GraalPy; what differs is the HPy
runtime that hands it a context. PyPy and GraalPy 24 have one built in
(`hpy.universal`). On CPython it is `atomics._hpy.universal`, built with
this package from the pinned hpy 0.9.0 source plus our fixes for CPython
3.13+ (upstream hpy 0.9.0 crashes there). Where no runtime can work, import
fails here with an ImportError that says why, before anything can crash.

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


def unsupported_reason(implementation, version, gil_disabled):
    """Why this interpreter cannot run atomics, or None if it can.
    `version` is sys.version_info[:2]."""
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


def _runtime():
    """The HPy runtime module of this interpreter."""
    reason = unsupported_reason(sys.implementation.name, sys.version_info[:2],
                                bool(sysconfig.get_config_var("Py_GIL_DISABLED")))
    if reason:
        raise ImportError(f"atomics: {reason}", name=__package__)
    if sys.implementation.name != "cpython":
        try:
            import hpy.universal
        except ImportError as exc:
            raise ImportError(
                f"atomics: this {sys.implementation.name} has no HPy runtime "
                f"(hpy.universal): atomics needs an interpreter with HPy 0.9 "
                f"built in (PyPy 7.3.19+, GraalPy 24.2; GraalPy 25 dropped "
                f"HPy)", name=__package__) from exc
        return hpy.universal
    try:
        from ._hpy import universal
    except ImportError as exc:
        raise ImportError(
            f"atomics: the HPy runtime for CPython "
            f"{sys.version_info[0]}.{sys.version_info[1]} is missing from "
            f"{Path(__file__).parent / '_hpy'}: this copy of the package was "
            f"built for another interpreter; reinstall it with this one "
            f"(pip install atomics, or pip install . in its source tree)",
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
