# SPDX-License-Identifier: MIT
"""Shared atomics: memory that travels to other processes by name.

`atomic(..., shared=True)` and `atomicarray(..., shared=True)` put their
memory in a *segment*: a file in /dev/shm (on Linux, what shm_open uses),
mapped with mmap. Pickling such an atomic pickles the segment's name, so it
can be passed to multiprocessing.Process, Pool and ProcessPoolExecutor
under any start method; unpickling maps the same memory. (With the fork
start method a child inherits the mapping itself.)

Lifetime: the process that created a segment unlinks its name when its own
last atomic on it is garbage collected; memory already mapped elsewhere
stays valid until those processes drop theirs. If the creator is killed
first, the file stays in /dev/shm as atomics-<pid>-<random> until removed.

multiprocessing.shared_memory is not used: on CPython 3.11 every process
that attaches registers the segment with its resource tracker, which then
warns about (and unlinks) it when that process exits; and GraalPy lacks
shm_open.
"""

import mmap
import os
import secrets
import weakref

from . import _jit
from ._buffer import AtomicCore

_DIRECTORY = "/dev/shm"

# The segments this process has mapped, by name: attaching to one of them
# again (unpickling in the creating process) shares its mapping, so its
# name lives as long as any atomic on it here.
_mapped = weakref.WeakValueDictionary()


class Segment:
    """A named, mapped piece of shared memory (see the module docstring)."""

    __slots__ = ("name", "size", "mmap", "__weakref__")

    def __init__(self, name, size, mapping):
        self.name = name
        self.size = size
        self.mmap = mapping

    @classmethod
    def create(cls, size):
        """A new zeroed segment of `size` bytes, unlinked when this object
        is garbage collected in the creating process."""
        name = f"atomics-{os.getpid()}-{secrets.token_hex(8)}"
        path = os.path.join(_DIRECTORY, name)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, max(size, 1))
            mapping = mmap.mmap(fd, max(size, 1))
        except BaseException:
            os.unlink(path)
            raise
        finally:
            os.close(fd)
        segment = cls(name, size, mapping)
        # only the creating process unlinks (a forked child shares this
        # object and must not)
        weakref.finalize(segment, _unlink_if_creator, path, os.getpid())
        _mapped[name] = segment
        return segment

    @classmethod
    def attach(cls, name, size):
        """Map the existing segment `name` (FileNotFoundError once its
        creator has dropped it)."""
        if os.sep in name or name.startswith("."):
            raise ValueError(f"not a segment name: {name!r}")
        segment = _mapped.get(name)
        if segment is not None:
            return segment
        fd = os.open(os.path.join(_DIRECTORY, name), os.O_RDWR)
        try:
            mapping = mmap.mmap(fd, max(size, 1))
        finally:
            os.close(fd)
        segment = _mapped[name] = cls(name, size, mapping)
        return segment



class SharedCore(AtomicCore):
    """The memory of a shared atomic: a segment's, and how the atomic on it
    was made, which is what pickling it takes."""

    __slots__ = ("segment", "kwargs")

    def __init__(self, segment, kwargs):
        super().__init__(memoryview(segment.mmap)[:segment.size],
                         guard_mmap=False)
        self.segment = segment  # (kept alive: its mapping is the memory)
        self.kwargs = kwargs

    def reduce(self, cls):
        """What pickles an atomic of class `cls` on this memory."""
        return rebuild, (cls, self.segment.name, self.segment.size,
                         self.kwargs)


def new(cls, kwargs, size):
    """cls(**kwargs) on a new segment of `size` bytes."""
    core = SharedCore(Segment.create(size), kwargs)
    return cls(*core.memory(), **kwargs)


def rebuild(cls, name, size, kwargs):
    """Unpickle a shared atomic: map its segment and make `cls` on it."""
    _jit.check_home(f"unpickling {cls.__name__!r}")
    core = SharedCore(Segment.attach(name, size), kwargs)
    return cls(*core.memory(), **kwargs)


def _unlink_if_creator(path, creator):
    if os.getpid() == creator:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
