"""Writes the configuration page's tables from the code's one list of settings at build time.

``mkdocs.yml`` names this file under ``hooks:``. Where ``docs/configuration.md`` says
``<!-- settings: variables -->`` the hook puts a row per ``TRACKGATE_*`` variable the server
reads (``trackgate.config.READERS``, with ``ENVIRONMENT``'s meaning, the ``Settings`` default,
the flag that sets it too and what its parser accepts); where it says
``<!-- settings: serve-flags -->``, a row per flag of ``trackgate serve``. A setting added to
the code is on the page at the next build, so the page cannot drift from it. The test suite
renders the page with the same functions (no MkDocs needed).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

VARIABLES_MARK = "<!-- settings: variables -->"
FLAGS_MARK = "<!-- settings: serve-flags -->"


def _cell(text: str) -> str:
    """One table cell: one line, reStructuredText's double backticks as Markdown's single."""
    return " ".join(text.split()).replace("``", "`").replace("|", "\\|")


def _first_sentence(doc: str | None) -> str:
    text = " ".join((doc or "").split())
    return re.split(r"\.\s+(?=[A-Z])", text)[0].rstrip(".")


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
        if isinstance(value, Path):
            shown = str(value).replace(str(Path.home()), "~", 1)
            return f"`{shown}` (the per-user directory; this is Linux's)"
        return f"`{value}`" if value not in ((), "") else "none"
    value = field.default
    if value is None or value == ():
        return "none"
    if isinstance(value, bool):
        return "`on`" if value else "`off`"
    if isinstance(value, float) and value == 0:
        return "`off`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def variables_table() -> str:
    """One row per ``TRACKGATE_*`` variable the server reads."""
    from trackgate import config

    fields = {f.name: f for f in dataclasses.fields(config.Settings)}
    rows = [
        "| variable | flag | default | accepts | what it sets |",
        "|---|---|---|---|---|",
    ]
    for name, (field_name, parse) in config.READERS.items():
        flag = config.FLAGS.get(field_name)
        accepts = "a path" if parse is Path else _first_sentence(getattr(parse, "__doc__", None))
        secret = " (secret: never echoed)" if name in config.SECRET_VARIABLES else ""
        rows.append(
            f"| `{name}` | {f'`{flag}`' if flag else ''} | {_default(fields[field_name])} "
            f"| {_cell(accepts)} | {_cell(config.ENVIRONMENT[name])}{secret} |"
        )
    return "\n".join(rows)


def serve_flags_table() -> str:
    """One row per flag of ``trackgate serve``, with its help text."""
    import click

    from trackgate.cli.main import app

    context = click.Context(app)
    serve = app.get_command(context, "serve")
    assert serve is not None
    serve = getattr(serve, "target", serve)
    rows = ["| flag | default | what it does |", "|---|---|---|"]
    for param in serve.params:
        flags = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        if not flags or flags == ["--help"]:
            continue
        metavar = getattr(param, "metavar", None)
        spelled = f" {metavar.replace('|', '/')}" if metavar else ""
        shown = ", ".join(f"`{flag}{spelled}`" for flag in flags)
        default = param.default
        default_text = "" if default in (None, False) or callable(default) else f"`{default}`"
        help_text = (getattr(param, "help", None) or "").replace(str(Path.home()), "~", 1)
        rows.append(f"| {shown} | {default_text} | {_cell(help_text)} |")
    return "\n".join(rows)


def render(markdown: str) -> str:
    """The page with its marks replaced by the tables."""
    if VARIABLES_MARK in markdown:
        markdown = markdown.replace(VARIABLES_MARK, variables_table())
    if FLAGS_MARK in markdown:
        markdown = markdown.replace(FLAGS_MARK, serve_flags_table())
    return markdown


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs hook: fill in the configuration page's tables."""
    if page.file.src_uri == "configuration.md":
        return render(markdown)
    return markdown
