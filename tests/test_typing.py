"""The package is typed (the README's examples pass mypy --strict: see
test_readme.py), and the public API documents itself (help())."""

import inspect
import os
import pydoc
import sys

import pytest

import atomics
import atomics.array
import atomics.base
import atomics.ctx
import atomics.view

from .utils import IS_GRAALPY_HPY


def test_package_is_marked_typed():
    assert os.path.isfile(os.path.join(os.path.dirname(atomics.__file__),
                                       "py.typed"))


PUBLIC = [atomics.atomic, atomics.atomicview, atomics.atomicarray,
          atomics.atomicarrayview, atomics.Alignment, atomics.MemoryOrder,
          atomics.OpType, atomics.CmpxchgResult,
          atomics.base.AtomicInt, atomics.base.AtomicBytes,
          atomics.view.AtomicUintView, atomics.ctx.AtomicIntViewContext,
          atomics.array.AtomicIntArray, atomics.exc.MemoryOrderError]


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_help_is_useful(obj):
    assert obj.__doc__ and len(obj.__doc__.strip()) > 20
    text = pydoc.render_doc(obj)
    assert obj.__name__ in text


@pytest.mark.parametrize("name", ["load", "store", "cmpxchg_strong",
                                  "fetch_add", "wait", "notify_all"])
def test_methods_have_docstrings(name):
    method = getattr(atomics.base.AtomicInt, name)
    assert method.__doc__ and len(method.__doc__.strip()) > 15


ORDER_PARAMETERS = ("order", "success", "failure", "succ", "fail")


@pytest.mark.skipif(
    IS_GRAALPY_HPY,
    reason="GraalPy 24.2 gives every compiled method the generic signature "
           "(self, /, *args, **kwargs)")
@pytest.mark.parametrize("cls", [
    atomics.base.AtomicInt, atomics.base.AtomicUint, atomics.base.AtomicBytes,
    atomics.array.AtomicIntArray, atomics.array.AtomicBytesArray],
    ids=lambda c: c.__name__)
def test_signatures_name_the_parameters(cls):
    """inspect.signature() (which help() shows) works for every operation,
    gives each memory order its default, and makes an array's element index
    positional-only (as the methods treat it)."""
    is_array = issubclass(cls, atomics.array.AtomicArray)
    checked = 0
    for name in dir(cls):
        method = getattr(cls, name)
        if name.startswith("_") or not callable(method):
            continue
        try:
            params = list(inspect.signature(method).parameters.values())
        except ValueError:
            # PyPy's compiled methods (here: notify_*) have no signature
            # object; their docstring starts with the signature instead
            assert sys.implementation.name == "pypy", name
            assert method.__doc__.startswith(f"{name}($self"), name
            continue
        assert params[0].name == "self", name
        for param in params:
            if param.name in ORDER_PARAMETERS:
                assert param.default is atomics.MemoryOrder.SEQ_CST, name
        if is_array:
            assert params[1].name == "i", name
            assert params[1].kind is inspect.Parameter.POSITIONAL_ONLY, name
        checked += 1
    assert checked >= 17  # the bytes family's operations, at least
    assert "order=" in pydoc.render_doc(cls.load)
