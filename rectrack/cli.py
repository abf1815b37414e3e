"""The ``rectrack`` command: one entry point, one subcommand per job.

Built on click (Pallets, the most used Python CLI toolkit); tables with rich.
User mistakes end as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from . import __version__
from .dbopt import db_url, open_db
from .errors import UserError
from .summary import print_summary


class _Group(click.Group):
    """Turns :class:`UserError` and database failures into one ``error: …`` line and exit code 2."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        from sqlalchemy.exc import DBAPIError

        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except DBAPIError as exc:  # disk full, read-only file, server gone: the transaction rolled back
            from storage.db import explain_db_error

            click.echo(f"error: {explain_db_error(exc)}", err=True)
            ctx.exit(UserError.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rectrack")
@click.option("--db", "db", metavar="URL", default=None,
              help="Database: sqlite:///PATH, postgresql://… or a file path "
                   "(default: $RECTRACK_DB, else rectrack.db in the user data folder).")
@click.option("-v", "--verbose", is_flag=True, help="Log more (debug messages).")
@click.option("-q", "--quiet", is_flag=True, help="Log only warnings and errors.")
@click.option("--log-file", metavar="FILE", default=None, help="Also write the log to FILE.")
@click.pass_context
def main(ctx: click.Context, db: str | None, verbose: bool, quiet: bool, log_file: str | None) -> None:
    """Track inspection-rectification notices (巡视/巡察整改进展情况的通报) and what stalls in them."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    _configure_logging(verbose=verbose, quiet=quiet, log_file=log_file)


def _configure_logging(*, verbose: bool, quiet: bool, log_file: str | None) -> None:
    """rectrack's own log lines to stderr (and ``log_file``); libraries stay quiet unless ``--verbose``."""
    import logging

    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logger = logging.getLogger("rectrack")
    logger.setLevel(level)
    logger.propagate = False
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"cannot write the log file {log_file}: {exc.strerror}") from None
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)


@main.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed Report as JSON (the schema of SCHEMA.md).")
@click.option("--allow-private", is_flag=True, help="Allow fetching URLs on loopback or private addresses.")
def parse(source: str, as_json: bool, allow_private: bool) -> None:
    """Parse one notice: a .txt, .html, .pdf or .docx file, an http(s) URL, or - for standard input."""
    from crawler.parse import DecodeError, NoNoticeError, parse_document

    data, name, content_type, url = _read_source(source, allow_private=allow_private)
    try:
        report = parse_document(data, name=name, content_type=content_type, source_url=url)
    except (DecodeError, NoNoticeError) as exc:
        raise UserError(f"{source}: {exc}") from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(report)


#: ``scheme:`` at the start of an argument (two letters at least, so that ``C:\\x`` stays a path).
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def _read_source(source: str, *, allow_private: bool) -> tuple[bytes, str | None, str | None, str | None]:
    """Bytes, a name, a content type and a URL for ``source``."""
    if source == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise UserError("standard input is empty: pipe a notice into `rectrack parse -`")
        return data, None, None, None
    if "://" in source or (_URL_SCHEME.match(source) and not Path(source).exists()):
        from .fetch import fetch  # refuses every scheme but http(s), and private addresses

        download = fetch(source, allow_private=allow_private)
        return download.body, download.url, download.content_type, download.url
    path = Path(source)
    if not path.exists():
        raise UserError(f"no such file: {source} (check the path)")
    if path.is_dir():
        raise UserError(f"{source} is a directory: give one notice file")
    from crawler.parse.attachments import DEFAULT_LIMITS

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror}") from None
    if size > DEFAULT_LIMITS.max_bytes:
        raise UserError(f"{source} is too large: {size:,} bytes, the limit is {DEFAULT_LIMITS.max_bytes:,}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror}") from None
    if not data.strip():
        raise UserError(f"{source} is empty: nothing to parse")
    return data, path.name, None, None


# ---- the store ------------------------------------------------------------------------------

IMPORT_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".pdf", ".docx")


@main.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the database or bring its schema to this version of rectrack."""
    from sqlalchemy.exc import DatabaseError

    from storage.db import connect
    from storage.migrate import head_revision, upgrade

    url = db_url(ctx)
    engine = connect(url)
    try:
        applied = upgrade(engine)
    except DatabaseError as exc:
        raise UserError(f"cannot set up the database: {exc.orig}") from None
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    if applied:
        click.echo(f"{shown}: upgraded to revision {head_revision()}")
    else:
        click.echo(f"{shown}: already at revision {head_revision()}")


def _import_files(paths: tuple[str, ...]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to import (folders walked for .txt/.html/.htm/.shtml) and paths that can't be."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMPORT_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            missing.append((raw, "no such file or folder"))
    return files, missing


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
def import_(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Parse notice files (folders: every .txt/.html/.htm/.shtml inside) and store them."""
    from crawler.parse import DecodeError, NoNoticeError, parse_document

    files, failed = _import_files(paths)
    n_missing = len(failed)
    for name, why in failed:
        click.echo(f"error: {name}: {why}", err=True)
    store = open_db(ctx)
    counts = {"stored new": 0, "new version": 0, "unchanged": 0}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            failed.append((str(path), exc.strerror or str(exc)))
            click.echo(f"error: {path}: cannot read: {exc.strerror}", err=True)
            continue
        try:
            report = parse_document(data, name=path.name)
        except (DecodeError, NoNoticeError) as exc:
            failed.append((str(path), str(exc)))
            click.echo(f"error: {path}: {exc}", err=True)
            continue
        except Exception as exc:  # a parser bug must not stop the other files
            failed.append((str(path), repr(exc)))
            click.echo(f"error: {path}: the parser failed ({type(exc).__name__}: {exc})", err=True)
            continue
        result = store.ingest(report, raw=data, fetch_url=path.resolve().as_uri())
        counts["unchanged" if not result.created else "stored new" if result.version == 1 else "new version"] += 1
        click.echo(f"{path}: {result.outcome} (report {result.report_id})")
    total = len(files) + n_missing
    click.echo(f"{total} file(s): {counts['stored new']} stored new, {counts['new version']} new version(s), "
               f"{counts['unchanged']} unchanged, {len(failed)} failed")
    if failed:
        ctx.exit(2)


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None


