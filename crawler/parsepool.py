"""Parsing off the reactor: one process pool per crawl process, shared by its spiders.

Parsing a notice (HTML extraction, PDF text) takes milliseconds to seconds of CPU; done in the
Twisted reactor's thread it would stall every download. A ``spawn`` pool is safe beside the
reactor's threads and uses the other cores.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None


def workers_default() -> int:
    return max(1, (os.cpu_count() or 2))


def get_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """The process's parse pool, started on first use."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=workers or workers_default(),
                                    mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def run_in_pool(func: Callable[..., T], *args: Any, workers: int | None = None) -> T:
    """``func(*args)`` in the pool; with ``workers == 0`` in this thread (tests, debugging)."""
    if workers == 0:
        return func(*args)
    return await asyncio.get_running_loop().run_in_executor(get_pool(workers), func, *args)


def shutdown_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
