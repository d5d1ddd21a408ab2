"""The README's examples: each complete program (a ```python block that
imports atomics) runs as written, and all of them pass mypy --strict."""

import os
import re
import subprocess
import sys

import pytest

import atomics

from .utils import HAS_SHM_OPEN, IS_GRAALPY_HPY

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO, "README.md")
PACKAGE_ROOT = os.path.dirname(os.path.dirname(atomics.__file__))


def examples():
    if not os.path.exists(README):
        return []
    blocks = re.findall(r"```python\n(.*?)```", open(README).read(), re.S)
    return [b for b in blocks if "import atomics" in b]


EXAMPLES = examples()


def env_with_package():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [PACKAGE_ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(
            os.pathsep) if p]))


def test_readme_has_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("n", range(len(EXAMPLES)))
def test_example_runs(n, tmp_path):
    if "shared_memory" in EXAMPLES[n] and not HAS_SHM_OPEN:
        pytest.skip("this interpreter has no shm_open, so no "
                    "multiprocessing.shared_memory (GraalPy)")
    if "ProcessPoolExecutor" in EXAMPLES[n] and IS_GRAALPY_HPY:
        pytest.skip("GraalPy 24.2 cannot pickle a shared atomic outside "
                    "the thread that imported atomics, and ProcessPoolExecutor "
                    "pickles its arguments in a helper thread")
    path = tmp_path / f"example_{n}.py"
    path.write_text(EXAMPLES[n])
    proc = subprocess.run([sys.executable, str(path)], cwd=str(tmp_path),
                          env=env_with_package(), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    # the examples print "x[..] == y[..]" claims: check them
    for left, right in re.findall(r"\[(-?\d+)\] == (?:\w+\[)?(-?\d+)",
                                  proc.stdout):
        assert left == right, proc.stdout


def test_examples_pass_mypy_strict(tmp_path):
    mypy = pytest.importorskip("mypy.api")
    files = []
    for n, block in enumerate(EXAMPLES):
        path = tmp_path / f"example_{n}.py"
        path.write_text(block)
        files.append(str(path))
    out, err, status = mypy.run(["--strict", "--no-incremental",
                                 "--cache-dir", str(tmp_path / "cache")]
                                + files)
    assert status == 0, out + err
