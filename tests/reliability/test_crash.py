"""Crash consistency: ``rectrack crawl``, ``import`` and ``schedule`` killed with SIGKILL at random moments.

Each trial starts the real command line in a process group of its own (with its parse pool and database
writer) against a bundled sample site of its own on 127.0.0.1, kills the whole group with SIGKILL at a random
moment, runs the same command again to completion and then checks the database against an uninterrupted
run: every notice stored, none stored twice (as a second report or version), every stored report complete
(it reads back with its content hash, and its issue count is what the parser finds in its stored raw
page), and ``PRAGMA integrity_check`` ok (also right after the kill).

Kill moments take turns over three phases of an uninterrupted run, each drawn uniformly within it:
start-up (imports, schema creation), work (a crawl's fetching of list pages, notices and attachments with
batches written meanwhile; an import's files), and the end (from the last request, or file, to the exit).
Within the work a moment is located by the run's own progress (the k-th request the site served, the k-th
file the import reported, plus a fraction of the time to the next), so that a loaded machine does not shift
kills out of their phase. The sample site answers attachments and second list pages a second late, so that
kills also land between the batch of a list's first page and its second page, and between a page and the
attachment holding its notice. The scheduler is killed in the work or the end phase of its first crawl.

The families run side by side, ``PARALLEL`` trials at a time, each with a site and a database of its own
(a crawl mostly waits on the site's pacing, an import mostly parses). CI runs a few trials per family;
``pytest --full`` (or ``RECTRACK_FULL_TESTS=1``) runs 20. The kill moments are drawn from
``random.Random(seed)``: the seed is printed with every failure (and every trial with ``-s``), and
``RECTRACK_CRASH_SEED=N`` repeats the draws (the seconds they stand for come from the uninterrupted run
timed in the same session).
"""

from __future__ import annotations

import bisect
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from crawler.extract import continuation_page_text, examine_page, join_pages
from crawler.samplesite import SampleSite
from crawler.samplesite.content import build
from storage import rawcodec
from storage.repository import content_hash, open_store

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "rectrack.cli"]
SAMPLES = ROOT / "crawler" / "samples"

#: Trials per family: (CI, full).
CRAWL_TRIALS = (4, 20)
IMPORT_TRIALS = (4, 20)
SCHEDULE_TRIALS = (1, 20)
#: Trials run side by side (each on its own database): the crawls mostly wait on the site's pacing.
PARALLEL = 5
#: Synthesised notices the import trials write out as files, besides the bundled samples.
IMPORT_SYNTHESISED = 10


def crash_seed() -> int:
    """``RECTRACK_CRASH_SEED`` when set (to repeat a failure), else a fresh random seed."""
    value = os.environ.get("RECTRACK_CRASH_SEED")
    return int(value) if value else random.SystemRandom().randrange(2**32)


# ---- processes ------------------------------------------------------------------------------------------


def start(args: list[str], log: Path, *, pipe: bool = False) -> subprocess.Popen[bytes]:
    """``rectrack ARGS`` in a new session (its own process group), output to ``log``.out/.err (``pipe``: its
    standard output unbuffered to a pipe instead)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log.with_suffix(".out"), "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        return subprocess.Popen([*CLI, *args], cwd=ROOT, stdout=subprocess.PIPE if pipe else out, stderr=err,
                                start_new_session=True, env=env)


def run(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``rectrack ARGS`` to completion."""
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies waiting for a parent do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process of ``proc``'s group and wait until all of them are gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while group_alive(proc.pid):
        assert time.monotonic() < deadline, f"process group {proc.pid} survived SIGKILL"
        time.sleep(0.05)


class Progress:
    """A count that grows as a run gets on: requests a sample site served, or files an import reported."""

    def __init__(self, count: Callable[[], int]) -> None:
        self.count = count

    @classmethod
    def of_site(cls, site: SampleSite) -> Progress:
        return cls(lambda: len(site.requests))

    @classmethod
    def of_import(cls, proc: subprocess.Popen[bytes]) -> Progress:
        """Lines ``PATH: stored new (report N)`` (or ``unchanged`` …) the import printed, read in a thread."""
        lines = [0]

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines[0] += b"(report " in line

        threading.Thread(target=read, daemon=True).start()
        return cls(lambda: lines[0])


