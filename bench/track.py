"""Benchmark the tracker on a synthetic store: UNITS units × REPORTS reports × ISSUES issues.

    .venv/bin/python bench/track.py                # 3,000 × 5 × 50 (about 750,000 issues)
    .venv/bin/python bench/track.py --units 200    # a quick run

Builds a SQLite file with bulk inserts into the real tables (schema by the store's migrations),
from texts of the sample notices: each report follows the one before with issues renumbered
and shuffled, a few dropped and added, some titles reworded, texts kept (stalled), replaced
(progressing) or closed. Then, in a fresh process (so its peak memory is the tracker's alone):
the full tracking time (every unit loaded and compared), the time to serialise it all as JSON,
and the incremental time of :func:`tracker.history.track_report` for one newly stored report.
Targets: full ≤ 60 s on two cores, incremental ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert

from crawler.parse import parse_document
from storage.models import IssueRow, ReportRow, UnitName, UnitRow
from storage.repository import open_store

STATUSES = ("completed", "partial", "in_progress", "unclear")
PREFIXES = ("巡视发现,", "巡视指出:", "经查,")


def _corpus() -> tuple[list[str], list[str], list[str]]:
    titles, rects, cats = [], [], []
    for path in sorted((ROOT / "crawler" / "samples").glob("*.txt")):
        for issue in parse_document(path.read_bytes(), name=path.name).iter_issues():
            if issue.title and len(issue.title) >= 12:
                titles.append(issue.title)
            if len(issue.rectification) >= 40:
                rects.append(issue.rectification)
            if issue.category:
                cats.append(issue.category)
    return sorted(set(titles)), rects, sorted(set(cats))


def build(url: str, units: int, reports: int, issues: int, seed: int) -> None:
    """Fill a new database at ``url`` with the synthetic history."""
    rng = random.Random(seed)
    titles, rects, cats = _corpus()
    store = open_store(url)
    unit_rows, name_rows, report_rows, issue_rows = [], [], [], []
    report_id = issue_id = 0
    for u in range(1, units + 1):
        name = f"测试{u}区"
        unit_rows.append({"id": u, "unit_key": f"测试省|测试市|{name}", "province": "测试省", "city": "测试市",
                          "name": name, "level": "county"})
        name_rows.append({"unit_id": u, "variant": f"中共测试市{name}委员会"})
        # the unit's issues: distinct sample titles; every text made unique by a figure
        live = [_new_issue(rng, title, rects, cats, u, k)
                for k, title in enumerate(rng.sample(titles, min(issues, len(titles))))]
        live += [_new_issue(rng, rng.choice(titles), rects, cats, u, k) for k in range(len(live), issues)]
        extra = issues
        day = date(2021, 1, 1) + timedelta(days=rng.randrange(300))
        for r in range(reports):
            report_id += 1
            report_rows.append({
                "id": report_id, "notice_key": f"bench:{report_id}", "version": 1, "content_hash": f"{report_id:064d}",
                "schema_version": "1", "title": f"中共测试市{name}委关于巡视整改进展情况的通报", "published_on": day,
                "inspector": "省委第一巡视组", "inspector_level": "provincial", "started_on": date(2020, 9, 1),
                "feedback_on": date(2020, 12, 1), "warnings": [], "unit_id": u})
            for pos, it in enumerate(live):
                issue_id += 1
                issue_rows.append({"id": issue_id, "report_id": report_id, "parent_id": None, "position": pos,
                                   "seq": pos + 1, "label": str(pos + 1), "category": it["category"],
                                   "title": it["title"], "rectification": it["rect"], "status": it["status"],
                                   "status_evidence": []})
            live = _evolve(rng, live, titles, rects, cats, u, extra)
            extra += 2
            day += timedelta(days=rng.randrange(60, 200))
    with store.engine.begin() as conn:
        for model, rows in ((UnitRow, unit_rows), (UnitName, name_rows), (ReportRow, report_rows)):
            conn.execute(insert(model), rows)
        for start in range(0, len(issue_rows), 50_000):
            conn.execute(insert(IssueRow), issue_rows[start:start + 50_000])
    store.close()


def _new_issue(rng: random.Random, title: str, rects, cats, unit: int, k: int) -> dict:
    return {"title": f"{title}涉及{unit}家单位{k}个项目。", "rect": f"{rng.choice(rects)}累计投入资金{rng.randrange(10**6)}万元。",
            "category": rng.choice(cats), "status": rng.choice(STATUSES)}


def _evolve(rng: random.Random, live: list[dict], titles, rects, cats, unit: int, extra: int) -> list[dict]:
    """The next report's issues: 2 dropped, 2 added, 10 % reworded, texts kept/edited/replaced."""
    nxt = []
    for it in rng.sample(live, max(0, len(live) - 2)):
        it = dict(it)
        if rng.random() < 0.1:
            it["title"] = rng.choice(PREFIXES) + it["title"]
        if it["status"] != "completed":
            roll = rng.random()
            if roll < 0.3:
                it["status"], it["rect"] = "completed", it["rect"] + "目前已全部整改到位。"
            elif roll < 0.6:
                it["rect"] = f"{rng.choice(rects)}新增投入{rng.randrange(10**6)}万元。"
                it["status"] = rng.choice(STATUSES[1:])
            elif roll < 0.8:
                it["rect"] = it["rect"] + "下一步将持续推进。"
        elif rng.random() < 0.05:
            it["status"] = "in_progress"
        nxt.append(it)
    nxt += [_new_issue(rng, rng.choice(titles), rects, cats, unit, extra + k) for k in range(2)]
    return nxt


