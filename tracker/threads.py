"""Issue threads: one issue's chain across all reports of its unit.

A thread starts where an issue first appears (in the first report, or as ``new``), follows
its matches report by report, and ends where it vanished (``closed``/``dropped``) or at the
unit's latest report. Top-level issues only; sub-issues are in the transitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import ALERT_CHANGES, Comparison, RecurringLink, TrackedReport


@dataclass(frozen=True)
class ThreadStep:
    """The issue in one report; ``change`` is how it got here from the report before (None at the start)."""

    report_id: int | None
    report_index: int
    issue_index: int
    issue_id: int | None
    label: str | None
    title: str | None
    status: str
    change: str | None = None
    similarity: float | None = None
    kept: float | None = None


@dataclass(frozen=True)
class IssueThread:
    steps: tuple[ThreadStep, ...]
    #: ``closed``/``dropped`` when the issue vanished after its last step, else None (still listed).
    ended: str | None = None
    recurring: RecurringLink | None = None

    @property
    def first(self) -> ThreadStep:
        return self.steps[0]

    @property
    def last(self) -> ThreadStep:
        return self.steps[-1]

    @property
    def changes(self) -> list[str]:
        out = [s.change for s in self.steps[1:] if s.change]
        return out + ([self.ended] if self.ended else [])

    @property
    def alerts(self) -> list[str]:
        return [c for c in self.changes if c in ALERT_CHANGES]

    @property
    def open(self) -> bool:
        """Listed in the latest report and not completed there."""
        return self.ended is None and self.last.status != "completed"


def build_threads(reports: Sequence[TrackedReport], comparisons: Sequence[Comparison]) -> list[IssueThread]:
    """Threads of ``reports`` (in order) given ``comparisons[k]`` = report k+1 vs report k."""
    if not reports:
        return []
    live: dict[int, list[ThreadStep]] = {}  # issue index in the current report → its steps so far
    recur: dict[int, RecurringLink | None] = {}
    done: list[IssueThread] = []
    for i, _ in enumerate(reports[0].report.issues):
        live[i] = [_step(reports[0], 0, i)]
        recur[i] = None
    for k, comparison in enumerate(comparisons, 1):
        nxt: dict[int, list[ThreadStep]] = {}
        nrecur: dict[int, RecurringLink | None] = {}
        for t in comparison.transitions:
            if t.later_index is None:
                steps = live.pop(t.earlier_index, None)
                if steps:
                    done.append(IssueThread(tuple(steps), t.change, recur.pop(t.earlier_index, None)))
                continue
            step = _step(reports[k], k, t.later_index, t.change, t.similarity, t.kept)
            if t.earlier_index is None:
                nxt[t.later_index], nrecur[t.later_index] = [step], t.recurring
            else:
                nxt[t.later_index] = [*live.pop(t.earlier_index, []), step]
                nrecur[t.later_index] = t.recurring or recur.pop(t.earlier_index, None)
        live, recur = nxt, nrecur
    done.extend(IssueThread(tuple(steps), None, recur.get(i)) for i, steps in live.items())
    return sorted(done, key=lambda th: (th.first.report_index, th.first.issue_index))


def _step(tracked: TrackedReport, k: int, index: int, change: str | None = None, similarity: float | None = None,
          kept: float | None = None) -> ThreadStep:
    issue = tracked.report.issues[index]
    return ThreadStep(tracked.id, k, index, tracked.issue_id(index), issue.label, issue.title, issue.status,
                      change, similarity, kept)
