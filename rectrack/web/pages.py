"""The HTML pages (server-rendered, no script), the Atom feeds and the stored-page downloads."""

from __future__ import annotations

import hashlib
import posixpath
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tracker.alerts.model import unit_key
from tracker.units import UnitGroup

from . import detail, views
from .cache import Snapshot
from .feeds import atom_feed
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
from .render import STATIC, render, static_version
from .search import COUNT_CAP, highlight, search

router = APIRouter(include_in_schema=False)
Snap = Annotated[Snapshot, Depends(snapshot)]

ATOM_TYPE = "application/atom+xml; charset=utf-8"
#: Stored content types → the extension of the downloaded file.
EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "application/pdf": ".pdf",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
              "application/msword": ".doc"}
SUFFIXES = frozenset({".html", ".htm", ".shtml", ".txt", ".pdf", ".docx", ".doc"})


def page(request: Request, template: str, *, status_code: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(request, template, **context), status_code=status_code)


def unit_group(snap: Snapshot, unit_id: int) -> UnitGroup:
    """The unit with this id; 404 when there is none."""
    group = snap.group(unit_id)
    if group is None:
        raise HTTPException(404, f"No unit with id {unit_id} is stored.")
    return group


def filter_unit(snap: Snapshot, unit_id: int | None) -> UnitGroup | None:
    """The unit a ``unit=`` filter names; 400 when it names none."""
    if unit_id is None:
        return None
    group = snap.group(unit_id)
    if group is None:
        raise HTTPException(400, f"Query parameter 'unit': no unit with id {unit_id} is stored.")
    return group


def stable_id(kind: str, identity: str) -> str:
    """A feed id that stays the same whatever host name or database copy serves it."""
    return f"urn:rectrack:{kind}:{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]}"


def not_found(exc: detail.NotFound) -> HTTPException:
    return HTTPException(404, f"No {exc.args[0]} is stored.")


@router.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(request.scope.get("root_path", "").rstrip("/") + "/units", status_code=307)


@router.get("/units", response_class=HTMLResponse)
def units_page(request: Request, snap: Snap, q: Text = None, province: ProvinceQuery = None, city: Text = None,
               page_no: PageNo = 1) -> HTMLResponse:
    return page(request, "units.html.j2", data=views.unit_list(snap, q=q, province=province, city=city, page=page_no))


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, snap: Snap, unit_id: Id) -> HTMLResponse:
    return page(request, "unit.html.j2", data=views.unit_detail(snap, unit_group(snap, unit_id)))


@router.get("/units/{unit_id}/feed.atom")
def unit_feed(request: Request, snap: Snap, unit_id: Id) -> Response:
    group = unit_group(snap, unit_id)
    data = views.unit_detail(snap, group)
    name = group.unit.name or "unit"
    base = str(request.base_url)
    body = atom_feed(title=f"rectrack alerts · {name}", feed_id=stable_id("unit", unit_key(group.unit)),
                     self_url=str(request.url), alternate_url=f"{base}units/{group.unit_ids[0]}", base_url=base,
                     alerts=data.alerts, as_of=snap.today)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, snap: Snap, report_id: Id) -> HTMLResponse:
    try:
        data = detail.report_detail(snap, report_id)
    except detail.NotFound as exc:
        raise not_found(exc) from None
    return page(request, "report.html.j2", data=data)


@router.get("/reports/{report_id}/raw")
def raw_download(snap: Snap, report_id: Id) -> Response:
    """The stored bytes as an attachment, never as a page of this site (octet-stream, nosniff, sandboxed)."""
    try:
        raw = detail.raw_page(snap, report_id)
    except detail.NotFound as exc:
        raise not_found(exc) from None
    kind = (raw.content_type or "").split(";")[0].strip().lower()
    ext = EXTENSIONS.get(kind)
    if ext is None:
        suffix = posixpath.splitext(urlsplit(raw.url or "").path)[1].lower()
        ext = suffix if suffix in SUFFIXES else ".bin"
    return Response(raw.data, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="report-{report_id}{ext}"',
        "Content-Security-Policy": "sandbox; default-src 'none'", "Cache-Control": "private, no-cache"})


@router.get("/issues/{issue_id}", response_class=HTMLResponse)
def issue_page(request: Request, snap: Snap, issue_id: Id) -> HTMLResponse:
    try:
        data = detail.issue_detail(snap, issue_id)
    except detail.NotFound as exc:
        raise not_found(exc) from None
    return page(request, "issue.html.j2", data=data)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, snap: Snap, kind: KindQuery = [], province: ProvinceQuery = None,  # noqa: B006
                unit: UnitQuery = None, since: SinceQuery = None, until: UntilQuery = None,
                page_no: PageNo = 1) -> HTMLResponse:
    group = filter_unit(snap, unit)
    data = views.alert_list(snap, kinds=kind, province=province, unit=group, since=since, until=until, page=page_no)
    feed = request.url.path + ".atom" + (f"?{request.url.query}" if request.url.query else "")
    return page(request, "alerts.html.j2", data=data, unit=views.unit_ref(group) if group else None,
                provinces=snap.provinces, feed_url=feed)


@router.get("/alerts.atom")
def alerts_feed(request: Request, snap: Snap, kind: KindQuery = [], province: ProvinceQuery = None,  # noqa: B006
                unit: UnitQuery = None, since: SinceQuery = None, until: UntilQuery = None) -> Response:
    group = filter_unit(snap, unit)
    data = views.alert_list(snap, kinds=kind, province=province, unit=group, since=since, until=until, per_page=100)
    base = str(request.base_url)
    title = "rectrack alerts" + (f" · {group.unit.name}" if group else "") + (f" · {province}" if province else "")
    filters = sorted(request.query_params.multi_items())
    body = atom_feed(title=title, feed_id=stable_id("alerts", repr(filters)), self_url=str(request.url),
                     alternate_url=f"{base}alerts", base_url=base, alerts=data.alerts, as_of=snap.today)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, snap: Snap, q: Text = None, status: OptionalStatus = None, unit: UnitQuery = None,
                page_no: PageNo = 1) -> HTMLResponse:
    group = filter_unit(snap, unit)
    data = search(snap, q or "", unit=group, status=status, page=page_no)
    return page(request, "search.html.j2", data=data, unit=views.unit_ref(group) if group else None,
                highlight=highlight, cap=COUNT_CAP)


@router.get("/api", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API described from the OpenAPI schema, as a plain page (Swagger UI would load a CDN)."""
    return page(request, "api.html.j2", spec=request.app.openapi(), type_of=_type_of)


def _type_of(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].split("/")[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


@router.get("/static/{name}")
def static(request: Request, name: str) -> Response:
    if name != "style.css":
        raise HTTPException(404, f"No static file {name!r}.")
    version = static_version(name)
    fresh = request.query_params.get("v") == version
    return Response((STATIC / name).read_bytes(), media_type="text/css; charset=utf-8", headers={
        "Cache-Control": "public, max-age=31536000, immutable" if fresh else "public, max-age=300",
        "ETag": f'"{version}"'})


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
