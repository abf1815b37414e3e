"""Faults: every fault kind of the sample site, injected on each place a crawl meets it.

Each fault kind gets sample sites of its own, with the fault on several places at once: a listed
notice's detail page, a list page past the first, an attachment (the full count adds a Hanweb
notice, the second page of a split notice, the TRS, Hanweb-dataproxy and ``?page=N`` list pages and
the PDF attachment, on a second site per kind). All sites are crawled together, one configured site
each, in one crawl process (run 1): every fault must end recorded with a reason that names it (the
summary, the run's ``crawl_runs`` row, ``fetches``) after a bounded number of attempts, and every
other notice must be stored. Then the faults are cleared and run 2 must fetch what was missed and
store it, once, under its notice's URL.

One more site keeps its faults through both runs: they stay reported in each run with bounded
attempts, and a page that reached the crawl log's failure limit is not tried again.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import Politeness, SiteConfig
from crawler.runner import IMPOLITE, CrawlSummary, crawl_in_subprocess
from crawler.samplesite import SampleSite
from crawler.samplesite.content import COLUMNS
from storage.crawllog import CrawlLog
from storage.models import CrawlRun, Fetch, ReportRow
from storage.repository import open_store

RETRY_TIMES = 1
#: The crawl tests' settings (no politeness on 127.0.0.1, 5 s timeouts: stalls stay cheap), one retry.
SETTINGS = {**IMPOLITE, "LOG_LEVEL": "CRITICAL", "RETRY_TIMES": RETRY_TIMES, "DOWNLOAD_TIMEOUT": 5,
            "DNS_TIMEOUT": 5}
#: ``CrawlLog.failed_pages``' default limit: a page that failed this often is not retried any more.
MAX_FAILURES = 5
#: Four synthesised notices: each column's first list page then shows a notice no fault touches, and the
#: ``?page=N`` column has one on its second page.
SCALE = 4
PROXY = "/module/web/jpage/dataproxy.jsp"


# ---------------------------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class Kind:
    """A fault kind and what the crawl log must say about it."""

    name: str
    #: The recorded reason must match this (``re.search``).
    reason: str
    #: The HTTP status recorded with the failure (None: no usable response).
    status: int | None
    #: Requests for the faulty URL the site sees in one run, (least, most); None: the site cannot tell
    #: (a ``timeout`` is logged only when it answers, after the crawler gave up).
    attempts: tuple[int, int] | None


RETRIED = (1 + RETRY_TIMES, 1 + RETRY_TIMES)
KINDS = {k.name: k for k in (
    Kind("500", r"^HTTP 500\b", 500, RETRIED),
    Kind("502", r"^HTTP 502\b", 502, RETRIED),
    Kind("503", r"^HTTP 503\b", 503, RETRIED),
    Kind("404", r"^HTTP 404\b", 404, (1, 1)),                   # not retried: gone is gone
    # a reset on a reused keep-alive connection is retried once more by the connection pool itself
    Kind("reset", r"\breset\b|connection lost", None, (1 + RETRY_TIMES, 2 * (1 + RETRY_TIMES))),
    Kind("stall", r"^timed out", None, RETRIED),                # headers and half the body, then silence
    Kind("timeout", r"^timed out", None, None),                 # no answer at all
    Kind("truncate", r"^truncated", None, RETRIED),             # Content-Length larger than the body
    Kind("short_length", r"^truncated", None, (1, 1)),          # Content-Length half the body's
    Kind("redirect_loop", r"^too many redirects", None, (1, 1)),
    Kind("challenge_412", r"^blocked: .*JavaScript challenge \(HTTP 412\)", 412, (1, 1)),
    Kind("challenge_521", r"^blocked: .*JavaScript challenge \(HTTP 521\)", 521, (1, 1)),
    Kind("dns", r"^DNS lookup failed", None, (0, 0)),           # the link points to a host that cannot resolve
)}


# ---------------------------------------------------------------------------------------------- places


def _notices_in(site: SampleSite, key: str, first: int, last: int) -> set[str]:
    """Notice URLs among entries ``first`` … ``last - 1`` of a column (one list page, or a dataproxy group)."""
    return {site.base_url + e.path for e in site.content.columns[key][first:last] if e.is_notice}


def _page_range(key: str, page: int) -> tuple[int, int]:
    size = 45 if key == "hanweb" else COLUMNS[key].per_page  # Hanweb: the inline group, then dataproxy groups
    return page * size, (page + 1) * size


def _on_page(key: str, page: int) -> Callable[[SampleSite], set[str]]:
    return lambda site: _notices_in(site, key, *_page_range(key, page))


def _notice(key: str, page: int, *, attachment: bool = False) -> Callable[[SampleSite], str]:
    """The first notice (by URL) of a column's list page; with ``attachment``, a notice that is in one."""
    def url(site: SampleSite) -> str:
        return min(u for u in _on_page(key, page)(site) if bool(site.notices[u].attachment_url) == attachment)
    return url


