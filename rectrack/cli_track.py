"""`rectrack track`: each unit's reports compared with the one before them, issue by issue.

JSON (``--json``) is streamed unit by unit, so a large store needs memory for one batch of
units only; the table view is for a terminal (rich, like the other commands).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import click

from .dbopt import open_db
from .errors import UserError


@click.command()
@click.option("--unit", metavar="NAME",
              help="Only this unit: any name it was seen under (荷塘区, 中共株洲市荷塘区委, 株洲市荷塘区), "
                   "its adcode, or part of a name.")
@click.option("--json", "as_json", is_flag=True,
              help="Print {\"units\": [...]} as in SCHEMA.md (plus ids, kept/fresh shares, recurring, evidence).")
@click.pass_context
def track(ctx: click.Context, unit: str | None, as_json: bool) -> None:
    """Compare each unit's notices in date order: what was closed, resolved, stalled, dropped or regressed."""
    store = open_db(ctx)
    histories = _histories(store, unit)
    if as_json:
        _print_json(histories)
    else:
        _print_tables(histories, unit)


def _histories(store, unit: str | None) -> Iterator:
    """The unit histories; the unit name is checked before anything is printed."""
    from tracker.history import iter_units

    stream = iter_units(store, unit)
    try:
        first = next(stream)
    except StopIteration:
        return iter(())
    except LookupError:
        raise UserError(f"no unit named {unit!r} is stored (see `rectrack reports` for the units)") from None

    def chain() -> Iterator:
        yield first
        yield from stream

    return chain()


def _print_json(histories: Iterator) -> None:
    from tracker.serialize import history_to_dict

    click.echo('{\n  "units": [', nl=False)
    for n, h in enumerate(histories):
        text = json.dumps(history_to_dict(h), ensure_ascii=False, indent=2)
        click.echo(("," if n else "") + "\n    " + text.replace("\n", "\n    "), nl=False)
    click.echo("\n  ]\n}")


def _print_tables(histories: Iterator, unit: str | None) -> None:
    from rich.console import Console

    console = Console()
    shown = 0
    for h in histories:
        _print_unit(console, h)
        shown += 1
    if not shown:
        console.print("no reports stored" + (" for that unit" if unit else ""))


def _print_unit(console, h) -> None:
    from rich.markup import escape
    from rich.table import Table

    u = h.unit
    place = " ".join(x for x in (u.province, u.city) if x)
    console.rule(f"[bold]{escape(u.name or '(unnamed unit)')}[/bold]" + (f" ({escape(place)})" if place else "")
                 + f" · {len(h.reports)} report(s)")
    table = Table(expand=True)
    for name, kw in (("id", {"justify": "right"}), ("published", {}), ("inspection", {}), ("issues", {"justify": "right"}),
                     ("title", {})):
        table.add_column(name, no_wrap=name != "title", **kw)
    for r in h.reports:
        insp = r.report.inspection
        table.add_row(str(r.id), str(r.report.published_on or "?"),
                      escape(f"{insp.inspector or '?'} {insp.started_on or ''}".strip()),
                      str(len(r.report.issues)), escape(r.report.title or "(no title)"))
    console.print(table)
    if len(h.reports) < 2:
        console.print("only one report: nothing to compare yet\n")
    dates = {r.id: r.report.published_on for r in h.reports}
    for c in h.comparisons:
        _print_comparison(console, c, dates)


CHANGE_STYLE = {"dropped": "bold red", "regressed": "bold red", "stalled": "bold yellow", "resolved": "green",
                "closed": "green", "done": "dim green", "progressing": "cyan", "new": "blue"}


def _print_comparison(console, c, dates: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from crawler.parse.schema import STATUS_LABELS
    from tracker.model import CHANGE_LABELS

    head = f"report {c.earlier_id} ({dates.get(c.earlier_id) or 'undated'}) → report {c.later_id} " \
           f"({dates.get(c.later_id) or 'undated'})"
    if not c.same_round:
        head += " [magenta]new inspection round: matched by title only[/magenta]"
    counts = ", ".join(f"{CHANGE_LABELS[k]}: {v}" for k, v in c.counts().items()) or "no issues in either report"
    console.print(f"[bold]{head}[/bold]\n{counts}; alerts: {len(c.alerts)}")
    if not c.transitions:
        console.print()
        return
    table = Table(expand=True)
    for name, kw in (("#", {"justify": "right"}), ("change", {}), ("status before → after", {}),
                     ("sim", {"justify": "right"}), ("kept", {"justify": "right"}), ("title", {"ratio": 1})):
        table.add_column(name, no_wrap=name != "title", **kw)
    for t in c.transitions:
        _add_row(table, t, STATUS_LABELS, CHANGE_LABELS, escape, "")
        for s in t.sub_transitions:
            _add_row(table, s, STATUS_LABELS, CHANGE_LABELS, escape, "  └ ")
    console.print(table)
    console.print()


def _add_row(table, t, status_labels: dict, change_labels: dict, escape, indent: str) -> None:
    style = CHANGE_STYLE.get(t.change, "")
    before = status_labels.get(t.earlier_status, "—") if t.earlier_status else "—"
    after = status_labels.get(t.later_status, "—") if t.later_status else "—"
    title = t.title or f"(no title) {(t.later or t.earlier).rectification}"
    title = title if len(title) <= 60 else title[:59] + "…"
    if t.recurring is not None:
        mark = f"↻ {t.recurring.stated or ''}".strip()
        if t.recurring.linked:
            mark += f" = report {t.recurring.report_id} #{t.recurring.label or '?'}"
        title = f"{title} [{mark}]"
    table.add_row(f"{indent}{t.earlier_label or '—'}→{t.later_label or '—'}",
                  f"[{style}]{change_labels[t.change]}[/{style}]" if style else change_labels[t.change],
                  f"{before} → {after}", f"{t.similarity:.2f}" if t.similarity is not None else "",
                  f"{t.kept:.0%}" if t.kept is not None else "", escape(title))
