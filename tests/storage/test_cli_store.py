"""`rectrack db upgrade / import / reports / show / export` on a real SQLite file and PostgreSQL database."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from crawler.parse import parse_document
from storage.migrate import head_revision
from tests.storage.conftest import SAMPLES, SAMPLES_DIR, is_sqlite, run


def _expected(path: Path) -> dict:
    data = parse_document(path.read_bytes(), name=path.name).to_dict()
    data.pop("source_url")
    return data


def test_db_upgrade(db_url: str) -> None:
    result = run(db_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"upgraded to revision {head_revision()}" in result.output
    result = run(db_url, "db", "upgrade")
    assert f"already at revision {head_revision()}" in result.output


def test_import_twice_stores_each_once(db_url: str) -> None:
    first = run(db_url, "import", *map(str, SAMPLES))
    assert first.exit_code == 0, first.output
    assert first.output.count(": stored new (report") == len(SAMPLES)
    again = run(db_url, "import", str(SAMPLES[0].parent))  # the folder also holds PDF/DOCX copies of two
    assert again.exit_code == 0, again.output
    files = len(SAMPLES) + 2
    assert again.output.count(": unchanged (report") == files
    assert f"{files} file(s): 0 stored new, 0 new version(s), {files} unchanged, 0 failed" in again.output
    listed = json.loads(run(db_url, "reports", "--json").output)
    assert len(listed) == len(SAMPLES)
    assert {"id", "title", "unit", "published_on", "source_url", "version", "issue_count"} <= set(listed[0])


def test_import_a_folder_with_a_broken_file(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    (folder / "sub").mkdir(parents=True)
    for path in SAMPLES[:3]:
        shutil.copy(path, folder / "sub" / path.name)
    (folder / "broken.html").write_bytes(bytes(range(256)) * 8)
    shutil.copy(SAMPLES_DIR / "yicheng_2024.pdf", folder / "notice.pdf")
    shutil.copy(SAMPLES_DIR / "zhengxiang_2024.docx", folder / "sub" / "notice.docx")
    (folder / "ignored.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    result = run(db_url, "import", str(folder))
    assert result.exit_code == 2
    assert result.output.count(": stored new (report") == 5
    assert "broken.html" in result.output and "ignored.xls" not in result.output
    assert "6 file(s): 5 stored new, 0 new version(s), 0 unchanged, 1 failed" in result.output
    assert len(json.loads(run(db_url, "reports", "--json").output)) == 5


def test_a_changed_copy_becomes_version_2(db_url: str, tmp_path: Path) -> None:
    sample = SAMPLES[0]
    report = parse_document(sample.read_bytes(), name=sample.name)
    text = sample.read_text(encoding="utf-8")
    sentence = report.issues[2].rectification[:16]
    changed = tmp_path / sample.name
    changed.write_text(text.replace(sentence, sentence + "并已销号", 1), encoding="utf-8")
    assert run(db_url, "import", str(sample)).exit_code == 0
    result = run(db_url, "import", str(changed))
    assert result.exit_code == 0 and "new version 2 (report 2)" in result.output
    listed = json.loads(run(db_url, "reports", "--json").output)
    assert [(r["id"], r["version"]) for r in listed] == [(2, 2)]
    both = json.loads(run(db_url, "reports", "--all-versions", "--json").output)
    assert [(r["id"], r["version"]) for r in both] == [(1, 1), (2, 2)]
    old = json.loads(run(db_url, "show", "1", "--json").output)
    assert old.pop("id") == 1 and old.pop("version") == 1
    old.pop("source_url")
    assert old == _expected(sample)
    new = json.loads(run(db_url, "show", "2", "--json").output)
    assert new["issues"][2]["rectification"].startswith(sentence + "并已销号")


def test_show_and_export_give_back_every_field(db_url: str, tmp_path: Path) -> None:
    assert run(db_url, "import", *map(str, SAMPLES)).exit_code == 0
    expected = {p.name: _expected(p) for p in SAMPLES}
    listed = json.loads(run(db_url, "reports", "--json").output)
    by_title = {e["title"]: e for e in expected.values()}
    for row in listed:
        shown = run(db_url, "show", str(row["id"]), "--json")
        assert shown.exit_code == 0, shown.output
        data = json.loads(shown.output)
        assert data.pop("id") == row["id"] and data.pop("version") == 1
        assert data.pop("source_url") is None
        assert data == by_title[row["title"]]
    readable = run(db_url, "show", str(listed[0]["id"]))
    assert readable.exit_code == 0 and "report " in readable.output

    out = tmp_path / "all.jsonl"
    assert run(db_url, "export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(SAMPLES)
    for line in lines:
        line.pop("id"), line.pop("version"), line.pop("source_url")
        assert line == by_title[line["title"]]

    result = run(db_url, "export", "--format", "csv")
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    all_issues = [(e, i, s) for e in expected.values() for i in e["issues"] for s in [None, *i["sub_issues"]]]
    assert len(rows) == len(all_issues)
    rects = sorted(r["issue_rectification"] for r in rows)
    assert rects == sorted((s or i)["rectification"] for _, i, s in all_issues)
    first = next(r for r in rows if r["unit_name"] == "鹤城区")
    assert first["unit_adcode"] == "431202" and first["inspector"] == "省委第九巡视组"
    assert json.loads(first["warnings"]) == expected["hecheng_2026.txt"]["warnings"]
    assert isinstance(json.loads(first["issue_status_evidence"]), list)


def test_reports_filters_and_errors(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RECTRACK_DB", db_url)
    from click.testing import CliRunner

    from rectrack.cli import main

    result = CliRunner().invoke(main, ["import", *map(str, SAMPLES)])  # the database from RECTRACK_DB
    assert result.exit_code == 0, result.output
    if is_sqlite(db_url):
        assert Path(db_url.removeprefix("sqlite:///")).exists()
    hetang = json.loads(run(db_url, "reports", "--unit", "荷塘区", "--json").output)
    assert [r["published_on"] for r in hetang] == ["2025-08-25", "2026-03-10"]
    recent = json.loads(run(db_url, "reports", "--since", "2026-03-01", "--json").output)
    assert [r["unit"] for r in recent] == ["荷塘区"]
    table = run(db_url, "reports")
    assert table.exit_code == 0 and "鹤城区" in table.output
    assert run(db_url, "reports", "--since", "March").exit_code == 2
    missing = run(db_url, "show", "999")
    assert missing.exit_code == 2 and "error: no report with id 999" in missing.output
    bad = run(tmp_path / "nowhere" / "x.db", "reports")
    assert bad.exit_code == 2 and bad.output.startswith("error: ") and len(bad.output.strip().splitlines()) == 1
