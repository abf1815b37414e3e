"""`rectrack alerts` on real databases: the real notice pair, every output format, filters, escaping
of website data in HTML/Markdown/CSV, and bad input as one line or sensible output."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from crawler.parse.schema import Unit
from storage.repository import open_store
from tests.storage.conftest import SAMPLES_DIR, run
from tests.tracker.factory import RECTS, TITLES, issue, report

HETANG = [str(SAMPLES_DIR / "hetang_2025.txt"), str(SAMPLES_DIR / "hetang_2026.txt")]
EVIL = "<script>alert(1)</script>"
EVIL_URL = "javascript:alert(document.cookie)"


def alerts_json(db: str | Path, *args: str) -> dict:
    result = run(db, "alerts", "--format", "json", "--today", "2026-06-01", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def evil_store(db: str) -> None:
    """Two notices whose texts and URLs try to inject markup and scripts."""
    with open_store(db) as store:
        first = report(date(2025, 3, 1), [
            issue("1", f"{EVIL}教学楼问题 &amp; 食堂 [link](javascript:x)", f"{EVIL}正在推进加固工程。", "in_progress"),
            issue("2", TITLES[2], RECTS[2] + "已全部整改到位。", "completed")], url="https://www.example.gov.cn/1.html")
        second = report(date(2025, 9, 1), [
            issue("1", f"{EVIL}教学楼问题 &amp; 食堂 [link](javascript:x)",
                  f"{EVIL}正在推进加固工程。<img src=x onerror=alert(2)>新增=SUM(A1)", "in_progress"),
            issue("2", TITLES[2], RECTS[2] + "正在推进。", "in_progress")], url=EVIL_URL)
        second.title = f"{EVIL}通报"
        store.ingest(first, raw=None)
        store.ingest(second, raw=None)


def test_the_real_notice_pair(db_url: str) -> None:
    assert run(db_url, "import", *HETANG).exit_code == 0
    out = alerts_json(db_url)
    assert set(out) == {"as_of", "counts", "alerts", "units"} and out["as_of"] == "2026-06-01"
    kinds = out["counts"]
    assert kinds["stalled"] == 31 and kinds["regressed"] == 1 and kinds["dropped"] == 1 and kinds["recurring"] == 2
    assert kinds["overdue"] == 39
    by = {(a["kind"], a["issue"]["label"]): a for a in out["alerts"]}
    stalled = by["stalled", "17"]  # 18 in the 2025 notice, renumbered 17 in 2026, text unchanged
    assert [(s["label"], s["status"], s["report"]["published_on"]) for s in stalled["history"]] == [
        ("18", "unclear", "2025-08-25"), ("17", "unclear", "2026-03-10")]
    assert stalled["kept"] == 1.0 and stalled["unit"] == {"name": "荷塘区", "province": "湖南省", "city": "株洲市"}
    regressed = by["regressed", "1"]
    assert regressed["history"][0]["status"] == "completed" and regressed["issue"]["status"] == "in_progress"
    assert [d["op"] for d in regressed["diff"]] == ["delete", "insert"]  # 13% kept: shown as rewritten
    overdue = by["overdue", "7"]  # edited text between the two notices: a real diff
    assert {d["op"] for d in overdue["diff"]} == {"equal", "insert", "delete"}
    assert overdue["details"] == {"feedback_on": "2024-12-28", "as_of": "2026-03-10", "days": 437, "limit": 180}
    dropped = by["dropped", "21"]
    assert dropped["history"][-1] == {"report": dropped["later"], "label": None, "status": "absent",
                                      "status_label": "absent 未再列出", "change": "dropped", "evidence": [],
                                      "kept": None}
    assert dropped["later"]["published_on"] == "2026-03-10" and dropped["diff"] is None
    (unit,) = out["units"]
    assert [r["counts"] for r in unit["reports"]] == [
        {"completed": 5, "partial": 5, "in_progress": 2, "unclear": 33},
        {"completed": 5, "partial": 5, "in_progress": 4, "unclear": 30}]
    # the same alerts, with the same keys, on the next run
    assert [a["key"] for a in alerts_json(db_url)["alerts"]] == [a["key"] for a in out["alerts"]]


def test_filters(db_path: Path) -> None:
    assert run(db_path, "import", *HETANG, str(SAMPLES_DIR / "hecheng_2026.txt")).exit_code == 0
    every = alerts_json(db_path)["alerts"]
    assert {a["unit"]["name"] for a in every} == {"荷塘区", "鹤城区"}
    only = alerts_json(db_path, "--unit", "中共株洲市荷塘区委")["alerts"]
    assert only and {a["unit"]["name"] for a in only} == {"荷塘区"}
    kinds = alerts_json(db_path, "--kind", "dropped", "--kind", "regressed")["alerts"]
    assert sorted(a["kind"] for a in kinds) == ["dropped", "regressed"]
    since = alerts_json(db_path, "--since", "2026-01-01")["alerts"]
    assert since and all(a["date"] >= "2026-01-01" for a in since)
    assert {a["kind"] for a in since} >= {"stalled", "dropped"}
    assert not [a for a in since if a["kind"] == "recurring" and a["unit"]["name"] == "荷塘区"]  # filed in 2025
    assert alerts_json(db_path, "--since", "2030-01-01")["alerts"] == []
    unknown = run(db_path, "alerts", "--unit", "江夏区")
    assert unknown.exit_code == 2 and unknown.output.strip().splitlines() == [
        "error: no unit named '江夏区' is stored (see `rectrack reports` for the units)"]
    bad = run(db_path, "alerts", "--kind", "sleepy")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_html_escapes_everything_from_websites(db_url: str, tmp_path: Path) -> None:
    evil_store(db_url)
    out = tmp_path / "report.html"
    result = run(db_url, "alerts", "--format", "html", "--out", str(out), "--today", "2026-01-01")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    doc = lxml.html.fromstring(text)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == []
    assert not [e for e in doc.iter() if any(k.startswith("on") for k in e.attrib)]
    hrefs = doc.xpath("//a/@href")
    assert hrefs and all(h.startswith(("https://", "http://", "#")) for h in hrefs)
    assert EVIL_URL in doc.text_content()  # shown as text, never a link
    assert f"{EVIL}教学楼问题 &amp; 食堂" in doc.text_content()  # the entity stays text too
    assert "<img src=x onerror=alert(2)>" in "".join(doc.xpath("//ins/text()"))
    assert doc.xpath("//del") or doc.xpath("//ins")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        "https://www.example.gov.cn", "")  # nothing external
    svg = doc.xpath("//svg")
    assert len(svg) == 1 and len(svg[0].xpath(".//rect")) >= 2
    assert doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0].startswith("default-src 'none'")


def test_markdown_csv_and_text(db_url: str, tmp_path: Path) -> None:
    evil_store(db_url)
    md = run(db_url, "alerts", "--format", "md", "--today", "2026-01-01")
    assert md.exit_code == 0, md.output
    assert "<script>" not in md.output and "&lt;script&gt;alert\\(1\\)" not in md.output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md.output and "[link](javascript" not in md.output
    assert "\\[link\\](javascript:x)" in md.output
    assert "## 荷塘区" in md.output and "**&lt;img src=x onerror=alert(2)&gt;新增=SUM(A1)**" in md.output
    out = tmp_path / "alerts.csv"
    assert run(db_url, "alerts", "--format", "csv", "--out", str(out), "--today", "2026-01-01").exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    full = alerts_json(db_url, "--today", "2026-01-01")["alerts"]
    assert [r["key"] for r in rows] == [a["key"] for a in full]
    stalled = next(r for r in rows if r["kind"] == "stalled")
    assert stalled["unit"] == "荷塘区" and stalled["later_url"] == EVIL_URL and "{+" in stalled["diff"]
    assert "in progress 推进中" in stalled["history"]
    text = run(db_url, "alerts", "--today", "2026-01-01")
    assert text.exit_code == 0
    for phrase in ("regressed 完成后反复", "completed 已完成", "in progress 推进中", "荷塘区", EVIL):
        assert phrase in text.output


def test_escaping_helpers() -> None:
    from tracker.alerts.html import safe_url
    from tracker.alerts.render import _cell, md_escape, md_link

    assert _cell("=SUM(A1)") == "'=SUM(A1)" and _cell("@x") == "'@x" and _cell("整改") == "整改" and _cell(3) == 3
    assert md_link("a<b>", "https://x.gov.cn/<s>)") == "[a&lt;b&gt;](<https://x.gov.cn/%3Cs%3E)>)"
    assert md_link("t", "javascript:alert(1)") == "t" and md_link("t", None) == "t"
    assert md_escape("# *粗* [x](y)\n- 项") == "# \\*粗\\* \\[x\\](y) - 项"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:x", "data:text/html,x", "//evil.example/x", "https://",
                "http://a b", "https://x\n.cn", "vbscript:x", 42):
        assert safe_url(bad) is None, bad
    assert safe_url("HTTPS://www.gov.cn/a?b=1&c=<2>") == "HTTPS://www.gov.cn/a?b=1&c=<2>"


def test_bad_input_gives_sensible_output(db_path: Path) -> None:
    assert alerts_json(db_path) == {"as_of": "2026-06-01", "counts": {}, "alerts": [], "units": []}
    empty = run(db_path, "alerts")
    assert empty.exit_code == 0 and "no alerts" in empty.output
    for fmt in ("md", "html", "csv"):
        assert run(db_path, "alerts", "--format", fmt).exit_code == 0
    day = date(2025, 5, 1)
    with open_store(f"sqlite:///{db_path}") as store:
        for n, r in enumerate([report(day, [issue("1", TITLES[0], RECTS[0], "partial")]),
                               report(day, [issue("1", TITLES[0], RECTS[0], "partial")], title="同日第二份通报"),
                               report(None, []),
                               report(date(2025, 1, 1), [])], 1):
            r.source_url = f"https://example.gov.cn/{n}"
            store.ingest(r, raw=None)
        store.ingest(report(day, [issue("1", TITLES[1], RECTS[1], "completed")], title="鼓楼区的通报",
                            unit=Unit(name="鼓楼区", level="county"), url="https://example.gov.cn/x"), raw=None)
    out = alerts_json(db_path)
    assert {(a["kind"], a["date"]) for a in out["alerts"]} >= {("stalled", "2025-05-01"), ("dropped", None)}
    assert {a["unit"]["name"] for a in out["alerts"]} == {"荷塘区"}  # 鼓楼区: one report, all completed
    for fmt in ("text", "md", "html", "csv"):
        result = run(db_path, "alerts", "--format", fmt, "--today", "2026-06-01")
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "undated" in run(db_path, "alerts", "--today", "2026-06-01").output


@pytest.mark.parametrize("args", [("--dry-run",), ("--out", "/nonexistent-dir/x.html", "--format", "html")])
def test_usage_mistakes_are_one_line(db_path: Path, args: tuple[str, ...]) -> None:
    result = run(db_path, "alerts", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().count("\n") <= 3


def test_every_kind_in_every_format(db_url: str, tmp_path: Path) -> None:
    from storage.crawllog import CrawlLog
    from tests.tracker.test_alerts import story

    with open_store(db_url) as store:
        for r in story():
            store.ingest(r, raw=None)
        recurring = issue("1", "上轮巡视指出的问题,本轮巡视仍然存在。", RECTS[5], "unclear")
        store.ingest(report(date(2025, 2, 1), [recurring],
                            unit=Unit(name="蒸湘区", province="湖南省", city="衡阳市", level="county"),
                            url="https://www.zx.gov.cn/1.html"), raw=None)
        log = CrawlLog(store)
        for _ in range(3):
            log.finish_run(log.start_run("sxfj"), status="failed", counts={},
                           failures=[{"url": "https://sxfj.gov.cn/", "reason": f"HTTP 503 {EVIL}"}])
    out = alerts_json(db_url, "--today", "2027-01-01")
    assert set(out["counts"]) == {"stalled", "regressed", "dropped", "recurring", "overdue", "unresolved",
                                  "site_failing", "followup_overdue"}
    site = next(a for a in out["alerts"] if a["kind"] == "site_failing")
    assert site["unit"] is None and site["issue"] is None and site["site"] == "sxfj"
    for fmt in ("text", "md", "html", "csv"):
        target = tmp_path / f"all.{fmt}"
        result = run(db_url, "alerts", "--format", fmt, "--out", str(target), "--today", "2027-01-01")
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8-sig")
        for phrase in ("sxfj", "蒸湘区", "荷塘区"):
            assert phrase in text, (fmt, phrase)
    doc = lxml.html.fromstring((tmp_path / "all.html").read_text(encoding="utf-8"))
    assert doc.xpath("//script") == [] and len(doc.xpath("//svg")) == 2  # one chart per unit, none for sites
    assert f"HTTP 503 {EVIL}" in doc.text_content()
    kinds = {a.get("class").split()[-1] for a in doc.xpath("//article//span[contains(@class, 'kind-')]")}
    assert len(kinds) == 8
