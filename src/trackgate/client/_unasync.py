"""Generate the sync client from the async one: ``python -m trackgate.client._unasync``.

The async client is the source; this rewrites it token by token (``async def`` → ``def``,
``await`` dropped, ``AsyncX`` → ``X``, ``asyncio.sleep`` → ``time.sleep``). A test runs
:func:`generate` and fails when ``_sync_client.py`` differs, so the two cannot drift.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "_async_client.py"
TARGET = HERE / "_sync_client.py"

HEADER = (
    "# Generated from _async_client.py by `python -m trackgate.client._unasync`: do not edit.\n"
    "# ruff: noqa: UP028\n"
)

RULES: tuple[tuple[str, str], ...] = (
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait ", ""),
    (r"\bimport asyncio\b", "import time"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\baclose\b", "close"),
    (r"\b(_?)Async([A-Z]\w*)", r"\1\2"),
)


def generate(source: str) -> str:
    """The sync module for the async ``source``, formatted as ``ruff format`` would."""
    text = source
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text)
    text = _ruff(HEADER + text, "check", "--fix", "--select", "I", "--quiet")
    return _ruff(text, "format")


def _ruff(text: str, *command: str) -> str:
    """Imports sorted and code formatted as the repository's ruff does it."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"ruff {command[0]} failed: {done.stderr}")
    return done.stdout


def main() -> int:
    expected = generate(SOURCE.read_text())
    if "--check" in sys.argv:
        if TARGET.read_text() != expected:
            sys.stderr.write("_sync_client.py is stale: python -m trackgate.client._unasync\n")
            return 1
        return 0
    TARGET.write_text(expected)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
