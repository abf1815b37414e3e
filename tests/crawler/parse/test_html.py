"""extract_article: body text, metadata and attachments from government CMS pages."""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parse.encoding import decode_page
from crawler.parse.html import Article, extract_article
from tests.fixtures.html_pages import KINDS, PAGES, render

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "crawler" / "samples").glob("*.txt"))
FIXTURES = ROOT / "tests" / "fixtures" / "html"

#: Lines of the bundled samples that are page chrome scraped along with the notice (a
#: share prompt, a site footer).  The extractor must drop them like any other chrome, so
#: the round trip expects every other line, exactly.
SAMPLE_CHROME_LINES = {
    "hetang_2025.txt": {"使用“扫一扫”即可将网页分享至朋友圈"},
    "yicheng_2024.txt": {"宜城市人民政府办公室主办宜城市行政审批局(宜城市政务服务和大数据管理局)承办"},
}

#: Titles for samples whose text does not start with one.
SAMPLE_TITLES = {"zhengxiang_2024.txt": "中共衡阳市蒸湘区委关于巡视整改进展情况的通报"}


@pytest.fixture(autouse=True)
def _no_swallowed_errors(caplog: pytest.LogCaptureFixture):
    """extract_article never raises; make sure it did not hide a bug either."""
    caplog.set_level(logging.DEBUG, logger="crawler.parse.html")
    yield
    failures = [r for r in caplog.records if r.name == "crawler.parse.html" and "failed" in r.getMessage()]
    assert not failures, failures[0].exc_text


def _sample_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _title_for(path: Path) -> str:
    return SAMPLE_TITLES.get(path.name) or _sample_lines(path)[0]


def _extract(kind: str, text: str, title: str | None = None, url: str | None = "page") -> Article:
    page_url = PAGES[kind].url if url == "page" else url
    return extract_article(decode_page(render(kind, text, title)), page_url)


# =========================================================================== round trip


def test_samples_exist() -> None:
    assert len(SAMPLES) >= 5


def test_sample_chrome_lines_are_in_the_samples() -> None:
    for name, lines in SAMPLE_CHROME_LINES.items():
        assert lines <= set(_sample_lines(ROOT / "crawler" / "samples" / name)), name


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_round_trip(sample: Path, kind: str) -> None:
    text = sample.read_text(encoding="utf-8")
    chrome = SAMPLE_CHROME_LINES.get(sample.name, set())
    expected = [line for line in _sample_lines(sample) if line not in chrome]
    article = _extract(kind, text, _title_for(sample))
    assert article.text.splitlines() == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_metadata(sample: Path, kind: str) -> None:
    title = _title_for(sample)
    article = _extract(kind, sample.read_text(encoding="utf-8"), title)
    info = PAGES[kind]
    assert article.title == title
    assert article.published_on == info.published_on
    assert article.site_name == info.site_name
    assert article.attachments == list(info.attachments)


@pytest.mark.parametrize("kind", KINDS)
def test_no_chrome_leaks(kind: str) -> None:
    notice = "中共某县委关于巡察整改进展情况的通报\n根据县委统一部署，县委第一巡察组进行了巡察。\n一、整改落实情况\n某县委\n2026年2月27日"
    article = _extract(kind, notice)
    text = article.text
    assert text == notice
    for chrome in (
        "TRS_Editor", "margin-top", "{", "当前位置", "您现在的位置", "您当前的位置", "首页 >", "分享", "扫一扫",
        "打印", "关闭", "字体", "字号", "上一篇", "下一篇", "主办", "承办", "网站标识码", "ICP备", "公网安备",
        "版权所有", "浏览次数", "发布时间", "发布日期", "信息来源", "热点新闻", "网站首页", "datastore",
    ):
        assert chrome not in text, chrome


@pytest.mark.parametrize("kind", KINDS)
def test_paragraph_per_line_and_no_indentation(kind: str) -> None:
    article = _extract(kind, "　　第一段，有缩进。\n\n  第二段 有 空格  \n第三段\u00a0\u00a0不间断空格")
    assert article.text == "第一段，有缩进。\n第二段 有 空格\n第三段 不间断空格"


