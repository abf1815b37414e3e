"""Batched writes (Store.ingest_many, CrawlLog.record_fetches) give what one-at-a-time writes give (SQLite, PostgreSQL)."""

from __future__ import annotations

import copy
import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.parse import parse_document
from crawler.parse.schema import Report
from storage.crawllog import CrawlLog, FetchRecord
from storage.models import Fetch, IssueRow, ReportRow, UnitName, UnitRow
from storage.repository import Ingest, content_hash
from tests.storage.conftest import SAMPLES


def _samples() -> list[tuple[Report, bytes]]:
    return [(parse_document(p.read_bytes(), name=p.name, source_url=f"https://www.example.gov.cn/{p.stem}.html"),
             p.read_bytes()) for p in SAMPLES]


def _count(store, model) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_content_hash_is_the_hash_of_to_dict() -> None:
    for report, _ in _samples():
        data = report.to_dict()
        data.pop("source_url")
        data.pop("warnings")
        canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert content_hash(report) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_a_batch_is_stored_as_one_at_a_time(store) -> None:
    (first, raw1), (second, raw2), *rest = _samples()
    changed = copy.deepcopy(first)
    changed.issues[0].rectification += "目前已全部整改到位。"
    batch = [Ingest(first, raw=raw1), Ingest(second, raw=raw2), Ingest(first, raw=raw1), Ingest(changed, raw=raw1)]
    batch += [Ingest(r, raw=raw) for r, raw in rest]
    results = store.ingest_many(batch)
    assert [(r.created, r.version) for r in results[:4]] == [(True, 1), (True, 1), (False, 1), (True, 2)]
    assert results[2].report_id == results[0].report_id
    assert all(r.created for r in results[4:])
    assert _count(store, Fetch) == len(SAMPLES)  # one per URL and content: ``changed`` shares raw1's fetch
    for entry, result in zip(batch, results, strict=True):
        assert store.get_report(result.report_id).to_dict() == entry.report.to_dict()
        assert store.raw_bytes(result.report_id) == entry.raw
    assert sum(len(i.sub_issues) for r in results for i in store.get_report(r.report_id).issues) > 0
    assert _count(store, IssueRow) == sum(len(e.report.iter_issues()) for e in batch if e is not batch[2])

    again = store.ingest_many(batch)  # everything known: unchanged, same rows
    assert [(r.report_id, r.version, r.created) for r in again] == [(r.report_id, r.version, False) for r in results]
    assert store.ingest(changed, raw=raw1) == again[3]
    assert _count(store, ReportRow) == len(SAMPLES) + 1


def test_units_and_variants_are_shared_across_batches_and_stores(store) -> None:
    reports = [r for r, _ in _samples()]
    store.ingest_many([Ingest(r) for r in reports[:2]])
    store.ingest_many([Ingest(r) for r in reports[2:]])
    units = _count(store, UnitRow)
    variants = _count(store, UnitName)
    assert units == len({(r.unit.province, r.unit.city, r.unit.name) for r in reports})
    other = copy.deepcopy(reports[0])
    other.source_url = "https://www.example.gov.cn/another-copy.html"
    store.ingest(other, raw=None)
    assert (_count(store, UnitRow), _count(store, UnitName)) == (units, variants)


def test_a_fetch_id_that_does_not_exist_is_not_linked(store) -> None:
    report, _ = _samples()[0]
    (result,) = store.ingest_many([Ingest(report, fetch_id=12345)])
    assert store.raw_bytes(result.report_id) is None


def test_record_fetches_keeps_bytes_once_per_url_and_content(db_url) -> None:
    from storage.repository import open_store

    with open_store(db_url) as store:
        log = CrawlLog(store)
        run = log.start_run("batch")
        page, other = "https://www.example.gov.cn/a.html", "https://www.example.gov.cn/b.html"
        ids = log.record_fetches([
            FetchRecord(page, run_id=run, kind="detail", http_status=200, raw=b"<html>a</html>", etag='"1"'),
            FetchRecord(page, run_id=run, kind="detail", http_status=200, raw=b"<html>a</html>"),
            FetchRecord(other, run_id=run, kind="detail", http_status=404, error="HTTP 404"),
            FetchRecord("https://www.example.gov.cn/list.html", run_id=run, kind="list", http_status=200),
        ])
        ids += log.record_fetches([FetchRecord(page, run_id=run, kind="detail", http_status=200, raw=b"<html>a</html>"),
                                   FetchRecord(other, run_id=run, kind="detail", http_status=200, raw=b"<html>b</html>")])
        assert ids == sorted(ids) and len(set(ids)) == 6
        with Session(store.engine) as session:
            rows = {f.id: f for f in session.scalars(select(Fetch))}
        assert [rows[i].raw is not None for i in ids] == [True, False, False, False, False, True]
        assert [rows[i].url for i in ids] == [page, page, other, "https://www.example.gov.cn/list.html", page, other]
        assert rows[ids[0]].etag == '"1"' and rows[ids[2]].error == "HTTP 404" and rows[ids[3]].kind == "list"
        assert set(log.page_states([page, other])) == set()  # fetched, but no notice stored nor reason recorded
