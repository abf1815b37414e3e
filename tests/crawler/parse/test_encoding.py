"""decode_page / decode_text_file: declared, undeclared and mislabelled Chinese pages."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parse.encoding import DecodeError, decode_page, decode_text_file
from tests.fixtures.html_pages import KINDS, render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "html"

TITLE = "中共株洲市荷塘区委关于巡视整改进展情况的通报"
BODY = "根据省委统一部署，二〇二四年九月十日至十一月十九日，省委第三巡视组对荷塘区进行了巡视。整改面积1200㎡。"


def _page(meta: str = "", body: str = BODY) -> str:
    return f"<html><head>{meta}<title>{TITLE}</title></head><body><p>{body}</p></body></html>"


# --------------------------------------------------------------------------- declared


def test_gb2312_declared_gbk_bytes_decode_with_ling() -> None:
    # 〇 and ㎡ are not in GB2312: only a decoder widened to GBK/GB18030 gets them right
    data = _page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk")
    text = decode_page(data)
    assert "二〇二四年九月十日" in text
    assert "1200㎡" in text
    assert "\ufffd" not in text


def test_gbk_meta_charset_attribute() -> None:
    data = _page('<meta charset="GBK">').encode("gbk")
    assert BODY in decode_page(data)


def test_hanweb_render_is_gbk_declared_gb2312() -> None:
    data = render("hanweb", "二〇二六年三月九日\n第二段")
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    text = decode_page(data)
    assert "二〇二六年三月九日" in text


def test_static_hanweb_fixture_decodes() -> None:
    text = decode_page((FIXTURES / "hanweb_sqjw_gbk.html").read_bytes())
    assert "二〇二六年三月九日" in text
    assert "\ufffd" not in text


def test_header_charset_wins_over_wrong_meta() -> None:
    data = _page('<meta charset="utf-8">').encode("gbk")
    text = decode_page(data, "text/html; charset=GBK")
    assert BODY in text


def test_header_charset_gb2312_is_widened() -> None:
    data = _page().encode("gbk")
    assert BODY in decode_page(data, "text/html;charset=gb2312")


def test_wrong_header_falls_back_to_meta() -> None:
    # servers often send a default charset=UTF-8 for legacy GBK pages
    data = _page('<meta charset="gb2312">').encode("gbk")
    assert BODY in decode_page(data, "text/html; charset=UTF-8")


def test_wrong_meta_without_header_falls_back() -> None:
    data = _page('<meta charset="utf-8">').encode("gbk")
    assert BODY in decode_page(data)


def test_utf8_bytes_declared_gb2312_decode_as_utf8() -> None:
    # a template migrated to UTF-8 that kept its old declaration
    data = _page('<meta charset="gb2312">').encode("utf-8")
    assert BODY in decode_page(data)


def test_latin1_declared_chinese_page() -> None:
    data = _page('<meta charset="iso-8859-1">').encode("gbk")
    assert BODY in decode_page(data)


def test_bom_wins() -> None:
    data = b"\xef\xbb\xbf" + _page('<meta charset="gbk">').encode("utf-8")
    text = decode_page(data)
    assert BODY in text
    assert not text.startswith("\ufeff")


def test_utf16_page_with_bom() -> None:
    data = _page().encode("utf-16")
    assert BODY in decode_page(data)


# --------------------------------------------------------------------------- undeclared


def test_undeclared_gbk_decodes() -> None:
    data = _page().encode("gbk")
    assert b"charset" not in data
    text = decode_page(data)
    assert BODY in text


def test_undeclared_utf8_decodes() -> None:
    assert BODY in decode_page(_page().encode("utf-8"))


def test_undeclared_gbk_with_a_corrupt_byte() -> None:
    data = _page(body=BODY * 20).encode("gbk")
    cut = data.index(BODY.encode("gbk")) + 11  # inside a two-byte character
    damaged = data[:cut] + b"\xff" + data[cut + 1:]
    text = decode_page(damaged)
    assert text.count("\ufffd") <= 2
    assert "省委第三巡视组" in text


def test_plain_render_has_no_declaration_and_decodes() -> None:
    data = render("plain", BODY)
    assert b"charset" not in data.lower()
    assert BODY in decode_page(data)


@pytest.mark.parametrize("kind", KINDS)
def test_rendered_pages_decode(kind: str) -> None:
    assert BODY in decode_page(render(kind, BODY))


def test_ascii_only_page() -> None:
    assert "hello" in decode_page(b"<html><body>hello</body></html>")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>", "PDF"),
        (b"\r\n%PDF-1.4\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "OLE2"),
        (gzip.compress(b"<html><body>x</body></html>"), "gzip"),
        (b"\x00" * 64, "binary"),
        (random.Random(7).randbytes(4096), "binary"),
        (b"\xff" * 600, "undecodable"),
    ],
)
def test_decode_page_errors(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode_page(data)


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"\x89PNG\r\n\x1a\nxxxx", b"%PDF-1.5\n", random.Random(3).randbytes(2048), b"\xff" * 300],
)
def test_decode_text_file_errors(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_text_file(data)


def test_decode_error_is_value_error() -> None:
    assert issubclass(DecodeError, ValueError)


@pytest.mark.parametrize("bad", ["text", None, 12])
def test_non_bytes_is_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        decode_page(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decode_text_file(bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- text files


@pytest.mark.parametrize(
    "encoded",
    [
        BODY.encode("utf-8"),
        b"\xef\xbb\xbf" + BODY.encode("utf-8"),
        BODY.encode("gb18030"),
        BODY.encode("gbk"),
        BODY.encode("utf-16"),  # with BOM
        b"\xff\xfe" + BODY.encode("utf-16-le"),
        b"\xfe\xff" + BODY.encode("utf-16-be"),
    ],
)
def test_decode_text_file(encoded: bytes) -> None:
    assert decode_text_file(encoded) == BODY


def test_decode_text_file_keeps_lines() -> None:
    text = "中共荷塘区委关于巡视整改情况的通报\r\n\r\n一、组织整改落实情况\n"
    assert decode_text_file(text.encode("gb18030")) == text


def test_bundled_samples_decode() -> None:
    samples = sorted((Path(__file__).resolve().parents[3] / "crawler" / "samples").glob("*.txt"))
    assert samples
    for path in samples:
        data = path.read_bytes()
        text = decode_text_file(data)
        assert text == data.decode("utf-8")
        assert decode_text_file(text.encode("gbk")) == text


# --------------------------------------------------------------------------- properties

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。；：、（）“”《》〇 \n0123456789abcXYZ-:/")),
    ),
    min_size=1,
    max_size=200,
).filter(lambda t: t.strip())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "text/html; charset=gbk", "text/html; charset=utf-8"]))
def test_decode_page_raises_only_decode_error(data: bytes, content_type: str | None) -> None:
    try:
        text = decode_page(data, content_type)
    except DecodeError:
        return
    assert isinstance(text, str) and text.strip()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_decode_text_file_raises_only_decode_error(data: bytes) -> None:
    try:
        text = decode_text_file(data)
    except DecodeError:
        return
    assert isinstance(text, str) and text.strip()


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_utf8_round_trip(text: str) -> None:
    assert decode_text_file(text.encode("utf-8")) == text
    page = f"<html><body><p>{text}</p></body></html>"
    assert decode_page(page.encode("utf-8")) == page


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_declared_gb2312_round_trip(text: str) -> None:
    page = f'<html><head><meta charset="gb2312"></head><body><p>{text}</p></body></html>'
    data = page.encode("gbk")
    # GBK byte pairs can be valid UTF-8 by accident; then UTF-8 wins only if it is long
    # enough to be convincing, which real GBK text never is for long.
    decoded = decode_page(data)
    if decoded != page:
        assert data.decode("utf-8", "strict")
