"""PDF/DOCX/DOC attachments: the bundled samples parse like their .txt, bad files fail with one clear reason."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crawler.parse import AttachmentError, DecodeError, NoNoticeError, parse_document
from crawler.parse.attachments import Limits, detect_kind, extract_text, hinted_kind
from crawler.parse.attachments import ole_text as ole_module
from tests.crawler.parse.pdfbytes import assemble_pdf

SAMPLES = Path(__file__).resolve().parents[3] / "crawler" / "samples"
PDF = SAMPLES / "yicheng_2024.pdf"
DOCX = SAMPLES / "zhengxiang_2024.docx"


def outline(report) -> list[tuple]:
    return [(i.label, i.status, i.title, [(s.label, s.status) for s in i.sub_issues]) for i in report.issues]


def parse_file(path: Path, **kwargs):
    return parse_document(path.read_bytes(), name=path.name, **kwargs)


# ---- the samples ------------------------------------------------------------------------------


@pytest.mark.parametrize("attachment", [PDF, DOCX], ids=["pdf", "docx"])
def test_sample_parses_like_its_text_version(attachment: Path) -> None:
    from_text = parse_file(attachment.with_suffix(".txt"))
    from_attachment = parse_file(attachment)
    assert len(from_text.issues) > 30
    assert outline(from_attachment) == outline(from_text)
    assert from_attachment.to_dict() == from_text.to_dict()


def test_sample_pdf_paragraphs_are_rejoined_and_page_numbers_dropped() -> None:
    text = extract_text(PDF.read_bytes(), "pdf")
    expected = [line.strip() for line in (SAMPLES / "yicheng_2024.txt").read_text(encoding="utf-8").splitlines()]
    assert text.split("\n") == [line for line in expected if line]
    assert "- 3 -" not in text


def test_kind_comes_from_the_bytes_not_the_name() -> None:
    pdf, docx = PDF.read_bytes(), DOCX.read_bytes()
    assert parse_document(pdf, content_type="application/octet-stream").unit.name == "宜城市"
    assert parse_document(docx, name="download.jsp").unit.name == "蒸湘区"
    assert detect_kind(pdf, name="notice.docx") == "pdf"
    assert detect_kind(b"\r\n%PDF-1.4\n") == "pdf"
    assert detect_kind(b"<html><body>%PDF-1.4 is a version</body></html>", name="a.pdf") is None
    assert detect_kind(docx[:5000], name="a.docx") == "docx"  # truncated: the name settles it
    assert detect_kind(_zip({"xl/workbook.xml": b"<x/>"})) is None
    assert detect_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), name="a.wps") == "doc"
    assert detect_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), name="table.xls") is None
    assert hinted_kind("downfile.jsp?filename=2603.PDF") == "pdf"
    assert hinted_kind(None, "application/msword; charset=x") == "doc"


def test_html_saved_under_a_pdf_name_is_still_html() -> None:
    page = "<html><body><div class='content'><p>区委召开巡视整改工作推进会。</p></div></body></html>".encode()
    report = parse_document(page, name="notice.pdf")
    assert report.issues == [] and any("no rectification issues" in w for w in report.warnings)


# ---- bad files ----------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _pdf(pages: int, image: bool = False) -> bytes:
    """A PDF of blank pages (with a picture on the first one when ``image``), made with pypdfium2."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    if image:
        picture = io.BytesIO()
        Image.new("L", (120, 160), 200).save(picture, "JPEG")
        picture.seek(0)
        obj = pdfium.PdfImage.new(pdf)
        obj.load_jpeg(picture, inline=False)
        obj.set_matrix(pdfium.PdfMatrix().scale(480, 640).translate(50, 100))
        page = pdf[0]
        page.insert_obj(obj)
        page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    """A small DOCX whose document.xml inflates 8 MiB of one byte."""
    body = b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body>" + \
        b" " * (8 * 2**20) + b"</w:body></w:document>"
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})


