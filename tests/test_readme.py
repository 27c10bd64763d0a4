"""The README's shell blocks, run in order in one shell as a new user would, against live servers.

Each ``sh`` block not marked ``<!-- readme-test: skip -->`` is split into its command lines.
A script runs them one after another under ``set -euo pipefail`` and records the index of each
one that finished; the test asserts every command line the README shows was run and finished,
in order. A line that starts a server (``make serve``, ``trackgate serve``) runs in the
background on a free port, as a second terminal would, and the server before it is stopped
(Ctrl-C); lines its stdout prints as ``export ...`` are pasted into the shell. A comment
``# → ...`` after a command is the answer the README promises: the command must print exactly
that. ``curl`` fails on an HTTP error status, so a command that answers 4xx fails the test.

The only changes to the text are the port (``8080`` becomes the free port) and a home
directory of its own (so the per-user data and key go to a temporary directory).

The documentation site's pages (``docs/*.md``) follow the same conventions: each page whose
``sh`` blocks are not all marked to skip is run the same way, in a shell, home and checkout of
its own, so a page must start its own server before it asks one anything.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
SKIP_MARK = "<!-- readme-test: skip -->"
SERVER_LINE = re.compile(r"^(make serve\b|\S*trackgate serve\b)")
HEREDOC = re.compile(r"<<-?\s*'?(\w+)'?")
EXPECTED = "# → "


@dataclass(frozen=True)
class Command:
    text: str
    expected: str | None = None

    @property
    def starts_server(self) -> bool:
        return bool(SERVER_LINE.match(self.text))


def shell_blocks(markdown: str) -> list[tuple[bool, list[str]]]:
    """Every ``sh`` block: (marked to skip, its lines)."""
    blocks: list[tuple[bool, list[str]]] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            before = [line.strip() for line in lines[:i] if line.strip()]
            skip = bool(before) and before[-1] == SKIP_MARK
            end = lines.index("```", i + 1)
            blocks.append((skip, lines[i + 1 : end]))
            i = end
        i += 1
    return blocks


def commands_of(lines: list[str]) -> list[Command]:
    """Command lines, with continuations and here-documents joined to the line that opens them."""
    found: list[Command] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(EXPECTED) and found:
            found[-1] = Command(found[-1].text, stripped[len(EXPECTED) :])
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        text = [line]
        while text[-1].rstrip().endswith("\\"):
            i += 1
            text.append(lines[i])
        heredoc = HEREDOC.search(line)
        if heredoc:
            while lines[i].strip() != heredoc.group(1):
                i += 1
                text.append(lines[i])
        found.append(Command("\n".join(text)))
        i += 1
    return found


def runnable_commands(markdown: str) -> list[Command]:
    """The command lines of every ``sh`` block not marked to skip, in order."""
    return [c for skip, lines in shell_blocks(markdown) if not skip for c in commands_of(lines)]


def readme_commands() -> list[Command]:
    return runnable_commands(README)


def runnable_pages() -> list[str]:
    """The documentation pages with commands the test runs (their names under ``docs/``)."""
    return [page.name for page in sorted(DOCS.glob("*.md")) if runnable_commands(page.read_text())]


PRELUDE = r"""
set -euo pipefail
set -m   # each server in its own process group, so stopping it stops make's child too
curl() { command curl --fail-with-body --silent --show-error "$@"; }
__server=
__stop() {
  if [ -n "$__server" ]; then
    kill -INT -- "-$__server" 2>/dev/null || true
    wait "$__server" 2>/dev/null || true
    __server=
  fi
}
trap __stop EXIT
__serve() {
  __stop
  bash -c "$1" > "$__logs/serve.out" 2> "$__logs/serve.err" &
  __server=$!
  for _ in $(seq 1 600); do
    command curl -fs -o /dev/null "http://127.0.0.1:$__port/healthz" && break
    if ! kill -0 "$__server" 2>/dev/null; then cat "$__logs/serve.err" >&2; return 1; fi
    sleep 0.1
  done
  while IFS= read -r line; do
    case "$line" in export\ *) eval "$line" ;; esac
  done < "$__logs/serve.out"
}
__expect() {
  if [ "$1" != "$2" ]; then printf 'printed %s\nREADME says %s\n' "$1" "$2" >&2; return 1; fi
}
"""


def with_port(command: Command, port: int) -> str:
    text = command.text.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    if command.starts_server:
        if text.startswith("make serve"):
            return text.replace("make serve", f"make serve PORT={port}", 1)
        return re.sub(r"(trackgate serve\b)", rf"\1 --port {port}", text, count=1)
    return text


def script_for(commands: list[Command], port: int, marks: Path) -> str:
    parts = [PRELUDE]
    for index, command in enumerate(commands):
        text = with_port(command, port)
        if command.starts_server:
            parts.append(f"__serve {shlex.quote(text)}")
        elif command.expected is not None:
            parts.append(f"__out=$({text})\nprintf '%s\\n' \"$__out\"")
            parts.append(f'__expect "$__out" {shlex.quote(command.expected)}')
        else:
            parts.append(text)
        parts.append(f"echo {index} >> {shlex.quote(str(marks))}")
    return "\n".join(parts) + "\n"


def test_the_readme_is_split_into_the_commands_it_shows() -> None:
    commands = readme_commands()
    texts = [c.text for c in commands]
    assert texts[0].startswith("make serve   # creates .venv")
    assert any(t.startswith(".venv/bin/trackgate users create") for t in texts)
    assert ".venv/bin/trackgate serve --demo" in texts
    assert any(t.startswith("python3 <<'EOF'") and t.endswith("\nEOF") for t in texts)
    assert '{"status":"ok","version":"0.1.0"}' in [c.expected for c in commands]
    assert not any("make test" in t for t in texts)  # the suite does not run itself
    assert sum(c.starts_server for c in commands) >= 2


def run_as_written(commands: list[Command], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``commands`` in one shell, as a new user would in a checkout; assert each finished."""
    if not (ROOT / ".venv" / "bin" / "trackgate").exists():
        pytest.skip("the commands use .venv/bin/trackgate: run `make test` to make it")
    if shutil.which("curl") is None or shutil.which("make") is None:
        pytest.skip("the commands use curl and make")
    checkout = tmp_path / "checkout"  # what the commands see as the current directory
    checkout.mkdir()
    for name in (".venv", ".tools", "Makefile"):
        (checkout / name).symlink_to(ROOT / name)
    # `make serve` must not reinstall the .venv this test runs in: what it installs from is older
    for name in ("pyproject.toml", "uv.lock", "tools/uv-requirements.txt"):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_bytes((ROOT / name).read_bytes())
        os.utime(checkout / name, (0, 0))
    home = tmp_path / "home"
    home.mkdir()
    marks = tmp_path / "ran"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRACKGATE_", "MATON_", "TOGGL_", "XDG_", "VIRTUAL_ENV"))
    }
    scratch = tmp_path / "tmp"  # where the commands' `mktemp -d` makes its directories
    scratch.mkdir()
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(scratch),
            "__logs": str(tmp_path),
            "__port": str(port),
        }
    )
    done = subprocess.run(
        ["bash", "-c", script_for(commands, port, marks)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    ran = [int(n) for n in marks.read_text().split()] if marks.exists() else []
    failed_at = commands[len(ran)].text if len(ran) < len(commands) else None
    assert done.returncode == 0, f"stopped at: {failed_at}\n{done.stderr[-3000:]}"
    assert ran == list(range(len(commands))), failed_at
    secrets_kept_private(checkout, scratch)
    return done


def secrets_kept_private(checkout: Path, scratch: Path) -> None:
    """What the commands print (tokens, gateway keys) is not left in the checkout, and the
    files they keep it in elsewhere are the user's alone."""
    assert not sorted(checkout.glob("*.json")), "tokens or keys written into the checkout"
    kept = sorted(scratch.rglob("*.json"))
    for path in kept:
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} can be read by others"


def test_the_files_that_hold_tokens_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    written = re.findall(
        r"tee \S*?(\w+\.json)", README + "".join(page.read_text() for page in DOCS.glob("*.md"))
    )
    assert {"jane.json", "account.json", "key.json"} <= set(written)
    assert {f"/{name}" for name in written} <= set(ignored)


@pytest.mark.socket
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    commands = readme_commands()
    done = run_as_written(commands, tmp_path)
    assert '"email": "jane@example.com"' in done.stdout
    assert '"email": "demo@trackgate.local"' in done.stdout  # the Maton snippet's answer
    print(f"ran {len(commands)} README commands", file=sys.stderr)


def test_the_docs_pages_that_run_start_their_own_server() -> None:
    pages = runnable_pages()
    assert {"getting-started.md", "gateway.md", "cli.md"} <= set(pages)
    for page in pages:
        commands = runnable_commands((DOCS / page).read_text())
        assert commands[0].starts_server, page


@pytest.mark.socket
@pytest.mark.parametrize("page", runnable_pages())
def test_every_docs_page_command_runs_as_written(page: str, tmp_path: Path) -> None:
    commands = runnable_commands((DOCS / page).read_text())
    done = run_as_written(commands, tmp_path)
    assert done.stdout.strip(), page  # the pages' commands answer something
    print(f"ran {len(commands)} commands of docs/{page}", file=sys.stderr)
