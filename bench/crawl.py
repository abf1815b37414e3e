"""Crawl speed: rectrack against a bare Scrapy spider downloading the same pages, in one run.

The bundled sample site is scaled to ``--articles`` notices (plus its news items), politeness is switched
off, and both crawls run in fresh processes against the same local server, after an untimed crawl that
warms the server's page cache:

- rectrack: list pages, pagination, detail pages, attachments, parsing (in the parse pool) and storing
  into a new SQLite database;
- bare Scrapy: a spider that only downloads the URLs rectrack fetched, and discards them.

Prints pages/s for both, the ratio (target ≥ 0.8), the CPU seconds each side used while crawling (crawl
process, its parse workers and database writer, the sample site's server) and the peak memory of the crawl process and
of its largest worker process (target ≤ 300 MB). Usage: ``python bench/crawl.py [--articles 2000]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# rectrack and Scrapy are imported inside the functions: every process multiprocessing spawns runs this
# module again (the crawl's parse workers and database writer too), and a rectrack command's main module
# (the ``rectrack`` script) imports little either.


def _settings() -> dict[str, Any]:
    from crawler.runner import IMPOLITE

    return {**IMPOLITE, "LOG_LEVEL": "ERROR", "RETRY_TIMES": 0}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _rectrack(conn: Any, db_url: str, urls: list[str]) -> None:
    from crawler.runner import run_crawl

    settings = _settings()
    cpu_before = _cpu()  # the imports before the crawl (this module's) do not count
    started = time.perf_counter()
    summary = run_crawl(db_url, [], urls, full=True, max_pages=10000, overrides=settings)
    elapsed = time.perf_counter() - started
    pages = sum(r.stats.get("downloader/response_count", 0) for r in summary.results)
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    conn.send({"seconds": elapsed, "pages": pages, "status": [r.status for r in summary.results],
               "self_kb": own.ru_maxrss, "workers_kb": workers.ru_maxrss,
               "cpu": own.ru_utime + own.ru_stime - cpu_before, "workers_cpu": workers.ru_utime + workers.ru_stime})


def _bare(conn: Any, urls: list[str]) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    settings = {**_settings(), "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}
    cpu_before = _cpu()
    started = time.perf_counter()  # as for rectrack: from setting the crawl up to its end
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"seconds": elapsed, "pages": crawler.stats.get_value("downloader/response_count", 0),
               "self_kb": own.ru_maxrss, "cpu": own.ru_utime + own.ru_stime - cpu_before})


def _cpu_since(started: os.times_result) -> float:
    """CPU seconds of this process (the sample site's server threads) since ``started``."""
    now = os.times()
    return now.user - started.user + now.system - started.system


def _in_child(target: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(child, *args))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="synthesised notices on the sample site")
    args = parser.parse_args()
    from crawler.samplesite import SampleSite

    with tempfile.TemporaryDirectory() as tmp, SampleSite(scale=args.articles) as site:
        # A first, untimed crawl renders every page once: the sample site caches what it rendered, so both
        # timed runs below are served from a warm cache (otherwise the first run pays for the rendering).
        _in_child(_rectrack, f"sqlite:///{Path(tmp) / 'warmup.db'}", list(site.list_urls.values()))
        db = Path(tmp) / "bench.db"
        started = os.times()
        ours = _in_child(_rectrack, f"sqlite:///{db}", list(site.list_urls.values()))
        server_cpu = _cpu_since(started)
        with sqlite3.connect(db) as conn:
            fetched = [url for (url,) in conn.execute("SELECT url FROM fetches WHERE http_status = 200")]
            stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        started = os.times()
        bare = _in_child(_bare, fetched)
        bare_server_cpu = _cpu_since(started)
        news, listed = len(site.news_urls), len(site.notice_urls)
    ours_rate, bare_rate = ours["pages"] / ours["seconds"], bare["pages"] / bare["seconds"]
    print(f"sample site: {args.articles} synthesised notices + {news} news items; "
          f"{listed} notices listed, {stored} stored; crawl results {ours['status']}")
    print(f"rectrack : {ours['pages']:6d} pages in {ours['seconds']:6.1f} s = {ours_rate:7.1f} pages/s "
          f"(crawl + parse + store)")
    print(f"bare     : {bare['pages']:6d} pages in {bare['seconds']:6.1f} s = {bare_rate:7.1f} pages/s (download only)")
    print(f"ratio    : {ours_rate / bare_rate:.2f} of bare Scrapy (target >= 0.8)")
    print(f"CPU      : rectrack {ours['cpu']:.1f} s crawl process + {ours['workers_cpu']:.1f} s its parse workers "
          f"and writer + {server_cpu:.1f} s sample server; bare {bare['cpu']:.1f} s + {bare_server_cpu:.1f} s server "
          f"({os.cpu_count()} CPUs)")
    print(f"peak RSS : crawl process {ours['self_kb'] / 1024:.0f} MB, largest worker process "
          f"{ours['workers_kb'] / 1024:.0f} MB, bare Scrapy {bare['self_kb'] / 1024:.0f} MB (target <= 300 MB)")


if __name__ == "__main__":
    main()
