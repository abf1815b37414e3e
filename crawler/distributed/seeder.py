"""The seeder: start a distributed crawl cycle, wait until the workers are done, summarise it per site.

One cycle: take the seeder lock; requeue the claims of dead workers; clear the duplicate filter (a new
cycle reads the lists again); publish every site's rules; push the seeds (start URLs, and the known
notices due for a re-check or failed before, from the database); wait until no request is queued,
claimed or being written for a few seconds, recovering dead workers' claims meanwhile; then record a
crawl run per site and return the same summary a single-process crawl gives.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crawler.config import SiteConfig
from crawler.runner import CrawlSummary, SiteResult, base_settings
from crawler.siterules import SiteRules
from crawler.spiders.notices import attachment_or_detail

from . import DistributedError, Keys, connect
from .queue import pending, recover_dead_workers

log = logging.getLogger("rectrack.distributed")

#: The cycle is over once nothing was queued, claimed or being written for this long (seconds).
QUIET_SECONDS = 2.0
#: Give up when no worker has been alive for this long while work waits (seconds).
NO_WORKER_SECONDS = 120.0
POLL_SECONDS = 0.5


@dataclass
class Progress:
    """What the seeder sees while it waits."""

    queued: int = 0
    seeds: int = 0
    claimed: int = 0
    workers: int = 0
    pages: int = 0
    notices: int = 0
    failed: int = 0
    recovered: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.queued or self.seeds or self.claimed)


class SeederLock:
    """One seeder per deployment at a time: a Redis key with an expiry, refreshed while the cycle runs."""

    TTL_MS = 60_000
    _REFRESH = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
                "return 0")
    _RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

    def __init__(self, server: Any, keys: Keys) -> None:
        self.server, self.key = server, keys.seeder_lock
        self.value = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def __enter__(self) -> SeederLock:
        if not self.server.set(self.key, self.value, nx=True, px=self.TTL_MS):
            holder = (self.server.get(self.key) or b"?").decode()
            raise DistributedError(f"another distributed crawl cycle is running (seeder {holder}); "
                                   "wait for it to end")
        return self

    def refresh(self) -> None:
        self.server.eval(self._REFRESH, 1, self.key, self.value, self.TTL_MS)

    def __exit__(self, *exc: object) -> None:
        self.server.eval(self._RELEASE, 1, self.key, self.value)


def site_rules(sites: list[SiteConfig], start_urls: list[str], *, cycle: str, max_pages: int | None, full: bool,
               overrides: dict[str, Any], default_delay: float) -> list[SiteRules]:
    """The rules of each site and bare start URL of the cycle; the caller's overrides win, as in a local crawl."""
    rules = [SiteRules.for_crawl(site, list(site.start_urls), max_pages=max_pages, full=full, cycle=cycle)
             for site in sites]
    rules += [dataclasses.replace(SiteRules.for_crawl(None, [url], max_pages=max_pages, full=full, cycle=cycle),
                                  name=url, download_delay=default_delay) for url in start_urls]
    forced: dict[str, Any] = {}
    if "DOWNLOAD_DELAY" in overrides:
        forced["download_delay"] = float(overrides["DOWNLOAD_DELAY"])
    if "ROBOTSTXT_OBEY" in overrides:
        forced["obey_robots"] = bool(overrides["ROBOTSTXT_OBEY"])
    if "CONCURRENT_REQUESTS_PER_DOMAIN" in overrides:
        forced["concurrency"] = int(overrides["CONCURRENT_REQUESTS_PER_DOMAIN"])
    return [dataclasses.replace(r, **forced) for r in rules]


def run_cycle(db_url: str, redis: str, sites: list[SiteConfig], start_urls: list[str], *,
              max_pages: int | None = None, full: bool = False, overrides: dict[str, Any] | None = None,
              prefix: str | None = None, timeout: float | None = None,
              on_progress: Callable[[Progress], None] | None = None) -> CrawlSummary:
    """Seed one cycle of ``sites`` and ``start_urls``, wait until the workers have crawled it, summarise it."""
    from storage.crawllog import CrawlLog
    from storage.repository import open_store

    from . import prefix as default_prefix

    server = connect(redis)
    keys = Keys(prefix or default_prefix())
    overrides = dict(overrides or {})
    settings = base_settings(db_url, overrides)
    cycle = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    rules = site_rules(sites, start_urls, cycle=cycle, max_pages=max_pages, full=full, overrides=overrides,
                       default_delay=settings.getfloat("DOWNLOAD_DELAY"))
    recheck_before = datetime.now(UTC) - timedelta(days=settings.getfloat("RECTRACK_RECHECK_DAYS"))
    with SeederLock(server, keys) as lock, open_store(db_url) as store:
        crawl_log = CrawlLog(store)
        recovered = recover_dead_workers(server, keys)
        started = datetime.now(UTC)
        runs = {r.name: crawl_log.start_run(r.name) for r in rules if r.name in {s.name for s in sites}}
        seeds, seeded = _seeds(crawl_log, rules, recheck_before)
        pipe = server.pipeline()
        pipe.delete(keys.dupefilter, keys.host_delay)  # a new cycle reads its lists again
        pipe.hset(keys.sites, mapping={r.name: r.to_json() for r in rules})
        pipe.hset(keys.cycle, mapping={"id": cycle, "started": started.isoformat()})
        for start in range(0, len(seeds), 1000):
            pipe.rpush(keys.seeds, *[json.dumps(s, ensure_ascii=False) for s in seeds[start:start + 1000]])
        pipe.execute()
        log.info("cycle %s: %d seed(s) for %d site(s)", cycle, len(seeds), len(rules))
        try:
            recovered += _wait(server, keys, lock, cycle, timeout=timeout, on_progress=on_progress)
        except DistributedError as exc:  # the sites were not crawled: say so in their runs
            for run_id in runs.values():
                crawl_log.finish_run(run_id, status="failed", counts={},
                                     failures=[{"url": None, "kind": None, "reason": str(exc)}])
            raise
        summary = _summary(server, keys, store, cycle, rules, seeded, started)
        for result in summary.results:
            if result.name in runs:
                crawl_log.finish_run(runs[result.name], status=result.status, counts=result.counts,
                                     failures=result.failures)
        if recovered:
            log.warning("cycle %s: %d request(s) of stopped workers were crawled again", cycle, recovered)
    return summary


