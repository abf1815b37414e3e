"""Concurrency on one SQLite file: the scheduler's crawl, manual fetches, alerts and tracking at once.

``rectrack schedule`` runs a cycle job (crawl of the bundled sample site, tracking, alert report) on a SQLite
database where one notice was fetched by hand before. As soon as its crawl has started, several
``rectrack fetch URL`` store some of the same notices, ``rectrack alerts --format json`` and
``rectrack track --json`` run over and over, and another connection holds the database's write lock for
longer than pysqlite's default busy timeout (5 s), as a long import or migration would. Every command must
succeed without a "database is locked" anywhere in its output, the scheduler must go on scheduling and stop
cleanly, the JSON must parse, and the store must end consistent: every notice stored exactly once (the one
fetched by hand hides none of the older notices of its list), created by exactly one process, and
``integrity_check`` ok. (tests/storage/test_concurrency.py covers concurrent ``Store.ingest`` on SQLite and
PostgreSQL.)
"""

from __future__ import annotations

import json
import multiprocessing
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.test_crash import ROOT, finished_runs, integrity, kill_group, sample_site, start, write_config

CLI = [sys.executable, "-m", "rectrack.cli"]
#: Processes fetching notices by hand while the crawl runs, and the notices each fetches, one after the other
#: (neighbours share one: the same notice is stored by two fetches and the crawl at about the same time).
FETCHERS = 3
FETCHES_EACH = 2
#: ``alerts`` and ``track`` take turns until the cycle is done, each at least this often.
MIN_READS = 2
#: Longer than pysqlite's default busy timeout, shorter than rectrack's (30 s).
LOCK_SECONDS = 7.0
#: Rounds of processes creating one new SQLite database at the same moment: (CI, full); processes per round.
OPEN_ROUNDS = (1, 30)
OPENERS = 6