@dataclass
class Timeline:
    """An uninterrupted run: seconds from its start to each step of its progress, and to its exit."""

    times: list[float]
    end: float

    @property
    def first(self) -> float:
        return self.times[0]

    @property
    def last(self) -> float:
        return self.times[-1]


def watch(proc: subprocess.Popen[bytes], progress: Progress, *, step: float = 0.005) -> Timeline:
    """Wait for ``proc`` to end, noting when each step of ``progress`` happened (to ``step`` s)."""
    began = time.monotonic()
    times: list[float] = []
    while proc.poll() is None:
        times += [time.monotonic() - began] * (progress.count() - len(times))
        time.sleep(step)
    end = time.monotonic() - began
    time.sleep(0.1)  # the last output lines
    times += [end] * (progress.count() - len(times))
    assert times, "the run made no progress"
    return Timeline(times, end)


@dataclass
class KillPoint:
    """When a trial kills its run: in one of three phases of an uninterrupted run, uniformly within it.

    ``start``: ``delay`` s after the start, before the first step (imports, schema, start-up). ``work``:
    ``delay`` s after step ``step`` (a request the site served, a file the import stored) or at once when the
    next step comes sooner: a moment uniform over the work, told by the run's own progress, so that a loaded
    machine does not shift kills out of their phase. ``end``: ``delay`` s after the last step (the last
    batches written, the run closed).
    """

    phase: str
    delay: float
    step: int = 0
    unit: str = "request"

    @classmethod
    def draw(cls, rng: random.Random, ref: Timeline, phase: str, unit: str) -> KillPoint:
        if phase == "start":
            return cls(phase, rng.uniform(0.0, ref.first), 0, unit)
        if phase == "end":
            return cls(phase, rng.uniform(0.0, ref.end - ref.last), len(ref.times), unit)
        moment = rng.uniform(ref.first, ref.last)
        done = bisect.bisect_right(ref.times, moment)
        return cls(phase, moment - ref.times[done - 1], done, unit)

    @classmethod
    def series(cls, rng: random.Random, ref: Timeline, count: int, unit: str = "request",
               phases: tuple[str, ...] = ("work", "end", "start")) -> list[KillPoint]:
        """``count`` kill points, the phases taking turns (so that even a few trials cover each of them)."""
        return [cls.draw(rng, ref, phases[i % len(phases)], unit) for i in range(count)]

    def __str__(self) -> str:
        if self.phase == "start":
            return f"{self.delay:.2f} s after the start"
        return f"{self.delay:.2f} s after {self.unit} {self.step}" + (" (the last)" if self.phase == "end" else "")


def kill_at(proc: subprocess.Popen[bytes], progress: Progress, point: KillPoint) -> bool:
    """Kill ``proc``'s group at ``point``; True if it was still running then."""
    due: float | None = time.monotonic() + point.delay if point.phase == "start" else None
    while proc.poll() is None:
        done = progress.count()
        if due is None and done >= point.step > 0:
            due = time.monotonic() + point.delay
        if due is not None and (time.monotonic() >= due or (point.phase == "work" and done > point.step)):
            kill_group(proc)
            return True
        time.sleep(0.002)
    kill_group(proc)  # its helpers, should any have outlived it
    return False


# ---- the database after a trial -------------------------------------------------------------------------


def integrity(db: Path) -> list[str]:
    """Problems ``PRAGMA integrity_check`` and ``foreign_key_check`` report (none: an empty list)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        checked = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ([] if checked == ["ok"] else [f"integrity_check: {checked[:5]}"]) + \
        ([f"foreign_key_check: {foreign[:5]}"] if foreign else [])


def stored_reports(db: Path) -> list[tuple[int, str, int, str]]:
    """(id, notice_key, version, content_hash) of every stored report."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT id, notice_key, version, content_hash FROM reports ORDER BY id").fetchall()
    finally:
        conn.close()


