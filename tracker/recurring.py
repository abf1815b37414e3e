"""Issues that an earlier inspection round already found (``recurring``).

An issue recurs when its own title says so (``上轮巡视指出…本轮巡视仍然存在``, ``反复出现``,
``屡查屡犯`` …) or when it is the same issue as one of the previous round's last report.
Across rounds only titles are compared, with the stricter :data:`~tracker.match.RECUR_MIN`:
a new round's notice reports on a new list, so its rectification texts say nothing about the
old one. Top-level issues are matched first; earlier-round issues left over may then match
sub-issues (a new notice often carries the old round's unfinished issues as ``1-2`` items).
"""

from __future__ import annotations

import re
from typing import Any

from crawler.parse.schema import Issue

from .match import RECUR_MIN, Match, match_issues
from .model import RecurringLink, TrackedReport
from .text import norm

_STATED_RE = re.compile(
    r"(?:上一?轮|上次|前次|上届|以往|历次|前几轮)[^。;；]{0,16}?(?:巡视|巡察)[^。;；]{0,8}?(?:指出|反馈|发现|交办|提出)"
    r"|本轮(?:巡视|巡察)[^。;；]{0,4}?仍"
    r"|反复出现|反复发生|重复出现|屡查屡犯|屡改屡犯|屡禁不止|屡纠屡犯|反弹回潮"
)

#: (index of a top-level issue, index of its sub-issue or None) in the later report.
Position = tuple[int, int | None]


def stated(issue: Issue) -> str | None:
    """The phrase of the issue's title saying the problem was found before, or None."""
    if not issue.title:
        return None
    m = _STATED_RE.search(issue.title)
    return norm(m.group(0)) if m else None


def match_rounds(previous: list[Issue], later: list[Issue], **features: Any) -> list[Match]:
    """Top-level issues of a new round's report matched to the previous round's (titles only)."""
    return match_issues(previous, later, threshold=RECUR_MIN, use_rectification=False, **features)


def links(previous: TrackedReport, later: TrackedReport, *,
          top: list[Match] | None = None) -> dict[Position, RecurringLink]:
    """Recurring links of ``later``'s issues and sub-issues to ``previous`` (an earlier round).

    ``top``: the top-level matches when the caller has them (:func:`match_rounds`).
    """
    prev_issues = previous.report.issues
    out: dict[Position, RecurringLink] = {}
    if top is None:
        top = match_rounds(prev_issues, later.report.issues, earlier_features=previous.features(),
                           later_features=later.features())
    for m in top:
        out[m.later, None] = _link(previous, m.earlier, m.similarity, later.report.issues[m.later])
    used = {m.earlier for m in top}
    rest = [i for i in range(len(prev_issues)) if i not in used]
    subs = [(i, k) for i, issue in enumerate(later.report.issues) for k in range(len(issue.sub_issues))]
    if rest and subs:
        sub_issues = [later.report.issues[i].sub_issues[k] for i, k in subs]
        for m in match_rounds([prev_issues[i] for i in rest], sub_issues):
            i, k = subs[m.later]
            out[i, k] = _link(previous, rest[m.earlier], m.similarity, sub_issues[m.later])
    return out


def stated_link(issue: Issue) -> RecurringLink | None:
    """A link without a target, for an issue that says it recurs."""
    phrase = stated(issue)
    return RecurringLink(stated=phrase) if phrase else None


def _link(previous: TrackedReport, index: int, similarity: float, issue: Issue) -> RecurringLink:
    target = previous.report.issues[index]
    return RecurringLink(stated=stated(issue), report_id=previous.id, issue_id=previous.issue_id(index),
                         label=target.label, title=target.title, similarity=round(similarity, 3))
