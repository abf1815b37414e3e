"""Readable terminal summary of a parsed Report (unit, dates, a table of issues)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.parse.schema import STATUS_LABELS, Issue, Report

STATUS_STYLE = {"completed": "green", "partial": "yellow", "in_progress": "red", "unclear": "dim"}


def print_summary(report: Report, console: Console | None = None) -> None:
    """Print header facts, a status count, one row per issue and the warnings."""
    console = console or Console()
    unit, insp = report.unit, report.inspection
    place = " / ".join(x for x in (unit.province, unit.city) if x)
    console.print(f"[bold]{escape(report.title or '(no title)')}[/bold]")
    console.print(f"unit: {escape(unit.name or '?')}" + (f" ({escape(place)}, {unit.level})" if place else "")
                  + (f" adcode {unit.adcode}" if unit.adcode else ""))
    console.print(f"issuer: {escape(report.issuer or '?')}   published: {report.published_on or '?'}")
    period = f"{insp.started_on or '?'} – {insp.ended_on or '?'}"
    console.print(f"inspection: {escape(insp.inspector or '?')} ({insp.inspector_level or '?'})"
                  + (f", round {escape(insp.round)}" if insp.round else "")
                  + f", {period}, feedback {insp.feedback_on or '?'}")
    issues = report.iter_issues()
    counts = Counter(i.status for i in issues)
    declared = f" (declared {report.declared_issue_count})" if report.declared_issue_count is not None else ""
    console.print(f"issues: {len(report.issues)} + {len(issues) - len(report.issues)} sub-issues{declared}; "
                  + ", ".join(f"{STATUS_LABELS[s]}: {counts[s]}" for s in STATUS_LABELS if counts[s]))
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("title / rectification")
    for issue in report.issues:
        _row(table, issue, str(issue.seq))
        for sub in issue.sub_issues:
            _row(table, sub, f"{issue.seq}.{sub.seq}")
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def _row(table: Table, issue: Issue, number: str) -> None:
    text = issue.title or f"(no title) {issue.rectification}"
    text = text if len(text) <= 60 else text[:59] + "…"
    style = STATUS_STYLE.get(issue.status, "")
    table.add_row(number, escape(issue.label or "-"),
                  f"[{style}]{STATUS_LABELS[issue.status]}[/{style}]", escape(text))
