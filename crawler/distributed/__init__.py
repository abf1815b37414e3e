"""Distributed crawling: any number of workers on any number of machines share one crawl through Redis.

Processes (see docs/deployment.md for the whole picture):

* **workers** (``rectrack worker``, :mod:`.worker`) run one long-lived Scrapy crawler each. Requests
  come from Redis (scrapy-redis's Scheduler and RFPDupeFilter, with :class:`.queue.HostQueue`: one
  queue per host, handed out round-robin and no faster than the host's delay), results go to the one
  database through the usual item pipeline.
* **the seeder** (``rectrack crawl --distributed``, or a cycle's crawl step when ``RECTRACK_REDIS_URL``
  is set; :mod:`.seeder`) publishes the sites' rules, pushes their start URLs as JSON seeds, waits
  until the queue is empty and no worker holds a request, and summarises the cycle.

Crash safety: a worker *claims* every request it takes (atomically, in the same Redis script) and
releases the claim once the request's results are written. A worker that stops heart-beating is dead:
its claims go back to the queue (:func:`.queue.recover_dead_workers`).

Redis must be private to rectrack's machines: requests travel as pickles (scrapy-redis's default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

#: The Redis server of a distributed deployment; setting it makes cycles (``rectrack run``, the scheduler) seed.
REDIS_URL_ENV = "RECTRACK_REDIS_URL"
#: Namespace of every key (several deployments can share a Redis server with different prefixes).
PREFIX_ENV = "RECTRACK_REDIS_PREFIX"
DEFAULT_PREFIX = "rectrack"

#: A worker refreshes its heartbeat this often, and is dead when it has not for WORKER_TTL seconds.
HEARTBEAT_SECONDS = 2.0
WORKER_TTL_SECONDS = 10.0


class DistributedError(RuntimeError):
    """Redis is unreachable or misconfigured, or a cycle cannot run; the message is one line for the user."""


@dataclass(frozen=True)
class Keys:
    """Every Redis key of one deployment (``prefix``)."""

    prefix: str = DEFAULT_PREFIX

    @property
    def hosts(self) -> str:          # zset: host with queued requests → when it may be served next (ms)
        return f"{self.prefix}:hosts"

    def host_queue(self, host: str) -> str:  # zset per host: serialized request → -priority
        return f"{self.prefix}:queue:{host}"

    @property
    def host_next(self) -> str:      # hash: host → earliest time (ms) of its next request
        return f"{self.prefix}:next"

    @property
    def host_delay(self) -> str:     # hash: host → delay (ms) between its requests
        return f"{self.prefix}:delay"

    @property
    def slots(self) -> str:          # key prefix of the download-time politeness slots (SET NX PX)
        return f"{self.prefix}:slot:"

    @property
    def dupefilter(self) -> str:     # set: request fingerprints seen this cycle
        return f"{self.prefix}:dupefilter"

    @property
    def seeds(self) -> str:          # list: JSON seeds (start URLs, re-checks) for the workers
        return f"{self.prefix}:seeds"

    @property
    def sites(self) -> str:          # hash: site name → SiteRules JSON (published by the seeder)
        return f"{self.prefix}:sites"

    @property
    def cycle(self) -> str:          # hash: id, started (the current cycle)
        return f"{self.prefix}:cycle"

    @property
    def seeder_lock(self) -> str:    # string with expiry: the seeder running a cycle
        return f"{self.prefix}:seeder"

    @property
    def workers(self) -> str:        # set: ids of registered workers
        return f"{self.prefix}:workers"

    def alive(self, worker: str) -> str:   # string with expiry: a worker's heartbeat (JSON: host, pid, …)
        return f"{self.prefix}:alive:{worker}"

    def claims(self, worker: str) -> str:  # hash: token → claimed request or seed, until its results are stored
        return f"{self.prefix}:claims:{worker}"

    @property
    def claim_seq(self) -> str:      # counter: claim tokens
        return f"{self.prefix}:claimseq"

    def counts(self, cycle: str) -> str:    # hash: "site\tcounter" → n
        return f"{self.prefix}:counts:{cycle}"

    def failures(self, cycle: str) -> str:  # list: JSON failures of the cycle
        return f"{self.prefix}:failures:{cycle}"


def redis_url(explicit: str | None = None) -> str | None:
    """The Redis URL: ``explicit``, else ``$RECTRACK_REDIS_URL``, else None (single-process mode)."""
    return (explicit or os.environ.get(REDIS_URL_ENV, "")).strip() or None


def prefix(explicit: str | None = None) -> str:
    return (explicit or os.environ.get(PREFIX_ENV, "")).strip() or DEFAULT_PREFIX


def connect(url: str) -> Any:
    """A Redis client for ``url``, checked with a PING; :class:`DistributedError` says what is wrong."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)
    except ValueError as exc:
        raise DistributedError(f"invalid Redis URL {url!r} ({exc}); expected e.g. redis://host:6379/0") from None
    try:
        client.ping()
    except redis.RedisError as exc:
        raise DistributedError(f"cannot connect to Redis at {_safe(url)}: {_reason(exc)}") from None
    return client


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".")


def _safe(url: str) -> str:
    """``url`` without its password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url
