"""Garbage-collector settings for the crawl's processes: they allocate many short-lived objects.

A crawl allocates a great many container objects per page (requests, responses, Deferreds, parsed
reports), nearly all of them freed by reference counting. With Python's default thresholds the cyclic
collector still runs every 700 allocations and now and then walks the whole heap, every imported
module included: in the crawl process that cost about a sixth of its CPU time. So the objects that
live for the whole run (modules, settings, the spiders) are frozen out of the collector's way once
the crawl is set up, and the first generation is allowed to grow larger before a collection.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parse workers and the writer use tune() without importing Scrapy
    from scrapy.crawler import Crawler

#: Allocations between collections of the youngest generation (Python's default: 700), and how many of
#: those before the middle and the oldest generation are collected.
THRESHOLDS = (50_000, 20, 20)


def tune() -> None:
    """Freeze what exists now (the process's long-lived objects) and raise the thresholds."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


class GcTuning:
    """Scrapy extension: :func:`tune` the crawl process once its engine has started."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        from scrapy import signals

        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        tune()
