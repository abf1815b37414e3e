"""Fixtures for the tracker's tests: the store's real databases (``db_url``: a SQLite file under
tmp_path, and PostgreSQL when RECTRACK_TEST_PG_URL is set) and small Report builders."""

from __future__ import annotations

import pytest

from storage.repository import open_store
from tests.storage.conftest import db_path, db_url  # noqa: F401  (fixtures shared with the store's tests)


@pytest.fixture
def store(db_url: str):  # noqa: F811
    with open_store(db_url) as s:
        yield s
