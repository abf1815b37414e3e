"""Fixtures of the web view's tests: a demo database (the bundled sample notices imported with
``rectrack import``), a database of notices that try to inject markup, and TestClients on them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawler.parse.schema import Issue, Unit
from rectrack.web import create_app
from storage.repository import open_store
from tests.storage.conftest import SAMPLES_DIR, run, sqlite_url
from tests.tracker.factory import RECTS, TITLES, issue, report

TODAY = date(2026, 6, 1)
EVIL = "<script>alert(1)</script>"
EVIL_URL = "javascript:alert(document.cookie)"
EVIL_UNIT = Unit(name='<b onmouseover="alert(3)">恶意</b>区', province="湖南省", city="株洲市", level="county")
EVIL_RAW = b"<html><body><script>alert('raw')</script><p>\xe9\x80\x9a\xe6\x8a\xa5</p></body></html>"


def import_samples(db: str | Path) -> None:
    result = run(db, "import", str(SAMPLES_DIR))
    assert result.exit_code == 0, result.output


def build_evil(url: str) -> None:
    """Two notices of one unit whose every text field tries to inject markup, a script URL, an
    entity and characters XML cannot hold; the first is stored with a raw HTML page."""
    with open_store(url) as store:
        first = report(date(2025, 3, 1), [
            issue("1", f"{EVIL}教学楼问题 &amp; 食堂 [link](javascript:x)\x0b", f"{EVIL}正在推进加固工程。",
                  "in_progress", category=f"<i>{EVIL}</i>分类"),
            issue("2", TITLES[2], RECTS[2] + "已全部整改到位。", "completed",
                  subs=[Issue(seq=1, label="2-1", title=f"{EVIL}子问题", rectification="正在推进。",
                              status="in_progress", status_evidence=[f"{EVIL}正在推进"])])],
            unit=EVIL_UNIT, url="https://www.example.gov.cn/1.html")
        first.title = f"{EVIL}关于巡视整改进展情况的通报"
        first.warnings = [f"{EVIL} warning"]
        second = report(date(2025, 9, 1), [
            issue("1", f"{EVIL}教学楼问题 &amp; 食堂 [link](javascript:x)\x0b",
                  f"{EVIL}正在推进加固工程。<img src=x onerror=alert(2)>新增=SUM(A1)", "in_progress"),
            issue("2", TITLES[2], RECTS[2] + "正在推进。", "in_progress")], unit=EVIL_UNIT, url=EVIL_URL)
        second.title = f"{EVIL}通报 &lt;b&gt;"
        store.ingest(first, raw=EVIL_RAW, content_type="text/html; charset=utf-8")
        store.ingest(second, raw=None)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("web") / "demo.db"
    import_samples(path)
    return sqlite_url(path)


@pytest.fixture(scope="module")
def client(demo_db: str):
    with TestClient(create_app(demo_db, today=TODAY)) as c:
        yield c


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory):
    url = sqlite_url(tmp_path_factory.mktemp("evil") / "evil.db")
    build_evil(url)
    with TestClient(create_app(url, today=TODAY)) as c:
        yield c


def unit_id(client: TestClient, name: str) -> int:
    found = client.get("/api/units", params={"q": name}).json()["units"]
    assert len(found) == 1, found
    return found[0]["unit"]["id"]
