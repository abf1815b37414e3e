"""Units of attachment extraction: PDF line joining and page furniture, DOCX tables and list numbering."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from crawler.parse import parse_document
from crawler.parse.attachments import extract_text
from crawler.parse.attachments.numbering import format_number
from crawler.parse.attachments.pdf_text import Line, PageLines, join_lines

SAMPLES = Path(__file__).resolve().parents[3] / "crawler" / "samples"
LEFT, RIGHT, SIZE = 72.0, 523.0, 12.0


def line(text: str, top: float, *, indent: int = 0, full: bool = True, x0: float | None = None) -> Line:
    """A body line; ``full`` lines reach the right margin, others end after their characters."""
    start = LEFT + indent * SIZE if x0 is None else x0
    end = RIGHT if full else start + SIZE * len(text)
    return Line(text, start, end, top, top + SIZE, SIZE)


def page(*lines: Line) -> PageLines:
    return PageLines(list(lines), 842.0)


# ---- PDF layout ---------------------------------------------------------------------------------


def test_indented_paragraphs_join_even_after_a_sentence_end_at_the_margin() -> None:
    paras = join_lines([page(
        line("一是坚决讲政治。第一时间成立", 72, indent=2),
        line("了领导小组。", 92),              # ends a sentence at the right margin, paragraph goes on
        line("切实落实主体责任。", 112, full=False),
        line("二是坚决讲担当。研究制定整改", 132, indent=2),
        line("方案。", 152, full=False),
        line("三是坚决讲实效", 172, indent=2, full=False),
    )])
    assert paras == ["一是坚决讲政治。第一时间成立了领导小组。切实落实主体责任。",
                     "二是坚决讲担当。研究制定整改方案。", "三是坚决讲实效"]


def test_block_paragraphs_break_after_sentence_punctuation() -> None:
    paras = join_lines([page(
        line("整改情况:对省第十二次党代会报告中", 72),
        line("涉及任务进行了分解、督办。", 92),
        line("3.关于“落实省委领导批示要求不到位", 112),
        line("”的问题", 132, full=False),
        line("整改情况:成立工作专班。", 152, full=False),
    )])
    assert paras == ["整改情况:对省第十二次党代会报告中涉及任务进行了分解、督办。",
                     "3.关于“落实省委领导批示要求不到位”的问题", "整改情况:成立工作专班。"]


def test_page_numbers_and_running_headers_are_dropped_and_paragraphs_cross_pages() -> None:
    pages = []
    for n, number in enumerate(["- 1 -", "第 2 页 共 4 页", "3/4", "— 4 —"]):
        pages.append(page(
            line("中共某某区委办公室", 40, x0=200, full=False),
            line("甲乙丙丁戊己庚辛"[2 * n:2 * n + 2] + "开头,内容一直写到", 72, indent=2),
            line("尾。", 92, full=False),
            line("2023", 112, full=False),  # a short body line in the middle stays
            line("子丑寅卯辰巳午未"[2 * n:2 * n + 2] + "末行写满了没有写完", 760, indent=2),
            line(number, 800, x0=280, full=False),
        ))
    pages.append(page(line("接着上一页。", 72, full=False)))
    paras = join_lines(pages)
    assert not any("办公室" in p or "页 共" in p or p.startswith(("-", "—", "3/")) for p in paras)
    assert paras[:4] == ["甲乙开头,内容一直写到尾。", "2023", "子丑末行写满了没有写完", "丙丁开头,内容一直写到尾。"]
    assert paras[-1] == "午未末行写满了没有写完接着上一页。"
    assert len(paras) == 12


def test_ascii_words_keep_a_space_chinese_does_not() -> None:
    paras = join_lines([page(line("Rectification of the", 72), line("inspection 巡视整", 92),
                             line("改。", 112, full=False))])
    assert paras == ["Rectification of the inspection 巡视整改。"]


def test_a_line_short_of_the_margin_ends_its_paragraph() -> None:
    paras = join_lines([page(line("一、组织整改落实情况", 72, full=False), line("区委坚持把巡视整改作为", 92),
                             line("重要的政治任务。", 112, full=False))])
    assert paras == ["一、组织整改落实情况", "区委坚持把巡视整改作为重要的政治任务。"]


def test_a_title_wrapped_over_centred_lines_is_one_paragraph() -> None:
    def centred(text: str, top: float, size: float) -> Line:
        width = size * len(text)
        return Line(text, (LEFT + RIGHT - width) / 2, (LEFT + RIGHT + width) / 2, top, top + size, size)

    body = [line("根据省委统一部署,省委第四巡视组对某区进行了巡视。按照巡视工作有关要", 150 + 20 * k) for k in range(6)]
    paras = join_lines([page(centred("中共某区委关于省委第四轮巡视", 60, 18), centred("整改进展情况的通报", 84, 18),
                             centred("(2024年8月26日)", 110, 12), *body)])
    assert paras[:2] == ["中共某区委关于省委第四轮巡视整改进展情况的通报", "(2024年8月26日)"]


# ---- DOCX ----------------------------------------------------------------------------------------


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_tables_come_in_document_order_and_merged_cells_once() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("整改情况表如下")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "问题"
    table.cell(0, 2).text = "整改措施"
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "巡视反馈问题"
    table.cell(1, 2).add_paragraph("已完成整改")
    document.add_paragraph("以上。")
    assert extract_text(_save(document), "docx") == "整改情况表如下\n问题\n整改措施\n1\n巡视反馈问题\n已完成整改\n以上。"


def test_docx_reads_tracked_insertions_and_content_controls_but_not_deletions() -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("placeholder")
    body = document.element.body
    body.replace(body[0], parse_xml(
        f'<w:p {_W}><w:r><w:t>整改</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>已经</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>尚未</w:delText></w:r></w:del>'
        '<w:sdt><w:sdtContent><w:r><w:t>完成</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:hyperlink><w:r><w:t>。</w:t></w:r></w:hyperlink><w:r><w:br w:type="page"/></w:r></w:p>'))
    assert extract_text(_save(document), "docx") == "整改已经完成。"


@pytest.mark.parametrize("n, fmt, expected", [
    (3, "decimal", "3"), (11, "chineseCounting", "十一"), (4, "chineseCountingThousand", "四"),
    (12, "chineseLegalSimplified", "壹拾贰"), (2, "decimalEnclosedCircle", "②"), (2023, "ideographDigital", "二〇二三"),
    (3, "ideographTraditional", "丙"), (28, "lowerLetter", "bb"), (14, "upperRoman", "XIV"),
    (7, "decimalFullWidth", "７"), (1, "bullet", ""), (5, "someFutureFormat", "5"),
])
def test_number_formats(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_LEVELS = {"chapter": ("chineseCounting", "%1、"), "section": ("chineseCounting", "（%1）"), "item": ("decimal", "%1.")}
_LABEL = {"chapter": r"^[一二三四五六七八九十]+、", "section": r"^\([一二三四五六七八九十]+\)", "item": r"^\d+\."}


def _auto_numbered(lines: list[str]) -> bytes:
    """A DOCX of ``lines`` whose 一、/(一)/1. labels are Word list numbers, not typed text."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    for index, (fmt, text) in enumerate(_LEVELS.values()):
        numbering.insert(index, parse_xml(
            f'<w:abstractNum {_W} w:abstractNumId="9{index}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>'))
    num_ids = {"chapter": 90, "section": 91, "item": 92}
    for kind, num_id in num_ids.items():
        numbering.append(parse_xml(f'<w:num {_W} w:numId="{num_id}"><w:abstractNumId w:val="9{num_id - 90}"/></w:num>'))
    restarted = 93  # a second run of (一) (二) … in a later chapter: same list definition, startOverride
    numbering.append(parse_xml(f'<w:num {_W} w:numId="{restarted}"><w:abstractNumId w:val="91"/>'
                               '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    chapters = 0
    for text in lines:
        kind = next((k for k, pattern in _LABEL.items() if re.match(pattern, text)), None)
        if kind is None:
            document.add_paragraph(text)
            continue
        chapters += kind == "chapter"
        num_id = restarted if kind == "section" and chapters >= 3 else num_ids[kind]
        paragraph = document.add_paragraph(re.sub(_LABEL[kind], "", text))
        paragraph._p.get_or_add_pPr().insert(0, parse_xml(
            f'<w:numPr {_W}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return _save(document)


def test_word_list_numbers_are_rendered_so_the_notice_parses_the_same() -> None:
    text = (SAMPLES / "zhengxiang_2024.txt").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    data = _auto_numbered(lines)
    assert "1.树立正确政绩观" not in data.decode("latin-1")  # the labels really are not in the XML text
    expected = parse_document(text.encode())
    got = parse_document(data, name="auto.docx")
    assert [(i.label, i.title, i.status) for i in got.issues] == [(i.label, i.title, i.status) for i in expected.issues]
    assert got.to_dict() == expected.to_dict()


def test_multi_level_list_restarts_deeper_levels_and_follows_styles() -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{legal}'
                     f'<w:lvlText w:val="{text}"/></w:lvl>'
                     for i, (fmt, legal, text) in enumerate([("chineseCounting", "", "%1、"),
                                                             ("chineseCounting", "", "（%2）"),
                                                             ("decimal", "<w:isLgl/>", "%1.%3")]))
    numbering.insert(0, parse_xml(f'<w:abstractNum {_W} w:abstractNumId="80">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {_W} w:numId="80"><w:abstractNumId w:val="80"/></w:num>'))
    style = document.styles.add_style("Notice Heading", 1)
    style.element.get_or_add_pPr().insert(0, parse_xml(f'<w:numPr {_W}><w:numId w:val="80"/></w:numPr>'))
    for text, ilvl in [("甲", 0), ("乙", 1), ("丙", 2), ("丁", 2), ("戊", 1), ("己", 2), ("庚", 0), ("辛", 1)]:
        paragraph = document.add_paragraph(text, style="Notice Heading")
        if ilvl:
            paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {_W}><w:ilvl w:val="{ilvl}"/></w:numPr>'))
    document.add_paragraph("正文")
    assert extract_text(_save(document), "docx").split("\n") == [
        "一、甲", "（一）乙", "1.1 丙", "1.2 丁", "（二）戊", "1.1 己", "二、庚", "（一）辛", "正文"]
