"""`rectrack alerts --notify` against real HTTP servers on 127.0.0.1 (Apprise ``json://`` and ``form://``):
one digest per run, nothing sent twice, a failed send retried on the next run, credentials masked."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AlertDelivery
from storage.repository import open_store
from tests.storage.conftest import SAMPLES_DIR, run
from tests.tracker.factory import TITLES, issue, report
from tracker.alerts import AlertsConfig, collect_reports
from tracker.alerts.notify import digest, mask

HETANG = [str(SAMPLES_DIR / "hetang_2025.txt"), str(SAMPLES_DIR / "hetang_2026.txt")]


@dataclass
class Endpoint:
    """A webhook receiver: records every POST; answers with ``codes`` in turn, then 200."""

    port: int
    posts: list[dict] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    def url(self, scheme: str = "json", auth: str = "") -> str:
        return f"{scheme}://{auth}127.0.0.1:{self.port}/hook"

    @property
    def delivered(self) -> list[dict]:
        return [p for p in self.posts if p["code"] == 200]


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            code = state.codes.pop(0) if state.codes else 200
            if self.headers.get("Content-Type", "").startswith("application/json"):
                payload = json.loads(body)
            else:
                payload = {k: v[0] for k, v in parse_qs(body).items()}
            state.posts.append({"code": code, "path": self.path, "auth": self.headers.get("Authorization"),
                                **payload})
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def notify(db: str, url: str, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("RECTRACK_NOTIFY_URLS", url)
    return run(db, "alerts", "--notify", "--today", "2026-06-01", *args)


def deliveries(db: str) -> list[AlertDelivery]:
    with open_store(db if "://" in db else f"sqlite:///{db}") as store, Session(store.engine) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_new_alerts_are_sent_once(db_url: str, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_url, "import", *HETANG).exit_code == 0
    first = notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"notify json://127.0.0.1:{endpoint.port}/hook: sent 2 new alert(s)"
    (post,) = endpoint.posts
    assert post["title"] == "rectrack: 2 new alert(s)" and post["path"] == "/hook"
    assert "regressed 完成后反复" in post["message"] and "dropped 未报即消失" in post["message"]
    assert "荷塘区" in post["message"]
    again = notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped")
    assert again.exit_code == 0 and "nothing new" in again.output and len(endpoint.posts) == 1
    # widening the filter sends only what was not sent before, as one digest
    wider = notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped",
                   "--kind", "stalled")
    assert wider.exit_code == 0 and len(endpoint.posts) == 2
    assert endpoint.posts[1]["title"] == "rectrack: 31 new alert(s)"
    message = endpoint.posts[1]["message"]
    listed = message.count("**stalled 停滞**")
    assert "regressed" not in message and 10 <= listed <= 20 and len(message) <= 4000
    assert f"… and {31 - listed} more: {31 - listed} stalled" in message
    rows = deliveries(db_url)
    assert len(rows) == 33 and all(r.sent_at is not None and r.attempts == 1 for r in rows)
    assert len({(r.alert_key, r.channel_hash) for r in rows}) == 33
    # a second channel gets everything once as well
    form = notify(db_url, endpoint.url("form"), monkeypatch, "--kind", "regressed")
    assert form.exit_code == 0 and endpoint.posts[-1]["title"] == "rectrack: 1 new alert(s)"


def test_a_failed_send_is_retried_on_the_next_run(db_url: str, endpoint: Endpoint,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_url, "import", *HETANG).exit_code == 0
    endpoint.codes = [500]
    failed = notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped")
    assert failed.exit_code == 1
    assert "failed" in failed.output and "2 alert(s) will be tried again on the next run" in failed.output
    assert "Traceback" not in failed.output
    rows = deliveries(db_url)
    assert [(r.sent_at, r.attempts) for r in rows] == [(None, 1), (None, 1)] and "500" in rows[0].last_error
    ok = notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped")
    assert ok.exit_code == 0 and "sent 2 new alert(s)" in ok.output
    assert notify(db_url, endpoint.url(), monkeypatch, "--kind", "regressed", "--kind", "dropped").exit_code == 0
    assert [p["code"] for p in endpoint.posts] == [500, 200]  # exactly once delivered
    assert endpoint.posts[0]["message"] == endpoint.posts[1]["message"]
    rows = deliveries(db_url)
    assert all(r.sent_at is not None and r.attempts == 2 and r.last_error is None for r in rows)


def test_an_unreachable_channel_keeps_the_alerts(db_url: str, endpoint: Endpoint,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_url, "import", *HETANG).exit_code == 0
    down = notify(db_url, "json://127.0.0.1:1/hook", monkeypatch, "--kind", "dropped")
    assert down.exit_code == 1 and "will be tried again" in down.output
    up = notify(db_url, endpoint.url(), monkeypatch, "--kind", "dropped")
    assert up.exit_code == 0 and len(endpoint.delivered) == 1


def test_credentials_are_never_printed(db_path, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_path, "import", *HETANG).exit_code == 0
    url = endpoint.url(auth="reporter:Sup3rSecretPw@")
    endpoint.codes = [500]
    failed = notify(str(db_path), url, monkeypatch, "--kind", "dropped")
    ok = notify(str(db_path), url, monkeypatch, "--kind", "dropped")
    for result in (failed, ok):
        assert "Sup3rSecretPw" not in result.output and "reporter:****@" in result.output
    assert endpoint.posts[-1]["auth"].startswith("Basic ")  # the credentials did reach the server
    assert all("Sup3rSecretPw" not in (r.last_error or "") for r in deliveries(str(db_path)))
    assert mask("discord://1234567/abcdefghijklmnopTOKEN").count("TOKEN") == 0
    assert mask("garbage") == "?://****"


def test_dry_run_sends_and_records_nothing(db_path, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db_path, "import", *HETANG).exit_code == 0
    preview = notify(str(db_path), endpoint.url(), monkeypatch, "--kind", "dropped", "--dry-run")
    assert preview.exit_code == 0 and "rectrack: 1 new alert(s)" in preview.output
    assert endpoint.posts == [] and deliveries(str(db_path)) == []


def test_no_url_is_one_error_line(db_path, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("RECTRACK_NOTIFY_URLS", raising=False)
    result = run(db_path, "alerts", "--notify", "--config", str(tmp_path))
    assert result.exit_code == 2 and result.output.startswith("error: no notification URL")
    assert len(result.output.strip().splitlines()) == 1


def test_digest_is_truncated_sensibly() -> None:
    reports = [report(date(2025, 1, 1), [issue(str(n), f"{TITLES[n % 6]}{n}", "正在推进。" * 40, "in_progress")
                                         for n in range(1, 41)]),
               report(date(2025, 6, 1), [issue(str(n), f"{TITLES[n % 6]}{n}", "正在推进。" * 40, "in_progress")
                                         for n in range(1, 41)])]
    alerts = collect_reports(reports, today=date(2026, 1, 1), kinds=["stalled"]).alerts
    assert len(alerts) == 40
    config = AlertsConfig.model_validate({"notify": {"max_items": 5, "title": "巡视整改 {count}: {kinds}"}})
    title, body = digest(alerts, config)
    assert title == "巡视整改 40: 40 stalled"
    assert body.count("\n- ") + body.startswith("- ") == 5 and "… and 35 more: 35 stalled" in body
    short = AlertsConfig.model_validate({"notify": {"max_chars": 600}})
    _, body = digest(alerts, short)
    assert len(body) <= 600 and body.endswith("stalled (run `rectrack alerts` for all)")
    assert body.startswith("- **stalled 停滞** 荷塘区 \\#1 ")
