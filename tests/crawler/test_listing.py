"""List pages: links and every pagination scheme of CMS.md, on hand-made snippets of real shapes."""

from __future__ import annotations

from crawler.listing import PageRequest, datastore_links, list_links, next_dataproxy_group, next_list_pages

TRS = """<html><body><ul class="list">
<li><a href="./202603/t20260305_6116434.html" title="中共怀化市鹤城区委关于巡视整改进展情况的通报">中共怀化市鹤城区委关于巡视…</a>
<span>2026-03-05</span></li>
<li><a href="../other/t20260301_1.html">区委召开巡察整改工作推进会</a><span>2026年3月1日</span></li>
<li><a href="javascript:void(0)">x</a></li>
</ul><script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){ /* … */ }</script>
<div class="page"><script>createPageHTML(7, 2, "index", "shtml")</script></div></body></html>"""

HANWEB = """<html><body><div id="49468"><script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>
<recordset><record><![CDATA[<li><a href='/art/2026/3/5/art_30067_1234567.html' title='中共××县委关于巡视整改进展情况的通报'>中共××县委…</a><span>2026-03-05</span></li>]]></record>
<record><![CDATA[<li><a href='/art/2026/3/1/art_30067_1234500.html' title='我县召开会议'>我县召开会议</a></li>]]></record>
</recordset></datastore></script></div>
<script>$(document).ready(function(){$('#49468').jpage({totalRecord:100, groupSize:3, perPage:15,
proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{col:1,appid:'1',webid:60,path:'/',columnid:30067,
unitid:'49468',webname:'某县人民政府',permissiontype:0}});});</script></body></html>"""

PROXY = """<datastore><nextgroup><![CDATA[<a href="...">下一组</a>]]></nextgroup><totalrecord>100</totalrecord>
<totalpage>7</totalpage><recordset>
<record><![CDATA[<li><a href='/art/2025/9/11/art_30067_11828204.html' title='标题一'>标题一</a><span>2025-09-11</span></li>]]></record>
</recordset></datastore>"""


def test_trs_links_take_the_full_title_and_the_date() -> None:
    links = list_links(TRS, "http://a.gov.cn/xxgk/xszg/index_2.shtml")
    assert links[0].url == "http://a.gov.cn/xxgk/xszg/202603/t20260305_6116434.html"
    assert links[0].title == "中共怀化市鹤城区委关于巡视整改进展情况的通报"
    assert links[0].date == "2026-03-05"
    assert links[1].date == "2026-03-01"
    assert len(links) == 2  # javascript: links are not links


def test_trs_create_page_html_gives_the_next_index_page() -> None:
    pages = next_list_pages(TRS, "http://a.gov.cn/xxgk/xszg/index_2.shtml")
    assert [p.url for p in pages] == ["http://a.gov.cn/xxgk/xszg/index_3.shtml"]


def test_trs_first_and_last_pages() -> None:
    first = TRS.replace("createPageHTML(7, 2,", "createPageHTML(7, 0,")
    assert next_list_pages(first, "http://a.gov.cn/c/")[0].url == "http://a.gov.cn/c/index_1.shtml"
    last = TRS.replace("createPageHTML(7, 2,", "createPageHTML(7, 6,")
    assert next_list_pages(last, "http://a.gov.cn/c/index_6.shtml") == []


def test_trs_five_argument_variant_and_variables() -> None:
    five = "<script>createPageHTML('page_div', 5, 1, 'index', 'htm');</script>"
    assert next_list_pages(five, "http://a.gov.cn/c/index_1.htm")[0].url == "http://a.gov.cn/c/index_2.htm"
    variables = "<script>var currentPage = 0; var countPage = 17; document.write('index'+'_'+1)</script>"
    assert next_list_pages(variables, "http://a.gov.cn/c/index.html")[0].url == "http://a.gov.cn/c/index_1.html"


def test_hanweb_inline_records_are_links() -> None:
    links = list_links(HANWEB, "http://b.gov.cn/col/col30067/index.html")
    assert [link.url for link in links] == ["http://b.gov.cn/art/2026/3/5/art_30067_1234567.html",
                                           "http://b.gov.cn/art/2026/3/1/art_30067_1234500.html"]
    assert links[0].title == "中共××县委关于巡视整改进展情况的通报"


def test_hanweb_next_group_is_a_dataproxy_post_after_the_inline_group() -> None:
    (page,) = next_list_pages(HANWEB, "http://b.gov.cn/col/col30067/index.html")
    assert page.method == "POST"
    assert page.url == "http://b.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    assert page.formdata["columnid"] == "30067" and page.formdata["unitid"] == "49468"
    assert page.formdata["webname"] == "某县人民政府"
    following = next_dataproxy_group(PROXY, page)
    assert following is not None and "startrecord=91&endrecord=135" in following.url
    assert following.formdata == page.formdata
    last = next_dataproxy_group(PROXY, following)
    assert last is None  # record 135 >= total 100


def test_dataproxy_answer_links_and_total() -> None:
    links, total = datastore_links(PROXY, "http://b.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46")
    assert total == 100
    assert links[0].url == "http://b.gov.cn/art/2025/9/11/art_30067_11828204.html"
    assert links[0].date == "2025-09-11"


def test_empty_dataproxy_answer_ends_the_list() -> None:
    page = next_list_pages(HANWEB, "http://b.gov.cn/col/col30067/index.html")[0]
    assert next_dataproxy_group("<datastore><totalrecord>0</totalrecord></datastore>", page) is None
    assert next_dataproxy_group("", page) is None


def test_next_page_links() -> None:
    html = ('<a href="list_3.html">尾页</a><a href="list_1.html">下一页</a><a href="list.html">首页</a>'
            '<a href="list_2.html"> &gt; </a>')
    assert sorted(p.url for p in next_list_pages(html, "http://c.gov.cn/n/list.html")) == [
        "http://c.gov.cn/n/list_1.html", "http://c.gov.cn/n/list_2.html"]


def test_query_page_numbers() -> None:
    html = '<a href="?page=2">2</a><a href="?page=3">3</a><a href="notices.jsp?page=4&amp;x=1">4</a>'
    assert [p.url for p in next_list_pages(html, "http://c.gov.cn/notices.jsp?page=1")] == [
        "http://c.gov.cn/notices.jsp?page=2"]
    assert [p.url for p in next_list_pages(html, "http://c.gov.cn/notices.jsp?page=3")] == [
        "http://c.gov.cn/notices.jsp?page=4&x=1"]


def test_list_selector_limits_the_area() -> None:
    html = '<div id="nav"><a href="/a.html">关于巡视整改进展情况的通报</a></div><ul class="list"><a href="/b.html">b</a></ul>'
    assert [link.url for link in list_links(html, "http://d.gov.cn/", selector="ul.list")] == ["http://d.gov.cn/b.html"]


def test_broken_and_empty_pages() -> None:
    assert list_links("", "http://d.gov.cn/") == []
    assert next_list_pages("", "http://d.gov.cn/") == []
    assert list_links("<html><a href='/x.html'>x", "http://d.gov.cn/")[0].url == "http://d.gov.cn/x.html"
    assert next_list_pages("<script>createPageHTML(</script>", "http://d.gov.cn/") == []
    assert isinstance(PageRequest("http://x/"), PageRequest)
