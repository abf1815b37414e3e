"""``rectrack schedule``: APScheduler 3.x with cron triggers from ``config/schedule.yaml``.

APScheduler is the standard in-process scheduler for Python (maintained since 2009); its
SQLAlchemy job store keeps the jobs in rectrack's own database, so next run times survive a
restart. Every job: ``coalesce`` (missed runs collapse into one), ``max_instances=1``, and a
``misfire_grace_time`` of an hour by default (3.x's default of one second silently drops a run
that starts a little late). Jobs run one at a time (one worker thread); each crawl runs in its
own process; every job takes the database's run lock, so a manual ``rectrack run`` never overlaps.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.config import ConfigError, config_dir, describe_validation_error, load_sites, read_yaml

log = logging.getLogger("rectrack.schedule")


class JobConfig(BaseModel):
    """One scheduled job."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["crawl", "report", "cycle", "digest"] = "cycle"
    sites: list[str] | Literal["all"] = "all"
    cron: str = Field(description="crontab: 'minute hour day month weekday', or six fields with seconds first")
    out: str | None = Field(None, description="alert report file (report, cycle, digest)")
    notify: bool = True

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        cron_trigger(value, "UTC")
        return value


class ScheduleConfig(BaseModel):
    """``config/schedule.yaml``."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = "Asia/Shanghai"
    misfire_grace_time: int = Field(3600, ge=1, description="seconds a late run may still start")
    jobs: list[JobConfig] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
        return value


def cron_trigger(expression: str, timezone: str) -> Any:
    """A CronTrigger from 5 crontab fields, or 6 with seconds first; ValueError says what is wrong."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(expression, timezone=timezone)
        if len(fields) == 6:
            second, minute, hour, day, month, dow = fields
            return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=dow,
                               timezone=timezone)
    except ValueError as exc:
        raise ValueError(f"{expression!r} is not a valid cron expression ({exc})") from None
    raise ValueError(f"{expression!r} is not a cron expression: give 5 fields "
                     "(minute hour day month weekday) or 6 (seconds first)")


def load_schedule(directory: Path | None = None) -> ScheduleConfig:
    """Validate ``schedule.yaml`` and the sites it names; :class:`ConfigError` names the file and the key."""
    folder = directory or config_dir()
    path = folder / "schedule.yaml"
    data = read_yaml(path)
    try:
        schedule = ScheduleConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc, ScheduleConfig)}") from None
    known = load_sites(folder)
    for index, job in enumerate(schedule.jobs):
        for site in ([] if job.sites == "all" else job.sites):
            if site not in known:
                raise ConfigError(f"{path}: key 'jobs.{index}.sites': unknown site {site!r}; "
                                  f"configured sites: {', '.join(sorted(known)) or 'none'}")
    names = [job.name for job in schedule.jobs]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: key 'jobs': job names must be unique (got {names})")
    return schedule


def build_scheduler(db_url: str, schedule: ScheduleConfig) -> Any:
    """A BackgroundScheduler with the schedule's jobs stored in ``db_url`` (replacing stale ones).

    The job store uses rectrack's own engine (on SQLite: WAL and a 30 s busy timeout), not one of its own:
    with pysqlite's 5 s default, a write lock held that long by a crawl, an import or a migration made the
    job store's update fail with "database is locked" and killed the scheduler's thread.
    """
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from storage.db import connect

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=connect(db_url))},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": schedule.misfire_grace_time},
        timezone=schedule.timezone)
    return scheduler


def sync_jobs(scheduler: Any, db_url: str, schedule: ScheduleConfig, folder: Path) -> None:
    """Make the stored jobs exactly the configured ones."""
    wanted = {job.name for job in schedule.jobs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
    for job in schedule.jobs:
        scheduler.add_job(execute, cron_trigger(job.cron, schedule.timezone), id=job.name, name=job.name,
                          args=[job.name, db_url, str(folder)], replace_existing=True)


def next_runs(db_url: str, folder: Path) -> list[tuple[str, str, str, Any]]:
    """(job, kind, cron, next run time) for ``rectrack schedule --list``."""
    schedule = load_schedule(folder)
    scheduler = build_scheduler(db_url, schedule)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, db_url, schedule, folder)
        by_name = {j.name: j for j in schedule.jobs}
        return [(job.id, by_name[job.id].kind, by_name[job.id].cron, job.next_run_time)
                for job in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=False)


