"""Alerts for a terminal (rich, like the other commands): per unit a status line per report, then
each alert with its history, evidence and the changed part of the text.

Texts from websites go into rich ``Text`` objects, which rich never parses as markup, so a
notice containing ``[bold]`` or escape sequences prints as it is (control characters removed).
"""

from __future__ import annotations

import re
from typing import IO

from rich.console import Console
from rich.text import Text

from crawler.parse.schema import STATUS_LABELS, STATUSES

from .model import KIND_LABELS, Alert, AlertSet, UnitSummary, status_label
from .render import changed, groups, place, short_diff

KIND_STYLE = {"stalled": "bold yellow", "regressed": "bold red", "dropped": "bold red", "recurring": "bold magenta",
              "overdue": "yellow", "unresolved": "yellow", "site_failing": "bold blue", "followup_overdue": "blue"}
STATUS_STYLE = {"completed": "green", "partial": "yellow", "in_progress": "cyan", "unclear": "dim"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: object) -> str:
    """Text without control characters (a notice must not drive the terminal)."""
    return _CONTROL.sub("", "" if value is None else str(value))


def print_alerts(result: AlertSet, file: IO[str] | None = None, *, width: int | None = None) -> None:
    console = Console(file=file, width=width, highlight=False, emoji=False)
    if not result.alerts:
        console.print("no alerts" + f" (as of {result.as_of.isoformat()})")
        return
    counts = ", ".join(f"{KIND_LABELS[k]}: {n}"
                       for k, n in result.counts().items())
    console.print(Text(f"{len(result.alerts)} alert(s) as of {result.as_of.isoformat()} — {counts}", style="bold"))
    for summary, alerts in groups(result):
        if summary is not None:
            _unit_header(console, summary, len(alerts))
        else:
            console.rule(Text("sources 数据来源", style="bold"))
        for a in alerts:
            _alert(console, a)


def _unit_header(console: Console, summary: UnitSummary, n: int) -> None:
    u = summary.unit
    title = Text(clean(u.name or "(unnamed unit)"), style="bold")
    if place(u):
        title.append(f" ({clean(place(u))})")
    title.append(f" · {len(summary.bars)} report(s) · {n} alert(s)")
    console.rule(title)
    for b in summary.bars:
        line = Text(f"  {str(b.report.published_on or 'undated'):<10}  ")
        line.append(f"report {b.report.id}  " if b.report.id is not None else "")
        line.append(f"{b.total} issue(s): ")
        line.append_text(Text(", ").join(Text(f"{STATUS_LABELS[s]} {b.counts[s]}", style=STATUS_STYLE[s])
                                         for s in STATUSES if b.counts.get(s)) or Text("none"))
        console.print(line)
    console.print()


def _alert(console: Console, a: Alert) -> None:
    head = Text(a.kind_label, style=KIND_STYLE.get(a.kind, "bold"))
    if a.site:
        head.append(f"  site {clean(a.site)}")
    if a.label:
        head.append(f"  #{clean(a.label)}")
    if a.title:
        title = clean(a.title)
        head.append("  " + (title if len(title) <= 80 else title[:79] + "…"))
    console.print(head)
    console.print(Text("  " + clean(a.message)))
    if a.history:
        line = Text("  ")
        for n, s in enumerate(a.history):
            if n:
                line.append(" → ")
            line.append(f"{s.report.published_on or 'undated'} ")
            line.append(status_label(s.status), style=STATUS_STYLE.get(s.status or "", "red"))
        console.print(line)
    if a.evidence:
        console.print(Text("  evidence: " + "; ".join(clean(e) for e in a.evidence), style="dim"))
    if changed(a):
        diff = Text("  text: ")
        for s in short_diff(a.diff, limit=400):
            style = {"insert": "green underline", "delete": "red strike"}.get(s.op, "")
            diff.append(clean(s.text), style=style)
        console.print(diff)
    url = a.later.source_url if a.later and a.later.source_url else None
    if url:
        console.print(Text("  " + clean(url), style="dim"))
    console.print()