def _attachment(key: str, page: int) -> Callable[[SampleSite], str]:
    def url(site: SampleSite) -> str:
        found = site.notices[_notice(key, page, attachment=True)(site)].attachment_url
        assert found is not None
        return found
    return url


@dataclass(frozen=True)
class Place:
    """Where a fault is met: its URL on a site, and the notices a crawl cannot store while it lasts."""

    name: str
    #: ``a``: the CI count; ``b``: added at the full count (on a second site per kind).
    group: str
    target: Callable[[SampleSite], str]
    hides: Callable[[SampleSite], set[str]]
    #: A list page's column (its first page must show a notice no fault hides, so that run 2 meets a known
    #: notice before the page that failed); None for other places.
    column: str | None = None
    #: Whether pages link it by an href a ``dns`` fault can move (not a TRS script pager, not a POST).
    movable: bool = True
    #: A later page or an attachment: the notice is stored under another URL.
    part: bool = False


def _single(url: Callable[[SampleSite], str]) -> Callable[[SampleSite], set[str]]:
    return lambda site: {url(site)}


def _notice_of(url: Callable[[SampleSite], str]) -> Callable[[SampleSite], set[str]]:
    """The notice an attachment or a later page belongs to."""
    return lambda site: {n.url for n in site.notices.values()
                         if n.attachment_url == url(site) or url(site) in n.part_urls[1:]}


def _second_part(site: SampleSite) -> str:
    return site.notices[site.multipage_notice_url].part_urls[1]


PLACES = {p.name: p for p in (
    # group a, the CI count: the plain and ?page=N columns
    Place("detail", "a", _notice("plain_jsp", 0), _single(_notice("plain_jsp", 0))),
    Place("list", "a", lambda s: s.base_url + "/plain/list_1.html", _on_page("plain", 1), column="plain"),
    Place("attachment", "a", _attachment("plain", 0), _notice_of(_attachment("plain", 0)), part=True),
    # group b, added at the full count: every column
    Place("detail_hanweb", "b", _notice("hanweb", 0), _single(_notice("hanweb", 0))),
    Place("continuation", "b", _second_part, _notice_of(_second_part), part=True),
    Place("list_trs", "b", lambda s: s.base_url + "/trs/xszg/index_1.html", _on_page("trs", 1), column="trs",
          movable=False),
    Place("list_hanweb", "b", lambda s: f"{s.base_url}{PROXY}?startrecord=46&endrecord=90&perpage=15",
          _on_page("hanweb", 1), column="hanweb", movable=False),
    Place("list_jsp", "b", lambda s: s.base_url + "/plain/notices.jsp?page=2", _on_page("plain_jsp", 1),
          column="plain_jsp"),
    Place("attachment_pdf", "b", _attachment("plain", 1), _notice_of(_attachment("plain", 1)), part=True),
)}
GROUP_COLUMNS = {"a": ("plain", "plain_jsp"), "b": tuple(COLUMNS)}


def applies(kind: str, place: Place) -> bool:
    return kind != "dns" or place.movable


def full_count(config: pytest.Config) -> bool:
    """What the ``full_counts`` fixture says, for parametrising at collection time."""
    return bool(config.getoption("--full")) or os.environ.get("RECTRACK_FULL_TESTS") == "1"