def measure(url: str, runs: int) -> dict:
    """Time full tracking, JSON output and incremental tracking; peak memory of this process."""
    from tests.tracker.factory import issue, report
    from tracker.history import iter_units, track_report
    from tracker.serialize import history_to_dict

    store = open_store(url)
    t0, c0 = time.perf_counter(), time.process_time()
    n_units = n_comparisons = n_transitions = n_alerts = 0
    for h in iter_units(store):
        n_units += 1
        n_comparisons += len(h.comparisons)
        n_transitions += sum(len(c.transitions) for c in h.comparisons)
        n_alerts += len(h.alerts)
    full, full_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_full = _peak_mb()
    t0 = time.perf_counter()
    size = sum(len(json.dumps(history_to_dict(h), ensure_ascii=False)) for h in iter_units(store))
    with_json = time.perf_counter() - t0
    rss_json = _peak_mb()
    incremental = []
    last = max(int(r["id"]) for r in store.list_reports("测试1区"))
    previous = store.get_report(last)
    for n in range(runs):
        new = report(date(2030, 1, 1) + timedelta(days=n), [
            issue(str(k + 1), i.title, i.rectification + ("已全部整改到位。" if k % 3 == 0 else ""),
                  "completed" if k % 3 == 0 else i.status)
            for k, i in enumerate(previous.issues)], unit=previous.unit, url=f"bench:new:{n}")
        new_id = store.ingest(new, raw=None).report_id
        t0 = time.perf_counter()
        comparisons = track_report(store, new_id)
        incremental.append(time.perf_counter() - t0)
        assert len(comparisons) == 1
        previous = new
    store.close()
    return {"units": n_units, "comparisons": n_comparisons, "transitions": n_transitions, "alerts": n_alerts,
            "full_s": round(full, 2), "full_cpu_s": round(full_cpu, 2), "full_with_json_s": round(with_json, 2), "json_mb": round(size / 1e6, 1),
            "incremental_ms_median": round(statistics.median(incremental) * 1000, 1),
            "incremental_ms_max": round(max(incremental) * 1000, 1), "peak_rss_mb": round(rss_full),
            "peak_rss_json_mb": round(rss_json)}


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM on Linux (ru_maxrss would include the memory
    of the parent that built the database, as Linux carries it over fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--reports", type=int, default=5)
    ap.add_argument("--issues", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10, help="incremental runs (median reported)")
    ap.add_argument("--db", help="SQLite file to build (default: a temporary one)")
    ap.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the measuring child process
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
        t0 = time.perf_counter()
        build(url, args.units, args.reports, args.issues, args.seed)
        built = time.perf_counter() - t0
        print(f"built {args.units} units × {args.reports} reports × {args.issues} issues "
              f"({path.stat().st_size / 1e6:.0f} MB) in {built:.1f} s")
        child = subprocess.run([sys.executable, __file__, "--measure", url, "--runs", str(args.runs)],
                               check=False, capture_output=True, text=True, cwd=ROOT)
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return 1
        result = json.loads(child.stdout)
    print(f"tracked {result['units']} units, {result['comparisons']} comparisons, "
          f"{result['transitions']} transitions, {result['alerts']} alerts")
    print(f"full tracking: {result['full_s']} s wall, {result['full_cpu_s']} s CPU (target ≤ 60 s); "
          f"again with JSON serialisation: {result['full_with_json_s']} s ({result['json_mb']} MB of JSON)")
    print(f"incremental (one new report): median {result['incremental_ms_median']} ms, "
          f"max {result['incremental_ms_max']} ms (target ≤ 100 ms)")
    print(f"peak memory of the tracking process: {result['peak_rss_mb']} MB after full tracking, "
          f"{result['peak_rss_json_mb']} MB after the JSON pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
