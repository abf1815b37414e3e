"""Hostile PDF and DOCX attachments: corrupt files and decompression bombs are refused with a reason, within limits.

Every file is generated here (no binary blobs). Each extraction runs under a watchdog in a forked
child (:mod:`tests.crawler.parse.bounded`), which also reads how much memory the reader process
(:mod:`crawler.parse.attachments.sandbox`) reached: at most what it inherited plus
``Limits.max_memory`` and a margin. The reason must be one line and say what is wrong.
"""

from __future__ import annotations

import faulthandler
import io
import os
import random
import re
import resource
import signal
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.parse import AttachmentError, DecodeError, NoNoticeError, parse_document
from crawler.parse.attachments import DEFAULT_LIMITS, Limits, detect_kind, extract_text, zip_directory
from crawler.parse.attachments import pdf_text as pdf_module
from crawler.parse.attachments.sandbox import GRACE_SECONDS
from tests.crawler.parse.bounded import run_bounded
from tests.crawler.parse.pdfbytes import assemble_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "crawler" / "samples"
PDF = (SAMPLES / "yicheng_2024.pdf").read_bytes()
DOCX = (SAMPLES / "zhengxiang_2024.docx").read_bytes()
MIB = 2**20
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Hostile files that can only be stopped by the clock get a short budget, to keep the test fast.
SHORT = Limits(seconds=2)


# ---- generators -------------------------------------------------------------------------------


