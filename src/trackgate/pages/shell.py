"""The frame of every HTML page (landing, connect, console): one stylesheet, no inline code.

Colours live in ``static/trackgate.css`` and meet WCAG AA. Every value put into a page goes
through :func:`html.escape` in the module that builds the body.
"""

from __future__ import annotations

from html import escape

from trackgate.pages.static import COPY_SCRIPT, STYLESHEET

#: Headers of every page: never cached, framed, or leaking its url through a referrer; styles
#: and scripts only from this server's own files (none inline).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def document(
    title: str,
    body: str,
    *,
    header: str = "",
    body_class: str = "",
    main_class: str = "",
    script: bool = False,
) -> str:
    """A whole page around ``body`` (already escaped HTML), with an optional ``header``
    (already escaped) before the ``<main>`` landmark."""
    scripts = f'<script src="{COPY_SCRIPT}" defer></script>' if script else ""
    body_attr = f' class="{escape(body_class)}"' if body_class else ""
    main_attr = f' class="{escape(main_class)}"' if main_class else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{STYLESHEET}">{scripts}'
        f"</head><body{body_attr}>{header}<main{main_attr}>{body}</main></body></html>\n"
    )
