"""Benchmark the web view (``rectrack serve``) on a synthetic store: page and API timings.

    .venv/bin/python bench/web.py                 # 300 units × 10 reports × 50 issues
    .venv/bin/python bench/web.py --units 50      # a quick run

Builds a SQLite file with :func:`bench.track.build` (every unit has ``--reports`` reports), starts the
app in this process on uvicorn at 127.0.0.1 (a free port, real HTTP over one keep-alive connection)
and prints p50/p95 wall times per page and API endpoint:

- *cold* unit pages: each request is the first for its unit (its history is tracked then);
- *warm* pages: repeated requests once the caches hold what they need;
- the units list and the alerts page before and after the one-off pass that fills every unit's digest
  (``rectrack serve`` runs that pass in the background at start).

Target: a unit page of a unit with 10 reports under 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import uvicorn  # noqa: E402
from track import build  # noqa: E402

from rectrack.web import create_app  # noqa: E402
from rectrack.web.cache import tune_gc  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """GETs over one keep-alive HTTP connection; each returns (status, body, seconds)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes, float]:
        try:
            return self._get(path)
        except (http.client.RemoteDisconnected, ConnectionError):  # the server closed an idle connection
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return self._get(path)

    def _get(self, path: str) -> tuple[int, bytes, float]:
        t0 = time.perf_counter()
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - t0

    def json(self, path: str) -> dict:
        status, body, _ = self.get(path)
        assert status == 200, (path, status, body[:200])
        return json.loads(body)


def timed(client: Client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        status, body, seconds = client.get(path)
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}: {body[:300]!r}")
        out.append(seconds * 1000)
    return out


def row(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ordered[-1]:.1f} |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--reports", type=int, default=10)
    ap.add_argument("--issues", type=int, default=50)
    ap.add_argument("--runs", type=int, default=30, help="requests per warm measurement")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", help="SQLite file to build (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "web.db"
        if path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
        t0 = time.perf_counter()
        build(url, args.units, args.reports, args.issues, args.seed)
        print(f"built {args.units} units × {args.reports} reports × {args.issues} issues "
              f"({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        return run(url, args)


def run(url: str, args: argparse.Namespace) -> int:
    tune_gc()  # as `rectrack serve` does
    app = create_app(url, today=date(2026, 1, 1), warm=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    client = Client(port)
    rows: list[str] = []
    n = min(args.runs, args.units - 1)
    try:
        rows.append(row("first request after start (reads the units)", timed(client, ["/units/1"])))
        units = [f"/units/{u}" for u in range(2, 2 + n)]
        rows.append(row("unit page, cold (first request for the unit)", timed(client, units)))
        rows.append(row("unit page, warm", timed(client, ["/units/2"] * args.runs)))
        rows.append(row("API /api/units/{id}, cold", timed(client, [f"/api/units/{u}" for u in
                                                                    range(2 + n, 2 + 2 * n)])))
        rows.append(row("API /api/units/{id}, warm", timed(client, ["/api/units/2"] * args.runs)))
        detail = client.json("/api/units/2")
        issue = next(t["issue_id"] for t in detail["issues"] if t["reports"] == args.reports)
        report = detail["timeline"][-1]["report"]["id"]
        rows.append(row("issue history page (10 reports)", timed(client, [f"/issues/{issue}"] * args.runs)))
        rows.append(row("API /api/issues/{id}", timed(client, [f"/api/issues/{issue}"] * args.runs)))
        rows.append(row("report page (50 issues)", timed(client, [f"/reports/{report}"] * args.runs)))
        rows.append(row("unit Atom feed", timed(client, ["/units/2/feed.atom"] * args.runs)))
        rows.append(row("units page 1 (30 units), digests cold", timed(client, ["/units"])))
        rows.append(row("units page, name search", timed(client, ["/units?q=" + quote("测试7区")] * args.runs)))
        q = "/search?q=" + quote("整改到位")
        rows.append(row("search page (LIKE scan)", timed(client, [q] * max(5, args.runs // 3))))
        t0 = time.perf_counter()
        data = app.state.data
        data._warm(data.snapshot())  # what `rectrack serve` runs in the background at start
        full = time.perf_counter() - t0
        rows.append(row("units page, warm", timed(client, ["/units", "/units?page=3"] * (args.runs // 2))))
        rows.append(row("API /api/units, warm", timed(client, ["/api/units"] * args.runs)))
        rows.append(row("alerts page, warm", timed(client, ["/alerts"] * args.runs)))
        rows.append(row("alerts page, kind + date filter", timed(
            client, ["/alerts?kind=stalled&kind=regressed&since=2022-01-01"] * args.runs)))
        rows.append(row("API /api/alerts, warm", timed(client, ["/api/alerts?kind=dropped"] * args.runs)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(f"every unit's digest (counts + alerts), the one-off pass: {full:.1f} s for {args.units} units\n")
    print("| request | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
