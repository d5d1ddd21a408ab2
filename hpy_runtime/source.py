# SPDX-License-Identifier: MIT
"""The pinned hpy 0.9.0 source, unpacked and edited, for setup.py.

hpy 0.9.0 is on the package index as an sdist only. Both things we build
come from it: the universal binary (with hpy.devel, the headers and the
helper sources) and, on CPython, HPy's CPython runtime `hpy.universal`,
with our edits (edits.py). The sdist is fetched like a build requirement,
by pip, so the machine's own index configuration applies, and checked
against the sha256 below; ATOMICS_HPY_SDIST=/path/to/hpy-0.9.0.tar.gz
uses a local copy instead (offline builds, CI caches).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from . import edits

VERSION = "0.9.0"
SDIST = f"hpy-{VERSION}.tar.gz"
SDIST_SHA256 = "4545310f3a7f9ac249c0f19a80a9b05f46565afb62b7e9225b79493b7b6c70cc"

# hpy's own build of hpy.universal (its setup.py, EXT_MODULES): the module,
# debug and trace modes, the helpers and the CPython context.
RUNTIME_SOURCES = [
    "hpy/universal/src/hpymodule.c",
    "hpy/universal/src/ctx.c",
    "hpy/universal/src/ctx_meth.c",
    "hpy/universal/src/ctx_misc.c",
    "hpy/debug/src/debug_ctx.c",
    "hpy/debug/src/debug_ctx_cpython.c",
    "hpy/debug/src/debug_handles.c",
    "hpy/debug/src/dhqueue.c",
    "hpy/debug/src/memprotect.c",
    "hpy/debug/src/stacktrace.c",
    "hpy/debug/src/_debugmod.c",
    "hpy/debug/src/autogen_debug_wrappers.c",
    "hpy/trace/src/trace_ctx.c",
    "hpy/trace/src/_tracemod.c",
    "hpy/trace/src/autogen_trace_wrappers.c",
    "hpy/trace/src/autogen_trace_func_table.c",
] + [f"hpy/devel/src/runtime/{name}.c" for name in (
    "argparse", "buildvalue", "format", "helpers", "structseq",
    "ctx_bytes", "ctx_call", "ctx_capsule", "ctx_err", "ctx_eval",
    "ctx_long", "ctx_module", "ctx_object", "ctx_type", "ctx_tracker",
    "ctx_listbuilder", "ctx_tuple", "ctx_tuplebuilder", "ctx_contextvar")]
RUNTIME_INCLUDE_DIRS = ["hpy/devel/include", "hpy/universal/src",
                        "hpy/debug/src/include", "hpy/trace/src/include"]
# as hpy builds it: the hybrid ABI for the legacy parts, debug mode's sanity
# checks and memory protection, the debug/trace modules built in
RUNTIME_MACROS = [("HPY_ABI_HYBRID", None),
                  ("HPY_DEBUG_ENABLE_UHPY_SANITY_CHECK", None),
                  ("HPY_EMBEDDED_MODULES", None),
                  ("_HPY_DEBUG_MEM_PROTECT_USEMMAP", None)]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(cache: Path) -> Path:
    """The sdist: ATOMICS_HPY_SDIST, else a checked copy in `cache`, else
    downloaded there by pip (hash-pinned)."""
    given = os.environ.get("ATOMICS_HPY_SDIST")
    path = Path(given) if given else cache / SDIST
    if not path.is_file() and not given:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            pinned = Path(tmp) / "hpy-sdist.txt"
            pinned.write_text(f"hpy=={VERSION} --hash=sha256:{SDIST_SHA256}\n")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet",
                 "--no-deps", "--no-binary", ":all:", "--require-hashes",
                 "--disable-pip-version-check", "-d", tmp, "-r", str(pinned)],
                check=True)
            shutil.move(str(Path(tmp) / SDIST), path)
    if not path.is_file():
        sys.exit(f"ATOMICS_HPY_SDIST={given}: no such file")
    if _sha256(path) != SDIST_SHA256:
        sys.exit(f"{path} is not the hpy {VERSION} sdist (sha256 differs)")
    return path


def _edits_digest():
    """A digest of our edits, so a tree edited by other ones is redone."""
    digest = hashlib.sha256()
    for edit in edits.EDITS:
        for part in (edit.path, edit.old, edit.new):
            digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def prepare(build_dir: Path) -> Path:
    """Unpack the pinned sdist into `build_dir`, apply our edits, and return
    the source root (the folder holding hpy/). Done once per build_dir and
    set of edits (a source tree's build/ outlives changes to edits.py)."""
    root = build_dir / f"hpy-{VERSION}"
    stamp = build_dir / f"hpy-{VERSION}.edited"
    stamp_text = f"{SDIST_SHA256} edits {_edits_digest()}\n"
    if stamp.is_file() and stamp.read_text() == stamp_text and root.is_dir():
        return root
    sdist = fetch(build_dir / "download")
    shutil.rmtree(root, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers()
                   if m.isfile() or m.isdir()]   # no links, no devices
        for member in members:
            parts = Path(member.name).parts
            if parts[0] != root.name or ".." in parts:
                sys.exit(f"unexpected path in {sdist}: {member.name}")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
            tar.extractall(build_dir, members=members, filter="data")
        else:
            tar.extractall(build_dir, members=members)
    edits.apply(root)
    stamp.write_text(stamp_text)
    return root


if __name__ == "__main__":
    # python -m hpy_runtime.source DIR: fetch the sdist into DIR, print its path
    print(fetch(Path(sys.argv[1])))
