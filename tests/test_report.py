"""`python -m atomics`: the capability report."""

import hashlib
import os
import subprocess
import sys

import atomics


def run_report():
    root = os.path.dirname(os.path.dirname(atomics.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [root] + [p for p in os.environ.get("PYTHONPATH", "").split(
            os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-m", "atomics"],
                          capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_report_names_interpreter_binary_and_widths():
    out = run_report()
    assert f"interpreter: {sys.implementation.name}" in out
    binary = sys.modules["atomics._native"].__file__
    digest = hashlib.sha256(open(binary, "rb").read()).hexdigest()
    assert f"binary: {binary}" in out
    assert digest in out
    assert "wait/notify:" in out
    table = {}
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0].isdigit():
            table[int(fields[0])] = line
    for width in (1, 2, 4, 8):
        assert width in table, out
        assert "yes" in table[width]
        assert f"{width}/{width}" in table[width]   # alignment
        assert "all 27" in table[width]
    assert "LOAD, BIT_TEST" in out  # what read-only memory gets
