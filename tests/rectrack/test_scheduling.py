"""The scheduler: its config, ``--list``, and the real APScheduler running crawls of the sample site."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.config import ConfigError
from crawler.samplesite import SampleSite
from rectrack.scheduling import cron_trigger, load_schedule
from storage.runlock import LockBusy, RunLock

ROOT = Path(__file__).resolve().parents[2]


def make_config(folder: Path, schedule: str, start_urls: list[str] | None = None) -> Path:
    (folder / "sites").mkdir(parents=True, exist_ok=True)
    urls = "\n".join(f"  - {u}" for u in (start_urls or ["https://www.example.gov.cn/xszg/"]))
    (folder / "sites" / "sample.yaml").write_text(
        f"title: 示例站\nstart_urls:\n{urls}\npoliteness:\n  download_delay: 0\n  concurrency: 4\n"
        "  obey_robots: false\n", encoding="utf-8")
    (folder / "schedule.yaml").write_text(schedule, encoding="utf-8")
    return folder


def test_shipped_schedule_is_valid() -> None:
    schedule = load_schedule(ROOT / "config")
    assert {job.kind for job in schedule.jobs} == {"crawl", "report", "digest"}
    assert schedule.misfire_grace_time >= 600


@pytest.mark.parametrize(("text", "expected"), [
    ("jobs:\n  - name: a\n    cron: '61 * * * *'\n", "key 'jobs.0.cron'"),
    ("jobs:\n  - name: a\n    cron: 'every day'\n", "is not a cron expression: give 5 fields"),
    ("jobs:\n  - name: a\n    kind: crawl\n    sites: [nosuch]\n    cron: '0 6 * * *'\n",
     "key 'jobs.0.sites': unknown site 'nosuch'"),
    ("timezone: Mars/Olympus\njobs:\n  - name: a\n    cron: '0 6 * * *'\n", "unknown time zone 'Mars/Olympus'"),
    ("jobs:\n  - name: a\n    cron: '0 6 * * *'\n    crn: x\n", "key 'jobs.0.crn': unknown key"),
    ("jobs: []\n", "key 'jobs'"),
    ("jobs:\n  - name: a\n    cron: '0 6 * * *'\n  - name: a\n    cron: '0 7 * * *'\n", "must be unique"),
])
def test_schedule_mistakes_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    folder = make_config(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_schedule(folder)
    assert str(err.value).startswith(str(folder / "schedule.yaml")) and expected in str(err.value)


def test_missing_schedule_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="schedule.yaml: no such file"):
        load_schedule(tmp_path)


def test_cron_with_seconds() -> None:
    trigger = cron_trigger("*/5 * * * * *", "UTC")
    assert "second='*/5'" in repr(trigger)


def test_schedule_list_shows_next_runs(tmp_path: Path) -> None:
    folder = make_config(tmp_path / "config", "timezone: UTC\njobs:\n  - name: nightly\n    kind: crawl\n"
                                              "    sites: [sample]\n    cron: '0 3 * * *'\n")
    done = subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", str(tmp_path / "s.db"), "schedule",
                           "--config", str(folder), "--list"], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "nightly" in done.stdout and "03:00:00" in done.stdout


def test_a_bad_cron_stops_schedule_before_anything(tmp_path: Path) -> None:
    folder = make_config(tmp_path / "config", "jobs:\n  - name: a\n    cron: '0 25 * * *'\n")
    done = subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", str(tmp_path / "s.db"), "schedule",
                           "--config", str(folder)], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)
    assert done.returncode == 2
    assert "schedule.yaml: key 'jobs.0.cron'" in done.stderr and done.stderr.count("\n") == 1


def test_run_lock_is_exclusive(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    with RunLock(url):
        with pytest.raises(LockBusy, match="another rectrack run"):
            RunLock(url).__enter__()
    with RunLock(url):  # released
        pass


def test_real_scheduler_runs_twice_without_overlap_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "sched.db"
    with SampleSite() as site:
        folder = make_config(tmp_path / "config", "timezone: UTC\nmisfire_grace_time: 60\njobs:\n"
                             "  - name: sample-crawl\n    kind: crawl\n    sites: [sample]\n"
                             "    cron: '*/3 * * * * *'\n", list(site.list_urls.values()))
        process = subprocess.Popen([sys.executable, "-m", "rectrack.cli", "--db", str(db), "schedule",
                                    "--config", str(folder)], stderr=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            deadline = time.monotonic() + 150
            runs: list[tuple[str, str, str]] = []
            while time.monotonic() < deadline:
                time.sleep(1)
                if db.exists():
                    try:
                        with sqlite3.connect(db) as conn:
                            runs = conn.execute("SELECT started_at, finished_at, status FROM crawl_runs "
                                                "WHERE finished_at IS NOT NULL ORDER BY id").fetchall()
                    except sqlite3.OperationalError:  # tables not created yet
                        continue
                if len(runs) >= 2:
                    break
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
    assert len(runs) >= 2, stderr
    assert all(status == "ok" for _, _, status in runs)
    for (_, first_end, _), (second_start, _, _) in zip(runs, runs[1:], strict=False):
        assert first_end <= second_start  # one job at a time: no overlap
    assert process.returncode == 0, stderr
    assert "job sample-crawl started" in stderr and "job sample-crawl finished" in stderr
    assert "received SIGTERM" in stderr and "scheduler stopped" in stderr
    assert "Traceback" not in stderr, stderr[max(0, stderr.find("Traceback") - 300):][:3000]
    with sqlite3.connect(db) as conn:  # nothing half-written: every run finished
        assert conn.execute("SELECT count(*) FROM crawl_runs WHERE finished_at IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0] == 1
