"""Item pipeline: every fetch into the crawl log, every notice into the store.

One small pipeline with one job. The run's outcome (``ok``, ``partial``, ``failed``) and its failures
are written when the spider closes, and kept in the crawl stats for the caller's summary.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import PageItem


class StorePipeline:
    """Writes :class:`PageItem` s to the database of the ``RECTRACK_DB`` setting."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.failures: list[dict[str, Any]] = []
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from storage.crawllog import CrawlLog
        from storage.repository import open_store

        self.store = open_store(self.crawler.settings["RECTRACK_DB"])
        self.log = CrawlLog(self.store)
        self.run_id = self.log.start_run(getattr(self.crawler.spider, "site_name", None))
        self.stats.set_value("rectrack/run_id", self.run_id)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        self.stats.inc_value(f"rectrack/fetched_{item.kind}" if not item.failed else f"rectrack/failed_{item.kind}")
        fetch_id = self.log.record_fetch(
            item.url, run_id=self.run_id, kind=item.kind, http_status=item.http_status, etag=item.etag,
            last_modified=item.last_modified, raw=item.body if item.kind != "list" else None,
            content_type=item.content_type, error=item.error)
        for url, body in item.extra_pages:
            self.log.record_fetch(url, run_id=self.run_id, kind=item.kind, http_status=200, raw=body)
        if item.failed:
            self.failures.append({"url": item.url, "kind": item.kind, "reason": item.error})
        elif item.report is not None:
            result = self.store.ingest(item.report, raw=None, fetch_id=fetch_id)
            outcome = "unchanged" if not result.created else ("new" if result.version == 1 else "new_version")
            self.stats.inc_value(f"rectrack/notices_{outcome}")
        elif item.error and item.http_status != 304:
            self.stats.inc_value("rectrack/not_notices")
        return item

    def close_spider(self) -> None:
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