@main.command()
@click.option("--unit", metavar="NAME", help="Only this unit (鹤城区, 中共怀化市鹤城区委, an adcode, or part of a name).")
@click.option("--since", metavar="DATE", callback=_parse_day, help="Only notices published on or after YYYY-MM-DD.")
@click.option("--all-versions", is_flag=True, help="List every stored version, not only the latest of each notice.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def reports(ctx: click.Context, unit: str | None, since, all_versions: bool, as_json: bool) -> None:
    """List stored notices (latest version of each), oldest first."""
    rows = open_db(ctx).list_reports(unit, since, all_versions=all_versions)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no reports stored" + (" for that unit" if unit else "") + (" since then" if since else ""))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(expand=True)
    for name, kw in (("id", {"justify": "right"}), ("published", {}), ("unit", {}), ("title", {}),
                     ("ver", {"justify": "right"}), ("issues", {"justify": "right"})):
        table.add_column(name, no_wrap=name != "title", **kw)
    for row in rows:
        issues = str(row["issue_count"]) + (f"+{row['sub_issue_count']}" if row["sub_issue_count"] else "")
        table.add_row(str(row["id"]), row["published_on"] or "?", escape(row["unit"] or "?"),
                      escape(row["title"] or "(no title)"), f"{row['version']}/{row['latest_version']}", issues)
    Console().print(table)


@main.command()
@click.argument("report_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the stored Report as JSON (the schema, plus id and version).")
@click.pass_context
def show(ctx: click.Context, report_id: int, as_json: bool) -> None:
    """Show one stored report (ids as listed by `rectrack reports`)."""
    from storage.repository import NotFound

    store = open_db(ctx)
    try:
        report = store.get_report(report_id)
        meta = store.report_meta(report_id)
    except NotFound:
        raise UserError(f"no report with id {report_id} (see `rectrack reports`)") from None
    if as_json:
        click.echo(json.dumps({"id": meta["id"], "version": meta["version"], **report.to_dict()},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"report {meta['id']}, version {meta['version']}, stored {meta['created_at'][:19]}")
    print_summary(report)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: one Report per line; csv: one row per issue with the report's columns (UTF-8 with BOM).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of standard output.")
@click.option("--all-versions", is_flag=True, help="Export every stored version, not only the latest of each notice.")
@click.pass_context
def export(ctx: click.Context, fmt: str, out: str | None, all_versions: bool) -> None:
    """Export the stored reports."""
    import csv
    import io

    store = open_db(ctx)
    try:
        if out:
            stream = open(out, "wb")  # noqa: SIM115
        else:
            sys.stdout.flush()
            stream = sys.stdout.buffer
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    count = 0
    try:
        if fmt == "jsonl":
            for meta, report in store.iter_reports(all_versions=all_versions):
                line = {"id": meta["report_id"], "version": meta["version"], **report.to_dict()}
                stream.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
                count += 1
        else:
            from storage.repository import EXPORT_COLUMNS

            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
            stream.write("\ufeff".encode("utf-8"))
            writer.writeheader()
            for row in store.iter_export_rows(all_versions=all_versions):
                for key in ("warnings", "issue_status_evidence"):
                    if row.get(key) is not None:
                        row[key] = json.dumps(row[key], ensure_ascii=False)
                writer.writerow(row)
                count += 1
                if text.tell() > 1 << 16:
                    stream.write(text.getvalue().encode("utf-8"))
                    text.seek(0)
                    text.truncate()
            stream.write(text.getvalue().encode("utf-8"))
        stream.flush()
    finally:
        if out:
            stream.close()
    if out:
        click.echo(f"{out}: {count} {'report' if fmt == 'jsonl' else 'row'}(s)", err=True)

from .cli_crawl import crawl as _crawl, fetch as _fetch, sites as _sites  # noqa: E402
from .cli_run import demo as _demo, doctor as _doctor, run as _run, schedule as _schedule  # noqa: E402
from .cli_alerts import alerts as _alerts  # noqa: E402
from .cli_track import track as _track  # noqa: E402
from .cli_serve import serve as _serve  # noqa: E402
from .cli_worker import worker as _worker  # noqa: E402

for _command in (_crawl, _fetch, _sites, _track, _run, _schedule, _demo, _doctor, _alerts, _serve, _worker):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
