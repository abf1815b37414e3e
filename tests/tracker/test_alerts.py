"""Alert rules on real databases (SQLite and PostgreSQL) and on in-memory reports: every kind,
issue histories across reports, stable keys, and awkward input."""

from __future__ import annotations

from datetime import date

from crawler.parse.schema import Inspection, Report
from storage.crawllog import CrawlLog
from tests.tracker.factory import RECTS, ROUND_2021, TITLES, issue, report
from tracker.alerts import AlertsConfig, collect, collect_reports
from tracker.alerts.diff import text_diff

URL = "https://www.hetang.gov.cn/xxgk/tzgg/{}.html"
STUCK = "正在推进教学楼加固工程,已完成方案设计,下一步将组织施工。"
TODAY = date(2026, 1, 1)


def story() -> list[Report]:
    """Four notices: issue 1 stalled twice (r1→r2→r3) then completed (r4); issue 2 completed then
    reopened (regressed, r1→r2); issue 3 dropped (r2→r3); issue 4 stays open throughout."""
    days = [date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)]
    first = [STUCK, STUCK + "目前正在持续推进。", STUCK + "目前正在持续推进。", "教学楼加固工程已全部完成,已通过验收。"]
    status1 = ["in_progress", "in_progress", "in_progress", "completed"]
    reports = []
    for k, day in enumerate(days):
        issues = [issue("1", TITLES[1], first[k], status1[k])]
        issues[0].status_evidence = ["已全部完成"] if k == 3 else ["正在推进", "下一步将"]
        issues.append(issue("2", TITLES[2], RECTS[2] + ("已全部整改到位。" if k == 0 else "正在推进。"),
                             "completed" if k == 0 else "in_progress"))
        if k < 2:
            issues.append(issue("3", TITLES[3], RECTS[3], "unclear"))
        issues.append(issue(str(len(issues) + 1), TITLES[4], RECTS[4] + "正在推进。" * (k + 1), "in_progress"))
        r = report(day, issues, url=URL.format(k + 1))
        reports.append(r)
    return reports


def by_kind(alerts, kind: str) -> list:
    return [a for a in alerts if a.kind == kind]


def test_stalled_twice_then_resolved(store) -> None:
    ids = [store.ingest(r, raw=None).report_id for r in story()]
    result = collect(store, AlertsConfig(), today=TODAY)
    first_issue = [a for a in result.alerts if a.title == TITLES[1]]
    stalled = by_kind(first_issue, "stalled")
    assert [(a.earlier.id, a.later.id) for a in stalled] == [(ids[0], ids[1]), (ids[1], ids[2])]
    assert [a.date for a in stalled] == [date(2025, 6, 1), date(2025, 9, 1)]
    (unresolved,) = by_kind(first_issue, "unresolved")
    assert (unresolved.earlier.id, unresolved.later.id) == (ids[0], ids[2]) and unresolved.details["reports"] == 3
    assert not by_kind(first_issue, "overdue") and not by_kind(first_issue, "dropped")
    # the history is the whole thread, with dates, statuses and source URLs: it ends resolved
    history = stalled[0].history
    assert [s.report.id for s in history] == ids
    assert [s.status for s in history] == ["in_progress"] * 3 + ["completed"]
    assert [s.change for s in history] == [None, "stalled", "stalled", "resolved"]
    assert [s.report.source_url for s in history] == [URL.format(n) for n in range(1, 5)]
    assert history[-1].evidence  # the phrase that made it completed
    # the text change of the first stall: only the added sentence
    assert [(s.op, s.text) for s in stalled[0].diff] == [("equal", STUCK), ("insert", "目前正在持续推进。")]
    assert [s.op for s in stalled[1].diff] == ["equal"]
    assert stalled[0].kept == 1.0 and "stalled" in stalled[0].kind_label


