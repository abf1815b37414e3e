"""Article pages that imitate real government CMS templates (see CMS.md in the shared corpus).

:func:`render_article` wraps an :class:`Article` in the page layout of a CMS ``kind``:

* ``"trs"``: TRS WCM, UTF-8 with ``<meta charset="utf-8">``, government meta tags
  (``ArticleTitle``, ``PubDate``, ``ContentSource``, ``ColumnName``, ``SiteName``), breadcrumb,
  ``<h1>``, a ``发布时间：… 来源：… 【字体：大 中 小】`` line, the body in ``div.TRS_Editor``
  (inside ``#UCAP-CONTENT.pages_content``) starting with the inline ``<style>`` block,
  paragraphs ``<p>　　…</p>``, attachments, in-article page links, share widget, print/close
  links, previous/next links and a footer.
* ``"hanweb"``: Hanweb (大汉), bytes in GBK while the page declares ``charset=gb2312``;
  table layout, ``发布日期:… 信息来源:… 字号:[ 大 中 小 ]``, ``#zoom`` with the ``ZJEG_RSS``
  and ``ContentStart``/``ContentEnd`` markers, paragraphs partly as ``<p>`` and partly as
  bare text separated by ``<br>``, long paragraphs split over two ``<span>`` with a source
  line break, ``downfile.jsp`` attachments and an inline ``<datastore>`` of related links.
* ``"plain"``: a county portal, div layout with a nav menu, a sidebar of links, the body in
  ``div.zw-box`` (a class no selector knows) with a share widget and print links inside it,
  attachments as a pdf.js ``<iframe>`` or as plain links, and a footer. The charset is
  declared only if :attr:`Article.charset` is set; :func:`render_article` encodes with it
  (GBK when unset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

__all__ = ["KINDS", "Article", "Link", "cut", "paragraphs_of", "render_article"]

KINDS = ("trs", "hanweb", "plain")


@dataclass(frozen=True)
class Link:
    """A hyperlink: ``href`` as written in the page, and its text."""

    href: str
    text: str
    #: A date shown next to the link in lists and sidebars (``YYYY-MM-DD``), if any.
    date: str = ""


@dataclass(frozen=True)
class Article:
    """What an article page shows; the chrome around it comes from the CMS template."""

    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    source: str
    column: str
    #: Link to the column (Hanweb and plain breadcrumbs; TRS links ``./``).
    column_href: str = "./"
    #: Absolute URL of the page (Hanweb ``<meta name="Url">``).
    url: str = ""
    attachments: tuple[Link, ...] = ()
    #: ``"link"`` (``<a>`` elements) or ``"iframe"`` (plain: a pdf.js viewer frame).
    attachment_style: str = "link"
    prev: Link | None = None
    next: Link | None = None
    #: In-article page links of a notice split over several pages (``下一页`` …).
    page_links: tuple[Link, ...] = ()
    #: Hanweb: records of the inline related-links datastore; plain: the sidebar list.
    related: tuple[Link, ...] = ()
    #: Plain only: the declared charset (``None``: declared nowhere, encoded as GBK).
    charset: str | None = None
    hits: int = 1024


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Non-empty stripped lines of ``text``: one paragraph each."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def render_article(kind: str, article: Article) -> bytes:
    """The bytes of ``article`` as a page of CMS ``kind`` (``trs``, ``hanweb`` or ``plain``)."""
    if kind == "trs":
        return _trs(article).encode("utf-8")
    if kind == "hanweb":
        return _hanweb(article).encode("gbk", "xmlcharrefreplace")
    if kind == "plain":
        return _plain(article).encode(article.charset or "gbk", "xmlcharrefreplace")
    raise ValueError(f"unknown page kind {kind!r}; expected one of {KINDS}")


_TRS_STYLE = "".join(
    f".TRS_Editor {tag}{{margin-top:5px;margin-bottom:5px;line-height:2;font-family:宋体;font-size:12pt;}}"
    for tag in ("P", "DIV", "TD", "TH", "SPAN", "FONT", "UL", "LI", "A")
)


def _e(text: str) -> str:
    return escape(text, quote=False)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in "，。；：、“”（）《》"


def _split_spans(para: str) -> str:
    """A paragraph pasted from Word: two spans with a source line break between CJK."""
    if len(para) < 40:
        return f'<span style="font-family:仿宋_GB2312;font-size:16pt">{_e(para)}</span>'
    for cut in range(len(para) // 2, len(para) - 1):
        if _is_cjk(para[cut - 1]) and _is_cjk(para[cut]):
            return (
                f'<span style="font-family:仿宋_GB2312;font-size:16pt">{_e(para[:cut])}</span>\n'
                f'<span style="font-family:仿宋_GB2312;font-size:16pt">{_e(para[cut:])}</span>'
            )
    return f"<span>{_e(para)}</span>"


def _a(link: Link, **attrs: str) -> str:
    extra = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    return f'<a href="{escape(link.href)}"{extra}>{_e(link.text)}</a>'


def _page_links(article: Article, cls: str) -> str:
    if not article.page_links:
        return ""
    links = " ".join(_a(link) for link in article.page_links)
    return f'\n    <div class="{cls}">{links}</div>'


# --------------------------------------------------------------------------- TRS


def _trs(a: Article) -> str:
    body = "\n".join(f"<p>　　{_e(p)}</p>" for p in a.paragraphs)
    when = a.published.strftime("%Y-%m-%d %H:%M")
    attach = ""
    if a.attachments:
        links = " ".join(_a(link, title=link.text) for link in a.attachments)
        attach = f'\n    <div class="article-attach">附件：{links}</div>'
    nav = ""
    if a.prev or a.next:
        prev = _a(a.prev) if a.prev else "没有了"
        nxt = _a(a.next) if a.next else "没有了"
        nav = f"""
    <div class="article-page">
      <p>上一篇：{prev}</p>
      <p>下一篇：{nxt}</p>
    </div>"""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="三湘风纪网">
<meta name="SiteDomain" content="www.sxfj.gov.cn">
<meta name="SiteIDCode" content="4300000041">
<meta name="ColumnName" content="{escape(a.column)}">
<meta name="ColumnType" content="巡视巡察">
<meta name="ArticleTitle" content="{escape(a.title)}">
<meta name="PubDate" content="{when}">
<meta name="ContentSource" content="{escape(a.source)}">
<meta name="Keywords" content="巡视整改">
<title>{_e(a.title)}_三湘风纪网</title>
<link href="../../images/sxfj_style.css" rel="stylesheet" type="text/css">
<script type="text/javascript" src="../../images/jquery-1.12.4.min.js"></script>
<script type="text/javascript">
var _hmt = _hmt || [];
function doZoom(size){{ document.getElementById('zoom').style.fontSize = size + 'px'; }}
var pubTime = "发布时间：2025-01-01";
</script>
</head>
<body>
<div class="top-bar"><div class="w1200"><span>欢迎访问三湘风纪网！</span><a href="/">设为首页</a> | <a href="#">加入收藏</a></div></div>
<div class="header"><div class="w1200"><a class="logo" href="/"><img src="../../images/logo.png" alt="三湘风纪网"></a>
<form class="search" action="/search/"><input type="text" name="q" value="请输入关键字"><button>搜索</button></form></div></div>
<div class="nav"><ul class="w1200">
<li><a href="/">首页</a></li><li><a href="/yaowen/">要闻</a></li><li><a href="/shencha/">审查调查</a></li>
<li class="on"><a href="/xun_shi_xun_cha/">巡视巡察</a></li><li><a href="/jiandu/">监督曝光</a></li>
<li><a href="/lianzheng/">廉政文化</a></li><li><a href="/zhuanti/">专题专栏</a></li></ul></div>
<div class="w1200 main">
  <div class="crumb">当前位置：<a href="../../">首页</a> &gt; <a href="../">巡视巡察</a> &gt; <a href="./">{_e(a.column)}</a></div>
  <div class="article">
    <h1 class="article-title">{_e(a.title)}</h1>
    <div class="article-info">
      <span>发布时间：{when}</span>&nbsp;&nbsp;<span>来源：{_e(a.source)}</span>&nbsp;&nbsp;
      <span class="font-size">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>
    </div>
    <div class="pages_content" id="UCAP-CONTENT">
<div class="TRS_Editor"><style type="text/css">
{_TRS_STYLE}</style>
{body}
</div>
    </div>{_page_links(a, "article-pages")}{attach}
    <div class="article-share">
      <span>分享到：</span><a class="bds_weixin" href="javascript:;">微信</a><a class="bds_tsina" href="javascript:;">微博</a>
      <div class="share-tip"><img src="../../images/qrcode.png" alt="">打开微信，点击底部的“发现”，使用“扫一扫”即可将网页分享至朋友圈。</div>
    </div>
    <div class="article-tool"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>{nav}
  </div>
</div>
<div class="footer"><div class="w1200">
  <p><a href="/about/">关于我们</a> | <a href="/sitemap/">网站地图</a> | <a href="/contact/">联系我们</a></p>
  <p>主办单位：中共湖南省纪律检查委员会 湖南省监察委员会</p>
  <p>网站标识码：4300000041　湘ICP备12003456号-1　<img src="../../images/ga.png" alt="">湘公网安备 43010202000123号</p>
  <p>版权所有：三湘风纪网 未经授权禁止复制或建立镜像</p>
</div></div>
<script type="text/javascript">$(function(){{ $('.nav li').hover(function(){{}}); }});</script>
</body>
</html>
"""