def serve(db_url: str, folder: Path, *, stop: threading.Event | None = None) -> None:
    """Run the scheduler until SIGTERM/SIGINT (or ``stop``); the running job finishes first."""
    schedule = load_schedule(folder)
    stop = stop or threading.Event()
    scheduler = build_scheduler(db_url, schedule)

    def _on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing the running job, then stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    running = _RunningJobs(scheduler)
    scheduler.start(paused=True)
    sync_jobs(scheduler, db_url, schedule, folder)
    scheduler.resume()
    for job in scheduler.get_jobs():
        log.info("scheduled %s: next run %s", job.id, job.next_run_time)
    stop.wait()
    # Pause, let the running job finish, then shut down: shutting down while a job runs lets APScheduler's
    # loop submit the next due run to the closing executor ("cannot schedule new futures after shutdown").
    scheduler.pause()
    running.wait_idle()
    # A processing pass that began just before the pause can still try to submit the next due run while the
    # executor closes; that run was never going to start (it is kept in the job store and runs after the next
    # start), so its "Error submitting job" record is dropped rather than shown as a traceback.
    logging.getLogger("apscheduler.scheduler").addFilter(
        lambda record: not str(record.msg).startswith("Error submitting job"))
    scheduler.shutdown(wait=True)
    log.info("scheduler stopped")


def execute(job_name: str, db_url: str, folder: str) -> None:
    """Run one configured job (called by APScheduler in its worker thread). Never raises."""
    from storage.runlock import LockBusy, RunLock

    from . import cycle

    started = time.monotonic()
    log.info("job %s started", job_name)
    try:
        schedule = load_schedule(Path(folder))
        job = next(j for j in schedule.jobs if j.name == job_name)
        sites = list(load_sites(Path(folder)).values())
        chosen = [s for s in sites if s.enabled] if job.sites == "all" else [s for s in sites if s.name in job.sites]
        with _wait_for_lock(db_url, RunLock, LockBusy, schedule.misfire_grace_time):
            result = cycle.CycleResult()
            if job.kind in ("crawl", "cycle"):
                cycle.crawl_step(db_url, chosen, result=result)
            if job.kind in ("report", "cycle", "digest"):
                cycle.track_step(db_url, result=result)
                cycle.report_step(db_url, Path(folder), result=result, out=job.out, notify=job.notify,
                                  digest=job.kind == "digest")
        log.info("job %s finished in %.1f s: %s", job_name, time.monotonic() - started,
                 "; ".join(cycle.summary_lines(result)))
    except StopIteration:
        log.error("job %s: no longer in the schedule; skipped", job_name)
    except Exception as exc:  # a job failure is logged; the scheduler goes on with the next runs
        log.error("job %s failed after %.1f s: %s: %s", job_name, time.monotonic() - started,
                  type(exc).__name__, exc)


class _RunningJobs:
    """Counts the scheduler's running jobs from its events, so a stop can wait until none runs."""

    def __init__(self, scheduler: Any) -> None:
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED

        self._count = 0
        self._idle = threading.Condition()
        self._submitted = EVENT_JOB_SUBMITTED
        scheduler.add_listener(self._on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _on_event(self, event: Any) -> None:
        with self._idle:
            self._count += 1 if event.code == self._submitted else -1
            self._idle.notify_all()

    def wait_idle(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._count <= 0)


class _wait_for_lock:
    """Take the run lock, waiting (up to ``patience`` s) while a manual run holds it."""

    def __init__(self, db_url: str, lock_cls: Any, busy: type[Exception], patience: float) -> None:
        self.lock, self.busy, self.patience = lock_cls(db_url), busy, patience

    def __enter__(self) -> Any:
        deadline = time.monotonic() + self.patience
        while True:
            try:
                return self.lock.__enter__()
            except self.busy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(5)

    def __exit__(self, *exc: Any) -> None:
        self.lock.__exit__(*exc)
