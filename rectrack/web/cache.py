"""What the web view computes from the store, cached per version of the data.

Tracking is the expensive part (a unit's reports compared pairwise), so a request computes only
what it shows: one unit's history for a unit, issue or report page; the per-unit digests (counts
and alerts) of the units listed on one page. Everything is kept in a :class:`Snapshot` keyed by
:func:`~rectrack.web.source.data_version` and the date taken as today: a new report stored by a
crawl makes the next request start a new snapshot, nothing is ever served stale. ``rectrack serve``
also fills every digest in a background thread so that the units and alerts pages are fast.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tracker.alerts.config import AlertsConfig
from tracker.alerts.model import KINDS, Alert, UnitSummary
from tracker.alerts.rules import unit_alerts, unit_summary
from tracker.history import UnitHistory, _load_reports, history
from tracker.units import UnitGroup, unit_groups

from .source import data_version

log = logging.getLogger("rectrack.web")

#: Unit histories kept per snapshot (the pages of the units last looked at).
HISTORIES = 32
#: Units tracked per database round trip when digests are computed.
BATCH = 50
#: Alert kinds a unit can have (``site_failing`` belongs to sites).
UNIT_KINDS = tuple(k for k in KINDS if k != "site_failing")


@dataclass
class Digest:
    """A unit at a glance: counts of its issues and every alert about it.

    ``open``: listed in the latest report and not completed; ``stalled``: open, and its text barely
    changed since the report before (the tracker's ``stalled``); ``resolved``: completed in the last
    report that listed it."""

    group: UnitGroup
    reports: int = 0
    first_on: date | None = None
    last_on: date | None = None
    latest_report_id: int | None = None
    issues: int = 0
    open: int = 0
    stalled: int = 0
    resolved: int = 0
    alerts: list[Alert] = field(default_factory=list)
    summary: UnitSummary | None = None

    @property
    def id(self) -> int:
        return self.group.unit_ids[0]


def digest(group: UnitGroup, h: UnitHistory | None, config: AlertsConfig, today: date) -> Digest:
    """The digest of one unit from its history (None: the unit has no report)."""
    if h is None or not h.reports:
        return Digest(group)
    threads = h.threads()
    current = [t for t in threads if t.ended is None]
    kinds = [k for k in UNIT_KINDS if config.enabled(k)]
    alerts = unit_alerts(h, config, today, kinds)
    alerts.sort(key=lambda a: (KINDS.index(a.kind), a.date is None, a.date or date.min))
    dated = [t.report.published_on for t in h.reports if t.report.published_on is not None]
    return Digest(group, reports=len(h.reports), first_on=min(dated, default=None), last_on=max(dated, default=None),
                  latest_report_id=h.reports[-1].id, issues=len(current),
                  open=sum(t.open for t in current),
                  stalled=sum(t.open and t.last.change == "stalled" for t in current),
                  resolved=sum(t.last.status == "completed" for t in threads),
                  alerts=alerts, summary=unit_summary(h))


class Snapshot:
    """The units of one version of the data, with their histories and digests computed on demand."""

    def __init__(self, engine: Engine, config: AlertsConfig, version: tuple, today: date) -> None:
        self.engine, self.config, self.version, self.today = engine, config, version, today
        with Session(engine) as session:
            self.groups: list[UnitGroup] = unit_groups(session)
        #: Any unit row id → its group; a group's id is its first (lowest) unit row id.
        self.by_row: dict[int, UnitGroup] = {uid: g for g in self.groups for uid in g.unit_ids}
        self.provinces = sorted({g.unit.province for g in self.groups if g.unit.province})
        self.cities = sorted({(g.unit.province or "", g.unit.city) for g in self.groups if g.unit.city})
        self._histories: OrderedDict[int, UnitHistory | None] = OrderedDict()
        self._digests: dict[int, Digest] = {}
        self._memo: dict[str, object] = {}
        self._lock = threading.Lock()
        self._full = threading.Lock()
        self.complete = False
        self.cancelled = False

    @property
    def key(self) -> tuple:
        return self.version, self.today

    def group(self, unit_id: int) -> UnitGroup | None:
        return self.by_row.get(unit_id)

    def history(self, group: UnitGroup) -> UnitHistory | None:
        """The unit's history (None: no report), cached."""
        gid = group.unit_ids[0]
        with self._lock:
            if gid in self._histories:
                self._histories.move_to_end(gid)
                return self._histories[gid]
        h = self._load([group]).get(gid)
        with self._lock:
            self._histories[gid] = h
            while len(self._histories) > HISTORIES:
                self._histories.popitem(last=False)
        return h

    def digest(self, group: UnitGroup) -> Digest:
        return self.digests([group])[0]

    def digests(self, groups: Sequence[UnitGroup]) -> list[Digest]:
        """The digests of ``groups`` (in that order), computing the missing ones in batches."""
        with self._lock:
            missing = [g for g in groups if g.unit_ids[0] not in self._digests]
            cached = {g.unit_ids[0]: self._histories.get(g.unit_ids[0], False) for g in missing}
        for start in range(0, len(missing), BATCH):
            if self.cancelled:
                break
            chunk = missing[start:start + BATCH]
            need = [g for g in chunk if cached[g.unit_ids[0]] is False]
            loaded = self._load(need) if need else {}
            made = {}
            for g in chunk:
                gid = g.unit_ids[0]
                h = loaded.get(gid) if cached[gid] is False else cached[gid]
                made[gid] = digest(g, h, self.config, self.today)  # type: ignore[arg-type]
            with self._lock:
                self._digests.update(made)
        with self._lock:
            return [self._digests.get(g.unit_ids[0]) or Digest(g) for g in groups]

    def all_digests(self) -> list[Digest]:
        """Every unit's digest (the first call computes them; later ones wait for it)."""
        with self._full:
            out = self.digests(self.groups)
            self.complete = not self.cancelled
            return out

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """``compute()`` once per snapshot (derived data such as the sorted alert list)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._lock:
            return self._memo.setdefault(key, value)

    def _load(self, groups: Sequence[UnitGroup]) -> dict[int, UnitHistory]:
        """Histories of ``groups`` by group id, from one batch of queries (as :func:`tracker.history.iter_units`)."""
        by_row = {uid: g for g in groups for uid in g.unit_ids}
        per: dict[int, list] = {g.unit_ids[0]: [] for g in groups}
        with Session(self.engine) as session:
            for unit_id, tracked in _load_reports(session, unit_ids=list(by_row)):
                per[by_row[unit_id].unit_ids[0]].append(tracked)
        return {g.unit_ids[0]: history(g, per[g.unit_ids[0]]) for g in groups if per[g.unit_ids[0]]}


class Data:
    """The app's access to the store: the current :class:`Snapshot`, replaced when the data changes."""

    def __init__(self, engine: Engine, config: AlertsConfig, *, today: Callable[[], date] = date.today,
                 warm: bool = False) -> None:
        self.engine, self.config, self.today, self.warm = engine, config, today, warm
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        key = (data_version(self.engine), self.today())
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.key == key:
                return snap
            if snap is not None:
                snap.cancelled = True
            snap = self._snapshot = Snapshot(self.engine, self.config, *key)
        if self.warm:
            threading.Thread(target=self._warm, args=(snap,), name="rectrack-warm", daemon=True).start()
        return snap

    def _warm(self, snap: Snapshot) -> None:
        try:
            snap.all_digests()
        except Exception:  # a failed warm-up only costs speed: pages compute what they need
            log.exception("warming the unit digests failed")
            return
        if snap is self._snapshot and not snap.cancelled:
            gc.collect()
            gc.freeze()  # the caches are long-lived and free of cycles: keep them out of every later collection
            log.info("counts and alerts of %d unit(s) ready", len(snap.groups))

    def close(self) -> None:
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.cancelled = True
        self.engine.dispose()


def tune_gc() -> None:
    """Fewer cycle collections for a server that holds large caches: with the defaults, a full collection
    (100–250 ms over the cached alerts and histories) interrupted every few page loads. Requests create
    mostly acyclic garbage that reference counting frees anyway."""
    gc.set_threshold(20_000, 20, 10)
