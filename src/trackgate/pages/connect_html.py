"""The connect page's HTML, written for the person connecting, not for a developer.

It names the gateway account asking for access, says what that account will be able to do
(one checkbox per scope asked for, in the scope table's words; all but ``read`` may be
unticked), tells where to find an API token on the upstream in use, and how to reach the
server's operator where one is configured. Every value put into a page goes through
:func:`html.escape`. No scripts: a plain form, so it works under a strict CSP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import urlsplit

from trackgate.gateway.scopes import REQUIRED_GRANT, SCOPES
from trackgate.pages.shell import document

APP_LABELS = {"toggl-track": "Toggl Track"}
TOGGL_HOST = "api.track.toggl.com"

#: What a connection never lets the gateway account do, whatever is granted.
CANNOT_DO = "it cannot see your API token or change your email or password"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def revoke_hint(upstream_url: str | None, account_name: str) -> str:
    """How the person takes the access back, true for the upstream this gateway calls."""
    ask = f"ask {escape(account_name)} to delete this connection"
    if upstream_url is None:
        reset = (
            "ask the person who runs this server to reset your API token "
            "(<code>trackgate users reset-token</code>)"
        )
    elif (urlsplit(upstream_url).hostname or upstream_url) == TOGGL_HOST:
        reset = (
            "reset your API token at the bottom of your Profile settings in Toggl Track "
            "(track.toggl.com/profile)"
        )
    else:
        reset = f"reset your API token for {escape(urlsplit(upstream_url).hostname or '')}"
    return (
        f"<p>To take the access back later, {ask}; or {reset}, which ends the access of "
        "every app that holds the old token. To allow more, open a new link from them.</p>"
    )


def contact_line(contact: str | None) -> str:
    """How to reach the operator, as a link when it is an email address or a web address."""
    if not contact:
        return ""
    shown = escape(contact)
    if _EMAIL.match(contact):
        shown = f'<a href="mailto:{escape(contact, quote=True)}">{shown}</a>'
    elif urlsplit(contact).scheme in ("http", "https"):
        shown = f'<a href="{escape(contact, quote=True)}" rel="noreferrer">{shown}</a>'
    return f'<p class="hint">Questions about this server: {shown}</p>'


def scope_boxes(asked: Iterable[str]) -> str:
    """One checkbox per scope asked for, ticked, in the table's order; ``read`` cannot be
    unticked (the browser will not send the form without it)."""
    wanted = set(asked)
    boxes = []
    for scope in SCOPES:
        if scope.name not in wanted:
            continue
        needed = scope.name == REQUIRED_GRANT
        extra = " required" if needed else ""
        note = ' <span class="hint-inline">(always)</span>' if needed else ""
        boxes.append(
            '<label class="scope">'
            f'<input type="checkbox" name="scope" value="{escape(scope.name)}" checked{extra}> '
            f"{escape(scope.consent)}{note}</label>"
        )
    return "".join(boxes)


def form_page(
    *,
    app: str,
    account_name: str,
    upstream_url: str | None,
    csrf_token: str,
    error: str | None,
    reauthorise: bool,
    asked: Iterable[str],
    contact: str | None = None,
) -> str:
    """The form: a token alone, or email and password, suffice (so none of them is
    ``required``)."""
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
        '<form method="post" autocomplete="off">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        f"<fieldset><legend>If you connect, {who} will be able to:</legend>"
        f"{scope_boxes(asked)}</fieldset>"
        f'<p class="hint">Untick what you would rather not allow. Whatever you choose, '
        f"{CANNOT_DO}.</p>"
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
        f"</form>{contact_line(contact)}"
    )
    return document(f"Connect your {app_label(app)} account", body)


def connected_page(
    *,
    app: str,
    account_name: str,
    email: str,
    fullname: str,
    granted: Iterable[str],
    upstream_url: str | None = None,
    contact: str | None = None,
) -> str:
    label = escape(app_label(app))
    who = f"{escape(fullname)} ({escape(email)})" if fullname else escape(email)
    allowed = set(granted)
    may = "".join(f"<li>{escape(s.consent)}</li>" for s in SCOPES if s.name in allowed)
    body = (
        f"<h1>{label} connected</h1>"
        f'<p class="ok" role="status">Your {label} account {who} is now connected to '
        f"<strong>{escape(account_name)}</strong>.</p>"
        f"<p>It may:</p><ul>{may}</ul>"
        "<p>You can close this page.</p>"
        f"{revoke_hint(upstream_url, account_name)}"
        f"{contact_line(contact)}"
    )
    return document(f"{app_label(app)} connected", body)


def message_page(*, title: str, message: str) -> str:
    body = f'<h1>{escape(title)}</h1><p class="error" role="alert">{escape(message)}</p>'
    return document(title, body)
