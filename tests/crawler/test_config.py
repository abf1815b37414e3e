"""Site configs: every shipped file is valid; mistakes name the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import REPO_CONFIG, ConfigError, load_site, load_sites, select_sites

VALID = """name: demo
title: 示例网
start_urls:
  - https://www.example.gov.cn/xszg/index.html
"""


def write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    (tmp_path / "sites").mkdir(exist_ok=True)
    path = tmp_path / "sites" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_configs_are_valid() -> None:
    sites = load_sites(REPO_CONFIG)
    # the provincial discipline sites of Hunan, Hubei and Shanghai, and the sample notices' portals
    for name in ("sxfj", "hbjwjc", "shjjjc", "hecheng", "zhengxiang", "hetang", "yicheng"):
        assert name in sites
    for site in sites.values():
        assert site.start_urls and all(u.startswith("https://") for u in site.start_urls)
        assert site.allowed_domains
        assert site.politeness.concurrency <= 2 and site.politeness.download_delay >= 1
        assert site.politeness.obey_robots


def test_defaults(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, VALID))
    assert site.allowed_domains == ["www.example.gov.cn"]
    assert site.max_pages == 20 and site.enabled


@pytest.mark.parametrize(("text", "expected"), [
    (VALID.replace("start_urls", "start_url"), "key 'start_url': unknown key (did you mean 'start_urls'?)"),
    (VALID + "politeness:\n  delay: 3\n", "key 'politeness.delay': unknown key (did you mean"),
    (VALID.replace("https://www", "ftp://www"), "key 'start_urls': 'ftp://www.example.gov.cn/xszg/index.html' "
                                               "is not an http(s) URL"),
    (VALID + "link_pattern: '(unclosed'\n", "key 'link_pattern': not a valid regular expression"),
    (VALID + "max_pages: many\n", "key 'max_pages'"),
    (VALID.replace("title: 示例网\n", ""), "key 'title': required but missing"),
    (VALID + "list_selector: 'ul[['\n", "key 'list_selector': not a valid CSS selector"),
    ("name: demo\n title: x: y\n", "not valid YAML"),
    ("- a\n- b\n", "expected a mapping"),
    (VALID.replace("name: demo", "name: other"), "key 'name': 'other' must equal the file name 'demo'"),
])
def test_mistakes_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_site(path)
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


def test_missing_folder_and_unknown_site(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such folder"):
        load_sites(tmp_path)
    write(tmp_path, VALID)
    sites = load_sites(tmp_path)
    with pytest.raises(ConfigError, match="unknown site 'dmeo' \\(did you mean 'demo'\\?\\)"):
        select_sites(sites, ["dmeo"])
    assert [s.name for s in select_sites(sites, [])] == ["demo"]


def test_disabled_sites_are_skipped_unless_named(tmp_path: Path) -> None:
    write(tmp_path, VALID + "enabled: false\n")
    sites = load_sites(tmp_path)
    assert select_sites(sites, []) == []
    assert [s.name for s in select_sites(sites, ["demo"])] == ["demo"]
