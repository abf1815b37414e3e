"""Whether two reports of a unit follow up the same inspection round.

Decided by the first fact both reports know, from the most to the least telling: the
inspector's level (巡视 by the province vs 巡察 by the city are different inspections), the
inspection's start date, the feedback date, the round's name, and the inspector's name
(one containing the other counts as the same: ``省委巡视组`` vs ``省委第三巡视组``).
When neither report says, they are taken as the same round: nothing shows otherwise.
:func:`tracker.compare.compare` also overrules a "new round" verdict when most issue titles
recur unchanged, which a new inspection's list would not do.
"""

from __future__ import annotations

import re

from crawler.parse.schema import Report

from .text import key

#: Two start (or feedback) dates this close are one inspection read differently (a notice
#: may give only the month); rounds of one unit are a year or more apart.
DATE_TOLERANCE_DAYS = 90

_TEAM_RE = re.compile(r"第[一二三四五六七八九十百零〇\d]+(?:巡视|巡察)组")


def same_round(a: Report, b: Report) -> bool:
    ia, ib = a.inspection, b.inspection
    if ia.inspector_level and ib.inspector_level and ia.inspector_level != ib.inspector_level:
        return False
    for x, y in ((ia.started_on, ib.started_on), (ia.feedback_on, ib.feedback_on)):
        if x is not None and y is not None:
            return abs((x - y).days) <= DATE_TOLERANCE_DAYS
    if ia.round and ib.round:
        return key(ia.round) == key(ib.round)
    x, y = _team(ia.inspector), _team(ib.inspector)
    if x and y:
        return x == y
    return True


def _team(inspector: str | None) -> str | None:
    """``第三巡视组`` of ``省委第三巡视组`` (None without a number)."""
    m = _TEAM_RE.search(key(inspector)) if inspector else None
    return m.group(0) if m else None
