"""The parsed schema: the one shape every notice is normalised into.

Field names are the contract of ``SCHEMA.md`` (shared with storage and the tracker);
extra fields may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import cache
from typing import Any, Literal

SCHEMA_VERSION = "1"

Status = Literal["completed", "partial", "in_progress", "unclear"]
STATUSES: tuple[str, ...] = ("completed", "partial", "in_progress", "unclear")

#: Status names in both languages, for reports and summaries.
STATUS_LABELS: dict[str, str] = {
    "completed": "completed 已完成",
    "partial": "partial 阶段性完成",
    "in_progress": "in progress 推进中",
    "unclear": "unclear 未说明",
}



class _PickledAsValues:
    """Pickled as its class and the tuple of its field values (rebuilt by calling the class).

    A crawled report crosses two process boundaries (parse worker → crawl → database writer); this form
    unpickles in less than half the time of the default one (a dict per object)."""

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in _field_names(type(self)))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


UnitLevel = Literal["province", "city", "county", "organization"]
InspectorLevel = Literal["central", "provincial", "municipal", "county"]


@dataclass
class Unit(_PickledAsValues):
    """The inspected party (被巡视/被巡察党组织)."""

    name: str | None = None
    province: str | None = None
    city: str | None = None
    level: UnitLevel | None = None
    adcode: str | None = None
    #: For an ``organization`` unit: the division it belongs to, when the text shows it.
    parent: str | None = None


@dataclass
class Inspection(_PickledAsValues):
    """Who inspected, when, and when feedback was given."""

    inspector: str | None = None
    inspector_level: InspectorLevel | None = None
    round: str | None = None
    started_on: date | None = None
    ended_on: date | None = None
    feedback_on: date | None = None


@dataclass
class Issue(_PickledAsValues):
    """One feedback issue (or a sub-issue nested inside one)."""

    seq: int
    label: str | None = None
    category: str | None = None
    title: str | None = None
    rectification: str = ""
    status: Status = "unclear"
    status_evidence: list[str] = field(default_factory=list)
    sub_issues: list[Issue] = field(default_factory=list)


@dataclass
class Report(_PickledAsValues):
    """A parsed rectification notice."""

    title: str | None = None
    issuer: str | None = None
    published_on: date | None = None
    source_url: str | None = None
    unit: Unit = field(default_factory=Unit)
    inspection: Inspection = field(default_factory=Inspection)
    declared_issue_count: int | None = None
    issues: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: dates as ISO strings, field order as in SCHEMA.md."""
        raw = asdict(self)
        ordered = {"schema_version": raw.pop("schema_version")}
        ordered.update(raw)
        return _iso_dates(ordered)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Inverse of :meth:`to_dict` (storage and the tracker read reports back this way)."""
        unit = Unit(**_known(Unit, data.get("unit") or {}))
        insp_raw = _known(Inspection, data.get("inspection") or {})
        for key in ("started_on", "ended_on", "feedback_on"):
            insp_raw[key] = _to_date(insp_raw.get(key))
        return cls(
            title=data.get("title"),
            issuer=data.get("issuer"),
            published_on=_to_date(data.get("published_on")),
            source_url=data.get("source_url"),
            unit=unit,
            inspection=Inspection(**insp_raw),
            declared_issue_count=data.get("declared_issue_count"),
            issues=[_issue_from_dict(i) for i in data.get("issues") or []],
            warnings=list(data.get("warnings") or []),
            schema_version=str(data.get("schema_version") or SCHEMA_VERSION),
        )

    def iter_issues(self) -> list[Issue]:
        """Issues and their sub-issues, flattened in document order."""
        out: list[Issue] = []
        for issue in self.issues:
            out.append(issue)
            out.extend(issue.sub_issues)
        return out


def _issue_from_dict(data: dict[str, Any]) -> Issue:
    raw = _known(Issue, data)
    raw["sub_issues"] = [_issue_from_dict(s) for s in data.get("sub_issues") or []]
    raw.setdefault("seq", 0)
    return Issue(**raw)


def _known(klass: type, data: dict[str, Any]) -> dict[str, Any]:
    names = set(klass.__dataclass_fields__)
    return {k: v for k, v in data.items() if k in names}


def _to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _iso_dates(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _iso_dates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_iso_dates(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj
