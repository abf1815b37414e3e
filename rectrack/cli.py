"""The ``rectrack`` command: one entry point, one subcommand per job.

Built on click (Pallets, the most used Python CLI toolkit); tables with rich.
User mistakes end as one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import UserError
from .summary import print_summary


class _Group(click.Group):
    """Turns :class:`UserError` into ``error: …`` and exit code 2."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rectrack")
def main() -> None:
    """Track inspection-rectification notices (巡视/巡察整改进展情况的通报) and what stalls in them."""


@main.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed Report as JSON (the schema of SCHEMA.md).")
@click.option("--allow-private", is_flag=True, help="Allow fetching URLs on loopback or private addresses.")
def parse(source: str, as_json: bool, allow_private: bool) -> None:
    """Parse one notice: a .txt or .html file, an http(s) URL, or - for standard input."""
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


def _read_source(source: str, *, allow_private: bool) -> tuple[bytes, str | None, str | None, str | None]:
    """Bytes, a name, a content type and a URL for ``source``."""
    if source == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise UserError("standard input is empty: pipe a notice into `rectrack parse -`")
        return data, None, None, None
    if "://" in source or source.lower().startswith(("http:", "https:", "file:", "ftp:")):
        from .fetch import fetch

        download = fetch(source, allow_private=allow_private)
        return download.body, download.url, download.content_type, download.url
    path = Path(source)
    if not path.exists():
        raise UserError(f"no such file: {source} (check the path)")
    if path.is_dir():
        raise UserError(f"{source} is a directory: give one notice file")
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx", ".doc", ".wps"):
        raise UserError(f"{source}: {suffix[1:].upper()} notices are not readable yet; save the text as .txt or .html")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror}") from None
    if not data.strip():
        raise UserError(f"{source} is empty: nothing to parse")
    return data, path.name, None, None


if __name__ == "__main__":  # pragma: no cover
    main()
