# SPDX-License-Identifier: MIT
"""The POSIX shared memory calls GraalPy 24.2 lacks, for the client
programs (tests/test_clients.py puts this directory on PYTHONPATH on
GraalPy only).

GraalPy's `_posixshmem` has no `shm_open`, its `shm_unlink` removes
nothing, and its resource tracker knows no "shared_memory" resources, so
`multiprocessing.shared_memory.SharedMemory` can neither create nor attach
a segment there. On Linux, `shm_open(name)` is
`open("/dev/shm" + name)` with O_NOFOLLOW and O_CLOEXEC and `shm_unlink` is
`unlink("/dev/shm" + name)` (that is what glibc does), so this supplies
both and registers the latter with the resource tracker; the client
programs then run on GraalPy unchanged, on real shared memory. The gap is
GraalPy's, not atomics': a GraalPy program using SharedMemory needs the
same.
"""

import errno
import os

try:
    import _posixshmem
except ImportError:  # not a POSIX interpreter: nothing to supply
    _posixshmem = None


def _file(path):
    if not path.startswith("/") or "/" in path[1:] or len(path) < 2:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), path)
    return "/dev/shm" + path


def shm_open(path, flags, mode=0o777):
    nofollow = getattr(os, "O_NOFOLLOW", 0)  # (GraalPy's os has none)
    return os.open(_file(path), flags | nofollow | os.O_CLOEXEC, mode)


def shm_unlink(path):
    os.unlink(_file(path))


if _posixshmem is not None and not hasattr(_posixshmem, "shm_open") \
        and os.path.isdir("/dev/shm"):
    _posixshmem.shm_open = shm_open
    _posixshmem.shm_unlink = shm_unlink
    from multiprocessing import resource_tracker
    resource_tracker._CLEANUP_FUNCS.setdefault("shared_memory", shm_unlink)
