"""HTML versions of the samples (TRS UTF-8, Hanweb GBK declared gb2312, plain GBK undeclared, with
site chrome around the body) parse to the same issues as the text versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parse import parse_document, parse_text
from tests.fixtures.html_pages import KINDS, render

SAMPLES = sorted((Path(__file__).resolve().parents[3] / "crawler" / "samples").glob("*.txt"))


def _issues(report):
    return [(i.label, i.category, i.title, i.rectification, i.status,
             [(s.label, s.title, s.status) for s in i.sub_issues]) for i in report.issues]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_html_page_parses_like_the_text(sample, kind):
    text = sample.read_text(encoding="utf-8")
    from_text = parse_text(text)
    from_html = parse_document(render(kind, text), name=f"{sample.stem}.html")
    assert _issues(from_html) == _issues(from_text)
    assert from_html.unit == from_text.unit
    assert from_html.inspection == from_text.inspection
    assert from_html.issuer == from_text.issuer
    assert from_html.title == (from_text.title or from_html.title)
