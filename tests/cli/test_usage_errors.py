"""What a person mistypes is a usage error: one line naming the bad value, exit 2, before
anything is asked of a server (TOGGL_API_URL points at a closed port here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_setting_errors import assert_one_line, run_trackgate

NOWHERE = {"TOGGL_API_URL": "http://127.0.0.1:9/api/v9", "TOGGL_API_TOKEN": "0" * 32}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("report", "yearly"), ("'yearly'", "day, week, month")),
        (("report", "week", "--by", "color"), ("'color'", "project")),
        (("ls", "--json", "--csv"), ("--json", "--csv")),
        (("report", "week", "--json", "--csv"), ("--json", "--csv")),
        (("projects", "ls", "--json", "--csv"), ("--json", "--csv")),
        (("--tz", "Mars/Olympus", "ls"), ("'Mars/Olympus'", "--tz")),
    ],
)
def test_a_mistyped_command_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    assert_one_line(run_trackgate(tmp_path, *args, env=NOWHERE), *words)


def test_users_create_with_a_malformed_email_is_a_usage_error(tmp_path: Path) -> None:
    done = run_trackgate(
        tmp_path,
        "users", "create", "--email", "notanemail", "--password", "a long secret",
        "--data-dir", str(tmp_path / "data"),
    )  # fmt: skip
    assert_one_line(done, "e-mail")
