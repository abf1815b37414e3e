"""The shared request queue: one Redis queue per host, claims, and the recovery of dead workers' claims.

:class:`HostQueue` (a scrapy-redis queue class) keeps one sorted set of requests per host and a
sorted set of hosts scored by the time each may be served next. Popping takes the request of the
ready host that waited longest and moves that host's time on by its delay (jittered): hosts are
served round-robin, none faster than its site's ``download_delay`` however many workers pop, and no
worker holds requests that merely wait for a busy host.

Popping also *claims* the request in the same Lua script: it is copied into the worker's claims hash
under a new token (``meta["rectrack_claim"]``). The claim is released once the request's results are
stored (:class:`Claims`), or at once when the request goes back to the queue (a retry, a redirect).
A dead worker's claims are pushed back by :func:`recover_dead_workers`, list pages marked to be read
in full (their links may be half followed).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from typing import Any

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis import picklecompat
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from . import Keys

log = logging.getLogger(__name__)

#: Request meta keys: the claim token of a popped request; "read this list page in full".
CLAIM = "rectrack_claim"
FULL = "rectrack_full"

# Queue a request. KEYS: hosts, host queue, next, delay. ARGV: host, score, data, delay ms (-1: keep the known one).
_PUSH_BODY = """
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
local delay = tonumber(ARGV[4])
if delay >= 0 and delay > tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '-1') then
  redis.call('HSET', KEYS[4], ARGV[1], delay)
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local nxt = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
  redis.call('ZADD', KEYS[1], math.max(now, nxt), ARGV[1])
end
return 1
"""
_PUSH = _PUSH_BODY

# Queue a request unless the duplicate filter has seen it: KEYS, ARGV as _PUSH, then the filter's set and the
# request's fingerprint ('' for a request not to be filtered). One round trip: returns 0 for a duplicate.
_ENQUEUE = """
if ARGV[5] ~= '' and redis.call('SADD', KEYS[5], ARGV[5]) == 0 then return 0 end
""" + _PUSH_BODY

# Move a claim back: KEYS as _PUSH, then claims, seeds; ARGV as _PUSH, then token, kind ('r' request, 's' seed).
# Only the one that deletes the claim pushes it, so two recoveries never requeue it twice.
_MOVE = """
if redis.call('HDEL', KEYS[5], ARGV[5]) == 0 then return 0 end
if ARGV[6] == 's' then
  redis.call('RPUSH', KEYS[6], ARGV[3])
  return 1
end
""" + _PUSH_BODY

# KEYS: hosts, next, delay, claims, claim counter. ARGV: host-queue key prefix, jitter factor.
# Returns {'ok', token, host, score, data}, {'wait', ms} or {'empty'}.
_POP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ready = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #ready == 0 then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return {'empty'} end
  return {'wait', tostring(tonumber(first[2]) - now)}
end
local host = ready[1]
local qkey = ARGV[1] .. host
local item = redis.call('ZRANGE', qkey, 0, 0, 'WITHSCORES')
if #item == 0 then
  redis.call('ZREM', KEYS[1], host)
  return {'wait', '0'}
end
redis.call('ZREMRANGEBYRANK', qkey, 0, 0)
local delay = tonumber(redis.call('HGET', KEYS[3], host) or '0')
local nxt = now + math.floor(delay * tonumber(ARGV[2]))
redis.call('HSET', KEYS[2], host, nxt)
if redis.call('ZCARD', qkey) > 0 then
  redis.call('ZADD', KEYS[1], nxt, host)
else
  redis.call('ZREM', KEYS[1], host)
end
local token = tostring(redis.call('INCR', KEYS[5]))
redis.call('HSET', KEYS[4], token, 'r' .. host .. '\\n' .. item[2] .. '\\n' .. item[1])
return {'ok', token, host, item[2], item[1]}
"""


def push_raw(server: Any, keys: Keys, host: str, score: float | str, data: bytes, delay_ms: int = -1) -> None:
    """Queue one serialized request for ``host`` (``delay_ms``: the host's delay; -1 keeps the known one)."""
    server.register_script(_PUSH)(keys=[keys.hosts, keys.host_queue(host), keys.host_next, keys.host_delay],
                                  args=[host, score, data, int(delay_ms)])


