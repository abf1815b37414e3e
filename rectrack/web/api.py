"""The JSON API: the pages' view models as JSON, described in ``/openapi.json``.

Responses are serialised straight from the pydantic models (``model_dump_json``: UTF-8, Chinese
unescaped); the ``response_model`` of each route documents the shape.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel

from . import detail, views
from .cache import Snapshot
from .pages import filter_unit, not_found, unit_group
from .params import (
    Id,
    KindQuery,
    OptionalStatus,
    PageNo,
    ProvinceQuery,
    SinceQuery,
    Text,
    UnitQuery,
    UntilQuery,
    snapshot,
)
from .schemas import AlertList, IssueDetail, ReportDetail, SearchResult, UnitDetail, UnitList
from .search import search

Snap = Annotated[Snapshot, Depends(snapshot)]


class ErrorOut(BaseModel):
    """An error: ``detail`` is a sentence, or (422) a list of {loc, msg, type, input}."""

    detail: str | list


ERRORS = {404: {"model": ErrorOut, "description": "no such id"},
          422: {"model": ErrorOut, "description": "a query parameter is not valid"}}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def as_json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/units", response_model=UnitList, summary="Units, with counts of open, stalled and resolved issues")
def api_units(snap: Snap, q: Text = None, province: ProvinceQuery = None, city: Text = None,
              page_no: PageNo = 1) -> Response:
    """Units found by any name a notice used (or part of one, or a division code), province and city; 30 a page,
    ordered by name."""
    return as_json(views.unit_list(snap, q=q, province=province, city=city, page=page_no))


@router.get("/units/{unit_id}", response_model=UnitDetail, summary="A unit: its reports, issues and alerts")
def api_unit(snap: Snap, unit_id: Id) -> Response:
    """The unit's reports in date order (status counts, changes from the report before), its issues followed
    across them, and its alerts."""
    return as_json(views.unit_detail(snap, unit_group(snap, unit_id)))


@router.get("/reports/{report_id}", response_model=ReportDetail, summary="A stored report with its issues")
def api_report(snap: Snap, report_id: Id) -> Response:
    """Every schema field, the issues with their statuses, evidence and changes, and whether the raw page is
    stored (``/reports/{id}/raw`` downloads it)."""
    try:
        return as_json(detail.report_detail(snap, report_id))
    except detail.NotFound as exc:
        raise not_found(exc) from None


@router.get("/issues/{issue_id}", response_model=IssueDetail, summary="An issue's history across its unit's reports")
def api_issue(snap: Snap, issue_id: Id) -> Response:
    """Every report the issue appeared in, its status in each, and diffs of its rectification text (and title)
    from one report to the next."""
    try:
        return as_json(detail.issue_detail(snap, issue_id))
    except detail.NotFound as exc:
        raise not_found(exc) from None


@router.get("/alerts", response_model=AlertList, summary="Alerts, newest first")
def api_alerts(snap: Snap, kind: KindQuery = [], province: ProvinceQuery = None,  # noqa: B006
               unit: UnitQuery = None, since: SinceQuery = None, until: UntilQuery = None,
               page_no: PageNo = 1) -> Response:
    """Alerts filtered by kind, province or unit and date (the later report's date for issue alerts); 50 a page.
    An unknown ``unit`` is a 400."""
    group = filter_unit(snap, unit)
    return as_json(views.alert_list(snap, kinds=kind, province=province, unit=group, since=since, until=until,
                                    page=page_no))


@router.get("/search", response_model=SearchResult, summary="Issues whose title or rectification text contains q")
def api_search(snap: Snap, q: Text = None, status: OptionalStatus = None, unit: UnitQuery = None,
               page_no: PageNo = 1) -> Response:
    """Full-text search (NFKC-normalised, a plain substring) over the latest version of each notice, newest
    first; 30 a page; ``paging.total`` stops counting at 1000."""
    if not (q or "").strip():
        raise HTTPException(422, "Query parameter 'q' is required: the words to search for.")
    return as_json(search(snap, q or "", unit=filter_unit(snap, unit), status=status, page=page_no))
