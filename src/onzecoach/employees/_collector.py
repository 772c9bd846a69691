"""The garbage collector while an import runs: young passes after each batch, and none of
its own.

Each pass the collector starts of itself is set off by allocations, and each full pass
walks every object alive. An import allocates a batch's rows, employees, audit entries
and their rows to write, keeps them while the batch is written, and so sets off full pass
after full pass that find nothing to free: about a fifth of an import's time on SQLite
and more on PostgreSQL, where more batches are alive at once (docs/benchmarks.md).

While any import runs, the collector's own passes are off, and the import runs a pass
over the young objects after each batch: that frees the cycles a batch leaves behind
(rows refused with their tracebacks) and whatever other threads allocated meanwhile.
Garbage that reached the oldest generation waits for the next full pass after the last
import ends, when the collector is switched back on (if it was on when the first began).
Imports side by side in one process share the pause.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["young_passes_only"]

#: Called with the rows done and the rows in all (``None`` when not known).
Progress = Callable[[int, int | None], None]


class _Pause:
    """How many imports run, and whether the collector was on before the first began."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.imports = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextmanager
def young_passes_only(progress: Progress | None) -> Iterator[Progress]:
    """The collector's own passes off for the block; yields the callback to call after
    each batch: a pass over the young objects, then ``progress``."""

    def after_batch(done: int, total: int | None) -> None:
        gc.collect(1)
        if progress is not None:
            progress(done, total)

    counted = False
    try:
        with _PAUSE.lock:
            if _PAUSE.imports == 0:
                _PAUSE.was_enabled = gc.isenabled()
                gc.disable()
            _PAUSE.imports += 1
            counted = True
        yield after_batch
    finally:
        if counted:  # this import holds a count to give back
            with _PAUSE.lock:
                _PAUSE.imports -= 1
                if _PAUSE.imports == 0 and _PAUSE.was_enabled:
                    gc.enable()