def db_state(db: Path) -> str:
    """What a killed run had got done: runs, fetches by kind, reports (a trial's phase, for the log)."""
    if not db.exists():
        return "no database yet"
    conn = sqlite3.connect(db, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "reports" not in tables:
            return "schema not created yet"
        kinds = dict(conn.execute("SELECT coalesce(kind, '?'), count(*) FROM fetches GROUP BY kind").fetchall())
        reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        runs = conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    finally:
        conn.close()
    return f"{runs} run(s), fetches {kinds or {}}, {reports} report(s)"


def issue_counts(report: object) -> tuple[int, int]:
    """(issues, sub-issues) of a Report."""
    issues = report.issues  # type: ignore[attr-defined]
    return len(issues), sum(len(i.sub_issues) for i in issues)


def reparsed_issue_counts(conn: sqlite3.Connection, report_id: int) -> tuple[int, int] | None:
    """The issue counts the parser finds in the report's stored raw page (joined with its further pages)."""
    row = conn.execute("SELECT f.url, f.raw, f.content_type FROM reports r JOIN fetches f ON f.id = r.fetch_id "
                       "WHERE r.id = ?", (report_id,)).fetchone()
    if row is None or row[1] is None:
        return None
    url, raw, content_type = row
    outcome = examine_page(rawcodec.unpack(raw), url, content_type)
    if outcome.continuation:
        texts = [outcome.text]
        for extra in outcome.continuation:
            page = conn.execute("SELECT raw, content_type FROM fetches WHERE url = ? AND raw IS NOT NULL "
                                "ORDER BY id DESC LIMIT 1", (extra,)).fetchone()
            if page is None:
                return None
            texts.append(continuation_page_text(rawcodec.unpack(page[0]), extra, page[1]))
        outcome = join_pages(texts, url, outcome.title, outcome.published_on)
    return issue_counts(outcome.report) if outcome.report is not None else (0, 0)


def check_store(db: Path, expected: set[tuple[str, int, str]]) -> list[str]:
    """Everything wrong with ``db`` compared with an uninterrupted run's (notice_key, version, content_hash)."""
    problems = integrity(db)
    rows = stored_reports(db)
    stored = {(key, version, digest) for _, key, version, digest in rows}
    keys, wanted = Counter(key for key, _, _ in stored), Counter(key for key, _, _ in expected)
    if len(stored) != len(rows):
        problems.append(f"{len(rows) - len(stored)} report(s) stored twice with the same content and version")
    missing = sorted(set(wanted) - set(keys))
    if missing:
        problems.append(f"{len(missing)} notice(s) lost: {missing[:3]}")
    if set(keys) - set(wanted):
        problems.append(f"unexpected notices stored: {sorted(set(keys) - set(wanted))[:3]}")
    twice = sorted(key for key, n in keys.items() if n > wanted[key] > 0)
    if twice:
        problems.append(f"{len(twice)} notice(s) stored as more versions than by an uninterrupted run: {twice[:3]}")
    differing = sorted({key for key, _, _ in stored ^ expected if key in keys and key in wanted} - set(twice))
    if differing:
        problems.append(f"{len(differing)} notice(s) stored with other content or version numbers than by an "
                        f"uninterrupted run: {differing[:3]}")
    conn = sqlite3.connect(db, timeout=30)
    try:
        with open_store(f"sqlite:///{db}") as store:
            for report_id, key, _, digest in rows:
                report = store.get_report(report_id)
                if content_hash(report) != digest:
                    problems.append(f"report {report_id} ({key}) reads back different from what was stored")
                counts = issue_counts(report)
                reparsed = reparsed_issue_counts(conn, report_id)
                if reparsed != counts:
                    problems.append(f"report {report_id} ({key}) has (issues, sub-issues) {counts}, "
                                    f"its stored raw page parses to {reparsed}")
    finally:
        conn.close()
    return problems


@dataclass
class Trial:
    """One kill: when, whether the process was still running, what it had done, what is wrong after the re-run."""

    index: int
    when: str
    killed: bool = False
    at_kill: str = ""
    problems: list[str] | None = None

    def line(self) -> str:
        state = f"killed {self.when}" if self.killed else f"finished before {self.when}"
        return f"trial {self.index}: {state} ({self.at_kill}): " + ("; ".join(self.problems or []) or "ok")


@dataclass
class Family:
    """The trials of one family (crawl, import, schedule), with the seed their kill moments were drawn from."""

    name: str
    seed: int
    trials: list[Trial]

    def check(self) -> None:
        """Print every trial; fail listing every bad one, and the seed."""
        print(f"\n{self.name}: seed {self.seed}, {len(self.trials)} trials, "
              f"{sum(t.killed for t in self.trials)} killed mid-run")
        for trial in self.trials:
            print("  " + trial.line())
        bad = [t for t in self.trials if t.problems is None or t.problems]
        assert not bad, (f"{self.name}: {len(bad)} of {len(self.trials)} trials left a bad database (seed "
                         f"{self.seed}; repeat with RECTRACK_CRASH_SEED={self.seed}):\n"
                         + "\n".join(t.line() for t in bad))


# ---- the crawl ------------------------------------------------------------------------------------------

#: Synthesised notices the sample site adds to its bundled ones. Its attachments and the second pages of its
#: lists answer this much later (a slow server), so that a page and the attachment holding its notice, and
#: the notices of a list's first page and those of its second, are written in different batches.
SITE_SCALE = 6
SLOW = 1.0
SLOW_LIST_PAGES = ("/trs/xszg/index_1.html", "/plain/list_1.html", "/plain/notices.jsp?page=2")


@contextmanager
def sample_site(*, slow: bool = True) -> Iterator[SampleSite]:
    """A sample site of its own for one run (same content as every other: same scale and seed); ``slow``:
    its attachments and second list pages answer ``SLOW`` s late."""
    with SampleSite(scale=SITE_SCALE) as site:
        for url in [*site.attachment_urls, *SLOW_LIST_PAGES] if slow else []:
            site.set_fault(url, "slow", delay=SLOW)
        yield site


def write_config(folder: Path, site: SampleSite, schedule: str | None = None) -> Path:
    """A config folder with each column of the sample site as a site of its own (no delay, 4 requests at a
    time: four crawlers side by side, one process), and optionally a schedule."""
    (folder / "sites").mkdir(parents=True, exist_ok=True)
    for column, url in site.list_urls.items():
        name = f"sample-{column.replace('_', '-')}"
        (folder / "sites" / f"{name}.yaml").write_text(
            f"name: {name}\ntitle: 示例站 {column}\nprovince: 湖南省\nstart_urls:\n  - {url}\n"
            "politeness:\n  download_delay: 0\n  concurrency: 4\n  obey_robots: false\n", encoding="utf-8")
    if schedule is not None:
        (folder / "schedule.yaml").write_text(schedule, encoding="utf-8")
    return folder


def on_site(expected: set[tuple[str, int, str]], site: SampleSite) -> set[tuple[str, int, str]]:
    """(path, version, hash) of notices as (notice key, version, hash) on ``site`` (keys are URLs)."""
    return {(site.base_url + path, version, digest) for path, version, digest in expected}


@dataclass
class Reference:
    """An uninterrupted run's notices (for a crawl: keyed by path, the site's port changes) and timeline."""

    expected: set[tuple[str, int, str]]
    timeline: Timeline


def crawl_reference(folder: Path) -> Reference:
    """One uninterrupted crawl of a sample site."""
    folder.mkdir()
    with sample_site() as site:
        db = folder / "reference.db"
        proc = start(["--db", str(db), "crawl", "--config", str(write_config(folder / "config", site))],
                     folder / "reference")
        timeline = watch(proc, Progress.of_site(site))
        assert proc.returncode == 0, (folder / "reference.err").read_text()
        rows = stored_reports(db)
        assert sorted(key for _, key, _, _ in rows) == sorted(site.notice_urls)  # each once, one version
        expected = {(key, version, digest) for _, key, version, digest in rows}
        assert not check_store(db, expected)
        return Reference({(site.local_path(key), version, digest) for key, version, digest in expected}, timeline)


def crawl_trial(folder: Path, ref: Reference, point: KillPoint, trial: Trial) -> None:
    """``rectrack crawl`` killed at ``point``, then run again; what is wrong with the database after."""
    db = folder / "crawl.db"
    with sample_site() as site:
        crawl = ["--db", str(db), "crawl", "--config", str(write_config(folder / "config", site))]
        trial.killed = kill_at(start(crawl, folder / "crawl"), Progress.of_site(site), point)
        trial.at_kill = db_state(db)
        problems = [f"after the kill: {p}" for p in integrity(db)]
        again = run(crawl)
        if again.returncode != 0 or "Traceback" in again.stderr:
            problems.append(f"the re-run exited {again.returncode}: {again.stdout[-300:]} {again.stderr[-600:]}")
        trial.problems = problems + check_store(db, on_site(ref.expected, site))


# ---- import ---------------------------------------------------------------------------------------------


def notice_files(folder: Path) -> Path:
    """A folder of notice files: the bundled samples (.txt, .pdf, .docx) and synthesised notices (.txt)."""
    folder.mkdir()
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, folder / sample.name)
    content = build(scale=IMPORT_SYNTHESISED, seed=7)
    for n, entry in enumerate(e for e in content.entries() if e.is_notice and e.attachment is None):
        (folder / f"synth_{n:03d}.txt").write_text(entry.title + "\n" + entry.text, encoding="utf-8")
    return folder


