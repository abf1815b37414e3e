"""Bad input fuzzing of the notice parser: mutated notices and pages, huge and hostile inputs.

Entry points, as the crawler and the CLI call them: :func:`crawler.parse.parse_document` on raw
bytes with a file name and/or a content type (``rectrack parse``, attachments),
:func:`crawler.extract.examine_page` (a fetched detail page), and on decoded input
:func:`crawler.parse.parse_text` and :func:`crawler.parse.extract_article`.

Checked for every input:

* no exception escapes, except the documented bad-input errors of ``parse_document``:
  :class:`~crawler.parse.DecodeError` (empty, binary or undecodable bytes; its subclass
  :class:`~crawler.parse.AttachmentError` for unreadable PDF/DOCX) and
  :class:`~crawler.parse.NoNoticeError` (nothing about an inspection); a report is well-formed;
* no hang: every document runs in a forked child under a watchdog (:mod:`tests.crawler.parse.bounded`)
  with a generous bound per document, larger inputs proportionally;
* no memory blow-up: the big inputs are measured one by one (peak resident growth).

Families and counts (CI / ``--full``): hypothesis texts built from notice fragments (300 / 3,000),
hypothesis markup (200 / 2,000), hypothesis random insertion/deletion in corpus lines (200 / 2,000),
seeded byte-level mutations of real pages and notices (1,000 / 10,000), and 28 huge or hostile
documents (both settings). Reproducible: hypothesis is derandomized, mutation ``i`` is made by
``random.Random(f"{SEED}:{i}")``; a failing document is written to the test's tmp_path.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parse import DecodeError, NoNoticeError, Report, extract_article, parse_document, parse_text
from crawler.parse.schema import STATUS_LABELS
from tests.crawler.parse.bounded import peak_growth, peak_growth_start, run_bounded, run_stream

ROOT = Path(__file__).resolve().parents[2]
SEED = 20260601
MIB = 2**20

#: Documented bad-input errors of ``parse_document``.
BAD_INPUT = (DecodeError, NoNoticeError)
#: Seconds one small document may take before it counts as a hang (a notice parses in milliseconds;
#: the bound is generous for a loaded CI machine).
DOC_SECONDS = 30.0
#: Peak memory a big input may add (they are 0.3 to 20 MB; measured: up to ~130 MB).
MAX_GROWTH = 400 * MIB
#: Seconds a big input may take: the small-document bound plus 3 s per MB of the largest (20 MB).
BIG_SECONDS = DOC_SECONDS + 3 * 20


# ---- seeds ------------------------------------------------------------------------------------


@cache
def text_seeds() -> tuple[bytes, ...]:
    """Notices as plain text: the bundled samples and, where present, the shared scoring corpus."""
    paths = sorted((ROOT / "crawler" / "samples").glob("*.txt"))
    paths += sorted((ROOT.parent / "shared" / "corpus").glob("*.txt"))
    return tuple(p.read_bytes() for p in paths)


@cache
def page_seeds() -> tuple[bytes, ...]:
    """HTML pages: the saved fixtures and every page the bundled sample site renders (TRS, Hanweb, plain)."""
    from crawler.samplesite.content import build
    from crawler.samplesite.render import Renderer

    pages = [p.read_bytes() for p in sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))]
    content = build(2, 7)
    renderer = Renderer(content, "http://127.0.0.1:8000")
    for column in content.columns.values():
        for entry in column:
            pages.extend(renderer.article(entry, part) for part in range(entry.parts))
    for key in content.columns:
        pages.append(renderer.list_page(key, 0) or b"")
    return tuple(p for p in pages if p)


@cache
def attachment_seeds() -> tuple[tuple[bytes, str], ...]:
    samples = ROOT / "crawler" / "samples"
    return tuple((p.read_bytes(), p.name) for p in sorted(samples.glob("*.pdf")) + sorted(samples.glob("*.docx")))


@cache
def corpus_lines() -> tuple[str, ...]:
    return tuple(line for data in text_seeds() for line in data.decode("utf-8").splitlines() if line.strip())


# ---- checks -----------------------------------------------------------------------------------


def check_report(report: Report) -> None:
    """A parsed report is well-formed and serialisable."""
    assert isinstance(report, Report)
    report.to_dict()
    for issue in report.iter_issues():
        assert issue.status in STATUS_LABELS, issue.status


def check_document(data: bytes, name: str | None = None, content_type: str | None = None) -> None:
    """``parse_document`` returns a report or raises a documented bad-input error, nothing else."""
    try:
        report = parse_document(data, name=name, content_type=content_type, source_url="http://127.0.0.1/n/1.html")
    except BAD_INPUT as exc:
        assert str(exc) and "\n" not in str(exc), repr(exc)
    else:
        check_report(report)


def check_text(text: str) -> None:
    check_report(parse_text(text))


def check_page(html: str) -> None:
    article = extract_article(html, "http://127.0.0.1/n/t20250101_1.html")
    assert isinstance(article.text, str)
    check_report(parse_text(article.text, page_title=article.title, page_date=article.published_on))


def check_crawler_page(data: bytes, content_type: str | None) -> None:
    """The crawler's own path for a fetched detail page never raises."""
    from crawler.extract import examine_page

    examine_page(data, "http://127.0.0.1/n/202501/t20250101_1.html", content_type)


