"""The shell of the server's few HTML pages (landing, connect): one style, no scripts.

Colours meet WCAG AA: text at least 4.5:1 against its background, the button at least 3:1
against the card and its label 4.5:1 against the button. Every value put into a page goes
through :func:`html.escape` in the module that builds the body.
"""

from __future__ import annotations

from html import escape

#: Headers of every page: never cached, framed, or leaking its url through a referrer.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f4f1;
color:#2c1338;margin:0;padding:2rem 1rem;line-height:1.45}
main{max-width:30rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin-top:0}
h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
a{color:#8a2480}
code{font-size:.9em;background:#f6f4f1;padding:0 .2em;border-radius:3px}
label{display:block;margin:.8rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;
padding:.5rem;border:1px solid #767676;border-radius:4px;font-size:1rem;color:#2c1338;
background:#fff}
button{margin-top:1.2rem;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#8a2480;
color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid #2c1338;
outline-offset:2px}
.error{background:#fde8e8;border:1px solid #b03030;padding:.6rem .8rem;border-radius:4px;
color:#5c0f0f}
.ok{background:#e6f6ea;border:1px solid #2e7d43;padding:.6rem .8rem;border-radius:4px;
color:#1d4d2b}
.or{margin:1rem 0 0;color:#555;font-size:.95rem}
.hint{display:block;color:#555;font-size:.9rem;margin-top:.25rem}
.hint-inline{color:#555;font-size:.9rem}
fieldset{border:1px solid #d6d0c8;border-radius:4px;margin:1rem 0 0;padding:.4rem .8rem .6rem}
legend{font-weight:600;padding:0 .3rem}
label.scope{font-weight:400;margin:.45rem 0 0}
label.scope input{margin:0 .45rem 0 0}
"""


def document(title: str, body: str) -> str:
    """A whole page around ``body`` (already escaped HTML)."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )
