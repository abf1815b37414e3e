"""The HTML alert report in a real browser: Debian's headless Chromium driven by Playwright.

Checks what a reader sees: the status chart is drawn, diffs are visible, a notice's
``<script>`` shows as text and runs nowhere (no dialog), nothing is fetched from the network.
Skipped locally when Chromium or Playwright is missing; fails instead when ``CI`` is set
(``.ci/run`` installs the ``chromium`` package).
"""

from __future__ import annotations

from pathlib import Path

from tests.storage.conftest import run, sqlite_url
from tests.tracker.test_alerts_cli import EVIL, evil_store


def test_the_report_in_headless_chromium(browser, tmp_path: Path) -> None:
    db = sqlite_url(tmp_path / "store.db")
    evil_store(db)
    report = tmp_path / "alerts.html"
    result = run(db, "alerts", "--format", "html", "--out", str(report), "--today", "2026-01-01")
    assert result.exit_code == 0, result.output

    page = browser.new_page(viewport={"width": 1100, "height": 1600})
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")

    chart = page.locator("figure.chart svg").first
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    bar = page.locator("figure.chart svg rect").first.bounding_box()
    assert bar is not None and bar["width"] > 0 and bar["height"] > 0

    inserted = page.locator("div.diff ins").first
    assert inserted.is_visible() and "onerror=alert(2)" in inserted.inner_text()
    assert page.locator("div.diff del").count() >= 1 and page.locator("div.diff del").first.is_visible()
    style = inserted.evaluate("e => getComputedStyle(e).backgroundColor")
    assert style not in ("rgba(0, 0, 0, 0)", "transparent")  # the change is highlighted

    title = page.locator("p.issue-title").first
    assert title.is_visible() and title.inner_text().startswith(EVIL)
    assert page.evaluate("document.scripts.length") == 0 and page.locator("img").count() == 0
    assert dialogs == []
    assert requests == [report.as_uri()]  # nothing but the file itself
    shot = tmp_path / "alerts.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
