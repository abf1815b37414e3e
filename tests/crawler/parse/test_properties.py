"""Property tests: the parser never raises, whatever text or HTML it is fed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parse import DecodeError, NoNoticeError, parse_document, parse_html, parse_text

SAMPLES = sorted((Path(__file__).resolve().parents[3] / "crawler" / "samples").glob("*.txt"))
LINES = [line for p in SAMPLES for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
NOTICE_CHARS = st.sampled_from(list("整改情况:已全部完成正在推进阶段性一二三是()(一)1.、,。“”关于问题省委第巡视组年月日\n 0123456789"))
FRAGMENTS = st.sampled_from(["整改情况:", "(一)", "1.", "问题1:", "1-2,", "一、", "关于“", "”的问题", "\n", "。",
                             "已全部整改到位", "正在推进", "阶段性完成", "2025年3月5日至5月16日", "中共某区委"])
COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(report) -> None:
    report.to_dict()
    for issue in report.iter_issues():
        assert issue.status in ("completed", "partial", "in_progress", "unclear")


@COMMON
@given(st.text())
def test_any_text(text):
    _check(parse_text(text))


@COMMON
@given(st.lists(st.one_of(NOTICE_CHARS, FRAGMENTS), max_size=300).map("".join))
def test_notice_like_text(text):
    _check(parse_text(text))


@COMMON
@given(st.lists(st.sampled_from(LINES), max_size=60), st.randoms(use_true_random=False))
def test_shuffled_and_mutated_sample_lines(lines, rnd):
    mutated = []
    for line in lines:
        op = rnd.random()
        if op < 0.2:
            line = line[: rnd.randrange(len(line) + 1)]
        elif op < 0.3:
            line = line.replace("整改情况", "")
        elif op < 0.4:
            line = line + line
        mutated.append(line)
    _check(parse_text("\n".join(mutated)))


TAGS = st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<br>", "<table><tr><td>", "</td></tr></table>",
                        "<script>", "</script>", "<style>", "<div class='TRS_Editor'>", "<div id='zoom'>",
                        "<!--", "-->", "<span>", "&nbsp;", "&#12288;", "<", ">"])


@COMMON
@given(st.lists(st.one_of(TAGS, st.sampled_from(LINES[:200]), st.text(max_size=20)), max_size=80).map("".join))
def test_random_html(html):
    _check(parse_html(html))


@COMMON
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_refuse(data):
    try:
        _check(parse_document(data))
    except (DecodeError, NoNoticeError):
        pass
