"""Regression tests for hangs, crashes and memory blow-ups that fuzzing found in the parser.

Each input is sized so that the old code ran for minutes (quadratic regexes, libxml2 XPath sorting)
or raised; it now takes well under a second. The watchdog's 30 s bound only detects a hang, it does
not measure speed. The rewritten helpers are also checked against what they replaced.
"""

from __future__ import annotations

import logging
import random
from datetime import date

import pytest
from lxml import etree

from crawler.parse import extract_article, parse_document, parse_text
from crawler.parse.dates import cn_int, find_dates
from crawler.parse.header import INSPECTOR_RE, ROUND_RE
from crawler.parse.html import MAX_TAGS
from crawler.parse.html_chrome import _classed, _link_text, _remove_text_chrome, _score, _short_texts
from crawler.parse.notice import MAX_CHARS, MAX_LINES
from crawler.parse.status import classify_status
from crawler.parse.subissues import _split_group_tail
from tests.crawler.parse.bounded import run_bounded

HANG = 30.0  # seconds: a hang, not a slow run
MIB = 2**20


def bounded(func, *args):
    """``func(*args)`` under the watchdog; its value."""
    outcome = run_bounded(func, *args, seconds=HANG)
    assert not outcome.timed_out, f"no result after {HANG:g} s"
    assert outcome.error is None, outcome.error
    return outcome.value


# ---- dates: DATE_RE matched a digit run from every position; cn_int() overflowed -------------------


def test_long_digit_and_numeral_runs_are_no_dates() -> None:
    """A month or day of 5,000 digits raised ValueError (int() refuses over 4,300 digits)."""
    assert find_dates("1" * 5000 + "月5日") == []
    assert find_dates("2025年3月" + "1" * 5000 + "日") == []
    assert find_dates("巡视" + "一" * 5000 + "月五日") == []
    assert cn_int("1" * 5000) is None and cn_int("十二") == 12 and cn_int("2025") == 2025
    parse_text("巡视" + "1" * 5000 + "月5日\n巡视2025年" + "1" * 5000 + "月")


def test_date_matching_is_linear_in_digit_runs() -> None:
    """20,000 digits took 5 s, so 300,000 took over an hour."""
    assert bounded(find_dates, "1" * 300_000 + "x") == []
    assert bounded(find_dates, "一" * 300_000 + "x") == []


def test_dates_are_found_as_before() -> None:
    found = [(m.year, m.month, m.day) for m in find_dates("2025年3月5日至5月16日、12025年6月1日,十二月三日")]
    assert found == [(2025, 3, 5), (None, 5, 16), (2025, 6, 1), (None, 12, 3)]
    assert find_dates("20251月5日") == [] and find_dates("三十一二月五日") == []


# ---- status: the count pattern matched digit runs from every position and overflowed int() ------


def test_a_huge_count_is_compared_without_int_overflow() -> None:
    assert classify_status("共" + "1" * 5000 + "个问题,已整改3个。").status == "partial"
    assert classify_status("12起主办案件已化解6起").status == "partial"
    assert classify_status("3个问题已整改3个。").status != "partial"


def test_count_matching_is_linear_in_digit_runs() -> None:
    """30,000 digits after 已 took 10 s (300,000: over 15 minutes)."""
    assert bounded(lambda: classify_status("已" + "1" * 300_000).status) == "unclear"


# ---- header: INSPECTOR_RE and ROUND_RE matched numeral runs from every position --------------------


def test_inspector_matching_is_linear_in_numeral_runs() -> None:
    """20,000 numerals took 0.8 s, so 300,000 took three minutes."""
    assert bounded(lambda: (INSPECTOR_RE.search("一" * 300_000 + "届"), ROUND_RE.search("一" * 300_000 + "届"))) == \
        (None, None)
    assert INSPECTOR_RE.search("根据安排,十一届区委第三巡察组进驻")["insp"] == "十一届区委第三巡察组"
    assert ROUND_RE.search("十一届区委第三轮巡察")["round"] == "十一届区委第三轮"


# ---- sub-issues: the group-heading pattern scanned lazily from every (N) -------------------------


def test_group_heading_split_is_linear() -> None:
    """20,000 ``(1)`` without a 。 took 8.5 s (300,000: half an hour)."""
    assert bounded(_split_group_tail, "(1)x" * 300_000) == ("(1)x" * 300_000, "")
    assert _split_group_tail("已完成。\n(2)阶段性完成整改6个,分别是:") == ("已完成。", "\n(2)阶段性完成整改6个,分别是:")
    assert _split_group_tail("已完成(1)。(2) 分别为:") == ("已完成(1)。", "(2) 分别为:")
    assert _split_group_tail("(1)已完成。分别是:") == ("(1)已完成。分别是:", "")


# ---- HTML: the flattening regex of too-deep pages scanned to the end from every unclosed tag -------


def test_unclosed_tags_past_the_depth_limit_are_flattened_in_linear_time() -> None:
    """20,000 ``<p `` took 0.65 s, so 300,000 took two and a half minutes."""
    page = "<html><body>" + "<div>" * 3000 + "巡视整改情况" + "<p " * 300_000
    assert "巡视整改情况" in bounded(lambda: extract_article(page).text)


# ---- HTML: XPath node sets that libxml2 sorts in quadratic time -----------------------------------

def _tree(markup: str) -> etree._Element:
    return etree.fromstring(f"<html><body>{markup}</body></html>", etree.HTMLParser()).find("body")


