"""Issue chains for alerts: every issue *and sub-issue* followed across a unit's reports.

:mod:`tracker.threads` follows top-level issues; alerts are also raised on sub-issues (a
``1-2`` item carried over from an earlier round can stall too), so this walks the same
comparisons at both levels. A position is ``(issue index, sub-issue index or None)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from crawler.parse.schema import Issue

from ..model import Comparison, TrackedReport, Transition

Pos = tuple[int, int | None]


@dataclass(frozen=True)
class Link:
    """One transition between report ``k`` (``earlier`` position) and ``k + 1`` (``later``)."""

    transition: Transition
    earlier: Pos | None
    later: Pos | None


@dataclass(frozen=True)
class Chain:
    """An issue's cells ``(report index, position)`` in order; ``ended`` is the transition that
    made it vanish (closed/dropped) after its last cell, or None while it is still listed."""

    cells: tuple[tuple[int, Pos], ...]
    ended: Link | None

    @property
    def origin(self) -> tuple[int, Pos]:
        return self.cells[0]


class Chains:
    """The links of a unit's comparisons, by report index and position, in both directions."""

    def __init__(self, reports: Sequence[TrackedReport], comparisons: Sequence[Comparison]) -> None:
        self.reports = list(reports)
        self.incoming: list[dict[Pos, Link]] = [{} for _ in self.reports]
        self.outgoing: list[dict[Pos, Link]] = [{} for _ in self.reports]
        for k, comparison in enumerate(comparisons):
            for t in comparison.transitions:
                self._add(k, t, _pos(t.earlier_index), _pos(t.later_index))
                for s in t.sub_transitions:
                    self._add(k, s, _pos(t.earlier_index, s.earlier_index), _pos(t.later_index, s.later_index))

    def _add(self, k: int, t: Transition, earlier: Pos | None, later: Pos | None) -> None:
        link = Link(t, earlier, later)
        if earlier is not None:
            self.outgoing[k][earlier] = link
        if later is not None and k + 1 < len(self.reports):
            self.incoming[k + 1][later] = link

    def issue(self, k: int, pos: Pos) -> Issue:
        top = self.reports[k].report.issues[pos[0]]
        return top if pos[1] is None else top.sub_issues[pos[1]]

    def issue_id(self, k: int, pos: Pos) -> int | None:
        return self.reports[k].issue_id(pos[0], pos[1])

    def parent(self, k: int, pos: Pos) -> Issue | None:
        return self.reports[k].report.issues[pos[0]] if pos[1] is not None else None

    def link_into(self, k: int, pos: Pos) -> Link | None:
        return self.incoming[k].get(pos)

    def chains(self) -> Iterator[Chain]:
        """Every chain, by the report and position where it starts."""
        for k, tracked in enumerate(self.reports):
            for pos in _positions(tracked):
                into = self.incoming[k].get(pos)
                if into is None or into.earlier is None:
                    yield self.follow(k, pos)

    def follow(self, k: int, pos: Pos) -> Chain:
        """The chain starting at ``(k, pos)``, followed forward."""
        cells = [(k, pos)]
        while True:
            out = self.outgoing[k].get(pos)
            if out is None:
                return Chain(tuple(cells), None)
            if out.later is None:
                return Chain(tuple(cells), out)
            k, pos = k + 1, out.later
            cells.append((k, pos))


def _pos(index: int | None, *sub: int | None) -> Pos | None:
    """``(index, None)`` for a top-level issue, ``(index, sub)`` for a sub-issue; None when either is missing."""
    if index is None or (sub and sub[0] is None):
        return None
    return index, (sub[0] if sub else None)


def _positions(tracked: TrackedReport) -> Iterator[Pos]:
    for i, issue in enumerate(tracked.report.issues):
        yield i, None
        for s in range(len(issue.sub_issues)):
            yield i, s
