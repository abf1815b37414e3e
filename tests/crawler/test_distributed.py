"""Distributed crawling: real redis-server, real PostgreSQL, worker processes and the bundled sample site.

Redis: ``RECTRACK_TEST_REDIS_URL`` (``.ci/run`` starts one), else a redis-server started here on a
free port. Without either the tests are skipped locally, and fail when ``CI`` is set. Every test uses
its own key prefix (``RECTRACK_REDIS_PREFIX``), so tests never see each other's queues.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.config import SiteConfig
from crawler.distributed import Keys
from crawler.distributed.middleware import RedisPolitenessMiddleware
from crawler.distributed.queue import CLAIM, FULL, HostQueue, pending, recover_dead_workers
from crawler.samplesite import SampleSite
from crawler.siterules import SiteRules
from storage.models import CrawlRun, Fetch, ReportRow
from storage.repository import open_store
from tests.storage.conftest import pg_url  # noqa: F401  (a fresh PostgreSQL database per test)

ROOT = Path(__file__).resolve().parents[2]
REDIS_ENV = "RECTRACK_TEST_REDIS_URL"


# ---- fixtures: Redis, a key prefix per test, the sample site's config --------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``$RECTRACK_TEST_REDIS_URL``, else a redis-server of our own on 127.0.0.1."""
    import redis

    url = os.environ.get(REDIS_ENV, "").strip()
    if url:
        yield url
        return
    binary = shutil.which("redis-server") or next((p for p in ("/usr/bin/redis-server",) if os.access(p, os.X_OK)),
                                                  None)
    if binary is None:
        message = f"{REDIS_ENV} is not set and redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    port, folder = _free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail(f"redis-server did not answer on {url}", pytrace=False)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def keys(redis_url: str) -> Iterator[Keys]:
    """A fresh key prefix; its keys are deleted afterwards."""
    import redis

    prefix = f"rt-test-{uuid.uuid4().hex[:8]}"
    yield Keys(prefix)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def server(redis_url: str) -> Any:
    import redis

    return redis.Redis.from_url(redis_url)


def write_config(folder: Path, site: SampleSite, *, delay: float) -> Path:
    (folder / "sites").mkdir(parents=True)
    urls = "\n".join(f"  - {u}" for u in site.list_urls.values())
    (folder / "sites" / "sample.yaml").write_text(
        f"name: sample\ntitle: 示例站\nstart_urls:\n{urls}\n"
        f"politeness:\n  download_delay: {delay}\n  concurrency: 4\n  obey_robots: true\n", encoding="utf-8")
    return folder


