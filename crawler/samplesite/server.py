"""The HTTP side: a quiet ThreadingHTTPServer with ETags, 304s, HEAD, faults and a request log."""

from __future__ import annotations

import hashlib
import logging
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FAULT_KINDS", "Fault", "Handler", "Resource", "Server"]

log = logging.getLogger(__name__)

FAULT_KINDS = ("500", "502", "503", "404", "timeout", "slow", "stall", "reset", "challenge", "challenge_412",
               "challenge_521", "truncate", "short_length", "redirect_loop", "dns")
#: Status faults: an error page with that status.
STATUS_FAULTS = ("500", "502", "503", "404")

#: Seconds a ``timeout`` fault waits when no delay is given (longer than any crawler timeout in tests).
DEFAULT_TIMEOUT_DELAY = 30.0

#: Knownsec 加速乐 (HTTP 521): a script sets the ``__jsl_clearance_s`` cookie and reloads the page.
CHALLENGE_PAGE = (
    b"<html><head><meta charset=\"utf-8\"></head><body><script>"
    b"document.cookie=('_')+('_')+('jsl_clearance_s')+('=')+(+new Date()/1000|0)+('.')+(-~0+[]+[[]][0])"
    b"+('|0|')+('AbCdEfGh')+'%3D'+';max-age=3600;path=/';"
    b"location.href=location.pathname+location.search</script></body></html>"
)
#: Ruishu 瑞数 (HTTP 412): an obfuscated ``$_ts`` bootstrap script computes a cookie and reloads the page.
CHALLENGE_PAGE_412 = (
    b"<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    b"<meta id=\"9DhefwqGPrzGxEp9hPaoag\" content=\"Zk3Rb0sVqOnS1a2T.l9yEuWcXpJ4mIhGfDdCcBbAa\" r=\"m\">"
    b"<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=48317;"
    b"$_ts.cd=\"qxrqqqAlEbGqr1AkqAqaDqqqqqqqqq\";$_ts.lcd=$_ts.cd</script>"
    b"<script type=\"text/javascript\" charset=\"utf-8\" src=\"/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js\" r=\"m\">"
    b"</script></head><body></body></html>"
)
_JSL_COOKIE = "__jsluid_h=6b1c0f0e3d1a2b4c5d6e7f8091a2b3c4; max-age=31536000; path=/; HttpOnly"
_RUISHU_COOKIE = "FSSBBIl1UgzbN7N80S=Lx3H1dZc0qkVbNRoGTcuTFW2mQu8J; Path=/; max-age=31536000; HttpOnly"
#: Challenge faults: (status, page, cookie the page's script would complete).
CHALLENGES = {
    "challenge": (521, CHALLENGE_PAGE, _JSL_COOKIE),
    "challenge_521": (521, CHALLENGE_PAGE, _JSL_COOKIE),
    "challenge_412": (412, CHALLENGE_PAGE_412, _RUISHU_COOKIE),
}


@dataclass
class Resource:
    """A response body with its validators."""

    body: bytes
    content_type: str
    last_modified: float
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""

    def __post_init__(self) -> None:
        if not self.etag:
            self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass
class Fault:
    kind: str
    remaining: int | None
    delay: float


class Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers open connections so :meth:`close_all` can end them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: object) -> None:
        self.site = site
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (timeouts, resets) are normal here; anything else is logged."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            log.exception("sample site: error while serving %s", client_address)


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


class Handler(BaseHTTPRequestHandler):
    """Routes every request to the site's ``respond``, applying faults and conditional GETs."""

    protocol_version = "HTTP/1.1"
    timeout = 15  # idle keep-alive connections are closed after this many seconds
    server: Server

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the site keeps its own request log."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    # ------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        site = self.server.site
        parts = urlsplit(self.path)
        body = b""
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        # a redirect loop's hop (``loop=N``) is not part of the URL the fault was set for
        fields = parts.query.split("&") if parts.query else []
        hop = next((int(f[5:]) for f in fields if f.startswith("loop=") and f[5:].isdigit()), 0)
        asked = "&".join(f for f in fields if not f.startswith("loop="))
        site_path = parts.path + ("?" + asked if asked else "")
        fault = site._take_fault(parts.path, site_path)  # type: ignore[attr-defined]
        if fault is not None and fault.kind in ("timeout", "slow"):
            delay = fault.delay or (DEFAULT_TIMEOUT_DELAY if fault.kind == "timeout" else 1.0)
            site._stopping.wait(delay)  # type: ignore[attr-defined]
            fault = None
        if fault is not None and fault.kind == "reset":
            site._log(method, self.path, 0)  # type: ignore[attr-defined]
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if fault is not None and fault.kind in STATUS_FAULTS:
            status = int(fault.kind)
            page = f"<html><body><h1>{status}</h1></body></html>".encode()
            extra = {"Retry-After": "1"} if status == 503 else {}
            self._send(method, status, Resource(page, "text/html", time.time(), extra))
            return
        if fault is not None and fault.kind in CHALLENGES:
            status, page, cookie = CHALLENGES[fault.kind]
            self._send(method, status, Resource(page, "text/html", time.time(), {"Set-Cookie": cookie}))
            return
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if fault is not None and fault.kind == "redirect_loop":
            # an endless chain through the same URL: ?loop=1, ?loop=2 … (no URL repeats, so no dupe filter ends it)
            page = b"<html><body>302 Found</body></html>"
            target = f"{site_path}{'&' if asked else '?'}loop={hop + 1}"
            self._send(method, 302, Resource(page, "text/html", time.time(), {"Location": target}))
            return
        if method == "POST":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        status, resource = site._respond(method, parts.path, params)  # type: ignore[attr-defined]
        if status == 200 and method in ("GET", "HEAD") and self._not_modified(resource):
            status = 304
        if fault is not None and fault.kind == "stall" and method != "HEAD" and status == 200:
            self._stall(resource, fault.delay or DEFAULT_TIMEOUT_DELAY)
            return
        length = fault.kind if fault is not None and fault.kind in ("truncate", "short_length") else None
        self._send(method, status, resource, length=length)

    def _stall(self, res: Resource, delay: float) -> None:
        """Headers and the first half of the body, then silence for ``delay`` seconds, then a closed connection."""
        self.server.site._log(self.command, self.path, 200)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(res.body)))
        self.end_headers()
        self.wfile.write(res.body[: len(res.body) // 2])
        self.wfile.flush()
        self.server.site._stopping.wait(delay)  # type: ignore[attr-defined]
        self.close_connection = True

    def _not_modified(self, res: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = _etags(inm)
            return "*" in tags or res.etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(res.last_modified) <= since
        return False

    def _send(self, method: str, status: int, res: Resource, *, length: str | None = None) -> None:
        """Answer with ``res``; ``length`` = ``truncate``: Content-Length declares more bytes than the body,
        ``short_length``: fewer (half); either way the whole body is sent and the connection closed."""
        self.server.site._log(method, self.path, status)  # type: ignore[attr-defined]
        self.send_response(status)
        if status in (200, 304):
            self.send_header("ETag", res.etag)
            self.send_header("Last-Modified", formatdate(res.last_modified, usegmt=True))
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Type", res.content_type)
        for name, value in res.headers.items():
            self.send_header(name, value)
        declared = len(res.body)
        if length == "truncate":
            declared += max(1024, len(res.body))
        elif length == "short_length":
            declared //= 2
        self.send_header("Content-Length", str(declared))
        if length is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(res.body)