def test_class_and_id_lookup_is_linear() -> None:
    """``.//@class | .//@id`` on 80,000 elements took two minutes (libxml2 sorts the union)."""
    assert bounded(lambda: len(_classed(_tree("<br class='c' id='i'>巡视" * 200_000)))) == 200_000


def test_link_text_is_linear() -> None:
    """``.//a//text()`` under 100,000 links did not finish in a minute."""
    assert bounded(lambda: _score(_tree("<ul>" + "<li><a href='x'>巡视链接</a>正文" * 150_000 + "</ul>")[0])) == \
        2 * 150_000


def test_chrome_text_scan_is_linear() -> None:
    """The short-text-node XPath of the chrome filter took 40 s on 100,000 text nodes."""
    def scan() -> int:
        body = _tree("<div>" + "<p>巡视<!--c--><a>t<b>u</b>v</a>w</p>" * 25_000 + "</div>")
        _remove_text_chrome(body)
        return len(body[0])

    assert bounded(scan) == 25_000


def test_sibling_comments_are_linear() -> None:
    """``.//comment()`` over 20,000 sibling comments took 3 s, over 100,000 more than a minute."""
    page = "<html><body>" + "<!--ZJEG_RSS.content.begin-->巡视<!---->" * 49_000 + "</body></html>"
    assert "巡视" in bounded(lambda: extract_article(page).text)


def _random_tree(rnd: random.Random) -> etree._Element:
    tags = ["div", "p", "a", "span", "b", "td", "a"]

    def grow(parent: etree._Element, depth: int) -> None:
        for _ in range(rnd.randint(0, 4 if depth < 4 else 0)):
            kind = rnd.random()
            if kind < 0.1:
                node = etree.Comment(rnd.choice(["c", "主办单位"]))
                parent.append(node)
            else:
                node = etree.SubElement(parent, rnd.choice(tags))
                if rnd.random() < 0.4:
                    node.set(rnd.choice(["class", "id", "title"]), rnd.choice(["", "x", "share"]))
                node.text = rnd.choice([None, "", " ", "\u3000", "巡视", "打印本页", "首页 > 通知", "。" * 90,
                                        "x" * 301])
                grow(node, depth + 1)
            node.tail = rnd.choice([None, "", "\n", "相关链接", "正文。"])

    root = etree.Element("div")
    root.text = "开头"
    grow(root, 0)
    return root


def test_the_tree_walks_match_the_xpaths_they_replace() -> None:
    classed = etree.XPath(".//@class | .//@id")
    link_text = etree.XPath(".//a//text()", smart_strings=False)
    short = etree.XPath("(.//text()[string-length(.) <= 300][string-length(.) <= 80 or not(contains(., '。'))]"
                        "[normalize-space(.)])")
    rnd = random.Random(5)
    for _ in range(300):
        root = _random_tree(rnd)
        for el in [root, *root.iter("div", "a", "p")]:
            expected = []
            for attr in classed(el):
                if not expected or expected[-1] is not attr.getparent():
                    expected.append(attr.getparent())
            assert [x for x in _classed(el) if x.tag != "article"] == expected
            assert _link_text(el) == "".join(link_text(el))
            texts = [(str(t), t.getparent().getparent() if t.is_tail else t.getparent()) for t in short(el)]
            assert _short_texts(el) == texts


# ---- size caps ------------------------------------------------------------------------------------


def test_a_page_with_too_many_tags_is_read_up_to_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    """1.3 million ``<span>`` in one paragraph took four minutes (text read back node by node)."""
    caplog.set_level(logging.WARNING, logger="crawler.parse.html")
    page = "<html><body><p>巡视第一段</p><p>" + "<span>字</span>" * MAX_TAGS + "</p><p>最后一段</p></body></html>"
    text = bounded(lambda: extract_article(page).text)
    assert text.startswith("巡视第一段") and "最后一段" not in text
    extract_article(page)
    assert any("tags" in r.getMessage() for r in caplog.records)


def test_an_absurdly_long_text_is_cut_with_a_warning() -> None:
    report = parse_text("巡视组\n1.问题\n整改情况:已完成。\n" + "x\n" * MAX_LINES + "2.问题\n整改情况:已完成。")
    assert len(report.issues) == 1 and any("only the first 100,000 of 100,005 lines" in w for w in report.warnings)
    one_line = parse_text("巡视组\n1.问题\n整改情况:已完成。\n2.问题\n整改情况:" + "a" * MAX_CHARS)
    assert any("characters were parsed" in w for w in one_line.warnings)
    assert len(one_line.issues) == 1  # cut at the last line end before the limit
    normal = parse_text("巡视组\n1.问题\n整改情况:已完成。")
    assert not any("cut" in w for w in normal.warnings) and normal.published_on is None


def test_many_short_lines_stay_within_memory() -> None:
    """20 MB of two-character lines took 1.4 GB (a list entry, a string and a Line object per line)."""
    def parse() -> int:
        return len(parse_document(("巡\n1\n" * (20 * MIB // 6)).encode(), name="x.txt").issues)

    outcome = run_bounded(parse, seconds=HANG)
    assert outcome.error is None or "NoNoticeError" in outcome.error
    assert not outcome.timed_out
    if outcome.peak_growth is not None:
        assert outcome.peak_growth < 300 * MIB, outcome.peak_growth


def test_dates_in_a_cut_text_are_still_read() -> None:
    report = parse_text("关于巡视整改进展情况的通报\n2025年3月5日至5月16日,省委第九巡视组对某区进行了巡视。\n" +
                        "1.问题\n整改情况:已完成。\n" + "x\n" * MAX_LINES)
    assert report.inspection.started_on == date(2025, 3, 5)