def test_relative_attachments_without_url() -> None:
    article = _extract("trs", "第一段。", url=None)
    assert article.attachments == ["./P020260228398512345678.pdf"]


def test_title_defaults_to_first_line() -> None:
    article = _extract("trs", "中共某某县委关于巡察整改进展情况的通报\n正文。")
    assert article.title == "中共某某县委关于巡察整改进展情况的通报"


def test_render_unknown_kind() -> None:
    with pytest.raises(ValueError):
        render("wordpress", "x")


# =========================================================================== static pages


def _static(name: str, url: str) -> Article:
    return extract_article(decode_page((FIXTURES / name).read_bytes()), url)


def test_static_trs_page() -> None:
    article = _static("trs_sdjj_xsxc.html", "https://www.sdjj.gov.cn/gzdt/xsxc/202602/t20260228_4567890.htm")
    assert article.text.splitlines() == [
        "中共济宁市委关于十二届省委第五轮巡视集中整改进展情况的通报",
        "根据省委统一部署，2025年4月8日至6月10日，省委第二巡视组对济宁市进行了常规巡视。2025年7月25日，"
        "省委巡视组向济宁市委反馈了巡视意见。按照巡视工作有关要求，现将集中整改进展情况予以公布。",
        "一、提高政治站位，扛牢整改责任",
        # a source line break between two CJK characters is no space
        "市委把巡视整改作为重大政治任务，成立由市委书记任组长的巡视整改工作领导小组，召开专题会议研究部署。",
        "二、聚焦反馈问题，逐项推动整改",
        "截至2026年1月底，反馈的48个问题中，已完成整改41个，",
        "其余7个正在按时序推进。",
        # table rows: one line each, cells joined by a space even with <p> inside cells
        "序号 问题 整改状态",
        "1 落实党中央决策部署有差距 已完成",
        "2 基层党组织建设薄弱 阶段性完成",
        "欢迎广大干部群众对集中整改落实情况进行监督。联系电话：0537-2345678；邮政信箱：济宁市太白湖新区市委巡视整改办。",
        "中共济宁市委",
        "2026年2月27日",
    ]
    # ArticleTitle is split over two source lines
    assert article.title == "中共济宁市委关于十二届省委第五轮巡视集中整改进展情况的通报"
    assert article.published_on == date(2026, 2, 28)
    assert article.site_name == "山东省纪委监委网站"
    assert article.attachments == [
        "https://www.sdjj.gov.cn/gzdt/xsxc/202602/P020260228512345678901.docx",
        # pdf.js viewer: the (percent-encoded) file parameter, resolved
        "https://www.sdjj.gov.cn/gzdt/xsxc/202602/P020260228512345678902.pdf",
    ]


def test_static_hanweb_page() -> None:
    article = _static("hanweb_sqjw_gbk.html", "https://www.sqjw.gov.cn/art/2026/3/9/art_2108_3301234.html")
    assert article.text.splitlines() == [
        "中共宿迁市宿城区委关于巡察整改进展情况的通报",
        "根据市委巡察工作统一部署，二〇二五年九月十日至十一月十日，市委第三巡察组对宿城区进行了巡察。",
        "二〇二五年十二月二十日，市委巡察组向宿城区委反馈了巡察意见。现将整改进展情况予以公布。",
        "一、整改工作总体情况",
        "对反馈的26个问题，已完成整改22个，正在推进4个；建立完善制度机制15项。",
        "整改状态：阶段性完成",
        "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0527-84356789。",
        "中共宿迁市宿城区委",
        "二〇二六年三月九日",
    ]
    assert article.title == "中共宿迁市宿城区委关于巡察整改进展情况的通报"
    assert article.published_on == date(2026, 3, 9)  # 发布日期：二〇二六年三月九日
    assert article.site_name == "宿迁纪检监察网"
    assert article.attachments == [
        "https://www.sqjw.gov.cn/module/download/downfile.jsp?classid=0&filename=2603091620123.pdf",
        "https://www.sqjw.gov.cn/module/download/downfile.jsp?classid=0&filename=2603091620456.docx",  # onclick
        "https://www.sqjw.gov.cn/picture/0/2603091620789.ofd",  # onclick on a span
    ]


