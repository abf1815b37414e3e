"""The alert rules: pure functions of a unit's history (and, for sites, of the crawl log).

Issue rules follow each issue (and sub-issue) along its chain (:mod:`tracker.alerts.chains`):

- ``stalled`` / ``regressed`` / ``dropped``: the tracker's transitions of those names (SCHEMA.md);
- ``recurring``: an issue an earlier inspection round already found (stated in its title, or
  matched to the previous round's list), once, where it is first flagged;
- ``unresolved``: not completed in at least K successive reports (one alert per such run);
- ``overdue``: still listed and not completed N days after the inspection's feedback date,
  counted up to the latest report's date (``as_of: report``) or up to today (``as_of: today``).

Unit and source rules: ``followup_overdue`` (no new notice M days after the last one while
issues remain open) and ``site_failing`` (a site's last N crawls all failed).

Alert keys hash the kind, the unit, the issue's identity (where its chain starts: that report's
source URL — else its id — and the issue's position) and the report pair, so the same alert
gets the same key on every run and in a database rebuilt from the same notices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from crawler.parse.schema import STATUSES, Issue

from .. import recurring as recurring_mod
from ..history import UnitHistory
from .chains import Chain, Chains, Pos
from .config import AlertsConfig
from .diff import text_diff
from .model import Alert, ReportBar, ReportRef, Step, UnitSummary, alert_key, status_label, unit_key


def report_refs(h: UnitHistory) -> list[ReportRef]:
    return [ReportRef(r.id, r.report.published_on, r.report.source_url, r.report.title) for r in h.reports]


def unit_summary(h: UnitHistory) -> UnitSummary:
    """Top-level issue counts per status for each report of the unit (for the chart)."""
    bars = []
    for ref, tracked in zip(report_refs(h), h.reports, strict=True):
        counts = dict.fromkeys(STATUSES, 0)
        for issue in tracked.report.issues:
            counts[issue.status if issue.status in counts else "unclear"] += 1
        bars.append(ReportBar(ref, counts))
    return UnitSummary(h.unit, bars)


def unit_alerts(h: UnitHistory, config: AlertsConfig, today: date, kinds: Iterable[str]) -> list[Alert]:
    """The alerts of one unit for the active ``kinds``."""
    active = set(kinds)
    refs = report_refs(h)
    chains = Chains(h.reports, h.comparisons)
    ctx = _Context(h, chains, refs, config, today, active)
    out: list[Alert] = []
    for chain in chains.chains():
        out.extend(ctx.chain_alerts(chain))
    if "followup_overdue" in active:
        out.extend(ctx.followup())
    return out


class _Context:
    def __init__(self, h: UnitHistory, chains: Chains, refs: list[ReportRef], config: AlertsConfig, today: date,
                 active: set[str]) -> None:
        self.h, self.chains, self.refs, self.config, self.today, self.active = h, chains, refs, config, today, active
        self.subject = unit_key(h.unit)

    # ---- one chain ------------------------------------------------------------------------------

    def chain_alerts(self, chain: Chain) -> list[Alert]:
        k0, pos0 = chain.origin
        identity = f"{self.refs[k0].ref}#{_pos_text(pos0)}"
        history = self.history(chain)
        out: list[Alert] = []
        for c in range(1, len(chain.cells)):
            t = self.chains.link_into(*chain.cells[c])
            if t is not None and t.transition.change in ("stalled", "regressed") and t.transition.change in self.active:
                out.append(self.issue_alert(t.transition.change, chain, identity, history, c - 1, c,
                                            kept=t.transition.kept))
        if chain.ended is not None and chain.ended.transition.change == "dropped" and "dropped" in self.active:
            out.append(self.issue_alert("dropped", chain, identity, history, len(chain.cells) - 1, None))
        if "recurring" in self.active:
            out.extend(self.recurring(chain, identity, history))
        if "unresolved" in self.active:
            out.extend(self.unresolved(chain, identity, history))
        if "overdue" in self.active:
            out.extend(self.overdue(chain, identity, history))
        return out

    def history(self, chain: Chain) -> list[Step]:
        steps = []
        for c, (k, pos) in enumerate(chain.cells):
            issue = self.chains.issue(k, pos)
            link = self.chains.link_into(k, pos) if c else None
            change = link.transition.change if link is not None else None
            kept = link.transition.kept if link is not None else None
            steps.append(Step(self.refs[k], _label(self.chains, k, pos), issue.title, issue.status, change,
                              tuple(issue.status_evidence), kept, self.chains.issue_id(k, pos)))
        if chain.ended is not None:
            k = chain.cells[-1][0] + 1
            steps.append(Step(self.refs[k], None, None, None, chain.ended.transition.change))
        return steps

    def issue_alert(self, kind: str, chain: Chain, identity: str, history: list[Step], a: int, b: int | None,
                    *, kept: float | None = None, message: str | None = None, diff: bool = True,
                    details: dict[str, Any] | None = None) -> Alert:
        """An alert about cells ``a`` → ``b`` of ``chain`` (``b`` None: the report after the last cell)."""
        ka, pa = chain.cells[a]
        earlier = self.chains.issue(ka, pa)
        if b is None:
            kb, later = ka + 1, None
        else:
            kb, pb = chain.cells[b]
            later = self.chains.issue(kb, pb)
        shown = later or earlier
        pair = (self.refs[ka].ref if b is None or a != b else None, self.refs[kb].ref)
        extra = dict(details or {})
        parent = self.chains.parent(*chain.cells[b if b is not None else a])
        if parent is not None:
            extra["sub_issue_of"] = parent.label
        return Alert(
            kind=kind, key=alert_key(kind, self.subject, identity, pair), date=self.refs[kb].published_on,
            message=message or _message(kind, earlier, later, self.refs[ka], self.refs[kb], kept),
            unit=self.h.unit, label=_label(self.chains, *chain.cells[b if b is not None else a]),
            title=shown.title, category=shown.category, status=later.status if later else earlier.status,
            earlier=self.refs[ka] if a != b else None, later=self.refs[kb], history=history,
            evidence=list(shown.status_evidence), rectification=shown.rectification or None,
            diff=text_diff(earlier.rectification, later.rectification) if diff and later is not None and a != b
            else None, kept=kept, details=extra)

    def recurring(self, chain: Chain, identity: str, history: list[Step]) -> list[Alert]:
        for c, (k, pos) in enumerate(chain.cells):
            link = self.chains.link_into(k, pos)
            found = link.transition.recurring if link is not None else None
            if found is None and c == 0:
                found = recurring_mod.stated_link(self.chains.issue(k, pos))
            if found is None:
                continue
            details: dict[str, Any] = {"stated": found.stated}
            where = f"its title says so ({found.stated})" if found.stated else ""
            if found.linked:
                target = next((r for r in self.refs if r.id is not None and r.id == found.report_id), None)
                details.update(previous_report_id=found.report_id, previous_label=found.label,
                               previous_title=found.title, similarity=found.similarity,
                               previous_published_on=target.published_on.isoformat()
                               if target and target.published_on else None)
                same = f"the same as issue {found.label or '?'} of the previous round"
                where = f"{where} and {same}" if where else same
            message = f"a problem an earlier inspection round already found: {where}"
            return [self.issue_alert("recurring", chain, identity, history, c, c, message=message, diff=False,
                                     details=details)]
        return []

    def unresolved(self, chain: Chain, identity: str, history: list[Step]) -> list[Alert]:
        need = self.config.rules.unresolved.reports
        out, start = [], None
        statuses = [self.chains.issue(k, pos).status for k, pos in chain.cells] + ["completed"]
        for c, status in enumerate(statuses):
            if status != "completed":
                start = c if start is None else start
                continue
            if start is not None and c - start >= need:
                first, last = self.refs[chain.cells[start][0]], self.refs[chain.cells[c - 1][0]]
                message = (f"not completed in {c - start} successive reports "
                           f"({_day(first.published_on)} – {_day(last.published_on)})")
                out.append(self.issue_alert("unresolved", chain, identity, history, start, c - 1, message=message,
                                            details={"reports": c - start}))
            start = None
        return out

    def overdue(self, chain: Chain, identity: str, history: list[Step]) -> list[Alert]:
        rule = self.config.rules.overdue
        k, pos = chain.cells[-1]
        last = len(self.h.reports) - 1
        issue = self.chains.issue(k, pos)
        feedback = self.h.reports[last].report.inspection.feedback_on
        if k != last or issue.status == "completed" or feedback is None:
            return []
        as_of = self.refs[last].published_on if rule.as_of == "report" else self.today
        if as_of is None or (as_of - feedback).days < rule.days:
            return []
        days = (as_of - feedback).days
        message = (f"still {status_label(issue.status)} {days} days after the inspection feedback of "
                   f"{feedback.isoformat()} (as of {as_of.isoformat()}; limit {rule.days} days)")
        return [self.issue_alert("overdue", chain, identity, history, 0, len(chain.cells) - 1, message=message,
                                 details={"feedback_on": feedback.isoformat(), "as_of": as_of.isoformat(),
                                          "days": days, "limit": rule.days})]

    # ---- the unit ---------------------------------------------------------------------------------

    def followup(self) -> list[Alert]:
        """No new notice ``days`` after the unit's last dated one, while its latest list has open issues."""
        rule = self.config.rules.followup_overdue
        dated = [(r.published_on, k) for k, r in enumerate(self.refs) if r.published_on is not None]
        with_issues = [t for t in self.h.reports if t.report.issues]
        if not dated or not with_issues:
            return []
        last_day, k = max(dated)
        open_issues = [i for i in with_issues[-1].report.issues if i.status != "completed"]
        due = last_day + timedelta(days=rule.days)
        if not open_issues or self.today < due:
            return []
        late = (self.today - last_day).days
        message = (f"no new notice {late} days after the last one of {last_day.isoformat()} "
                   f"(limit {rule.days} days) while {len(open_issues)} issue(s) remain not completed")
        key = alert_key("followup_overdue", self.subject, "", (None, self.refs[k].ref))
        return [Alert(kind="followup_overdue", key=key,
                      date=due, message=message, unit=self.h.unit, later=self.refs[k],
                      details={"last_report_on": last_day.isoformat(), "due_on": due.isoformat(), "days": late,
                               "limit": rule.days, "open_issues": len(open_issues),
                               "open_labels": [i.label for i in open_issues if i.label][:50]})]


