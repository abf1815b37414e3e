"""One-off download of a notice URL: http(s) only, public addresses only, size- and time-capped.

Used by ``rectrack parse URL``; the crawler proper uses Scrapy.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import __version__
from .errors import UserError

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 30
USER_AGENT = f"rectrack/{__version__} (+{os.environ.get('RECTRACK_CONTACT', 'https://github.com/rectrack/rectrack')})"


@dataclass
class Download:
    url: str
    body: bytes
    content_type: str | None
    status: int
    etag: str | None = None
    last_modified: str | None = None


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse anything but http(s) to a public address (unless ``allow_private``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UserError(f"refusing {url!r}: only http:// and https:// URLs are accepted")
    if not parts.hostname:
        raise UserError(f"invalid URL {url!r}: it has no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise UserError(f"cannot resolve host {parts.hostname!r} ({exc.strerror}): check the URL") from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast:
            raise UserError(f"refusing {url!r}: {parts.hostname} is a private or local address "
                            "(pass --allow-private to fetch it anyway)")


def fetch(url: str, *, allow_private: bool = False, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S) -> Download:
    """GET ``url`` with a size cap; errors become one-line :class:`UserError`."""
    check_url(url, allow_private=allow_private)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            if response.url != url:
                check_url(response.url, allow_private=allow_private)
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise UserError(f"{url} is larger than {max_bytes // (1024 * 1024)} MB: refusing to download it")
            return Download(response.url, body, response.headers.get("Content-Type"), response.status,
                            response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url} answered HTTP {exc.code} {exc.reason}: check the address or try later") from None
    except urllib.error.URLError as exc:
        raise UserError(f"cannot fetch {url}: {exc.reason}") from None
    except TimeoutError:
        raise UserError(f"cannot fetch {url}: no answer within {timeout:.0f} s") from None
    except OSError as exc:
        raise UserError(f"cannot fetch {url}: {exc}") from None