def test_static_plain_page() -> None:
    article = _static("plain_miluo_article.html", "http://www.miluo.gov.cn/25221/25230/43242/content_2061235.html")
    assert article.text.splitlines() == [
        "根据市委统一部署，市委第二巡察组于2025年10月对市卫健委党组开展了常规巡察，并于2025年12月反馈了巡察意见。",
        "（一）在“落实全面从严治党责任”方面",
        "1.关于“党风廉政建设主体责任落实不到位”问题的整改",
        "整改情况：已召开专题会议（详见专题会议纪要），完成情况：已完成。",
        "市委巡察办",
        "2026年3月10日",
    ]
    assert article.title == "汨罗市委巡察办关于市卫健委巡察整改情况的通报"
    assert article.published_on == date(2026, 3, 10)
    assert article.site_name is None
    # <base href> applies; the sidebar's PDF (in <aside>) is not an attachment
    assert article.attachments == [
        "http://www.miluo.gov.cn/uploadfiles/2026/03/20260310093012345.ofd",
        "http://www.miluo.gov.cn/25221/25230/43242/files/整改台账.wps",
    ]


# =========================================================================== body selection


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_trs_style_block_never_leaks() -> None:
    html = _page(
        '<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:5px;line-height:2;}'
        ".TRS_Editor TD{font-size:12pt;}</style><p>　　正文第一段。</p><div>　　正文第二段。</div></div>"
    )
    assert extract_article(html).text == "正文第一段。\n正文第二段。"


def test_trs_editor_preferred_over_generic_container() -> None:
    html = _page(
        '<div class="content"><div class="sidebar-text">侧栏的很多很多文字侧栏的很多很多文字侧栏的很多很多文字</div>'
        '<div class="TRS_Editor"><p>通报正文。</p></div></div>'
    )
    assert extract_article(html).text == "通报正文。"


def test_notice_that_is_only_an_attachment() -> None:
    html = _page('<div class="TRS_Editor"><p>详见附件</p></div><div class="side">热点新闻很多很多文字热点新闻很多很多文字</div>')
    assert extract_article(html).text == "详见附件"


@pytest.mark.parametrize("kind", ["trs", "hanweb"])
def test_empty_cms_body_gives_empty_text_not_chrome(kind: str) -> None:
    # a notice published only as an attachment: the CMS body is empty
    article = _extract(kind, "", "中共某县委关于巡察整改进展情况的通报")
    assert article.text == ""
    assert article.title == "中共某县委关于巡察整改进展情况的通报"
    assert article.attachments == list(PAGES[kind].attachments)


def test_hanweb_markers_bound_the_body() -> None:
    html = _page(
        '<div id="zoom">页面前的文字<!--ZJEG_RSS.content.begin--><meta name="ContentStart">'
        "<p>第一段。</p>第二段。<br>第三段。<meta name=\"ContentEnd\"><!--ZJEG_RSS.content.end-->页面后的文字</div>"
    )
    assert extract_article(html).text == "第一段。\n第二段。\n第三段。"


def test_content_start_end_meta_markers() -> None:
    html = _page('<div class="x">头部<meta name="ContentStart"><p>正文。</p><meta name="ContentEnd">尾部</div>')
    assert extract_article(html).text == "正文。"


def test_generic_container() -> None:
    html = _page(
        '<div class="nav"><a href="/">首页</a><a href="/a">政务公开</a></div>'
        '<div class="article-content"><p>一、总体情况</p><p>正文内容在这里。</p></div>'
        '<div class="footer">主办单位：某某市人民政府办公室</div>'
    )
    assert extract_article(html).text == "一、总体情况\n正文内容在这里。"


def test_heuristic_finds_unnamed_body() -> None:
    links = "".join(f'<li><a href="/n/{i}.html">其他新闻标题第{i}条很长很长的链接文字</a></li>' for i in range(30))
    html = _page(
        f'<div class="top"><ul>{links}</ul></div>'
        '<div class="wrap"><div class="l"><ul>' + links + '</ul></div>'
        '<div class="r"><div class="t">标题</div><div class="xyz">'
        + "".join(f"<p>第{i}段正文，内容较长，用来确认启发式找到正文。</p>" for i in range(12))
        + "</div></div></div>"
    )
    article = extract_article(html)
    lines = article.text.splitlines()
    assert len(lines) == 12
    assert lines[0] == "第0段正文，内容较长，用来确认启发式找到正文。"


