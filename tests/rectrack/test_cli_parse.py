"""`rectrack parse`: files, standard input, URLs, and every kind of bad input."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from rectrack.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "crawler" / "samples" / "hecheng_2026.txt"


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_json_output_follows_the_schema():
    result = run("parse", str(SAMPLE), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["schema_version"] == "1"
    assert report["unit"]["name"] == "鹤城区"
    assert report["published_on"] == "2026-02-28"
    assert len(report["issues"]) == 30
    assert {"seq", "label", "category", "title", "rectification", "status", "status_evidence", "sub_issues"} <= set(
        report["issues"][0])


def test_readable_summary():
    result = run("parse", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "鹤城区" in result.output and "省委第九巡视组" in result.output
    assert "completed 已完成" in result.output and "warning:" in result.output


def test_standard_input():
    result = run("parse", "-", "--json", input=SAMPLE.read_bytes())
    assert result.exit_code == 0
    assert len(json.loads(result.output)["issues"]) == 30


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _write(d / "empty.txt", b""), "is empty"),
    (lambda d: _write(d / "image.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), ""),
    (lambda d: _write(d / "binary.txt", bytes(range(256)) * 40), ""),
    (lambda d: _write(d / "list.html", "<html><body><ul><li><a href='/a'>首页</a></li></ul></body></html>".encode()),
     "no rectification notice found"),
    (lambda d: _write(d / "weather.txt", "今天天气晴,气温二十度。\n明天多云。\n".encode()), "no mention of an inspection"),
    (lambda d: _write(d / "latin1.html", b"<html><head><meta charset='utf-16'></head><body>\xff\xfe\x00\xd8</body></html>"), ""),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    result = subprocess.run([sys.executable, "-m", "rectrack.cli", "parse", str(make(tmp_path))],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_page_of_another_kind_parses_with_a_warning(tmp_path):
    page = _write(tmp_path / "news.html", "<html><body><div class='content'><p>区委召开巡视整改工作推进会,"
                  "研究部署下一步巡视整改工作。</p></div></body></html>".encode())
    result = run("parse", str(page), "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["issues"] == [] and any("no rectification issues" in w for w in report["warnings"])


def test_url_fetch_from_a_local_server(tmp_path):
    (tmp_path / "notice.txt").write_bytes(SAMPLE.read_bytes())
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/notice.txt"
    try:
        refused = run("parse", url)
        assert refused.exit_code == 2 and "private or local address" in refused.output
        result = run("parse", url, "--json", "--allow-private")
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["source_url"] == url and len(report["issues"]) == 30
        missing = run("parse", url.replace("notice", "gone"), "--allow-private")
        assert missing.exit_code == 2 and "HTTP 404" in missing.output
    finally:
        server.shutdown()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.txt"])
def test_only_http_urls(url):
    result = run("parse", url)
    assert result.exit_code == 2 and "only http:// and https://" in result.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
