"""Fixtures shared by every test package."""

from __future__ import annotations

import os

import pytest

from tests.browser import browser  # noqa: F401  (headless Chromium, see tests/browser.py)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", default=False,
                     help="run the reliability families (crash trials, fuzzing, faults) at their full counts; "
                          "also set by RECTRACK_FULL_TESTS=1")


@pytest.fixture(scope="session")
def full_counts(request: pytest.FixtureRequest) -> bool:
    """True when the long test families should run their full counts (``--full`` or ``RECTRACK_FULL_TESTS=1``)."""
    return bool(request.config.getoption("--full")) or os.environ.get("RECTRACK_FULL_TESTS") == "1"

