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
            seq_cst = op.array_seq_cst if array else op.seq_cst
            if seq_cst is not None:
                assert seq_cst in vars(cls), (cls, seq_cst)
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


def test_seq_cst_twins_where_the_calling_convention_fits():
    """A SEQ_CST twin (NOARGS/O: the PyPy front-ends' cheap call) exists
    for every op that has at most one argument besides self: on single
    atomics the ops with no operand or one, on arrays those with none."""
    for op in OPS:
        assert (op.seq_cst is not None) == (len(op.operands) <= 1), op
        assert (op.array_seq_cst is not None) == (not op.operands), op
        if op.seq_cst is not None:
            assert op.seq_cst == f"_{op.name}_seq_cst"


@pytest.mark.parametrize("op", [op for op in OPS if op.seq_cst is not None
                                and "INTEGRAL" in op.kinds],
                         ids=lambda op: op.name)
def test_seq_cst_twins_do_what_their_method_does(op):
    """Same result, same effect on the value, for an integral atomic and
    for element 1 of an array (its twin takes the index only)."""
    start, operand = 0b1011, 2
    args = (operand,) if op.operands else ()
    for signed in (True, False):
        atype = atomics.INT if signed else atomics.UINT
        seen = []
        for use_twin in (False, True):
            a = atomics.atomic(width=8, atype=atype)
            a.store(start)
            result = (getattr(a, op.seq_cst)(*args) if use_twin
                      else getattr(a, op.name)(*args))
            seen.append((result, a.load()))
        assert seen[0] == seen[1], (op.name, signed, seen)
    if op.array_seq_cst is not None:
        seen = []
        for use_twin in (False, True):
            arr = atomics.atomicarray(length=3, width=8, atype=atomics.INT)
            arr.store(1, start)
            result = (getattr(arr, op.array_seq_cst)(1) if use_twin
                      else getattr(arr, op.name)(1))
            seen.append((result, [arr.load(i) for i in range(3)]))
        assert seen[0] == seen[1], (op.name, seen)