@dataclass
class Done:
    """One finished command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def command(self) -> str:
        return self.args[2]

    def __str__(self) -> str:
        return f"rectrack {' '.join(self.args[2:])} → {self.returncode}: {self.stderr.strip()[-500:]}"


def rectrack(db: Path, *args: str, timeout: float = 240) -> Done:
    argv = ["--db", str(db), *args]
    done = subprocess.run([*CLI, *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    return Done(argv, done.returncode, done.stdout, done.stderr)


def crawl_started(db: Path) -> bool:
    """Whether a crawl run has been recorded (its spider is open)."""
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.OperationalError:  # no tables yet
        return False


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_scheduled_crawl_fetches_alerts_track_and_a_long_lock_at_once(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    log = tmp_path / "schedule"
    schedule = ("timezone: UTC\nmisfire_grace_time: 60\njobs:\n  - name: cycle\n    kind: cycle\n    sites: all\n"
                f"    cron: '* * * * * *'\n    out: {tmp_path / 'alerts.html'}\n    notify: false\n")
    with sample_site(slow=False) as site:
        config = write_config(tmp_path / "config", site, schedule)
        notices = sorted(site.notice_urls)
        sites = len(site.list_urls)  # each column of the sample site is a site of its own
        # the notices in attachments and the two-page one first; fetcher i takes notices i and i+1 of these
        special = sorted(n.url for n in site.notices.values() if n.attachment_url) + [site.multipage_notice_url]
        pool = special + [url for url in notices if url not in special]
        chosen = [pool[i:i + FETCHES_EACH] for i in range(FETCHERS)]
        # a notice fetched by hand before: on the first TRS list page, whose older notices are on further pages
        newest = max((n for n in site.notices.values() if n.column == "trs"), key=lambda n: n.published).url
        before = rectrack(db, "fetch", newest, "--allow-private")
        assert before.returncode == 0, before.stderr
        scheduler = start(["--db", str(db), "schedule", "--config", str(config)], log)
        stderr = log.with_suffix(".err")
        cycle_done = threading.Event()
        try:
            wait_for(lambda: crawl_started(db), 120, "the scheduled crawl to start")

            def fetcher(index: int) -> list[Done]:
                return [rectrack(db, "fetch", url, "--allow-private", "--json") for url in chosen[index]]

            def reader() -> list[Done]:
                out: list[Done] = []
                while not cycle_done.is_set() or len(out) < 2 * MIN_READS:
                    out.append(rectrack(db, "alerts", "--format", "json", "--config", str(config)) if len(out) % 2
                               else rectrack(db, "track", "--json"))
                    time.sleep(0.3)
                return out

            def blocker() -> list[Done]:
                conn = sqlite3.connect(db, timeout=60, isolation_level=None)
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    time.sleep(LOCK_SECONDS)
                    conn.execute("COMMIT")
                finally:
                    conn.close()
                return []

            with ThreadPoolExecutor(FETCHERS + 2) as pool_:
                futures = [pool_.submit(blocker), pool_.submit(reader),
                           *(pool_.submit(fetcher, i) for i in range(FETCHERS))]
                wait_for(lambda: "job cycle finished" in stderr.read_text(errors="replace"), 240,
                         "the scheduled cycle to finish")
                scheduler.send_signal(signal.SIGTERM)  # before the next second's run starts, if it can
                cycle_done.set()
                results = [done for future in futures for done in future.result()]
            scheduler.wait(timeout=120)
        finally:
            kill_group(scheduler)
    scheduler_log = stderr.read_text(errors="replace")

    failed = [str(d) for d in results if d.returncode != 0 or "Traceback" in d.stderr]
    assert not failed, "\n".join(failed)
    locked = [str(d) for d in results if "locked" in (d.stdout + d.stderr).lower()]
    assert not locked, "\n".join(locked)
    assert scheduler.returncode == 0 and "Traceback" not in scheduler_log and "locked" not in scheduler_log, \
        scheduler_log[-3000:]
    assert re.search(rf"job cycle finished in [\d.]+ s: crawled {sites} site\(s\): {sites} ok", scheduler_log), \
        scheduler_log
    by_command = Counter(d.command for d in results)
    assert by_command["fetch"] == FETCHERS * FETCHES_EACH and by_command["alerts"] >= MIN_READS
    print(f"\nconcurrency: the scheduler's cycle, {dict(by_command)} and a {LOCK_SECONDS:.0f} s write lock "
          "on one SQLite file: all ok")
    for done in results:
        if done.command == "alerts":
            alerts = json.loads(done.stdout)
            assert sum(alerts["counts"].values()) == len(alerts["alerts"])
        elif done.command == "track":
            assert isinstance(json.loads(done.stdout)["units"], list)
        elif done.command == "fetch":
            url = done.args[3]
            assert json.loads(done.stdout)["source_url"] == url
            assert re.search(rf"^{re.escape(url)}: (stored new|unchanged) \(report \d+\)$", done.stderr, re.M), done

    # consistent: each notice stored once, created by exactly one process (a fetch, or the crawl)
    assert integrity(db) == []
    conn = sqlite3.connect(db)
    try:
        keys = Counter(key for (key,) in conn.execute("SELECT notice_key FROM reports"))
        versions = {v for (v,) in conn.execute("SELECT DISTINCT version FROM reports")}
        counts = [json.loads(c) for (c,) in conn.execute("SELECT counts FROM crawl_runs WHERE finished_at IS NOT NULL")]
    finally:
        conn.close()
    assert set(keys) == set(notices) and set(keys.values()) == {1} and versions == {1}, keys
    assert [status for _, status in finished_runs(db)] == ["ok"] * len(counts)
    created_by_fetch = sum(d.stderr.count(": stored new (report") for d in [before, *results] if d.command == "fetch")
    created_by_crawls = sum(c.get("notices_new", 0) + c.get("notices_new_version", 0) for c in counts)
    assert created_by_fetch + created_by_crawls == len(notices)


def _open_new(url: str, barrier: object, results: object) -> None:
    """In a process of its own: open (create, migrate) the database at the barrier, read it; report how it went."""
    try:
        from storage.repository import open_store

        barrier.wait(60)  # type: ignore[attr-defined]
        with open_store(url) as store:
            store.list_reports()
        results.put(None)  # type: ignore[attr-defined]
    except BaseException:  # noqa: BLE001 - reported to the test
        results.put(traceback.format_exc())  # type: ignore[attr-defined]


def test_processes_creating_one_new_database_at_once(tmp_path: Path, full_counts: bool) -> None:
    """Several processes open one new SQLite file at the same moment, round after round: none fails with
    "database is locked". (Switching a new file to WAL needs an exclusive lock; when connections race for it,
    SQLite answers at once instead of waiting for the busy timeout, so the switch must be tried again.)"""
    context = multiprocessing.get_context("spawn")
    rounds = OPEN_ROUNDS[full_counts]
    for round_ in range(rounds):
        url = f"sqlite:///{tmp_path / f'new{round_}.db'}"
        barrier, results = context.Barrier(OPENERS), context.Queue()
        processes = [context.Process(target=_open_new, args=(url, barrier, results)) for _ in range(OPENERS)]
        for process in processes:
            process.start()
        errors = [error for error in (results.get(timeout=120) for _ in processes) if error]
        for process in processes:
            process.join(timeout=30)
        assert not errors, f"round {round_}: {len(errors)} of {OPENERS} processes failed:\n{errors[0]}"
    print(f"\nnew database: {rounds} rounds of {OPENERS} processes creating it at once, all ok")

