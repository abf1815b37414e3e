"""``rectrack crawl``, ``fetch`` and ``sites`` as a user runs them (subprocesses, the bundled sample site)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.samplesite import SampleSite

ROOT = Path(__file__).resolve().parents[2]


def rectrack(db: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rectrack.cli", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, site: SampleSite) -> Path:
    folder = tmp_path / "config"
    (folder / "sites").mkdir(parents=True)
    urls = "\n".join(f"  - {u}" for u in site.list_urls.values())
    (folder / "sites" / "sample.yaml").write_text(
        f"name: sample\ntitle: 示例站\nprovince: 湖南省\nstart_urls:\n{urls}\n"
        "politeness:\n  download_delay: 0\n  concurrency: 4\n", encoding="utf-8")
    return folder


def test_crawl_a_configured_site_then_list_sites(tmp_path: Path, config: Path, site: SampleSite) -> None:
    db = tmp_path / "r.db"
    done = rectrack(db, "crawl", "--config", str(config), "--site", "sample")
    assert done.returncode == 0, done.stderr
    assert re.match(rf"sample: ok — \d+ list pages, {len(site.notice_urls) + 2} pages; notices: "
                    rf"{len(site.notice_urls)} new,", done.stdout), done.stdout
    assert "Traceback" not in done.stderr
    listed = rectrack(db, "reports", "--json")
    assert len(json.loads(listed.stdout)) == len(site.notice_urls)
    sites = rectrack(db, "sites", "--config", str(config), "--json")
    (row,) = json.loads(sites.stdout)
    assert row["name"] == "sample" and row["last_crawl"]["status"] == "ok"
    assert row["last_crawl"]["new_notices"] == len(site.notice_urls)


def test_crawl_a_start_url(tmp_path: Path, site: SampleSite) -> None:
    done = rectrack(tmp_path / "r.db", "crawl", "--start-url", site.list_urls["trs"], "--allow-private")
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout


def test_a_site_that_is_down_exits_1(tmp_path: Path) -> None:
    done = rectrack(tmp_path / "r.db", "crawl", "--start-url", "http://127.0.0.1:9/list.html", "--allow-private")
    assert done.returncode == 1
    assert "failed" in done.stdout and "connection refused" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("crawl", "--start-url", "file:///etc/passwd"), "only http:// and https:// URLs are accepted"),
    (("crawl", "--start-url", "http://127.0.0.1:8/x"), "private or local address"),
    (("crawl", "--site", "nosuchsite"), "unknown site 'nosuchsite'"),
    (("fetch", "ftp://example.com/a.html"), "only http:// and https:// URLs are accepted"),
    (("fetch", "http://127.0.0.1:9/a.html", "--allow-private"), "cannot fetch http://127.0.0.1:9/a.html"),
])
def test_user_mistakes_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = rectrack(tmp_path / "r.db", *args)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_config_typo_names_file_and_key(tmp_path: Path, config: Path) -> None:
    path = config / "sites" / "sample.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("start_urls", "start_url"), encoding="utf-8")
    done = rectrack(tmp_path / "r.db", "crawl", "--config", str(config))
    assert done.returncode == 2
    assert f"error: {path}: key 'start_url': unknown key" in done.stderr


def test_fetch_one_notice_and_one_attachment(tmp_path: Path, site: SampleSite) -> None:
    db = tmp_path / "r.db"
    page = sorted(site.notice_urls - {n.url for n in site.notices.values() if n.attachment_url})[0]
    done = rectrack(db, "fetch", page, "--allow-private")
    assert done.returncode == 0, done.stderr
    assert "stored new" in done.stderr
    again = rectrack(db, "fetch", page, "--allow-private")
    assert "unchanged" in again.stderr
    pointer = next(n.url for n in site.notices.values() if n.attachment_url)
    done = rectrack(db, "fetch", pointer, "--allow-private", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["source_url"] == pointer and report["issues"]


def test_fetch_a_news_page_is_refused(tmp_path: Path, site: SampleSite) -> None:
    news = sorted(site.news_urls)[0]
    done = rectrack(tmp_path / "r.db", "fetch", news, "--allow-private")
    assert done.returncode == 2
    assert "not a notice" in done.stderr and done.stderr.count("\n") == 1


def test_scrapy_commands_work_from_the_repository(tmp_path: Path, site: SampleSite) -> None:
    scrapy = [sys.executable, "-m", "scrapy"]
    listed = subprocess.run([*scrapy, "list"], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert listed.stdout.split() == ["notices"], listed.stderr
    db = tmp_path / "scrapy.db"
    env = {**os.environ, "RECTRACK_DB": str(db)}
    done = subprocess.run([*scrapy, "crawl", "notices", "-a", f"start_url={site.list_urls['trs']}",
                           "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"],
                          capture_output=True, text=True, cwd=ROOT, timeout=180, env=env, check=False)
    assert done.returncode == 0, done.stderr
    reports = rectrack(db, "reports", "--json")
    trs = {n.url for n in site.notices.values() if n.column == "trs"}
    assert {r["source_url"] for r in json.loads(reports.stdout)} == trs