def test_heuristic_does_not_swallow_siblings_of_a_long_paragraph() -> None:
    long = "很长的段落。" * 200
    html = _page(f'<div class="x"><p>短标题</p><div>{long}</div><p>落款</p></div>')
    assert extract_article(html).text.splitlines() == ["短标题", long, "落款"]


def test_table_cells_join_with_space_and_rows_break() -> None:
    html = _page(
        '<div class="TRS_Editor"><table><tr><th>序号</th><th>问题</th></tr>'
        "<tr><td>1</td><td><p>问题一</p><p>（续）</p></td></tr><tr><td>2</td><td>问题二</td></tr></table></div>"
    )
    assert extract_article(html).text == "序号 问题\n1 问题一 （续）\n2 问题二"


def test_layout_table_cells_keep_paragraphs() -> None:
    paragraphs = "".join(f"<p>第{i}段，正文的内容足够长，足够长，足够长，足够长，足够长，足够长，足够长。</p>" for i in range(10))
    html = _page(f"<table><tr><td>栏目</td><td>{paragraphs}</td></tr></table>")
    assert len(extract_article(html).text.splitlines()) == 10


def test_inline_elements_join_without_spaces() -> None:
    html = _page(
        '<div class="TRS_Editor"><p><span>中共</span><strong>荷塘</strong><font>区委</font>\n'
        "<span>关于</span></p><p>word <b>bold</b> text</p></div>"
    )
    assert extract_article(html).text == "中共荷塘区委关于\nword bold text"


def test_br_separated_paragraphs() -> None:
    html = _page('<div id="zoom">　　第一段。<br>　　第二段。<br/><br/>　　第三段。</div>')
    assert extract_article(html).text == "第一段。\n第二段。\n第三段。"


@pytest.mark.parametrize("container", ['<div class="content">', '<div class="zw">'])
def test_related_links_block_is_removed(container: str) -> None:
    html = _page(
        f"{container}<p>正文第一段，内容。</p><p>正文第二段，内容。</p><div><h4>相关链接</h4><ul>"
        '<li><a href="/1.html">另一篇通报</a></li><li><a href="/2.html">又一篇通报</a></li></ul></div>'
        '<div>相关文章：<a href="/3.html">第三篇</a> <a href="/4.html">第四篇</a></div></div>'
    )
    assert extract_article(html).text == "正文第一段，内容。\n正文第二段，内容。"


def test_preformatted_lines_stay_lines() -> None:
    html = _page('<div class="TRS_Editor"><pre>　　第一段。\n　　第二段，<b>加粗</b>\n\n第三段。</pre></div>')
    assert extract_article(html).text == "第一段。\n第二段，加粗\n第三段。"


def test_related_heading_dropped_in_trusted_container() -> None:
    # TRS bodies do not carry related-link lists; the heading line is dropped by the line rules
    html = _page('<div class="TRS_Editor"><p>正文。</p><p>【相关链接】</p></div>')
    assert extract_article(html).text == "正文。"


def test_sentence_starting_with_related_is_kept() -> None:
    html = _page('<div class="TRS_Editor"><p>相关文章已按要求全部撤回，并对责任人进行了批评教育，督促其认真整改。</p></div>')
    assert "相关文章已按要求全部撤回" in extract_article(html).text


# =========================================================================== chrome lines

