"""atomics/_buffer.py: taking buffer exports leaves the process's shared
state alone."""

import ctypes
import os
import subprocess
import sys

import pytest

# A neighbour library declares the buffer functions on ctypes.pythonapi
# with its own Py_buffer class (ctypes then refuses anyone else's), once
# before atomics is first used and once after. Both times atomics must keep
# working and the neighbour's declarations must stay as it made them.
NEIGHBOUR = """
import ctypes, sys

class TheirBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("rest", ctypes.c_char * 72)]

api = ctypes.pythonapi
if sys.implementation.name == "graalpy":
    import _testcapi  # GraalPy resolves pythonapi once its C API is up

def declare(restype):
    api.PyObject_GetBuffer.argtypes = [ctypes.py_object,
                                       ctypes.POINTER(TheirBuffer),
                                       ctypes.c_int]
    api.PyObject_GetBuffer.restype = restype
    api.PyBuffer_Release.argtypes = [ctypes.POINTER(TheirBuffer)]
    api.PyBuffer_Release.restype = None
    api.PyErr_Clear.argtypes = [ctypes.c_int]
    return [(f.argtypes, f.restype) for f in (
        api.PyObject_GetBuffer, api.PyBuffer_Release, api.PyErr_Clear)]

def declared():
    return [(f.argtypes, f.restype) for f in (
        api.PyObject_GetBuffer, api.PyBuffer_Release, api.PyErr_Clear)]

def use_atomics():
    import atomics
    buf = bytearray(8)
    with atomics.atomicview(buffer=buf, atype=atomics.INT) as a:
        a.store(-3)
    assert buf == (-3).to_bytes(8, sys.byteorder, signed=True)
    try:  # an export that fails takes the error path too
        atomics.atomicview(buffer=memoryview(bytearray(8))[::2],
                           atype=atomics.INT)
    except BufferError:
        pass
    else:
        raise AssertionError("a strided buffer was accepted")

before = declare(ctypes.c_int)
use_atomics()            # atomics' first use
assert declared() == before, (declared(), before)
after = declare(ctypes.c_long)
use_atomics()            # and a use after the neighbour declared again
assert declared() == after, (declared(), after)

their = TheirBuffer()    # the neighbour's own calls still work
assert api.PyObject_GetBuffer(bytearray(80), ctypes.byref(their), 0) == 0
api.PyBuffer_Release(ctypes.byref(their))
print("ok")
"""


@pytest.mark.skipif(not hasattr(ctypes, "pythonapi"),
                    reason="no ctypes.pythonapi here (PyPy)")
def test_neighbour_declarations_on_pythonapi():
    import atomics  # the child imports the atomics under test
    env = dict(os.environ, PYTHONPATH=os.path.dirname(
        os.path.dirname(atomics.__file__)))
    proc = subprocess.run([sys.executable, "-c", NEIGHBOUR], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", (
        proc.stdout + proc.stderr)
