"""Rebuild the bundled sample attachments from the plain-text sample notices.

    .venv/bin/python tools/make_sample_attachments.py

Writes ``crawler/samples/yicheng_2024.pdf`` (from ``yicheng_2024.txt``) and
``crawler/samples/zhengxiang_2024.docx`` (from ``zhengxiang_2024.txt``).

The PDF needs **reportlab**, a dev-only tool that is *not* a runtime dependency of
rectrack (``.venv/bin/pip install reportlab``). It uses reportlab's built-in CID font
``STSong-Light`` (Adobe-GB1, not embedded), so the file stays small and its Chinese text is
extractable by pdfplumber/pdfminer. The layout imitates an official notice: a centred title,
paragraphs with a two-character first-line indent wrapped greedily at the text width over
several A4 pages, and a ``- N -`` page number at the foot of every page.

The DOCX needs only python-docx: one paragraph per line of the text file, the first line
(the title) as a centred heading-like paragraph.
"""

from __future__ import annotations

import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "crawler" / "samples"
FONT = "STSong-Light"
#: Characters the UniGB-UCS2-H encoding has no code for, drawn as the code of the same GB glyph
#: (U+30FB is GB2312 A1A4, which pdfminer maps back to U+00B7).
_DRAWN_AS = str.maketrans({"\u00b7": "\u30fb"})


def _wrap(text: str, width: float, size: float, indent: float) -> list[str]:
    """Greedy character wrapping (Chinese text has no word spaces)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line, avail = "", width - indent
    for char in text:
        if line and stringWidth(line + char, FONT, size) > avail:
            lines.append(line)
            line, avail = "", width
        line += char
    if line:
        lines.append(line)
    return lines


def make_pdf(src: Path, dest: Path) -> None:
    """Lay ``src`` out as a text PDF with wrapped paragraphs and page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    page_w, page_h = A4
    margin, size, title_size, leading = 72.0, 12.0, 16.0, 20.0
    width = page_w - 2 * margin
    pdf = canvas.Canvas(str(dest), pagesize=A4, invariant=True)
    pdf.setTitle(src.stem)
    page = 1
    y = page_h - margin

    def new_page() -> None:
        nonlocal page, y
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(page_w / 2, margin / 2, f"- {page} -")
        pdf.showPage()
        page += 1
        y = page_h - margin

    text = src.read_text(encoding="utf-8").translate(_DRAWN_AS)
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    title, body = paragraphs[0], paragraphs[1:]
    for line in _wrap(title, width, title_size, 0):
        pdf.setFont(FONT, title_size)
        pdf.drawCentredString(page_w / 2, y, line)
        y -= leading * 1.4
    y -= leading * 0.5
    for para in body:
        indent = 2 * size
        for i, line in enumerate(_wrap(para, width, size, indent)):
            if y < margin:
                new_page()
            pdf.setFont(FONT, size)
            pdf.drawString(margin + (indent if i == 0 else 0), y, line)
            y -= leading
    new_page()
    pdf.save()


def make_docx(src: Path, dest: Path) -> None:
    """Write ``src`` as a DOCX, one paragraph per non-empty line."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    lines = [p.strip() for p in src.read_text(encoding="utf-8").splitlines() if p.strip()]
    for i, line in enumerate(lines):
        para = doc.add_paragraph(line)
        if i == 0:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.core_properties.title = src.stem
    doc.save(str(dest))


def main() -> int:
    make_pdf(SAMPLES / "yicheng_2024.txt", SAMPLES / "yicheng_2024.pdf")
    make_docx(SAMPLES / "zhengxiang_2024.txt", SAMPLES / "zhengxiang_2024.docx")
    for name in ("yicheng_2024.pdf", "zhengxiang_2024.docx"):
        print(f"wrote {SAMPLES / name} ({(SAMPLES / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