def _seeds(crawl_log: Any, rules: list[SiteRules], recheck_before: datetime
           ) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """Every site's seeds: its start URLs, its notices due for a re-check, its pages that failed before."""
    seeds: list[dict[str, Any]] = []
    seeded: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rules:
        seed = {"cycle": r.cycle, "site": r.name}
        seeds += [{**seed, "url": url, "kind": "list"} for url in r.start_urls]
        due = crawl_log.due_notices(r.url_prefixes(), recheck_before)
        seeds += [{**seed, "url": s.url, "kind": "detail", "etag": s.etag, "last_modified": s.last_modified}
                  for s in due]
        failed = crawl_log.failed_pages(r.url_prefixes())
        seeds += [{**seed, "url": url, "kind": attachment_or_detail(url)} for url in failed]
        seeded[r.name or ""] = {"rechecked": len(due), "retried_failed": len(failed)}
    return seeds, seeded


def progress(server: Any, keys: Keys, cycle: str | None = None) -> Progress:
    """Queue, seeds, claims and live workers now (and the cycle's counters so far)."""
    state = Progress(queued=pending(server, keys), seeds=int(server.llen(keys.seeds)))
    for raw in server.smembers(keys.workers):
        worker = raw.decode()
        state.claimed += int(server.hlen(keys.claims(worker)))
        state.workers += int(server.exists(keys.alive(worker)))
    if cycle is not None:
        for field, n in server.hgetall(keys.counts(cycle)).items():
            name = field.decode().rsplit("\t", 1)[-1]
            if name.startswith("fetched_"):
                state.pages += int(n)
            elif name.startswith("failed_"):
                state.failed += int(n)
            elif name == "notices":
                state.notices += int(n)
    return state


def _wait(server: Any, keys: Keys, lock: SeederLock, cycle: str, *, timeout: float | None,
          on_progress: Callable[[Progress], None] | None) -> int:
    """Until nothing is queued or claimed for QUIET_SECONDS; the number of dead workers' requests requeued."""
    begun = last_worker = time.monotonic()
    quiet_since: float | None = None
    recovered = 0
    while True:
        lock.refresh()
        recovered += recover_dead_workers(server, keys)
        state = progress(server, keys, cycle)
        state.recovered = recovered
        if on_progress is not None:
            on_progress(state)
        now = time.monotonic()
        if state.workers:
            last_worker = now
        if state.busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_SECONDS:
            return recovered
        if state.busy and now - last_worker > NO_WORKER_SECONDS:
            raise DistributedError(f"no rectrack worker has been connected to Redis for {NO_WORKER_SECONDS:.0f} s: "
                                   f"start one with `rectrack worker` ({state.queued + state.seeds} request(s) "
                                   "wait in Redis for the next cycle)")
        if timeout is not None and now - begun > timeout:
            raise DistributedError(f"the cycle did not finish within {timeout:.0f} s "
                                   f"({state.queued} queued, {state.claimed} in progress)")
        time.sleep(POLL_SECONDS)


def _summary(server: Any, keys: Keys, store: Any, cycle: str, rules: list[SiteRules],
             seeded: dict[str, dict[str, int]], started: datetime) -> CrawlSummary:
    """Per site: the workers' counters, the failures, and the notices the database got since the cycle began."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for field, n in server.hgetall(keys.counts(cycle)).items():
        site, name = field.decode().rsplit("\t", 1)
        counts[site][name] = int(n)
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for raw in server.lrange(keys.failures(cycle), 0, -1):
        failure = json.loads(raw)
        failures[failure.pop("site") or ""].append(failure)
    results = []
    for r in rules:
        name = r.name or ""
        c = {**counts.get(name, {}), **seeded.get(name, {})}
        found = c.pop("notices", 0)
        new, new_versions = _stored_since(store, r.url_prefixes(), started)
        c.update(notices_new=new, notices_new_version=new_versions,
                 notices_unchanged=max(0, found - new - new_versions))
        c["requests"] = sum(v for k, v in c.items() if k.startswith(("fetched_", "failed_")))
        failed = failures.get(name, [])
        status = "failed" if not c.get("fetched_list") else ("partial" if failed else "ok")
        results.append(SiteResult(name, status, c, failed, {"cycle": cycle}))
    return CrawlSummary(results)


def _stored_since(store: Any, prefixes: list[str], since: datetime) -> tuple[int, int]:
    """Notices (first versions, later versions) stored under these URL prefixes since ``since``."""
    from storage.models import ReportRow

    def like(prefix: str) -> str:
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    with Session(store.engine) as session:
        rows = list(session.execute(
            select(ReportRow.version, func.count()).where(
                ReportRow.created_at >= since,
                or_(*[ReportRow.source_url.like(like(p), escape="\\") for p in prefixes]))
            .group_by(ReportRow.version)))
    return sum(n for v, n in rows if v == 1), sum(n for v, n in rows if v != 1)