CHROME_LINES = [
    "当前位置：首页 > 巡视巡察 > 巡视整改",
    "您现在的位置：首页 > 本级巡察",
    "您当前的位置：首页>政务公开",
    "首页 > 工作动态",
    "分享到：",
    "分享到： 微信 微博 QQ空间",
    "打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享至朋友圈。",
    "使用“扫一扫”即可将网页分享至朋友圈",
    "扫一扫在手机打开当前页",
    "打印本页 关闭窗口",
    "【打印本页】【关闭窗口】",
    "【打印】 【关闭】",
    "[打印本页] [关闭窗口]",
    "【字体：大 中 小】",
    "字号:[ 大 中 小 ]",
    "【字号 大 中 小】 【打印】",
    "发布时间：2026-02-28 10:30 来源：湖南省委巡视办 【字体：大 中 小】",
    "发布日期:2026-03-09 信息来源:省委巡视办 字号:[ 大 中 小 ]",
    "时间：2026年2月27日 来源：区委办公室 浏览次数：1024",
    "上一篇：中共湘潭市委关于巡视整改进展情况的通报",
    "下一篇：没有了",
    "相关链接",
    "【相关文章】",
    "主办单位：中共湖南省纪律检查委员会 湖南省监察委员会",
    "主办：中共株洲市荷塘区委员会办公室 承办：荷塘区融媒体中心",
    "宜城市人民政府办公室主办宜城市行政审批局(宜城市政务服务和大数据管理局)承办",
    "承办单位：汨罗市融媒体中心",
    "网站标识码：4300000041 湘ICP备12003456号-1 湘公网安备 43010202000123号",
    "湘ICP备05001234号-1",
    "版权所有：三湘风纪网 未经授权禁止复制或建立镜像",
    "Copyright © 2026 www.example.gov.cn All Rights Reserved",
    "浏览次数：356",
    "访问量：12345",
    "网站地图 | 联系我们 | 关于我们",
    "返回顶部",
    "技术支持：南京大汉网络有限公司",
]

CONTENT_LINES = [
    "整改情况:一是加快案件办结进度。12起主办案件已化解6起,3起协办案件已审结2起。二是全力追缴涉案资产。",
    "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议,请及时向我们反映。联系电话:0731-28428310。",
    "联系电话：0731-28428310",
    "3.政务网站访问量低，信息更新不及时。",
    "整改情况：在全区开展“打印机、复印机”等办公设备专项清理，关闭违规网站3个。",
    "区委切实扛牢主体责任，由区委办公室主办，区纪委监委协办，相关部门承办具体事项。",
    "一、组织整改落实情况",
    "中共株洲市荷塘区委员会",
    "2025年8月25日",
    "（三）关于“选人用人”方面",
    "上级审计部门指出的问题已全部整改。",
    "分享经验做法12条，在全市推广。",
    "首页设计不规范的问题已整改。",
]


def _clean(line: str) -> str:
    return extract_article(_page(f'<div class="TRS_Editor"><p>正文。</p><p>{line}</p></div>')).text


@pytest.mark.parametrize("line", CHROME_LINES)
def test_chrome_line_is_dropped(line: str) -> None:
    assert _clean(line) == "正文。"


@pytest.mark.parametrize("line", CONTENT_LINES)
def test_content_line_is_kept(line: str) -> None:
    assert _clean(line) == "正文。\n" + line


def test_share_prompt_glued_to_text_is_cut_out() -> None:
    assert _clean("使用“扫一扫”即可将网页分享至朋友圈中共荷塘区委关于巡视整改情况的通报") == (
        "正文。\n中共荷塘区委关于巡视整改情况的通报"
    )


def test_chrome_widgets_inside_container_are_removed() -> None:
    html = _page(
        '<div class="TRS_Editor"><div class="breadcrumb"><a href="/">首页</a><a href="/x">栏目</a></div>'
        "<p>正文。</p>"
        '<div class="bdsharebuttonbox"><a class="bds_weixin">微信</a><a class="bds_tsina">新浪</a></div>'
        '<div class="print"><a href="javascript:print()">打印此文</a></div></div>'
    )
    assert extract_article(html).text == "正文。"


# =========================================================================== title


