"""Compare a report with the one before it: one :class:`~tracker.model.Transition` per issue.

:func:`compare` is a pure function of two reports (plain :class:`Report` objects, or
:class:`~tracker.model.TrackedReport` to carry database ids): no database, no clock. The
changes follow SCHEMA.md, "Tracking successive reports"; ``completed`` is the status
``completed`` and every other status is "not completed".

Sub-issues: top-level issues are matched and classified; the sub-issues of a matched pair
are then matched among themselves the same way and given as ``sub_transitions``, and those
of an unmatched issue share its fate (new, or closed/dropped by their own status). So every
issue and sub-issue gets exactly one change, while the top-level list stays keyed by the
labels a reader sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crawler.parse.schema import Issue, Report

from . import recurring, rounds
from .match import RECUR_MIN, Match, match_issues
from .model import Change, Comparison, RecurringLink, TrackedReport, Transition
from .text import STALLED_KEEP, kept_share

#: A "new round" report sharing this share of its titles (at least this many issues) with
#: the report before it is a follow-up of the same round.
SAME_LIST_SHARE = 0.5
SAME_LIST_MIN_ISSUES = 3


def classify(earlier: Issue | None, later: Issue | None, kept: float | None = None) -> Change:
    """The change of one issue; ``kept`` (share of the earlier text unchanged) decides stalled."""
    if earlier is None:
        if later is None:
            raise ValueError("an issue must be in at least one of the two reports")
        return "new"
    earlier_done = earlier.status == "completed"
    if later is None:
        return "closed" if earlier_done else "dropped"
    later_done = later.status == "completed"
    if earlier_done:
        return "done" if later_done else "regressed"
    if later_done:
        return "resolved"
    if kept is None:
        kept = kept_share(earlier.rectification, later.rectification)[0]
    return "stalled" if kept >= STALLED_KEEP else "progressing"


def compare(earlier: Report | TrackedReport, later: Report | TrackedReport, *, same_round: bool | None = None,
            previous_round: Report | TrackedReport | None = None) -> Comparison:
    """Compare ``later`` with ``earlier``, the report before it.

    ``same_round`` defaults to :func:`tracker.rounds.same_round`. Across rounds issues are
    matched by title only and strictly, and matched ones are flagged ``recurring``. Within a
    round, ``previous_round`` (the last report of the unit's previous inspection round, if
    any) supplies the ``recurring`` links.
    """
    a, b = TrackedReport.of(earlier), TrackedReport.of(later)
    if same_round is None:
        same_round = rounds.same_round(a.report, b.report)
    if not same_round and _mostly_same_titles(a, b):
        same_round = True  # the dates said otherwise, but a new round does not repeat the old list
    if same_round:
        matches = match_issues(a.report.issues, b.report.issues, earlier_features=a.features(),
                               later_features=b.features())
        links = recurring.links(TrackedReport.of(previous_round), b) if previous_round is not None else {}
    else:
        matches = recurring.match_rounds(a.report.issues, b.report.issues, earlier_features=a.features(),
                                         later_features=b.features())
        links = recurring.links(a, b, top=matches)
    transitions = _transitions(a.report.issues, b.report.issues, matches,
                               ids_a=lambda i: a.issue_id(i), ids_b=lambda j: b.issue_id(j),
                               link=lambda j: links.get((j, None)),
                               subs=lambda i, j: _subs(a, b, i, j, same_round, links))
    return Comparison(a.id, b.id, same_round, tuple(transitions))


def _mostly_same_titles(a: TrackedReport, b: TrackedReport) -> bool:
    """Whether most issues of the shorter list have a title found verbatim in the other."""
    ta = {f.title for f in a.features() if f.title}
    tb = {f.title for f in b.features() if f.title}
    small = min(len(ta), len(tb))
    return small >= SAME_LIST_MIN_ISSUES and len(ta & tb) >= SAME_LIST_SHARE * small


def _transitions(earlier: Sequence[Issue], later: Sequence[Issue], matches: list[Match], *,
                 ids_a: Callable[[int], int | None], ids_b: Callable[[int], int | None],
                 link: Callable[[int], RecurringLink | None],
                 subs: Callable[[int | None, int | None], tuple[Transition, ...]]) -> list[Transition]:
    """Transitions in reading order: the later report's order, each vanished issue placed
    before the first later issue that continues an issue after it in the earlier report."""
    by_later = {m.later: m for m in matches}
    paired = {m.earlier for m in matches}
    vanished = [i for i in range(len(earlier)) if i not in paired]
    out: list[Transition] = []
    pos = 0

    def gone(i: int) -> Transition:
        return Transition(classify(earlier[i], None), earlier[i], None, earlier_index=i,
                          earlier_issue_id=ids_a(i), sub_transitions=subs(i, None))

    for j, issue in enumerate(later):
        m = by_later.get(j)
        recur = link(j) or recurring.stated_link(issue)
        if m is None:
            out.append(Transition("new", None, issue, later_index=j, later_issue_id=ids_b(j), recurring=recur,
                                  sub_transitions=subs(None, j)))
            continue
        while pos < len(vanished) and vanished[pos] < m.earlier:
            out.append(gone(vanished[pos]))
            pos += 1
        old = earlier[m.earlier]
        kept, fresh = kept_share(old.rectification, issue.rectification)
        out.append(Transition(classify(old, issue, kept), old, issue, earlier_index=m.earlier, later_index=j,
                              similarity=m.similarity, kept=kept, fresh=fresh, earlier_issue_id=ids_a(m.earlier),
                              later_issue_id=ids_b(j), recurring=recur, sub_transitions=subs(m.earlier, j)))
    out.extend(gone(i) for i in vanished[pos:])
    return out


def _subs(a: TrackedReport, b: TrackedReport, i: int | None, j: int | None, same_round: bool,
          links: dict[recurring.Position, RecurringLink]) -> tuple[Transition, ...]:
    """Sub-transitions of top-level issue ``i`` (earlier) and/or ``j`` (later)."""
    earlier = a.report.issues[i].sub_issues if i is not None else []
    later = b.report.issues[j].sub_issues if j is not None else []
    if not earlier and not later:
        return ()
    if earlier and later:
        if same_round:
            matches = match_issues(earlier, later)
        else:
            matches = match_issues(earlier, later, threshold=RECUR_MIN, use_rectification=False)
    else:
        matches = []
    found = _transitions(earlier, later, matches,
                         ids_a=lambda k: a.issue_id(i, k) if i is not None else None,
                         ids_b=lambda k: b.issue_id(j, k) if j is not None else None,
                         link=lambda k: links.get((j, k)) if j is not None else None,
                         subs=lambda *_: ())
    return tuple(found)
