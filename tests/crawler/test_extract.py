"""Detail pages: notice, multi-page notice, attachment pointer, or not a notice (pure, offline)."""

from __future__ import annotations

from pathlib import Path

from crawler.extract import continuation_pages, cut_short, examine_page, join_pages
from tests.fixtures.html_pages import render

SAMPLES = Path(__file__).resolve().parents[2] / "crawler" / "samples"
TEXT = (SAMPLES / "hecheng_2026.txt").read_text(encoding="utf-8")


def test_a_notice_page_is_parsed() -> None:
    outcome = examine_page(render("trs", TEXT), "http://a.gov.cn/c/t20260305_1.html", "text/html")
    assert outcome.report is not None and len(outcome.report.issues) == 30
    assert outcome.report.source_url == "http://a.gov.cn/c/t20260305_1.html"
    assert outcome.reason is None


def test_news_is_not_a_notice() -> None:
    page = ("<html><head><title>区委召开巡察整改工作推进会</title></head><body><div id='zoom'><p>区委召开巡察整改"
            "工作推进会</p><p>会议强调,要切实抓好巡察反馈问题整改。</p>" + "<p>会议要求,压实整改责任。</p>" * 40 +
            "<p><a href='/a/1.pdf'>会议材料.pdf</a></p></div></body></html>").encode()
    outcome = examine_page(page, "http://a.gov.cn/n/1.html", "text/html")
    assert outcome.report is None and outcome.reason.startswith("not a notice")


def test_attachment_pointer() -> None:
    html = ("<html><head><title>中共××区委关于巡视整改进展情况的通报</title></head><body><div class='TRS_Editor'>"
            "<p>详见附件。</p><p><a href='./P020260305.pdf'>中共××区委关于巡视整改进展情况的通报.pdf</a></p>"
            "<p><a href='/x/notes.xls'>表</a></p></div></body></html>").encode()
    outcome = examine_page(html, "http://a.gov.cn/c/202603/t20260305_1.html", "text/html; charset=utf-8")
    assert outcome.report is None
    assert outcome.attachments == ["http://a.gov.cn/c/202603/P020260305.pdf"]


def test_multipage_notice_is_joined() -> None:
    lines = TEXT.splitlines()
    half = len(lines) // 2
    first = render("trs", "\n".join(lines[:half])).replace(
        b"</body>", b"<div class='page'><a href='t20260305_1_1.html'>2</a> <a href='t20260305_1_1.html'>"
                    b"\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a></div></body>")
    url = "http://a.gov.cn/c/t20260305_1.html"
    outcome = examine_page(first, url, "text/html")
    assert outcome.continuation == ["http://a.gov.cn/c/t20260305_1_1.html"]
    assert outcome.report is None
    joined = join_pages([outcome.text, "\n".join(lines[half:])], url, outcome.title, outcome.published_on)
    whole = examine_page(render("trs", TEXT), url, "text/html")
    assert joined.report is not None
    assert [i.label for i in joined.report.issues] == [i.label for i in whole.report.issues]


def test_continuation_links_only_for_the_first_page() -> None:
    html = '<a href="t1_2.html">3</a><a href="t1_1.html">2</a><a href="index_1.html">list</a>'
    assert continuation_pages(html, "http://a/c/t1.html") == ["http://a/c/t1_1.html", "http://a/c/t1_2.html"]
    assert continuation_pages(html, "http://a/c/t1_1.html") == []
    assert continuation_pages(html, "http://a/c/") == []


def test_broken_bytes_are_a_reason_not_an_exception() -> None:
    for body, ctype in ((b"", "text/html"), (b"\x00\xff" * 100, "application/octet-stream"),
                        (b"%PDF-1.4 broken", "application/pdf"), (b"PK\x03\x04broken", None)):
        outcome = examine_page(body, "http://a/x", ctype)
        assert outcome.report is None and outcome.reason


def test_the_crawl_variant_seals_the_report_and_files_an_attachment_under_its_page() -> None:
    from datetime import date

    from crawler.extract import AttachedTo, examine_for_crawl
    from crawler.items import SealedReport

    page = AttachedTo("http://a.gov.cn/c/t1.html", "页面标题", date(2026, 3, 5))
    outcome = examine_for_crawl(TEXT.encode("utf-8"), "http://a.gov.cn/c/P020260305.txt", "text/plain", page)
    assert isinstance(outcome.report, SealedReport)
    report = outcome.report.open()
    assert report.source_url == "http://a.gov.cn/c/t1.html" and len(report.issues) == 30
    assert report.published_on is not None
    direct = examine_page(TEXT.encode("utf-8"), "http://a.gov.cn/c/P020260305.txt", "text/plain").report
    assert direct is not None and report.issues == direct.issues
    none = examine_for_crawl(b"<html><body><p>hello</p></body></html>", "http://a.gov.cn/n/2.html", "text/html")
    assert none.report is None and none.reason


def test_a_body_cut_short_is_told() -> None:
    page = render("trs", TEXT)
    pdf, docx = (SAMPLES / "yicheng_2024.pdf").read_bytes(), (SAMPLES / "zhengxiang_2024.docx").read_bytes()
    xml = b"<?xml version='1.0'?><datastore><nextgroup/><recordset><record/></recordset></datastore>"
    for whole in (page, pdf, docx, xml):
        assert cut_short(whole) is None
        assert cut_short(whole[: len(whole) // 2])  # what a Content-Length of half the body leaves
    assert cut_short(b"plain text, no markup") is None
