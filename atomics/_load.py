# SPDX-License-Identifier: MIT
"""Load the universal HPy binary, atomics/_native.hpy0.so.

The same file serves CPython, PyPy and GraalPy: each interpreter provides
`hpy.universal` (CPython through the `hpy` package, the others built in).
hpy's own generated loader stub needs pkg_resources, which setuptools >= 82
no longer has, so the package loads the binary itself. `_load_bootstrap` is
what that stub calls on every HPy implementation; it also honours the `HPY`
environment variable (HPY=debug runs the module in HPy's debug mode).
"""

import os
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

import hpy.universal

PATH = Path(__file__).resolve().with_name("_native.hpy0.so")


def _load():
    name = f"{__package__}._native"
    if not PATH.is_file():
        raise ImportError(
            f"atomics: the compiled core {PATH.name} is missing from "
            f"{PATH.parent}; install the package (pip install .) or build it "
            f"in place (python setup.py build_ext --inplace)",
            name=name, path=str(PATH))
    spec = ModuleSpec(name, loader=None, origin=str(PATH))
    module = hpy.universal._load_bootstrap(
        "_native", name, __package__, str(PATH), None, spec, os.environ)
    # PyPy 7.3.19 swaps these two (short name as __name__, dotted name as
    # __file__); set them as CPython does.
    module.__name__ = name
    module.__file__ = str(PATH)
    sys.modules[name] = module
    setattr(sys.modules[__package__], "_native", module)  # atomics._native
    return module


native = _load()
