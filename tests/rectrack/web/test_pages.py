"""Every page and API endpoint of the web view on the demo database (the bundled sample notices):
what each shows, that the pages and their JSON twins agree, filters, search and diffs."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient

from tests.storage.conftest import SAMPLES_DIR

from .conftest import unit_id


def html(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.text)


def hetang(client: TestClient) -> dict:
    return client.get(f"/api/units/{unit_id(client, '荷塘区')}").json()


def alert_issue(detail: dict, kind: str, label: str) -> int:
    return next(a["issue"]["id"] for a in detail["alerts"] if a["kind"] == kind and a["issue"]["label"] == label)


def test_every_page_is_chinese_friendly_html(client: TestClient) -> None:
    uid = unit_id(client, "荷塘区")
    report = hetang(client)["timeline"][0]["report"]["id"]
    for path in ("/units", f"/units/{uid}", f"/reports/{report}", "/alerts", "/search?q=食堂", "/api"):
        response = client.get(path)
        doc = html(response)
        assert doc.get("lang") == "zh-CN"
        assert doc.xpath("//meta[@charset='utf-8']") and doc.xpath("//meta[@name='viewport']")
        assert doc.xpath("//script") == []  # no JavaScript anywhere
        assert "Noto Sans CJK SC" in client.get(doc.xpath("//link[@rel='stylesheet']/@href")[0]).text
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/", follow_redirects=False).headers["location"] == "/units"


def test_units_page_search_and_counts(client: TestClient) -> None:
    doc = html(client.get("/units"))
    names = doc.xpath("//table[contains(@class,'units')]//td[1]/a/text()")
    assert sorted(names) == sorted(["荷塘区", "鹤城区", "蒸湘区", "宜城市"])
    for query, expected in (({"q": "中共株洲市荷塘区委"}, ["荷塘区"]), ({"q": "430202"}, ["荷塘区"]),
                            ({"q": "荷塘"}, ["荷塘区"]), ({"province": "湖北省"}, ["宜城市"]),
                            ({"city": "株洲市"}, ["荷塘区"]), ({"q": "江夏区"}, [])):
        page = html(client.get("/units", params=query))
        assert page.xpath("//table[contains(@class,'units')]//td[1]/a/text()") == expected, query
        assert [u["unit"]["name"] for u in client.get("/api/units", params=query).json()["units"]] == expected
    item = client.get("/api/units", params={"q": "荷塘区"}).json()["units"][0]
    counts = item["counts"]
    assert counts["reports"] == 2 and counts["stalled"] == 31  # as `rectrack alerts` finds them
    assert counts["open"] + counts["resolved"] >= counts["issues"] and counts["stalled"] <= counts["open"]
    assert item["last_published_on"] == "2026-03-10" and "中共株洲市荷塘区委员会" in item["names"]
    row = html(client.get("/units", params={"q": "荷塘区"})).xpath("//table[contains(@class,'units')]//tbody/tr")[0]
    assert [td.text_content().strip() for td in row.xpath("td")][4:8] == [
        str(counts["open"]), "31", str(counts["resolved"]), str(counts["alerts"])]


def test_unit_page(client: TestClient) -> None:
    detail = hetang(client)
    uid = detail["unit"]["id"]
    doc = html(client.get(f"/units/{uid}"))
    assert doc.xpath("//h1")[0].text_content().startswith("荷塘区")
    assert len(doc.xpath("//figure[@class='chart']//svg//rect")) >= 6  # stacked bars of two reports
    timeline = doc.xpath("//ol[@class='timeline']/li")
    assert len(timeline) == 2 and "2025-08-25" in timeline[0].text_content()
    assert "stalled 停滞: 31" in timeline[1].text_content()  # changes from the report before, bilingual
    reports = [t["report"]["id"] for t in detail["timeline"]]
    assert doc.xpath("//ol[@class='timeline']//a[starts-with(@href,'/reports/')]/@href") == [
        f"/reports/{r}" for r in reports]
    assert len(doc.xpath("//ul[@class='alerts']/li")) == len(detail["alerts"]) == detail["counts"]["alerts"]
    assert doc.xpath("//details[@class='kind']/summary/span/text()")[0] == "stalled 停滞"
    assert {a["kind"] for a in detail["alerts"]} >= {"stalled", "regressed", "dropped", "overdue"}
    assert doc.xpath("//link[@rel='alternate']/@href") == [f"/units/{uid}/feed.atom"]
    issues = doc.xpath("//table[contains(@class,'issues')]//a/@href")
    assert len(issues) == len(detail["issues"]) and all(h.startswith("/issues/") for h in issues)
    assert [t["statuses"] for t in detail["timeline"]] == [
        {"completed": 5, "partial": 5, "in_progress": 2, "unclear": 33},
        {"completed": 5, "partial": 5, "in_progress": 4, "unclear": 30}]


def test_report_page_and_raw_download(client: TestClient) -> None:
    report = hetang(client)["timeline"][1]["report"]["id"]
    doc = html(client.get(f"/reports/{report}"))
    text = doc.text_content()
    for shown in ("中共荷塘区委关于巡视整改情况的通报", "省委第三巡视组", "2024-12-28", "2026-03-10",
                  "imported from a file"):
        assert shown in text, shown
    cards = doc.xpath("//article[contains(@class,'card')]")
    data = client.get(f"/api/reports/{report}").json()
    assert len(cards) == len(data["issues"]) == 44 and data["tracked"] and data["versions"] == [
        {"id": report, "version": 1}]
    assert "in progress 推进中" in text and "unclear 未说明" in text  # statuses in both languages
    assert doc.xpath("//p[@class='evidence']/q")  # the phrases that decided a status
    first = data["issues"][0]
    assert first["label"] == "1" and first["change"] == "regressed" and first["change_label"] == "regressed 完成后反复"
    assert sorted(v["change"] for v in data["vanished"]) == ["closed", "dropped"]
    link = doc.xpath("//a[contains(@href,'/raw')]")[0]
    assert link.get("href") == f"/reports/{report}/raw" and link.get("download") is not None
    raw = client.get(f"/reports/{report}/raw")
    assert raw.status_code == 200 and raw.content == (SAMPLES_DIR / "hetang_2026.txt").read_bytes()
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"] == f'attachment; filename="report-{report}.txt"'
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.headers["content-security-policy"].startswith("sandbox")


def test_issue_history_shows_the_diff(client: TestClient) -> None:
    detail = hetang(client)
    edited = alert_issue(detail, "overdue", "7")  # its rectification text was edited between the notices
    doc = html(client.get(f"/issues/{edited}"))
    assert len(doc.xpath("//table[contains(@class,'history')]/tbody/tr")) == 2
    assert doc.xpath("//div[@class='diff']/ins") and doc.xpath("//div[@class='diff']/del")
    data = client.get(f"/api/issues/{edited}").json()
    assert data["tracked"] and [s["report"]["published_on"] for s in data["steps"]] == ["2025-08-25", "2026-03-10"]
    assert data["steps"][0]["rectification_diff"] is None
    ops = {d["op"] for d in data["steps"][1]["rectification_diff"]}
    assert ops == {"equal", "insert", "delete"} and data["steps"][1]["change"] == "progressing"
    inserted = "".join(d["text"] for d in data["steps"][1]["rectification_diff"] if d["op"] == "insert")
    assert inserted in "".join(doc.xpath("//div[@class='diff']/ins/text()"))
    # the earlier issue id shows the same history
    assert client.get(f"/api/issues/{data['steps'][0]['issue_id']}").json()["steps"] == data["steps"]
    stalled = client.get(f"/api/issues/{alert_issue(detail, 'stalled', '17')}").json()
    assert [s["label"] for s in stalled["steps"]] == ["18", "17"] and stalled["steps"][1]["kept"] == 1.0
    assert "stalled" in [a["kind"] for a in stalled["alerts"]]
    page = html(client.get(f"/issues/{stalled['id']}"))
    assert "unchanged since the report before" in page.text_content() and not page.xpath("//div[@class='diff']")
    dropped = next(a for a in detail["alerts"] if a["kind"] == "dropped")
    gone = client.get(f"/api/issues/{dropped['issue']['id']}").json()
    assert gone["ended"]["change"] == "dropped" and gone["ended"]["status"] == "absent"
    assert "dropped 未报即消失" in html(client.get(f"/issues/{gone['id']}")).text_content()
    recurring = next(a for a in detail["alerts"] if a["kind"] == "recurring")
    assert client.get(f"/api/issues/{recurring['issue']['id']}").json()["recurring"]["stated"]


def test_alerts_page_and_filters(client: TestClient) -> None:
    every = client.get("/api/alerts").json()
    assert every["as_of"] == "2026-06-01" and every["paging"]["total"] == sum(every["counts"].values())
    assert len(every["alerts"]) == 50 and every["paging"]["pages"] > 1
    dates = [a["date"] for a in every["alerts"] if a["date"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    page2 = client.get("/api/alerts", params={"page": 2}).json()["alerts"]
    assert {a["key"] for a in page2}.isdisjoint(a["key"] for a in every["alerts"])
    kinds = client.get("/api/alerts", params=[("kind", "dropped"), ("kind", "regressed")]).json()
    assert {a["kind"] for a in kinds["alerts"]} == {"dropped", "regressed"} and kinds["counts"] == {
        "regressed": 1, "dropped": 1}
    hubei = client.get("/api/alerts", params={"province": "湖北省"}).json()["alerts"]
    assert {a["unit"]["name"] for a in hubei} <= {"宜城市"}
    since = client.get("/api/alerts", params={"since": "2026-01-01", "until": "2026-03-31"}).json()["alerts"]
    assert since and all("2026-01-01" <= a["date"] <= "2026-03-31" for a in since)
    uid = unit_id(client, "荷塘区")
    mine = client.get("/api/alerts", params={"unit": uid, "kind": "stalled"}).json()
    assert mine["paging"]["total"] == 31 and {a["unit"]["id"] for a in mine["alerts"]} == {uid}
    doc = html(client.get("/alerts", params={"unit": uid, "kind": "stalled", "since": "", "until": ""}))
    assert len(doc.xpath("//ul[@class='alerts']/li")) == 31
    assert doc.xpath("//input[@name='kind'][@value='stalled']/@checked") == ["checked"]
    assert all(h.startswith("/issues/") for h in doc.xpath("//ul[@class='alerts']//a[@class='issue-title']/@href"))


def test_search(client: TestClient) -> None:
    doc = html(client.get("/search", params={"q": "食堂"}))
    hits = doc.xpath("//ul[@class='hits']/li")
    data = client.get("/api/search", params={"q": "食堂"}).json()
    assert len(hits) == data["paging"]["total"] >= 3
    assert {h["unit"]["name"] for h in data["hits"]} >= {"荷塘区", "鹤城区"}
    assert all("食堂" in (h["title"] or "") + h["rectification"] for h in data["hits"])
    assert doc.xpath("//ul[@class='hits']//mark/text()")[0] == "食堂"
    # NFKC: full-width digits and letters find the stored half-width text
    assert client.get("/api/search", params={"q": "２０２１年"}).json()["hits"]
    # LIKE wildcards are literal characters
    percent = client.get("/api/search", params={"q": "%"}).json()
    assert percent["hits"] and all("%" in (h["title"] or "") + h["rectification"] for h in percent["hits"])
    assert client.get("/api/search", params={"q": "_"}).json()["hits"] == []
    assert client.get("/api/search", params={"q": "' OR 1=1 --"}).json()["hits"] == []
    assert client.get("/api/search", params={"q": "\x00食堂\x1f"}).json()["query"] == "食堂"
    done = client.get("/api/search", params={"q": "整改", "status": "completed"}).json()["hits"]
    assert done and {h["status"] for h in done} == {"completed"}
    uid = unit_id(client, "鹤城区")
    only = client.get("/api/search", params={"q": "食堂", "unit": uid}).json()["hits"]
    assert only and {h["unit"]["id"] for h in only} == {uid}
    assert "Nothing found" in html(client.get("/search", params={"q": "不存在的词语"})).text_content()
    assert html(client.get("/search")).xpath("//ul[@class='hits']") == []  # the empty form
    assert client.get("/api/search").status_code == 422


def test_openapi_and_plain_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/units", "/api/units/{unit_id}", "/api/issues/{issue_id}", "/api/alerts",
                 "/api/reports/{report_id}", "/api/search"):
        assert "get" in spec["paths"][path], path
        assert spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert not any(p.startswith(("/units", "/alerts", "/search")) for p in spec["paths"])  # pages stay out
    assert {"UnitList", "UnitDetail", "IssueDetail", "AlertList"} <= set(spec["components"]["schemas"])
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404  # no CDN assets
    doc = html(client.get("/api"))
    assert "GET /api/units/{unit_id}" in doc.text_content()
    assert not [h for h in doc.xpath("//@href | //@src") if h.startswith(("http:", "https:", "//"))]


def test_not_found_and_bad_parameters(client: TestClient) -> None:
    for path in ("/units/999999", "/reports/999999", "/issues/999999", "/issues/abc", "/units/0", "/reports/-1",
                 "/issues/99999999999999999999999", "/units/999999/feed.atom", "/reports/999999/raw", "/nowhere",
                 "/static/x.css"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Traceback" not in response.text and "404" in lxml.html.fromstring(response.text).xpath("//h1")[0].text
    api = client.get("/api/units/999999")
    assert api.status_code == 404 and api.json() == {"detail": "No unit with id 999999 is stored."}
    for path, params, word in (("/alerts", {"kind": "sleepy"}, "kind"), ("/alerts", {"since": "2025-13-01"}, "since"),
                               ("/alerts", {"page": "0"}, "page"), ("/units", {"page": "x"}, "page"),
                               ("/search", {"q": "x" * 201}, "q"), ("/search", {"status": "done"}, "status")):
        response = client.get(path, params=params)
        assert response.status_code == 422, (path, params)
        problems = lxml.html.fromstring(response.text).xpath("//main//li/text()")
        assert problems and problems[0].startswith(word), problems
    bad = client.get("/api/alerts", params={"kind": "sleepy"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "kind", 0]
    unknown = client.get("/alerts", params={"unit": "999999"})
    assert unknown.status_code == 400 and "no unit with id 999999" in unknown.text


def test_read_only(client: TestClient, demo_db: str) -> None:
    path = Path(demo_db.removeprefix("sqlite:///"))
    before = path.read_bytes()
    head = client.head("/units")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/html")
    for method in ("post", "put", "delete", "patch"):
        for target in ("/units", "/api/units", "/reports/1"):
            assert getattr(client, method)(target).status_code == 405
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    engine = client.app.state.data.engine
    with engine.connect() as conn:
        try:
            conn.execute(text("DELETE FROM reports"))
        except OperationalError as exc:
            assert "readonly" in str(exc).lower()
        else:
            raise AssertionError("the web view's connection could write")
    assert path.read_bytes() == before
