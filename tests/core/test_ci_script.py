"""CI installs only what the tests need: chromium without its recommended packages."""

from __future__ import annotations

import re
from pathlib import Path

CI_RUN = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()


def test_chromium_is_installed_without_recommended_packages() -> None:
    installs = [line for line in CI_RUN.splitlines() if re.search(r"apt_install .*chromium", line)]
    assert installs
    for line in installs:
        assert "--no-install-recommends" in line.split("chromium")[0], line