@pytest.mark.parametrize(
    "page_title, expected",
    [
        ("中共鹤城区委关于巡视整改进展情况的通报_三湘风纪网", "中共鹤城区委关于巡视整改进展情况的通报"),
        ("中共鹤城区委关于巡视整改进展情况的通报 - 株洲市人民政府网", "中共鹤城区委关于巡视整改进展情况的通报"),
        ("中共鹤城区委关于巡视整改进展情况的通报-荷塘区人民政府", "中共鹤城区委关于巡视整改进展情况的通报"),
        ("中共鹤城区委关于巡视整改进展情况的通报_巡视巡察_湖南省纪委监委", "中共鹤城区委关于巡视整改进展情况的通报"),
        ("中共鹤城区委关于巡视整改进展情况的通报 | 清风扬帆网", "中共鹤城区委关于巡视整改进展情况的通报"),
        ("中共鹤城区委关于2023-2024年度巡视整改进展情况的通报", "中共鹤城区委关于2023-2024年度巡视整改进展情况的通报"),
    ],
)
def test_title_from_title_element(page_title: str, expected: str) -> None:
    html = _page('<div class="TRS_Editor"><p>正文。</p></div>', head=f"<title>{page_title}</title>")
    assert extract_article(html).title == expected


def test_meta_title_wins() -> None:
    html = _page(
        "<h1>网站名称</h1><div class=\"TRS_Editor\"><p>正文。</p></div>",
        head='<meta name="ArticleTitle" content="关于巡视整改进展情况的通报"><title>别的标题_网</title>',
    )
    assert extract_article(html).title == "关于巡视整改进展情况的通报"


def test_headline_near_body_beats_logo_h1() -> None:
    html = _page(
        '<div class="logo"><h1>三湘风纪网</h1></div><div class="side"><div class="title">热点</div></div>'
        '<div class="main"><h2 class="article-title">中共某县委关于巡察整改情况的通报</h2>'
        '<div class="TRS_Editor"><p>正文。</p></div></div>',
        head="<title>三湘风纪网</title>",
    )
    assert extract_article(html).title == "中共某县委关于巡察整改情况的通报"


# =========================================================================== dates


@pytest.mark.parametrize(
    "info, expected",
    [
        ("发布时间：2026-02-28 10:30", date(2026, 2, 28)),
        ("发布日期:2026-3-9", date(2026, 3, 9)),
        ("时间：2026年2月28日", date(2026, 2, 28)),
        ("时间:2026/02/08 来源：本站", date(2026, 2, 8)),
        ("发布时间： 2025.12.01", date(2025, 12, 1)),
        ("发布日期：二〇二六年三月九日", date(2026, 3, 9)),
        ("日期：2026年13月40日", None),
    ],
)
def test_published_on_from_text(info: str, expected: date | None) -> None:
    html = _page(f'<h1>标题标题标题</h1><div class="info">{info}</div><div class="TRS_Editor"><p>正文。</p></div>')
    assert extract_article(html).published_on == expected


def test_published_on_from_meta() -> None:
    html = _page(
        '<div class="info">发布时间：2020-01-01</div><div class="TRS_Editor"><p>正文。</p></div>',
        head='<meta name="PubDate" content="2026-02-28 10:30">',
    )
    assert extract_article(html).published_on == date(2026, 2, 28)


def test_labelled_date_after_the_title_wins_over_sidebar_dates() -> None:
    html = _page(
        '<div class="side">时间：2025-01-02 旧新闻</div>'
        '<h1>中共某县委关于巡察整改情况的通报</h1><div class="info">时间：2026-03-01</div>'
        '<div class="TRS_Editor"><p>正文。</p></div>'
    )
    assert extract_article(html).published_on == date(2026, 3, 1)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.sdjj.gov.cn/gzdt/xsxc/202602/t20260228_4567890.htm", date(2026, 2, 28)),
        ("https://www.jssjw.gov.cn/art/2026/3/9/art_5072_1234.html", date(2026, 3, 9)),
        ("https://jw.km.gov.cn/c/2026-01-05/4912345.shtml", date(2026, 1, 5)),
        ("https://www.example.gov.cn/news/123.html", None),
    ],
)
def test_published_on_from_url(url: str, expected: date | None) -> None:
    html = _page('<div class="TRS_Editor"><p>正文。</p></div>')
    assert extract_article(html, url).published_on == expected


# =========================================================================== attachments

BASE = "https://www.example.gov.cn/xxgk/202602/t20260228_1.html"


