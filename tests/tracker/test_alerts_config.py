"""config/alerts.yaml: defaults, switches, one-line errors naming file and key, where secrets may live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.config import REPO_CONFIG, ConfigError
from tests.storage.conftest import run
from tracker.alerts.config import AlertsConfig, load_alerts_config, notify_urls, split_urls


def write(folder: Path, text: str, mode: int = 0o644) -> Path:
    path = folder / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config, path = load_alerts_config(tmp_path)
    assert path is None and config == AlertsConfig()
    assert config.rules.overdue.days == 180 and config.rules.overdue.as_of == "report"
    assert config.rules.unresolved.reports == 3 and config.rules.site_failing.runs == 3
    assert config.rules.followup_overdue.days == 365 and config.notify.urls == []
    write(tmp_path, "# nothing but a comment\n")
    assert load_alerts_config(tmp_path)[0] == AlertsConfig()


def test_the_shipped_file_is_the_defaults() -> None:
    config, path = load_alerts_config(REPO_CONFIG)
    assert path == REPO_CONFIG / "alerts.yaml" and config == AlertsConfig()


def test_switches_and_values(tmp_path: Path) -> None:
    write(tmp_path, "rules:\n  stalled: false\n  dropped: {enabled: false}\n  overdue: {days: 90, as_of: today}\n")
    config, _ = load_alerts_config(tmp_path)
    assert not config.enabled("stalled") and not config.enabled("dropped") and config.enabled("regressed")
    assert config.rules.overdue.days == 90 and config.rules.overdue.as_of == "today"


@pytest.mark.parametrize(("text", "message"), [
    ("rules:\n  overdue:\n    dayz: 3\n", "key 'rules.overdue.dayz': unknown key (did you mean 'days'?)"),
    ("rules:\n  stalld: false\n", "key 'rules.stalld': unknown key (did you mean 'stalled'?)"),
    ("rules:\n  overdue: {days: 0}\n", "key 'rules.overdue.days': Input should be greater than or equal to 1 (got 0)"),
    ("rules:\n  overdue: {as_of: yesterday}\n", "key 'rules.overdue.as_of': Input should be 'report' or 'today'"),
    ("rules:\n  unresolved: {reports: many}\n", "key 'rules.unresolved.reports': Input should be a valid integer"),
    ("notify:\n  urls: json://x\n", "key 'notify.urls': Input should be a valid list"),
    ("- just\n- a list\n", "expected a mapping with the keys 'rules' and 'notify', got list"),
    ("rules: [\n", "line 2: not valid YAML"),
    ("colour: red\n", "key 'colour': unknown key; expected one of rules, notify"),
])
def test_errors_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_alerts_config(tmp_path)
    assert str(info.value).startswith(f"{path}:") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_config_errors_are_one_line(tmp_path: Path, db_path: Path) -> None:
    write(tmp_path, "rules:\n  overdue: {days: -1}\n")
    result = run(db_path, "alerts", "--config", str(tmp_path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip() == f"error: {tmp_path / 'alerts.yaml'}: key 'rules.overdue.days': Input should be " \
                                    "greater than or equal to 1 (got -1)"
    missing = run(db_path, "alerts", "--config", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_urls_from_file_env_and_config(tmp_path: Path) -> None:
    path = write(tmp_path, "notify:\n  urls: ['json://127.0.0.1:9/a']\n  urls_file: secret.txt\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("# channels\njson://u:pw@127.0.0.1:9/b\n\nform://127.0.0.1:9/c, json://127.0.0.1:9/a\n")
    secret.chmod(0o600)
    config, _ = load_alerts_config(tmp_path)
    env = {"RECTRACK_NOTIFY_URLS": "json://127.0.0.1:9/d,  json://127.0.0.1:9/e\njson://127.0.0.1:9/d"}
    assert notify_urls(config, path, env) == ["json://127.0.0.1:9/a", "json://u:pw@127.0.0.1:9/b",
                                              "form://127.0.0.1:9/c", "json://127.0.0.1:9/d", "json://127.0.0.1:9/e"]
    assert split_urls(" a, b\n#c\n d ") == ["a", "b", "d"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_credentials_only_from_env_or_private_files(tmp_path: Path) -> None:
    path = write(tmp_path, "notify:\n  urls: ['json://127.0.0.1:9/ok', 'json://user:hunter22@127.0.0.1:9/x']\n")
    config, _ = load_alerts_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        notify_urls(config, path, {})
    assert "key 'notify.urls': URL 2 carries credentials" in str(info.value) and "hunter22" not in str(info.value)
    path.chmod(0o600)
    assert len(notify_urls(config, path, {})) == 2
    for url in ("discord://1234/abcdefTOKEN", "json://127.0.0.1:9/x?token=abc", "json://127.0.0.1:9/?+Authorization=x"):
        write(tmp_path, f"notify:\n  urls: ['{url}']\n")
        with pytest.raises(ConfigError, match="carries credentials"):
            notify_urls(load_alerts_config(tmp_path)[0], path, {})
    secret = tmp_path / "urls.txt"
    secret.write_text("json://u:pw@127.0.0.1:9/b\n")
    secret.chmod(0o644)
    write(tmp_path, "notify:\n  urls_file: urls.txt\n")
    with pytest.raises(ConfigError, match=r"key 'notify.urls_file': .*urls.txt is readable by others; run chmod 600"):
        notify_urls(load_alerts_config(tmp_path)[0], path, {})
    write(tmp_path, "notify:\n  urls_file: missing.txt\n")
    with pytest.raises(ConfigError, match="missing.txt is not a file"):
        notify_urls(load_alerts_config(tmp_path)[0], path, {})
