"""tracker.threads: an issue's chain across all reports of its unit (offline, no database)."""

from __future__ import annotations

from datetime import date

from tests.tracker.factory import RECTS, TITLES, issue, report
from tracker.history import compare_all
from tracker.model import TrackedReport
from tracker.threads import build_threads


def test_threads_follow_matches_and_end_where_issues_vanish() -> None:
    reports = [
        TrackedReport(report(date(2025, 1, 1), [issue("1", TITLES[0], RECTS[0], "partial"),
                                                issue("2", TITLES[1], RECTS[1], "unclear")]), id=1),
        TrackedReport(report(date(2025, 6, 1), [issue("1", TITLES[1], RECTS[2], "partial"),
                                                issue("2", TITLES[2], RECTS[2], "unclear")]), id=2),
        TrackedReport(report(date(2025, 12, 1), [issue("1", TITLES[2], RECTS[2], "completed"),
                                                 issue("2", TITLES[1], RECTS[2], "partial")]), id=3),
    ]
    threads = build_threads(reports, compare_all(reports))
    summary = [([(s.report_id, s.label) for s in th.steps], th.changes, th.open) for th in threads]
    assert summary == [
        ([(1, "1")], ["dropped"], False),
        ([(1, "2"), (2, "1"), (3, "2")], ["progressing", "stalled"], True),
        ([(2, "2"), (3, "1")], ["resolved"], False),
    ]
    assert threads[0].alerts == ["dropped"] and threads[1].alerts == ["stalled"]


def test_no_reports_no_threads() -> None:
    assert build_threads([], []) == []
