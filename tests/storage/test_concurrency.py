"""Four processes import the same 20 notices into one new database (SQLite file, PostgreSQL) at once."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Fetch, IssueRow, ReportRow, UnitName, UnitRow
from storage.repository import open_store
from tests.storage.conftest import SAMPLES

PROCESSES = 4
COPIES = 4  # 5 samples x 4 URLs = 20 distinct notices sharing 4 units


def _worker(url: str, files: list[str], barrier, results) -> None:  # noqa: ANN001
    try:
        from crawler.parse import parse_document

        reports = []
        for index, f in enumerate(files):
            raw = Path(f).read_bytes()
            page = f"https://www.example.gov.cn/xszg/{index}.html"
            reports.append((page, raw, parse_document(raw, name=Path(f).name, source_url=page)))
        barrier.wait(timeout=60)  # everybody opens (and migrates) the new database at once
        with open_store(url) as store:
            out = [store.ingest(r, raw=raw, fetch_url=page) for page, raw, r in reports]
        results.put(("ok", [(o.report_id, o.version, o.created) for o in out]))
    except BaseException:  # noqa: BLE001 - reported to the parent
        results.put(("error", traceback.format_exc()))


def test_four_processes_importing_the_same_files(db_url: str) -> None:
    assert len(SAMPLES) == 5
    files = [str(p) for p in SAMPLES] * COPIES
    url = db_url
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, files, barrier, results))
             for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert not errors, errors[0]
    per_process = [detail for _, detail in outcomes]
    # every process got the same report ids; each file was created by exactly one of them
    assert len({tuple((rid, v) for rid, v, _ in run) for run in per_process}) == 1
    for i in range(len(files)):
        assert sum(run[i][2] for run in per_process) == 1
    with open_store(url) as store, Session(store.engine) as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(ReportRow) == 20
        assert count(Fetch) == 20
        assert count(UnitRow) == 4
        assert count(UnitName) == session.scalar(select(func.count(func.distinct(UnitName.variant))))
        assert count(IssueRow) == sum(len(store.get_report(rid).iter_issues()) for rid, _, _ in per_process[0])
        assert session.scalar(select(func.max(ReportRow.version))) == 1
