"""Run crawls: one Scrapy ``CrawlerProcess`` per call, one crawler per site, a summary at the end.

A Twisted reactor cannot be restarted, so a process runs at most one crawl: the CLI runs it in its
own process, and library callers (tests, the demo, the scheduler) use :func:`crawl_in_subprocess`.
Settings flow one way: ``crawler.settings`` → the site's politeness → the caller's overrides.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor

from crawler.config import SiteConfig
from crawler.parsepool import get_pool, shutdown_pool
from crawler.spiders.notices import NoticeSpider

#: Settings that switch politeness off, for benchmarks and tests against the local sample site only.
IMPOLITE = {"ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "CONCURRENT_REQUESTS": 32, "DOWNLOAD_DELAY_JITTER": 0}


@dataclass
class SiteResult:
    """How one site's crawl ended."""

    name: str
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class CrawlSummary:
    """Every site's result; the exit code says whether any site failed as a whole."""

    results: list[SiteResult]

    @property
    def exit_code(self) -> int:
        """0: all sites ok or partly ok; 1: at least one site failed completely."""
        return 1 if any(r.status == "failed" for r in self.results) else 0


def base_settings(db_url: str, overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("RECTRACK_DB", db_url, priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def site_settings(base: Settings, site: SiteConfig | None) -> Settings:
    """A copy of ``base`` with the site's politeness, unless the caller overrode it."""
    settings = base.copy()
    if site is not None:
        polite = site.politeness
        for key, value in (("DOWNLOAD_DELAY", polite.download_delay),
                           ("CONCURRENT_REQUESTS_PER_DOMAIN", polite.concurrency),
                           ("ROBOTSTXT_OBEY", polite.obey_robots)):
            settings.set(key, value, priority="spider")
    return settings


def run_crawl(db_url: str, sites: list[SiteConfig], start_urls: list[str], *, max_pages: int | None = None,
              full: bool = False, overrides: dict[str, Any] | None = None,
              on_item: Callable[[str, Any], None] | None = None) -> CrawlSummary:
    """Crawl ``sites`` and ``start_urls`` into ``db_url`` in this process (which can run only one crawl)."""
    from crawler import storewriter

    base = base_settings(db_url, overrides)
    # The parse workers and the database writer start first: they import while Scrapy sets the crawlers up.
    workers = base.getint("RECTRACK_PARSE_WORKERS", -1)
    if workers != 0:
        get_pool(None if workers < 0 else workers)
    storewriter.warm()
    install_reactor(base["TWISTED_REACTOR"])  # before the crawlers, which only check it
    process = CrawlerProcess(base)
    crawlers: list[tuple[str, Crawler]] = []
    jobs: list[tuple[str, SiteConfig | None, str | None]] = [(s.name, s, None) for s in sites]
    jobs += [(url, None, url) for url in start_urls]
    for name, site, url in jobs:
        crawler = Crawler(NoticeSpider, site_settings(base, site))
        if on_item is not None:
            crawler.signals.connect(lambda item, response, spider, _n=name: on_item(_n, item),
                                    signal=signals.item_scraped, weak=False)
        process.crawl(crawler, start_url=url, site=site, max_pages=max_pages, full=full)
        crawlers.append((name, crawler))
    try:
        process.start()
    finally:
        shutdown_pool()
        storewriter.stop_unused()
    results = []
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        counts = {k.removeprefix("rectrack/"): v for k, v in stats.items()
                  if k.startswith("rectrack/") and isinstance(v, int) and k != "rectrack/run_id"}
        results.append(SiteResult(name, stats.get("rectrack/status", "failed"), counts,
                                  list(stats.get("rectrack/failures", [])), _plain(stats)))
    return CrawlSummary(results)


def crawl_in_subprocess(db_url: str, sites: list[SiteConfig], start_urls: list[str], *,
                        max_pages: int | None = None, full: bool = False,
                        overrides: dict[str, Any] | None = None, timeout: float | None = None) -> CrawlSummary:
    """:func:`run_crawl` in a fresh process (``spawn``): callable any number of times from one program."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, db_url, sites, start_urls, max_pages, full, overrides))
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise TimeoutError(f"the crawl did not finish within {timeout} s")
        outcome = parent.recv()
    except EOFError:
        outcome = RuntimeError(f"the crawl process died (exit code {process.exitcode})")
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _child(conn: Any, db_url: str, sites: list[SiteConfig], start_urls: list[str], max_pages: int | None,
           full: bool, overrides: dict[str, Any] | None) -> None:
    try:
        conn.send(run_crawl(db_url, sites, start_urls, max_pages=max_pages, full=full, overrides=overrides))
    except BaseException as exc:  # sent back to the parent, which re-raises it
        conn.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    """Crawl stats with values a pipe can carry (datetimes as text)."""
    return {k: (v if isinstance(v, (int, float, str, list, dict)) or v is None else str(v)) for k, v in stats.items()}
