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


def build_map():
    """{directory: [names]} from the tree in README "How it is built"."""
    text = open(README).read().split("## How it is built", 1)[1]
    block = re.search(r"```\n(.*?)```", text, re.S).group(1)
    tree, top = {}, None
    for line in block.splitlines():
        if line and not line.startswith(" "):
            top = line.split()[0]
            tree[top] = []
        elif top is not None:
            tree[top] += re.findall(r"[\w.]+\.(?:c|h|py)\b", line)
    return tree


@pytest.mark.skipif(not os.path.exists(README),
                    reason="the README is not installed with the package")
@pytest.mark.parametrize("directory,pattern", [
    ("hpy_src/", r".*\.[ch]$"), ("atomics/", r".*\.py$")])
def test_build_map_matches_the_tree(directory, pattern):
    """The map names every file of the binding's layers, and no file that
    is not there."""
    named = set(build_map()[directory])
    if not os.path.isdir(os.path.join(REPO, directory)):
        pytest.skip(f"no {directory} here")
    files = {f for f in os.listdir(os.path.join(REPO, directory))
             if re.match(pattern, f)}
    assert named - files == set(), "named in the map, not in the tree"
    assert files - named == set(), "in the tree, not named in the map"
