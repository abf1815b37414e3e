"""The tracker's data: reports with their stored ids, transitions, comparisons.

Plain frozen dataclasses, so an alerts module can read them without touching the database;
:mod:`tracker.serialize` turns them into the JSON of SCHEMA.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from crawler.parse.schema import Issue, Report

Change = Literal["new", "closed", "dropped", "done", "resolved", "regressed", "stalled", "progressing"]
CHANGES: tuple[str, ...] = ("new", "closed", "dropped", "done", "resolved", "regressed", "stalled", "progressing")
#: The changes users are alerted to (SCHEMA.md).
ALERT_CHANGES: frozenset[str] = frozenset({"dropped", "regressed", "stalled"})

#: Change names in both languages, for tables.
CHANGE_LABELS: dict[str, str] = {
    "new": "new 新增", "closed": "closed 已销号", "dropped": "dropped 未报即消失", "done": "done 保持完成",
    "resolved": "resolved 新完成", "regressed": "regressed 完成后反复", "stalled": "stalled 停滞",
    "progressing": "progressing 有进展",
}


@dataclass
class TrackedReport:
    """A Report with its database ids: ``issue_ids[i]`` is the id of ``report.issues[i]``,
    ``sub_issue_ids[i][k]`` that of its k-th sub-issue. Ids are None for reports built in memory."""

    report: Report
    id: int | None = None
    issue_ids: list[int | None] = field(default_factory=list)
    sub_issue_ids: list[list[int | None]] = field(default_factory=list)
    _features: list[Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, report: Report | TrackedReport) -> TrackedReport:
        return report if isinstance(report, TrackedReport) else cls(report)

    def features(self) -> list[Any]:
        """The top-level issues' match features, computed once (the report must not change after)."""
        if self._features is None or len(self._features) != len(self.report.issues):
            from .match import features

            self._features = [features(i) for i in self.report.issues]
        return self._features

    def issue_id(self, index: int, sub: int | None = None) -> int | None:
        try:
            return self.issue_ids[index] if sub is None else self.sub_issue_ids[index][sub]
        except IndexError:
            return None


@dataclass(frozen=True)
class RecurringLink:
    """Why an issue is taken for one that an earlier inspection round already found.

    ``stated`` is the phrase in the issue's own title (上轮巡视指出…本轮巡视仍然存在, 反复出现 …);
    the other fields point at the matching issue of the earlier round's last report, if any.
    """

    stated: str | None = None
    report_id: int | None = None
    issue_id: int | None = None
    label: str | None = None
    title: str | None = None
    similarity: float | None = None

    @property
    def linked(self) -> bool:
        return self.similarity is not None


@dataclass(frozen=True)
class Transition:
    """What became of one issue between two reports (exactly one per issue of either report).

    ``earlier_index``/``later_index`` index the report's ``issues`` (for a sub-transition,
    the parent's ``sub_issues``). ``kept`` is the share of the earlier rectification text
    unchanged in the later one and ``fresh`` the share of the later text that is new
    (diff-match-patch; matched issues only).
    """

    change: Change
    earlier: Issue | None
    later: Issue | None
    earlier_index: int | None = None
    later_index: int | None = None
    similarity: float | None = None
    kept: float | None = None
    fresh: float | None = None
    earlier_issue_id: int | None = None
    later_issue_id: int | None = None
    recurring: RecurringLink | None = None
    sub_transitions: tuple[Transition, ...] = ()

    @property
    def earlier_label(self) -> str | None:
        return self.earlier.label if self.earlier else None

    @property
    def later_label(self) -> str | None:
        return self.later.label if self.later else None

    @property
    def earlier_status(self) -> str | None:
        return self.earlier.status if self.earlier else None

    @property
    def later_status(self) -> str | None:
        return self.later.status if self.later else None

    @property
    def title(self) -> str | None:
        """The later title, else the earlier one."""
        return (self.later.title if self.later else None) or (self.earlier.title if self.earlier else None)

    @property
    def is_alert(self) -> bool:
        return self.change in ALERT_CHANGES


@dataclass(frozen=True)
class Comparison:
    """A report compared with the one before it. ``same_round`` is False when the later report
    belongs to a new inspection round (its issues are then matched by title only, strictly)."""

    earlier_id: int | None
    later_id: int | None
    same_round: bool
    transitions: tuple[Transition, ...]

    def counts(self) -> dict[str, int]:
        """How many top-level transitions of each change, in :data:`CHANGES` order."""
        got = Counter(t.change for t in self.transitions)
        return {change: got[change] for change in CHANGES if got[change]}

    @property
    def alerts(self) -> list[Transition]:
        """Top-level and sub-issue transitions that users are alerted to."""
        out = []
        for t in self.transitions:
            if t.is_alert:
                out.append(t)
            out.extend(s for s in t.sub_transitions if s.is_alert)
        return out

    def by_later_index(self) -> dict[int, Transition]:
        return {t.later_index: t for t in self.transitions if t.later_index is not None}

    def by_earlier_index(self) -> dict[int, Transition]:
        return {t.earlier_index: t for t in self.transitions if t.earlier_index is not None}
