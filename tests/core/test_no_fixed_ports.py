"""No test starts a server on a fixed port.

A fixed port makes the suite fail whenever something else listens there (``make serve`` on
8080 while ``make test`` runs, in the README's own order), and two runs side by side collide.
A server a test starts takes a free port: ``tests.conftest.free_port()``, or port 0 for a
socket bound in-process.

This is a static scan of every ``.py`` file under ``tests/``, of its syntax tree (not its text):

- a command line (a list, a tuple, or a call's arguments) that starts ``trackgate serve`` names
  ``--port`` with a computed value, for ``serve``'s default port is 8080;
- no command line passes ``--port`` a literal port (``"--port", "8080"`` or
  ``"--port=8080"``), nor ``--host``/``--bind`` a literal address with a port;
- no string that holds a command starting a server (``trackgate serve``, ``make serve``,
  ``uvicorn``, ``http.server``) names a literal port in it (``--port 8080``, ``PORT=8080``,
  ``127.0.0.1:8080``);
- no socket or server is bound to a literal port other than 0 (``bind(("127.0.0.1", 8080))``,
  ``TCPSite(runner, host, 8080)``, ``uvicorn.run(app, port=8080)``), and ``TRACKGATE_PORT`` is
  never set to a literal.

Documentation is not scanned: docstrings (the README test's says that the README's ``8080``
becomes a free port when its commands run) and strings that name a port without starting
anything there -- a client's ``base_url``, an ASGI scope's ``server``, the README text a free
port is put into, an upstream meant to be unreachable such as ``http://127.0.0.1:9``. A value
that is no port at all (``--port eighty``, ``--port 70000``: tests of how the flag is checked)
cannot collide with anything. This file is left out of the scan: its examples of what is
refused are its test data.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()

SERVER_WORDS = re.compile(r"\b(trackgate serve|make serve|uvicorn|http\.server)\b")
PORT_IN_TEXT = re.compile(
    r"(?:--port[= ]+|\bPORT=|(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]):)(\d+)\b"
)
ADDRESS_FLAGS = frozenset({"--host", "--bind", "-b", "--listen"})
#: Calls that bind a listening socket, and where they take its port (a (host, port) pair
#: first, or a port as this positional argument).
BINDERS = {"bind": 0, "HTTPServer": 0, "ThreadingHTTPServer": 0, "TCPServer": 0, "TCPSite": 2}
#: Calls whose ``port=`` keyword is where a server listens.
SERVERS = frozenset({"run", "Config", "TCPSite", "start_server", "create_server"})


def is_port(value: object) -> bool:
    """A literal a server could listen on: 1 to 65535, as a number or its digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return isinstance(value, int) and 1 <= value <= 65535