def pending(server: Any, keys: Keys) -> int:
    """Requests queued over all hosts (seeds not counted)."""
    hosts = [h.decode() if isinstance(h, bytes) else h for h in server.zrange(keys.hosts, 0, -1)]
    if not hosts:
        return 0
    pipe = server.pipeline(transaction=False)
    for host in hosts:
        pipe.zcard(keys.host_queue(host))
    return sum(pipe.execute())


class HostQueue(Base):
    """scrapy-redis queue class: per-host queues served round-robin at each host's pace, with claims."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys: Keys = spider.keys
        self.worker: str = spider.worker_id
        self.jitter = max(0.0, min(1.0, spider.settings.getfloat("DOWNLOAD_DELAY_JITTER", 0.5)))
        self._pop = server.register_script(_POP)
        self._enqueue = server.register_script(_ENQUEUE)
        #: After a pop found every host waiting: milliseconds until the first one is ready.
        self.wait_ms: int | None = None

    def __len__(self) -> int:
        return pending(self.server, self.keys)

    def push(self, request: Request, *, fingerprint: str = "", dupefilter: str = "") -> bool:
        """Queue ``request`` for its host; with a ``fingerprint``, only when the ``dupefilter`` set lacks it."""
        host = urlparse_cached(request).hostname or ""
        delay = self.spider.delay_for(request)
        keys = [self.keys.hosts, self.keys.host_queue(host), self.keys.host_next, self.keys.host_delay,
                dupefilter or self.keys.dupefilter]
        return bool(self._enqueue(keys=keys, args=[host, -request.priority, self._encode_request(request),
                                                   round(delay * 1000), fingerprint]))

    def _encode_request(self, request: Request) -> bytes:
        """As scrapy-redis does (``Request.to_dict``), but naming the spider's callbacks without ``inspect``."""
        callbacks = (request.callback, request.errback)
        if not all(f is None or getattr(f, "__self__", None) is self.spider for f in callbacks):
            return super()._encode_request(request)
        data = {"url": request.url, "headers": dict(request.headers),
                "callback": request.callback.__name__ if request.callback else None,
                "errback": request.errback.__name__ if request.errback else None}
        for attr in request.attributes:
            data.setdefault(attr, getattr(request, attr))
        if type(request) is not Request:
            data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
        return self.serializer.dumps(data)

    def pop(self, timeout: int = 0) -> Request | None:
        factor = random.uniform(1 - self.jitter, 1 + self.jitter)
        result = self._pop(keys=[self.keys.hosts, self.keys.host_next, self.keys.host_delay,
                                 self.keys.claims(self.worker), self.keys.claim_seq],
                           args=[self.keys.host_queue(""), factor])
        state = result[0].decode()
        self.wait_ms = int(result[1]) if state == "wait" else None
        if state != "ok":
            return None
        request = self._decode_request(result[4])
        request.meta[CLAIM] = result[1].decode()
        return request

    def clear(self) -> None:
        for host in self.server.zrange(self.keys.hosts, 0, -1):
            self.server.delete(self.keys.host_queue(host.decode()))
        self.server.delete(self.keys.hosts)


class ClaimingScheduler(Scheduler):
    """scrapy-redis's Scheduler (RFPDupeFilter, persistent queue) on a :class:`HostQueue`.

    A claimed request that comes back (a retry, a redirect) releases its claim: the new queue entry
    carries the work on. When every host waits for its delay, the engine is woken when the first is ready.
    """

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClaimingScheduler:
        scheduler = cls.from_settings(crawler.settings)
        scheduler.counters = crawler.stats  # counted here: scrapy-redis passes a deprecated spider argument
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        """scrapy-redis's enqueue (RFPDupeFilter's fingerprint and set), the check and the push in one script."""
        token = request.meta.pop(CLAIM, None)
        try:
            fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
            if not self.queue.push(request, fingerprint=fingerprint, dupefilter=self.df.key):
                self.df.log(request, self.spider)
                return False
            self.counters.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            if token is not None:
                self.spider.claims.release(token)

    def next_request(self) -> Request | None:
        import redis

        try:
            request = super().next_request()
        except redis.RedisError as exc:  # Redis away for a moment: the engine asks again at its next heartbeat
            log.warning("cannot take a request from Redis: %s", exc)
            return None
        if request is not None:
            self.counters.inc_value("scheduler/dequeued/redis")
        wait = getattr(self.queue, "wait_ms", None)
        if request is None and wait is not None:
            slot = getattr(getattr(self.spider.crawler, "engine", None), "_slot", None)
            if slot is not None:  # wake the engine when the first host is ready (else its heartbeat does)
                slot.nextcall.schedule(max(wait, 10) / 1000)
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.server.exists(self.spider.keys.hosts))


