"""Column list pages as TRS, Hanweb and plain portals write them (see CMS.md in the shared corpus).

* TRS: static ``index.html``, ``index_1.html`` … whose pager exists only as a
  ``createPageHTML(pageCount, currentIndex, "index", "html")`` script call;
* Hanweb: the column page with a ``jpage`` call and the first group of records inlined in a
  ``<script type="text/xml"><datastore>``; later groups come from ``dataproxy.jsp`` as XML;
* plain: ``<ul>`` lists with ``首页 上一页 1 2 3 下一页 尾页`` links (the hrefs come from a
  ``page_href`` callable, so ``list_N.html`` and ``notices.jsp?page=N`` share one template).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from .pages import Link, cut

__all__ = ["HANWEB", "hanweb_column", "hanweb_datastore", "plain_list", "trs_list"]

#: The Hanweb column and jpage unit the sample site serves.
HANWEB = {"columnid": "30067", "unitid": "49468", "webid": "60", "webname": "清风扬帆网"}

_CREATE_PAGE_HTML = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  function pageUrl(n){ return n == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + n + "." + _sPageExt; }
  document.write("<span>共" + _nPageCount + "页</span>&nbsp;");
  if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;"); }
  else { document.write("<a href=\\"" + pageUrl(0) + "\\">首页</a>&nbsp;<a href=\\"" + pageUrl(nCurrIndex - 1) + "\\">上一页</a>&nbsp;"); }
  if(nCurrIndex == _nPageCount - 1){ document.write("<span>下一页</span>&nbsp;<span>尾页</span>"); }
  else { document.write("<a href=\\"" + pageUrl(nCurrIndex + 1) + "\\">下一页</a>&nbsp;<a href=\\"" + pageUrl(_nPageCount - 1) + "\\">尾页</a>"); }
}"""


def _e(text: str) -> str:
    return escape(text, quote=False)


def trs_list(column: str, items: Sequence[Link], page: int, page_count: int) -> bytes:
    """A TRS column page (UTF-8); ``items`` hrefs are relative (``./YYYYMM/t….html``)."""
    lis = "\n".join(
        f'<li><a href="{escape(i.href)}" target="_blank" title="{escape(i.text)}">{_e(cut(i.text))}</a>'
        f"<span>{i.date}</span></li>"
        for i in items
    )
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="三湘风纪网">
<meta name="SiteDomain" content="www.sxfj.gov.cn">
<meta name="SiteIDCode" content="4300000041">
<meta name="ColumnName" content="{escape(column)}">
<meta name="ColumnType" content="巡视巡察">
<title>{_e(column)}_三湘风纪网</title>
<link href="../../images/sxfj_style.css" rel="stylesheet" type="text/css">
<script type="text/javascript">
{_CREATE_PAGE_HTML}
</script>
</head>
<body>
<div class="top-bar"><div class="w1200"><span>欢迎访问三湘风纪网！</span><a href="/">设为首页</a> | <a href="#">加入收藏</a></div></div>
<div class="nav"><ul class="w1200">
<li><a href="/">首页</a></li><li><a href="/yaowen/">要闻</a></li><li><a href="/shencha/">审查调查</a></li>
<li class="on"><a href="/xun_shi_xun_cha/">巡视巡察</a></li><li><a href="/jiandu/">监督曝光</a></li></ul></div>
<div class="w1200 main">
  <div class="crumb">当前位置：<a href="../../">首页</a> &gt; <a href="../">巡视巡察</a> &gt; <a href="./">{_e(column)}</a></div>
  <div class="list-box">
    <div class="list-title">{_e(column)}</div>
    <ul class="list">
{lis}
    </ul>
    <div class="page"><script>createPageHTML({page_count}, {page}, "index", "html")</script></div>
  </div>
</div>
<div class="footer"><div class="w1200">
  <p>主办单位：中共湖南省纪律检查委员会 湖南省监察委员会</p>
  <p>网站标识码：4300000041　湘ICP备12003456号-1　湘公网安备 43010202000123号</p>