class Worker:
    """``rectrack worker`` in a process group of its own (its parse pool and database writer included)."""

    def __init__(self, db: str, redis_url: str, keys: Keys, config: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, "RECTRACK_REDIS_PREFIX": keys.prefix}
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "rectrack.cli", "--db", db, "worker", "--redis", redis_url,
                 "--config", str(config)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def worker_id(self, server: Any, keys: Keys) -> str | None:
        return next((w.decode() for w in server.smembers(keys.workers) if f"-{self.proc.pid}-" in w.decode()), None)

    def kill(self) -> None:
        """SIGKILL, to the whole process group: a machine that dies."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int | None:
        """SIGTERM (graceful), then make sure nothing of it is left."""
        code = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(60)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        return code


def wait_for(condition: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


def seed(db: str, redis_url: str, keys: Keys, config: Path, *extra: str, background: bool = False) -> Any:
    """``rectrack crawl --redis URL --site sample``: the seeder, which waits until the workers are done."""
    args = [sys.executable, "-m", "rectrack.cli", "--db", db, "crawl", "--redis", redis_url, "--config", str(config),
            "--site", "sample", *extra]
    env = {**os.environ, "RECTRACK_REDIS_PREFIX": keys.prefix}
    if background:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=150, check=False)


def stored(db: str) -> list[str]:
    with open_store(db) as store, Session(store.engine) as session:
        return list(session.scalars(select(ReportRow.source_url)))


def fetching_runs(db: str) -> int:
    with open_store(db) as store, Session(store.engine) as session:
        return session.scalar(select(func.count(func.distinct(Fetch.crawl_run_id)))
                              .where(Fetch.kind != "list")) or 0


def logs(workers: list[Worker]) -> str:
    return "\n".join(w.log.read_text(errors="replace")[-3000:] for w in workers)


# ---- the acceptance tests ------------------------------------------------------------------------------

def test_two_workers_and_a_seeder_store_every_notice_once(tmp_path: Path, pg_url: str, redis_url: str,  # noqa: F811
                                                          keys: Keys, server: Any) -> None:
    with SampleSite(scale=40) as site:
        config = write_config(tmp_path / "config", site, delay=0.05)
        workers = [Worker(pg_url, redis_url, keys, config, tmp_path / f"worker{i}.log") for i in (1, 2)]
        try:
            wait_for(lambda: all(w.worker_id(server, keys) for w in workers), "two workers")
            done = seed(pg_url, redis_url, keys, config)
            assert done.returncode == 0, done.stderr + logs(workers)
            n = len(site.notice_urls)
            assert re.match(rf"sample: ok — \d+ list pages, {n + 2} pages; notices: {n} new,", done.stdout), done.stdout
            urls = stored(pg_url)
            assert set(urls) == site.notice_urls and len(urls) == n
            assert fetching_runs(pg_url) == 2  # both workers downloaded pages

            # a whole cycle (`rectrack run` with RECTRACK_REDIS_URL set): seeded, crawled by the workers, then
            # tracked once; the duplicate filter must not block the new cycle's list pages
            env = {**os.environ, "RECTRACK_REDIS_URL": redis_url, "RECTRACK_REDIS_PREFIX": keys.prefix}
            again = subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", pg_url, "run", "--config",
                                    str(config), "--no-notify", "--out", str(tmp_path / "alerts.html")], cwd=ROOT,
                                   env=env, capture_output=True, text=True, timeout=150, check=False)
            assert again.returncode == 0, again.stderr + logs(workers)
            assert "crawled 1 site(s): 1 ok; 0 new notice(s)" in again.stdout and "tracked" in again.stdout
            with open_store(pg_url) as store, Session(store.engine) as session:
                run = session.scalars(select(CrawlRun).where(CrawlRun.site == "sample").order_by(CrawlRun.id.desc())
                                      ).first()
            assert run is not None and run.status == "ok" and run.counts["fetched_list"] == len(site.list_urls)
            assert sorted(stored(pg_url)) == sorted(urls)
        finally:
            codes = [w.stop() for w in workers]
    assert codes == [0, 0], logs(workers)
    assert "Traceback" not in logs(workers)
    assert not list(server.scan_iter(f"{keys.prefix}:claims:*")) and server.scard(keys.workers) == 0


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path: Path, pg_url: str, redis_url: str,  # noqa: F811
                                                 keys: Keys, server: Any) -> None:
    with SampleSite(scale=40) as site:
        config = write_config(tmp_path / "config", site, delay=0.1)
        first, second = (Worker(pg_url, redis_url, keys, config, tmp_path / f"worker{i}.log") for i in (1, 2))
        workers = [first, second]
        try:
            victim = wait_for(lambda: first.worker_id(server, keys), "the first worker")
            wait_for(lambda: second.worker_id(server, keys), "the second worker")
            seeder = seed(pg_url, redis_url, keys, config, background=True)
            # kill it while it holds requests, once notices are being stored
            wait_for(lambda: server.hlen(keys.claims(victim)) > 0 and len(stored(pg_url)) >= 3,
                     "the first worker to hold requests", timeout=90)
            first.kill()
            assert len(stored(pg_url)) < len(site.notice_urls), "the crawl ended before the kill: nothing tested"
            workers.append(Worker(pg_url, redis_url, keys, config, tmp_path / "worker1-restarted.log"))
            out, err = seeder.communicate(timeout=150)
            assert seeder.returncode == 0, err + logs(workers)
            assert out.startswith("sample: ok"), out
            urls = stored(pg_url)
            assert set(urls) == site.notice_urls and len(urls) == len(site.notice_urls)
            assert not server.exists(keys.claims(victim))  # its claims went back to the queue
        finally:
            for w in workers[1:]:
                w.stop()


# ---- the parts -------------------------------------------------------------------------------------------

def _stub_spider(keys: Keys, delays: dict[str, float]) -> Any:
    return SimpleNamespace(name="notices", keys=keys, worker_id="w1", settings=Settings({"DOWNLOAD_DELAY_JITTER": 0}),
                           delay_for=lambda r: delays.get(r.url.split("/")[2], 0.0))


def test_host_queue_serves_hosts_in_turn_paces_each_and_recovers_claims(keys: Keys, server: Any) -> None:
    spider = _stub_spider(keys, {"slow.example": 600.0})
    queue = HostQueue(server, spider, keys.hosts)
    for url in ("http://slow.example/1", "http://slow.example/2", "http://fast.example/1", "http://fast.example/2"):
        queue.push(Request(url, meta={"kind": "list"}))
    assert len(queue) == 4
    popped = [queue.pop() for _ in range(4)]
    urls = [r.url if r is not None else None for r in popped]
    # both hosts are served (the fast one has no delay, so its two may come first when due at the same
    # instant); the slow host's second request waits its ten minutes
    assert sorted(urls[:3]) == ["http://fast.example/1", "http://fast.example/2", "http://slow.example/1"]
    assert urls.index("http://fast.example/1") < urls.index("http://fast.example/2")
    assert urls[3] is None and queue.wait_ms is not None and queue.wait_ms > 500_000
    assert all(CLAIM in r.meta for r in popped[:3])  # type: ignore[union-attr]
    assert server.hlen(keys.claims("w1")) == 3

    server.sadd(keys.workers, "w1")  # registered, but no heartbeat: dead
    assert recover_dead_workers(server, keys) == 3
    assert server.hlen(keys.claims("w1")) == 0 and pending(server, keys) == 4
    again = queue.pop()
    assert again is not None and again.meta.get(FULL) is True  # a recovered list page is read in full


def test_politeness_slot_is_shared_per_host(keys: Keys, redis_url: str) -> None:
    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings()))
    spider = SimpleNamespace(keys=keys, worker_id="w1", delay_for=lambda r: 0.4)
    crawler = SimpleNamespace(settings=Settings({"DOWNLOAD_DELAY_JITTER": 0.5, "REDIS_URL": redis_url}),
                              spider=spider, stats=stats)
    # two "workers" (middlewares with their own Redis clients) ask for the same host at once
    first, second = RedisPolitenessMiddleware(crawler), RedisPolitenessMiddleware(crawler)  # type: ignore[arg-type]

    async def both() -> None:
        await asyncio.gather(first.process_request(Request("http://a.example/1")),
                             second.process_request(Request("http://a.example/2")))
        await first.process_request(Request("http://b.example/1"))  # another host: no wait

    asyncio.run(both())
    assert stats.get_value("rectrack/politeness_waits") == 1


def test_site_rules_travel_as_json() -> None:
    site = SiteConfig.model_validate({"name": "s", "title": "S", "start_urls": ["http://a.example/list.html"],
                                      "link_pattern": r"/t\d+", "max_pages": 3,
                                      "politeness": {"download_delay": 5, "concurrency": 2}})
    rules = SiteRules.for_crawl(site, list(site.start_urls), cycle="c1")
    copy = SiteRules.from_json(rules.to_json())
    assert copy == rules and copy.download_delay == 5 and copy.concurrency == 2 and copy.cycle == "c1"
    assert copy.is_notice_link("http://a.example/t123.html", "关于巡察整改进展情况的通报")
    assert not copy.is_notice_link("http://a.example/x.html", "关于巡察整改进展情况的通报")
    assert copy.allows_host("www.a.example") and not copy.allows_host("b.example")


@pytest.mark.parametrize(("args", "message"), [
    (("worker",), "error: no Redis server: pass --redis URL"),
    (("worker", "--redis", "http://127.0.0.1:6379"), "error: invalid Redis URL 'http://127.0.0.1:6379'"),
    (("worker", "--redis", "redis://127.0.0.1:9/0"), "error: cannot connect to Redis at redis://127.0.0.1:9/0"),
    (("crawl", "--distributed", "--start-url", "http://127.0.0.1:9/x", "--allow-private"),
     "error: no Redis server: pass --redis URL"),
    (("crawl", "--redis", "redis://127.0.0.1:9/0", "--start-url", "http://127.0.0.1:9/x", "--allow-private"),
     "error: cannot connect to Redis at redis://127.0.0.1:9/0"),
])
def test_redis_mistakes_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RECTRACK_REDIS_URL"}
    done = subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", str(tmp_path / "r.db"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr


def test_seeds_are_json_with_the_site_name(keys: Keys, server: Any, tmp_path: Path, redis_url: str) -> None:
    """A cycle without workers gives up with one line, and leaves its seeds queued as readable JSON."""
    from crawler.distributed import DistributedError, seeder

    site = SiteConfig.model_validate({"name": "s", "title": "S", "start_urls": ["http://a.example/list.html"]})
    saved = seeder.NO_WORKER_SECONDS
    seeder.NO_WORKER_SECONDS = 0.5
    try:
        with pytest.raises(DistributedError, match="no rectrack worker"):
            seeder.run_cycle(f"sqlite:///{tmp_path / 'r.db'}", redis_url, [site], [], prefix=keys.prefix)
    finally:
        seeder.NO_WORKER_SECONDS = saved
    (raw,) = server.lrange(keys.seeds, 0, -1)
    seed_ = json.loads(raw)
    assert seed_["site"] == "s" and seed_["url"] == "http://a.example/list.html" and seed_["kind"] == "list"
    assert SiteRules.from_json(server.hget(keys.sites, "s")).cycle == seed_["cycle"]
    assert not server.exists(keys.seeder_lock)


# ---- a page whose notice is in two attachments, its requests serialized apart ------------------------

def test_a_page_with_two_attachments_is_logged_once_when_its_requests_travel_apart(tmp_path: Path) -> None:
    """In a distributed crawl each request goes through Redis on its own (pickled): the page must still be
    logged once, with its first attachment, not once per attachment."""
    import pickle

    from scrapy.http import HtmlResponse
    from scrapy.utils.request import request_from_dict
    from scrapy.utils.test import get_crawler

    from crawler.items import PageItem
    from crawler.spiders.notices import NoticeSpider

    crawler = get_crawler(NoticeSpider, {"RECTRACK_PARSE_WORKERS": 0, "RECTRACK_DB": f"sqlite:///{tmp_path / 'db'}"})
    spider = NoticeSpider.from_crawler(crawler, start_url="http://127.0.0.1:9/list.html")
    page_url = "http://127.0.0.1:9/t1.html"
    page = ("<html><head><title>巡察整改进展情况的通报</title></head><body><h1>巡察整改进展情况的通报</h1>"
            "<div>详见附件:<a href='a.docx'>附件1</a> <a href='b.pdf'>附件2</a></div></body></html>").encode()

    async def outputs(response: Any) -> list[Any]:
        return [out async for out in spider.parse_detail(response)]

    first = Request(page_url, meta={"kind": "detail", "rectrack_site": spider.site_name})
    requests = asyncio.run(outputs(HtmlResponse(page_url, body=page, request=first)))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["a.docx", "b.pdf"]
    samples = ROOT / "crawler" / "samples"
    files = {"a.docx": samples / "zhengxiang_2024.docx", "b.pdf": samples / "yicheng_2024.pdf"}
    items: list[PageItem] = []
    for request in requests:
        request = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
        body = files[request.url.rsplit("/", 1)[1]].read_bytes()
        response = HtmlResponse(request.url, body=body, request=request)  # only its bytes are read
        items.extend(out for out in asyncio.run(outputs(response)) if isinstance(out, PageItem))
    assert [item.url for item in items].count(page_url) == 1
    assert {item.url for item in items if item.kind == "attachment"} == {r.url for r in requests}
