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


MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text()


def test_every_install_comes_from_the_lock() -> None:
    """`make serve`, `make test` and so CI install what uv.lock pins, never a fresh resolve."""
    syncs = [line.strip() for line in MAKEFILE.splitlines() if "$(UV) sync" in line]
    assert len(syncs) >= 2 and all("--frozen" in line for line in syncs), syncs
    assert "pip install -e" not in MAKEFILE and "pip install -q -e" not in MAKEFILE
    assert "--require-hashes -r tools/uv-requirements.txt" in MAKEFILE
    lock = (Path(__file__).resolve().parents[2] / "uv.lock").read_text()
    assert 'name = "mypy"' in lock and 'name = "fastapi"' in lock  # test tools and runtime
