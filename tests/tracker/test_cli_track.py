"""`rectrack track` on a real database: the JSON of SCHEMA.md, --unit spellings, bad input."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crawler.parse.schema import Unit
from tests.storage.conftest import SAMPLES_DIR, run
from tests.tracker.factory import RECTS, TITLES, issue, report

HETANG = [str(SAMPLES_DIR / "hetang_2025.txt"), str(SAMPLES_DIR / "hetang_2026.txt")]


def _track(db: str, *args: str) -> dict:
    result = run(db, "track", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_shape(db_url: str) -> None:
    assert run(db_url, "import", *HETANG).exit_code == 0
    out = _track(db_url)
    assert list(out) == ["units"] and len(out["units"]) == 1
    unit = out["units"][0]
    assert unit["unit"] == {"name": "荷塘区", "province": "湖南省", "city": "株洲市", "level": "county",
                            "adcode": "430202", "parent": None}
    assert [r["published_on"] for r in unit["reports"]] == ["2025-08-25", "2026-03-10"]
    assert {"id", "title", "published_on", "source_url"} <= set(unit["reports"][0])
    (comp,) = unit["comparisons"]
    assert (comp["earlier"], comp["later"]) == (unit["reports"][0]["id"], unit["reports"][1]["id"])
    assert len(comp["transitions"]) == 46
    for t in comp["transitions"]:
        assert {"change", "earlier_label", "later_label", "earlier_status", "later_status", "title",
                "similarity"} <= set(t)
    by_label = {t["earlier_label"]: t for t in comp["transitions"]}
    assert by_label["1"]["change"] == "regressed" and by_label["1"]["recurring"]["stated"] == "上轮巡视指出"
    assert by_label["18"]["later_label"] == "17" and by_label["18"]["change"] == "stalled"
    assert by_label["18"]["kept"] == 1.0 and by_label["18"]["alert"] is True
    assert by_label["17"]["change"] == "closed" and by_label["17"]["similarity"] is None
    assert by_label[None]["later_label"] == "44" and by_label[None]["change"] == "new"


@pytest.mark.parametrize("name", ["荷塘区", "中共株洲市荷塘区委", "中共荷塘区委", "中共株洲市荷塘区委员会", "株洲市荷塘区",
                                  "湖南省株洲市荷塘区", "430202", " 荷塘区 ", "荷塘"])
def test_unit_spellings(db_path, name: str) -> None:
    assert run(db_path, "import", *HETANG, str(SAMPLES_DIR / "hecheng_2026.txt")).exit_code == 0
    units = _track(str(db_path), "--unit", name)["units"]
    assert [u["unit"]["name"] for u in units] == ["荷塘区"]


def test_unknown_unit_is_one_error_line(db_path) -> None:
    assert run(db_path, "import", *HETANG).exit_code == 0
    for extra in ((), ("--json",)):
        result = run(db_path, "track", "--unit", "江夏区", *extra)
        assert result.exit_code == 2
        assert result.output.strip().startswith("error: no unit named '江夏区'")
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_empty_database(db_path) -> None:
    assert _track(str(db_path)) == {"units": []}
    result = run(db_path, "track")
    assert result.exit_code == 0 and "no reports stored" in result.output


def test_bad_input_gives_sensible_output(db_path) -> None:
    from storage.repository import open_store

    day = date(2025, 5, 1)
    with open_store(f"sqlite:///{db_path}") as store:
        for n, r in enumerate([report(day, [issue("1", TITLES[0], RECTS[0], "partial")]),
                               report(day, [issue("1", TITLES[0], RECTS[0], "partial")], title="同日第二份通报"),
                               report(None, []),
                               report(date(2025, 1, 1), [])], 1):
            r.source_url = f"https://example.gov.cn/{n}"
            store.ingest(r, raw=None)
        store.ingest(report(day, [issue("1", TITLES[1], RECTS[1])], title="鼓楼区的通报",
                            unit=Unit(name="鼓楼区", level="county"), url="https://example.gov.cn/x"), raw=None)
    unit = {u["unit"]["name"]: u for u in _track(str(db_path))["units"]}
    hetang = unit["荷塘区"]
    assert [r["published_on"] for r in hetang["reports"]] == ["2025-01-01", "2025-05-01", "2025-05-01", None]
    assert [[t["change"] for t in c["transitions"]] for c in hetang["comparisons"]] == [
        ["new"], ["stalled"], ["dropped"]]
    assert unit["鼓楼区"]["comparisons"] == [] and len(unit["鼓楼区"]["reports"]) == 1
    text = run(db_path, "track")
    assert text.exit_code == 0, text.output
    for phrase in ("荷塘区", "stalled 停滞", "partial 阶段性完成", "undated", "only one report"):
        assert phrase in text.output


def test_table_view(db_path) -> None:
    assert run(db_path, "import", *HETANG).exit_code == 0
    result = run(db_path, "track", "--unit", "荷塘区")
    assert result.exit_code == 0, result.output
    assert "regressed 完成后反复" in result.output and "completed 已完成" in result.output
    assert "alerts: 33" in result.output
