"""Which alert went to which notification channel (table ``alert_deliveries``, migration 0004).

An alert is sent to a channel once: :meth:`Deliveries.claim` takes the alerts not yet sent
there (new ones, and those whose last attempt failed), marking each attempt; after the send,
:meth:`Deliveries.record` stores success (``sent_at``) or the error, and a failed alert is
claimed again on the next run, so nothing is lost. A claim is a short write transaction (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), and an attempt under way less than
:data:`LEASE` ago is left alone, so two notifiers started at once do not send an alert twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage.db import write_engine
from storage.models import AlertDelivery

from .model import Alert

#: An attempt without outcome for this long (a notifier killed mid-send) may be tried again.
LEASE = timedelta(minutes=10)
#: PostgreSQL advisory lock key serialising claims ("rtalert").
PG_LOCK = 0x7274616C657274
CHUNK = 500


@dataclass(frozen=True)
class DeliveryState:
    alert_key: str
    sent_at: datetime | None
    attempts: int
    last_error: str | None


class Deliveries:
    """The delivery log of one store's database."""

    def __init__(self, store: object) -> None:
        self.engine = getattr(store, "engine", store)

    def states(self, channel: str, keys: Iterable[str]) -> dict[str, DeliveryState]:
        """What is known of these alerts on ``channel``."""
        out: dict[str, DeliveryState] = {}
        wanted = list(dict.fromkeys(keys))
        with Session(self.engine) as session:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start:start + CHUNK]
                rows = session.scalars(select(AlertDelivery).where(AlertDelivery.channel_hash == channel,
                                                                   AlertDelivery.alert_key.in_(chunk)))
                for r in rows:
                    out[r.alert_key] = DeliveryState(r.alert_key, r.sent_at, r.attempts, r.last_error)
        return out

    def unsent(self, channel: str, alerts: Sequence[Alert]) -> list[Alert]:
        """The alerts not yet delivered to ``channel`` (without claiming them)."""
        known = self.states(channel, (a.key for a in alerts))
        return [a for a in _unique(alerts) if a.key not in known or known[a.key].sent_at is None]

    def claim(self, channel: str, alerts: Sequence[Alert], *, now: datetime | None = None) -> list[Alert]:
        """Mark an attempt for every alert not yet sent to ``channel`` nor being sent; those alerts."""
        now = now or datetime.now(UTC)
        alerts = _unique(alerts)
        claimed: list[Alert] = []
        with Session(write_engine(self.engine)) as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
            rows: dict[str, AlertDelivery] = {}
            keys = [a.key for a in alerts]
            for start in range(0, len(keys), CHUNK):
                rows.update((r.alert_key, r) for r in session.scalars(
                    select(AlertDelivery).where(AlertDelivery.channel_hash == channel,
                                                AlertDelivery.alert_key.in_(keys[start:start + CHUNK]))))
            for a in alerts:
                row = rows.get(a.key)
                if row is None:
                    session.add(AlertDelivery(alert_key=a.key, channel_hash=channel, kind=a.kind, first_tried_at=now,
                                              last_tried_at=now, attempts=1))
                elif row.sent_at is not None or _in_flight(row, now):
                    continue
                else:
                    row.attempts += 1
                    row.last_tried_at, row.last_error = now, None
                claimed.append(a)
        return claimed

    def record(self, channel: str, keys: Sequence[str], *, error: str | None, now: datetime | None = None) -> None:
        """The outcome of an attempt: sent (``error`` None) or failed with ``error``."""
        now = now or datetime.now(UTC)
        keys = list(dict.fromkeys(keys))
        with Session(write_engine(self.engine)) as session, session.begin():
            for start in range(0, len(keys), CHUNK):
                for row in session.scalars(select(AlertDelivery).where(
                        AlertDelivery.channel_hash == channel, AlertDelivery.alert_key.in_(keys[start:start + CHUNK]))):
                    if error is None:
                        row.sent_at, row.last_error = now, None
                    else:
                        row.last_error = error[:2000] or "failed"


def _in_flight(row: AlertDelivery, now: datetime) -> bool:
    """An attempt began recently and has no outcome yet."""
    if row.last_error is not None or row.last_tried_at is None:
        return False
    tried = row.last_tried_at if row.last_tried_at.tzinfo else row.last_tried_at.replace(tzinfo=UTC)
    return now - tried < LEASE


def _unique(alerts: Sequence[Alert]) -> list[Alert]:
    seen: dict[str, Alert] = {}
    for a in alerts:
        seen.setdefault(a.key, a)
    return list(seen.values())
