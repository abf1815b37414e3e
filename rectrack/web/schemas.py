"""The JSON API's shapes (pydantic), which the HTML pages render too: one view model per page.

Field names follow SCHEMA.md and ``rectrack alerts --format json`` where they overlap. Statuses and
changes come with bilingual labels (``in progress 推进中``). Texts are returned exactly as stored:
escaping is the client's job (the HTML pages escape everything).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class UnitRef(BaseModel):
    """An inspected unit. ``id`` is its first stored unit row; other rows merged into it (the same
    unit named without its province) answer to their own ids too."""

    id: int
    name: str | None
    province: str | None = None
    city: str | None = None
    level: str | None = None
    adcode: str | None = None


class Counts(BaseModel):
    """``open``: in the latest report and not completed; ``stalled``: open with its text barely changed
    since the report before; ``resolved``: completed in the last report that listed it."""

    reports: int
    issues: int = Field(description="top-level issues in the latest report")
    open: int
    stalled: int
    resolved: int
    alerts: int


class UnitItem(BaseModel):
    unit: UnitRef
    counts: Counts
    first_published_on: date | None
    last_published_on: date | None
    names: list[str] = Field(description="every name the unit was seen under")


class Page(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


class UnitList(BaseModel):
    filters: dict[str, str | None]
    paging: Page
    units: list[UnitItem]
    provinces: list[str] = Field(description="provinces of all stored units, for filtering")


class ReportRef(BaseModel):
    id: int | None
    published_on: date | None
    source_url: str | None
    title: str | None = None


class DiffSegment(BaseModel):
    """A piece of a text diff (diff-match-patch): ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


class AlertStep(BaseModel):
    report: ReportRef
    issue_id: int | None
    label: str | None
    status: str = Field(description="a status, or `absent` where the issue was no longer listed")
    status_label: str
    change: str | None
    kept: float | None = None


class AlertIssue(BaseModel):
    id: int | None = Field(description="the issue in the latest report that lists it (for /api/issues/{id})")
    label: str | None
    title: str | None
    category: str | None
    status: str | None
    status_label: str | None


class AlertOut(BaseModel):
    key: str
    kind: str
    kind_label: str
    date: date | None
    message: str
    unit: UnitRef | None
    site: str | None
    issue: AlertIssue | None
    earlier: ReportRef | None
    later: ReportRef | None
    history: list[AlertStep]
    evidence: list[str]
    diff: list[DiffSegment] | None
    kept: float | None


class AlertList(BaseModel):
    as_of: date
    filters: dict[str, str | list[str] | None]
    counts: dict[str, int] = Field(description="alerts per kind for these filters, before paging")
    paging: Page
    alerts: list[AlertOut]


class TimelineEntry(BaseModel):
    """One report of a unit, in date order, with what changed since the one before it."""

    report: ReportRef
    inspector: str | None
    round: str | None
    statuses: dict[str, int] = Field(description="top-level issues per status")
    changes: dict[str, int] = Field(description="transitions from the report before, per change")
    change_labels: dict[str, str]
    same_round: bool | None = Field(description="null for the first report")


class ThreadOut(BaseModel):
    """An issue of the unit followed across its reports (top-level issues)."""

    issue_id: int | None
    label: str | None
    title: str | None
    status: str
    status_label: str
    first_published_on: date | None
    reports: int
    changes: list[str]
    ended: str | None
    open: bool


class UnitDetail(BaseModel):
    unit: UnitRef
    names: list[str]
    counts: Counts
    timeline: list[TimelineEntry]
    issues: list[ThreadOut]
    alerts: list[AlertOut]


class IssueOut(BaseModel):
    id: int
    seq: int
    label: str | None
    category: str | None
    title: str | None
    rectification: str
    status: str
    status_label: str
    evidence: list[str]
    change: str | None = Field(description="its transition from the unit's report before (tracked reports only)")
    change_label: str | None
    sub_issues: list[IssueOut] = []


class VanishedOut(BaseModel):
    """An issue of the report before that this report no longer lists."""

    issue_id: int | None
    label: str | None
    title: str | None
    change: str
    change_label: str


class RawInfo(BaseModel):
    available: bool
    content_type: str | None
    fetched_url: str | None
    download: str | None = Field(description="path of the raw download (an attachment)")


class ReportDetail(BaseModel):
    id: int
    version: int
    versions: list[dict[str, int]] = Field(description="every stored version of this notice: {id, version}")
    latest_id: int
    tracked: bool = Field(description="whether this is the copy the unit's tracking uses")
    title: str | None
    issuer: str | None
    published_on: date | None
    source_url: str | None
    unit: UnitRef
    inspection: dict[str, str | None]
    declared_issue_count: int | None
    warnings: list[str]
    raw: RawInfo
    issues: list[IssueOut]
    vanished: list[VanishedOut]


class HistoryStep(BaseModel):
    """The issue in one report; diffs are from the step before."""

    report: ReportRef
    issue_id: int | None
    label: str | None
    category: str | None
    title: str | None
    rectification: str | None
    status: str
    status_label: str
    change: str | None
    change_label: str | None
    kept: float | None
    similarity: float | None
    evidence: list[str]
    rectification_diff: list[DiffSegment] | None
    title_diff: list[DiffSegment] | None


class RecurringOut(BaseModel):
    stated: str | None
    issue_id: int | None
    report_id: int | None
    label: str | None
    title: str | None
    similarity: float | None


class IssueDetail(BaseModel):
    id: int
    unit: UnitRef
    tracked: bool = Field(description="false for an issue of a superseded version or a republished copy")
    parent_label: str | None = Field(description="the label of the issue this sub-issue sits under")
    steps: list[HistoryStep]
    ended: HistoryStep | None = Field(description="the report where it was no longer listed, if any")
    recurring: RecurringOut | None
    alerts: list[AlertOut]


class SearchHit(BaseModel):
    issue_id: int
    report_id: int
    unit: UnitRef | None
    published_on: date | None
    label: str | None
    title: str | None
    rectification: str
    status: str
    status_label: str
    matched: list[str] = Field(description="where the text was found: title, rectification")


class SearchResult(BaseModel):
    query: str
    filters: dict[str, str | None]
    paging: Page
    hits: list[SearchHit]


IssueOut.model_rebuild()
