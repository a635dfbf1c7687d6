"""Slow, pure work done in forked processes when there is enough of it.

Parsing and checking 10,000 event files, scanning 1,000 articles for date phrases, or
rendering 12,000 pages takes seconds in one process. The work is cut into slices, each done
in a forked process that sees the parent's data as it was at the fork; only what a slice
returns (plain text, as the result store keeps it) travels back.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")
SLICES_PER_WORKER = 4  # so that a slow slice holds the others up but briefly
PARENT_CHECK = 0.2  # seconds between a worker's looks at whether its parent is alive
_WORK: list[Callable[[int, int], Any]] = []  # the work of the pool running now, for its workers


def can_fork(jobs: int, count: int, least: int) -> bool:
    """Whether `count` items are worth `jobs` forked processes (at least `least` items)."""
    return jobs > 1 and count >= least and "fork" in multiprocessing.get_all_start_methods()


def in_workers(work: Callable[[int, int], R], count: int, jobs: int) -> Iterator[R]:
    """`work(start, stop)` for slices of range(count) that cover it, in order, each run in
    one of `jobs` forked processes. `work` may be a closure: it is never pickled, the
    workers inherit it; what it returns is, and each slice's is yielded as soon as it is
    there, so the caller need not hold them all at once."""
    step = -(-count // (jobs * SLICES_PER_WORKER))
    slices = [(start, min(start + step, count)) for start in range(0, count, step)]
    _WORK.append(work)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_exit_with, initargs=(os.getpid(),)) as pool:
            yield from pool.map(_run, slices)
    finally:
        _WORK.pop()


def _run(part: tuple[int, int]) -> Any:
    return _WORK[-1](*part)


def _exit_with(parent: int) -> None:
    """Make this worker exit when its parent does. A parent that is killed outright (SIGKILL)
    cannot stop its workers, and they would wait for work for ever, holding what they
    inherited: the output folder's lock, so the next build would wait for ever too."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
