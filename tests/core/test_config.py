"""Settings come from flags over TRACKGATE_* variables over defaults, and never change after."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from trackgate.config import load_settings
from trackgate.setting_values import SettingError


def test_flags_override_environment_which_overrides_defaults(tmp_path: Path) -> None:
    env = {"TRACKGATE_DATA_DIR": str(tmp_path / "env"), "TRACKGATE_RATE_LIMIT": "5/second"}
    settings = load_settings(env, data_dir=tmp_path / "flag")
    assert settings.data_dir == tmp_path / "flag"
    assert settings.rate_limit == "5/second"
    assert load_settings({}).rate_limit == "10/second"


def test_settings_are_immutable() -> None:
    settings = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_database_url_spellings_pick_psycopg() -> None:
    for url in ("postgres://u@h/db", "postgresql://u@h/db"):
        settings = load_settings({"TRACKGATE_DATABASE_URL": url})
        assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"
        assert not settings.is_sqlite


def test_connect_links_come_from_the_public_url_or_the_listening_address() -> None:
    assert load_settings({}, port=9000).root_url == "http://127.0.0.1:9000"
    assert load_settings({}, host="0.0.0.0", port=80).root_url == "http://127.0.0.1:80"
    public = load_settings({"TRACKGATE_PUBLIC_URL": "https://gw.example.com/"})
    assert public.root_url == "https://gw.example.com"


def test_pacing_is_on_for_real_toggl_only_unless_set() -> None:
    assert load_settings({}).pacing is None
    real = load_settings({"TRACKGATE_TOGGL_URL": "https://api.track.toggl.com"})
    assert real.pacing == "1/second"
    off = load_settings(
        {"TRACKGATE_TOGGL_URL": "https://api.track.toggl.com", "TRACKGATE_UPSTREAM_PACING": "off"}
    )
    assert off.pacing is None
    assert load_settings({"TRACKGATE_UPSTREAM_PACING": "3/second"}).pacing == "3/second"


def test_a_bad_timeout_is_a_clear_error_not_a_trace() -> None:
    with pytest.raises(SettingError, match="TRACKGATE_UPSTREAM_TIMEOUT must be a number"):
        load_settings({"TRACKGATE_UPSTREAM_TIMEOUT": "soon"})
    assert load_settings({"TRACKGATE_UPSTREAM_TIMEOUT": "2.5"}).upstream_timeout == 2.5


def test_cli_reports_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")}
    env["TRACKGATE_UPSTREAM_TIMEOUT"] = "soon"
    done = subprocess.run(
        [sys.executable, "-m", "trackgate", "users", "list", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("trackgate: TRACKGATE_UPSTREAM_TIMEOUT must be")
    assert "Traceback" not in done.stderr


def test_the_connection_check_is_a_duration_or_off() -> None:
    assert load_settings({}).connection_check == 0.0  # off by default
    spelled = {"1h": 3600.0, "30m": 1800.0, "90s": 90.0, "2s": 2.0, "1d": 86400.0, "off": 0.0}
    for text, seconds in spelled.items():
        settings = load_settings({"TRACKGATE_CONNECTION_CHECK": text})
        assert settings.connection_check == seconds, text
    for wrong in ("hourly", "0s", "-1h", "1w", "1.5.h"):
        with pytest.raises(SettingError, match="TRACKGATE_CONNECTION_CHECK must be a duration"):
            load_settings({"TRACKGATE_CONNECTION_CHECK": wrong})
