"""`rectrack serve` refusing what it cannot show (one line, exit code 2), and the web view on both
database backends (SQLite, and PostgreSQL when RECTRACK_TEST_PG_URL is set)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rectrack.web import create_app
from tests.storage.conftest import db_url, run  # noqa: F401  (the two-backend fixture)

from .conftest import TODAY, import_samples, unit_id


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = run(missing, "serve", "--port", "0")
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        f"error: no database at {missing}: import or crawl notices first "
        f"(rectrack --db {missing} import FILES…, or rectrack demo)"]
    assert not missing.exists()  # never created


def test_serve_refuses_a_database_without_rectrack_data(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    result = run(other, "serve", "--port", "0")
    assert result.exit_code == 2 and "holds no rectrack data" in result.output and "Traceback" not in result.output


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    result = run(tmp_path / "x.db", "serve", "--port", "70000")
    assert result.exit_code == 2 and "70000" in result.output


def test_the_web_view_on_each_backend(db_url: str) -> None:  # noqa: F811
    import_samples(db_url)
    with TestClient(create_app(db_url, today=TODAY)) as client:
        uid = unit_id(client, "荷塘区")
        assert client.get("/units").status_code == 200 and client.get(f"/units/{uid}").status_code == 200
        detail = client.get(f"/api/units/{uid}").json()
        assert detail["counts"]["stalled"] == 31 and len(detail["timeline"]) == 2
        issue = next(a["issue"]["id"] for a in detail["alerts"]
                     if a["kind"] == "overdue" and a["issue"]["label"] == "7")
        steps = client.get(f"/api/issues/{issue}").json()["steps"]
        assert {d["op"] for d in steps[1]["rectification_diff"]} == {"equal", "insert", "delete"}
        hits = client.get("/api/search", params={"q": "40%"}).json()["hits"]
        assert hits and all("40%" in (h["title"] or "") + h["rectification"] for h in hits)
        assert client.get("/api/search", params={"q": "4_%"}).json()["hits"] == []  # wildcards are literal
        assert client.get("/api/search", params={"q": "食\x00堂"}).json()["hits"]  # no NUL reaches the database
        assert client.get("/api/alerts", params={"province": "湖南省"}).json()["paging"]["total"] > 0
        with client.app.state.data.engine.connect() as conn:
            try:
                conn.execute(text("DELETE FROM issues"))
            except DBAPIError:
                pass
            else:
                raise AssertionError("the web view's connection could write")
