"""Jinja2 for the pages: autoescaping always on, strict about undefined names, helpers for links.

Everything that came from a website (titles, texts, names, URLs) reaches the templates as data and is
escaped on output; a URL becomes a link only when it is absolute http(s) (:func:`safe_url`, shared with
the HTML alert report). The chart is the alert report's stacked-bar SVG.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request

from crawler.parse.schema import STATUS_LABELS, STATUSES
from tracker.alerts.html import STATUS_COLOURS, chart, safe_url
from tracker.alerts.model import KIND_LABELS, KINDS, ReportBar, UnitSummary
from tracker.alerts.model import ReportRef as AlertReport
from tracker.model import CHANGE_LABELS

from .schemas import TimelineEntry

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@lru_cache(maxsize=8)
def static_version(name: str) -> str:
    """A short hash of a static file, for cache-busting URLs."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def day(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def timeline_chart(unit_name: str | None, timeline: list[TimelineEntry]) -> dict[str, Any]:
    """The chart geometry of a unit's reports (issues per status in each)."""
    bars = [ReportBar(AlertReport(t.report.id, t.report.published_on, t.report.source_url, t.report.title),
                      dict(t.statuses)) for t in timeline]
    from crawler.parse.schema import Unit

    return chart(UnitSummary(Unit(name=unit_name), bars))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(safe_url=safe_url, day=day, percent=percent)
    env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUSES=STATUSES, STATUS_COLOURS=STATUS_COLOURS,
                       CHANGE_LABELS=CHANGE_LABELS, KIND_LABELS=KIND_LABELS, KINDS=KINDS,
                       timeline_chart=timeline_chart)
    return env


def precompile() -> None:
    """Compile every template once, before the first request needs it."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name)


class Page:
    """Per-request helpers the templates use: links under the app's root path, query strings."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.root = request.scope.get("root_path", "").rstrip("/")

    def url(self, path: str, **params: Any) -> str:
        """``path`` under the root, with the non-empty ``params`` as a query string (lists repeat)."""
        pairs = [(k, v) for k, value in params.items()
                 for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")]
        return self.root + path + ("?" + urlencode(pairs) if pairs else "")

    def with_page(self, page: int) -> str:
        """The current URL with ``page`` replaced (a query-only relative reference)."""
        pairs = [(k, v) for k, v in self.request.query_params.multi_items() if k != "page"]
        pairs.append(("page", str(page)))
        return "?" + urlencode(pairs)

    def static(self, name: str) -> str:
        return f"{self.root}/static/{name}?v={static_version(name)}"


def render(request: Request, template: str, **context: Any) -> str:
    return environment().get_template(template).render(page=Page(request), **context)
