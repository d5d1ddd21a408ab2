"""The package is typed (the README's examples pass mypy --strict: see
test_readme.py), and the public API documents itself (help())."""

import os
import pydoc

import pytest

import atomics
import atomics.array
import atomics.base
import atomics.ctx
import atomics.view

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
