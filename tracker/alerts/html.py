"""The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched).

Rendered with jinja2 (the Pallets template engine, already a dependency) with autoescaping on,
so every text from a website — titles, rectification texts, URLs — is escaped; a source URL
becomes a link only when it is http(s). A Content-Security-Policy meta tag forbids scripts and
external resources as a second line of defence. The per-unit chart is an SVG of stacked bars
(issues per status in each report), its geometry computed here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crawler.parse.schema import STATUS_LABELS, STATUSES

from .model import KIND_LABELS, AlertSet, UnitSummary, status_label

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: Bar colours per status (colour-blind-safe: Okabe–Ito).
STATUS_COLOURS = {"completed": "#009E73", "partial": "#E69F00", "in_progress": "#0072B2", "unclear": "#999999"}

SLOT, BAR, PLOT_H, TOP, LEFT, BOTTOM = 74, 30, 120, 18, 34, 34


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL without control characters, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(ch) < 32 or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def chart(summary: UnitSummary) -> dict[str, Any]:
    """Geometry of the stacked-bar chart: width, height, bars with their rectangles and labels."""
    totals = [b.total for b in summary.bars]
    top_value = max([*totals, 1])
    width = LEFT + SLOT * max(1, len(summary.bars)) + 10
    base = TOP + PLOT_H
    bars = []
    for n, bar in enumerate(summary.bars):
        x = LEFT + n * SLOT + (SLOT - BAR) / 2
        y = float(base)
        rects = []
        when = bar.report.published_on.isoformat() if bar.report.published_on else "undated"
        for status in STATUSES:
            count = bar.counts.get(status, 0)
            if not count:
                continue
            h = count / top_value * PLOT_H
            y -= h
            rects.append({"x": round(x, 1), "y": round(y, 1), "w": BAR, "h": round(h, 1),
                          "fill": STATUS_COLOURS[status], "tip": f"{when}: {STATUS_LABELS[status]} {count}"})
        bars.append({"x": round(x + BAR / 2, 1), "rects": rects, "total": bar.total, "total_y": round(y - 4, 1),
                     "label": when, "label_y": base + 16, "id_label": f"#{bar.report.id}" if bar.report.id else "",
                     "id_y": base + 29})
    return {"width": width, "height": base + BOTTOM, "base": base, "left": LEFT, "top": TOP, "max": top_value,
            "bars": bars}


def _stamp(value: Any) -> str:
    return value.isoformat() if value is not None else "undated"


@lru_cache(maxsize=2)
def environment(markdown: bool = False) -> Environment:
    """The jinja2 environment: autoescaping on for HTML; Markdown escapes with its own filter."""
    from .render import changed, inline_diff, md_diff, md_escape, md_link, place, short_diff

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=not markdown, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(safe_url=safe_url, stamp=_stamp, status=status_label, md=md_escape, md_diff=md_diff,
                       md_link=md_link, short_diff=short_diff, inline_diff=inline_diff, chart=chart)
    env.globals.update(changed=changed, place=place, kind_labels=KIND_LABELS, STATUS_LABELS=STATUS_LABELS,
                       STATUSES=STATUSES, STATUS_COLOURS=STATUS_COLOURS)
    return env


def to_html(result: AlertSet, *, title: str = "rectrack alerts") -> str:
    from .render import groups

    template = environment().get_template("alerts.html.j2")
    return template.render(result=result, groups=list(groups(result)), title=title)