def import_reference(folder: Path, files: Path) -> Reference:
    """One uninterrupted import of ``files``."""
    folder.mkdir()
    db = folder / "reference.db"
    proc = start(["--db", str(db), "import", str(files)], folder / "reference", pipe=True)
    timeline = watch(proc, Progress.of_import(proc))
    assert proc.returncode == 0, (folder / "reference.err").read_text()
    expected = {(key, version, digest) for _, key, version, digest in stored_reports(db)}
    assert len(timeline.times) == len(list(files.iterdir())) and not check_store(db, expected)
    return Reference(expected, timeline)


def import_trial(folder: Path, ref: Reference, point: KillPoint, trial: Trial, *, files: Path) -> None:
    """``rectrack import`` killed at ``point``, then run again; what is wrong with the database after."""
    db = folder / "import.db"
    command = ["--db", str(db), "import", str(files)]
    proc = start(command, folder / "import", pipe=True)
    trial.killed = kill_at(proc, Progress.of_import(proc), point)
    trial.at_kill = db_state(db)
    problems = [f"after the kill: {p}" for p in integrity(db)]
    again = run(command)
    if again.returncode != 0:
        problems.append(f"the re-run exited {again.returncode}: {again.stderr[-600:]}")
    trial.problems = problems + check_store(db, ref.expected)


