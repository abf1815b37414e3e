"""Parsing off the reactor: one process pool per crawl process, shared by its spiders.

Parsing a notice (HTML extraction, PDF text) takes milliseconds to seconds of CPU; done in the
Twisted reactor's thread it would stall every download. A ``spawn`` pool is safe beside the
reactor's threads and uses the other cores.

The pool starts when a spider opens (the :class:`WarmPool` extension), so its workers import the
parsers while the first list pages download.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler

T = TypeVar("T")

#: Loggers chatty at DEBUG. Scrapy leaves the root logger at DEBUG and filters in its handler, so
#: each of pdfminer's many debug calls would still build a log record: a sizeable part of a PDF's parse.
QUIET_LOGGERS = ("pdfminer", "pdfplumber")

_pool: ProcessPoolExecutor | None = None


def workers_default() -> int:
    """One per CPU but one: the reactor's thread needs a CPU of its own (and the database writer some)."""
    return max(1, (os.cpu_count() or 2) - 1)


@cache
def quiet_loggers() -> None:
    """Once per process."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _init_worker() -> None:
    quiet_loggers()
    import crawler.extract  # noqa: F401 - the parsers' imports, before the first page arrives


def _ready() -> None:
    return None


def get_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """The process's parse pool, started on first use."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=workers or workers_default(),
                                    mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)
        _pool.submit(_ready)  # a spawn pool starts all its workers on the first task
    return _pool


async def run_in_pool(func: Callable[..., T], *args: Any, workers: int | None = None) -> T:
    """``func(*args)`` in the pool; with ``workers == 0`` in this thread (tests, debugging)."""
    if workers == 0:
        quiet_loggers()
        return func(*args)
    return await asyncio.get_running_loop().run_in_executor(get_pool(workers), func, *args)


def shutdown_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


class WarmPool:
    """Scrapy extension: starts the parse pool (``RECTRACK_PARSE_WORKERS``) as soon as a spider opens."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarmPool:
        extension = cls(crawler.settings.getint("RECTRACK_PARSE_WORKERS", -1))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        if self.workers != 0:
            get_pool(None if self.workers < 0 else self.workers)