@pytest.mark.parametrize(
    "markup, expected",
    [
        ('<a href="./P020260228.pdf">附件</a>', ["https://www.example.gov.cn/xxgk/202602/P020260228.pdf"]),
        ('<a href="/files/a.DOCX?v=2">附件</a>', ["https://www.example.gov.cn/files/a.DOCX?v=2"]),
        ('<a href="b.wps#page=1">附件</a>', ["https://www.example.gov.cn/xxgk/202602/b.wps#page=1"]),
        ('<a href="http://other.gov.cn/c.ofd">附件</a>', ["http://other.gov.cn/c.ofd"]),
        ('<a href="/module/download/downfile.jsp?classid=0&amp;filename=2602281.pdf">表.pdf</a>',
         ["https://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=2602281.pdf"]),
        ('<a href="/pdfjs/web/viewer.html?file=/upload/x.pdf">预览</a>', ["https://www.example.gov.cn/upload/x.pdf"]),
        ('<iframe src="/static/pdfjs/web/viewer.html?file=..%2F..%2F..%2Fupload%2Fy.pdf"></iframe>',
         ["https://www.example.gov.cn/upload/y.pdf"]),
        ('<embed src="/upload/z.pdf" type="application/pdf">', ["https://www.example.gov.cn/upload/z.pdf"]),
        ('<object data="/upload/o.pdf"></object>', ["https://www.example.gov.cn/upload/o.pdf"]),
        ("<a href=\"javascript:void(0)\" onclick=\"window.open('/upload/w.doc')\">附件</a>",
         ["https://www.example.gov.cn/upload/w.doc"]),
        ('<button onclick="location.href=\'/upload/v.pdf\'">下载</button>', ["https://www.example.gov.cn/upload/v.pdf"]),
        ('<a href="/attach/download?id=12">整改方案.pdf</a>', ["https://www.example.gov.cn/attach/download?id=12"]),
        ('<a href="javascript:download(\'x\')">附件.pdf</a>', []),
        ('<a href="mailto:a@b.c">a.pdf</a>', []),
        ('<a href="/page.html">普通链接</a><a href="/img/a.png">图片</a>', []),
        ('<a href="/a.pdf">一</a><a href="/a.pdf">二</a>', ["https://www.example.gov.cn/a.pdf"]),
        ('<a href="/upload/中文 名称.pdf">附件</a>', ["https://www.example.gov.cn/upload/中文 名称.pdf"]),
    ],
)
def test_attachments(markup: str, expected: list[str]) -> None:
    html = _page(f'<div class="TRS_Editor"><p>正文。</p>{markup}</div>')
    assert extract_article(html, BASE).attachments == expected


def test_attachments_in_nav_and_footer_are_not_the_notices() -> None:
    html = _page(
        '<nav><a href="/guide.pdf">指南.pdf</a></nav><div class="TRS_Editor"><p>正文。</p></div>'
        '<footer><a href="/privacy.pdf">隐私.pdf</a></footer>'
    )
    assert extract_article(html, BASE).attachments == []


def test_attachment_url_is_a_string_not_a_path() -> None:
    html = _page('<a href="../../a/../b.pdf">附件</a>')
    assert extract_article(html, "http://x.gov.cn/1/2/3/p.html").attachments == ["http://x.gov.cn/1/b.pdf"]
    assert extract_article(html).attachments == ["../../a/../b.pdf"]


# =========================================================================== robustness


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n",
        "<",
        "<!-- only a comment",
        "<html></html>",
        "<html><body></body></html>",
        '<?xml version="1.0" encoding="gbk"?><html><body><p>中文段落</p></body></html>',
        "<html><head><title>x</title></head><body><div class=\"TRS_Editor\"><p>第一段。</p><p>第二段被截",
        "<div><p>一<p>二<div>三<span>四",
        "<table><tr><td>a<td>b<tr><td>c",
        "</div></div></p>孤立的结束标签</span>",
        "<p>a\ud800b</p>",
        "<p>a\x00b</p>",
        "<html><frameset><frame src=\"/a.pdf\"></frameset></html>",
        "<div id=\"zoom\"><!--ZJEG_RSS.content.end--><p>乱序的标记</p><!--ZJEG_RSS.content.begin--></div>",
        "<div><!--ZJEG_RSS.content.begin--><p>甲</p></div><div><p>乙</p><!--ZJEG_RSS.content.end--></div>",
        '<a href="http://[::1">坏链接.pdf</a>',
        "<svg><title>图</title></svg><math><mi>x</mi></math>",
    ],
)
def test_broken_html_does_not_raise(html: str) -> None:
    article = extract_article(html, "http://example.gov.cn/a/b.html")
    assert isinstance(article, Article)
    assert isinstance(article.text, str)
    assert all(line and line == line.strip() for line in article.text.splitlines())