# --------------------------------------------------------------------------- Hanweb


def _hanweb(a: Article) -> str:
    chunks = []
    for i, para in enumerate(a.paragraphs):
        if i % 4 in (2, 3):
            # bare text lines separated by <br>, as many Hanweb pages have
            chunks.append(f"　　{_split_spans(para) if i % 4 == 3 else _e(para)}<br/>")
        else:
            chunks.append(f'<p style="text-indent:2em;line-height:28pt">{_split_spans(para)}</p>')
    body = "\n".join(chunks)
    rows = "".join(
        f"      <tr><td>附件：{_a(link)}</td></tr>\n" for link in a.attachments
    )
    pages = f"      <tr><td align=\"center\">{' '.join(_a(x) for x in a.page_links)}</td></tr>\n" if a.page_links else ""
    records = "".join(
        f"<record><![CDATA[<li><a href='{escape(link.href)}'>{_e(link.text)}</a></li>]]></record>" for link in a.related
    )
    related = (
        f'<script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script>\n' if records else ""
    )
    col = escape(a.column_href)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{_e(a.title)} - 清风扬帆网</title>
<meta name="SiteName" content="清风扬帆网">
<meta name="SiteDomain" content="www.jssjw.gov.cn">
<meta name="SiteIDCode" content="3200000067">
<meta name="ColumnName" content="{escape(a.column)}">
<meta name="ContentSource" content="{escape(a.source)}">
<meta name="Url" content="{escape(a.url)}">
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<script language="javascript" src="/module/jslib/urite/urite.min.js"></script>
<link href="/images/3131/style.css" type="text/css" rel="stylesheet">
<style type="text/css">.title{{font-size:22px;font-weight:bold;color:#c00}} #zoom p{{text-indent:2em}}</style>
</head>
<body>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
  <tr><td><img src="/images/3131/logo.jpg" alt="清风扬帆网" width="1000" height="120" /></td></tr>
  <tr><td class="nav"><a href="/">首页</a>　<a href="/col/col5061/index.html">要闻</a>　<a href="/col/col5066/index.html">审查调查</a>　<a href="{col}">{_e(a.column)}</a>　<a href="/col/col5080/index.html">廉政教育</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
  <tr><td class="bt_link" height="36">您现在的位置：<a href="/">首页</a> &gt; <a href="{col}">{_e(a.column)}</a></td></tr>
  <tr><td>
    <table width="100%" border="0" cellspacing="0" cellpadding="0">
      <tr><td align="center" class="title">{_e(a.title)}</td></tr>
      <tr><td align="center" height="40" class="bt_content">发布日期:{a.published:%Y-%m-%d}&nbsp;&nbsp;&nbsp;&nbsp;信息来源:{_e(a.source)}&nbsp;&nbsp;&nbsp;&nbsp;浏览次数:<span id="hits">{a.hits}</span>&nbsp;&nbsp;&nbsp;&nbsp;字号:[ <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a> ]</td></tr>
      <tr><td class="bt_content"><div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></td></tr>
{pages}{rows}      <tr><td align="center"><a href="javascript:window.print()">[打印本页]</a>　<a href="javascript:window.close()">[关闭窗口]</a></td></tr>
    </table>
  </td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
  <tr><td align="center">主办：中共江苏省纪律检查委员会　江苏省监察委员会　承办：江苏省纪委监委宣传部</td></tr>
  <tr><td align="center">网站标识码：3200000067　苏ICP备05001234号　苏公网安备 32010202010123号</td></tr>
</table>
{related}</body>
</html>
"""


# --------------------------------------------------------------------------- plain portal


def _plain(a: Article) -> str:
    body_parts = []
    for i, para in enumerate(a.paragraphs):
        if i % 5 == 4:
            body_parts.append(f'<p style="text-indent:2em"><font face="仿宋">{_e(para)}</font></p>')
        else:
            body_parts.append(f"<p>　　{_e(para)}</p>")
    for link in a.attachments:
        if a.attachment_style == "iframe":
            attach = (
                f'<p style="text-align:center"><iframe src="/pdfjs/web/viewer.html?file={escape(link.href)}"'
                ' width="100%" height="600"></iframe></p>'
            )
        else:
            attach = f'<p>附件：{_a(link, target="_blank")}</p>'
        body_parts.append(attach)
    body = "\n".join(body_parts[: len(a.paragraphs)]) + "".join("\n" + x for x in body_parts[len(a.paragraphs):])
    hot = "\n".join(_hot(link) for link in a.related)
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={a.charset}">\n' if a.charset else ""
    prev = _a(a.prev) if a.prev else "没有了"
    nxt = _a(a.next) if a.next else "没有了"
    col = escape(a.column_href)
    return f"""<html>
<head>
{meta}<title>{_e(a.title)}-株洲市荷塘区人民政府</title>
<meta name="keywords" content="荷塘区,巡察,整改">
<meta name="description" content="株洲市荷塘区人民政府门户网站">
<style>body{{margin:0;font:14px/1.8 "微软雅黑"}} .w1200{{width:1200px;margin:0 auto}} .lf{{float:left}}</style>
</head>
<body>
<div class="hd">
  <div class="w1200"><div class="logo">株洲市荷塘区人民政府</div>
  <div class="menu"><ul>
    <li><a href="/">网站首页</a></li><li><a href="/htq/c100500/">政务公开</a></li><li><a href="/htq/c100600/">政务服务</a></li>
    <li><a href="/htq/c100700/">互动交流</a></li><li><a href="/htq/c100800/">走进荷塘</a></li></ul></div></div>
</div>
<div class="w1200 clearfix">
  <div class="lf">
    <div class="lmmc">政务公开</div>
    <ul class="sub"><li><a href="/htq/c100510/">工作动态</a></li><li><a href="/htq/c100511/">通知公告</a></li><li class="on"><a href="{col}">{_e(a.column)}</a></li><li><a href="/htq/c100513/">政策文件</a></li></ul>
    <div class="hot"><h3>热点新闻</h3><ul>
{hot}
    </ul></div>
  </div>
  <div class="rt">
    <div class="dw">您当前的位置：<a href="/">首页</a> &gt; <a href="/htq/c100500/">政务公开</a> &gt; <a href="{col}">{_e(a.column)}</a></div>
    <div class="title">{_e(a.title)}</div>
    <div class="xx">时间：{a.published.year}年{a.published.month}月{a.published.day}日　　来源：{_e(a.source)}　　浏览次数：<span id="hits">{a.hits}</span></div>
    <div class="zw-box">
{body}
<div class="bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a></div>
<p>【打印本页】【关闭窗口】</p>
    </div>{_page_links(a, "fy")}
    <div class="pn"><p>上一篇：{prev}</p><p>下一篇：{nxt}</p></div>
  </div>
</div>
<div class="ft">
  <p>主办：中共株洲市荷塘区委员会办公室　承办：荷塘区融媒体中心</p>
  <p>网站标识码：4302020001　湘ICP备05001234号-1　湘公网安备 43020202000123号</p>
  <p>扫一扫在手机打开当前页</p>
</div>
</body>
</html>
"""


def cut(text: str, width: int = 21) -> str:
    """A list title cut to ``width - 1`` characters plus an ellipsis, as CMS list templates do."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _hot(link: Link) -> str:
    """A sidebar item: the full title in ``title=""``, the text cut, the date in a ``<span>``."""
    when = f"<span>{_e(link.date)}</span>" if link.date else ""
    return f'<li><a href="{escape(link.href)}" title="{escape(link.text)}">{_e(cut(link.text))}</a>{when}</li>'