# ---- the scheduler --------------------------------------------------------------------------------------

SCHEDULE = ("timezone: UTC\nmisfire_grace_time: 60\njobs:\n  - name: sample-crawl\n    kind: crawl\n"
            "    sites: all\n    cron: '* * * * * *'\n")


def finished_runs(db: Path) -> list[tuple[int, str]]:
    """(id, status) of the finished crawl runs (none while the database or its tables do not exist)."""
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute("SELECT id, status FROM crawl_runs WHERE finished_at IS NOT NULL "
                                "ORDER BY id").fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # tables not created yet
        return []


def schedule_trial(folder: Path, ref: Reference, point: KillPoint, trial: Trial) -> None:
    """``rectrack schedule`` killed (its whole process group) at ``point`` of its crawl job, then started again:
    the dead scheduler's run lock must not block the new one, whose next crawl must complete the store."""
    db, log = folder / "schedule.db", folder / "schedule"
    with sample_site() as site:
        schedule = ["--db", str(db), "schedule", "--config", str(write_config(folder / "config", site, SCHEDULE))]
        trial.killed = kill_at(start(schedule, log), Progress.of_site(site), point)
        trial.at_kill = db_state(db)
        problems = [f"after the kill: {p}" for p in integrity(db)]
        before = max((run_id for run_id, _ in finished_runs(db)), default=0)
        again = start(schedule, folder / "again")
        errors = folder / "again.err"
        deadline = time.monotonic() + 150
        while "job sample-crawl finished" not in errors.read_text(errors="replace") and again.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        again.send_signal(signal.SIGTERM)  # before the next second's run starts, if it can
        try:
            again.wait(timeout=120)
        finally:
            kill_group(again)
        stderr = errors.read_text(errors="replace")
        after = [status for run_id, status in finished_runs(db) if run_id > before]
        if len(after) < len(site.list_urls) or set(after) != {"ok"}:
            problems.append(f"no complete crawl after the restart (runs {after}): {stderr[-800:]}")
        if again.returncode != 0 or "Traceback" in stderr:
            problems.append(f"the restarted scheduler exited {again.returncode}: {stderr[-800:]}")
        trial.problems = problems + check_store(db, on_site(ref.expected, site))


