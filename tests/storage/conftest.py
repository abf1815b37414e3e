"""Shared helpers for the store's tests: real SQLite files under tmp_path, no mocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rectrack.cli import main
from storage.repository import Store, open_store

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "crawler" / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.txt"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(db_path: Path):
    with open_store(sqlite_url(db_path)) as s:
        yield s


__all__ = ["SAMPLES", "SAMPLES_DIR", "Store", "run", "sqlite_url"]
