"""The connect page's HTML. Every value put into a page goes through :func:`html.escape`.

No scripts: the page is a plain form, so it works in any browser and under a strict CSP.
"""

from __future__ import annotations

from html import escape

APP_LABELS = {"toggl-track": "Toggl Track"}

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f4f1;
color:#2c1338;margin:0;padding:2rem 1rem}
main{max-width:28rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin-top:0}
label{display:block;margin:.8rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;
padding:.5rem;border:1px solid #bbb;border-radius:4px;font-size:1rem}
button{margin-top:1.2rem;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#e57cd8;
color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
.error{background:#fde8e8;border:1px solid #e99;padding:.6rem .8rem;border-radius:4px}
.ok{background:#e6f6ea;border:1px solid #8c8;padding:.6rem .8rem;border-radius:4px}
.or{margin:1rem 0 0;color:#777;font-size:.9rem}
small{color:#666}
"""


def app_label(app: str) -> str:
    return APP_LABELS.get(app, app)


def _document(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def form_page(*, app: str, csrf_token: str, error: str | None, reauthorise: bool) -> str:
    """The form: a token alone, or email and password, suffice (so nothing is ``required``)."""
    label = app_label(app)
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    purpose = (
        f"This replaces the credential of an existing {escape(label)} connection."
        if reauthorise
        else f"Give the gateway access to your {escape(label)} account."
    )
    body = (
        f"<h1>Connect {escape(label)}</h1>{notice}<p>{purpose}</p>"
        '<form method="post" autocomplete="off">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        '<label for="api_token">API token</label>'
        '<input type="password" id="api_token" name="api_token" autocomplete="off">'
        "<small>Found at the bottom of your Toggl Track profile page.</small>"
        '<p class="or">or sign in with your email and password (they are exchanged for the '
        "API token; the password is not stored):</p>"
        '<label for="email">Email</label>'
        '<input type="email" id="email" name="email" autocomplete="username">'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password">'
        '<button type="submit">Connect</button>'
        "</form>"
    )
    return _document(f"Connect {label}", body)


def connected_page(*, app: str, email: str, fullname: str) -> str:
    label = app_label(app)
    who = f"{escape(fullname)} ({escape(email)})" if fullname else escape(email)
    body = (
        f"<h1>{escape(label)} connected</h1>"
        f'<p class="ok" role="status">Connected: the account {who} is now connected.</p>'
        "<p>You can close this page.</p>"
    )
    return _document(f"{label} connected", body)


def message_page(*, title: str, message: str) -> str:
    body = f'<h1>{escape(title)}</h1><p class="error" role="alert">{escape(message)}</p>'
    return _document(title, body)