def cases(full: bool) -> list[tuple[str, str]]:
    """Every (kind, place) fault injected: 39 at the CI count, 115 at the full count."""
    groups = ("a", "b") if full else ("a",)
    return [(kind, p.name) for p in PLACES.values() if p.group in groups for kind in KINDS if applies(kind, p)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", [pytest.param(c, id=f"{c[0]}-{c[1]}") for c in cases(full_count(metafunc.config))])
    if "kind" in metafunc.fixturenames:
        metafunc.parametrize("kind", KINDS)


# ---------------------------------------------------------------------------------------------- the campaign


@dataclass
class Outcome:
    """One run as the tests look at it."""

    summary: CrawlSummary
    #: Site name → its result's failures (url → reason).
    failures: dict[str, dict[str, str]]
    #: Site name → failures of its ``crawl_runs`` row (url → reason).
    run_failures: dict[str, dict[str, str]]
    #: URL → (status, error) of its failed fetches in this run.
    fetch_errors: dict[str, list[tuple[int | None, str]]]
    #: Every stored report's source URL (a URL twice: stored twice).
    stored: list[str]
    #: Source URL → sha256 of the bytes each of its reports was parsed from.
    parsed_from: dict[str, list[str]]
    #: URL → sha256 of its latest download with status 200 (a later page of a notice is logged so).
    downloaded: dict[str, str]
    #: Site name → requests its sample site saw (method, path, status).
    requests: dict[str, list[tuple[str, str, int]]]

    def attempts(self, site: SampleSite, name: str, url: str) -> int:
        path = site.local_path(url)
        return sum(1 for _, p, _ in self.requests[name] if p == path)

    def stored_of(self, site: SampleSite) -> list[str]:
        return sorted(u for u in self.stored if u.startswith(site.base_url + "/"))


@dataclass
class Campaign:
    db: str
    sites: dict[str, SampleSite] = field(default_factory=dict)
    #: (kind, place) → the name of the site it is on.
    case_sites: dict[tuple[str, str], str] = field(default_factory=dict)
    runs: list[Outcome] = field(default_factory=list)
    #: Place → kind of the faults that last, on the site ``persistent``.
    persistent: dict[str, str] = field(default_factory=dict)
    #: A page of the persistent site that already failed ``MAX_FAILURES - 1`` times.
    withdrawn: str = ""

    def hidden(self, name: str) -> set[str]:
        """Notices of a site that the faults of run 1 keep from the crawl."""
        site = self.sites[name]
        if name == "persistent":
            places = [PLACES[p] for p in self.persistent]
        else:
            places = [PLACES[p] for (_, p), on in self.case_sites.items() if on == name]
        return set().union(*(p.hides(site) for p in places))

    def reachable(self, name: str) -> set[str]:
        """Notices of the columns a site's crawl starts from."""
        columns = GROUP_COLUMNS["a" if name == "persistent" else name.rsplit("-", 1)[1]]
        return {u for u, n in self.sites[name].notices.items() if n.column in columns}


def _config(name: str, site: SampleSite, columns: tuple[str, ...]) -> SiteConfig:
    return SiteConfig(name=name, title=name, start_urls=[site.list_urls[key] for key in columns],
                      allowed_domains=["127.0.0.1", site.unresolvable_host],
                      politeness=Politeness(download_delay=0, concurrency=4, obey_robots=False))


def _run(campaign: Campaign, configs: list[SiteConfig]) -> Outcome:
    for site in campaign.sites.values():
        site.clear_requests()
    with open_store(campaign.db) as store, Session(store.engine) as session:
        last_fetch = session.scalar(select(Fetch.id).order_by(Fetch.id.desc()).limit(1)) or 0
    summary = crawl_in_subprocess(campaign.db, configs, [], overrides=SETTINGS, timeout=300)
    with open_store(campaign.db) as store, Session(store.engine) as session:
        errors: dict[str, list[tuple[int | None, str]]] = {}
        for url, status, error in session.execute(select(Fetch.url, Fetch.http_status, Fetch.error)
                                                  .where(Fetch.id > last_fetch, Fetch.error.is_not(None))):
            errors.setdefault(url, []).append((status, error))
        ids = {r.name: r.stats.get("rectrack/run_id") for r in summary.results}
        rows = {r.id: r for r in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(ids.values())))}
        run_failures = {name: {f["url"]: f["reason"] for f in rows[i].failures} for name, i in ids.items()}
        stored = list(session.scalars(select(ReportRow.source_url)))
        parsed_from: dict[str, list[str]] = {}
        for url, digest in session.execute(select(ReportRow.source_url, Fetch.content_hash)
                                           .join(Fetch, ReportRow.fetch_id == Fetch.id)):
            parsed_from.setdefault(url, []).append(digest)
        downloaded = {url: digest for url, digest in session.execute(
            select(Fetch.url, Fetch.content_hash).where(Fetch.http_status == 200).order_by(Fetch.id))}
    return Outcome(summary, {r.name: {f["url"]: f["reason"] for f in r.failures} for r in summary.results},
                   run_failures, errors, stored, parsed_from, downloaded,
                   {name: s.requests for name, s in campaign.sites.items()})


