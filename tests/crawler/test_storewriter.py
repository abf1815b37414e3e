"""The crawl's database writer, called in this process: batches, and a bad page costing only itself."""

from __future__ import annotations

import copy
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import storewriter
from crawler.items import PageItem
from crawler.parse import parse_document
from storage.models import Fetch, ReportRow
from storage.repository import open_store

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "crawler" / "samples").glob("*.txt"))


def _page(path: Path, url: str) -> PageItem:
    raw = path.read_bytes()
    return PageItem(url=url, kind="detail", http_status=200, body=raw, content_type="text/plain",
                    report=parse_document(raw, name=path.name, source_url=url))


def test_a_batch_and_a_bad_notice_in_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store:
        from storage.crawllog import CrawlLog

        run = CrawlLog(store).start_run(None)
    good = [_page(path, f"https://www.example.gov.cn/{n}.html") for n, path in enumerate(SAMPLES)]
    bad = copy.deepcopy(good[0])
    bad.url = bad.report.source_url = "https://www.example.gov.cn/bad.html"
    bad.report.schema_version = None  # NOT NULL: this notice cannot be stored
    pages = [PageItem(url="https://www.example.gov.cn/list.html", kind="list", http_status=200, body=b"<html/>"),
             *good[:2], bad, *good[2:],
             PageItem(url="https://www.example.gov.cn/gone.html", kind="detail", http_status=404, error="HTTP 404",
                      failed=True),
             copy.deepcopy(good[0])]  # the same notice again
    try:
        written = storewriter.write_pages(db, run, pages)
        assert sorted(written.outcomes) == sorted(["new"] * len(good) + ["unchanged"])
        assert [url for url, _ in written.errors] == [bad.url]
        again = storewriter.write_pages(db, run, good)
        assert again.outcomes == ["unchanged"] * len(good) and not again.errors
    finally:
        storewriter.close_stores()
    with open_store(db) as store, Session(store.engine) as session:
        fetches = session.execute(select(Fetch.url, Fetch.raw.is_not(None), Fetch.crawl_run_id)).all()
        assert [url for url, _, _ in fetches[:len(pages)]] == [p.url for p in pages]
        assert [kept for _, kept, _ in fetches[:len(pages)]] == [False, True, True, True, *[True] * (len(good) - 2),
                                                                 False, False]
        assert {r for _, _, r in fetches} == {run}
        assert sorted(session.scalars(select(ReportRow.source_url))) == sorted(p.url for p in good)
