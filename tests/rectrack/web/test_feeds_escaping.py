"""Atom feeds (valid XML, stable entry ids) and escaping: notices whose texts and URLs carry markup,
scripts, entities and characters XML cannot hold show as text everywhere and run nowhere."""

from __future__ import annotations

import lxml.etree
import lxml.html
from fastapi.testclient import TestClient

from .conftest import EVIL, EVIL_RAW, EVIL_URL, unit_id

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client: TestClient, path: str) -> lxml.etree._Element:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return lxml.etree.fromstring(response.content)  # raises on anything that is not well-formed XML


def test_unit_feed(client: TestClient) -> None:
    uid = unit_id(client, "荷塘区")
    root = feed(client, f"/units/{uid}/feed.atom")
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "rectrack alerts · 荷塘区"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"http://testserver/units/{uid}/feed.atom"
    assert root.findtext(f"{ATOM}id").startswith("urn:rectrack:unit:")
    entries = root.findall(f"{ATOM}entry")
    alerts = client.get(f"/api/units/{uid}").json()["alerts"]
    assert len(entries) == min(100, len(alerts))
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:rectrack:alert:") for i in ids)
    assert set(ids) <= {f"urn:rectrack:alert:{a['key']}" for a in alerts}
    for e in entries:
        assert e.findtext(f"{ATOM}updated").endswith("T00:00:00Z") and e.findtext(f"{ATOM}title")
        assert e.find(f"{ATOM}link").get("href").startswith("http://testserver/issues/")
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and root.findtext(f"{ATOM}updated") == updated[0]
    assert feed(client, f"/units/{uid}/feed.atom").findall(f"{ATOM}entry")[0].findtext(f"{ATOM}id") == ids[0]
    everything = feed(client, "/alerts.atom?kind=dropped")
    assert [e.find(f"{ATOM}category").get("term") for e in everything.findall(f"{ATOM}entry")] == ["dropped"]


def _no_active_content(doc: lxml.html.HtmlElement) -> None:
    assert doc.xpath("//script") == [] and doc.xpath("//img") == [] and doc.xpath("//iframe") == []
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and any(k.startswith("on") for k in e.attrib)]
    assert doc.xpath("//b") == [] and doc.xpath("//main//i[not(starts-with(@class,'sw-'))]") == []
    for href in doc.xpath("//@href | //@action | //@src"):
        assert href.startswith(("/", "?", "#", "https://www.example.gov.cn/")), href


def test_pages_show_website_text_as_text(evil_client: TestClient) -> None:
    uid = unit_id(evil_client, "恶意")
    detail = evil_client.get(f"/api/units/{uid}").json()
    first, second = (t["report"]["id"] for t in detail["timeline"])
    issue = detail["issues"][0]["issue_id"]
    pages = {f"/units?q={detail['unit']['name']}": [detail["unit"]["name"]],
             f"/units/{uid}": [f"{EVIL}教学楼问题 &amp; 食堂", f"{EVIL}通报 &lt;b&gt;", detail["unit"]["name"]],
             f"/reports/{first}": [f"{EVIL}关于巡视整改进展情况的通报", f"<i>{EVIL}</i>分类", f"{EVIL}子问题",
                                   f"{EVIL}正在推进", f"{EVIL} warning"],
             f"/reports/{second}": [EVIL_URL, f"{EVIL}通报 &lt;b&gt;"],
             f"/issues/{issue}": ["<img src=x onerror=alert(2)>", f"{EVIL}教学楼问题 &amp; 食堂"],
             "/alerts": [f"{EVIL}教学楼问题"], "/search?q=教学楼": [f"{EVIL}教学楼问题"],
             "/search?q=加固工程": [f"{EVIL}正在推进加固工程"]}
    for path, texts in pages.items():
        response = evil_client.get(path)
        assert response.status_code == 200, path
        doc = lxml.html.fromstring(response.text)
        _no_active_content(doc)
        shown = doc.text_content()
        for text in texts:
            assert text in shown, (path, text)
    report = lxml.html.fromstring(evil_client.get(f"/reports/{second}").text)
    assert EVIL_URL not in report.xpath("//@href")  # a javascript: URL is text, never a link
    assert report.xpath("//a[@href='https://www.example.gov.cn/1.html']") == []  # only this notice's own URL
    first_page = lxml.html.fromstring(evil_client.get(f"/reports/{first}").text)
    assert first_page.xpath("//a[@href='https://www.example.gov.cn/1.html']/@rel") == ["noopener noreferrer nofollow"]
    inserted = lxml.html.fromstring(evil_client.get(f"/issues/{issue}").text).xpath("//div[@class='diff']/ins/text()")
    assert "<img src=x onerror=alert(2)>新增=SUM(A1)" in "".join(inserted)


def test_feed_and_api_of_hostile_text(evil_client: TestClient) -> None:
    uid = unit_id(evil_client, "恶意")
    root = feed(evil_client, f"/units/{uid}/feed.atom")
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert any(f"{EVIL}教学楼问题 &amp; 食堂" in t for t in titles)  # escaped in the XML, the same text once parsed
    assert not any("\x0b" in t for t in titles)  # a character XML 1.0 cannot carry is dropped
    assert root.xpath("//*[local-name()='script']") == []
    summaries = " ".join(e.findtext(f"{ATOM}summary") for e in root.findall(f"{ATOM}entry"))
    assert "History:" in summaries
    api = evil_client.get(f"/api/units/{uid}").json()
    assert api["unit"]["name"] == '<b onmouseover="alert(3)">恶意</b>区'  # the API returns the data as stored
    assert evil_client.get(f"/api/units/{uid}").headers["content-type"] == "application/json"


def test_raw_page_is_a_download(evil_client: TestClient) -> None:
    uid = unit_id(evil_client, "恶意")
    first, second = (t["report"]["id"] for t in evil_client.get(f"/api/units/{uid}").json()["timeline"])
    raw = evil_client.get(f"/reports/{first}/raw")
    assert raw.content == EVIL_RAW
    assert raw.headers["content-type"] == "application/octet-stream"  # never text/html from this site
    assert raw.headers["content-disposition"] == f'attachment; filename="report-{first}.html"'
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert evil_client.get(f"/reports/{second}/raw").status_code == 404  # stored without its page
    info = evil_client.get(f"/api/reports/{first}").json()["raw"]
    assert info == {"available": True, "content_type": "text/html; charset=utf-8",
                    "fetched_url": "https://www.example.gov.cn/1.html", "download": f"/reports/{first}/raw"}