class Hang(Exception):
    """A hypothesis example ran past its time bound."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Interrupt a Python-level hang (regex matching checks for signals) with :class:`Hang`."""
    def expire(_signum: int, _frame: object) -> None:
        raise Hang(f"no result after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- hypothesis: texts built from notice fragments -----------------------------------------------

HEADINGS = ["一、", "二、", "十一、", "(一)", "（一）", "（十二）", "1.", "1、", "12.", "１．", "(1)", "（１）", "①",
            "问题1:", "问题一：", "1.问题2:", "关于“", "”的问题", "1-2,", "一是", "下一步", "第一部分"]
MARKERS = ["整改情况:", "整改情况：", "整改进展:", "【整改进展】", "整改措施:", "整改状态:完成",
           "完成情况:正在推进", "整改结果：已完成", "已全部整改到位", "已完成整改", "正在推进", "阶段性完成",
           "长期坚持", "已销号", "尚未完成", "12起已化解6起", "完成率100%", "分别是:"]
HEADER = ["关于巡视整改进展情况的通报", "中共某某市某某区委", "省委第九巡视组", "十一届区委第三轮巡察",
          "根据省委统一部署,", "2025年3月5日至5月16日", "二〇二五年八月二十五日", "2024-06-01", "6月20日",
          "反馈问题共23个", "对某某区进行了常规巡视", "欢迎广大干部群众监督", "联系电话:0731-1234567"]
NOISE = ["\n", "\n\n", " ", "\u3000\u3000", "\t", "。", "，", ",", "；", "：", "“", "”", "（", "）", "\u200b",
         "\ufeff", "\x00", "\x0b", "\x1b", "\r", "\u2028", "<", "&nbsp;", "整改", "巡视", "巡察", "问题", "0", "9",
         "一", "〇", "十"]
FRAGMENT = st.sampled_from(HEADINGS + MARKERS + HEADER + NOISE)
PIECE = st.one_of(FRAGMENT, FRAGMENT, st.text(max_size=12), st.integers(0, 10**6).map(str))


def _hypothesis(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def test_hypothesis_notice_text(full_counts: bool) -> None:
    """Texts made of headings, markers, header lines, dates and noise: as text, and as bytes in three encodings."""
    @_hypothesis(3000 if full_counts else 300)
    @given(st.lists(st.one_of(PIECE, PIECE, st.sampled_from(corpus_lines())), min_size=10, max_size=400).map("".join),
           st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    def run(text: str, encoding: str) -> None:
        with time_bound(20):
            check_text(text)
            check_document(text.encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace"), name="x.txt")

    run()


MARKUP = st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<br>", "<table><tr><td>", "</td></tr></table>", "<td>",
                          "<span>", "</span>", "<font>", "<a href='a.pdf'>", "</a>", "<script>", "</script>", "<style>",
                          "<!--", "-->", "<!--ZJEG_RSS.content.begin-->", "<!--ZJEG_RSS.content.end-->",
                          "<div class='TRS_Editor'>", "<div id='zoom'>", "<div class='content'>", "<h1>", "</h1>",
                          "<title>", "</title>", "<meta name='ArticleTitle' content='", "'>", "<![CDATA[", "]]>",
                          "<?xml version='1.0'?>", "<pre>", "&#12288;", "&#0;", "&#xD800;", "&amp;", "<", ">",
                          "\"", "'"])


def test_hypothesis_markup(full_counts: bool) -> None:
    """Markup soup with notice fragments: ``extract_article`` never raises, ``parse_document`` only as documented."""
    @_hypothesis(2000 if full_counts else 200)
    @given(st.lists(st.one_of(MARKUP, MARKUP, PIECE, st.sampled_from(corpus_lines())), min_size=10, max_size=300)
           .map("".join))
    def run(html: str) -> None:
        with time_bound(20):
            check_page(html)
            check_document(("<html><body>" + html).encode("utf-8", "surrogatepass"), name="x.html")

    run()


def test_hypothesis_insertions_and_deletions(full_counts: bool) -> None:
    """Corpus paragraphs with fragments inserted and characters deleted at random places."""
    lines = corpus_lines()

    @_hypothesis(2000 if full_counts else 200)
    @given(st.lists(st.sampled_from(lines), min_size=1, max_size=80), st.randoms(use_true_random=False))
    def run(chosen: list[str], rnd: random.Random) -> None:
        text = "\n".join(chosen)
        for _ in range(rnd.randint(1, 30)):
            at = rnd.randrange(len(text) + 1)
            if rnd.random() < 0.5:
                text = text[:at] + rnd.choice(HEADINGS + MARKERS + HEADER + NOISE) + text[at:]
            else:
                text = text[:at] + text[at + rnd.randint(1, 40):]
        with time_bound(20):
            check_text(text)
            check_document(text.encode("utf-8", "surrogatepass"), name="x.txt")

    run()


# ---- seeded byte-level mutations --------------------------------------------------------------

TAGS = [b"<div>", b"</div>", b"<p>", b"</p>", b"<p ", b"<div class='", b"<table><tr><td>", b"</td></tr></table>",
        b"<span>", b"<font color=red>", b"<a href='x.pdf'>", b"</a>", b"<li>", b"<br>", b"<!--", b"-->",
        b"<script>", b"</script>", b"<style>", b"<textarea>", b"<title>", b"<h1>", b"<![CDATA[", b"<?php ", b"<",
        b">", b"&", b"&#", b"&#x110000;", b"<meta charset='gbk'>", b"<meta http-equiv='Content-Type' "
        b"content='text/html; charset=utf-16'>", b"</html>", b"<body>", b"<head>"]
FRAGMENTS = [f.encode() for f in HEADINGS + MARKERS + HEADER] + [f.encode("gbk") for f in HEADINGS + MARKERS]
CONTROL = [bytes([b]) for b in range(32)] + [b"\x7f", b"\x00" * 16, "\u2028".encode(), "\ufeff".encode(),
                                             "\u202e".encode(), b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
ENCODINGS = ["gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis",
             "euc-kr", "utf-8-sig"]
NAMES = [None, None, "x.html", "t20250101_1.shtml", "x.txt", "notice.pdf", "a.docx", "b.doc", "download.jsp?id=3"]
CONTENT_TYPES = [None, None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk",
                 "text/html; charset=gb2312", "text/html; charset=iso-8859-1", "text/plain",
                 "application/octet-stream", "application/pdf", "text/html; charset=bogus-42"]


def _reencode(data: bytes, rnd: random.Random) -> bytes:
    """Decode the bytes as they are, encode them in another encoding; the declarations stay as they were."""
    text = data.decode("utf-8", "replace") if rnd.random() < 0.7 else data.decode("gb18030", "replace")
    return text.encode(rnd.choice(ENCODINGS), "replace")


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """One to five random byte-level mutations."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 5)):
        at = rnd.randrange(len(out) + 1)
        op = rnd.randrange(12)
        if op == 0:  # truncation
            del out[at:]
        elif op == 1:  # deletion
            del out[at:at + rnd.randint(1, 2000)]
        elif op == 2:  # duplication of a span
            start = rnd.randrange(len(out) + 1)
            out[at:at] = out[start:start + rnd.randint(1, 4000)]
        elif op == 3:  # random bytes, invalid UTF-8 and GBK sequences included
            out[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
        elif op == 4:  # flipped bytes
            for _ in range(rnd.randint(1, 30)):
                if out:
                    out[rnd.randrange(len(out))] = rnd.randrange(256)
        elif op == 5:  # a run of one tag: nested or unclosed elements
            out[at:at] = rnd.choice(TAGS) * rnd.choice((1, 3, 50, 500, 3000))
        elif op == 6:  # notice fragments
            out[at:at] = b"".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randint(1, 20)))
        elif op == 7:  # control characters and NULs
            out[at:at] = b"".join(rnd.choice(CONTROL) for _ in range(rnd.randint(1, 20)))
        elif op == 8:  # the whole document in another encoding
            out = bytearray(_reencode(bytes(out), rnd))
        elif op == 9:  # a declaration that lies
            out = bytearray(bytes(out).replace(rnd.choice([b"utf-8", b"UTF-8", b"gb2312", b"gbk"]),
                                               rnd.choice([b"gbk", b"utf-8", b"utf-16", b"latin-1", b"x-unknown"]), 1))
        elif op == 10:  # lines shuffled and repeated
            lines = bytes(out).split(b"\n")
            for _ in range(rnd.randint(1, 10)):
                i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i] * rnd.randint(1, 3)
            out = bytearray(b"\n".join(lines))
        else:  # a long line
            out[at:at] = rnd.choice([b"1", "\u4e00".encode(), b" ", b"a", "整改".encode(), b"\t", "。".encode()]) * \
                rnd.randint(1000, 50_000)
    return bytes(out)


def mutated_document(index: int) -> tuple[bytes, str | None, str | None, str]:
    """Document ``index`` of the mutation family: (bytes, name, content type, entry point)."""
    rnd = random.Random(f"{SEED}:{index}")
    pick = rnd.random()
    if pick < 0.01:
        data, name = rnd.choice(attachment_seeds())
        return mutate(data, rnd), rnd.choice([name, None]), None, "document"
    seed = rnd.choice(text_seeds()) if pick < 0.3 else rnd.choice(page_seeds())
    entry = rnd.choice(["document", "document", "crawler", "decoded"])
    return mutate(seed, rnd), rnd.choice(NAMES), rnd.choice(CONTENT_TYPES), entry


def check_mutated(index: int) -> None:
    data, name, content_type, entry = mutated_document(index)
    if entry == "document":
        check_document(data, name, content_type)
    elif entry == "crawler":
        check_crawler_page(data, content_type)
    else:
        text = data.decode("utf-8", "replace")
        check_page(text)
        check_text(text)


def _report_failures(events: Iterator[tuple[str, int, str]], make: Callable[[int], tuple], tmp_path: Path) -> None:
    failures = []
    for kind, index, detail in events:
        data = make(index)[0] if index >= 0 else b""
        saved = tmp_path / f"failing_{kind}_{index}.bin"
        saved.write_bytes(data)
        failures.append(f"document {index} ({kind}, saved as {saved}): {detail[-1500:]}")
        if len(failures) >= 5:
            break
    assert not failures, "\n\n".join(failures)


def test_byte_mutations_of_pages_and_notices(full_counts: bool, tmp_path: Path) -> None:
    """Truncation, wrong encodings, lying declarations, nested/unclosed tags, control bytes, long lines …"""
    count = 10_000 if full_counts else 1_000
    text_seeds(), page_seeds(), attachment_seeds()  # built once, before the fork
    _report_failures(run_stream(check_mutated, count, seconds=DOC_SECONDS), mutated_document, tmp_path)


def test_the_mutations_are_reproducible_and_varied() -> None:
    first = [mutated_document(i) for i in range(200)]
    assert first == [mutated_document(i) for i in range(200)]
    assert len({doc[0] for doc in first}) == 200
    assert {doc[3] for doc in first} == {"document", "crawler", "decoded"}
    assert any(doc[0][:4] == b"%PDF" or doc[0][:2] == b"PK" for doc in (mutated_document(i) for i in range(1000)))


# ---- huge and hostile documents ---------------------------------------------------------------


def _nested(count: int, opening: str, closing: str, inner: str = "巡视整改情况:已完成。") -> bytes:
    return ("<html><body>" + opening * count + inner + closing * count + "</body></html>").encode()


def _headings(count: int) -> str:
    cn = "一二三四五六七八九十"
    return "巡视组反馈意见整改情况\n" + "\n".join(
        f"({cn[i % 10]})问题类别{i}\n{i % 300 + 1}.问题{i}\n整改情况:已完成。" if i % 7 == 0 else
        f"{i % 300 + 1}、问题{i}\n整改情况:正在推进" for i in range(count))


#: name → (maker of the bytes, file name); the name ``"decoded"`` means: decode as UTF-8 and hand the text to
#: ``parse_text`` and ``extract_article`` (bytes full of control characters are refused as binary before parsing).
BIG: dict[str, tuple[Callable[[], bytes], str]] = {
    "10 MB single line of notice text": (lambda: ("整改情况:已全部完成。" * (10 * MIB // 30)).encode(), "x.txt"),
    "10 MB single line of ASCII": (lambda: b"a" * (10 * MIB), "x.txt"),
    "10 MB single line, spaces between CJK": (lambda: ("整 改 " * (10 * MIB // 8)).encode(), "x.txt"),
    "10 MB single line of digits": (lambda: ("巡视" + "1" * (10 * MIB)).encode(), "x.txt"),
    "10 MB single line of Chinese numerals": (lambda: ("巡视" + "一" * (10 * MIB // 3)).encode(), "x.txt"),
    "10 MB single-line HTML": (lambda: b"<html><body><div>" + ("已完成整改," * (10 * MIB // 16)).encode() +
                               b"</div></body></html>", "x.html"),
    "10 MB single line of (N) items": (lambda: ("巡视组\n1.问题\n整改情况:1-2,问题。整改情况:" +
                                                "(1)x" * (10 * MIB // 4) + "\n1-3,问题。整改情况:好").encode(),
                                       "x.txt"),
    "100,000 nested <div>": (lambda: _nested(100_000, "<div>", "</div>"), "x.html"),
    "100,000 nested unclosed <div>": (lambda: b"<html><body>" + b"<div>" * 100_000 + "巡视整改".encode(), "x.html"),
    "100,000 nested <span>": (lambda: _nested(100_000, "<span>", "</span>"), "x.html"),
    "20,000 nested tables": (lambda: _nested(20_000, "<table><tr><td>", "</td></tr></table>"), "x.html"),
    "3,000 nested <div> then 300,000 unclosed <p": (lambda: b"<html><body>" + b"<div>" * 3000 + "巡视".encode() +
                                                    b"<p " * 300_000, "x.html"),
    "100,000 headings": (lambda: _headings(100_000).encode(), "x.txt"),
    "100,000 headings as HTML paragraphs": (lambda: ("<html><body><div class='content'>" + "".join(
        f"<p>{line}</p>" for line in _headings(100_000).split("\n")) + "</div></body></html>").encode(), "x.html"),
    "1,000,000 short lines": (lambda: ("巡视\n" * 1_000_000).encode(), "x.txt"),
    "3,000,000 two-character lines": (lambda: ("巡\n1\n" * 1_500_000).encode(), "x.txt"),
    "control characters and NULs": (lambda: ("巡视\x00整改\x01情况\x1b:\x0b已完成\x7f。\n" * 100_000).encode(),
                                    "x.txt"),
    "control characters in HTML": (lambda: ("<html><body><p>巡视\x00整改\x08情况\x1f:已完成</p>" * 50_000).encode(),
                                   "x.html"),
    "control characters and NULs, decoded": (lambda: "".join(f"{i % 300 + 1}.问题\x00{chr(i % 32)}\n整改情况\x1b:已完成"
                                                             f"\x7f\u2028\ufeff。\n" for i in range(20_000)).encode(),
                                             "decoded"),
    "200,000 sibling comments": (lambda: ("<html><body>" + "<!--ZJEG_RSS.content.begin-->巡视<!---->" * 100_000 +
                                          "</body></html>").encode(), "x.html"),
    "100,000 links": (lambda: ("<html><body><ul>" + "<li><a href='x'>巡视链接</a>" * 100_000 +
                               "</ul></body></html>").encode(), "x.html"),
    "100,000 elements with class and id": (lambda: ("<html><body><div>" + "<p class='c' id='i'>巡视</p>" * 100_000 +
                                                    "</div></body></html>").encode(), "x.html"),
    "100,000 attachment links with onclick": (lambda: ("<html><body>" + "<a href='x.pdf' onclick=\"open('a.pdf')\">"
                                                       "附件.pdf</a>" * 100_000 + "巡视</body></html>").encode(),
                                              "x.html"),
    "1,300,000 <span> in one paragraph": (lambda: b"<html><body><p>" + "<span>巡</span>".encode() * 1_300_000 +
                                          b"</p></body></html>", "x.html"),
    "20 MB of <p>": (lambda: b"<html><body>" + b"<p>x</p>" * (20 * MIB // 8) + b"</body></html>", "x.html"),
    "2 MB class attribute": (lambda: b"<html><body><div class='" + b"a " * MIB + "'>巡视</div>".encode(), "x.html"),
    "10 MB <title>": (lambda: ("<html><head><title>" + "巡视 - " * (10 * MIB // 10) + "</title></head><body>x"
                               "</body></html>").encode(), "x.html"),
    "UTF-16 without BOM, 5 MB": (lambda: ("巡视组\n1.问题\n整改情况:已完成。\n" * 200_000).encode("utf-16-le"), None),
}


def _parse_big(name: str) -> str:
    make, file_name = BIG[name]
    data = make()
    if file_name == "decoded":
        text = data.decode("utf-8")
        check_page(text)
        report = parse_text(text)
        check_report(report)
        return f"{len(report.issues)} issues"
    try:
        report = parse_document(data, name=file_name)
    except BAD_INPUT as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    check_report(report)
    return f"{len(report.issues)} issues, warnings: {report.warnings[:2]}"[:300]


@pytest.mark.parametrize("name", list(BIG))
def test_huge_and_hostile_documents(name: str) -> None:
    """Each is parsed in its own child: no exception, done within 90 s, peak memory growth under 400 MB."""
    outcome = run_bounded(_parse_big, name, seconds=BIG_SECONDS)
    assert not outcome.timed_out, f"{name}: no result after {BIG_SECONDS:.0f} s"
    assert outcome.error is None, f"{name}: {outcome.error}"
    if outcome.peak_growth is not None:
        assert outcome.peak_growth < MAX_GROWTH, f"{name}: peak memory grew by {outcome.peak_growth / MIB:.0f} MB"


def test_the_watchdog_catches_hangs_and_errors() -> None:
    """The guards can fail: a stuck call times out, an exception and a memory blow-up are reported."""
    import time

    assert run_bounded(time.sleep, 30, seconds=0.5).timed_out
    assert "ZeroDivisionError" in (run_bounded(lambda: 1 / 0, seconds=10).error or "")
    grown = run_bounded(lambda: len(bytearray(300 * MIB)), seconds=30)
    assert grown.value == 300 * MIB and (grown.peak_growth is None or grown.peak_growth >= 250 * MIB)
    events = list(run_stream(lambda i: time.sleep(30) if i == 2 else 1 / (i - 1), 5, seconds=1))
    assert [(kind, index) for kind, index, _ in events] == [("error", 1), ("hang", 2)]
    with pytest.raises(Hang):
        with time_bound(0.2):
            while True:
                pass
    base = peak_growth_start()
    assert base is None or peak_growth(base) is not None
