"""The crawl log: runs, fetches, page states for incremental crawling (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.parse import parse_document
from storage.crawllog import CrawlLog
from storage.repository import open_store
from tests.storage.conftest import SAMPLES


def test_runs_and_fetches(db_url: str) -> None:
    with open_store(db_url) as store:
        log = CrawlLog(store)
        run = log.start_run("demo")
        page = "https://www.example.gov.cn/xszg/1.html"
        raw = SAMPLES[0].read_bytes()
        fid = log.record_fetch(page, run_id=run, kind="detail", http_status=200, etag='"abc"',
                               last_modified="Mon, 02 Mar 2026 08:00:00 GMT", raw=raw, content_type="text/plain")
        store.ingest(parse_document(raw, name=SAMPLES[0].name, source_url=page), raw=None, fetch_id=fid)
        log.record_fetch("https://www.example.gov.cn/xszg/2.html", run_id=run, kind="detail", error="HTTP 404",
                         http_status=404)
        log.record_fetch("https://www.example.gov.cn/xszg/index.html", run_id=run, kind="list", http_status=200)
        log.finish_run(run, status="partial", counts={"notices_new": 1}, failures=[{"url": "x", "reason": "HTTP 404"}])

        states = log.page_states([page, "https://www.example.gov.cn/xszg/2.html", "https://nowhere.example/"])
        assert set(states) == {page}  # a failed fetch makes nothing known
        state = states[page]
        assert state.has_report and state.etag == '"abc"'
        assert state.last_modified == "Mon, 02 Mar 2026 08:00:00 GMT"
        assert abs(state.fetched_at - datetime.now(UTC)) < timedelta(minutes=5)
        assert store.raw_bytes(store.list_reports()[0]["id"]) == raw

        (summary,) = log.runs("demo")
        assert summary.status == "partial" and summary.counts == {"notices_new": 1}
        assert summary.failures[0]["reason"] == "HTTP 404" and summary.finished_at is not None
        assert log.last_runs_by_site()["demo"].id == run


def test_identical_download_is_logged_without_keeping_the_bytes_twice(db_url: str) -> None:
    with open_store(db_url) as store:
        log = CrawlLog(store)
        url, raw = "https://www.example.gov.cn/a.html", b"<html>same</html>"
        first = log.record_fetch(url, kind="detail", http_status=200, raw=raw)
        second = log.record_fetch(url, kind="detail", http_status=200, raw=raw)
        third = log.record_fetch(url, kind="detail", http_status=200, raw=raw + b" changed")
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from storage.models import Fetch

        with Session(store.engine) as session:
            kept = dict(session.execute(select(Fetch.id, Fetch.raw.is_not(None))).all())
        assert kept == {first: True, second: False, third: True}
        assert log.page_states([url])[url].content_hash is not None


def test_latest_run_per_site(db_url: str) -> None:
    with open_store(db_url) as store:
        log = CrawlLog(store)
        for status in ("ok", "failed"):
            log.finish_run(log.start_run("a"), status=status, counts={}, failures=[])
        log.start_run("a")  # still running: not the last result
        log.finish_run(log.start_run(None), status="ok", counts={}, failures=[])
        last = log.last_runs_by_site()
        assert set(last) == {"a"} and last["a"].status == "failed"
        assert [r.status for r in log.runs("a")] == [None, "failed", "ok"]


def test_lists_incomplete_after_a_list_page_failed(db_url: str) -> None:
    with open_store(db_url) as store:
        log = CrawlLog(store)
        first, second = "https://www.example.gov.cn/xszg/index.html", "https://www.example.gov.cn/xszg/index_1.html"
        assert not log.lists_incomplete([first])  # never crawled
        run = log.start_run("demo")
        log.record_fetch(first, run_id=run, kind="list", http_status=200)
        log.record_fetch(second, run_id=run, kind="list", http_status=503, error="HTTP 503")
        assert log.lists_incomplete([first])
        run = log.start_run("demo")  # the next run reads the lists whole, and page 2 answers
        log.record_fetch(first, run_id=run, kind="list", http_status=200)
        log.record_fetch(second, run_id=run, kind="list", http_status=200)
        assert not log.lists_incomplete([first])
