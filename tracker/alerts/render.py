"""Alerts as text (rich, for a terminal), Markdown, JSON and CSV; HTML is :mod:`tracker.alerts.html`.

Everything that comes from a website is data: the terminal output is built from rich ``Text``
objects (never parsed as markup), Markdown escapes the characters Markdown and HTML give a
meaning to, and CSV cells that a spreadsheet would take for a formula get a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from .model import KINDS, Alert, AlertSet, Segment, UnitSummary, alert_to_dict, status_label, unit_key, unit_summary_to_dict

#: Characters of unchanged text kept around each change in short diffs (terminal, CSV, digests).
CONTEXT = 24


def groups(result: AlertSet) -> Iterator[tuple[UnitSummary | None, list[Alert]]]:
    """The alerts per unit (with the unit's chart data), then the site alerts (unit None)."""
    by_key: dict[str, list[Alert]] = {}
    sites: list[Alert] = []
    for a in result.alerts:
        if a.unit is None:
            sites.append(a)
        else:
            by_key.setdefault(unit_key(a.unit), []).append(a)
    rank = {kind: n for n, kind in enumerate(KINDS)}
    found = [(summary, sorted(by_key[unit_key(summary.unit)], key=lambda a: rank.get(a.kind, len(rank))))
             for summary in result.units if by_key.get(unit_key(summary.unit))]
    # units whose notices show stalled, regressed, dropped or recurring issues first: what readers come for
    found.sort(key=lambda pair: -sum(a.kind in KINDS[:4] for a in pair[1]))
    yield from found
    if sites:
        yield None, sites


def place(unit: Any) -> str:
    return " ".join(x for x in (unit.province, unit.city) if x) if unit is not None else ""


def short_diff(segments: list[Segment] | None, *, context: int = CONTEXT, limit: int = 600) -> list[Segment]:
    """The diff with long unchanged stretches cut to ``context`` characters around the changes."""
    if not segments:
        return []
    out: list[Segment] = []
    for n, s in enumerate(segments):
        text = s.text
        if s.op == "equal" and len(text) > 2 * context + 1:
            head = text[:context] if n else ""
            tail = text[-context:] if n < len(segments) - 1 else ""
            text = f"{head}…{tail}"
        out.append(Segment(s.op, text))
    total = 0
    for n, s in enumerate(out):
        total += len(s.text)
        if total > limit:
            return [*out[:n], Segment(s.op, s.text[: max(0, len(s.text) - (total - limit))] + "…")]
    return out


def inline_diff(segments: list[Segment] | None, **kw: Any) -> str:
    """``[-deleted-]{+inserted+}`` notation (as ``git diff --word-diff``) of :func:`short_diff`."""
    marks = {"insert": ("{+", "+}"), "delete": ("[-", "-]"), "equal": ("", "")}
    return "".join(marks[s.op][0] + s.text + marks[s.op][1] for s in short_diff(segments, **kw))


def changed(a: Alert) -> bool:
    return bool(a.diff) and any(s.op != "equal" for s in a.diff or [])


# ---- JSON ---------------------------------------------------------------------------------------

def to_json(result: AlertSet) -> str:
    data = {"as_of": result.as_of.isoformat(), "counts": result.counts(),
            "alerts": [alert_to_dict(a) for a in result.alerts],
            "units": [unit_summary_to_dict(u) for u in result.units]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ---- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = ("key", "kind", "kind_label", "date", "unit", "province", "city", "site", "label", "title", "status",
               "message", "earlier_report_id", "earlier_published_on", "earlier_url", "later_report_id",
               "later_published_on", "later_url", "history", "evidence", "kept", "diff", "details")

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value  # a spreadsheet would run it as a formula
    return "" if value is None else value


def csv_rows(result: AlertSet) -> Iterator[dict[str, Any]]:
    for a in result.alerts:
        e, later = a.earlier, a.later
        history = "; ".join(f"{s.report.published_on or 'undated'} {status_label(s.status)}"
                            + (f" ({s.change})" if s.change else "") for s in a.history)
        row = {"key": a.key, "kind": a.kind, "kind_label": a.kind_label, "date": a.date,
               "unit": a.unit.name if a.unit else None, "province": a.unit.province if a.unit else None,
               "city": a.unit.city if a.unit else None, "site": a.site, "label": a.label, "title": a.title,
               "status": a.status, "message": a.message,
               "earlier_report_id": e.id if e else None, "earlier_published_on": e.published_on if e else None,
               "earlier_url": e.source_url if e else None, "later_report_id": later.id if later else None,
               "later_published_on": later.published_on if later else None,
               "later_url": later.source_url if later else None, "history": history,
               "evidence": "; ".join(a.evidence), "kept": round(a.kept, 3) if a.kept is not None else None,
               "diff": inline_diff(a.diff) if changed(a) else None,
               "details": json.dumps(a.details, ensure_ascii=False) if a.details else None}
        yield {k: _cell(v) for k, v in row.items()}


def to_csv(result: AlertSet) -> str:
    """UTF-8 text with a BOM (so spreadsheets read the Chinese right): one row per alert."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    writer.writerows(csv_rows(result))
    return out.getvalue()


# ---- Markdown -----------------------------------------------------------------------------------

#: What could start emphasis, code, a link, a table cell or strike-through inside a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown line: HTML's ``& < >`` as entities, inline marks backslash-escaped,
    white space (line breaks too) collapsed, so no text can open a heading, list, link or HTML tag."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def md_diff(segments: list[Segment] | None, **kw: Any) -> str:
    """Deleted text as ``~~…~~``, inserted as ``**…**`` (escaped)."""
    marks = {"insert": "**", "delete": "~~", "equal": ""}
    return "".join(f"{marks[s.op]}{md_escape(s.text)}{marks[s.op]}" if s.text.strip() else md_escape(s.text)
                   for s in short_diff(segments, **kw))


def md_link(text: Any, url: str | None) -> str:
    from .html import safe_url

    href = safe_url(url)
    label = md_escape(text)
    if not href:
        return label
    return f"[{label}](<{href.replace('<', '%3C').replace('>', '%3E')}>)"


def to_markdown(result: AlertSet) -> str:
    from .html import environment

    env = environment(markdown=True)
    return env.get_template("alerts.md.j2").render(result=result, groups=list(groups(result)))
