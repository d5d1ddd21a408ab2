"""The op table (hpy_src/op_table.h, exported as native.op_table()) is the
one list of operations; OpType and the type stubs are written out for
type checkers. They must agree, and the classes must have what the table
says."""

import ast
import inspect
import os

import pytest

import atomics
from atomics import OpType
from atomics._ops import OPS, ops_of
from atomics.array import AtomicBytesArray, AtomicIntArray, AtomicUintArray
from atomics.base import AtomicBytes, AtomicInt, AtomicIntegral, AtomicUint
from atomics.view import (AtomicBytesView, AtomicIntegralView, AtomicIntView,
                          AtomicUintView)

from .utils import IS_GRAALPY

PACKAGE = os.path.dirname(atomics.__file__)
KINDS = ("INTEGRAL", "BYTES")


def test_optype_is_patomics_op_list():
    """Every OpType is an op of the table, under patomic's name for it."""
    assert {op.optype for op in OPS} == set(OpType)
    for op in OPS:
        assert op.optype.name == op.op.upper(), op


def test_families():
    """README "Operations": BYTES atomics have every operation but the
    arithmetic ones; each row is well formed."""
    integral, bytes_ = ops_of("INTEGRAL"), ops_of("BYTES")
    arithmetic = {n for n, op in integral.items() if op.family == "arithmetic"}
    assert arithmetic
    assert set(bytes_) == set(integral) - arithmetic
    assert {op.optype for op in integral.values()} == set(OpType)
    for op in OPS:
        assert op.family in ("common", "bitwise", "arithmetic", "cmpxchg")
        assert set(op.kinds) <= set(KINDS) and op.kinds, op
        assert (op.twin is not None) == (op.family == "cmpxchg"), op
        assert len(op.orders) == (2 if op.signature == "cmpxchg" else 1)


# What a stub returns for each patomic signature, per kind.
RETURNS = {
    "store": "None", "void": "None", "void_noarg": "None",
    "load": "{value}", "exchange": "{value}", "fetch": "{value}",
    "fetch_noarg": "{value}", "test": "bool", "test_modify": "bool",
    "cmpxchg": "CmpxchgResult[{value}]",
}
# Stub members that are not operations.
NOT_OPS = {"wait", "notify_one", "notify_all", "__int__", "__bytes__",
           "__init__", "__len__", "signed", "width", "readonly",
           "ops_supported"}


def stub_methods(filename, classname):
    """{name: FunctionDef} of a class in one of the package's stubs."""
    with open(os.path.join(PACKAGE, filename)) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == classname:
            return {item.name: item for item in node.body
                    if isinstance(item, ast.FunctionDef)}
    raise AssertionError(f"{classname} not in {filename}")


@pytest.mark.parametrize("filename,classname,kind,array", [
    ("_types.pyi", "INTEGRAL", "INTEGRAL", False),
    ("_types.pyi", "BYTES", "BYTES", False),
    ("_classes.pyi", "_IntegralArray", "INTEGRAL", True),
    ("_classes.pyi", "AtomicBytesArray", "BYTES", True),
])
def test_stubs_match_the_table(filename, classname, kind, array):
    methods = stub_methods(filename, classname)
    ops = ops_of(kind)
    assert set(methods) - NOT_OPS == set(ops)
    value = "int" if kind == "INTEGRAL" else "bytes"
    for name, op in ops.items():
        args = methods[name].args
        names = [a.arg for a in args.posonlyargs + args.args]
        index = ["i"] if array else []
        assert names == ["self"] + index + list(op.operands + op.orders), name
        # the element index is positional-only; the orders have defaults
        assert [a.arg for a in args.posonlyargs] == (
            ["self", "i"] if array else []), name
        assert len(args.defaults) == len(op.orders), name
        assert ast.unparse(methods[name].returns) == \
            RETURNS[op.signature].format(value=value), name


CLASSES = {
    "INTEGRAL": [AtomicIntegral, AtomicInt, AtomicUint, AtomicIntegralView,
                 AtomicIntView, AtomicUintView],
    "BYTES": [AtomicBytes, AtomicBytesView],
}
ARRAYS = {"INTEGRAL": [AtomicIntArray, AtomicUintArray],
          "BYTES": [AtomicBytesArray]}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("array", [False, True], ids=["single", "array"])
def test_classes_have_the_tables_methods(kind, array):
    """Each concrete class defines its kind's operations (and their twins)
    itself, and no operation of another kind; in C on CPython, where their
    signatures name the table's parameters."""
    others = {op.name for op in OPS} - set(ops_of(kind))
    for cls in (ARRAYS if array else CLASSES)[kind]:
        for name, op in ops_of(kind).items():
            assert name in vars(cls), (cls, name)
            if op.twin is not None:
                assert op.twin in vars(cls), (cls, op.twin)
            if IS_GRAALPY:  # every compiled method says (self, *args, ...)
                continue
            try:
                params = list(inspect.signature(getattr(cls, name)).parameters)
            except ValueError:
                continue  # (PyPy: some compiled methods have no signature)
            index = ["i"] if array else []
            assert params == ["self"] + index + list(
                op.operands + op.orders), (cls, name)
        assert not others & set(dir(cls)), cls