def _patch_directory(data: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite one field of every central directory entry."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        out[at + offset:at + offset + len(value)] = value
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def _declares_huge_size(data: bytes) -> bytes:
    """Every entry declares 3 GB uncompressed."""
    return _patch_directory(data, 24, (3 * 10**9).to_bytes(4, "little"))


@pytest.mark.parametrize("data, kind, message", [
    (b"", "pdf", "empty PDF"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage", "pdf", "cannot read the PDF"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 20, "pdf", "cannot read the PDF"),
    (_pdf(3, image=True), "pdf", "no text layer (scanned image)"),
    (_pdf(2), "pdf", "no text layer"),
    (_pdf(201), "pdf", "too many pages: 201"),
    (DOCX.read_bytes()[:20000], "docx", "corrupt DOCX"),
    (b"PK\x03\x04" + bytes(60), "docx", "corrupt DOCX"),
    (_zip({"xl/workbook.xml": b"<x/>"}), "docx", "no word/document.xml"),
    (_zip({"word/document.xml": b"<not xml"}), "docx", "corrupt DOCX"),
    (_bomb(), "docx", "zip bomb"),
    (_declares_huge_size(DOCX.read_bytes()), "docx", "declares 3,000,000,000 bytes"),
    (_patch_directory(DOCX.read_bytes(), 6, (195).to_bytes(2, "little")), "docx", "corrupt DOCX"),  # NotImplementedError
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + bytes(64), "doc", "encrypted"),
])
def test_bad_attachments_raise_one_line_errors(data: bytes, kind, message: str) -> None:
    with pytest.raises(AttachmentError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        extract_text(data, kind)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, DecodeError) and isinstance(caught.value, ValueError)


def test_zip_bomb_is_refused_before_anything_is_inflated(monkeypatch) -> None:
    import docx

    def inflate(*_args, **_kwargs):
        raise AssertionError("python-docx must not see a zip bomb")

    monkeypatch.setattr(docx, "Document", inflate)
    with pytest.raises(AttachmentError, match="zip bomb"):
        extract_text(_bomb(), "docx")
    with pytest.raises(AttachmentError, match="uncompressed in all"):
        extract_text(DOCX.read_bytes(), "docx", limits=Limits(max_unzipped=10_000))


@pytest.mark.parametrize("sample", [PDF, DOCX], ids=["pdf", "docx"])
@pytest.mark.parametrize("named", [True, False], ids=["named", "unnamed"])
def test_damaged_copies_fail_cleanly(sample: Path, named: bool) -> None:
    data, rng = sample.read_bytes(), random.Random(f"{sample.name}{named}")
    for _ in range(12):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[:rng.randrange(len(damaged))]
        try:
            parse_document(bytes(damaged), name=sample.name if named else None)
        except (DecodeError, NoNoticeError) as exc:
            assert "\n" not in str(exc)


def test_truncated_sample_pdf_fails_cleanly_or_reads_what_is_left() -> None:
    data = PDF.read_bytes()
    for cut in (len(data) // 10, len(data) // 2, len(data) - 200):
        try:
            text = extract_text(data[:cut], "pdf")
        except AttachmentError as exc:
            assert "\n" not in str(exc)
        else:
            assert "巡视" in text


@pytest.mark.parametrize("limits, kind, message", [
    (Limits(max_bytes=1000), "pdf", "too large"),
    (Limits(max_pages=3), "pdf", "too many pages: 8"),
    (Limits(max_chars=2000), "pdf", "too much text"),
    (Limits(max_chars=2000), "docx", "too much text"),
    (Limits(seconds=-1), "pdf", "took too long"),  # a spent budget, not a timing measurement
    (Limits(seconds=-1), "docx", "took too long"),
])
def test_limits(limits: Limits, kind, message: str) -> None:
    with pytest.raises(AttachmentError, match=message):
        extract_text((PDF if kind == "pdf" else DOCX).read_bytes(), kind, limits=limits)


def test_unsupported_kind() -> None:
    with pytest.raises(AttachmentError, match="unsupported attachment kind"):
        extract_text(b"abc", "odt")  # type: ignore[arg-type]


def text_pdf(lines: list[str]) -> bytes:
    """A hand-written one-page PDF showing ASCII ``lines`` in Helvetica (no PDF library needed)."""
    shown = " ".join(f"({line}) Tj 0 -14 Td" for line in lines)
    stream = f"BT /F1 11 Tf 72 760 Td {shown} ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return assemble_pdf(objects)


def test_bytes_announced_as_pdf_that_are_not() -> None:
    with pytest.raises(AttachmentError, match="not a valid PDF file"):
        parse_document(bytes(range(256)) * 10, name="notice.pdf")


def test_a_text_pdf_about_something_else_is_no_notice() -> None:
    data = text_pdf(["The weather report for tomorrow: sunny, light wind.", "Twenty degrees."])
    assert extract_text(data, "pdf") == "The weather report for tomorrow: sunny, light wind.\nTwenty degrees."
    with pytest.raises(NoNoticeError, match="the PDF has no mention of an inspection"):
        parse_document(data, name="weather.pdf")


# ---- DOC / WPS -----------------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_doc_without_a_converter_is_refused_with_advice(monkeypatch) -> None:
    monkeypatch.setattr(ole_module.shutil, "which", lambda _name: None)
    with pytest.raises(AttachmentError, match="DOC/WPS .*convert it to DOCX or PDF"):
        parse_document(OLE, name="notice.doc")


def test_doc_goes_through_a_converter_on_path(monkeypatch, tmp_path) -> None:
    tool = tmp_path / "fake-antiword"
    tool.write_text(f"#!{sys.executable}\nimport sys\nprint(open(sys.argv[-1], 'rb').read()[:4].hex())\n"
                    "print('  巡视整改进展情况  ')\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setattr(ole_module, "TOOLS", (("fake-antiword", ()),))
    monkeypatch.setattr(ole_module.shutil, "which", lambda name: str(tool) if name == "fake-antiword" else None)
    assert extract_text(OLE, "doc") == "d0cf11e0\n巡视整改进展情况"
    failing = tmp_path / "fake-catdoc"
    failing.write_text("#!/bin/sh\necho 'not a Word document' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(ole_module, "TOOLS", (("fake-catdoc", ()),))
    monkeypatch.setattr(ole_module.shutil, "which", lambda name: str(failing))
    with pytest.raises(AttachmentError, match="fake-catdoc: not a Word document"):
        extract_text(OLE, "doc")


# ---- the command line -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rectrack.cli", *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("attachment", [PDF, DOCX], ids=["pdf", "docx"])
def test_cli_parses_attachments(attachment: Path) -> None:
    done = _cli("parse", str(attachment), "--json")
    assert done.returncode == 0, done.stderr
    expected = _cli("parse", str(attachment.with_suffix(".txt")), "--json")
    assert json.loads(done.stdout)["issues"] == json.loads(expected.stdout)["issues"]


@pytest.mark.parametrize("name, data, message", [
    ("corrupt.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage", "cannot read the PDF"),
    ("scan.pdf", _pdf(1, image=True), "no text layer (scanned image)"),
    ("long.pdf", _pdf(201), "too many pages"),
    ("cut.docx", DOCX.read_bytes()[:20000], "corrupt DOCX"),
    ("bomb.docx", _bomb(), "zip bomb"),
    ("empty.pdf", b"", "is empty"),
    ("old.doc", OLE, "DOC/WPS"),
    ("old.wps", OLE, "DOC/WPS"),
])
def test_cli_errors_are_one_line_exit_2(tmp_path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    done = _cli("parse", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
