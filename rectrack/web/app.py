"""The FastAPI application: pages, API, error pages and security headers.

Errors never show a traceback: an unknown id or path is a 404 page (JSON under ``/api``), a bad query
parameter a 422 naming the parameter, a database that went away a 503, anything else a plain 500 (logged).
Only ``GET`` routes exist (``HEAD`` is answered as ``GET`` without a body); other methods get 405.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rectrack import __version__
from tracker.alerts.config import AlertsConfig

from . import api, pages
from .cache import Data
from .render import precompile, render
from .source import open_readonly

log = logging.getLogger("rectrack.web")

#: No script, nothing from elsewhere; styles from this site only; forms submit here only.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"),
           ("Content-Security-Policy", CSP))
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 422: "Invalid query",
          500: "Server error", 503: "Database unavailable"}


class SecurityHeaders:
    """Adds :data:`HEADERS` to every response that does not set them itself (pure ASGI, no buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answers ``HEAD`` like ``GET`` without the body (for link checkers and monitoring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def create_app(url: str | None = None, *, config: AlertsConfig | None = None, data: Data | None = None,
               today: Callable[[], date] | date | None = None, warm: bool = False) -> FastAPI:
    """The app on the database at ``url`` (opened read-only), or on a prepared :class:`Data`."""
    if data is None:
        if url is None:
            raise ValueError("create_app needs a database URL or a Data")
        clock = (lambda: today) if isinstance(today, date) else (today or date.today)
        data = Data(open_readonly(url), config or AlertsConfig(), today=clock, warm=warm)
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if data.warm:  # start computing every unit's digest now, not at the first request
            try:
                await anyio.to_thread.run_sync(data.snapshot)
            except DBAPIError as exc:
                log.warning("cannot read the database at start: %s", exc)
        yield
        data.close()

    app = FastAPI(title="rectrack", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  summary="Inspection-rectification notices (巡视/巡察整改进展情况的通报), their issues and alerts.",
                  description="Read-only. Every HTML page has a JSON twin under /api; dates are YYYY-MM-DD; statuses "
                              "and changes come with bilingual labels. A plain description is at /api.")
    app.state.data = data
    precompile()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/openapi")) or "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, problems: list[str] | None = None,
           json_detail: Any = None, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": json_detail if json_detail is not None else message}, status_code=status,
                            headers=headers)
    body = render(request, "error.html.j2", status_code=status, title=TITLES.get(status, "Error"), message=message,
                  problems=problems or [])
    return HTMLResponse(body, status_code=status, headers=headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and message == "Not Found":
        message = f"There is no page at {request.url.path}."
    return _error(request, exc.status_code, message, headers=getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(e.get("loc", ("",))[0] == "path" for e in errors):  # /units/abc, /issues/0: no such thing
        return _error(request, 404, f"There is nothing at {request.url.path}: ids are positive whole numbers.")
    problems = [_describe(e) for e in errors]
    detail = [{k: e.get(k) for k in ("loc", "msg", "type", "input")} for e in errors]
    return _error(request, 422, "A query parameter is not valid:", problems, json_detail=_jsonable(detail))


def _describe(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "body")]
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
    return f"{'.'.join(loc) or 'request'}: {error.get('msg', 'invalid')}{shown}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


async def _database_error(request: Request, exc: DBAPIError) -> Response:
    from storage.db import explain_db_error

    log.warning("database error on %s: %s", request.url.path, exc)
    return _error(request, 503, "The database cannot be read just now: " + explain_db_error(exc).split(";")[0] + ".")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error on %s", request.url.path, exc_info=exc)
    return _error(request, 500, "Something went wrong on the server; the error is in its log.")