def _served(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return hashlib.sha256(response.read()).hexdigest()


def assert_whole(outcome: Outcome, site: SampleSite, urls: set[str]) -> None:
    """Each notice was parsed from the whole of what the site serves for it (its page or its attachment,
    and its later pages), not from a part cut short."""
    for url in urls:
        notice = site.notices[url]
        source = notice.attachment_url or url
        assert outcome.parsed_from.get(url) == [_served(source)], f"{url} was not parsed from the whole of {source}"
        for part in notice.part_urls[1:]:
            assert outcome.downloaded.get(part) == _served(part), f"{url}: its page {part} was cut short"


@pytest.fixture(scope="module")
def campaign(full_counts: bool, request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    """Runs 1 and 2 over every fault site and the persistent site."""
    assert full_counts == full_count(request.config)
    campaign = Campaign(f"sqlite:///{tmp_path_factory.mktemp('faults') / 'crawl.db'}")
    configs: list[SiteConfig] = []
    try:
        for group in ("a", "b") if full_counts else ("a",):
            for kind in KINDS:
                name = f"{kind}-{group}"
                site = campaign.sites[name] = SampleSite(scale=SCALE).start()
                configs.append(_config(name, site, GROUP_COLUMNS[group]))
                for place in PLACES.values():
                    if place.group == group and applies(kind, place):
                        site.set_fault(place.target(site), kind)
                        campaign.case_sites[kind, place.name] = name
        # the persistent site: a listed notice that is gone, an attachment and a list page that keep failing
        site = campaign.sites["persistent"] = SampleSite(scale=SCALE).start()
        configs.append(_config("persistent", site, GROUP_COLUMNS["a"]))
        campaign.persistent = {"detail": "404", "attachment": "503", "list": "502"}
        for place_name, kind in campaign.persistent.items():
            site.set_fault(PLACES[place_name].target(site), kind)
        # a notice withdrawn from the site that failed in earlier runs, one failure short of the limit
        campaign.withdrawn = site.base_url + "/plain/xsxc/withdrawn.shtml"
        with open_store(campaign.db) as store:
            for _ in range(MAX_FAILURES - 1):
                CrawlLog(store).record_fetch(campaign.withdrawn, kind="detail", http_status=404, error="HTTP 404")
        # each list place's column shows an untouched notice on its first page (run 2 stops there unless fixed)
        for (_, place_name), name in campaign.case_sites.items():
            column = PLACES[place_name].column
            if column is not None:
                site = campaign.sites[name]
                assert _on_page(column, 0)(site) - campaign.hidden(name), (name, place_name)

        campaign.runs.append(_run(campaign, configs))
        for name, running in campaign.sites.items():
            if name != "persistent":
                running.clear_faults()
        campaign.runs.append(_run(campaign, configs))
        yield campaign
    finally:
        for running in campaign.sites.values():
            running.stop()


def faulty_url(kind: Kind, site: SampleSite, target: str) -> str:
    """The URL a crawler requests for ``target`` while the fault lasts (a ``dns`` fault moves the link)."""
    return f"http://{site.unresolvable_host}{site.local_path(target)}" if kind.name == "dns" else target


def _case(campaign: Campaign, case: tuple[str, str]) -> tuple[Kind, Place, str, SampleSite, str]:
    """The case's kind, place, site name, site, and the URL the crawler meets the fault at."""
    kind, place = KINDS[case[0]], PLACES[case[1]]
    name = campaign.case_sites[case]
    site = campaign.sites[name]
    return kind, place, name, site, faulty_url(kind, site, place.target(site))


def _failure_of(failures: dict[str, str], url: str, place: Place, site: SampleSite) -> tuple[str, str]:
    """The one failure recorded for a fault at ``url``: under the URL itself or, for a later page or an
    attachment, under its notice's URL."""
    owners = place.hides(site) if place.part else set()
    found = [(u, reason) for u, reason in failures.items() if u == url or u in owners]
    assert len(found) == 1, f"expected one failure for {url}, got {failures}"
    return found[0]


def _dead(site: SampleSite, url: str) -> bool:
    return url.startswith(f"http://{site.unresolvable_host}/")


# ---------------------------------------------------------------------------------------------- run 1


def test_fault_is_recorded_with_its_reason(campaign: Campaign, case: tuple[str, str]) -> None:
    """Run 1: the fault is in the summary, in the run's row and in the fetches, with a reason naming it,
    after a bounded number of attempts."""
    kind, place, name, site, url = _case(campaign, case)
    first = campaign.runs[0]
    logged_as, reason = _failure_of(first.failures[name], url, place, site)
    assert re.search(kind.reason, reason), reason
    assert first.run_failures[name][logged_as] == reason
    assert (kind.status, reason) in first.fetch_errors.get(logged_as, []), first.fetch_errors.get(logged_as)
    if kind.attempts is not None:
        least, most = kind.attempts
        attempts = first.attempts(site, name, place.target(site))
        assert least <= attempts <= most, f"{attempts} requests for {url}"


def test_the_rest_of_the_crawl_goes_on(campaign: Campaign, kind: str) -> None:
    """Run 1: every notice no fault hides is stored, once; one failure per fault; the run is partial."""
    first = campaign.runs[0]
    for name in [n for n in campaign.sites if n.startswith(kind + "-")]:
        site = campaign.sites[name]
        assert first.stored_of(site) == sorted(campaign.reachable(name) - campaign.hidden(name)), name
        assert_whole(first, site, set(first.stored_of(site)))
        (result,) = [r for r in first.summary.results if r.name == name]
        faults = [case for case, on in campaign.case_sites.items() if on == name]
        assert len(result.failures) == len(faults), result.failures
        assert result.status == "partial"
    assert first.summary.exit_code == 0


# ---------------------------------------------------------------------------------------------- run 2


def test_next_run_retries_and_stores_what_was_missed(campaign: Campaign, case: tuple[str, str]) -> None:
    """Run 2, the fault cleared: what it kept from the crawl is fetched and stored, once, under its notice URL."""
    _, place, name, site, _ = _case(campaign, case)
    second = campaign.runs[1]
    hidden = place.hides(site)
    # only links that are gone may fail again: the dead-host URLs of run 1, retried up to the limit
    assert not [u for u in second.failures[name] if not _dead(site, u)], second.failures[name]
    assert sorted(u for u in second.stored if u in hidden) == sorted(hidden)
    assert_whole(second, site, hidden)
    part = place.target(site)  # a later page or an attachment is part of its notice, not a notice of its own
    assert part in site.notice_urls or part not in second.stored, f"{part} stored as a notice"


def test_next_run_leaves_every_site_whole(campaign: Campaign, kind: str) -> None:
    """Run 2: each site of this kind has every notice of its columns, each once, and nothing else."""
    second = campaign.runs[1]
    for name in [n for n in campaign.sites if n.startswith(kind + "-")]:
        site = campaign.sites[name]
        assert second.stored_of(site) == sorted(campaign.reachable(name)), name
        assert_whole(second, site, set(second.stored_of(site)))


# ---------------------------------------------------------------------------------------------- persistent


def test_persistent_faults_stay_reported_with_bounded_attempts(campaign: Campaign) -> None:
    """Faults that last: reported by every run, each with its reason, after bounded attempts; nothing else lost."""
    site = campaign.sites["persistent"]
    for number, run in enumerate(campaign.runs, 1):
        for place_name, kind_name in campaign.persistent.items():
            kind, place = KINDS[kind_name], PLACES[place_name]
            target = place.target(site)
            _, reason = _failure_of(run.failures["persistent"], target, place, site)
            assert re.search(kind.reason, reason), (number, reason)
            assert kind.attempts is not None
            assert kind.attempts[0] <= run.attempts(site, "persistent", target) <= kind.attempts[1], number
        expected = campaign.reachable("persistent") - campaign.hidden("persistent")
        assert run.stored_of(site) == sorted(expected), number


def test_a_page_failing_too_often_is_given_up(campaign: Campaign) -> None:
    """The withdrawn page is tried once more in run 1 (its last allowed failure), and not in run 2; its
    failures stay in the crawl log."""
    site = campaign.sites["persistent"]
    first, second = campaign.runs
    assert first.attempts(site, "persistent", campaign.withdrawn) == 1
    assert first.failures["persistent"][campaign.withdrawn] == "HTTP 404"
    assert second.attempts(site, "persistent", campaign.withdrawn) == 0
    assert campaign.withdrawn not in second.failures["persistent"]
    with open_store(campaign.db) as store:
        with Session(store.engine) as session:
            errors = session.scalars(select(Fetch.error).where(Fetch.url == campaign.withdrawn)).all()
        assert errors == ["HTTP 404"] * MAX_FAILURES
        assert campaign.withdrawn not in CrawlLog(store).failed_pages([site.base_url + "/"])
