"""Item pipeline: every fetch into the crawl log, every notice into the store.

One small pipeline with one job, done off the reactor: items are queued and sent in batches to the
crawl process's database writer (``crawler.storewriter``, a process of its own), which logs the
fetches of a batch in one transaction and stores its notices in another. A batch leaves at
``BATCH_SIZE`` items or ``FLUSH_SECONDS`` after its first item, and the last one when the spider
closes: a crash loses at most that much. When the writer falls behind, ``process_item`` waits, and
with it the crawl.

The run's outcome (``ok``, ``partial``, ``failed``) and its failures (pages that could not be
downloaded, or stored) are written when the spider closes, and kept in the crawl stats for the
caller's summary.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler import storewriter
from crawler.items import PageItem

logger = logging.getLogger(__name__)

#: Items per batch, at most; and how long an item waits for its batch to fill, at most.
BATCH_SIZE = 50
FLUSH_SECONDS = 1.0
#: Batches sent to the writer and not written yet, beyond which ``process_item`` waits.
MAX_BATCHES_IN_FLIGHT = 4


class StorePipeline:
    """Writes :class:`PageItem` s to the database of the ``RECTRACK_DB`` setting."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.failures: list[dict[str, Any]] = []
        self.run_id: int | None = None
        self._queued: list[PageItem] = []
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: dict[asyncio.Future[storewriter.Written], int] = {}  # batch sent → its size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def pending(self) -> int:
        """Items not written to the database yet: queued, or in a batch the writer has not finished."""
        return len(self._queued) + sum(self._in_flight.values())

    def open_spider(self) -> None:
        from storage.crawllog import CrawlLog
        from storage.repository import open_store

        self.db_url = self.crawler.settings["RECTRACK_DB"]
        self.store = open_store(self.db_url)
        self.log = CrawlLog(self.store)
        self.run_id = self.log.start_run(getattr(self.crawler.spider, "site_name", None))
        self.stats.set_value("rectrack/run_id", self.run_id)
        self.writer = storewriter.acquire()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        self.stats.inc_value(f"rectrack/fetched_{item.kind}" if not item.failed else f"rectrack/failed_{item.kind}")
        if item.failed:
            self.failures.append({"url": item.url, "kind": item.kind, "reason": item.error})
        elif item.report is None and item.error and item.http_status != 304:
            self.stats.inc_value("rectrack/not_notices")
        self._queued.append(item)
        if len(self._queued) >= BATCH_SIZE:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush)
        while len(self._in_flight) > MAX_BATCHES_IN_FLIGHT:
            await asyncio.wait(list(self._in_flight), return_when=asyncio.FIRST_COMPLETED)
        return item

    async def close_spider(self) -> None:
        self._flush()
        while self._in_flight:
            await asyncio.wait(list(self._in_flight))
        await storewriter.release()
        lists_ok = self.stats.get_value("rectrack/fetched_list", 0)
        status = "failed" if not lists_ok else ("partial" if self.failures else "ok")
        counts = {k.removeprefix("rectrack/"): v for k, v in self.stats.get_stats().items()
                  if k.startswith("rectrack/") and isinstance(v, int) and k != "rectrack/run_id"}
        counts["requests"] = self.stats.get_value("downloader/request_count", 0)
        self.stats.set_value("rectrack/status", status)
        self.stats.set_value("rectrack/failures", list(self.failures))
        if self.run_id is not None:
            self.log.finish_run(self.run_id, status=status, counts=counts, failures=self.failures)
        self.store.close()

    # ---- batches -----------------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._queued:
            return
        batch, self._queued = self._queued, []
        try:
            future = asyncio.wrap_future(self.writer.submit(storewriter.write_pages, self.db_url, self.run_id, batch))
        except Exception as exc:  # noqa: BLE001 - the writer is gone (BrokenProcessPool): say what is lost
            self._not_stored(batch, [(item.url, f"the database writer failed: {exc!r}") for item in batch])
            return
        self._in_flight[future] = len(batch)
        future.add_done_callback(lambda done: self._written(done, batch))

    def _written(self, future: asyncio.Future[storewriter.Written], batch: list[PageItem]) -> None:
        self._in_flight.pop(future, None)
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or error is not None:
            self._not_stored(batch, [(item.url, f"the database writer failed: {error!r}") for item in batch])
            return
        written = future.result()
        for outcome in written.outcomes:
            self.stats.inc_value(f"rectrack/notices_{outcome}")
        self._not_stored(batch, written.errors)

    def _not_stored(self, batch: list[PageItem], errors: list[tuple[str, str]]) -> None:
        """Pages the writer could not store: errors in the log, failures of the run."""
        kinds = {item.url: item.kind for item in batch}
        for url, error in errors:
            logger.error("could not store %s: %s", url, error)
            self.failures.append({"url": url, "kind": kinds.get(url),
                                  "reason": "not stored: " + (error.strip().splitlines() or ["?"])[-1]})
