"""Notices published as attachments: PDF, DOCX and DOC/WPS bytes to plain text.

The text comes out one paragraph per line, ready for :func:`crawler.parse.notice.parse_text`.

Choices:

* **Type by content first.** A file's bytes say what it is (``%PDF-``; a ZIP holding
  ``word/document.xml``; the OLE2 signature ``D0 CF 11 E0``); the file name and the HTTP
  ``Content-Type`` are only consulted when the bytes are ambiguous (a truncated ZIP whose
  directory is unreadable, an OLE2 file that may be a spreadsheet). Government sites often
  serve attachments as ``application/octet-stream`` from ``downfile.jsp?…`` URLs, and an
  HTML error page saved as ``x.pdf`` is HTML, not a broken PDF.
* **PDF: pdfplumber** (on pdfminer.six, both maintained, pure Python, already a runtime
  dependency). It reads the ToUnicode and predefined CJK CMaps (Adobe-GB1 ``STSong``,
  ``UniGB-UCS2-H`` …) that Chinese government PDFs use and gives every line's geometry, which
  :mod:`.pdf_text` needs to undo the layout: lines wrapped at the right margin are joined back
  into paragraphs and page numbers/running headers are dropped. Scanned PDFs (images, no
  text layer) are refused: OCR is out of scope.
* **DOCX: python-docx** (maintained, lxml underneath). The ZIP directory is checked before
  anything is decompressed (entry count and directory size from the end record, then declared
  sizes, the size of the XML parts, compression ratios, encryption), so a zip bomb is refused
  without being inflated; :mod:`zipfile` stops reading an entry at its declared size, so a lying
  directory cannot inflate more than was checked. lxml refuses entity expansion ("billion laughs").
* **DOC/WPS (OLE2): no pure-Python reader.** No maintained pure-Python library extracts Word
  97-2003 text: ``olefile`` only reads the container, and decoding the WordDocument piece
  table by hand is fragile (fast-saved files, WPS variants, encodings). If ``antiword`` or
  ``catdoc`` (Debian packages, C programs) is on ``PATH`` it is used, in a subprocess with a
  timeout; otherwise the file is refused with the advice to convert it to DOCX or PDF.

Every extraction is bounded by :class:`Limits`: input size, page count, extracted characters
and a time budget checked between pages/paragraphs. PDF and DOCX are read in a child process
(:mod:`.sandbox`) whose address space is capped and which is killed when the time budget is
spent: neither pdfminer nor python-docx can be bounded in-process (a 62 KB PDF inflating to
millions of glyphs crashed the interpreter). Failures raise :class:`AttachmentError` with a
one-line reason; it is a :class:`DecodeError`, so callers that already handle undecodable input
handle attachments too.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import time
import zipfile
from dataclasses import dataclass
from typing import Literal

from ..encoding import DecodeError

__all__ = [
    "DEFAULT_LIMITS",
    "KIND_NAMES",
    "AttachmentError",
    "Kind",
    "Limits",
    "detect_kind",
    "extract_text",
    "hinted_kind",
    "zip_directory",
]

# pdfminer logs warnings about damaged files; without a handler Python would print them on stderr.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())
logging.getLogger("pdfplumber").addHandler(logging.NullHandler())

Kind = Literal["pdf", "docx", "doc"]
KIND_NAMES: dict[str, str] = {"pdf": "PDF", "docx": "DOCX", "doc": "DOC/WPS"}


class AttachmentError(DecodeError):
    """An attachment that cannot be turned into text; the message is one line."""


@dataclass(frozen=True)
class Limits:
    """Hard limits for one extraction."""

    max_bytes: int = 20 * 2**20        #: input size
    max_pages: int = 200               #: PDF pages
    max_chars: int = 2_000_000         #: extracted characters
    seconds: float = 60.0              #: time budget, checked between pages / blocks
    max_entries: int = 5_000           #: DOCX: ZIP entries
    max_directory: int = 2 * 2**20     #: DOCX: size of the ZIP's central directory
    max_unzipped: int = 200 * 2**20    #: DOCX: declared uncompressed size of all entries
    max_entry: int = 100 * 2**20       #: DOCX: declared uncompressed size of one entry
    max_xml: int = 32 * 2**20          #: DOCX: declared uncompressed size of all XML parts (parsed whole by lxml)
    max_ratio: float = 100.0           #: DOCX: uncompressed/compressed, for entries over 1 MiB
    max_memory: int = 512 * 2**20      #: PDF/DOCX: memory the reader process may add to what it starts with


DEFAULT_LIMITS = Limits()

#: What :class:`zipfile.ZipFile` raises on damaged archives (NotImplementedError is a RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SUFFIX_RE = re.compile(r"\.(pdf|docx|doc|wps)(?:$|[?#&;])", re.IGNORECASE)
_CONTENT_TYPES: dict[str, Kind] = {
    "application/pdf": "pdf", "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc", "application/vnd.ms-works": "doc", "application/kswps": "doc",
    "application/wps-office.wps": "doc", "application/vnd.ms-word": "doc",
}
_NOT_WORD_RE = re.compile(r"\.(xlsx?|et|pptx?|dps|ofd|zip|rar)(?:$|[?#&;])|spreadsheet|excel|powerpoint|presentation",
                          re.IGNORECASE)


def hinted_kind(name: str | None = None, content_type: str | None = None) -> Kind | None:
    """The kind a file name (or URL) or a ``Content-Type`` header announces, if any."""
    if content_type:
        kind = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
        if kind:
            return kind
    if name:
        found = _SUFFIX_RE.findall(name)
        if found:
            suffix = found[-1].lower()
            return "doc" if suffix == "wps" else suffix  # type: ignore[return-value]
    return None


def detect_kind(data: bytes, *, name: str | None = None, content_type: str | None = None) -> Kind | None:
    """``"pdf"``, ``"docx"`` or ``"doc"`` from the leading bytes; None for anything else.

    The name and content type only settle ambiguous bytes: a ZIP whose directory cannot be
    read (truncated) is a DOCX when so named, an OLE2 file named ``.xls`` is not a document.
    """
    head = data[:1024]
    at = head.find(b"%PDF-")  # readers accept junk before the header, markup is not a PDF
    if at == 0 or (at > 0 and not head.lstrip().startswith(b"<")):
        return "pdf"
    hint = hinted_kind(name, content_type)
    if data.startswith(b"PK\x03\x04"):
        names: set[str] | None = None
        directory = zip_directory(data)
        if directory is None or (directory[0] <= DEFAULT_LIMITS.max_entries and
                                 directory[1] <= DEFAULT_LIMITS.max_directory):
            try:  # a huge directory is not read here: extract_text refuses it with the reason
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    names = set(archive.namelist())
            except ZIP_ERRORS:
                pass
        if names is None:
            looks_word = b"word/" in data[:65536] or b"[Content_Types].xml" in data[:4096]
            return "docx" if hint == "docx" or (looks_word and hint is None) else None
        return "docx" if "word/document.xml" in names else None
    if data.startswith(_OLE2):
        if _NOT_WORD_RE.search(name or "") or _NOT_WORD_RE.search(content_type or ""):
            return None
        return "doc"
    return None


def extract_text(data: bytes, kind: Kind, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of an attachment, one paragraph per line.

    Raises :class:`AttachmentError` for oversized, corrupt, encrypted, scanned or
    unsupported files, and when a limit is exceeded.
    """
    what = KIND_NAMES.get(kind)
    if what is None:
        raise AttachmentError(f"unsupported attachment kind {kind!r}: expected pdf, docx or doc")
    if not data:
        raise AttachmentError(f"empty {what} file: 0 bytes")
    if len(data) > limits.max_bytes:
        raise AttachmentError(f"{what} file too large: {len(data):,} bytes, the limit is {limits.max_bytes:,}")
    if kind == "doc":
        from .ole_text import ole_text

        budget = Budget(limits, what)
        text = ole_text(data, limits, budget)  # the converter already runs in a subprocess
        budget.check(len(text))
        return text
    if kind == "docx":
        from .docx_text import check_zip

        check_zip(data, limits)  # refused here, without starting a reader
    from .sandbox import extract_in_child

    return extract_in_child(data, kind, limits)


