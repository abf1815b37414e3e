"""Atom feeds (RFC 4287) of alerts: one per unit, and one of all alerts.

Built with lxml (already a dependency), which escapes every text and attribute; characters XML 1.0
cannot carry at all (most C0 controls, lone surrogates) are removed first. An entry is an alert: its
id is the alert's stable key (the same alert keeps its id across runs and database rebuilds), its
``updated`` the date it is filed under, its link the issue's history page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from lxml import etree

from .schemas import AlertOut

ATOM = "http://www.w3.org/2005/Atom"
#: Entries per feed (the newest alerts).
LIMIT = 100
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    """``text`` as a string XML 1.0 can hold."""
    return _INVALID_XML.sub("", "" if text is None else str(text))


def _stamp(day: date | None, fallback: datetime) -> str:
    moment = datetime.combine(day, time(0, 0), tzinfo=UTC) if day else fallback
    return moment.isoformat().replace("+00:00", "Z")


def _add(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = clean(text)
    return el


def atom_feed(*, title: str, feed_id: str, self_url: str, alternate_url: str, base_url: str,
              alerts: Sequence[AlertOut], as_of: date) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration; ``base_url`` ends with ``/``."""
    fallback = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
    shown = sorted(alerts, key=lambda a: (a.date is None, -(a.date or date.min).toordinal()))[:LIMIT]
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    newest = max((a.date for a in shown if a.date), default=None)
    _add(feed, "updated", _stamp(newest, fallback))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    _add(_add(feed, "author"), "name", "rectrack")
    _add(feed, "generator", "rectrack")
    for a in shown:
        entry = _add(feed, "entry")
        _add(entry, "id", f"urn:rectrack:alert:{a.key}")
        _add(entry, "title", entry_title(a))
        _add(entry, "updated", _stamp(a.date, fallback))
        if a.issue and a.issue.id is not None:
            href = f"{base_url}issues/{a.issue.id}"
        elif a.unit is not None:
            href = f"{base_url}units/{a.unit.id}"
        else:
            href = f"{base_url}alerts"
        _add(entry, "link", rel="alternate", type="text/html", href=href)
        _add(entry, "category", term=a.kind, label=a.kind_label)
        _add(entry, "summary", entry_summary(a), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def entry_title(a: AlertOut) -> str:
    subject = a.unit.name if a.unit and a.unit.name else (f"site {a.site}" if a.site else "")
    issue = ""
    if a.issue is not None:
        label = f"#{a.issue.label} " if a.issue.label else ""
        title = (a.issue.title or "").strip()
        issue = f" {label}{title[:60]}{'…' if len(title) > 60 else ''}"
    return f"{a.kind_label} · {subject}{issue}".strip()


def entry_summary(a: AlertOut) -> str:
    lines = [a.message]
    if a.history:
        lines.append("History: " + "; ".join(
            f"{s.report.published_on.isoformat() if s.report.published_on else 'undated'} {s.status_label}"
            + (f" ({s.change})" if s.change else "") for s in a.history))
    for ref in (a.later, a.earlier):
        if ref is not None and ref.source_url:
            lines.append(f"Notice: {ref.source_url}")
            break
    return "\n".join(lines)
