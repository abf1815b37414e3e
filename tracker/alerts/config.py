"""Alert rules and notification settings: ``config/alerts.yaml``, validated before anything runs.

Validated with pydantic, like the site configs (:mod:`crawler.config`), so a mistake ends as one
line naming the file, the key and what is expected, e.g.
``config/alerts.yaml: key 'rules.overdue.days': Input should be greater than or equal to 1 (got 0)``.
A missing file means the built-in defaults. Every rule can be switched off with
``enabled: false`` (or just ``rule: false``).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.config import ConfigError, config_dir, read_yaml

FILE_NAME = "alerts.yaml"
#: Notification URLs from the environment: whitespace- or comma-separated Apprise URLs.
URLS_ENV = "RECTRACK_NOTIFY_URLS"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="raise this kind of alert")


class OverdueRule(Rule):
    days: int = Field(180, ge=1, le=36500, description="days after the inspection's feedback date")
    as_of: Literal["report", "today"] = Field("report", description="count the days up to the latest report's "
                                              "date (report) or up to today (today)")


class UnresolvedRule(Rule):
    reports: int = Field(3, ge=2, le=1000, description="successive reports an issue stays not completed in")


class SiteFailingRule(Rule):
    runs: int = Field(3, ge=1, le=1000, description="last crawls of a site that all failed")


class FollowupRule(Rule):
    days: int = Field(365, ge=1, le=36500, description="days after a unit's last report with issues still open")


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stalled: Rule = Field(default_factory=Rule)
    regressed: Rule = Field(default_factory=Rule)
    dropped: Rule = Field(default_factory=Rule)
    recurring: Rule = Field(default_factory=Rule)
    overdue: OverdueRule = Field(default_factory=OverdueRule)
    unresolved: UnresolvedRule = Field(default_factory=UnresolvedRule)
    site_failing: SiteFailingRule = Field(default_factory=SiteFailingRule)
    followup_overdue: FollowupRule = Field(default_factory=FollowupRule)

    @field_validator("*", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> Any:
        """``stalled: false`` is short for ``stalled: {enabled: false}``."""
        return {"enabled": value} if isinstance(value, bool) else value


class Notify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urls: list[str] = Field(default_factory=list, description="Apprise URLs (no credentials unless this file "
                            "is readable by its owner only)")
    urls_file: str | None = Field(None, description="a file of Apprise URLs, one a line, readable by its owner only")
    title: str = Field("rectrack: {count} new alert(s)", min_length=1, max_length=200,
                       description="digest title; {count} and {kinds} are filled in")
    max_items: int = Field(20, ge=1, le=1000, description="alerts listed in one digest; the rest are counted")
    max_chars: int = Field(4000, ge=300, le=200000, description="longest digest body")


class AlertsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: Rules = Field(default_factory=Rules)
    notify: Notify = Field(default_factory=Notify)

    def enabled(self, kind: str) -> bool:
        return bool(getattr(self.rules, kind).enabled)


def alerts_path(directory: str | os.PathLike[str] | None = None) -> Path:
    """``alerts.yaml`` in ``--config DIR``, else ``$RECTRACK_CONFIG``, else ``./config``, else the repository's."""
    folder = config_dir(directory)
    if directory and not Path(directory).is_dir():
        raise ConfigError(f"{directory}: no such folder (--config DIR must be the folder holding {FILE_NAME})")
    return folder / FILE_NAME


def load_alerts_config(directory: str | os.PathLike[str] | None = None) -> tuple[AlertsConfig, Path | None]:
    """The validated configuration and the file it came from (None: built-in defaults)."""
    path = alerts_path(directory)
    if not path.exists():
        return AlertsConfig(), None
    data = read_yaml(path)
    if data is None:
        return AlertsConfig(), path
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with the keys 'rules' and 'notify', got {type(data).__name__}")
    try:
        return AlertsConfig.model_validate(data), path
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    """The first validation error as ``key 'a.b': what is wrong`` (an unknown key gets a hint)."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc)
    if err["type"] == "extra_forbidden":
        model: type[BaseModel] = AlertsConfig
        for part in loc[:-1]:
            annotation = model.model_fields[part].annotation if part in model.model_fields else None
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                break
            model = annotation
        hint = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.5)
        return f"key {key!r}: unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else
                                              f"; expected one of {', '.join(model.model_fields)}")
    if err["type"] == "missing":
        return f"key {key!r}: required but missing"
    message = err["msg"].removeprefix("Value error, ")
    return f"key {key!r}: {message} (got {err.get('input')!r})"


# ---- notification URLs --------------------------------------------------------------------------

def split_urls(text: str) -> list[str]:
    """Apprise URLs separated by white space or commas (``#`` starts a comment line)."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return [u for u in " ".join(lines).replace(",", " ").split() if u]


def notify_urls(config: AlertsConfig, path: Path | None, environ: dict[str, str] | None = None) -> list[str]:
    """Every notification URL: ``notify.urls``, ``notify.urls_file`` and ``$RECTRACK_NOTIFY_URLS``, deduplicated.

    Credentials are taken only from the environment or from a file nobody but its owner can read:
    a URL with credentials in a group- or world-readable ``alerts.yaml`` is a :class:`ConfigError`.
    """
    from .notify import has_secret

    env = os.environ if environ is None else environ
    where = path or Path(FILE_NAME)
    urls: list[str] = []
    for n, url in enumerate(config.notify.urls, 1):
        if has_secret(url) and not _private(path):
            raise ConfigError(f"{where}: key 'notify.urls': URL {n} carries credentials and this file is readable "
                              f"by others; move it to ${URLS_ENV} or a notify.urls_file (chmod 600), or chmod 600 "
                              f"{where}")
        urls.append(url)
    if config.notify.urls_file:
        file = Path(config.notify.urls_file).expanduser()
        if not file.is_absolute() and path is not None:
            file = path.parent / file
        if not file.is_file():
            raise ConfigError(f"{where}: key 'notify.urls_file': {file} is not a file")
        if not _private(file):
            raise ConfigError(f"{where}: key 'notify.urls_file': {file} is readable by others; "
                              f"run chmod 600 {file}")
        try:
            urls.extend(split_urls(file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read ({exc})") from None
    urls.extend(split_urls(env.get(URLS_ENV, "")))
    return list(dict.fromkeys(urls))


def _private(path: Path | None) -> bool:
    """Whether only the owner may read ``path`` (always true where POSIX modes do not apply)."""
    if path is None or os.name != "posix":
        return os.name != "posix"
    try:
        return path.stat().st_mode & 0o077 == 0
    except OSError:
        return False
