"""Distributed crawl speed: pages/s with 1, 2 and 4 workers on the bundled sample site.

Every run gets a fresh PostgreSQL database (on the server of ``--pg``, default ``$RECTRACK_TEST_PG_URL``)
and a fresh Redis key prefix (``--redis``, default: a redis-server started here). The workers are
started and registered before the clock starts; the seeder (``crawl --distributed``'s ``run_cycle``)
then seeds the sample site's four list columns, read in full. Politeness is off (no delay, no
robots.txt, 16 requests at a time per worker), as in ``bench/crawl.py``.

Prints, per worker count: pages downloaded, seconds from seeding to the last page stored, pages/s, and
the cycle's wall time (which adds the seeder's quiet period and the workers' heartbeat).

``--polite-sites K --delay D`` instead serves K copies of the site on 127.0.0.2… (K hosts), each to be
crawled with D seconds between requests: one worker should then reach about K / D pages/s.

Usage: ``python bench/distributed.py [--articles 1000] [--workers 1,2,4]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from crawler.config import SiteConfig  # noqa: E402
from crawler.distributed import Keys, connect  # noqa: E402
from crawler.runner import IMPOLITE  # noqa: E402
from crawler.samplesite import SampleSite  # noqa: E402

QUIET = {**IMPOLITE, "LOG_LEVEL": "ERROR", "RETRY_TIMES": 0}


def _worker(db_url: str, redis_url: str, prefix: str, overrides: dict[str, Any]) -> None:
    from crawler.distributed.worker import run_worker

    run_worker(db_url, redis_url, keys=Keys(prefix), overrides=overrides)


def _redis_server(stack: ExitStack) -> str:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="rectrack-bench-redis-"))
    server = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", folder, "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    stack.callback(server.wait, 10)
    stack.callback(server.terminate)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            connect(url)
            return url
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    raise SystemExit(f"redis-server did not start on {url}")


def _fresh_database(server_url: str, stack: ExitStack) -> str:
    name = f"rectrack_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    stack.callback(drop)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _pages_and_last_fetch(db_url: str) -> tuple[int, float]:
    from storage.models import Fetch
    from storage.repository import open_store

    with open_store(db_url) as store, Session(store.engine) as session:
        count, last = session.execute(select(func.count(), func.max(Fetch.fetched_at))).one()
    return int(count), last.timestamp() if last is not None else time.time()


def run(workers: int, sites: list[SiteConfig], pg_server: str, redis_url: str, overrides: dict[str, Any]
        ) -> dict[str, float]:
    """One measurement: ``workers`` worker processes crawl ``sites`` into a fresh database."""
    from crawler.distributed.seeder import progress, run_cycle

    context = multiprocessing.get_context("spawn")
    with ExitStack() as stack:
        db_url = _fresh_database(pg_server, stack)
        keys = Keys(f"bench-{uuid.uuid4().hex[:8]}")
        server = connect(redis_url)
        stack.callback(lambda: [server.delete(k) for k in server.scan_iter(f"{keys.prefix}:*")])
        procs = [context.Process(target=_worker, args=(db_url, redis_url, keys.prefix, overrides))
                 for _ in range(workers)]
        for proc in procs:
            proc.start()
            stack.callback(proc.join, 60)
            stack.callback(proc.terminate)  # SIGTERM: a graceful stop
        while progress(server, keys).workers < workers:
            time.sleep(0.2)
        started = time.time()
        summary = run_cycle(db_url, redis_url, sites, [], max_pages=10000, full=True, overrides=overrides,
                            prefix=keys.prefix)
        wall = time.time() - started
        pages, last = _pages_and_last_fetch(db_url)
        assert all(r.status == "ok" for r in summary.results), summary.results
    return {"pages": pages, "seconds": last - started, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="sample-site scale (notices added)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure, comma-separated")
    parser.add_argument("--pg", default=os.environ.get("RECTRACK_TEST_PG_URL"), help="PostgreSQL server URL")
    parser.add_argument("--redis", default=None, help="Redis URL (default: start a redis-server)")
    parser.add_argument("--polite-sites", type=int, default=0, help="K sites on K hosts, crawled politely")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between requests per host (--polite-sites)")
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("give a PostgreSQL server: --pg postgresql+psycopg://… or $RECTRACK_TEST_PG_URL")
    counts = [int(n) for n in args.workers.split(",")]
    with ExitStack() as stack:
        redis_url = args.redis or _redis_server(stack)
        if args.polite_sites:
            hosts = [f"127.0.0.{i + 2}" for i in range(args.polite_sites)]
            served = [stack.enter_context(SampleSite(scale=args.articles, host=h)) for h in hosts]
            overrides = {**QUIET, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
            overrides.pop("DOWNLOAD_DELAY")
            politeness = {"download_delay": args.delay, "concurrency": 1, "obey_robots": False}
            title = f"{len(served)} sites on {len(served)} hosts, {args.delay} s between requests per host"
        else:
            served = [stack.enter_context(SampleSite(scale=args.articles))]
            overrides, politeness = QUIET, {"download_delay": 0, "concurrency": 4, "obey_robots": False}
            title = "politeness off"
        sites = [SiteConfig.model_validate({"name": f"sample{i}", "title": "示例站", "max_pages": 10000,
                                            "start_urls": list(site.list_urls.values()), "politeness": politeness})
                 for i, site in enumerate(served)]
        notices = sum(len(site.notice_urls) for site in served)
        print(f"sample site: {notices} notices ({args.articles} added) on {len(served)} host(s); {title}; "
              f"{os.cpu_count()} CPU(s)")
        print(f"{'workers':>7} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'cycle s':>8}")
        for n in counts:
            result = run(n, sites, args.pg, redis_url, overrides)
            print(f"{n:>7} {result['pages']:>7} {result['seconds']:>8.1f} {result['pages'] / result['seconds']:>8.1f} "
                  f"{result['wall']:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
