"""Downloader middlewares of a worker: per-site offsite filtering, and per-host politeness across workers.

The queue (:class:`crawler.distributed.queue.HostQueue`) already hands a host's requests out no faster
than its delay. :class:`RedisPolitenessMiddleware` is the floor at download time, for every worker: a
slot per host (``SET NX PX``) that a request must take before it is downloaded, waiting (asynchronously)
and retrying while another request — from any worker — holds it. It also paces what the queue never
sees, such as robots.txt requests.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)


class SiteOffsiteMiddleware:
    """Ignores a request to a host outside its own site's allowed domains (Scrapy's offsite rule, per site).

    Scrapy's OffsiteMiddleware knows one ``allowed_domains`` per spider; a worker's spider crawls many sites.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOffsiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.dont_filter or request.meta.get("allow_offsite"):
            return
        rules = self.crawler.spider.rules_for(request.meta)  # type: ignore[union-attr]
        host = urlparse_cached(request).hostname or ""
        if not rules.allows_host(host):
            self.crawler.stats.inc_value("offsite/filtered")  # type: ignore[union-attr]
            raise IgnoreRequest(f"Filtered offsite request to {host!r}")


class RedisPolitenessMiddleware:
    """At most one download start per host per ``delay × (1 − jitter)`` seconds, over all workers."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.jitter = max(0.0, min(1.0, crawler.settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5)))
        self._client: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisPolitenessMiddleware:
        return cls(crawler)

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.crawler.settings["REDIS_URL"],
                                                        socket_connect_timeout=5, socket_timeout=30)
        return self._client

    async def process_request(self, request: Request) -> None:
        spider: Any = self.crawler.spider
        floor = spider.delay_for(request) * (1 - self.jitter)
        if floor <= 0:
            return
        host = urlparse_cached(request).hostname or ""
        key = spider.keys.slots + host
        client = self._redis()
        waited = 0.0
        while not await client.set(key, spider.worker_id, nx=True, px=max(1, round(floor * 1000))):
            ttl = await client.pttl(key)
            pause = max(ttl, 5) / 1000 + random.uniform(0, 0.02)  # a little spread: not all at once
            waited += pause
            await asyncio.sleep(pause)
        if waited:
            self.crawler.stats.inc_value("rectrack/politeness_waits")  # type: ignore[union-attr]
            self.crawler.stats.inc_value("rectrack/politeness_wait_ms", round(waited * 1000))  # type: ignore
