"""Ingest throughput of the store: synthetic reports of 50 issues, with their raw pages.

Prints reports/s and issues/s, and the database size per 1,000 reports (raw pages included), for
``Store.ingest`` one report at a time and for ``Store.ingest_many`` in batches (as the crawler stores).
Run: ``python bench/store.py [--reports 2000] [--db URL …]``; without ``--db`` it measures a
fresh SQLite file, and also PostgreSQL when ``RECTRACK_TEST_PG_URL`` names a server
(the database in that URL is used as a scratch area: its tables are dropped first).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.parse.schema import Inspection, Issue, Report, Unit  # noqa: E402
from storage.models import Base  # noqa: E402
from storage.repository import Ingest, open_store  # noqa: E402

PHRASES = ["一是完善制度机制,加强日常监督。", "已全部整改到位。", "正在加快推进项目建设。", "二是开展专项检查,发现问题及时整改。",
           "58个子项目中,51个项目顺利完工,7个项目正在有序实施。", "三是强化警示教育,召开专题会议。"]


def synthetic_report(n: int, rnd: random.Random, issues: int = 50) -> tuple[Report, bytes]:
    """A report of ``issues`` issues for unit ``n % 3000``, and a raw page of realistic size."""
    unit = Unit(name=f"测试{n % 3000}区", province="湖南省", city="某市", level="county")
    report = Report(
        title=f"中共测试{n % 3000}区委关于巡视整改进展情况的通报({n})",
        issuer=f"中共测试{n % 3000}区委", published_on=date(2024, 1, 1) + timedelta(days=n % 700),
        source_url=f"https://www.example.gov.cn/xszg/{n}.html", unit=unit,
        inspection=Inspection(inspector="省委第九巡视组", inspector_level="provincial",
                              started_on=date(2023, 3, 5), ended_on=date(2023, 5, 16)),
    )
    for seq in range(1, issues + 1):
        rect = "".join(rnd.choice(PHRASES) for _ in range(6))
        report.issues.append(Issue(seq=seq, label=str(seq), category="落实全面从严治党责任不到位",
                                   title=f"问题{seq}:某领域监管不到位,存在风险隐患{n}-{seq}。", rectification=rect,
                                   status=rnd.choice(["completed", "partial", "in_progress", "unclear"]),
                                   status_evidence=[rect[:20]]))
    raw = ("<html><body><div class='TRS_Editor'>" + "".join(
        f"<p>{i.title}</p><p>整改情况:{i.rectification}</p>" for i in report.issues) + "</div></body></html>").encode()
    return report, raw


def measure(label: str, url: str, count: int, size_of, batch: int = 1) -> None:
    """Ingest ``count`` reports: one per call (``batch == 1``) or ``batch`` per ``ingest_many`` call."""
    rnd = random.Random(7)
    data = [synthetic_report(n, rnd) for n in range(count)]
    with open_store(url) as store:
        start = time.perf_counter()
        if batch == 1:
            for report, raw in data:
                store.ingest(report, raw=raw)
        else:
            for first in range(0, count, batch):
                store.ingest_many([Ingest(report, raw=raw) for report, raw in data[first:first + batch]])
        elapsed = time.perf_counter() - start
        size = size_of(store)
    issues = sum(len(r.issues) for r, _ in data)
    how = "one by one" if batch == 1 else f"batches of {batch}"
    print(f"{label:10} {how:14} {count} reports in {elapsed:6.1f} s: {count / elapsed:7.1f} reports/s "
          f"{issues / elapsed:9.0f} issues/s; size {size / count * 1000 / 1e6:6.1f} MB per 1,000 reports")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=50, help="reports per ingest_many call in the batched run")
    args = ap.parse_args()
    for batch in (1, args.batch):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            measure("SQLite", f"sqlite:///{path}", args.reports,
                    lambda store, path=path: path.stat().st_size + sum(
                        p.stat().st_size for p in path.parent.glob("bench.db-*")), batch)
    pg = os.environ.get("RECTRACK_TEST_PG_URL")
    if pg:
        def pg_size(store) -> int:
            with store.engine.connect() as conn:
                return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())

        for batch in (1, args.batch):
            with open_store(pg) as store, store.engine.begin() as conn:
                Base.metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            measure("PostgreSQL", pg, args.reports, pg_size, batch)
    else:
        print("PostgreSQL: set RECTRACK_TEST_PG_URL=postgresql+psycopg://… to measure it too")
    return 0


if __name__ == "__main__":
    sys.exit(main())
