"""Fixtures shared by every test package."""

from tests.browser import browser  # noqa: F401  (headless Chromium, see tests/browser.py)