def deflate_bomb(total: int, raw: bool = False) -> bytes:
    """A Deflate stream (zlib-wrapped unless ``raw``) of ``total`` bytes (whole MiB) of spaces, built fast:
    after the first 1 MiB block every block compresses to the same bytes, so they are repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * MIB
    first = compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert again == compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    stream = first + again * (total // MIB - 1) + compressor.flush()
    if raw:
        return stream
    size = total // MIB * MIB  # Adler-32 of ``size`` spaces (32), in closed form
    checksum = (size + 32 * size * (size + 1) // 2) % 65521 << 16 | (1 + 32 * size) % 65521
    return b"\x78\xda" + stream + checksum.to_bytes(4, "big")


def pdf_file(*streams: tuple[bytes, bytes], extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF whose content is ``streams`` (dictionary entries, data), Helvetica as F1."""
    first = 5 + len(extra_objects)
    contents = " ".join(f"{first + i} 0 R" for i in range(len(streams)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [{contents}] "
                f"/Resources << /Font << /F1 4 0 R >> >> >>").encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", *extra_objects]
    objects += [b"<< /Length %d %s >>\nstream\n" % (len(data), entries) + data + b"\nendstream"
                for entries, data in streams]
    return assemble_pdf(objects)


def text_stream(lines: list[str]) -> bytes:
    return b"BT /F1 11 Tf 72 760 Td " + b" ".join(b"(%s) Tj 0 -14 Td" % line.encode() for line in lines) + b" ET"


def encrypted_pdf(user_password: str) -> bytes:
    """A text PDF encrypted by reportlab (RC4/AES standard security handler)."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=pdfencrypt.StandardEncryption(user_password, "owner", canPrint=0, canCopy=0))
    for i in range(25):
        pdf.drawString(72, 800 - 20 * i, f"Line {i}: the inspection team found problem {i}; it was rectified.")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                 b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                 b'</Types>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>')


def document_xml(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{W}"><w:body>{body}' \
           f'</w:body></w:document>'.encode()


def paragraphs(*texts: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in texts)


def docx_file(document: bytes, extra: dict[str, bytes] | None = None, *, level: int = 6,
              content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def raw_zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    """A ZIP written by hand: (name, raw Deflate data, uncompressed size to declare) per entry, CRC 0."""
    body, central = bytearray(), bytearray()
    for name, deflated, declared in entries:
        encoded = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(deflated), declared,
                               len(encoded), 0, 0, 0, 0, 0, len(body)) + encoded
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(deflated), declared,
                            len(encoded), 0) + encoded + deflated
    return bytes(body + central) + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                               len(central), len(body), 0)


def docx_bomb(declared: int) -> bytes:
    """A DOCX whose document.xml inflates to 2 GiB of spaces and declares ``declared`` bytes."""
    def deflate(data: bytes) -> bytes:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush()

    return raw_zip([("[Content_Types].xml", deflate(CONTENT_TYPES), len(CONTENT_TYPES)),
                    ("_rels/.rels", deflate(RELS), len(RELS)),
                    ("word/document.xml", deflate_bomb(2048 * MIB, raw=True), declared)])


def many_entries(count: int) -> bytes:
    """A DOCX with ``count`` more (empty, stored) entries, written by hand in ZIP64 form (zipfile takes seconds)."""
    parts = [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
             ("word/document.xml", document_xml(paragraphs("巡视整改情况:已完成。")))]
    parts += [(f"x/{i}", b"") for i in range(count)]
    body, central = bytearray(), bytearray()
    for name, data in parts:
        encoded, crc = name.encode(), zlib.crc32(data)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 20, 0, 0, 0, 0, crc, len(data), len(data),
                               len(encoded), 0, 0, 0, 0, 0, len(body)) + encoded
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(data), len(data), len(encoded),
                            0) + encoded + data
    end64 = len(body) + len(central)
    return bytes(body + central) + struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, len(parts),
                                               len(parts), len(central), len(body)) + \
        struct.pack("<4sLQL", b"PK\x06\x07", 0, end64, 1) + \
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)


def lying_end_record(data: bytes) -> bytes:
    """The same ZIP with end records (ZIP64 ones too) that claim a single entry."""
    out = bytearray(data)
    at = out.rfind(b"PK\x05\x06")
    out[at + 8:at + 12] = struct.pack("<2H", 1, 1)
    at64 = out.rfind(b"PK\x06\x06")
    if at64 >= 0:
        out[at64 + 24:at64 + 40] = struct.pack("<2Q", 1, 1)
    return bytes(out)


def dense_docx(megabytes: int) -> bytes:
    """A DOCX of ``megabytes`` of empty paragraphs with random ids: compresses only ~5x, parses into ~20x."""
    count = megabytes * MIB // 26
    ids = random.Random(megabytes).randbytes(4 * count).hex()
    body = "".join(f'<w:p w:rsidR="{ids[i * 8:i * 8 + 8]}"/>' for i in range(count))
    return docx_file(document_xml(body), level=1)


def billion_laughs(padding: int = 0) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    prolog = "<!--" + " " * padding + "-->" if padding else ""
    return docx_file(document_xml(paragraphs("巡视&lol9;"), f"{prolog}<!DOCTYPE w:document [{entities}]>"))


def flip_zip_flag(data: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit in every local and central header."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at >= 0:
            flags = struct.unpack_from("<H", out, at + offset)[0] | bit
            struct.pack_into("<H", out, at + offset, flags)
            at = out.find(signature, at + 4)
    return bytes(out)


# ---- the cases --------------------------------------------------------------------------------

#: name → (maker of the bytes, kind, limits, expected reason as a regex).
CASES: dict[str, tuple[Callable[[], bytes], str, Limits, str]] = {
    # PDF: corrupt
    "PDF truncated to 1 KB": (lambda: PDF[:1024], "pdf", DEFAULT_LIMITS, r"cannot read the PDF|no text layer"),
    "PDF of random bytes": (lambda: b"%PDF-1.7\n" + random.Random(1).randbytes(200_000), "pdf", DEFAULT_LIMITS,
                            r"cannot read the PDF"),
    "PDF with a broken xref and garbage objects": (lambda: PDF[:9] + random.Random(2).randbytes(5000) + PDF[5000:],
                                                   "pdf", DEFAULT_LIMITS,
                                                   r"cannot read the PDF|no text layer|has no pages|^$"),
    "PDF encrypted with a user password": (lambda: encrypted_pdf("secret"), "pdf", DEFAULT_LIMITS,
                                           r"encrypted with a password"),
    "PDF whose page tree is a loop": (lambda: pdf_file((b"", text_stream(["x"]))).replace(
        b"/Kids [3 0 R] /Count 1", b"/Kids [2 0 R 3 0 R] /Count 2"), "pdf", DEFAULT_LIMITS,
        r"cannot read the PDF|no text layer|^$"),
    "PDF with 200,000 nested arrays": (lambda: pdf_file((b"", b"[" * 200_000 + b"]" * 200_000 + text_stream(["x"]))),
                                       "pdf", SHORT, r"cannot read the PDF|no text layer|took too long"),
    # PDF: bombs
    "PDF with a 4 GiB Flate stream": (lambda: pdf_file((b"/Filter /FlateDecode", deflate_bomb(4096 * MIB))), "pdf",
                                      DEFAULT_LIMITS, r"decompression bomb\?\): reading it needs more than 512 MiB"),
    "PDF with a Flate stream inside a Flate stream": (
        lambda: pdf_file((b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(deflate_bomb(3072 * MIB), 9))),
        "pdf", DEFAULT_LIMITS, r"decompression bomb\?\): reading it needs more than 512 MiB"),
    "PDF with a damaged 48 MiB Flate stream": (
        lambda: pdf_file((b"/Filter /FlateDecode", (lambda z: z[:-12] + b"\x00" * 8 + z[-4:])(
            zlib.compress(text_stream(["x"]) + b" " * (48 * MIB), 9)))),
        "pdf", SHORT, r"took too long: over 2 s|cannot read the PDF|no text layer"),
    "PDF drawing 20 million glyphs": (
        lambda: pdf_file((b"/Filter /FlateDecode", zlib.compress(b"BT /F1 1 Tf " + b"(AAAAAAAAAA) Tj " * 2_000_000 +
                                                                b"ET", 1))),
        "pdf", Limits(seconds=20, max_memory=128 * MIB), r"reader crashed|needs more than 128 MiB|took too long"),
    # DOCX: corrupt
    "DOCX truncated": (lambda: DOCX[: len(DOCX) // 3], "docx", DEFAULT_LIMITS, r"corrupt DOCX"),
    "DOCX of random bytes after the ZIP magic": (lambda: b"PK\x03\x04" + random.Random(3).randbytes(50_000), "docx",
                                                 DEFAULT_LIMITS, r"corrupt DOCX"),
    "ZIP that is not a DOCX": (lambda: docx_file(b"<x/>").replace(b"word/document.xml", b"xl/workbook.xml__"),
                               "docx", DEFAULT_LIMITS, r"no word/document.xml"),
    "DOCX whose entries are encrypted": (lambda: flip_zip_flag(DOCX, 0x1), "docx", DEFAULT_LIMITS,
                                         r"encrypted with a password"),
    "DOCX without [Content_Types].xml": (lambda: docx_file(document_xml(paragraphs("巡视")), content_types=False),
                                         "docx", DEFAULT_LIMITS, r"corrupt DOCX"),
    "DOCX whose relationship points outside the package": (
        lambda: docx_file(document_xml(paragraphs("巡视")), {"_rels/.rels": RELS.replace(
            b"word/document.xml", b"../../../../etc/passwd")}), "docx", DEFAULT_LIMITS, r"corrupt DOCX"),
    "DOCX nested 3,000 deep": (lambda: docx_file(document_xml("<w:sdt><w:sdtContent>" * 3000 +
                                                              "</w:sdtContent></w:sdt>" * 3000)),
                               "docx", DEFAULT_LIMITS, r"corrupt DOCX: XMLSyntaxError"),
    "DOCX with invalid XML": (lambda: docx_file(b"<w:document><w:body><w:p>" + b"\xff\xfe" * 100), "docx",
                              DEFAULT_LIMITS, r"corrupt DOCX"),
    # DOCX: bombs
    "DOCX whose document.xml declares 2 GiB": (
        lambda: docx_bomb(2048 * MIB), "docx", DEFAULT_LIMITS,
        r"zip bomb\?\): word/document.xml declares 2,147,483,648 bytes"),
    "DOCX whose document.xml declares 4 KiB and inflates to 2 GiB": (
        lambda: docx_bomb(4096), "docx", DEFAULT_LIMITS, r"corrupt DOCX"),
    "DOCX whose document.xml inflates 1000x": (lambda: docx_file(document_xml("<w:p/>" * (4 * MIB))), "docx",
                                               DEFAULT_LIMITS, r"zip bomb\?\): word/document.xml inflates"),
    "DOCX with 40 MB of XML": (lambda: dense_docx(40), "docx", DEFAULT_LIMITS,
                               r"XML parts declare 4\d,\d{3},\d{3} bytes uncompressed, the limit is 33,554,432"),
    "DOCX with 24 MB of dense XML": (lambda: dense_docx(24), "docx", Limits(seconds=30, max_memory=192 * MIB),
                                     r"needs more than 192 MiB of memory"),
    "DOCX with 70,000 entries (ZIP64)": (lambda: many_entries(70_000), "docx", DEFAULT_LIMITS,
                                         r"70,00\d ZIP entries, the limit is 5,000"),
    "DOCX with 70,000 entries and an end record claiming one": (
        lambda: lying_end_record(many_entries(70_000)), "docx", DEFAULT_LIMITS,
        r"a ZIP directory of [\d,]+ bytes, the limit is 2,097,152"),
    "DOCX with a billion laughs": (lambda: billion_laughs(), "docx", DEFAULT_LIMITS,
                                   r"word/document.xml declares a DTD \(entity expansion attack\?\)"),
    "DOCX with a billion laughs after 8 KB of comment": (lambda: billion_laughs(8192), "docx", DEFAULT_LIMITS,
                                                         r"corrupt DOCX: XMLSyntaxError: .*amplification"),
    "DOCX with an external entity": (
        lambda: docx_file(document_xml(paragraphs("巡视&x;"), '<!DOCTYPE w:document [<!ENTITY x SYSTEM '
                                                                 '"file:///etc/passwd">]>')),
        "docx", DEFAULT_LIMITS, r"declares a DTD"),
}


def _extract_measured(name: str) -> tuple[str, str, int, int]:
    """In the watchdog's child: (outcome, message, reader peak RSS KiB, own RSS KiB before)."""
    make, kind, limits, _ = CASES[name]
    data = make()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        text = extract_text(data, kind, limits=limits)  # type: ignore[arg-type]
        outcome, message = "text", text[:200]
    except AttachmentError as exc:
        outcome, message = "refused", str(exc)
    return outcome, message, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, own


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_attachment_is_refused_with_a_reason(name: str) -> None:
    """Refused (or, for a few damaged-but-readable files, read) within the time budget and the memory cap."""
    _, kind, limits, reason = CASES[name]
    seconds = limits.seconds + GRACE_SECONDS + 60
    result = run_bounded(_extract_measured, name, seconds=seconds)
    assert not result.timed_out, f"{name}: no answer after {seconds:.0f} s"
    assert result.error is None, result.error
    outcome, message, reader_kib, own_kib = result.value
    if reason.endswith("|^$") and outcome == "text":
        return  # damaged, but pdfminer recovered some text: fine
    assert outcome == "refused", f"{name}: read as {message!r}"
    assert re.search(reason, message), f"{name}: {message!r}"
    assert "\n" not in message and len(message) < 400
    # the reader process: what it inherited from its parent plus at most max_memory (and a margin)
    assert reader_kib * 1024 < own_kib * 1024 + limits.max_memory + 64 * MIB, f"{name}: reader reached {reader_kib} KiB"


def test_parse_document_refuses_disguised_and_broken_attachments() -> None:
    """Through the crawler's entry point: wrong magic, random bytes named .pdf/.docx, a ZIP that is no DOCX."""
    compressed = pdf_file((b"/Filter /FlateDecode", zlib.compress(text_stream(["inspection"] * 40))))
    assert "inspection" in extract_text(compressed, "pdf")
    with pytest.raises(AttachmentError, match="not a valid PDF file"):
        parse_document(b"%PDX-" + compressed[5:], name="notice.pdf")
    with pytest.raises(NoNoticeError):  # the sample PDF is all ASCII (ASCII85 streams): without its magic it is text
        parse_document(b"%PDX-" + PDF[5:], name="notice.pdf")
    with pytest.raises(AttachmentError, match="not a valid DOCX file"):
        parse_document(random.Random(4).randbytes(30_000), name="notice.docx")
    with pytest.raises(AttachmentError, match="not a valid DOCX file"):
        parse_document(b"PK\x03\x05" + DOCX[4:], content_type="application/vnd.openxmlformats-officedocument."
                                                             "wordprocessingml.document")
    with pytest.raises(DecodeError, match="ZIP archive"):
        parse_document(docx_file(b"<x/>").replace(b"word/document.xml", b"xl/workbook.xml__"))
    with pytest.raises(AttachmentError, match="encrypted with a password"):
        parse_document(encrypted_pdf("secret"), name="a.pdf")
    assert "inspection team" in extract_text(encrypted_pdf(""), "pdf")  # an owner password alone does not stop reading


def test_a_huge_zip_directory_is_not_read_to_detect_the_kind() -> None:
    data = many_entries(70_000)
    assert zip_directory(data) == (70_003, zip_directory(data)[1]) and zip_directory(data)[1] > 2 * MIB
    assert detect_kind(data) == "docx"  # from the first bytes only; extract_text then refuses it
    assert zip_directory(b"PK\x05\x06" + bytes(18)) == (0, 0)
    assert zip_directory(b"not a zip") is None
    assert zip_directory(DOCX)[0] == len(zipfile.ZipFile(io.BytesIO(DOCX)).infolist())


def test_the_zip_bomb_generators_do_what_they_say() -> None:
    """The bombs are real: they inflate to what their names say (checked with a bounded inflater)."""
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(deflate_bomb(2048 * MIB, raw=True), 64 * MIB)
    assert len(out) == 64 * MIB and inflater.unconsumed_tail
    assert zlib.decompress(deflate_bomb(64 * MIB)) == b" " * (64 * MIB)  # whole blocks and a valid checksum
    assert deflate_bomb(4096 * MIB)[-4:] == deflate_bomb(4096 * MIB)[-4:] != deflate_bomb(4095 * MIB)[-4:]
    with zipfile.ZipFile(io.BytesIO(many_entries(10))) as archive:
        assert len(archive.infolist()) == 13


# ---- the sandbox itself -----------------------------------------------------------------------


def test_a_reader_that_crashes_hangs_or_runs_out_of_memory_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader runs in a forked child: a crash, a hang and a MemoryError there become one-line reasons here."""
    def crash(*_args: object) -> str:
        os.kill(os.getpid(), signal.SIGSEGV)
        return ""

    def hang(*_args: object) -> str:
        while True:
            pass

    def exhaust(*_args: object) -> str:
        hoard = []
        while True:
            hoard.append(bytearray(16 * MIB))

    was_enabled = faulthandler.is_enabled()
    faulthandler.disable()  # the deliberate crash need not dump a traceback
    for reader, limits, reason in ((crash, DEFAULT_LIMITS, r"PDF reader crashed \(signal SIGSEGV\)"),
                                   (hang, Limits(seconds=0.5), r"PDF extraction took too long: over 0.5 s"),
                                   (exhaust, Limits(max_memory=128 * MIB), r"needs more than 128 MiB of memory")):
        monkeypatch.setattr(pdf_module, "pdf_text", reader)
        with pytest.raises(AttachmentError, match=reason):
            extract_text(PDF, "pdf", limits=limits)
    monkeypatch.undo()
    if was_enabled:
        faulthandler.enable()
    assert "巡视" in extract_text(PDF, "pdf")  # and the parent goes on