# ---- sites ------------------------------------------------------------------------------------

def site_alerts(runs_by_site: dict[str, list[Any]], config: AlertsConfig) -> list[Alert]:
    """``site_failing`` alerts from each site's finished runs, newest first (:class:`storage.crawllog.RunSummary`)."""
    need = config.rules.site_failing.runs
    out = []
    for site, runs in sorted(runs_by_site.items()):
        finished = [r for r in runs if r.status is not None]
        streak = []
        for run in finished:
            if run.status != "failed":
                break
            streak.append(run)
        if len(streak) < need:
            continue
        first, last = streak[-1], streak[0]
        reasons = [str(f.get("reason") if isinstance(f, dict) else f) for f in last.failures][:5]
        message = (f"the last {len(streak)} crawls of site {site} failed "
                   f"(since {first.started_at.date().isoformat()})")
        out.append(Alert(kind="site_failing", key=alert_key("site_failing", site, "", (str(first.id), None)),
                         date=last.started_at.date(), message=message, site=site,
                         details={"runs": len(streak), "limit": need, "first_run_id": first.id,
                                  "last_run_id": last.id, "first_failed_at": first.started_at.isoformat(),
                                  "last_failed_at": last.started_at.isoformat(), "last_failures": reasons}))
    return out


# ---- helpers ----------------------------------------------------------------------------------

def _pos_text(pos: Pos) -> str:
    return str(pos[0]) if pos[1] is None else f"{pos[0]}.{pos[1]}"


def _label(chains: Chains, k: int, pos: Pos) -> str | None:
    issue = chains.issue(k, pos)
    parent = chains.parent(k, pos)
    if parent is None or (issue.label and parent.label and issue.label.startswith(parent.label)):
        return issue.label
    return f"{parent.label or '?'} › {issue.label or '?'}"


def _day(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def _message(kind: str, earlier: Issue, later: Issue | None, a: ReportRef, b: ReportRef, kept: float | None) -> str:
    was, now = status_label(earlier.status), status_label(later.status if later else None)
    if kind == "stalled":
        share = f"{kept:.0%}" if kept is not None else "mostly"
        return (f"not completed on {_day(a.published_on)} ({was}) nor on {_day(b.published_on)} ({now}); "
                f"{share} of the earlier rectification text is repeated unchanged")
    if kind == "regressed":
        return f"reported completed on {_day(a.published_on)}, but {now} on {_day(b.published_on)}"
    if kind == "dropped":
        return f"not completed on {_day(a.published_on)} ({was}) and no longer listed on {_day(b.published_on)}"
    return kind
