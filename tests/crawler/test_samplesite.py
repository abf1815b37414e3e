"""The bundled sample site, over real HTTP (urllib): list shapes, encodings, validators, faults, updates."""

from __future__ import annotations

import html
import http.client
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.robotparser
import zipfile
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest

from crawler.samplesite import SampleSite
from crawler.samplesite.content import COLUMNS, sample_text

SAMPLES = Path(__file__).resolve().parents[2] / "crawler" / "samples"
SAMPLE_STEMS = ("hecheng_2026", "hetang_2025", "hetang_2026", "yicheng_2024", "zhengxiang_2024")
PROXY = "/module/web/jpage/dataproxy.jsp"
FORM = {"col": "1", "appid": "1", "webid": "60", "path": "/", "columnid": "30067", "unitid": "49468",
        "webname": "清风扬帆网", "permissiontype": "0"}


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None,
          timeout: float = 10) -> Reply:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


def text(url: str) -> str:
    reply = fetch(url)
    assert reply.status == 200, url
    return reply.body.decode("gbk" if "/col/" in url or "/art/" in url else "utf-8")


_ITEM = re.compile(r"""<li><a href=(["'])(?P<href>[^"']+)\1[^>]*?title=(["'])(?P<title>[^"']*)\3""")


def items(page_url: str, body: str) -> dict[str, str]:
    """List items of a page: absolute URL → full title."""
    return {urljoin(page_url, m["href"]): html.unescape(m["title"]) for m in _ITEM.finditer(body)}