def test_every_issue_kind(store) -> None:
    ids = [store.ingest(r, raw=None).report_id for r in story()]
    alerts = collect(store, AlertsConfig(), today=TODAY).alerts
    (regressed,) = by_kind(alerts, "regressed")
    assert regressed.title == TITLES[2] and (regressed.earlier.id, regressed.later.id) == (ids[0], ids[1])
    assert regressed.status == "in_progress" and "reported completed on 2025-03-01" in regressed.message
    assert {s.op for s in regressed.diff} >= {"delete", "insert"}
    (dropped,) = by_kind(alerts, "dropped")
    assert dropped.title == TITLES[3] and (dropped.earlier.id, dropped.later.id) == (ids[1], ids[2])
    assert dropped.history[-1].status is None and dropped.history[-1].change == "dropped"
    assert dropped.diff is None and dropped.rectification == RECTS[3]
    overdue = by_kind(alerts, "overdue")  # feedback 2024-12-28, latest report 2025-12-01: 338 days
    assert [a.title for a in overdue] == [TITLES[2], TITLES[4]]
    assert overdue[0].details == {"feedback_on": "2024-12-28", "as_of": "2025-12-01", "days": 338, "limit": 180}
    assert [s.status for s in overdue[0].history] == ["completed"] + ["in_progress"] * 3
    unresolved = {a.title: a.details["reports"] for a in by_kind(alerts, "unresolved")}
    assert unresolved == {TITLES[1]: 3, TITLES[2]: 3, TITLES[4]: 4}
    assert not by_kind(alerts, "recurring") and not by_kind(alerts, "followup_overdue")
    later = collect(store, AlertsConfig(), today=date(2027, 1, 1)).alerts
    (followup,) = by_kind(later, "followup_overdue")
    assert followup.later.id == ids[3] and followup.date == date(2026, 12, 1)
    assert followup.details["open_issues"] == 2 and followup.details["days"] == 396


def test_recurring_stated_and_across_rounds() -> None:
    old = report(date(2021, 12, 1), [issue("1", TITLES[5], RECTS[5], "in_progress")], inspection=ROUND_2021,
                 url=URL.format("old"))
    new_title = "上轮巡视指出的警示教育问题,本轮巡视仍然存在。"
    new = report(date(2025, 6, 1), [issue("1", TITLES[5], "正在推进。", "in_progress"),
                                     issue("2", new_title, RECTS[0], "unclear")], url=URL.format("new"))
    alerts = collect_reports([old, new], today=TODAY).alerts
    recurring = {a.title: a for a in by_kind(alerts, "recurring")}
    assert set(recurring) == {TITLES[5], new_title}
    assert recurring[TITLES[5]].details["previous_label"] == "1"
    assert "same as issue 1 of the previous round" in recurring[TITLES[5]].message
    assert recurring[new_title].details["stated"] and recurring[new_title].date == date(2025, 6, 1)
    # a stated recurrence in a unit's first report is flagged too
    (first,) = by_kind(collect_reports([new], today=TODAY).alerts, "recurring")
    assert first.title == new_title and first.earlier is None


def test_sub_issues_are_followed_too() -> None:
    sub = issue("1-2", "财税收入质量不高。", "正在推进税源培育,下一步将加强征管。", "in_progress")
    a = report(date(2025, 1, 1), [issue("1", TITLES[0], RECTS[0], "partial", subs=[sub])], url=URL.format("a"))
    b = report(date(2025, 7, 1), [issue("1", TITLES[0], RECTS[0] + "新增措施:已建成并投用。", "completed",
                                        subs=[sub])], url=URL.format("b"))
    stalled = by_kind(collect_reports([a, b], today=TODAY).alerts, "stalled")
    assert [(x.label, x.details.get("sub_issue_of")) for x in stalled] == [("1-2", "1")]


def test_keys_are_stable_and_distinct(db_url: str) -> None:
    from storage.repository import open_store

    keys = []
    for _ in range(2):  # the same notices in a fresh database: the same keys (identity by source URL)
        with open_store(db_url) as store:
            for r in story():
                store.ingest(r, raw=None)
            keys.append([a.key for a in collect(store, AlertsConfig(), today=TODAY).alerts])
            with store.engine.begin() as conn:  # empty it for the next round
                for table in ("issues", "reports", "unit_names", "units"):
                    conn.exec_driver_sql(f"DELETE FROM {table}")
    assert keys[0] == keys[1] and len(set(keys[0])) == len(keys[0])
    # a later notice adds alerts but keeps the earlier ones' keys
    reports = story()
    extra = report(date(2026, 3, 1), reports[-1].issues, url=URL.format(5))
    before = {a.key for a in collect_reports(reports, today=TODAY).alerts
              if a.kind not in ("unresolved", "overdue")}  # these two are filed under the latest report
    after = {a.key for a in collect_reports([*reports, extra], today=TODAY).alerts}
    assert before <= after


