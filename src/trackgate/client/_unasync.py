"""Generate the sync client from the async one: ``python -m trackgate.client._unasync``.

The ``_async_*.py`` modules are the source; this rewrites each into its ``_sync_*.py`` twin
token by token (``async def`` → ``def``, ``await`` dropped, ``AsyncX`` → ``X``,
``asyncio.sleep`` → ``time.sleep``). A test runs :func:`generate` and fails when a generated
module differs, so the two flavours cannot drift; ``--check`` does the same from a shell.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = (
    "# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.\n"
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
    (r"\b(trackgate\.client\.)_async_", r"\1_sync_"),
)


def pairs() -> list[tuple[Path, Path]]:
    """Each async source module with the sync module generated from it."""
    sources = sorted(HERE.glob("_async_*.py"))
    return [(source, HERE / source.name.replace("_async_", "_sync_", 1)) for source in sources]


def generate(source: str, target: Path) -> str:
    """The sync module for the async ``source``, formatted as ``ruff format`` would."""
    text = source
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text)
    text = _ruff(HEADER + text, target, "check", "--fix", "--select", "I", "--quiet")
    return _ruff(text, target, "format")


def _ruff(text: str, target: Path, *command: str) -> str:
    """Imports sorted and code formatted as the repository's ruff does it."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(target), "-"],
        input=text,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not done.stdout:
        raise RuntimeError(f"ruff {command[0]} failed: {done.stderr}")
    return done.stdout


def main() -> int:
    stale = 0
    for source, target in pairs():
        expected = generate(source.read_text(), target)
        if "--check" not in sys.argv:
            target.write_text(expected)
        elif not target.exists() or target.read_text() != expected:
            sys.stderr.write(f"{target.name} is stale: python -m trackgate.client._unasync\n")
            stale = 1
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
