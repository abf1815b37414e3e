"""The crawler against the bundled sample site: real HTTP on 127.0.0.1, real Scrapy, real SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.runner import IMPOLITE, CrawlSummary, crawl_in_subprocess
from crawler.samplesite import SampleSite
from storage.models import Fetch, ReportRow
from storage.repository import open_store

FAST = {**IMPOLITE, "LOG_LEVEL": "WARNING", "RETRY_TIMES": 2, "DOWNLOAD_TIMEOUT": 5}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crawl.db'}"


def crawl(db: str, site: SampleSite, *, columns: tuple[str, ...] | None = None, **settings: Any) -> CrawlSummary:
    urls = [url for key, url in site.list_urls.items() if columns is None or key in columns]
    return crawl_in_subprocess(db, [], urls, overrides={**FAST, **settings}, timeout=180)


def stored(db: str) -> list[tuple[str, int]]:
    with open_store(db) as store, Session(store.engine) as session:
        return [(url, version) for url, version in session.execute(
            select(ReportRow.source_url, ReportRow.version).order_by(ReportRow.id))]


def total(summary: CrawlSummary, key: str) -> int:
    return sum(r.counts.get(key, 0) for r in summary.results)


def test_first_and_second_crawl(db: str) -> None:
    with SampleSite() as site:
        first = crawl(db, site, ROBOTSTXT_OBEY=True)
        assert [r.status for r in first.results] == ["ok"] * len(site.list_urls), first.results
        urls = [url for url, _ in stored(db)]
        assert set(urls) == site.notice_urls            # every notice found, no news stored
        assert len(urls) == len(set(urls))               # each once
        assert not set(urls) & site.news_urls
        assert total(first, "fetched_attachment") == len(site.attachment_urls)
        list_pages_first = total(first, "fetched_list")

        site.clear_requests()
        second = crawl(db, site)
        assert stored(db) == [(url, 1) for url in urls]  # nothing duplicated
        requested = [path for _, path, _ in site.requests]
        detail_paths = {site.local_path(u) for u in site.notice_urls | site.attachment_urls}
        assert not [p for p in requested if p in detail_paths]  # nothing re-fetched
        assert total(second, "fetched_list") == len(site.list_urls) < list_pages_first  # only first list pages
        assert total(second, "known_skipped") >= len(site.list_urls)
        assert total(second, "notices_new") == 0


def test_changed_notice_becomes_a_new_version(db: str) -> None:
    with SampleSite() as site:
        crawl(db, site)
        changed = sorted(site.notice_urls - site.attachment_urls - {site.multipage_notice_url})[0]
        lines = site.text_of(changed).splitlines()
        middle = len(lines) // 2
        lines[middle] += "目前已全部整改到位。"  # a rectification text changes, so the parsed notice does
        site.update_notice(changed, "\n".join(lines))
        site.clear_requests()
        again = crawl(db, site, RECTRACK_RECHECK_DAYS=0)  # every known notice is due for a re-check
        versions = {url: v for url, v in stored(db) if url == changed}
        assert versions == {changed: 2}
        assert total(again, "notices_new_version") == 1
        assert total(again, "not_modified") >= len(site.notice_urls) - 3  # conditional GETs answered 304
        assert [u for u, v in stored(db) if v > 1] == [changed]


def test_fault_once_then_works_is_stored(db: str) -> None:
    with SampleSite() as site:
        flaky = sorted(site.notice_urls - site.attachment_urls)[0]
        site.set_fault(site.local_path(flaky), "503", times=1)
        summary = crawl(db, site)
        assert flaky in {url for url, _ in stored(db)}
        assert not any(f["url"] == flaky for r in summary.results for f in r.failures)


def test_persistent_failure_is_reported_and_the_rest_goes_on(db: str) -> None:
    with SampleSite() as site:
        broken = sorted(site.notice_urls - site.attachment_urls)[0]
        site.set_fault(site.local_path(broken), "500")
        summary = crawl(db, site)
        failures = [f for r in summary.results for f in r.failures]
        assert [(f["url"], f["reason"]) for f in failures] == [(broken, "HTTP 500")]
        assert {url for url, _ in stored(db)} == site.notice_urls - {broken}
        assert "partial" in [r.status for r in summary.results] and summary.exit_code == 0
        with open_store(db) as store, Session(store.engine) as session:
            assert session.scalar(select(Fetch.error).where(Fetch.url == broken)) == "HTTP 500"
        # the next run retries it: a failure makes nothing known
        site.clear_faults()
        crawl(db, site, columns=("trs", "hanweb", "plain", "plain_jsp"))
        assert broken in {url for url, _ in stored(db)}


def test_slow_page_does_not_stall_the_crawl(db: str) -> None:
    with SampleSite() as site:
        slow = sorted(site.notice_urls - site.attachment_urls)[0]
        site.set_fault(site.local_path(slow), "slow", delay=30)
        summary = crawl(db, site, DOWNLOAD_TIMEOUT=2, RETRY_TIMES=0)
        assert {url for url, _ in stored(db)} == site.notice_urls - {slow}
        (failure,) = [f for r in summary.results for f in r.failures]
        assert failure["url"] == slow and "timed out" in failure["reason"]


def test_javascript_challenge_is_recorded_as_blocked_not_retried(db: str) -> None:
    with SampleSite() as site:
        blocked = sorted(site.notice_urls - site.attachment_urls)[0]
        path = site.local_path(blocked)
        site.set_fault(path, "challenge")
        summary = crawl(db, site, RETRY_TIMES=5)
        (failure,) = [f for r in summary.results for f in r.failures]
        assert failure["reason"].startswith("blocked: the site answers with a JavaScript challenge (HTTP 521)")
        assert [p for _, p, _ in site.requests].count(path) == 1


def test_a_site_that_is_down_fails_as_a_whole(db: str) -> None:
    with SampleSite() as site:
        url = site.list_urls["trs"]
    # the server is stopped now: connection refused
    summary = crawl_in_subprocess(db, [], [url], overrides={**FAST, "RETRY_TIMES": 0}, timeout=120)
    (result,) = summary.results
    assert result.status == "failed" and summary.exit_code == 1
    assert result.failures[0]["reason"].startswith("connection refused")


def test_page_limit_and_full_mode(db: str) -> None:
    with SampleSite(scale=60) as site:
        limited = crawl_in_subprocess(db, [], [site.list_urls["trs"]], max_pages=2, overrides=FAST, timeout=120)
        assert total(limited, "fetched_list") == 2
        full = crawl_in_subprocess(db, [], [site.list_urls["trs"]], full=True, overrides=FAST, timeout=180)
        trs = {u for u, n in site.notices.items() if n.column == "trs"}
        assert trs <= {url for url, _ in stored(db)}
        assert total(full, "fetched_list") > 2
        assert len(stored(db)) == len({url for url, _ in stored(db)})


def test_redirect_loop_and_missing_page(db: str) -> None:
    with SampleSite() as site:
        gone, looping = sorted(site.notice_urls - site.attachment_urls)[:2]
        site.set_fault(site.local_path(gone), "404")
        site.set_fault(site.local_path(looping), "redirect_loop")
        summary = crawl(db, site)
        reasons = {f["url"]: f["reason"] for r in summary.results for f in r.failures}
        assert reasons[gone] == "HTTP 404"
        assert reasons[looping].startswith("too many redirects")
        assert {url for url, _ in stored(db)} == site.notice_urls - {gone, looping}


def test_truncated_and_reset_downloads(db: str) -> None:
    with SampleSite() as site:
        truncated, reset = sorted(site.notice_urls - site.attachment_urls)[:2]
        site.set_fault(site.local_path(truncated), "truncate")
        site.set_fault(site.local_path(reset), "reset")
        summary = crawl(db, site, RETRY_TIMES=1)
        reasons = {f["url"]: f["reason"] for r in summary.results for f in r.failures}
        assert reasons[truncated].startswith("truncated")
        assert reasons[reset].startswith(("download failed", "no response", "connection lost"))
        assert not {truncated, reset} & {url for url, _ in stored(db)}
        assert summary.exit_code == 0


def test_oversized_downloads_are_refused(db: str) -> None:
    with SampleSite() as site:
        summary = crawl(db, site, columns=("plain",), DOWNLOAD_MAXSIZE=30_000, DOWNLOAD_WARNSIZE=0)
        reasons = {f["url"]: f["reason"] for r in summary.results for f in r.failures}
        page_of = {n.attachment_url: n.url for n in site.notices.values() if n.attachment_url}
        docx = next(u for u in site.attachment_urls if u.endswith(".docx"))  # 48 KB
        # an attachment fails under its notice's page, which the next run fetches again
        assert reasons[page_of[docx]].startswith("too large") and reasons[page_of[docx]].endswith(f"{docx})")
        pdf = next(u for u in site.attachment_urls if u.endswith(".pdf"))  # 27 KB
        assert page_of[pdf] not in reasons


def test_dns_failure(db: str) -> None:
    summary = crawl_in_subprocess(db, [], ["http://no-such-host.invalid/list.html"],
                                  overrides={**FAST, "RETRY_TIMES": 0, "DNS_TIMEOUT": 5}, timeout=120)
    (result,) = summary.results
    assert result.status == "failed"
    assert result.failures[0]["reason"].startswith("DNS lookup failed")
