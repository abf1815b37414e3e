"""Send new alerts as one digest per run and channel, through Apprise.

Apprise (BSD, maintained, one URL scheme for e-mail, webhooks, DingTalk ``dingtalk://``, WeCom
``wecombot://``, Feishu ``feishu://``, Slack, Telegram …) keeps rectrack free of per-service code.
A channel is one Apprise URL; it is known in the database only by the sha256 of its URL, and
shown only masked (Apprise's own privacy rendering: passwords and tokens replaced by ``****`` or
``a...z``). The digest lists at most ``notify.max_items`` alerts and ``notify.max_chars``
characters (whole entries only), then says how many more there are, by kind; every alert it covers
counts as sent.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from .config import AlertsConfig
from .deliveries import Deliveries
from .model import KINDS, Alert

#: Query parameters that carry credentials in generic webhook URLs; ``+Header=…`` sets an HTTP header.
_SECRET_PARAMS = re.compile(r"^\+|token|key|secret|pass|auth|sig|cred|session", re.I)
#: Shortest path segment taken for a token (with a digit in it): webhook keys are 20–64 characters.
_TOKEN_LEN = 16
#: Room kept at the end of a digest for the "… and N more" line.
_FOOTER_ROOM = 200


@dataclass(frozen=True)
class ChannelOutcome:
    """What happened on one channel: ``sent`` alerts delivered, ``failed`` kept for the next run."""

    channel: str
    sent: int = 0
    failed: int = 0
    error: str | None = None


def _plugin(url: str):  # noqa: ANN202 - an Apprise plugin instance or None
    import apprise

    with apprise.LogCapture(level=logging.CRITICAL + 1):
        try:
            return apprise.Apprise.instantiate(url)
        except Exception:  # noqa: BLE001 - any unparsable URL is just "not valid"
            return None


def mask(url: str) -> str:
    """The URL as it may be shown: credentials and token-like path segments masked, query dropped."""
    plugin = _plugin(url)
    if plugin is None:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme[:20]}://****"
    shown = plugin.url(privacy=True).split("?", 1)[0]
    for segment in _path_tokens(url):
        shown = shown.replace(segment, "****")
    return shown


def _path_tokens(url: str) -> list[str]:
    """Path segments that look like tokens (webhook keys such as ``…/hook/3f2a…``): 16+ characters with a digit."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return []
    return [seg for seg in path.split("/") if len(seg) >= _TOKEN_LEN and any(ch.isdigit() for ch in seg)]


def has_secret(url: str) -> bool:
    """Whether the URL carries credentials (by Apprise's privacy rendering, user:password, token-like params
    or path segments)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return True
    if password or any(_SECRET_PARAMS.search(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    if _path_tokens(url):
        return True
    plugin = _plugin(url)
    return plugin is not None and plugin.url(privacy=True) != plugin.url(privacy=False)


def channel_hash(url: str) -> str:
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


def digest(alerts: Sequence[Alert], config: AlertsConfig) -> tuple[str, str]:
    """The title and Markdown body of one digest."""
    from .html import environment

    counts = Counter(a.kind for a in alerts)
    kinds = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
    title = config.notify.title.replace("{count}", str(len(alerts))).replace("{kinds}", kinds)
    template = environment(markdown=True).get_template("digest.md.j2")
    budget = config.notify.max_chars - _FOOTER_ROOM
    items: list[str] = []
    for a in alerts[: config.notify.max_items]:
        item = template.render(alerts=[a]).strip()
        used = sum(len(i) + 2 for i in items)
        if used + len(item) > budget:
            if not items:  # one long entry: cut it rather than send nothing
                items.append(item[: max(0, budget - 1)] + "…")
            break
        items.append(item)
    body = "\n\n".join(items)
    rest = Counter(a.kind for a in alerts[len(items):])
    if rest:
        body += (f"\n\n… and {sum(rest.values())} more: "
                 + ", ".join(f"{rest[k]} {k}" for k in KINDS if rest[k]) + " (run `rectrack alerts` for all)")
    return title, body


def send(url: str, title: str, body: str) -> str | None:
    """Send one message; None on success, else the error (URLs masked)."""
    import apprise

    sender = apprise.Apprise()
    with apprise.LogCapture(level=logging.CRITICAL + 1):
        added = sender.add(url)
    if not added:
        return f"not a valid Apprise URL: {mask(url)}"
    with apprise.LogCapture(level=logging.WARNING) as logs:
        try:
            ok = bool(sender.notify(body=body, title=title, body_format=apprise.NotifyFormat.MARKDOWN))
        except Exception as exc:  # noqa: BLE001 - a plugin bug must not lose the alerts
            ok, logs_text = False, f"{type(exc).__name__}: {exc}"
        else:
            logs_text = logs.getvalue()
    if ok:
        return None
    return _scrub(_last_lines(logs_text) or "the service did not accept the message", url)


def notify(store: object, alerts: Sequence[Alert], config: AlertsConfig, urls: Sequence[str]) -> list[ChannelOutcome]:
    """Send the alerts not yet delivered to each channel, one digest per channel; record the outcome."""
    deliveries = Deliveries(store)
    outcomes = []
    for url in urls:
        channel = channel_hash(url)
        claimed = deliveries.claim(channel, alerts)
        if not claimed:
            outcomes.append(ChannelOutcome(mask(url)))
            continue
        title, body = digest(claimed, config)
        error = send(url, title, body)
        deliveries.record(channel, [a.key for a in claimed], error=error)
        outcomes.append(ChannelOutcome(mask(url), sent=0 if error else len(claimed),
                                       failed=len(claimed) if error else 0, error=error))
    return outcomes


def preview(store: object, alerts: Sequence[Alert], config: AlertsConfig,
            urls: Sequence[str]) -> list[tuple[str, str, str]]:
    """(masked channel, title, body) of what :func:`notify` would send now, without sending or recording."""
    deliveries = Deliveries(store)
    out = []
    for url in urls:
        pending = deliveries.unsent(channel_hash(url), alerts)
        if pending:
            out.append((mask(url), *digest(pending, config)))
    return out


def _last_lines(text: str, n: int = 3) -> str:
    lines = [re.sub(r"^\S+ \S+ - \w+ - ", "", ln).strip() for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])


def _scrub(message: str, url: str) -> str:
    """The message without the URL or its secret parts."""
    masked = mask(url)
    message = message.replace(url, masked)
    try:
        parts = urlsplit(url)
        secrets = [p for p in (parts.password, parts.username) if p and len(p) > 3]
        secrets += [v for k, v in parse_qsl(parts.query) if _SECRET_PARAMS.search(k) and len(v) > 3]
        secrets += [seg for seg in parts.path.split("/") if len(seg) >= _TOKEN_LEN]
    except ValueError:
        secrets = []
    for secret in secrets:
        message = message.replace(secret, "****")
    return message[:500]
