"""Work handed to forked processes, so that a rebuild uses both cores of a small machine."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any


def forking_is_safe() -> bool:
    """Whether a child may be forked: one thread only, so no lock is held by another."""
    return hasattr(os, "fork") and threading.active_count() == 1


@contextmanager
def forked_workers(function: Callable, count: int) -> Iterator[Callable[[Any], Future] | None]:
    """Yield a submit(item) that runs `function(item)` in one of `count` forked processes.

    The processes are forked at once, before the caller starts any thread of its own; each
    starts with a copy of what this process has loaded by then. Where forking is not safe,
    None is yielded and the caller does the work itself.
    """
    if not forking_is_safe():
        yield None
        return
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    try:
        # Every process is forked by the first submission; wait until each has started.
        for started in [pool.submit(os.getpid) for _ in range(count)]:
            started.result()
        yield lambda item: pool.submit(function, item)
    finally:
        pool.shutdown(cancel_futures=True)
