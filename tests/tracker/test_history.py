"""tracker.history on a real database: grouping, order, versions, comparisons, incremental tracking."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.parse.schema import Unit
from tests.tracker.factory import HETANG, RECTS, ROUND_2021, TITLES, issue, report
from tracker.history import iter_units, load_units, track_report

STUCK = "一是加强业务培训,提升人员业务能力和水平。二是出台管理制度,明确要求、规范流程,堵塞制度漏洞。"


def _ingest(store, *reports) -> list[int]:
    return [store.ingest(r, raw=None).report_id for r in reports]


def _four_notices() -> list:
    """One issue stalled twice, then resolved; another done throughout."""
    def notice(day: date, status: str, rect: str, url: str):
        return report(day, [issue("1", TITLES[0], rect, status), issue("2", TITLES[1], RECTS[1], "completed")],
                      url=url)
    return [
        notice(date(2025, 1, 10), "partial", STUCK, "https://example.gov.cn/a"),
        notice(date(2025, 4, 10), "partial", STUCK + "目前正在推进。", "https://example.gov.cn/b"),
        notice(date(2025, 7, 10), "in_progress", STUCK + "目前正在推进。", "https://example.gov.cn/c"),
        notice(date(2025, 10, 10), "completed", "已全部整改到位。", "https://example.gov.cn/d"),
    ]


def test_an_issue_stalled_twice_then_resolved(store) -> None:
    a, b, c, d = _four_notices()
    ids = _ingest(store, c, a, d, b)  # stored out of order
    (h,) = load_units(store)
    assert [r.id for r in h.reports] == [ids[1], ids[3], ids[0], ids[2]]
    assert [[t.change for t in comp.transitions] for comp in h.comparisons] == [
        ["stalled", "done"], ["stalled", "done"], ["resolved", "done"]]
    first = h.comparisons[0].transitions[0]
    assert first.earlier_issue_id is not None and first.later_issue_id is not None
    assert first.kept == 1.0
    threads = h.threads()
    assert [th.changes for th in threads] == [["stalled", "stalled", "resolved"], ["done", "done", "done"]]
    assert [th.alerts for th in threads] == [["stalled", "stalled"], []]
    assert [s.report_id for s in threads[0].steps] == [r.id for r in h.reports]
    assert not threads[0].open and len(h.alerts) == 2


def test_order_undated_last_same_day_by_id(store) -> None:
    day = date(2025, 5, 1)
    ids = _ingest(store, report(None, [], url="u:1", title="通报一"), report(day, [], url="u:2", title="通报二"),
                  report(day, [], url="u:3", title="通报三"), report(date(2024, 1, 1), [], url="u:4", title="通报四"))
    (h,) = load_units(store)
    assert [r.id for r in h.reports] == [ids[3], ids[1], ids[2], ids[0]]
    assert len(h.comparisons) == 3 and all(c.transitions == () for c in h.comparisons)
    # copies of one notice (same title, inspector and start, published within days) count once
    _ingest(store, report(day, [], url="u:5", title="通报二"))
    assert [r.id for r in load_units(store)[0].reports] == [ids[3], ids[1], ids[2], ids[0]]


def test_only_the_latest_version_of_a_notice(store) -> None:
    old = report(date(2025, 1, 1), [issue("1", TITLES[0], RECTS[0], "partial")], url="https://example.gov.cn/n")
    new = report(date(2025, 1, 1), [issue("1", TITLES[0], RECTS[0], "completed")], url="https://example.gov.cn/n")
    later = report(date(2025, 6, 1), [issue("1", TITLES[0], RECTS[0], "completed")], url="https://example.gov.cn/m")
    v1, v2, m = _ingest(store, old, new, later)
    assert v1 != v2
    (h,) = load_units(store)
    assert [r.id for r in h.reports] == [v2, m]
    assert h.comparisons[0].transitions[0].change == "done"


def test_one_report_and_a_report_without_issues(store) -> None:
    _ingest(store, report(date(2025, 1, 1), []))
    (h,) = load_units(store)
    assert len(h.reports) == 1 and h.comparisons == [] and h.threads() == []


def test_a_unit_named_without_its_city_joins_the_unit(store) -> None:
    vague = Unit(name="荷塘区", level="county")
    other = Unit(name="鼓楼区", province="江苏省", city="南京市", level="county")
    _ingest(store, report(date(2025, 1, 1), [issue("1", TITLES[0], RECTS[0])], url="u:1"),
            report(date(2025, 6, 1), [issue("1", TITLES[0], RECTS[0])], unit=vague, url="u:2"),
            report(date(2025, 6, 1), [], unit=other, url="u:3", title="中共鼓楼区委关于巡视整改进展情况的通报"))
    hs = load_units(store)
    assert [h.unit.name for h in hs] == ["荷塘区", "鼓楼区"]
    assert hs[0].unit == HETANG and len(hs[0].unit_ids) == 2 and len(hs[0].reports) == 2
    assert hs[0].comparisons[0].transitions[0].change == "stalled"


def test_two_places_of_the_same_name_stay_apart(store) -> None:
    vague = Unit(name="鼓楼区", level="county")
    nanjing = Unit(name="鼓楼区", province="江苏省", city="南京市", level="county")
    fuzhou = Unit(name="鼓楼区", province="福建省", city="福州市", level="county")
    _ingest(store, *(report(date(2025, 1, n), [], unit=u, url=f"u:{n}") for n, u in enumerate((vague, nanjing, fuzhou), 1)))
    assert len(load_units(store, "鼓楼区")) == 3


def test_unknown_unit(store) -> None:
    _ingest(store, report(date(2025, 1, 1), []))
    with pytest.raises(LookupError):
        load_units(store, "江夏区")
    assert load_units(store) and list(iter_units(store.engine, "荷塘区"))


def test_a_new_round_and_its_recurring_issues(store) -> None:
    old = report(date(2022, 3, 1), [issue("1", TITLES[0], RECTS[0], "partial"), issue("2", TITLES[1], RECTS[1], "completed")],
                 inspection=ROUND_2021, url="u:old")
    first = report(date(2025, 3, 1), [issue("1", TITLES[0], RECTS[2], "in_progress"), issue("2", TITLES[3], RECTS[3])],
                   url="u:first")
    second = report(date(2025, 9, 1), [issue("1", TITLES[0], RECTS[2], "in_progress"), issue("2", TITLES[3], RECTS[3])],
                    url="u:second")
    old_id, _, _ = _ingest(store, old, first, second)
    (h,) = load_units(store)
    cross, follow = h.comparisons
    assert not cross.same_round and follow.same_round
    assert [t.change for t in cross.transitions] == ["progressing", "new", "closed"]
    for comp in (cross, follow):
        link = comp.transitions[0].recurring
        assert link is not None and link.report_id == old_id and link.label == "1"
    assert follow.transitions[1].recurring is None


def test_track_report_equals_the_full_run(store) -> None:
    ids = _ingest(store, *_four_notices())
    (h,) = load_units(store)
    assert track_report(store, ids[0]) == [h.comparisons[0]]
    assert track_report(store, ids[2]) == h.comparisons[1:3]
    assert track_report(store, ids[3]) == [h.comparisons[2]]
    with pytest.raises(LookupError):
        track_report(store, 999)


def test_one_notice_published_at_several_urls_is_one_report(store) -> None:  # noqa: ANN001
    from dataclasses import replace
    from datetime import timedelta
    from pathlib import Path

    from crawler.parse import parse_document
    from tracker.history import load_units

    samples = Path(__file__).resolve().parents[2] / "crawler" / "samples"
    earlier = parse_document((samples / "hetang_2025.txt").read_bytes(), source_url="https://a.gov.cn/1.html")
    later = parse_document((samples / "hetang_2026.txt").read_bytes(), source_url="https://a.gov.cn/2.html")
    # the provincial site republishes the earlier notice: same content, another URL
    store.ingest(earlier, raw=None)
    store.ingest(replace(earlier, source_url="https://province.gov.cn/x.html"), raw=None)
    # and a county portal a few days later, parsed with a slightly different page date
    copy = replace(earlier, source_url="https://county.gov.cn/y.html",
                   published_on=earlier.published_on + timedelta(days=3))
    store.ingest(copy, raw=None)
    store.ingest(later, raw=None)
    (history,) = load_units(store)
    assert [r.report.source_url for r in history.reports] == ["https://a.gov.cn/1.html", "https://a.gov.cn/2.html"]
    assert len(history.comparisons) == 1
