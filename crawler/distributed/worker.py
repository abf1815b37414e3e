"""A crawler worker: one long-lived Scrapy crawler taking requests from Redis until SIGTERM or SIGINT.

The worker's spider is the notice spider with three differences: its requests come from Redis
(seeds pushed by the seeder, and the shared queue); each request is handled by the rules of the site
it belongs to (published by the seeder in Redis, else the worker's own configuration); and it keeps
a heartbeat, its claims and the cycle's per-site counters in Redis. A first SIGTERM or SIGINT stops
it gracefully: requests in progress finish, their results are written, the rest goes back to Redis.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.reactor import install_reactor
from twisted.python.failure import Failure

from crawler.config import SiteConfig, load_sites
from crawler.items import PageItem
from crawler.listing import PageRequest
from crawler.parsepool import shutdown_pool
from crawler.runner import base_settings
from crawler.siterules import SiteRules
from crawler.spiders.notices import NoticeSpider

from . import HEARTBEAT_SECONDS, WORKER_TTL_SECONDS, Keys, connect
from .queue import FULL, Claims, recover_dead_workers

log = logging.getLogger(__name__)

# KEYS: seeds, claims, claim counter. Takes the first seed and claims it.
_POP_SEED = """
local seed = redis.call('LPOP', KEYS[1])
if not seed then return nil end
local token = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], token, 's' .. seed)
return {token, seed}
"""

#: Seeds turned into requests per idle moment, at most.
SEEDS_PER_IDLE = 1000


class DistributedNoticeSpider(NoticeSpider):
    """The notice spider of a worker: requests from Redis, rules per request, claims and a heartbeat."""

    name = "notices"

    def __init__(self, *, keys: Keys, worker_id: str, local_sites: dict[str, SiteConfig] | None = None,
                 **kwargs: Any) -> None:
        scrapy.Spider.__init__(self, **kwargs)
        self.site = None
        self.start_urls = []
        self.rules = SiteRules(None)  # requests that belong to no site: any host, generic rules
        self.site_name = None
        self.allowed_domains = []    # offsite is per site: crawler.distributed.middleware.SiteOffsiteMiddleware
        self.max_pages, self.full = self.rules.max_pages, False
        self._log = None
        self.keys, self.worker_id = keys, worker_id
        self.local_sites = local_sites or {}
        self._rules: dict[str, SiteRules] = {}
        self._host_delay: dict[str, float] = {}
        self._cycle: str | None = None
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._failures: list[tuple[str, dict[str, Any]]] = []
        self._beat: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedNoticeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.server = connect(crawler.settings["REDIS_URL"])
        spider.claims = Claims(spider.server, spider.keys, spider.worker_id)
        spider.default_delay = crawler.settings.getfloat("RECTRACK_DEFAULT_DELAY")
        spider._pop_seed = spider.server.register_script(_POP_SEED)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """Nothing of its own: requests come from Redis."""
        for request in ():
            yield request

    # ---- rules per request ------------------------------------------------------------------

    def rules_for(self, meta: dict[str, Any]) -> SiteRules:
        """The rules of the request's site, as published for its cycle (or a newer one)."""
        name = meta.get("rectrack_site")
        if name is None:
            return self.rules
        rules = self._rules.get(name)
        cycle = meta.get("rectrack_cycle")
        if rules is None or (cycle and (rules.cycle or "") < cycle):  # unknown, or a newer cycle published them
            rules = self._load_rules(name)
            if cycle and (rules.cycle or "") < cycle:  # not published for that cycle: use them for it anyway
                rules = dataclasses.replace(rules, cycle=cycle)
            self._rules[name] = rules
        return rules

    def _load_rules(self, name: str) -> SiteRules:
        """The rules the seeder published for the site, else the worker's own config, else generic ones."""
        raw = self.server.hget(self.keys.sites, name)
        if raw is not None:
            rules = SiteRules.from_json(raw)
        elif name in self.local_sites:
            site = self.local_sites[name]
            rules = SiteRules.for_crawl(site, list(site.start_urls))
        else:
            log.warning("no rules for site %r (not published, not configured here): generic rules", name)
            rules = SiteRules(name)
        delay = self.default_delay if rules.download_delay is None else rules.download_delay
        per_slot = getattr(getattr(self.crawler.engine, "downloader", None), "per_slot_settings", None)
        for host in rules.hosts():
            self._host_delay[host] = max(delay, self._host_delay.get(host, 0.0))
            if rules.concurrency and isinstance(per_slot, dict):  # the site's concurrency, per worker
                per_slot.setdefault(host, {"concurrency": rules.concurrency})
        return rules

    def delay_for(self, request: scrapy.Request) -> float:
        """Seconds between requests to the request's host: its site's delay (by host when it has no site)."""
        rules = self.rules_for(request.meta)
        if rules.name is not None:
            return self.default_delay if rules.download_delay is None else rules.download_delay
        return self._host_delay.get(urlparse_cached(request).hostname or "", self.default_delay)

    def _site_meta(self, rules: SiteRules) -> dict[str, Any]:
        meta = {**super()._site_meta(rules), "rectrack_cycle": rules.cycle}
        if not rules.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    def known_pages(self, urls: list[str]) -> set[str]:
        """A worker outlives many crawl cycles: ask the database for each list page (no snapshot)."""
        return set(self.crawl_log.page_states(urls))

    # ---- callbacks: the claim ends with them ---------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Any]:
        try:
            yield from super().parse_list(response)
        finally:
            self.claims.finished(response.meta)

    async def parse_detail(self, response: Response) -> AsyncIterator[Any]:
        try:
            async for out in super().parse_detail(response):
                yield out
        finally:
            self.claims.finished(response.meta)

    def failed(self, failure: Failure) -> Iterator[PageItem]:
        try:
            yield from super().failed(failure)
        finally:
            self.claims.finished(failure.request.meta)

    # ---- seeds -------------------------------------------------------------------------------

    def take_seeds(self) -> int:
        """Turn queued seeds into requests (each claimed until its request is queued); how many."""
        taken = 0
        while taken < SEEDS_PER_IDLE:
            popped = self._pop_seed(keys=[self.keys.seeds, self.keys.claims(self.worker_id), self.keys.claim_seq])
            if not popped:
                break
            token, raw = popped
            taken += 1
            try:
                request = self._seed_request(json.loads(raw))
            except (ValueError, KeyError, TypeError) as exc:
                log.error("ignoring a malformed seed %r: %s", raw[:200], exc)
                request = None
            try:
                if request is not None:
                    self.crawler.engine.crawl(request)
            except Exception:  # not queued: the seed goes back for another try
                self.server.rpush(self.keys.seeds, raw)
                raise
            finally:
                self.claims.release(token.decode())
        return taken

    def _seed_request(self, seed: dict[str, Any]) -> scrapy.Request:
        """A seed: ``{"cycle", "site", "url", "kind": "list" | "detail" | "attachment", "etag", "last_modified"}``."""
        rules = self.rules_for({"rectrack_site": seed.get("site"), "rectrack_cycle": seed.get("cycle")})
        kind = seed.get("kind", "list")
        if kind == "list":
            request = self._list_request(PageRequest(seed["url"]), page_no=1, rules=rules)
            if seed.get("full"):
                request.meta[FULL] = True
            return request
        return self._detail_request(seed["url"], rules=rules, kind=kind,
                                    validators=(seed.get("etag"), seed.get("last_modified")))

    # ---- signals -----------------------------------------------------------------------------

    def _opened(self, spider: scrapy.Spider) -> None:
        if hasattr(self.crawler.engine, "_SLOT_HEARTBEAT_INTERVAL"):  # look at Redis every second when idle
            self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = 1.0
        recover_dead_workers(self.server, self.keys)
        self._heartbeat()
        self._beat = asyncio.ensure_future(self._beating())
        log.info("worker %s ready: requests from Redis (prefix %r), notices to %s", self.worker_id,
                 self.keys.prefix, self.settings["RECTRACK_DB"].split("@")[-1])

    def _idle(self, spider: scrapy.Spider) -> None:
        self.take_seeds()
        raise DontCloseSpider

    def _scraped(self, item: Any, response: Any, spider: scrapy.Spider) -> None:
        if not isinstance(item, PageItem):
            return
        request = getattr(response, "request", None)
        meta = response.meta if isinstance(response, Response) else getattr(request, "meta", None) or {}
        rules = self.rules_for(meta)
        cycle = meta.get("rectrack_cycle") or rules.cycle
        if cycle is None:
            return
        key = (cycle, rules.name or "")
        if item.failed:
            self._counts[(*key, f"failed_{item.kind}")] += 1
            self._failures.append((cycle, {"site": rules.name, "url": item.url, "kind": item.kind,
                                                 "reason": item.error}))
            return
        self._counts[(*key, f"fetched_{item.kind}")] += 1
        if item.report is not None:
            self._counts[(*key, "notices")] += 1
        elif item.http_status == 304:
            self._counts[(*key, "not_modified")] += 1
        elif item.error:
            self._counts[(*key, "not_notices")] += 1

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self._beat is not None:
            self._beat.cancel()
        self._flush_counts()
        requeued = self.claims.give_back()
        self.server.delete(self.keys.alive(self.worker_id))
        self.server.srem(self.keys.workers, self.worker_id)
        log.info("worker %s stopped (%s); %d unfinished request(s) given back", self.worker_id, reason, requeued)

    # ---- heartbeat -----------------------------------------------------------------------------

    async def _beating(self) -> None:
        beats = 0
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            beats += 1
            try:
                self._heartbeat()
                self.take_seeds()  # also while busy: a long cycle's later seeds must not wait for an idle moment
                if beats % 5 == 0:
                    recover_dead_workers(self.server, self.keys)
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment: try again at the next beat
                log.warning("heartbeat failed: %s", exc)

    def _heartbeat(self) -> None:
        """Say we are alive, publish counters, release claims whose results are written, follow the cycle."""
        state = {"host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}
        pipe = self.server.pipeline()
        pipe.set(self.keys.alive(self.worker_id), json.dumps(state), px=int(WORKER_TTL_SECONDS * 1000))
        pipe.sadd(self.keys.workers, self.worker_id)
        pipe.hget(self.keys.cycle, "id")
        cycle = pipe.execute()[-1]
        if cycle != self._cycle:  # a new cycle: its sites' rules may have changed
            self._cycle = cycle
            self._rules.clear()
            self._host_delay.clear()
        self._flush_counts()
        self.claims.prune(self._writes_pending())

    def _flush_counts(self) -> None:
        counts, self._counts = self._counts, Counter()
        failures, self._failures = self._failures, []
        if not counts and not failures:
            return
        pipe = self.server.pipeline()
        for (cycle, site, name), n in counts.items():
            pipe.hincrby(self.keys.counts(cycle), f"{site}\t{name}", n)
            pipe.expire(self.keys.counts(cycle), 7 * 86400)
        for cycle, failure in failures:
            pipe.rpush(self.keys.failures(cycle), json.dumps(failure, ensure_ascii=False))
            pipe.expire(self.keys.failures(cycle), 7 * 86400)
        pipe.execute()

    def _writes_pending(self) -> int:
        """Items not yet written to the database: in the item pipelines, or in the store pipeline's batches."""
        scraper = self.crawler.engine.scraper
        pending = scraper.slot.itemproc_size if scraper.slot is not None else 0
        for pipeline in getattr(scraper.itemproc, "middlewares", ()):
            pending += len(getattr(pipeline, "_queued", ()) or ()) + len(getattr(pipeline, "_in_flight", ()) or ())
        return pending


def worker_settings(db_url: str, redis_url: str, keys: Keys, overrides: dict[str, Any] | None = None) -> Settings:
    """The crawl settings of a worker: the usual ones, with scrapy-redis's scheduler and the pace kept in Redis."""
    settings = base_settings(db_url, overrides)
    middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                   "crawler.distributed.middleware.SiteOffsiteMiddleware": 55,
                   "crawler.distributed.middleware.RedisPolitenessMiddleware": 960}
    forced = {
        "SCHEDULER": "crawler.distributed.queue.ClaimingScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.HostQueue",
        "SCHEDULER_QUEUE_KEY": keys.hosts,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "SCHEDULER_PERSIST": True,          # a restarted worker goes on with the queue
        "REDIS_URL": redis_url,
        "RECTRACK_DEFAULT_DELAY": settings.getfloat("DOWNLOAD_DELAY"),
        "DOWNLOAD_DELAY": 0,                # the pace per host is kept in Redis, for all workers together
        "DOWNLOADER_MIDDLEWARES": middlewares,
    }
    for key, value in forced.items():
        settings.set(key, value, priority=50)
    return settings


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def run_worker(db_url: str, redis_url: str, *, keys: Keys, config: Path | None = None,
               overrides: dict[str, Any] | None = None) -> str:
    """Run a worker in this process until SIGTERM or SIGINT (a process runs one reactor: call once); its id."""
    connect(redis_url)  # DistributedError before anything starts
    local = load_sites(config) if config is not None and (config / "sites").is_dir() else {}
    worker_id = new_worker_id()
    settings = worker_settings(db_url, redis_url, keys, overrides)
    install_reactor(settings["TWISTED_REACTOR"])
    process = CrawlerProcess(settings)
    process.crawl(DistributedNoticeSpider, keys=keys, worker_id=worker_id, local_sites=local)
    try:
        process.start()
    finally:
        shutdown_pool()
    return worker_id