class Claims:
    """One worker's claims: released when their results are stored, given back when the worker stops."""

    #: Seconds after its callback ended before a claim may be released (when no write is pending).
    SETTLE = 2.0
    #: A claim whose callback ended this long ago is released even while writes are still pending.
    MAX_AGE = 60.0

    def __init__(self, server: Any, keys: Keys, worker: str) -> None:
        self.server, self.keys, self.worker = server, keys, worker
        self._finished: list[tuple[float, str]] = []

    def finished(self, meta: dict[str, Any]) -> None:
        """The callback (or errback) of a claimed request has ended: its results are on their way to the store."""
        token = meta.get(CLAIM)
        if token is not None:
            self._finished.append((time.monotonic(), token))

    def release(self, *tokens: str) -> None:
        if tokens:
            self.server.hdel(self.keys.claims(self.worker), *tokens)

    def prune(self, writes_pending: int) -> int:
        """Release finished claims whose results are written: all of those finished SETTLE seconds ago when
        nothing is waiting to be written now, else only those older than MAX_AGE. How many were released."""
        now = time.monotonic()
        limit = now - (self.SETTLE if writes_pending == 0 else self.MAX_AGE)
        done = [token for when, token in self._finished if when <= limit]
        if done:
            self._finished = [(when, token) for when, token in self._finished if when > limit]
            for start in range(0, len(done), 500):
                self.release(*done[start:start + 500])
        return len(done)

    def count(self) -> int:
        return int(self.server.hlen(self.keys.claims(self.worker)))

    def give_back(self) -> int:
        """At a clean stop, when every result is written: release the finished claims, requeue the others."""
        self.release(*[token for _, token in self._finished])
        self._finished.clear()
        return requeue_claims(self.server, self.keys, self.worker)


def requeue_claims(server: Any, keys: Keys, worker: str) -> int:
    """Push a worker's claims back to the queue (requests) or the seeds; the number requeued.

    The claims hash is first renamed to a pseudo-worker's (registered, never alive), so that a recovery
    that dies half-way is finished by the next one.
    """
    orphan = f"{worker}~{uuid.uuid4().hex[:8]}" if "~" not in worker else worker
    if orphan != worker:
        server.sadd(keys.workers, orphan)
        try:
            server.rename(keys.claims(worker), keys.claims(orphan))
        except Exception:  # noqa: BLE001 - no such key: nothing claimed
            server.srem(keys.workers, orphan)
            return 0
    entries = server.hgetall(keys.claims(orphan))
    moved = sum(_requeue(server, keys, orphan, token, value) for token, value in entries.items())
    server.srem(keys.workers, orphan)
    return moved


def _requeue(server: Any, keys: Keys, worker: str, token: bytes, value: bytes) -> int:
    claims = keys.claims(worker)
    if value[:1] == b"s":
        return int(server.register_script(_MOVE)(keys=["", "", "", "", claims, keys.seeds],
                                                 args=["", "", value[1:], -1, token, "s"]))
    host, score, data = value[1:].split(b"\n", 2)
    request = picklecompat.loads(data)
    meta = request.get("meta") or {}
    meta.pop(CLAIM, None)
    if meta.get("kind") == "list":  # its links may be half followed: read it in full once
        meta[FULL] = True
    request["meta"] = meta
    name = host.decode()
    return int(server.register_script(_MOVE)(
        keys=[keys.hosts, keys.host_queue(name), keys.host_next, keys.host_delay, claims, keys.seeds],
        args=[name, score, picklecompat.dumps(request), -1, token, "r"]))


def recover_dead_workers(server: Any, keys: Keys) -> int:
    """Requeue the claims of every registered worker whose heartbeat expired; the number of requests requeued."""
    requeued = 0
    for raw in server.smembers(keys.workers):
        worker = raw.decode()
        if server.exists(keys.alive(worker)):
            continue
        count = requeue_claims(server, keys, worker)
        server.srem(keys.workers, worker)
        if count:
            log.warning("worker %s stopped answering: %d claimed request(s) requeued", worker, count)
        requeued += count
    return requeued