# ---- the families, side by side -------------------------------------------------------------------------

#: Each family's test, by family.
TESTS = {"crawl": "test_crawl_killed_at_random_moments_then_run_again",
         "import": "test_import_killed_at_random_moments_then_run_again",
         "schedule": "test_scheduler_killed_mid_crawl_then_restarted"}


@pytest.fixture(scope="module")
def families(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             full_counts: bool) -> Iterator[dict[str, Future[Family]]]:
    """The selected families' trials, run side by side (``PARALLEL`` at a time): a crawl mostly waits for the
    site's pacing, an import mostly parses, so together they take little more time than the longest alone."""
    chosen = {family for family, test in TESTS.items()
              if any(item.originalname == test for item in request.session.items)}
    root = tmp_path_factory.mktemp("crash")
    trials = ThreadPoolExecutor(PARALLEL)
    runners = ThreadPoolExecutor(len(TESTS) + 1)

    def family(name: str, reference: Callable[[], Reference], count: int, phases: tuple[str, ...], unit: str,
               one: Callable[[Path, Reference, KillPoint, Trial], None]) -> Family:
        ref = reference()
        seed = crash_seed()
        points = KillPoint.series(random.Random(seed), ref.timeline, count, unit=unit, phases=phases)
        runs = [Trial(i, str(point)) for i, point in enumerate(points)]
        folders = [root / f"{name}{i}" for i in range(count)]
        for folder in folders:
            folder.mkdir()
        list(trials.map(one, folders, [ref] * count, points, runs))
        return Family(name, seed, runs)

    out: dict[str, Future[Family]] = {}
    if chosen & {"crawl", "schedule"}:
        crawled = runners.submit(crawl_reference, root / "crawl-reference")
        if "crawl" in chosen:
            out["crawl"] = runners.submit(family, "crawl", crawled.result, CRAWL_TRIALS[full_counts],
                                          ("work", "end", "start"), "request", crawl_trial)
        if "schedule" in chosen:
            out["schedule"] = runners.submit(family, "schedule", crawled.result, SCHEDULE_TRIALS[full_counts],
                                             ("work", "end"), "request", schedule_trial)
    if "import" in chosen:
        files = notice_files(root / "files")
        out["import"] = runners.submit(family, "import", partial(import_reference, root / "import-reference", files),
                                       IMPORT_TRIALS[full_counts], ("work", "end", "start"), "file",
                                       partial(import_trial, files=files))
    try:
        yield out
    finally:
        runners.shutdown(wait=True)
        trials.shutdown(wait=True)


def test_crawl_killed_at_random_moments_then_run_again(families: dict[str, Future[Family]]) -> None:
    families["crawl"].result().check()


def test_import_killed_at_random_moments_then_run_again(families: dict[str, Future[Family]]) -> None:
    families["import"].result().check()


def test_scheduler_killed_mid_crawl_then_restarted(families: dict[str, Future[Family]]) -> None:
    """The scheduler killed in its crawl job restarts without a stale lock and completes the store."""
    families["schedule"].result().check()