def proxy(site: SampleSite, start: int, end: int, form: dict[str, str] | None = FORM) -> str:
    query = f"?startrecord={start}&endrecord={end}&perpage=15"
    data = urlencode(form).encode() if form is not None else b""
    reply = fetch(site.base_url + PROXY + query, method="POST", data=data,
                  headers={"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200
    return reply.body.decode("utf-8")


def walk_lists(site: SampleSite) -> dict[str, str]:
    """Everything a list-following crawler finds, each column read the way its CMS requires."""
    found: dict[str, str] = {}
    # TRS: the page count exists only in the createPageHTML call
    first = site.list_urls["trs"]
    count = int(re.search(r"createPageHTML\((\d+), 0,", text(first))[1])
    for n in range(count):
        url = urljoin(first, "index.html" if n == 0 else f"index_{n}.html")
        found |= items(url, text(url))
    # Hanweb: the inline group, then dataproxy groups until totalrecord
    column = site.list_urls["hanweb"]
    found |= items(column, text(column))
    total = int(re.search(r"totalRecord:(\d+)", text(column))[1])
    for start in range(46, total + 1, 45):
        found |= items(column, proxy(site, start, start + 44))
    # plain and ?page=N: follow 下一页
    for key in ("plain", "plain_jsp"):
        url: str | None = site.list_urls[key]
        while url:
            body = text(url)
            found |= items(url, body)
            nxt = re.search(r'<a href="([^"]+)">下一页</a>', body)
            url = urljoin(url, html.unescape(nxt[1])) if nxt else None
    return found


@pytest.fixture(scope="module")
def site():
    with SampleSite(scale=0, seed=0) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_faults(request):
    yield
    if "site" in request.fixturenames:
        request.getfixturevalue("site").clear_faults()


# =========================================================================== content


def test_lists_reach_every_notice_and_news_item(site: SampleSite) -> None:
    found = walk_lists(site)
    assert set(found) == site.notice_urls | site.news_urls
    assert not site.notice_urls & site.news_urls
    assert len(site.notice_urls) == 7 and len(site.news_urls) >= 30
    for url, notice in site.notices.items():
        assert found[url] == notice.title


def test_samples_are_distributed_over_the_columns(site: SampleSite) -> None:
    by_sample: dict[str, list[str]] = {}
    for notice in site.notices.values():
        by_sample.setdefault(notice.sample, []).append(notice.column)
    assert set(by_sample) == set(SAMPLE_STEMS)
    assert {n.column for n in site.notices.values()} == set(COLUMNS)
    titles = {n.title for n in site.notices.values()}
    assert "中共株洲市荷塘区委关于巡视整改进展情况的通报" in titles  # hetang_2025
    assert "中共荷塘区委关于巡视整改情况的通报" in titles  # hetang_2026, the same unit later
    assert "中共衡阳市蒸湘区委关于巡视整改进展情况的通报" in titles


def test_decoys_are_news(site: SampleSite) -> None:
    found = walk_lists(site)
    news_titles = {found[url] for url in site.news_urls}
    assert {"区委召开巡察整改工作推进会", "关于开展整改工作的通知"} <= news_titles
    assert not any(t.endswith("进展情况的通报") for t in news_titles)


def test_robots_allow_everything(site: SampleSite) -> None:
    robots = urllib.robotparser.RobotFileParser(site.base_url + "/robots.txt")
    robots.read()
    assert all(robots.can_fetch("rectrack", url) for url in site.notice_urls | set(site.list_urls.values()))


# =========================================================================== list shapes


def test_trs_pager_is_only_a_script(site: SampleSite) -> None:
    per_page = COLUMNS["trs"].per_page
    entries = site.content.columns["trs"]
    count = -(-len(entries) // per_page)
    assert count >= 2
    first = site.list_urls["trs"]
    for n in range(count):
        url = urljoin(first, "index.html" if n == 0 else f"index_{n}.html")
        body = text(url)
        assert f'createPageHTML({count}, {n}, "index", "html")' in body
        assert not re.search(r"href=\"[^\"]*index_\d+\.html", body)
        hrefs = re.findall(r'<li><a href="(\./\d{6}/t\d{8}_\d+\.html)"', body)
        assert len(hrefs) == len(entries[n * per_page:(n + 1) * per_page])
    assert fetch(urljoin(first, f"index_{count}.html")).status == 404
    long_title = next(e.title for e in entries if len(e.title) > 21)
    assert f'title="{long_title}">{long_title[:20]}…</a>' in text(first)
    # a notice sits past the first page: a crawler must read the script
    assert not site.notice_urls.isdisjoint(items(first, text(urljoin(first, "index_1.html"))))


def test_hanweb_column_and_dataproxy(site: SampleSite) -> None:
    column = site.list_urls["hanweb"]
    reply = fetch(column)
    assert reply.headers["Content-Type"] == "text/html"
    body = reply.body.decode("gbk")
    assert 'charset=gb2312' in body
    total = len(site.content.columns["hanweb"])
    assert total > 45
    assert (f"$('#49468').jpage({{totalRecord:{total}, groupSize:3, perPage:15, "
            "proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{col:1,appid:'1',webid:60,path:'/',"
            "columnid:30067,unitid:'49468',webname:'清风扬帆网',permissiontype:0}})") in body
    inline = re.search(r'<script type="text/xml">(.*?)</script>', body, re.DOTALL)[1]
    assert inline.count("<record>") == 45
    assert fetch(column + "?uid=49468&pageNum=2").body == reply.body

    xml = proxy(site, 46, 90)
    records = re.findall(r"<record><!\[CDATA\[<li><a href='(/art/\d{4}/\d{1,2}/\d{1,2}/art_30067_\d+\.html)' "
                         r"title='", xml)
    assert len(records) == total - 45
    assert f"<totalrecord>{total}</totalrecord>" in xml
    assert f"<totalpage>{-(-total // 15)}</totalpage>" in xml
    assert "<nextgroup><![CDATA[]]></nextgroup>" in xml  # the last group
    first_group = proxy(site, 1, 45)
    assert first_group.count("<record>") == 45 and "startrecord=46&amp;endrecord=90" in first_group
    # a notice is only in the second group: a crawler must call the proxy
    assert not site.notice_urls.isdisjoint(items(column, xml))
    assert set(items(column, xml)).isdisjoint(items(column, inline))


def test_hanweb_dataproxy_needs_column_and_unit(site: SampleSite) -> None:
    empty = proxy(site, 1, 45, form=None)
    assert "<record>" not in empty and "<totalrecord>0</totalrecord>" in empty
    wrong = proxy(site, 1, 45, form={**FORM, "unitid": "1"})
    assert "<record>" not in wrong


def test_hanweb_dataproxy_get_page(site: SampleSite) -> None:
    query = urlencode({"page": 4, **FORM})
    xml = fetch(f"{site.base_url}{PROXY}?{query}").body.decode()
    total = len(site.content.columns["hanweb"])
    assert xml.count("<record>") == total - 45
    assert items(site.base_url, xml) == items(site.base_url, proxy(site, 46, 60))
    page_one = fetch(f"{site.base_url}{PROXY}?{urlencode({'page': 1, **FORM})}").body.decode()
    assert page_one.count("<record>") == 15


@pytest.mark.parametrize("key", ["plain", "plain_jsp"])
def test_plain_next_links_end(site: SampleSite, key: str) -> None:
    url: str | None = site.list_urls[key]
    pages: list[str] = []
    while url:
        body = text(url)
        pages.append(url)
        nxt = re.search(r'<a href="([^"]+)">下一页</a>', body)
        url = urljoin(url, html.unescape(nxt[1])) if nxt else None
    expected = -(-len(site.content.columns[key]) // COLUMNS[key].per_page)
    assert len(pages) == expected >= 2
    assert "<span>下一页</span>" in text(pages[-1])
    assert '">尾页</a>' in text(pages[0])
    if key == "plain":
        assert pages[1].endswith("/plain/list_1.html")
        assert fetch(urljoin(pages[0], f"list_{expected}.html")).status == 404
    else:
        assert pages[1].endswith("/plain/notices.jsp?page=2")
        assert fetch(f"{site.base_url}/plain/notices.jsp?page={expected + 1}").status == 404


# =========================================================================== articles


def test_gbk_notice_needs_gbk(site: SampleSite) -> None:
    reply = fetch(site.gbk_notice_url)
    assert reply.headers["Content-Type"] == "text/html"
    assert "二〇二五年八月二十五日".encode("gbk") in reply.body
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("gb2312")
    page = reply.body.decode("gbk")
    assert 'charset=gb2312' in page and '<div id="zoom">' in page and '<meta name="ContentStart">' in page


def test_trs_article_shape(site: SampleSite) -> None:
    page = text(site.multipage_notice_url)
    for name in ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "SiteName"):
        assert f'<meta name="{name}"' in page
    assert '<div class="TRS_Editor"><style type="text/css">' in page
    assert "当前位置" in page and "打印本页" in page and "上一篇" in page


def test_multipage_notice(site: SampleSite) -> None:
    first_url = site.multipage_notice_url
    second_url = first_url.removesuffix(".html") + "_1.html"
    first, second = text(first_url), text(second_url)
    assert re.search(r'<a href="\./t\d{8}_\d+_1\.html">下一页</a>', first)
    assert "上一页" in second and "下一页" not in second
    notice = site.notices[first_url]
    assert notice.part_urls == (first_url, second_url)
    last_line = sample_text(notice.sample).strip().splitlines()[-1]
    assert last_line in second and last_line not in first
    assert second_url not in site.notice_urls


def test_attachment_pages(site: SampleSite) -> None:
    notices = [n for n in site.notices.values() if n.attachment_url]
    assert {n.attachment_url for n in notices} == site.attachment_urls and len(notices) == 2
    kinds = {}
    for notice in notices:
        page = text(notice.url)
        assert "详见附件" in page
        assert f'href="{notice.attachment_url.removeprefix(site.base_url)}"' in page
        reply = fetch(notice.attachment_url)
        ext = notice.attachment_url.rsplit(".", 1)[1]
        kinds[ext] = reply.headers["Content-Type"]
        assert reply.headers["Content-Disposition"].startswith("attachment; filename=")
        assert reply.body == (SAMPLES / f"{notice.sample}.{ext}").read_bytes()
    assert kinds == {"pdf": "application/pdf",
                     "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


# =========================================================================== HTTP


def test_validators_and_304(site: SampleSite) -> None:
    notice = next(n for n in site.notices.values() if n.attachment_url)
    urls = [*site.list_urls.values(), *sorted(site.notice_urls), *sorted(site.attachment_urls),
            site.base_url + "/robots.txt"]
    for url in urls:
        reply = fetch(url)
        etag, modified = reply.headers["ETag"], reply.headers["Last-Modified"]
        assert etag and modified and reply.headers["Date"], url
        assert fetch(url, headers={"If-None-Match": etag}).status == 304, url
        assert fetch(url, headers={"If-Modified-Since": modified}).status == 304, url
        assert fetch(url, headers={"If-None-Match": '"other"'}).status == 200, url
    older = formatdate(parsedate_to_datetime(fetch(notice.url).headers["Last-Modified"]).timestamp() - 60,
                       usegmt=True)
    assert fetch(notice.url, headers={"If-Modified-Since": older}).status == 200


def test_head(site: SampleSite) -> None:
    url = next(iter(sorted(site.notice_urls)))
    get, head = fetch(url), fetch(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body))
    assert head.headers["ETag"] == get.headers["ETag"]


def test_requests_log(site: SampleSite) -> None:
    site.clear_requests()
    fetch(site.list_urls["trs"])
    fetch(site.list_urls["trs"], method="HEAD")
    proxy(site, 46, 90)
    fetch(site.base_url + "/nothing.html")
    assert site.requests == [
        ("GET", "/trs/xszg/index.html", 200),
        ("HEAD", "/trs/xszg/index.html", 200),
        ("POST", PROXY + "?startrecord=46&endrecord=90&perpage=15", 200),
        ("GET", "/nothing.html", 404),
    ]
    site.clear_requests()
    assert site.requests == []


# =========================================================================== faults


@pytest.mark.parametrize("kind", ["500", "502", "503", "404"])
def test_status_faults_with_times(site: SampleSite, kind: str) -> None:
    url = site.list_urls["plain"]
    site.set_fault("/plain/list.html", kind, times=2)
    assert [fetch(url).status for _ in range(3)] == [int(kind), int(kind), 200]
    site.set_fault(url, kind)  # a full URL works too; without times every request fails
    assert [fetch(url).status for _ in range(3)] == [int(kind)] * 3
    site.clear_faults()
    assert fetch(url).status == 200


def test_fault_on_path_with_query(site: SampleSite) -> None:
    site.set_fault("/plain/notices.jsp?page=2", "503")
    assert fetch(site.base_url + "/plain/notices.jsp?page=2").status == 503
    assert fetch(site.base_url + "/plain/notices.jsp").status == 200


def test_reset_fault(site: SampleSite) -> None:
    url = site.list_urls["trs"]
    site.set_fault(url, "reset", times=1)
    site.clear_requests()
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        fetch(url)
    assert fetch(url).status == 200
    assert [status for _, _, status in site.requests] == [0, 200]


def test_timeout_and_slow_faults(site: SampleSite) -> None:
    url = min(site.notice_urls)
    site.set_fault(url, "timeout", delay=3.0, times=1)
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(url, timeout=0.3)
    site.set_fault(url, "slow", delay=0.2, times=1)
    assert fetch(url).status == 200


def test_stall_fault(site: SampleSite) -> None:
    url = min(site.notice_urls)
    whole = fetch(url).body
    site.set_fault(url, "stall", delay=3.0, times=1)
    host, port = site.host, site.port
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"GET {site.local_path(url)} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sock.settimeout(1.0)
        received = b""
        with pytest.raises(TimeoutError):  # headers and half the body come, then nothing
            while True:
                chunk = sock.recv(65536)
                assert chunk, "the connection closed before the stall"
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and f"Content-Length: {len(whole)}".encode() in head
    assert body == whole[: len(whole) // 2]
    assert fetch(url).body == whole  # times=1: the next request is served


@pytest.mark.parametrize(("kind", "status", "marker", "cookie"), [
    ("challenge", 521, b"document.cookie", "__jsluid_h"),
    ("challenge_521", 521, b"document.cookie", "__jsluid_h"),
    ("challenge_412", 412, b"$_ts", "FSSBBIl1UgzbN7N80S"),
])
def test_challenge_faults(site: SampleSite, kind: str, status: int, marker: bytes, cookie: str) -> None:
    url = site.list_urls["hanweb"]
    site.set_fault(url, kind, times=1)
    reply = fetch(url)
    assert reply.status == status
    assert marker in reply.body and b"<script" in reply.body and cookie in reply.headers["Set-Cookie"]
    assert fetch(url).status == 200


def test_truncate_fault(site: SampleSite) -> None:
    url = min(site.notice_urls)
    site.set_fault(url, "truncate", times=1)
    with pytest.raises(http.client.IncompleteRead):
        fetch(url)
    assert fetch(url).status == 200


def test_short_length_fault(site: SampleSite) -> None:
    url = min(site.attachment_urls)
    whole = fetch(url).body
    site.set_fault(url, "short_length", times=1)
    reply = fetch(url)  # a client trusts Content-Length: it gets half the file and no error
    assert reply.status == 200 and reply.headers["Content-Length"] == str(len(whole) // 2)
    assert reply.body == whole[: len(whole) // 2]
    assert fetch(url).body == whole


def test_redirect_loop_fault(site: SampleSite) -> None:
    url = min(site.notice_urls)
    path = site.local_path(url)
    site.set_fault(url, "redirect_loop")
    site.clear_requests()
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(url, timeout=10)
    hops = site.requests
    assert len(hops) > 3 and {status for _, _, status in hops} == {302}
    assert [p for _, p, _ in hops[:3]] == [path, path + "?loop=1", path + "?loop=2"]
    site.clear_faults()
    assert fetch(url).status == 200


def test_redirect_loop_keeps_the_query(site: SampleSite) -> None:
    url = f"{site.base_url}/plain/notices.jsp?page=2"
    site.set_fault(url, "redirect_loop")
    site.clear_requests()
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(url, timeout=10)
    paths = [p for _, p, _ in site.requests]
    assert paths[:3] == ["/plain/notices.jsp?page=2", "/plain/notices.jsp?page=2&loop=1",
                         "/plain/notices.jsp?page=2&loop=2"]
    assert fetch(site.base_url + "/plain/notices.jsp?page=1").status == 200  # another query: no fault


def test_dns_fault_moves_links_to_an_unresolvable_host(site: SampleSite) -> None:
    dead = f"http://{site.unresolvable_host}"
    assert site.unresolvable_host.endswith(".invalid")
    notice = next(n for n in site.notices.values() if n.column == "hanweb")
    attached = next(n for n in site.notices.values() if n.attachment_url)
    site.set_fault(notice.url, "dns")
    site.set_fault(attached.attachment_url, "dns")
    site.set_fault("/plain/list_1.html", "dns")
    hanweb = fetch(site.list_urls["hanweb"]).body.decode("gbk")
    assert f"href='{dead}{site.local_path(notice.url)}'" in hanweb
    assert f'href="{dead}{site.local_path(attached.attachment_url)}"' in text(attached.url)
    assert f'href="{dead}/plain/list_1.html">下一页</a>' in text(site.list_urls["plain"])
    assert fetch(notice.url).status == 200  # the page itself is still served on the site's own host
    with pytest.raises(OSError):
        socket.getaddrinfo(site.unresolvable_host, 80)
    site.clear_faults()
    assert dead not in fetch(site.list_urls["hanweb"]).body.decode("gbk")
    assert dead not in text(attached.url) and dead not in text(site.list_urls["plain"])


def test_dns_fault_needs_a_linked_path(site: SampleSite) -> None:
    with pytest.raises(ValueError, match="no page links it"):
        site.set_fault("/trs/xszg/index_1.html", "dns")  # linked only by the createPageHTML script
    with pytest.raises(ValueError, match="times does not apply"):
        site.set_fault(min(site.notice_urls), "dns", times=1)


def test_unknown_fault_kind(site: SampleSite) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        site.set_fault("/", "explode")


# =========================================================================== updates


def test_update_notice_changes_validators() -> None:
    with SampleSite() as site:
        url = site.multipage_notice_url
        second = site.notices[url].part_urls[1]
        before, before_second = fetch(url), fetch(second)
        site.update_notice(url)
        after, after_second = fetch(url), fetch(second)
        assert after_second.headers["ETag"] != before_second.headers["ETag"]
        assert after.headers["ETag"] != before.headers["ETag"]
        assert (parsedate_to_datetime(after.headers["Last-Modified"])
                > parsedate_to_datetime(before.headers["Last-Modified"]))
        assert fetch(url, headers={"If-None-Match": before.headers["ETag"]}).status == 200
        assert "完成整改并销号" in site.text_of(url) and "完成整改并销号" in after_second.body.decode()

        other = next(u for u, n in site.notices.items() if n.column == "hanweb")
        site.update_notice(other, text="关于巡视整改进展情况的通报\n新的全文。\n")
        assert site.text_of(other) == "关于巡视整改进展情况的通报\n新的全文。\n"
        assert "新的全文".encode("gbk") in fetch(other).body


def test_update_docx_notice() -> None:
    with SampleSite() as site:
        notice = next(n for n in site.notices.values() if n.attachment_url and n.attachment_url.endswith(".docx"))
        before = fetch(notice.attachment_url)
        site.update_notice(notice.url)
        after = fetch(notice.attachment_url)
        assert after.headers["ETag"] != before.headers["ETag"]
        with zipfile.ZipFile(BytesIO(after.body)) as docx:
            assert "完成整改并销号" in docx.read("word/document.xml").decode()
        assert fetch(notice.url, headers={"If-None-Match": fetch(notice.url).headers["ETag"]}).status == 304
        pdf = next(n for n in site.notices.values() if n.attachment_url and n.attachment_url.endswith(".pdf"))
        with pytest.raises(ValueError):
            site.update_notice(pdf.url)
        with pytest.raises(KeyError):
            site.update_notice(next(iter(site.news_urls)))


# =========================================================================== scale, lifecycle, CLI


def test_scale_adds_reachable_distinct_notices() -> None:
    with SampleSite(scale=200, seed=0) as site:
        assert len(site.notice_urls) == 207
        found = walk_lists(site)
        assert site.notice_urls <= set(found)
        extras = [n for n in site.notices.values() if n.unit not in {"鹤城区", "荷塘区", "宜城市", "蒸湘区"}]
        assert len(extras) == 200
        titles = {n.title for n in site.notices.values()}
        assert len({n.title for n in extras}) == 200 and len(titles) == 205  # two samples also as attachments
        assert len({site.text_of(n.url) for n in extras}) == 200
        assert {n.column for n in extras} == set(COLUMNS)
        assert len(site.content.columns["hanweb"]) > 90  # several dataproxy groups
        # the hetang pair is re-issued by the same unit
        pairs = ({n.unit for n in extras if n.sample == "hetang_2025"}
                 & {n.unit for n in extras if n.sample == "hetang_2026"})
        assert len(pairs) >= 30


def test_same_seed_same_site() -> None:
    def paths(s: int, n: int) -> list[tuple[str, str]]:
        return sorted((e.path, e.title) for e in SampleSite(scale=n, seed=s).content.entries())

    assert paths(3, 20) == paths(3, 20)
    assert paths(3, 20) != paths(4, 20)


def test_stop_releases_the_port() -> None:
    site = SampleSite().start()
    port = site.port
    assert fetch(site.list_urls["trs"]).status == 200
    site.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(RuntimeError):
        _ = site.base_url


def test_module_cli_prints_list_urls() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "crawler.samplesite", "--port", "0"], stdout=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        lines = [proc.stdout.readline() for _ in range(6)]
        urls = [line.split()[1] for line in lines[1:5]]
        assert lines[0].startswith("sample site at http://127.0.0.1:")
        assert fetch(urls[0]).status == 200 and urls[0].endswith("/trs/xszg/index.html")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
