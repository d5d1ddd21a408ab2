# SPDX-License-Identifier: MIT
"""Prove that every interpreter runs the same compiled binary.

    python same_binary.py record FILE   (run by each tox env's interpreter)
        Import atomics, find the atomics/_native.hpy0.so this process has
        actually mapped (from /proc/self/maps, not from what the package
        says), and write its path and sha256 with the interpreter's name
        and version to FILE (JSON).

    python same_binary.py compare DIR
        Print every record in DIR and fail unless there is more than one
        and all hashes are equal.
"""

import hashlib
import json
import platform
import sys
from pathlib import Path


def mapped_binary():
    """The path of the mapped _native.hpy0.so (exactly one must be)."""
    import atomics  # noqa: F401  (maps the binary)

    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].strip().endswith(
                    "/_native.hpy0.so"):
                paths.add(fields[5].strip())
    if len(paths) != 1:
        sys.exit(f"expected one mapped _native.hpy0.so, found {sorted(paths)}")
    return Path(paths.pop())


def record(out):
    path = mapped_binary()
    entry = {
        "interpreter": sys.implementation.name,
        "version": platform.python_version(),
        "implementation_version": ".".join(
            str(part) for part in sys.implementation.version[:3]),
        "binary": str(path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(entry, indent=2) + "\n")
    print(f"{entry['interpreter']} {entry['version']}: {entry['sha256']} "
          f"{entry['binary']}")


def compare(directory):
    records = sorted(Path(directory).glob("*.json"))
    entries = [json.loads(p.read_text()) for p in records]
    for path, entry in zip(records, entries):
        print(f"{path.stem:10s} {entry['interpreter']:8s} "
              f"{entry['implementation_version']:8s} {entry['sha256']}")
    hashes = {entry["sha256"] for entry in entries}
    if len(entries) < 2:
        sys.exit(f"need records from at least two interpreters, found "
                 f"{len(entries)} in {directory}")
    if len(hashes) != 1:
        sys.exit("DIFFERENT binaries were loaded")
    print(f"all {len(entries)} interpreters loaded the same binary")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("record", "compare"):
        sys.exit(__doc__)
    {"record": record, "compare": compare}[sys.argv[1]](sys.argv[2])