</div></div>
</body>
</html>
"""
    return html.encode("utf-8")


def _record(item: Link) -> str:
    """One Hanweb record: single-quoted attributes, as the real dataproxy writes them."""
    title = item.text.replace("'", "&#39;")
    return (
        f"<record><![CDATA[<li><a href='{item.href}' title='{title}' target='_blank'>{_e(cut(item.text, 31))}</a>"
        f"<span>{item.date}</span></li>]]></record>"
    )


def _proxy_query(start: int, end: int, per_page: int) -> str:
    h = HANWEB
    return (
        f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage={per_page}"
        f"&appid=1&webid={h['webid']}&path=/&columnid={h['columnid']}&unitid={h['unitid']}"
        f"&webname={h['webname']}&permissiontype=0"
    )


def hanweb_datastore(
    items: Sequence[Link], *, first: int, total: int, per_page: int, group: int, xml_decl: bool
) -> str:
    """A ``<datastore>`` holding ``items`` (records ``first`` … of ``total``) and the next-group link."""
    last = first + len(items) - 1
    nextgroup = f'<a href="{escape(_proxy_query(last + 1, last + group, per_page))}"></a>' if last < total else ""
    records = "\n".join(_record(i) for i in items)
    pages = -(-total // per_page) if per_page else 0
    decl = '<?xml version="1.0" encoding="UTF-8"?>\n' if xml_decl else ""
    return (
        f"{decl}<datastore>\n<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n"
        f"<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
        f"<recordset>\n{records}\n</recordset>\n</datastore>"
    )


def hanweb_column(column: str, first_group: Sequence[Link], total: int, per_page: int, group_size: int) -> bytes:
    """The Hanweb column page (GBK bytes, ``charset=gb2312`` declared) with its inline first group."""
    h = HANWEB
    store = hanweb_datastore(
        first_group, first=1, total=total, per_page=per_page, group=per_page * group_size, xml_decl=False
    )
    jpage = (
        f"$('#{h['unitid']}').jpage({{totalRecord:{total}, groupSize:{group_size}, perPage:{per_page}, "
        f"proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{{col:1,appid:'1',webid:{h['webid']},path:'/',"
        f"columnid:{h['columnid']},unitid:'{h['unitid']}',webname:'{h['webname']}',permissiontype:0}}}})"
    )
    html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{_e(column)} - {h['webname']}</title>
<meta name="SiteName" content="{h['webname']}">
<meta name="ColumnName" content="{escape(column)}">
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<script language="javascript" src="/module/jslib/jpage/jpage.js"></script>
<link href="/images/3131/style.css" type="text/css" rel="stylesheet">
</head>
<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
  <tr><td><img src="/images/3131/logo.jpg" alt="{h['webname']}" width="1000" height="120" /></td></tr>
  <tr><td class="nav"><a href="/">首页</a>　<a href="/col/col5061/index.html">要闻</a>　<a href="/col/col{h['columnid']}/index.html">{_e(column)}</a>　<a href="/col/col5080/index.html">廉政教育</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
  <tr><td class="bt_link" height="36">您现在的位置：<a href="/">首页</a> &gt; <a href="/col/col{h['columnid']}/index.html">{_e(column)}</a></td></tr>
  <tr><td class="list"><div id="{h['unitid']}"><script type="text/xml">{store}</script><script language="javascript">{jpage}</script></div></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
  <tr><td align="center">主办：中共江苏省纪律检查委员会　江苏省监察委员会</td></tr>
  <tr><td align="center">网站标识码：3200000067　苏ICP备05001234号</td></tr>
</table>
</body>
</html>
"""
    return html.encode("gbk", "xmlcharrefreplace")


def plain_list(
    column: str, items: Sequence[Link], page: int, page_count: int, total: int, page_href: Callable[[int], str]
) -> bytes:
    """A plain portal list page (UTF-8); ``page`` is 0-based; the last page has no ``下一页`` link."""
    lis = "\n".join(
        f'<li><a href="{escape(i.href)}" target="_blank" title="{escape(i.text)}">{_e(cut(i.text, 30))}</a>'
        f'<span class="date">{i.date}</span></li>'
        for i in items
    )
    pager = [f"<span>共{total}条</span>", f"<span>第{page + 1}/{page_count}页</span>"]
    if page == 0:
        pager += ["<span>首页</span>", "<span>上一页</span>"]
    else:
        pager += [f'<a href="{escape(page_href(0))}">首页</a>', f'<a href="{escape(page_href(page - 1))}">上一页</a>']
    for n in range(max(0, page - 2), min(page_count, page + 3)):
        pager.append(f'<b>{n + 1}</b>' if n == page else f'<a href="{escape(page_href(n))}">{n + 1}</a>')
    if page >= page_count - 1:
        pager += ["<span>下一页</span>", "<span>尾页</span>"]
    else:
        pager += [
            f'<a href="{escape(page_href(page + 1))}">下一页</a>',
            f'<a href="{escape(page_href(page_count - 1))}">尾页</a>',
        ]
    html = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{_e(column)}-株洲市荷塘区人民政府</title>
<style>body{{margin:0;font:14px/1.8 "微软雅黑"}} .w1200{{width:1200px;margin:0 auto}}</style>
</head>
<body>
<div class="hd">
  <div class="w1200"><div class="logo">株洲市荷塘区人民政府</div>
  <div class="menu"><ul>
    <li><a href="/">网站首页</a></li><li><a href="/htq/c100500/">政务公开</a></li><li><a href="/htq/c100600/">政务服务</a></li>
    <li><a href="/htq/c100700/">互动交流</a></li></ul></div></div>
</div>
<div class="w1200">
  <div class="dw">您当前的位置：<a href="/">首页</a> &gt; <a href="/htq/c100500/">政务公开</a> &gt; {_e(column)}</div>
  <div class="lb-list"><ul>
{lis}
  </ul></div>
  <div class="fy">{" ".join(pager)}</div>
</div>
<div class="ft">
  <p>主办：中共株洲市荷塘区委员会办公室　承办：荷塘区融媒体中心</p>
  <p>网站标识码：4302020001　湘ICP备05001234号-1</p>
</div>
</body>
</html>
"""
    return html.encode("utf-8")