_EOCD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, directory size and offset, comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # signature, disk, offset of the ZIP64 end record, disks
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def zip_directory(data: bytes) -> tuple[int, int] | None:
    """(entries, bytes) of the central directory, as the ZIP's end record declares them; None when not found.

    Read the way :mod:`zipfile` finds the record (at the very end, else the last one in the
    final 64 KiB), so that a huge directory can be refused before :mod:`zipfile` parses it.
    """
    at = len(data) - _EOCD.size
    if at < 0:
        return None
    if not (data[at:at + 4] == b"PK\x05\x06" and data[-2:] == b"\x00\x00"):
        at = data.rfind(b"PK\x05\x06", max(0, len(data) - _EOCD.size - 0xFFFF))
        if at < 0 or at + _EOCD.size > len(data):
            return None
    entries, size = _EOCD.unpack_from(data, at)[4:6]
    locator = at - _ZIP64_LOCATOR.size
    if locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":  # ZIP64: zipfile takes the record before it
        record = locator - _ZIP64_EOCD.size
        if record >= 0 and data[record:record + 4] == b"PK\x06\x06":
            entries, size = _ZIP64_EOCD.unpack_from(data, record)[7:9]
    return entries, size


class Budget:
    """Time and size budget of one extraction: :meth:`check` raises when it is spent."""

    def __init__(self, limits: Limits, what: str) -> None:
        self.limits, self.what = limits, what
        self.deadline = time.monotonic() + limits.seconds

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def check(self, chars: int = 0) -> None:
        if chars > self.limits.max_chars:
            raise AttachmentError(f"{self.what} holds too much text: over {self.limits.max_chars:,} characters")
        if time.monotonic() > self.deadline:
            raise AttachmentError(f"{self.what} extraction took too long: over {self.limits.seconds:g} s")
