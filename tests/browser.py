"""Headless Debian Chromium through Playwright, shared by the browser tests.

The tests skip without Chromium or Playwright locally, and fail when CI is set (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("RECTRACK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def need(ok: bool, why: str) -> None:
    """Skip (fail in CI) unless ``ok``."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {why} (.ci/run installs chromium; pip install -e '.[test]' installs playwright)",
                    pytrace=False)
    pytest.skip(why)


@pytest.fixture
def browser() -> Iterator[Any]:
    need(Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()
