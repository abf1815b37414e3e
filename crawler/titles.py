"""Does a link's title look like a rectification-progress notice? (Pure, no network.)

A notice title names an inspection (巡视/巡察) or its rectification, says it reports the state of the
rectification (整改进展情况, 整改情况, 集中整改进展) and is a notice (通报, 公告, 公示, 报告). Meeting news
about rectification (召开巡察整改推进会, 反馈会, 动员部署) is not a notice.
"""

from __future__ import annotations

import re
import unicodedata

_ROUND = r"(?:巡视|巡察|督察|集中整改|整改)"
_STATE = r"(?:整改(?:工作)?(?:落实)?(?:的)?(?:进展|进度|落实|完成)?(?:情况|进展))"
_KIND = r"(?:通报|公告|公示|报告|公开)"

_NOTICE = re.compile(rf"{_ROUND}.*?{_STATE}.*?{_KIND}|{_ROUND}.*?整改.*?(?:进展|情况)的?{_KIND}")
_NOT_NOTICE = re.compile(
    r"召开|会议|推进会|动员|部署会|反馈会|座谈|培训|调研|督导|约谈|学习|视频|图片|解读|答记者问|专题|纪实|"
    r"举报|受理|公开征集|意见建议|工作方案|实施方案|的通知$")


def normalize_title(title: str) -> str:
    """NFKC, no whitespace: what the rules look at."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))


def looks_like_notice_title(title: str, pattern: re.Pattern[str] | None = None) -> bool:
    """True for ``中共××区委关于巡视整改进展情况的通报`` and its many variants, false for news about them.

    ``pattern`` (a site's ``title_pattern``) replaces the built-in rule.
    """
    text = normalize_title(title)
    if not text:
        return False
    if pattern is not None:
        return bool(pattern.search(text))
    return bool(_NOTICE.search(text)) and not _NOT_NOTICE.search(text)
