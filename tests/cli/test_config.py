"""Configuration: profiles in config.toml (0600), the environment over them, flags over both,
and the gateway over a Toggl token."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from trackgate.cli.main import app
from trackgate.cli.target import resolve


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    return tmp_path


def _run(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_profiles_are_written_owner_only_and_never_printed(home: Path) -> None:
    _run("config", "set", "api_token", "secret-token-123")
    _run("config", "set", "api_url", "http://127.0.0.1:1/api/v9")
    _run("config", "set", "timezone", "Europe/Berlin", "--profile", "work")
    path = home / ".config" / "trackgate" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    shown = CliRunner().invoke(app, ["config", "show", "--json"])
    assert "secret-token-123" not in shown.output
    view = json.loads(shown.output)
    assert view["mode"] == "direct" and view["using"]["api_token"] == "***"
    assert view["using"]["base_url"] == "http://127.0.0.1:1/api/v9"
    assert view["profiles"]["work"] == {"timezone": "Europe/Berlin"}


def test_environment_wins_over_the_profile_and_flags_over_both(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run("config", "set", "api_token", "from-profile")
    assert resolve({}).options["api_token"] == "from-profile"
    monkeypatch.setenv("TOGGL_API_TOKEN", "from-env")
    target = resolve({})
    assert target.options == {
        "api_token": "from-env",
        "base_url": "https://api.track.toggl.com/api/v9",
    }
    assert resolve({"api_token": "from-flag"}).options["api_token"] == "from-flag"


def test_the_gateway_wins_when_both_are_set(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGGL_API_TOKEN", "t")
    monkeypatch.setenv("MATON_API_KEY", "k")
    monkeypatch.setenv("MATON_CONNECTION", "c-1")
    target = resolve({})
    assert target.via_gateway
    assert target.options == {
        "gateway_key": "k",
        "base_url": "http://127.0.0.1:8080",
        "connection": "c-1",
    }


def test_trackgate_profile_picks_the_profile(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run("config", "set", "api_key", "work-key", "--profile", "work")
    _run("config", "set", "gateway_url", "http://gw.example:8080", "--profile", "work")
    monkeypatch.setenv("TRACKGATE_PROFILE", "work")
    target = resolve({})
    assert target.options["gateway_key"] == "work-key"
    assert target.options["base_url"] == "http://gw.example:8080"
    _run("config", "use", "work")
    monkeypatch.delenv("TRACKGATE_PROFILE")
    assert resolve({}).profile == "work"


def test_no_credentials_is_an_authentication_exit(home: Path) -> None:
    result = CliRunner().invoke(app, ["now"])
    assert result.exit_code == 3
    assert "TOGGL_API_TOKEN" in result.output


def test_a_test_runs_in_a_home_of_its_own(tmp_path: Path) -> None:
    """The suite's autouse fixture: what a command writes by default (config, journal,
    caches, key file, data) lands under the test's temporary directory."""
    from trackgate.cli.profiles import config_dir

    home = Path.home()
    assert home.is_dir() and home.is_relative_to(tmp_path)
    assert config_dir().is_relative_to(home)
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        assert Path(os.environ[variable]).is_relative_to(home), variable
