"""Which link titles look like rectification-progress notices."""

from __future__ import annotations

import re

import pytest

from crawler.titles import looks_like_notice_title

NOTICES = [
    "中共怀化市鹤城区委关于巡视整改进展情况的通报",
    "中共荷塘区委关于巡视整改情况的通报",
    "宜城市委关于十二届省委第三轮巡视集中整改进展情况的通报",
    "【巡察整改】中共麻阳县委关于巡察整改情况的通报",
    "××县卫健委党组关于县委第二巡察组反馈意见整改情况的通报",
    "中共××区委关于十届省委第五轮巡视反馈意见集中整改进展情况的通报",
    "中共××市委关于巡视整改进展情况的公告",
    "××局关于巡察整改落实情况的通报",
    "中共××县委关于省委第三巡视组反馈意见整改进展情况的公示",
    "中共××区委关于巡视整改进展情况的通报",  # full-width letters are normalised
]
NOT_NOTICES = [
    "区委召开巡察整改工作推进会",
    "关于开展整改工作的通知",
    "省委第三巡视组向××区委反馈巡视情况",
    "××区召开巡视整改专题民主生活会",
    "市委巡察整改工作动员部署会召开",
    "关于2025年度部门预算的公告",
    "关于巡视整改工作情况的通知",
    "",
]


@pytest.mark.parametrize("title", NOTICES)
def test_notice_titles(title: str) -> None:
    assert looks_like_notice_title(title)


@pytest.mark.parametrize("title", NOT_NOTICES)
def test_news_titles(title: str) -> None:
    assert not looks_like_notice_title(title)


def test_site_pattern_replaces_the_rule() -> None:
    pattern = re.compile(r"整改")
    assert looks_like_notice_title("区委召开巡察整改工作推进会", pattern)
    assert not looks_like_notice_title("中共××区委关于巡视进展情况的通报", re.compile(r"^【巡察整改】"))
