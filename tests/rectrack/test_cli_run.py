"""``rectrack run``, ``demo`` and ``doctor`` as cron and a new user run them (subprocesses, the sample site)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.samplesite import SampleSite
from storage.runlock import RunLock

ROOT = Path(__file__).resolve().parents[2]


def rectrack(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rectrack.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running


def config(folder: Path, sites: dict[str, list[str]]) -> Path:
    (folder / "sites").mkdir(parents=True)
    for name, urls in sites.items():
        listed = "\n".join(f"  - {u}" for u in urls)
        (folder / "sites" / f"{name}.yaml").write_text(
            f"title: {name}\nstart_urls:\n{listed}\npoliteness:\n  download_delay: 0\n  concurrency: 4\n",
            encoding="utf-8")
    return folder


def test_demo_crawls_tracks_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "demo.html"
    done = rectrack("demo", "--out", str(report), "--db", str(tmp_path / "demo.db"))
    assert done.returncode == 0, done.stderr
    assert f"open the report: {report}" in done.stdout
    assert "crawled 4 site(s): 4 ok; 7 new notice(s)" in done.stdout
    assert "tracked 4 unit(s) with 1 comparison(s)" in done.stdout
    html = report.read_text(encoding="utf-8")
    assert "荷塘区" in html and "stalled" in html and "<svg" in html
    assert "Traceback" not in done.stderr


def test_run_one_cycle_then_a_second_finds_nothing_new(tmp_path: Path, site: SampleSite) -> None:
    folder = config(tmp_path / "config", {"sample": list(site.list_urls.values())})
    db, report = str(tmp_path / "r.db"), tmp_path / "alerts.html"
    first = rectrack("--db", db, "run", "--config", str(folder), "--out", str(report))
    assert first.returncode == 0, first.stderr
    assert "crawled 1 site(s): 1 ok; 7 new notice(s)" in first.stdout
    assert f"report: {report}" in first.stdout and report.exists()
    second = rectrack("--db", db, "run", "--config", str(folder), "--out", str(report))
    assert second.returncode == 0, second.stderr
    assert "crawled 1 site(s): 1 ok; 0 new notice(s)" in second.stdout


def test_run_exit_codes(tmp_path: Path, site: SampleSite) -> None:
    down = "http://127.0.0.1:9/list.html"
    partial = config(tmp_path / "partial", {"good": [site.list_urls["trs"]], "dead": [down]})
    done = rectrack("--db", str(tmp_path / "p.db"), "run", "--config", str(partial), "--out", str(tmp_path / "p.html"))
    assert done.returncode == 1, done.stderr
    assert "crawled 2 site(s): 1 failed, 1 ok" in done.stdout and "connection refused" in done.stderr
    total = config(tmp_path / "total", {"dead": [down]})
    done = rectrack("--db", str(tmp_path / "t.db"), "run", "--config", str(total), "--out", str(tmp_path / "t.html"))
    assert done.returncode == 3
    bad = config(tmp_path / "bad", {"x": [down]})
    (bad / "alerts.yaml").write_text("rules:\n  stalled:\n    enabld: true\n", encoding="utf-8")
    done = rectrack("--db", str(tmp_path / "b.db"), "run", "--config", str(bad))
    assert done.returncode == 2 and "alerts.yaml" in done.stderr and done.stderr.count("\n") == 1


def test_a_second_run_on_the_same_database_exits_75(tmp_path: Path, site: SampleSite) -> None:
    folder = config(tmp_path / "config", {"sample": [site.list_urls["trs"]]})
    db = tmp_path / "locked.db"
    with RunLock(f"sqlite:///{db}"):
        done = rectrack("--db", str(db), "run", "--config", str(folder))
    assert done.returncode == 75
    assert "another rectrack run is using" in done.stderr and "nothing done" in done.stderr


def test_doctor(tmp_path: Path, site: SampleSite) -> None:
    good = config(tmp_path / "good", {"sample": [site.list_urls["trs"]]})
    done = rectrack("--db", str(tmp_path / "d.db"), "doctor", "--config", str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   site sample: " in done.stdout and "HTTP 200" in done.stdout
    assert "everything looks fine" in done.stdout
    bad = config(tmp_path / "bad", {"dead": ["http://127.0.0.1:9/x.html"]})
    (bad / "schedule.yaml").write_text("jobs:\n  - name: a\n    cron: '0 99 * * *'\n", encoding="utf-8")
    done = rectrack("--db", str(tmp_path / "d.db"), "doctor", "--config", str(bad))
    assert done.returncode == 1
    assert "FAIL site dead: http://127.0.0.1:9/x.html: unreachable" in done.stdout
    assert "FAIL schedule: " in done.stdout and "key 'jobs.0.cron'" in done.stdout
    assert "2 problem(s) found" in done.stderr
