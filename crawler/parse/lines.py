"""Classify each paragraph of a notice: heading of which level, rectification marker, status line …

Patterns run on NFKC text, so ``（一）`` and ``(一)``, ``，`` and ``,``, ``１．`` and ``1.`` are one case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from .dates import cn_int

CN_NUM = "一二三四五六七八九十"


class Kind(IntEnum):
    """Paragraph kinds; heading kinds are ordered from outermost to innermost."""

    SECTION = 1  # 一、组织整改落实情况
    CATEGORY = 2  # (一)反馈问题:…
    ITEM = 3  # 1. / 1、 / 问题1: / 1.问题1: / 关于“…”的问题
    SUBITEM = 4  # (1) / ①
    RECT = 10  # 整改情况: …
    STATUS = 11  # 整改状态:完成
    PLAIN = 12


#: The kinds as plain module names, for the per-paragraph code: ``Kind.X`` costs five times as much (on
#: Python 3.11 ``EnumType`` defines ``__getattr__``, which slows every attribute lookup on an enum class).
SECTION, CATEGORY, ITEM, SUBITEM = Kind.SECTION, Kind.CATEGORY, Kind.ITEM, Kind.SUBITEM
RECT, STATUS, PLAIN = Kind.RECT, Kind.STATUS, Kind.PLAIN
HEADING_KINDS = (SECTION, CATEGORY, ITEM, SUBITEM)

SECTION_RE = re.compile(rf"^(?P<num>[{CN_NUM}]{{1,3}})\s*[、.,:]\s*(?P<text>.+)$")
CATEGORY_RE = re.compile(rf"^\(\s*(?P<num>[{CN_NUM}]{{1,3}})\s*\)\s*[、.,:]?\s*(?P<text>.*)$")
QUESTION_RE = re.compile(
    rf"^(?:(?P<pre>\d{{1,3}})\s*[.、:,]\s*)?(?:反馈|存在|巡视反馈|巡察反馈)?(?P<label>问题\s*(?P<num>\d{{1,3}}|[{CN_NUM}]{{1,3}}))\s*[:.、,]?\s*(?P<text>.*)$"
)
#: An unnumbered problem label: ``问题:…``, ``存在问题:…``, ``反馈问题:…``.
BARE_QUESTION_RE = re.compile(r"^(?:存在|反馈|巡视反馈|巡察反馈|具体)?问题(?:描述|表现)?\s*[::]\s*(?P<text>.+)$")
ITEM_RE = re.compile(r"^(?P<num>\d{1,3})\s*(?:[.、:,)](?![\d%])|\.(?=\d{4}年))\s*(?P<text>.+)$")
SUBITEM_RE = re.compile(r"^(?:\(\s*(?P<num>\d{1,2})\s*\)|(?P<circled>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))\s*[、.,:]?\s*(?P<text>.+)$")
#: ``关于“…”的问题`` / ``关于“…”问题的整改情况`` with no number in front.
ABOUT_RE = re.compile(r"^关于\s*[“\"「『].+[”\"」』]\s*(?:的)?问题")

_RECT_WORDS = (
    r"整改(?:落实)?(?:工作)?(?:进展|进度|完成)?情况|整改进展|整改进度|整改成效|整改结果|整改措施(?:及(?:成效|进展|情况))?"
    r"|整改举措|落实情况|进展情况|工作进展|推进情况|办理情况|目前进展|当前进展|整改落实举措"
)
#: A rectification marker at the start of a paragraph: ``整改情况:`` ``【整改进展】``.
RECT_RE = re.compile(rf"^[【\[]?(?P<marker>{_RECT_WORDS})[】\]]?\s*[::]\s*(?P<text>.*)$|^【(?P<marker2>{_RECT_WORDS})】\s*(?P<text2>.*)$")
#: The same marker inside a paragraph, after a sentence end: ``…问题。整改情况:…``.
INLINE_RECT_RE = re.compile(rf"(?:(?<=[。;;!?!?”\"])|(?<=[.,,]))\s*[【\[]?(?:{_RECT_WORDS})[】\]]?\s*[::]")

STATUS_WORDS = {
    "已完成": "completed", "完成": "completed", "已整改": "completed", "已整改到位": "completed",
    "已完成整改": "completed", "整改完成": "completed", "已销号": "completed", "已办结": "completed",
    "阶段性完成": "partial", "基本完成": "partial", "部分完成": "partial", "取得阶段性成效": "partial",
    "正在整改": "in_progress", "整改中": "in_progress", "推进中": "in_progress", "持续整改": "in_progress",
    "正在推进": "in_progress", "未完成": "in_progress", "长期坚持": "in_progress", "持续推进": "in_progress",
}
STATUS_RE = re.compile(
    r"^(?:整改状态|完成情况|整改进度|整改结果|完成状态|状态|目前状态)\s*[::]\s*(?P<value>[^,。;,]{1,10})[。;]?$"
)

_X_SHI = re.compile(rf"^[{CN_NUM}]+是")
_WHITE_SPACE_RE = re.compile(r"\s+")


@dataclass(slots=True)
class Line:
    """One classified paragraph (slots: a notice-sized text of a million lines made a million of these)."""

    index: int
    text: str
    kind: Kind
    label: str | None = None
    number: int | None = None
    body: str = ""  # text after the label or marker
    marker: str | None = None  # for RECT lines
    status: str | None = None  # for STATUS lines

    @property
    def is_heading(self) -> bool:
        return self.kind <= SUBITEM  # the heading kinds are the lowest


def classify(index: int, text: str) -> Line:
    """Decide what one paragraph is."""
    if text[:1].isdecimal():
        # Most headings start with a digit (``1.``); of all patterns only these two can match them.
        return _question(index, text) or _numbered_item(index, text) or Line(index, text, PLAIN, body=text)
    if m := STATUS_RE.match(text):
        value = m["value"].strip()
        if value in STATUS_WORDS:
            return Line(index, text, STATUS, body=value, status=STATUS_WORDS[value])
    if m := RECT_RE.match(text):
        marker = m["marker"] or m["marker2"]
        body = m["text"] if m["marker"] else m["text2"]
        return Line(index, text, RECT, body=(body or "").strip(), marker=marker)
    if _X_SHI.match(text):
        return Line(index, text, PLAIN, body=text)
    if (bare := text.rstrip("。.;;")) in STATUS_WORDS:
        return Line(index, text, STATUS, body=bare, status=STATUS_WORDS[bare])
    if line := _question(index, text):
        return line
    if m := BARE_QUESTION_RE.match(text):
        return Line(index, text, ITEM, body=m["text"].strip())
    if m := CATEGORY_RE.match(text):
        return Line(index, text, CATEGORY, label=m["num"], number=_cn_small(m["num"]), body=m["text"].strip())
    if m := SECTION_RE.match(text):
        return Line(index, text, SECTION, label=m["num"], number=_cn_small(m["num"]), body=m["text"].strip())
    # (ITEM_RE needs a leading digit: handled above)
    if m := SUBITEM_RE.match(text):
        if m["num"]:
            label, number = m["num"], int(m["num"])
        else:
            label, number = m["circled"], "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(m["circled"]) + 1
        return Line(index, text, SUBITEM, label=label, number=number, body=m["text"].strip())
    if ABOUT_RE.match(text):
        return Line(index, text, ITEM, body=text)
    return Line(index, text, PLAIN, body=text)


def _question(index: int, text: str) -> Line | None:
    """``问题3:…`` / ``1.问题1:…``, or None."""
    # the pattern needs 问题: a substring test is much cheaper than a failed match
    if "问题" in text and (m := QUESTION_RE.match(text)) and (m["text"] or m["pre"]):
        return Line(index, text, ITEM, label=_WHITE_SPACE_RE.sub("", m["label"]),
                    number=_cn_small(m["num"]), body=m["text"].strip())
    return None


def _numbered_item(index: int, text: str) -> Line | None:
    """``1.…`` / ``1、…`` (numbers 1-300), or None."""
    if m := ITEM_RE.match(text):
        number = int(m["num"])
        if 0 < number <= 300:
            return Line(index, text, ITEM, label=str(number), number=number, body=m["text"].strip())
    return None


def _cn_small(num: str) -> int | None:
    """``3`` or ``三`` as int (heading numbers)."""
    return cn_int(num)


def split_inline_rect(text: str) -> tuple[str, str] | None:
    """``问题…。整改情况:措施…`` → (problem, rectification), or None when no marker inside."""
    if ":" not in text and ":" not in text:  # every marker ends with a colon: skip the slow scan
        return None
    m = INLINE_RECT_RE.search(text)
    if not m or m.start() == 0:
        return None
    return text[: m.start()].strip(), text[m.end():].strip()


def starts_measure_list(text: str) -> bool:
    """``一是…`` — a list of measures (or of organisational steps), never an issue heading."""
    return bool(_X_SHI.match(text))