def literal(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def docstrings(tree: ast.AST) -> set[int]:
    """The string statements of a module, class or function: docstrings, and strings standing
    alone as comments."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(literal(node.value), str):
            found.add(id(node.value))
    return found


@dataclass
class Scan:
    findings: list[str] = field(default_factory=list)
    serve_starts: int = 0


def scan(source: str, name: str, into: Scan | None = None) -> Scan:
    """What in ``source`` (a test file's text) starts a server on a fixed port."""
    result = into if into is not None else Scan()
    tree = ast.parse(source)
    docs = docstrings(tree)

    def found(node: ast.AST, what: str) -> None:
        result.findings.append(f"{name}:{getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        elements: list[ast.expr] | None = None
        callee = ""
        if isinstance(node, ast.List | ast.Tuple):
            elements = list(node.elts)
        elif isinstance(node, ast.Call):
            elements, callee = list(node.args), dotted(node.func)
        if elements is not None:
            words = [literal(e) for e in elements]
            for i, word in enumerate(words):
                after = words[i + 1] if i + 1 < len(words) else None
                if word in ("--port", "TRACKGATE_PORT") and is_port(after):
                    found(node, f"{word} {after}")
                if isinstance(word, str) and (m := re.fullmatch(r"--port=(\d+)", word)):
                    if is_port(m.group(1)):
                        found(node, word)
                if word in ADDRESS_FLAGS and isinstance(after, str):
                    if (m := re.search(r":(\d+)$", after)) and is_port(m.group(1)):
                        found(node, f"{word} {after}")
            if "serve" in words and ("trackgate" in words or "trackgate" in callee.lower()):
                result.serve_starts += 1
                at = words.index("--port") if "--port" in words else -1
                if at < 0 or at + 1 >= len(elements):
                    found(node, "trackgate serve without --port (its default is 8080)")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if SERVER_WORDS.search(node.value):
                for m in PORT_IN_TEXT.finditer(node.value):
                    if is_port(m.group(1)):
                        found(node, f"a server command with {m.group(0)!r}")
        if isinstance(node, ast.Call):
            last = dotted(node.func).rsplit(".", 1)[-1]
            if last in BINDERS:
                where = BINDERS[last]
                if where < len(node.args):
                    arg = node.args[where]
                    port = arg.elts[1] if isinstance(arg, ast.Tuple) and len(arg.elts) > 1 else arg
                    if is_port(literal(port)):
                        found(node, f"{last} on port {literal(port)}")
            if last in SERVERS:
                for keyword in node.keywords:
                    if keyword.arg == "port" and is_port(literal(keyword.value)):
                        found(node, f"{last}(port={literal(keyword.value)})")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if literal(key) == "TRACKGATE_PORT" and is_port(literal(value)):
                    found(node, f"TRACKGATE_PORT={literal(value)}")
        if isinstance(node, ast.Assign) and is_port(literal(node.value)):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and literal(target.slice) == "TRACKGATE_PORT":
                    found(node, f"TRACKGATE_PORT={literal(node.value)}")
    return result


def test_no_test_starts_a_server_on_a_fixed_port() -> None:
    result = Scan()
    files = [p for p in sorted(TESTS.rglob("*.py")) if p.resolve() != THIS]
    for path in files:
        scan(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)), result)
    assert result.findings == []
    assert len(files) > 100  # the scan saw the suite ...
    assert result.serve_starts >= 5  # ... and the tests in it that start `trackgate serve`


REFUSED = [
    'subprocess.run([sys.executable, "-m", "trackgate", "serve", "--demo"])',
    'subprocess.run(["trackgate", "serve", "--port", "8080"])',
    'subprocess.run(["trackgate", "serve", "--port", 8080])',
    'subprocess.run(["trackgate", "serve", "--port=8080"])',
    'run_trackgate(tmp_path, "serve", "--demo")',
    'cmd = ["uvicorn", "app:app", "--bind", "127.0.0.1:8080"]',
    'subprocess.run("make serve PORT=8080", shell=True)',
    'subprocess.run(".venv/bin/trackgate serve --port 8080 &", shell=True)',
    'subprocess.run("python -m http.server 127.0.0.1:8000", shell=True)',
    'sock.bind(("127.0.0.1", 8080))',
    'web.TCPSite(runner, "127.0.0.1", 8080)',
    "uvicorn.run(app, port=8080)",
    'env = {"TRACKGATE_PORT": "8080"}',
    'env["TRACKGATE_PORT"] = "8080"',
    'monkeypatch.setenv("TRACKGATE_PORT", "8080")',
]
ALLOWED = [
    'subprocess.run(["trackgate", "serve", "--port", str(free_port())])',
    'run_trackgate(tmp_path, "serve", "--port", str(port), "--port", "eighty")',
    'subprocess.run(["trackgate", "serve", "--port", "70000"])',
    'sock.bind(("127.0.0.1", 0))',
    'web.TCPSite(runner, "127.0.0.1", 0)',
    'Toggl(api_token="t", base_url="http://127.0.0.1:8080/api/v9")',
    'scope = {"server": ("127.0.0.1", 8080)}',
    'text = command.text.replace("127.0.0.1:8080", f"127.0.0.1:{port}")',
    "load_settings({}, port=9000)",
    'help_of("serve")',
    'def test() -> None:\n    """Starts `trackgate serve --port 8080` as the README does."""',
]


@pytest.mark.parametrize("source", REFUSED)
def test_the_scan_refuses(source: str) -> None:
    assert scan(source, "sample").findings


@pytest.mark.parametrize("source", ALLOWED)
def test_the_scan_allows(source: str) -> None:
    assert scan(source, "sample").findings == []
