"""DOCX to paragraphs: body paragraphs and table cells in document order.

The ZIP directory is vetted before python-docx inflates anything (see :func:`check_zip`).
Automatic list numbers (Word's ``numPr``: headings numbered ``一、``, ``（一）``, ``1.`` by the
list style rather than typed) are not in the paragraph text; :mod:`.numbering` renders them
back so that the parser sees the labels. Headers, footers, footnotes and text boxes are not
read: notices keep their content in the body. Text in tracked insertions and content controls is
read, tracked deletions are not.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from . import ZIP_ERRORS, AttachmentError, Budget, Limits, zip_directory
from .numbering import Numbering

__all__ = ["check_no_dtd", "check_zip", "docx_text", "paragraph_text"]

_MIB = 2**20
#: Parts that python-docx parses whole with lxml (a dense 75 MB document.xml took 1.5 GB).
_XML_SUFFIXES = (".xml", ".rels")
#: How much of each XML part is searched for a DTD.
_DTD_SCAN = 4096


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a DOCX whose ZIP directory is unreadable, encrypted or inflates too much."""
    directory = zip_directory(data)
    if directory is not None:  # before zipfile parses it: 400,000 entries took 6 s and 450 MB
        entries, size = directory
        if entries > limits.max_entries:
            raise AttachmentError(f"DOCX refused: {entries:,} ZIP entries, the limit is {limits.max_entries:,}")
        if size > limits.max_directory:
            raise AttachmentError(f"DOCX refused: a ZIP directory of {size:,} bytes, "
                                  f"the limit is {limits.max_directory:,}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as exc:
        raise AttachmentError(f"corrupt DOCX: not a readable ZIP archive ({exc or type(exc).__name__})") from None
    if len(infos) > limits.max_entries:
        raise AttachmentError(f"DOCX refused: {len(infos):,} ZIP entries, the limit is {limits.max_entries:,}")
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise AttachmentError("not a DOCX: the ZIP archive has no word/document.xml")
    total = xml = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise AttachmentError("DOCX refused: it is encrypted with a password")
        if info.file_size > limits.max_entry:
            raise AttachmentError(f"DOCX refused (zip bomb?): {info.filename} declares {info.file_size:,} bytes "
                                  f"uncompressed, the limit is {limits.max_entry:,}")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _MIB and ratio > limits.max_ratio:
            raise AttachmentError(f"DOCX refused (zip bomb?): {info.filename} inflates {ratio:,.0f}x, "
                                  f"the limit is {limits.max_ratio:g}x")
        total += info.file_size
        if info.filename.lower().endswith(_XML_SUFFIXES):
            xml += info.file_size
    if xml > limits.max_xml:
        raise AttachmentError(f"DOCX refused: its XML parts declare {xml:,} bytes uncompressed, "
                              f"the limit is {limits.max_xml:,}")
    if total > limits.max_unzipped:
        raise AttachmentError(f"DOCX refused (zip bomb?): {total:,} bytes uncompressed in all, "
                              f"the limit is {limits.max_unzipped:,}")


def check_no_dtd(data: bytes) -> None:
    """Refuse XML parts that declare a DTD: OOXML allows none, and its entities serve "billion laughs" attacks.

    Only the head of each part is read (lxml refuses an expansion that is declared further in, too).
    """
    declaring = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    with archive.open(info) as part:
                        head = part.read(_DTD_SCAN)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        declaring = info.filename
                        break
    except ZIP_ERRORS:
        return  # python-docx reports the damage
    if declaring:
        raise AttachmentError(f"DOCX refused: {declaring} declares a DTD (entity expansion attack?), "
                              "which OOXML does not allow")


def docx_text(data: bytes, limits: Limits, budget: Budget) -> str:
    """The paragraphs of a DOCX, one per line."""
    check_zip(data, limits)
    check_no_dtd(data)
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
        numbering = Numbering.of(document)
        lines: list[str] = []
        chars = 0
        for text in _blocks(document, numbering):
            lines.append(text)
            chars += len(text)
            if len(lines) % 200 == 0:
                budget.check(chars)
    except (AttachmentError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx/lxml on damaged input: KeyError, XMLSyntaxError …
        message = " ".join(str(exc).split())[:160]
        raise AttachmentError(f"corrupt DOCX: {type(exc).__name__}" + (f": {message}" if message else "")) from None
    return "\n".join(line for line in lines if line.strip())


#: Run content of a paragraph, also inside tracked insertions, content controls, hyperlinks and fields
#: (python-docx's ``Paragraph.text`` reads only direct runs), but not inside text boxes.
_RUN_CONTENT = ".//w:r[not(ancestor::w:txbxContent)]/*[self::w:t or self::w:tab or self::w:br or self::w:cr]"


def paragraph_text(p) -> str:
    """The visible text of a ``w:p`` element: text, tabs and line breaks; deleted text is ``w:delText``."""
    from docx.oxml.ns import qn

    parts = []
    for node in p.xpath(_RUN_CONTENT):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.get(qn("w:type")) in (None, "textWrapping"):  # page and column breaks are not text
            parts.append("\n")
    return "".join(parts)


def _blocks(document, numbering: Numbering) -> Iterator[str]:
    """Paragraph texts (with list labels) and table cell texts, in document order."""
    from docx.table import Table

    def walk(container) -> Iterator[str]:
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                yield from cells(block)
            else:
                label = numbering.label(block)
                text = paragraph_text(block._p)
                for part in text.split("\n") if "\n" in text else (text,):
                    yield label + part if label else part
                    label = ""

    def cells(table: Table) -> Iterator[str]:
        seen: dict[int, object] = {}  # id → element, kept alive so that ids stay unique
        for row in table.rows:
            for cell in row.cells:  # a merged cell is listed once per grid column it spans
                if id(cell._tc) in seen:
                    continue
                seen[id(cell._tc)] = cell._tc
                yield from walk(cell)

    yield from walk(document)
