"""Running `trackgate` commands as a user would, in a process of their own, for the transfer
tests (export, import, backup and restore are commands first)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_trackgate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackgate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without any TRACKGATE_* setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKGATE_")}
    env.update(settings)
    return env
