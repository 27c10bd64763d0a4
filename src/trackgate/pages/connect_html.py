"""The connect page's HTML, written for the person connecting, not for a developer.

It names the gateway account asking for access, says what that account will be able to do,
and tells where to find an API token on the upstream in use. Every value put into a page goes
through :func:`html.escape`. No scripts: a plain form, so it works under a strict CSP.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from trackgate.pages.shell import document

APP_LABELS = {"toggl-track": "Toggl Track"}
TOGGL_HOST = "api.track.toggl.com"

#: What a connection lets the gateway account do, and what the gateway keeps from it.
CAN_DO = "read and change your time entries, projects, clients and tags"
CANNOT_DO = "it cannot see your API token or change your email or password"


def app_label(app: str) -> str:
    return APP_LABELS.get(app, app)


def token_hint(upstream_url: str | None) -> str:
    """Where the person finds an API token, true for the upstream this gateway calls."""
    if upstream_url is None:
        return (
            "Your API token was given to you by the person who runs this server (it is shown "
            "when your user is made)."
        )
    host = urlsplit(upstream_url).hostname or upstream_url
    if host == TOGGL_HOST:
        return (
            "Find it at the bottom of your Profile settings in Toggl Track "
            "(track.toggl.com/profile)."
        )
    return f"Use your API token for {host}."


def form_page(
    *,
    app: str,
    account_name: str,
    upstream_url: str | None,
    csrf_token: str,
    error: str | None,
    reauthorise: bool,
) -> str:
    """The form: a token alone, or email and password, suffice (so nothing is ``required``)."""
    label = escape(app_label(app))
    who = f"<strong>{escape(account_name)}</strong>"
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    asks = (
        f"{who} asks to keep using your {label} account: this replaces the sign-in it had."
        if reauthorise
        else f"{who} asks for access to your {label} account."
    )
    body = (
        f"<h1>Connect your {label} account</h1>{notice}<p>{asks}</p>"
        f"<p>If you connect, {who} will be able to {CAN_DO}; {CANNOT_DO}.</p>"
        '<form method="post" autocomplete="off">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        '<label for="api_token">API token</label>'
        '<input type="password" id="api_token" name="api_token" autocomplete="off" '
        'aria-describedby="token_hint">'
        f'<span class="hint" id="token_hint">{escape(token_hint(upstream_url))}</span>'
        f'<p class="or">Or sign in with your {label} email and password. They are used once '
        "to fetch your API token; the password is not stored.</p>"
        '<label for="email">Email</label>'
        '<input type="email" id="email" name="email" autocomplete="username">'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password">'
        '<button type="submit">Connect</button>'
        "</form>"
    )
    return document(f"Connect your {app_label(app)} account", body)


def connected_page(*, app: str, account_name: str, email: str, fullname: str) -> str:
    label = escape(app_label(app))
    who = f"{escape(fullname)} ({escape(email)})" if fullname else escape(email)
    body = (
        f"<h1>{label} connected</h1>"
        f'<p class="ok" role="status">Your {label} account {who} is now connected to '
        f"<strong>{escape(account_name)}</strong>.</p>"
        "<p>You can close this page. To take the access back later, ask them to delete the "
        "connection.</p>"
    )
    return document(f"{app_label(app)} connected", body)


def message_page(*, title: str, message: str) -> str:
    body = f'<h1>{escape(title)}</h1><p class="error" role="alert">{escape(message)}</p>'
    return document(title, body)
