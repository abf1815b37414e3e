"""Site configurations: ``config/sites/*.yaml``, one file per source, validated before any crawl.

Validated with pydantic (the most used Python validation library, actively maintained) so that a
typo ends as one line naming the file, the key and what is expected, e.g.
``config/sites/sxfj.yaml: key 'start_url': unknown key (did you mean 'start_urls'?)``.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: Where configuration lives when neither ``--config`` nor ``$RECTRACK_CONFIG`` says otherwise.
REPO_CONFIG = Path(__file__).resolve().parent.parent / "config"


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or wrong; the message is one line for the user."""


class Politeness(BaseModel):
    """How gently one site is crawled (overrides the polite defaults of ``crawler.settings``)."""

    model_config = ConfigDict(extra="forbid")

    download_delay: float = Field(2.0, ge=0, le=600, description="seconds between requests to the site (jittered)")
    concurrency: int = Field(1, ge=1, le=4, description="simultaneous requests to the site")
    obey_robots: bool = Field(True, description="obey robots.txt")


class SiteConfig(BaseModel):
    """One source: where its lists start and what its notice links look like."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="short id; the file name without .yaml")
    title: str = Field(min_length=1, description="the site's own name, e.g. 三湘风纪网")
    province: str | None = None
    start_urls: list[str] = Field(min_length=1, description="list (column) pages where crawling starts")
    allowed_domains: list[str] = Field(default_factory=list, description="hosts the crawl may visit; "
                                       "default: the hosts of start_urls")
    link_pattern: str | None = Field(None, description="regex a notice URL must match (in addition to its title)")
    title_pattern: str | None = Field(None, description="regex replacing the built-in notice-title rule")
    list_selector: str | None = Field(None, description="CSS selector of the list area on list pages")
    max_pages: int = Field(20, ge=1, le=10000, description="list pages followed per start URL")
    politeness: Politeness = Field(default_factory=Politeness)
    enabled: bool = True
    notes: str | None = None

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("link_pattern", "title_pattern")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from None
        return pattern

    @field_validator("list_selector")
    @classmethod
    def _css(cls, selector: str | None) -> str | None:
        if selector is not None:
            from cssselect import GenericTranslator, SelectorError

            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                raise ValueError(f"not a valid CSS selector ({exc})") from None
        return selector

    @model_validator(mode="after")
    def _default_domains(self) -> SiteConfig:
        if not self.allowed_domains:
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
        return self


def config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The configuration folder: ``explicit``, else ``$RECTRACK_CONFIG``, else ``./config``, else the repository's."""
    if explicit:
        return Path(explicit)
    if os.environ.get("RECTRACK_CONFIG"):
        return Path(os.environ["RECTRACK_CONFIG"])
    local = Path("config")
    return local if (local / "sites").is_dir() else REPO_CONFIG


def load_site(path: Path) -> SiteConfig:
    """One site file, validated; :class:`ConfigError` names the file and the key."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (name, title, start_urls, …), got {type(data).__name__}")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        raise ConfigError(f"{path}: key 'name': {data['name']!r} must equal the file name {path.stem!r}")
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc, SiteConfig)}") from None


def load_sites(directory: Path | None = None) -> dict[str, SiteConfig]:
    """Every ``sites/*.yaml`` under the configuration folder, by name."""
    folder = (directory or config_dir()) / "sites"
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder; create it with one <name>.yaml per site "
                          "(see config/sites/ in the repository) or pass --config DIR")
    return {site.name: site for site in (load_site(p) for p in sorted(folder.glob("*.yaml")))}


def select_sites(sites: dict[str, SiteConfig], names: tuple[str, ...] | list[str]) -> list[SiteConfig]:
    """The named sites (all enabled ones when ``names`` is empty); unknown names are a ConfigError."""
    if not names:
        return [s for s in sites.values() if s.enabled]
    chosen = []
    for name in names:
        if name not in sites:
            hint = difflib.get_close_matches(name, list(sites), n=1)
            known = ", ".join(sorted(sites)) or "none"
            raise ConfigError(f"unknown site {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                              + f"; configured sites: {known}")
        chosen.append(sites[name])
    return chosen


def read_yaml(path: Path) -> object:
    """A configuration file's YAML; :class:`ConfigError` names the file (and the line) when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc}); save it as UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}:{where}: not valid YAML ({problem})") from None


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> str:
    """The first validation error as ``key 'a.b': what is wrong``."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a typo explains a "missing"
    err = errors[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        fields = list(Politeness.model_fields if err["loc"][0] == "politeness" else model.model_fields)
        word = str(err["loc"][-1])
        hint = [f for f in fields if word in f] or difflib.get_close_matches(word, fields, n=1)
        return f"key {key!r}: unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if err["type"] == "missing":
        return f"key {key!r}: required but missing"
    message = err["msg"].removeprefix("Value error, ")
    return f"key {key!r}: {message} (got {err.get('input')!r})"
