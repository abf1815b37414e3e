"""tracker.compare: one change per issue, exactly as SCHEMA.md's table says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.tracker.factory import RECTS, ROUND_2021, TITLES, issue, report
from tests.tracker.synth import load_sample
from tracker.compare import classify, compare
from tracker.model import ALERT_CHANGES, TrackedReport

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "gold" / "hetang.expected.json"
D1, D2 = date(2025, 3, 1), date(2025, 9, 1)


def _one(earlier_status: str | None, later_status: str | None, *, later_rect: str = RECTS[0]):
    earlier = [issue("1", TITLES[0], RECTS[0], earlier_status)] if earlier_status else []
    later = [issue("1", TITLES[0], later_rect, later_status)] if later_status else []
    (t,) = compare(report(D1, earlier), report(D2, later)).transitions
    return t


@pytest.mark.parametrize("before, after, rect, change", [
    (None, "unclear", RECTS[0], "new"),
    ("completed", None, RECTS[0], "closed"),
    ("partial", None, RECTS[0], "dropped"),
    ("in_progress", None, RECTS[0], "dropped"),
    ("completed", "completed", RECTS[1], "done"),
    ("unclear", "completed", RECTS[0], "resolved"),
    ("completed", "in_progress", RECTS[0], "regressed"),
    ("completed", "unclear", RECTS[0], "regressed"),
    ("partial", "partial", RECTS[0], "stalled"),
    ("in_progress", "unclear", RECTS[0] + "持续推进。", "stalled"),
    ("unclear", "partial", RECTS[2], "progressing"),
    ("in_progress", "in_progress", "目前,二期主体工程正在建设,剩余企业正在加快设备安装调试。", "progressing"),
])
def test_each_change(before, after, rect, change) -> None:
    t = _one(before, after, later_rect=rect)
    assert t.change == change
    assert t.is_alert == (change in ALERT_CHANGES)
    if before and after:
        assert t.similarity == 1.0 and t.kept is not None


def test_stalled_boundary_is_80_percent_of_the_earlier_text() -> None:
    old = "甲" * 100
    stalled = issue("1", TITLES[0], old, "unclear")
    assert classify(stalled, issue("1", TITLES[0], "甲" * 80 + "乙" * 20, "unclear")) == "stalled"
    assert classify(stalled, issue("1", TITLES[0], "甲" * 79 + "乙" * 21, "unclear")) == "progressing"
    assert classify(stalled, issue("1", TITLES[0], old + "乙" * 300, "unclear")) == "stalled"  # all old text kept


def test_every_issue_gets_exactly_one_change() -> None:
    earlier = report(D1, [issue(str(n + 1), TITLES[n], RECTS[n], "partial") for n in range(4)])
    later = report(D2, [issue("1", TITLES[5], RECTS[5]), issue("2", TITLES[2], RECTS[2]), issue("3", TITLES[0], RECTS[0])])
    c = compare(earlier, later)
    assert sorted(t.earlier_index for t in c.transitions if t.earlier_index is not None) == [0, 1, 2, 3]
    assert sorted(t.later_index for t in c.transitions if t.later_index is not None) == [0, 1, 2]
    # reading order: later order, vanished issues where they stood in the earlier report
    assert [(t.earlier_label, t.later_label, t.change) for t in c.transitions] == [
        (None, "1", "new"), ("2", None, "dropped"), ("3", "2", "stalled"), ("1", "3", "stalled"), ("4", None, "dropped")]
    assert c.counts() == {"new": 1, "dropped": 2, "stalled": 2}
    assert len(c.alerts) == 4


def test_empty_reports() -> None:
    c = compare(report(D1, []), report(D2, []))
    assert c.transitions == () and c.counts() == {} and c.alerts == []
    c = compare(report(D1, []), report(D2, [issue("1", TITLES[0], RECTS[0])]))
    assert [t.change for t in c.transitions] == ["new"]


def test_sub_issues_get_their_own_changes() -> None:
    subs_a = [issue("1-1", "财税收入质量不高", RECTS[3], "partial"), issue("1-2", TITLES[4], RECTS[4], "completed")]
    subs_b = [issue("1-1", "财税收入质量不高", RECTS[3], "completed")]
    earlier = report(D1, [issue("1", TITLES[0], RECTS[0], "partial", subs=subs_a)])
    later = report(D2, [issue("1", TITLES[0], RECTS[0], "partial", subs=subs_b)])
    (t,) = compare(earlier, later).transitions
    assert t.change == "stalled"
    assert [(s.earlier_label, s.change) for s in t.sub_transitions] == [("1-1", "resolved"), ("1-2", "closed")]
    dropped = compare(earlier, report(D2, [])).transitions[0]
    assert [s.change for s in dropped.sub_transitions] == ["dropped", "closed"]


def test_ids_are_carried() -> None:
    a = TrackedReport(report(D1, [issue("1", TITLES[0], RECTS[0])]), id=7, issue_ids=[70], sub_issue_ids=[[]])
    b = TrackedReport(report(D2, [issue("1", TITLES[0], RECTS[0])]), id=9, issue_ids=[90], sub_issue_ids=[[]])
    c = compare(a, b)
    assert (c.earlier_id, c.later_id) == (7, 9)
    assert (c.transitions[0].earlier_issue_id, c.transitions[0].later_issue_id) == (70, 90)


def test_a_new_round_is_matched_by_title_only() -> None:
    earlier = report(D1, [issue("1", TITLES[0], RECTS[0], "partial")], inspection=ROUND_2021)
    later = report(D2, [issue("1", TITLES[0], RECTS[4], "unclear"), issue("2", TITLES[1], RECTS[0])])
    c = compare(earlier, later)
    assert not c.same_round
    first, second = c.transitions
    assert first.change == "progressing" and first.recurring is not None and first.recurring.linked
    assert second.change == "new" and second.recurring is None


def test_the_corpus_pair_with_the_answer_key_statuses() -> None:
    """With the statuses of the answer key, every transition of the hetang pair is right
    (the tracker's part alone; the parser's statuses are scored by score_track.py)."""
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    a, b = load_sample("hetang_2025.txt"), load_sample("hetang_2026.txt")
    by_a, by_b = {i.label: i for i in a.issues}, {i.label: i for i in b.issues}
    for want in expected["transitions"]:
        if want["earlier_label"]:
            by_a[want["earlier_label"]].status = want["earlier_status"]
        if want["later_label"]:
            by_b[want["later_label"]].status = want["later_status"]
    got = {(t.earlier_label, t.later_label): t.change for t in compare(a, b).transitions}
    assert got == {(w["earlier_label"], w["later_label"]): w["change"] for w in expected["transitions"]}


def test_a_repeated_list_overrules_a_new_round_verdict() -> None:
    """Wrong dates must not turn a follow-up into a new round: its issue list is the old one."""
    issues = [issue(str(n + 1), TITLES[n], RECTS[n], "partial") for n in range(4)]
    later = [issue(str(n + 1), TITLES[n], RECTS[n] + "正在推进。", "partial") for n in range(4)]
    c = compare(report(D1, issues, inspection=ROUND_2021), report(D2, later))
    assert c.same_round and [t.change for t in c.transitions] == ["stalled"] * 4
    assert all(t.recurring is None for t in c.transitions)


def test_within_a_round_the_text_rescues_a_reworded_title() -> None:
    earlier = report(D1, [issue("3", TITLES[2], RECTS[2], "partial")])
    later = report(D2, [issue("1", "学校伙食标准不达标", RECTS[2], "partial")])
    c = compare(earlier, later)
    assert c.same_round
    assert [(t.earlier_label, t.later_label, t.change) for t in c.transitions] == [("3", "1", "stalled")]
    across = compare(report(D1, earlier.issues, inspection=ROUND_2021), later)
    assert not across.same_round and [t.change for t in across.transitions] == ["new", "dropped"]
