"""One-off download of a notice URL: http(s) only, public addresses only, size- and time-capped.

Used by ``rectrack parse URL`` and ``rectrack fetch``; the crawler proper uses Scrapy (and the same
address rule, :func:`is_public_address`, in ``crawler.privateguard``).

Unless ``allow_private`` is given, an address is checked three times: the URL's host name is resolved
and refused when any address is not public (:func:`check_url`, a clear message before anything is
sent), every redirect target is checked the same way before it is followed, and the address each
connection actually reaches is checked before a request goes out on it (so a host name that resolves
differently the second time cannot reach a private address). Only ``http``/``https`` handlers exist in
the opener: ``file:``, ``ftp:`` and ``data:`` URLs are refused even if something lets one through.
The whole download (connection, headers, body) must end within ``timeout`` seconds and the body may
not exceed ``max_bytes``.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .errors import UserError

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30
USER_AGENT = f"rectrack/{__version__} (+{os.environ.get('RECTRACK_CONTACT', 'https://github.com/rectrack/rectrack')})"
ALLOW_HINT = "pass --allow-private to fetch it anyway"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Decides whether an address may be reached without ``allow_private``.
AddressRule = Callable[[Address], bool]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Never public whatever this Python's ``is_global`` says (IANA special-purpose blocks; Python versions differ).
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4", "::/127", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8"))
_CHUNK = 1 << 16


@dataclass
class Download:
    url: str
    body: bytes
    content_type: str | None
    status: int
    etag: str | None = None
    last_modified: str | None = None


def is_public_address(addr: Address) -> bool:
    """Whether ``addr`` is a global unicast address: not loopback, private, link-local (cloud metadata
    169.254.169.254), shared (100.64.0.0/10, e.g. Alibaba Cloud's metadata 100.100.100.200), documentation,
    benchmarking, reserved, unspecified or multicast; IPv4 inside IPv6 (``::ffff:127.0.0.1``, 6to4, NAT64) is
    judged as IPv4."""
    if isinstance(addr, ipaddress.IPv6Address):
        embedded = addr.ipv4_mapped or addr.sixtofour
        if embedded is None and addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return addr.is_global and not any(addr in net for net in _NOT_PUBLIC if net.version == addr.version)


def parse_address(text: str) -> Address | None:
    """The IP address in ``text`` (a scope like ``%eth0`` dropped), or None when it is no address."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def check_url(url: str, *, allow_private: bool = False, is_public: AddressRule = is_public_address) -> None:
    """Refuse anything but http(s) to a public address (unless ``allow_private``): :class:`UserError`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UserError(f"invalid URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UserError(f"refusing {url!r}: only http:// and https:// URLs are accepted")
    if not parts.hostname:
        raise UserError(f"invalid URL {url!r}: it has no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise UserError(f"cannot resolve host {parts.hostname!r} ({reason}): check the URL") from None
    for info in infos:
        found = str(info[4][0])
        addr = parse_address(found)
        if addr is None or not is_public(addr):
            shown = parts.hostname if found == parts.hostname else f"{parts.hostname} ({found})"
            raise UserError(f"refusing {url!r}: {shown} is a private or local address ({ALLOW_HINT})")


def fetch(url: str, *, allow_private: bool = False, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S,
          is_public: AddressRule = is_public_address) -> Download:
    """GET ``url`` within ``timeout`` seconds in all and ``max_bytes``; errors become one-line :class:`UserError`."""
    check_url(url, allow_private=allow_private, is_public=is_public)
    guard = _Guard(allow_private, is_public)
    outcome: list[Download | BaseException] = []

    def attempt() -> None:
        try:
            outcome.append(_download(url, guard, max_bytes=max_bytes, timeout=timeout))
        except BaseException as exc:  # handed to the calling thread, which raises it
            outcome.append(exc)

    worker = threading.Thread(target=attempt, name="rectrack-fetch", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():  # a server that trickles: cut the connection, do not wait for it
        guard.abort()
        raise UserError(f"cannot fetch {url}: no complete answer within {timeout:g} s")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _download(url: str, guard: _Guard, *, max_bytes: int, timeout: float) -> Download:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
    too_large = f"{url} is larger than {_size(max_bytes)}: refusing to download it"
    try:
        with guard.opener().open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > max_bytes:
                raise UserError(f"{too_large} (it declares {int(declared):,} bytes)")
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UserError(too_large)
                chunks.append(chunk)
            if guard.aborted:
                raise TimeoutError
            if response.length:  # the connection closed before the declared length arrived
                raise UserError(f"cannot fetch {url}: the connection closed after {size:,} of "
                                f"{size + response.length:,} bytes")
            return Download(response.url, b"".join(chunks), response.headers.get("Content-Type"), response.status,
                            response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url} answered HTTP {exc.code} {exc.reason}: check the address or try later") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise UserError(f"cannot fetch {url}: no answer within {timeout:g} s") from None
        raise UserError(f"cannot fetch {url}: {exc.reason}") from None
    except TimeoutError:
        raise UserError(f"cannot fetch {url}: no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UserError(f"cannot fetch {url}: {exc or type(exc).__name__}") from None


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n:,} bytes"


class _Guard:
    """One download's connections: where they may go, and how to cut them when time is up."""

    def __init__(self, allow_private: bool, is_public: AddressRule) -> None:
        self.allow_private = allow_private
        self.is_public = is_public
        self.aborted = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._connections: list[http.client.HTTPConnection] = []

    def opener(self) -> urllib.request.OpenerDirector:
        """An opener with only the http(s) handlers (checked connections) and checked redirects."""
        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                        urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor(),
                        _HTTPHandler(self), _HTTPSHandler(self), _Redirects(self)):
            opener.add_handler(handler)
        return opener

    def connection(self, cls: type[http.client.HTTPConnection], *, proxied: bool) -> Callable[..., Any]:
        """A factory of ``cls`` connections whose socket is checked (unless going through a proxy) and watched."""
        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = cls(host, **kwargs)
            conn._create_connection = (  # type: ignore[attr-defined]
                lambda address, *a, **kw: self._connect(address, *a, check=not proxied, **kw))
            with self._lock:
                self._connections.append(conn)
            return conn
        return make

    def _connect(self, address: tuple[str, int], *args: Any, check: bool, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(address, *args, **kwargs)
        with self._lock:
            self._sockets.append(sock)
            aborted = self.aborted
        if aborted:
            sock.close()
            raise TimeoutError
        if check and not self.allow_private:
            peer = parse_address(str(sock.getpeername()[0]))
            if peer is None or not self.is_public(peer):
                sock.close()
                raise UserError(f"refusing to connect to {address[0]}: it is a private or local address "
                                f"({peer}; {ALLOW_HINT})")
        return sock

    def check_redirect(self, source: str, target: str) -> None:
        try:
            check_url(target, allow_private=self.allow_private, is_public=self.is_public)
        except UserError as exc:
            raise UserError(f"{source} redirects to {target}, refused: {exc}") from None

    def abort(self) -> None:
        """Shut every socket of this download down: a read blocked on one returns at once."""
        with self._lock:
            self.aborted = True
            socks = [*self._sockets, *(c.sock for c in self._connections if c.sock is not None)]
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _proxied(req: urllib.request.Request) -> bool:
    return req.has_proxy() or bool(getattr(req, "_tunnel_host", None))


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.guard.connection(http.client.HTTPConnection, proxied=_proxied(req)), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: _Guard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.guard.connection(http.client.HTTPSConnection, proxied=_proxied(req)), req,
                            context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an http(s) URL that :func:`check_url` accepts."""

    def __init__(self, guard: _Guard) -> None:
        self.guard = guard

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        try:
            self.guard.check_redirect(req.full_url, newurl)
        except UserError:
            fp.close()
            raise
        return super().redirect_request(req, fp, code, msg, headers, newurl)
