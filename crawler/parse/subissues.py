"""Carried-over items nested in a rectification: ``1-2,财税收入质量不高。整改情况:…``.

Their status may come from the group sentence that introduces them
(``(1)已完成整改5个,分别是:`` → completed; ``(2)阶段性完成整改6个,分别是:`` → partial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lines import INLINE_RECT_RE

#: ``1-2,`` at the start of an item (not ``2025年5月-9月`` nor ``1-7月``).
SUB_LABEL_RE = re.compile(r"(?:(?<=^)|(?<=[。;;:::,,\s)\]】]))(?P<label>\d{1,2}-\d{1,2})\s*[,,、.．:]\s*")
#: ``已完成整改5个,分别是:`` — a sentence that groups the following items under one status.
GROUP_RE = re.compile(
    r"(?P<phrase>(?:已|已经)?(?P<kind>阶段性完成|基本完成|已完成|完成|正在推进|正在整改|持续推进|未完成)"
    r"(?:整改)?(?:的)?(?:问题)?\s*\d+\s*(?:个|项|条)(?:问题)?)[^。;]{0,10}?(?:分别是|分别为|包括|具体是|如下)\s*[::]?"
)
GROUP_STATUS = {"阶段性完成": "partial", "基本完成": "partial", "已完成": "completed", "完成": "completed",
                "正在推进": "in_progress", "正在整改": "in_progress", "持续推进": "in_progress",
                "未完成": "in_progress"}


@dataclass
class RawSub:
    label: str
    title: str | None
    rectification: str
    group_status: str | None
    group_phrase: str | None


def split_sub_issues(text: str) -> tuple[str, list[RawSub]]:
    """Return the parent's own text (sub-items removed) and the sub-items in order."""
    if "-" not in text:  # cheap guard: most rectifications carry no ``1-2,`` items
        return text, []
    starts = list(SUB_LABEL_RE.finditer(text))
    items: list[tuple[int, int, re.Match[str]]] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        if INLINE_RECT_RE.search(text, m.end(), end) or re.search(r"整改情况\s*[::]", text[m.end():end]):
            items.append((m.start(), end, m))
    if len(items) < 2:
        return text, []
    subs: list[RawSub] = []
    own_parts: list[str] = []
    cursor = 0
    group: tuple[str, str] | None = None
    next_group: tuple[str, str] | None = None
    for start, end, m in items:
        between = text[cursor:start]
        own_parts.append(between)
        for g in GROUP_RE.finditer(between):
            group = (GROUP_STATUS[g["kind"]], g.group(0).rstrip(":: "))
        segment = text[m.end():end]
        marker = re.search(r"(?:。|\.|;|,|,)?\s*整改(?:情况|进展|措施)\s*[::]", segment)
        if marker:
            title, rect = segment[: marker.start()].strip(), segment[marker.end():].strip()
        else:
            title, rect = None, segment.strip()
        rect, tail = _split_group_tail(rect)
        if tail:
            own_parts.append(tail)
            for g in GROUP_RE.finditer(tail):
                next_group = (GROUP_STATUS[g["kind"]], g.group(0).rstrip(":: "))
        subs.append(RawSub(m["label"], title or None, rect, group[0] if group else None, group[1] if group else None))
        if tail and next_group:
            group = next_group
        next_group = None
        cursor = end
        continue
        subs.append(RawSub(m["label"], title or None, rect, group[0] if group else None, group[1] if group else None))
        cursor = end
    own_parts.append(text[cursor:])
    own = "".join(own_parts).strip()
    return own, subs


#: The end of a group heading: ``分别是:`` closing the text.
_GROUP_TAIL_END_RE = re.compile(r"(?:分别是|分别为)\s*[::]\s*$")
#: The start of a group heading: ``(2)``, with the line break and spaces before it.
_GROUP_TAIL_START_RE = re.compile(r"\n?\s*\(\s*\d+\s*\)")


def _split_group_tail(rect: str) -> tuple[str, str]:
    """A following group heading (``\n(2)阶段性完成整改6个,分别是:``) belongs to the parent.

    The heading is the first ``(N)`` after the last ``。`` that precedes the closing ``分别是:``.
    (One pattern from ``(N)`` lazily up to ``分别是:`` took quadratic time on many ``(N)`` without a ``。``.)
    """
    end = _GROUP_TAIL_END_RE.search(rect)
    if end:
        floor = rect.rfind("。", 0, end.start()) + 1
        m = _GROUP_TAIL_START_RE.search(rect, floor, end.start())
        if m:
            return rect[: m.start()].strip(), rect[m.start():]
    return rect, ""