def test_rules_can_be_switched_off_and_tuned() -> None:
    config = AlertsConfig.model_validate({"rules": {"stalled": False, "overdue": {"days": 400},
                                                    "unresolved": {"reports": 4}}})
    alerts = collect_reports(story(), config, today=TODAY).alerts
    assert not by_kind(alerts, "stalled") and not by_kind(alerts, "overdue")
    assert [a.title for a in by_kind(alerts, "unresolved")] == [TITLES[4]]
    today = AlertsConfig.model_validate({"rules": {"overdue": {"as_of": "today", "days": 365}}})
    late = by_kind(collect_reports(story(), today, today=TODAY).alerts, "overdue")[-1]
    assert late.title == TITLES[4] and late.details["as_of"] == "2026-01-01" and late.details["days"] == 369
    only = collect_reports(story(), today=TODAY, kinds=["dropped"]).alerts
    assert [a.kind for a in only] == ["dropped"]


def test_awkward_reports() -> None:
    # one report: nothing to compare, but an overdue or recurring issue is still an alert
    (one,) = [collect_reports([story()[0]], today=TODAY)]
    assert {a.kind for a in one.alerts} <= {"overdue", "recurring", "followup_overdue"}
    # reports without dates, two on the same day, a report with zero issues
    day = date(2025, 5, 1)
    reports = [report(day, [issue("1", TITLES[0], RECTS[0], "partial")], url=URL.format("s1")),
               report(day, [issue("1", TITLES[0], RECTS[0], "partial")], title="同日第二份通报", url=URL.format("s2")),
               report(None, [], url=URL.format("undated"))]
    alerts = collect_reports(reports, today=TODAY).alerts
    kinds = {a.kind: a for a in alerts}
    assert set(kinds) == {"stalled", "dropped"}
    assert kinds["dropped"].date is None and kinds["dropped"].later.published_on is None
    assert collect_reports([report(None, [])], today=TODAY).alerts == []
    # no feedback date: no overdue alert, and nothing guessed
    bare = report(date(2025, 5, 1), [issue("1", TITLES[0], RECTS[0], "unclear")], inspection=Inspection())
    assert not by_kind(collect_reports([bare], today=TODAY).alerts, "overdue")


def test_site_failing(store) -> None:
    log = CrawlLog(store)
    statuses = {"good": ["failed", "failed", "ok"], "flaky": ["ok", "failed", "failed"],
                "down": ["ok", "failed", "failed", "failed", "failed"]}
    runs = {}
    for site, outcomes in statuses.items():
        for status in outcomes:
            run = log.start_run(site)
            log.finish_run(run, status=status, counts={}, failures=[{"url": "https://x.gov.cn/", "reason": "HTTP 503"}])
            runs.setdefault(site, []).append(run)
    log.start_run("down")  # a run still going does not break the streak
    (alert,) = collect(store, AlertsConfig(), today=TODAY).alerts
    assert alert.kind == "site_failing" and alert.site == "down" and alert.details["runs"] == 4
    assert alert.details["first_run_id"] == runs["down"][1] and alert.details["last_failures"] == ["HTTP 503"]
    key = alert.key
    run = log.start_run("down")
    log.finish_run(run, status="failed", counts={}, failures=[])
    assert [a.key for a in collect(store, AlertsConfig(), today=TODAY).alerts] == [key]  # same streak, same alert
    assert collect(store, AlertsConfig(), unit=None, kinds=["stalled"], today=TODAY).alerts == []


def test_diff_is_deterministic_and_readable() -> None:
    old, new = "一是建立台账,二是加强督导,已完成3处整改。", "一是建立台账,二是加强督导,已完成5处整改,其余正在推进。"
    segments = text_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert segments == text_diff(old, new)
    unrelated = text_diff("甲乙丙丁戊己庚辛", "子丑寅卯辰巳午未")
    assert [s.op for s in unrelated] == ["delete", "insert"]
    assert text_diff("", "") == [] and [s.op for s in text_diff(None, "新")] == ["insert"]
