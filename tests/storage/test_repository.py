"""Store.ingest / get_report / list_reports / iter_export_rows on a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.parse import parse_document
from crawler.parse.schema import Report
from storage.models import Fetch, IssueRow, ReportRow, UnitName, UnitRow
from storage.repository import NotFound, content_hash, notice_key
from tests.storage.conftest import SAMPLES


def _parse(path) -> tuple[Report, bytes]:
    raw = path.read_bytes()
    return parse_document(raw, name=path.name), raw


def _count(store, model) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_ingesting_the_samples_twice_stores_each_once(store) -> None:
    parsed = [_parse(p) for p in SAMPLES]
    first = [store.ingest(r, raw=raw, fetch_url=p.as_uri()) for p, (r, raw) in zip(SAMPLES, parsed)]
    again = [store.ingest(r, raw=raw, fetch_url=p.as_uri()) for p, (r, raw) in zip(SAMPLES, parsed)]
    assert all(res.created and res.version == 1 and res.outcome == "stored new" for res in first)
    assert all(not res.created and res.outcome == "unchanged" for res in again)
    assert [a.report_id for a in again] == [f.report_id for f in first]
    assert _count(store, ReportRow) == len(SAMPLES)
    assert _count(store, IssueRow) == sum(len(r.iter_issues()) for r, _ in parsed)
    assert _count(store, Fetch) == len(SAMPLES)
    assert _count(store, UnitRow) == len({(r.unit.province, r.unit.city, r.unit.name) for r, _ in parsed})
    # the two 荷塘区 notices (2025, 2026) are two notices of one unit, not two versions of one
    hetang = store.list_reports("荷塘区")
    assert [r["published_on"] for r in hetang] == ["2025-08-25", "2026-03-10"]
    assert all(r["version"] == 1 for r in hetang)


def test_get_report_gives_back_every_field(store) -> None:
    for path in SAMPLES:
        report, raw = _parse(path)
        report.source_url = "https://www.example.gov.cn/notice.html"
        result = store.ingest(report, raw=raw)
        back = store.get_report(result.report_id)
        assert back.to_dict() == report.to_dict()
        assert store.raw_bytes(result.report_id) == raw
    hecheng = store.get_report(1)
    assert sum(len(i.sub_issues) for i in hecheng.issues) == 11


def test_a_changed_copy_is_version_2_and_version_1_is_kept(store) -> None:
    report, raw = _parse(SAMPLES[0])
    v1 = store.ingest(report, raw=raw)
    text = raw.decode("utf-8")
    sentence = report.issues[4].rectification[:18]
    assert text.count(sentence) == 1
    changed = text.replace(sentence, sentence + "经复核无误", 1).encode("utf-8")
    report2 = parse_document(changed, name=SAMPLES[0].name)
    assert notice_key(report2) == notice_key(report) and content_hash(report2) != content_hash(report)
    v2 = store.ingest(report2, raw=changed)
    assert (v2.created, v2.version, v2.outcome) == (True, 2, "new version 2")
    assert store.ingest(report2, raw=changed).report_id == v2.report_id
    assert store.ingest(report, raw=raw) == type(v1)(v1.report_id, 1, False)  # the old content is still known
    assert store.get_report(v1.report_id).to_dict() == report.to_dict()
    assert store.get_report(v2.report_id).to_dict() == report2.to_dict()
    latest = store.list_reports()
    assert [(r["id"], r["version"], r["versions"]) for r in latest] == [(v2.report_id, 2, 2)]
    assert [r["version"] for r in store.list_reports(all_versions=True)] == [1, 2]


def test_warnings_and_source_url_do_not_make_a_new_version(store) -> None:
    report, raw = _parse(SAMPLES[1])
    first = store.ingest(report, raw=raw)
    report.warnings = report.warnings + ["something else"]
    assert store.ingest(report, raw=raw) == type(first)(first.report_id, 1, False)


def test_a_url_identifies_the_notice(store) -> None:
    report, raw = _parse(SAMPLES[2])
    report.source_url = "https://a.example.gov.cn/t1.html"
    assert store.ingest(report, raw=raw).version == 1
    report.issues[0].rectification += "另,已完成复查。"
    assert store.ingest(report, raw=None).version == 2
    report.source_url = "https://b.example.gov.cn/t1.html"  # the same text elsewhere: another notice
    assert store.ingest(report, raw=None).version == 1


def test_list_reports_filters(store) -> None:
    for path in SAMPLES:
        report, raw = _parse(path)
        store.ingest(report, raw=raw)
    rows = store.list_reports()
    assert len(rows) == len(SAMPLES)
    assert {"id", "title", "unit", "published_on", "source_url", "version", "issue_count"} <= set(rows[0])
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["鹤城区"]["issue_count"] == 30 and by_unit["鹤城区"]["sub_issue_count"] == 11
    assert [r["unit"] for r in store.list_reports("中共株洲市荷塘区委员会")] == ["荷塘区", "荷塘区"]  # issuer variant
    assert [r["unit"] for r in store.list_reports("431202")] == ["鹤城区"]  # adcode
    assert [r["unit"] for r in store.list_reports("鹤城")] == ["鹤城区"]  # part of a name
    assert store.list_reports("朝阳区") == []
    since = store.list_reports(since=date(2026, 1, 1))
    assert [r["published_on"] for r in since] == ["2026-02-28", "2026-03-10"]
    with Session(store.engine) as session:
        assert "鹤城区" in session.scalars(select(UnitName.variant)).all()


def test_export_rows_one_per_issue(store) -> None:
    parsed = [_parse(p)[0] for p in SAMPLES]
    for report in parsed:
        store.ingest(report, raw=None)
    rows = list(store.iter_export_rows())
    assert len(rows) == sum(len(r.iter_issues()) for r in parsed)
    sub = [r for r in rows if r["issue_parent_seq"] is not None]
    assert len(sub) == 11 and all(r["unit_name"] == "鹤城区" for r in sub)


def test_unknown_report_id(store) -> None:
    with pytest.raises(NotFound):
        store.get_report(12345)
