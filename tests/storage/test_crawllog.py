"""The crawl log: runs, fetches, page states for incremental crawling (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.parse import parse_document
from storage.crawllog import CrawlLog
from storage.models import ReportRow
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
        from storage.models import Fetch

        with Session(store.engine) as session:
            kept = dict(session.execute(select(Fetch.id, Fetch.raw.is_not(None))).all())
        assert kept == {first: True, second: False, third: True}
        with Session(store.engine) as session:
            assert None not in session.scalars(select(Fetch.content_hash)).all()


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
        log.finish_run(run, status="partial", counts={}, failures=[])
        assert log.lists_incomplete([first])
        run = log.start_run("demo")  # the next run reads the lists whole, and page 2 answers
        log.record_fetch(first, run_id=run, kind="list", http_status=200)
        log.record_fetch(second, run_id=run, kind="list", http_status=200)
        log.finish_run(run, status="ok", counts={}, failures=[])
        assert not log.lists_incomplete([first])


def test_lists_incomplete_after_a_crawl_was_killed(db_url: str) -> None:
    """A run that read a list's first page and never finished may have stored its newest notices only."""
    with open_store(db_url) as store:
        log = CrawlLog(store)
        first = "https://www.example.gov.cn/xszg/index.html"
        run = log.start_run("demo")
        log.record_fetch(first, run_id=run, kind="list", http_status=200)
        log.finish_run(run, status="ok", counts={}, failures=[])
        assert not log.lists_incomplete([first])
        killed = log.start_run("demo")
        log.record_fetch(first, run_id=killed, kind="list", http_status=200)
        assert log.lists_incomplete([first])
        log.start_run("demo")  # the next run: until it has read a list page, the killed one is the latest
        assert log.lists_incomplete([first])


def test_a_page_is_known_once_a_crawl_stored_its_notice_or_found_it_no_notice(db_url: str) -> None:
    """What a crawl killed half-way leaves (a page logged, its notice or attachment not yet stored) is not known,
    nor is a notice fetched by hand (it says nothing about the older notices of its list)."""
    prefix = "https://www.example.gov.cn/xszg/"
    notice, pointer, news, failed, manual = (prefix + name for name in ("n.html", "p.html", "news.html", "x.html",
                                                                        "m.html"))
    raw = SAMPLES[0].read_bytes()
    with open_store(db_url) as store:
        log = CrawlLog(store)
        run = log.start_run("site")
        fetched = log.record_fetch(notice, run_id=run, kind="detail", http_status=200, raw=raw)
        log.record_fetch(pointer, run_id=run, kind="detail", http_status=200, raw=b"<html>see the attachment</html>")
        log.record_fetch(news, run_id=run, kind="detail", http_status=200, raw=b"<html>news</html>",
                         error="not a notice (news)")
        log.record_fetch(failed, run_id=run, kind="detail", http_status=503, error="HTTP 503")
        by_hand = log.record_fetch(manual, kind="detail", http_status=200, raw=raw + b" ")
        store.ingest(parse_document(raw + b" ", name=SAMPLES[0].name, source_url=manual), raw=None, fetch_id=by_hand)
        everything = [notice, pointer, news, failed, manual]
        assert set(log.page_states(everything)) == {news}
        assert log.known_urls([prefix]) == {news}
        store.ingest(parse_document(raw, name=SAMPLES[0].name, source_url=notice), raw=None, fetch_id=fetched)
        attachment = log.record_fetch(prefix + "a.pdf", run_id=run, kind="attachment", http_status=200, raw=raw)
        store.ingest(parse_document(raw, name=SAMPLES[0].name, source_url=pointer), raw=None, fetch_id=attachment)
        assert set(log.page_states(everything)) == {notice, pointer, news}
        assert log.known_urls([prefix]) == {notice, pointer, news}
        assert log.failed_pages([prefix]) == [failed]


def test_a_report_links_the_fetch_that_holds_its_bytes(db_url: str) -> None:
    """A page fetched again after a crawl died before storing its notice is logged without its bytes (kept
    once): the report stored from it links the earlier fetch that holds them."""
    page, raw = "https://www.example.gov.cn/xszg/n.html", SAMPLES[0].read_bytes()
    with open_store(db_url) as store:
        log = CrawlLog(store)
        first = log.record_fetch(page, run_id=log.start_run("site"), kind="detail", http_status=200, raw=raw)
        again = log.record_fetch(page, run_id=log.start_run("site"), kind="detail", http_status=200, raw=raw)
        stored = store.ingest(parse_document(raw, name=SAMPLES[0].name, source_url=page), raw=None, fetch_id=again)
        assert store.raw_bytes(stored.report_id) == raw
        with Session(store.engine) as session:
            assert session.get(ReportRow, stored.report_id).fetch_id == first

