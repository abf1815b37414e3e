"""Query and path parameters shared by the pages and the API, validated by FastAPI (422 when wrong).

An empty form field (``since=`` from a date input left blank) means "no filter", not an error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from pydantic import BeforeValidator

from crawler.parse.schema import STATUSES
from tracker.alerts.model import KINDS

from .cache import Snapshot

#: Largest id accepted in a path (SQLite's INTEGER range); larger ones are simply not found.
MAX_ID = 2**63 - 1


def _blank(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Kind = Literal[KINDS]  # type: ignore[valid-type]
StatusName = Literal[STATUSES]  # type: ignore[valid-type]

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored id")]
PageNo = Annotated[int, Query(alias="page", ge=1, le=100_000, description="page number, from 1")]
Day = Annotated[date | None, BeforeValidator(_blank)]
OptionalId = Annotated[int | None, BeforeValidator(_blank)]
OptionalStatus = Annotated[StatusName | None, BeforeValidator(_blank)]
Text = Annotated[str | None, Query(max_length=200)]

SinceQuery = Annotated[Day, Query(description="only alerts filed on or after this date (YYYY-MM-DD)")]
UntilQuery = Annotated[Day, Query(description="only alerts filed on or before this date (YYYY-MM-DD)")]
KindQuery = Annotated[list[Kind], Query(description="only these kinds (repeatable): " + ", ".join(KINDS))]
UnitQuery = Annotated[OptionalId, Query(ge=1, le=MAX_ID, description="only this unit (its id)")]
ProvinceQuery = Annotated[str | None, Query(max_length=100, description="only units of this province (湖南省)")]


def snapshot(request: Request) -> Snapshot:
    """The current data snapshot (a FastAPI dependency)."""
    return request.app.state.data.snapshot()
