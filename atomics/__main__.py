# SPDX-License-Identifier: MIT
"""`python -m atomics`: what atomics can do on this interpreter and machine,
for bug reports."""

import hashlib
import platform
import sys
from importlib import metadata

from . import Alignment, OpType
from ._enums import ops_from_mask
from ._load import PATH, native

WIDTHS = (1, 2, 4, 8, 16)


def _version():
    try:
        return metadata.version("atomics")
    except metadata.PackageNotFoundError:
        return "(not installed: source tree)"


def _ops(mask):
    names = [op.name for op in ops_from_mask(mask)]
    if len(names) == len(OpType):
        return f"all {len(names)}"
    return ", ".join(names) if names else "none"


def report():
    """The report, as a list of lines."""
    from ._load import hpy_universal, own_runtime

    implementation = sys.implementation
    runtime = ("atomics._hpy.universal"
               if own_runtime(implementation.name, implementation.version)
               else "built in")
    lines = [
        f"atomics {_version()}",
        f"interpreter: {implementation.name} "
        f"{'.'.join(map(str, implementation.version[:3]))} "
        f"(Python {platform.python_version()}) on {platform.system()} "
        f"{platform.machine()}",
        f"HPy: universal ABI, runtime {hpy_universal.get_version()[0]} "
        f"({runtime})",
        f"binary: {PATH}",
        f"binary sha256: {hashlib.sha256(PATH.read_bytes()).hexdigest()}",
        f"wait/notify: {'native (futex) for widths 4, 8 and 16; widths 1 and 2 poll' if native.wait_is_native() else 'polling (no native wait here)'}",
        "",
        "width  backend  lock-free  alignment (recommended/minimum)  ops",
    ]
    for width in WIDTHS:
        writable = native.ops_mask(width, False)
        readonly = native.ops_mask(width, True)
        if writable:
            align = Alignment(width)
            alignment = f"{align.recommended}/{align.minimum}"
        else:
            alignment = "-"
        lines.append(
            f"{width:>5}  {native.backend(width) or '-':7}  "
            f"{'yes' if writable else '-':9}  {alignment:31}  "
            f"{_ops(writable)}")
        lines.append(f"{'':>5}  {'':7}  {'':9}  {'(read-only memory)':31}  "
                     f"{_ops(readonly)}")
    lines.append("")
    lines.append("lock-free: every supported op is a single hardware atomic "
                 "instruction (or a loop of them), never a lock; so it is "
                 "also address-free and safe on shared memory.")
    return lines


if __name__ == "__main__":
    print("\n".join(report()))
