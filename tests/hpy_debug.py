# SPDX-License-Identifier: MIT
"""HPy debug mode's leak check, on whichever runtime loaded atomics.

HPy's debug context records every handle it opens in a numbered
generation; a handle of the current generation still open at the end is
a leak. (The hpy package's LeakDetector does the same, but imports
`hpy.universal`, which on CPython is not the runtime atomics uses.)
"""

from atomics._load import hpy_universal


class HandleLeak(AssertionError):
    def __init__(self, leaks):
        self.leaks = leaks
        super().__init__(f"{len(leaks)} HPy handle(s) left open: "
                         + ", ".join(repr(h) for h in leaks))


class LeakCheck:
    """`with LeakCheck(): ...` raises HandleLeak for handles opened inside
    and still open at the end."""

    def __enter__(self):
        self.generation = hpy_universal._debug.new_generation()
        return self

    def __exit__(self, exc_type, exc, tb):
        leaks = [h for h in
                 hpy_universal._debug.get_open_handles(self.generation)
                 if not h.is_closed]
        if leaks and exc_type is None:
            raise HandleLeak(leaks)
        return False
