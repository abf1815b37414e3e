"""tracker.recurring and tracker.rounds: issues an earlier inspection round already found."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.tracker.factory import RECTS, ROUND_2021, ROUND_2024, TITLES, issue, report
from tracker.model import TrackedReport
from tracker.recurring import links, stated
from tracker.rounds import same_round


@pytest.mark.parametrize("title, phrase", [
    ("区委主体责任扛得不牢,上轮巡视指出超配、超编问题,本轮巡视仍然存在。", "上轮巡视指出"),
    ("上轮巡视指出的个别问题,区委未从源头建章立制,本轮巡视仍发现存在相关问题。", "上轮巡视指出"),
    ("截至本轮巡视进驻,上轮省委巡视反馈的34个问题有11个未完成整改。", "上轮省委巡视反馈"),
    ("违规收送礼品礼金问题反复出现。", "反复出现"),
    ("个别单位违规发放津补贴屡查屡犯。", "屡查屡犯"),
    ("三一智慧钢铁城完成进度较慢。", None),
    ("2023年审计指出的问题,有少数未整改完成。", None),
])
def test_stated(title: str, phrase: str | None) -> None:
    assert stated(issue("1", title)) == phrase


def test_untitled_issue_states_nothing() -> None:
    assert stated(issue("1", None, "上轮巡视指出的问题反复出现")) is None


def test_links_to_the_previous_round_including_carried_sub_issues() -> None:
    old = TrackedReport(report(date(2022, 1, 1), [issue("1", TITLES[0], RECTS[0]), issue("2", TITLES[1], RECTS[1]),
                                                   issue("3", TITLES[4], RECTS[4])], inspection=ROUND_2021),
                        id=5, issue_ids=[50, 51, 52], sub_issue_ids=[[], [], []])
    carried = issue("1", "截至本轮巡视进驻,上轮省委巡视反馈的问题有2个未完成整改。", RECTS[2],
                    subs=[issue("1-1", TITLES[1], RECTS[3])])
    new = TrackedReport(report(date(2025, 8, 1), [carried, issue("2", TITLES[0], RECTS[5]), issue("3", TITLES[3])]))
    got = links(old, new)
    assert set(got) == {(1, None), (0, 0)}
    assert (got[1, None].report_id, got[1, None].issue_id, got[1, None].label) == (5, 50, "1")
    assert (got[0, 0].issue_id, got[0, 0].label) == (51, "2")


def test_same_round_rules() -> None:
    a = report(None, [], inspection=ROUND_2024)
    assert same_round(a, report(None, [], inspection=ROUND_2024))
    assert not same_round(a, report(None, [], inspection=ROUND_2021))
    unknown = replace(ROUND_2024, started_on=None, feedback_on=None, inspector="省委巡视组")
    assert same_round(a, report(None, [], inspection=unknown))  # 省委巡视组 ⊂ 省委第三巡视组
    other = replace(unknown, inspector="省委第九巡视组")
    assert not same_round(report(None, [], inspection=replace(ROUND_2024, started_on=None, feedback_on=None)),
                          report(None, [], inspection=other))
    municipal = replace(ROUND_2024, inspector_level="municipal", inspector="市委第二巡察组")
    assert not same_round(a, report(None, [], inspection=municipal))
    blank = replace(ROUND_2024, inspector=None, inspector_level=None, started_on=None, feedback_on=None)
    assert same_round(report(None, [], inspection=blank), report(None, [], inspection=blank))


def test_dates_read_a_little_differently_are_one_round() -> None:
    month_only = replace(ROUND_2024, started_on=date(2024, 9, 1), feedback_on=None)
    assert same_round(report(None, [], inspection=ROUND_2024), report(None, [], inspection=month_only))
