# SPDX-License-Identifier: MIT
"""Build the HPy floor module (floor.c) as a universal binary.

    python benchmarks/floor/build.py OUT_DIR     -> OUT_DIR/_floor.hpy0.so

Compiled as setup.py compiles atomics' core: the same pinned hpy 0.9.0
source (hpy_runtime/source.py), HPy's universal ABI, -O2, hpy's helper
sources linked in. It prints the path of the binary.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from hpy_runtime import source  # noqa: E402


def build(out: Path) -> Path:
    hpy_root = source.prepare(ROOT / "build" / "hpy")
    sys.path.insert(0, str(hpy_root))
    from hpy.devel import HPyDevel

    devel = HPyDevel()
    out.mkdir(parents=True, exist_ok=True)
    target = out / "_floor.hpy0.so"
    includes = [devel.get_include_dir_forbid_python_h(),
                *devel.get_extra_include_dirs()]
    subprocess.run(
        ["cc", "-std=c11", "-O2", "-shared", "-fPIC", "-fvisibility=hidden",
         "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
         "-DHPY", "-DHPY_ABI_UNIVERSAL", "-D_DEFAULT_SOURCE",
         *[f"-isystem{d}" for d in includes],
         str(Path(__file__).with_name("floor.c")),
         *devel.get_extra_sources(), "-o", str(target)],
        check=True)
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
