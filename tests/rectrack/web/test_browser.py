"""End to end in a real browser: `rectrack serve` started as a process on the demo database, Debian's
headless Chromium driven by Playwright, as a reader would use it — the units page, a search for 荷塘区,
the unit, an issue's history with its diff — on a desktop and on a phone-sized screen.

Screenshots are kept under the test's tmp_path and copied to ``test-artifacts/web/`` (ignored by git).
Skipped locally when Chromium or Playwright is missing; fails instead when ``CI`` is set.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import import_samples

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "web"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`rectrack --db demo.db serve` on a free port of 127.0.0.1; its base URL once it answers."""
    db = tmp_path / "demo.db"
    import_samples(db)
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "rectrack.cli", "--db", str(db), "serve", "--host", "127.0.0.1",
                                "--port", str(port), "--today", "2026-06-01"], cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/units", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"rectrack serve did not start: {(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ARTIFACTS / path.name)
    except OSError:  # a read-only checkout: tmp_path keeps them
        pass


def test_find_a_unit_and_read_an_issue_history(browser, server: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (problems.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    page.goto(f"{server}/units")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("table.units tbody tr").count() == 4
    _shot(page, tmp_path, "1-units")

    page.locator("form.filters input[name=q]").fill("荷塘区")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("table.units tbody tr").count() == 1
    _shot(page, tmp_path, "2-search-hetang")

    page.get_by_role("link", name="荷塘区", exact=True).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("荷塘区")
    chart = page.locator("figure.chart svg").bounding_box()
    assert chart is not None and chart["width"] > 100 and chart["height"] > 100
    assert page.locator("ol.timeline > li").count() == 2
    _shot(page, tmp_path, "3-unit")

    page.locator("table.issues a", has_text="区二产业增加值排名全市城区末位").click()
    page.wait_for_load_state("load")
    assert "/issues/" in page.url
    inserted, deleted = page.locator("div.diff ins").first, page.locator("div.diff del").first
    assert inserted.is_visible() and deleted.is_visible()
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert page.locator("table.history tbody tr").count() == 2
    _shot(page, tmp_path, "4-issue-history")

    assert problems == []
    assert {r.split("/")[2] for r in requests} == {server.split("/")[2]}  # nothing fetched from elsewhere

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    for path, name in ((page.url.removeprefix(server), "5-issue-phone"), ("/units", "6-units-phone")):
        phone.goto(server + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
        _shot(phone, tmp_path, name)