def test_deeply_nested_divs_keep_their_text() -> None:
    html = "<html><body><p>前言</p>" + "<div>" * 5000 + "深层内容" + "</div>" * 5000 + "<p>后记</p></body></html>"
    assert extract_article(html).text.splitlines() == ["前言", "深层内容", "后记"]


def test_deeply_nested_unclosed_tags() -> None:
    html = "<html><body>" + "<div><span><font>" * 3000 + "正文"
    assert "正文" in extract_article(html).text


def test_truncated_trs_page() -> None:
    data = render("trs", "第一段。\n第二段。\n第三段。")
    html = decode_page(data)
    cut = html[: html.index("第三段")]
    assert extract_article(cut).text.splitlines() == ["第一段。", "第二段。"]


@pytest.mark.parametrize("bad", [b"<html></html>", None, 1])
def test_non_str_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        extract_article(bad)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_does_not_raise(html: str) -> None:
    article = extract_article(html)
    assert all(line and line == line.strip() for line in article.text.splitlines())


_TAGS = st.sampled_from(
    ["<div>", "</div>", "<p>", "</p>", "<br>", "<td>", "<tr>", "<table>", "</table>", "<span>", "</span>",
     '<div class="TRS_Editor">', '<div id="zoom">', "<!--ZJEG_RSS.content.begin-->", "<!--ZJEG_RSS.content.end-->",
     '<meta name="ContentStart">', "<style>", "</style>", "<script>", '<a href="x.pdf">', "</a>", "<!--", "-->",
     "当前位置：首页 > ", "正文内容。", "　　", "\n", "&nbsp;", "<h1>", "</h1>", "<title>", "</title>"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TAGS, max_size=60).map("".join))
def test_tag_soup_does_not_raise(html: str) -> None:
    article = extract_article(html, "http://example.gov.cn/")
    assert all(line and line == line.strip() for line in article.text.splitlines())


# =========================================================================== speed


def test_extraction_is_fast() -> None:
    """A loose guard against pathological slowdowns (the real figures are in the report)."""
    text = "\n".join(_sample_lines(ROOT / "crawler" / "samples" / "zhengxiang_2024.txt")) * 2
    html = decode_page(render("trs", text))
    assert len(html.encode("utf-8")) > 55_000
    extract_article(html)
    start = time.perf_counter()
    for _ in range(10):
        extract_article(html)
    per_page = (time.perf_counter() - start) / 10
    assert per_page < 0.05, f"{per_page * 1000:.1f} ms per page"


def test_many_paragraphs_scale_linearly() -> None:
    html = _page('<div class="TRS_Editor">' + "<p>　　一段文字，内容。</p>" * 20000 + "</div>")
    start = time.perf_counter()
    article = extract_article(html)
    assert time.perf_counter() - start < 2.0
    assert len(article.text.splitlines()) == 20000


def test_a_control_character_after_dropped_chrome_does_not_cut_the_article() -> None:
    # the parser keeps \x0b in a tail; moving that tail once raised inside lxml and the article ended there
    html = ('<html><body><div class="TRS_Editor"><p>第一段巡察整改情况。</p><div class="share">分享到</div>'
            '尾巴\x0b文字第二段内容<p>第三段内容很长很长。</p></div></body></html>')
    article = extract_article(html, "http://x.gov.cn/a.html")
    assert article.text == "第一段巡察整改情况。\n尾巴文字第二段内容\n第三段内容很长很长。"
