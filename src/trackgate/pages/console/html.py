"""The console's pages as HTML. Every value goes through :func:`html.escape`; every form
carries its CSRF token; the only script is the vendored "Copy" button.

Landmarks: a ``<header>`` with the ``<nav>``, then ``<main>``. Fields have ``<label>``s;
buttons say what they do in the words the console promises ("Create key", "Revoke", ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from trackgate import __version__
from trackgate.pages.shell import document

TITLE = "trackgate console"


@dataclass(frozen=True)
class Frame:
    """Who is looking, for the header: their email, the account shown, where they are."""

    email: str
    operator: bool
    account_name: str | None
    accounts: list[tuple[str, str]]  # (id, name) of every account of theirs
    account_id: str | None
    csrf: str
    current: str  # "keys", "connections", "people" or "admin"


def when(instant: datetime | None) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC") if instant is not None else "never"


def hidden_csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf_token" value="{escape(token)}">'


def post_form(action: str, csrf: str, label: str, *, css: str = "", inner: str = "") -> str:
    """A form of one button (and any fields in ``inner``) posting to ``action``."""
    klass = f' class="{css}"' if css else ""
    return (
        f'<form method="post" action="{escape(action)}">{hidden_csrf(csrf)}{inner}'
        f'<button type="submit"{klass}>{escape(label)}</button></form>'
    )


def _nav(frame: Frame) -> str:
    items = [
        ("keys", "/console/keys", "Keys"),
        ("connections", "/console/connections", "Connections"),
        ("people", "/console/people", "People"),
    ]
    if frame.operator:
        items.append(("admin", "/console/admin", "Admin"))
    current = ' aria-current="page"'
    links = "".join(
        f'<li><a href="{href}"{current if name == frame.current else ""}>{label}</a></li>'
        for name, href, label in items
    )
    return f'<nav aria-label="Console"><ul>{links}</ul></nav>'


def _switcher(frame: Frame) -> str:
    if len(frame.accounts) < 2:
        shown = f" · {escape(frame.account_name)}" if frame.account_name else ""
        return f"<span>{escape(frame.email)}{shown}</span>"
    options = "".join(
        f'<option value="{escape(i)}"{" selected" if i == frame.account_id else ""}>'
        f"{escape(n)}</option>"
        for i, n in frame.accounts
    )
    return (
        f"<span>{escape(frame.email)}</span>"
        '<form method="post" action="/console/account" class="inline">'
        f'{hidden_csrf(frame.csrf)}<label for="account-choice">Account</label>'
        f'<select id="account-choice" name="account_id">{options}</select> '
        '<button type="submit">Show</button></form>'
    )


def header(frame: Frame) -> str:
    signout = post_form("/console/signout", frame.csrf, "Sign out")
    return (
        '<header class="top"><div class="bar">'
        '<a class="brand" href="/console/keys">trackgate</a>'
        f'{_nav(frame)}<div class="who">{_switcher(frame)}{signout}</div>'
        "</div></header>"
    )


def console_page(frame: Frame, title: str, body: str, *, script: bool = False) -> str:
    return document(
        f"{title} · {TITLE}", body, header=header(frame), body_class="console", script=script
    )


def notice(text: str, *, error: bool = False) -> str:
    if error:
        return f'<p class="error" role="alert">{escape(text)}</p>'
    return f'<p class="ok" role="status">{escape(text)}</p>'


def _no_account(frame: Frame) -> str:
    return (
        "<p>You do not belong to any gateway account yet. Ask an operator for an invitation"
        + (
            ', or see every account under <a href="/console/admin">Admin</a>.'
            if frame.operator
            else "."
        )
        + "</p>"
    )


# --- signing in and up ----------------------------------------------------------------------


def _field(
    name: str, label: str, kind: str, autocomplete: str, value: str = "", extra: str = ""
) -> str:
    shown = f' value="{escape(value)}"' if value else ""
    return (
        f'<label for="{name}">{label}</label>'
        f'<input type="{kind}" id="{name}" name="{name}" autocomplete="{autocomplete}"'
        f"{shown}{extra} required>"
    )


def signin_page(csrf: str, error: str | None = None, email: str = "") -> str:
    body = (
        "<h1>Sign in</h1>"
        + (notice(error, error=True) if error else "")
        + '<form method="post" action="/console/signin">'
        + hidden_csrf(csrf)
        + _field("email", "Email", "email", "username", email)
        + _field("password", "Password", "password", "current-password")
        + '<button type="submit">Sign in</button></form>'
    )
    return document(f"Sign in · {TITLE}", body, body_class="console", main_class="narrow")


def signup_page(
    csrf: str, *, invite: str | None, email: str, account_name: str | None, error: str | None
) -> str:
    if invite:
        joins = f" to join <strong>{escape(account_name)}</strong>" if account_name else ""
        intro = f"<p>You were invited{joins}. Choose a password to sign up.</p>"
        email_field = _field("email", "Email", "email", "username", email, " readonly")
    else:
        intro = "<p>Sign up to get a gateway account of your own.</p>"
        email_field = _field("email", "Email", "email", "username", email)
    body = (
        "<h1>Sign up</h1>"
        + (notice(error, error=True) if error else "")
        + intro
        + '<form method="post" action="/console/signup">'
        + hidden_csrf(csrf)
        + (f'<input type="hidden" name="invite" value="{escape(invite)}">' if invite else "")
        + email_field
        + _field(
            "password",
            "Password",
            "password",
            "new-password",
            extra=' minlength="8" aria-describedby="password-hint"',
        )
        + '<span class="hint" id="password-hint">At least 8 characters.</span>'
        + '<button type="submit">Sign up</button></form>'
        + '<p>Have an account? <a href="/console/signin">Sign in</a>.</p>'
    )
    return document(f"Sign up · {TITLE}", body, body_class="console", main_class="narrow")


def message_page(title: str, message: str, *, link: tuple[str, str] | None = None) -> str:
    more = f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>' if link else ""
    body = f"<h1>{escape(title)}</h1>{notice(message, error=True)}{more}"
    return document(f"{title} · {TITLE}", body, body_class="console", main_class="narrow")


# --- keys -----------------------------------------------------------------------------------


def new_key_panel(api_key: str) -> str:
    return (
        '<section class="ok" aria-labelledby="new-key-title">'
        '<h2 id="new-key-title">Your new key</h2>'
        "<p>Copy it now: it is shown this once.</p>"
        '<div class="copyrow">'
        f'<code class="secret" id="new-key" data-testid="new-key">{escape(api_key)}</code>'
        '<button type="button" data-copy="new-key">Copy</button>'
        '<span id="new-key-status" role="status"></span></div>'
        "<p>In a shell:</p>"
        f'<code class="secret" id="new-key-export">export MATON_API_KEY={escape(api_key)}</code>'
        "</section>"
    )


def keys_page(
    frame: Frame, keys: list[Any], *, new_key: str | None, message: str | None, disabled: bool
) -> str:
    if frame.account_id is None:
        return console_page(frame, "Keys", "<h1>Keys</h1>" + _no_account(frame))
    rows = []
    for key in keys:
        revoked = key.revoked_at is not None
        actions = (
            f'<a href="/console/keys/{escape(key.id)}/rename">Rename</a> '
            + post_form(f"/console/keys/{key.id}/revoke", frame.csrf, "Revoke", css="danger")
            if not revoked
            else f'<a href="/console/keys/{escape(key.id)}/rename">Rename</a>'
        )
        rows.append(
            f'<tr data-key-id="{escape(key.id)}"><td>{escape(key.name or "(no name)")}</td>'
            f"<td><code>{escape(key.prefix)}…</code></td><td>{when(key.created_at)}</td>"
            f"<td>{when(key.last_used_at)}</td>"
            f"<td>{when(key.revoked_at) if revoked else 'no'}</td><td>{actions}</td></tr>"
        )
    table = (
        '<table><caption class="muted">Keys of this account; a key itself is shown only '
        'when it is created.</caption><thead><tr><th scope="col">Name</th>'
        '<th scope="col">Prefix</th><th scope="col">Created</th><th scope="col">Last used</th>'
        '<th scope="col">Revoked</th><th scope="col">Actions</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>This account has no keys yet.</p>"
    )
    create = (
        '<h2>Create a key</h2><form method="post" action="/console/keys" class="inline">'
        + hidden_csrf(frame.csrf)
        + '<label for="key-name">Key name</label>'
        '<input type="text" id="key-name" name="name" maxlength="255" autocomplete="off"> '
        '<button type="submit">Create key</button></form>'
    )
    body = (
        f"<h1>Keys of {escape(frame.account_name or '')}</h1>"
        + (
            notice("An operator has disabled this account: its keys are refused.", error=True)
            if disabled
            else ""
        )
        + (notice(message) if message else "")
        + (new_key_panel(new_key) if new_key else "")
        + "<p>Apps call Toggl Track through this gateway with a key: "
        "<code>Authorization: Bearer $MATON_API_KEY</code>.</p>" + table + create
    )
    return console_page(frame, "Keys", body, script=new_key is not None)


def rename_page(frame: Frame, key: Any, error: str | None = None) -> str:
    body = (
        f"<h1>Rename key {escape(key.prefix)}…</h1>"
        + (notice(error, error=True) if error else "")
        + f'<form method="post" action="/console/keys/{escape(key.id)}/rename">'
        + hidden_csrf(frame.csrf)
        + '<label for="key-name">Key name</label>'
        + '<input type="text" id="key-name" name="name" maxlength="255" '
        f'value="{escape(key.name or "")}">'
        '<button type="submit">Rename</button></form>'
        '<p><a href="/console/keys">Back to keys</a></p>'
    )
    return console_page(frame, "Rename key", body)


# --- connections ----------------------------------------------------------------------------


def _connect_panel(url: str) -> str:
    return (
        '<section class="ok" aria-labelledby="connect-title">'
        '<h2 id="connect-title">Connect link</h2>'
        "<p>Open this link (or send it to the person whose Toggl Track account it is) to "
        "complete the connection. It works once, for 30 minutes.</p>"
        '<div class="copyrow">'
        f'<a id="connect-link" href="{escape(url)}">{escape(url)}</a>'
        '<button type="button" data-copy="connect-link">Copy</button>'
        '<span id="connect-link-status" role="status"></span></div></section>'
    )


def connections_page(
    frame: Frame,
    connections: list[Any],
    urls: dict[str, str],
    *,
    default_id: str | None,
    fresh_url: str | None,
    message: str | None,
) -> str:
    if frame.account_id is None:
        return console_page(frame, "Connections", "<h1>Connections</h1>" + _no_account(frame))
    rows = []
    for c in connections:
        details = c.details or {}
        who = (
            " ".join(
                part
                for part in (
                    escape(str(details.get("fullname") or "")),
                    f"&lt;{escape(str(details['email']))}&gt;" if details.get("email") else "",
                )
                if part
            )
            or '<span class="muted">not connected yet</span>'
        )
        status = f'<span class="status status-{escape(c.status)}">{escape(c.status)}</span>'
        if c.status == "FAILED" and c.failure_reason:
            status += f'<br><span class="muted">Why: {escape(c.failure_reason)}</span>'
        default = (
            'yes<br><span class="muted">the oldest ACTIVE one: used when a call names none</span>'
            if c.id == default_id
            else "no"
        )
        link = (
            f'<a href="{escape(urls[c.id])}">Open connect link</a> '
            if c.status == "PENDING" and c.id in urls
            else ""
        )
        week = (
            f'<a href="/console/connections/{escape(c.id)}/week">This week</a> '
            if c.status == "ACTIVE"
            else ""
        )
        actions = (
            week
            + link
            + post_form(f"/console/connections/{c.id}/reconnect", frame.csrf, "Reconnect")
            + f' <a href="/console/connections/{escape(c.id)}/delete">Delete</a>'
        )
        rows.append(
            f'<tr data-connection-id="{escape(c.id)}"><td><code>{escape(c.id)}</code></td>'
            f"<td>{status}</td><td>{escape(c.method or '—')}</td><td>{who}</td>"
            f"<td>{when(c.created_at)}</td><td>{default}</td><td>{actions}</td></tr>"
        )
    table = (
        '<table><thead><tr><th scope="col">Connection</th><th scope="col">Status</th>'
        '<th scope="col">Method</th><th scope="col">Toggl user</th><th scope="col">Created</th>'
        '<th scope="col">Default</th><th scope="col">Actions</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>This account has no connections yet.</p>"
    )
    body = (
        f"<h1>Connections of {escape(frame.account_name or '')}</h1>"
        + (notice(message) if message else "")
        + (_connect_panel(fresh_url) if fresh_url else "")
        + "<p>A connection holds one Toggl Track account's sign-in for this gateway account; "
        "the gateway never shows it.</p>"
        + table
        + post_form("/console/connections", frame.csrf, "New connection")
    )
    return console_page(frame, "Connections", body, script=fresh_url is not None)


def delete_connection_page(frame: Frame, connection: Any) -> str:
    details = connection.details or {}
    who = f" ({escape(str(details['email']))})" if details.get("email") else ""
    body = (
        "<h1>Delete this connection?</h1>"
        f"<p>Connection <code>{escape(connection.id)}</code>{who} and the sign-in it holds "
        "will be destroyed. Apps using it stop working at once.</p>"
        + post_form(
            f"/console/connections/{connection.id}/delete", frame.csrf, "Delete", css="danger"
        )
        + '<p><a href="/console/connections">Keep it</a></p>'
    )
    return console_page(frame, "Delete connection", body)


# --- operators ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    id: str
    name: str
    members: int
    keys: int
    connections: int
    disabled: bool


def admin_page(
    frame: Frame,
    accounts: list[AccountRow],
    health: dict[str, str],
    message: str | None,
    people: str = "",
) -> str:
    rows = []
    for a in accounts:
        action = (
            post_form(f"/console/admin/accounts/{a.id}/enable", frame.csrf, "Enable")
            if a.disabled
            else post_form(
                f"/console/admin/accounts/{a.id}/disable", frame.csrf, "Disable", css="danger"
            )
        )
        state = '<span class="status status-FAILED">disabled</span>' if a.disabled else "enabled"
        rows.append(
            f'<tr data-account-id="{escape(a.id)}"><td>{escape(a.name)}<br>'
            f"<code>{escape(a.id)}</code></td>"
            f"<td>{a.members}</td><td>{a.keys}</td><td>{a.connections}</td>"
            f"<td>{state}</td><td>{action}</td></tr>"
        )
    table = (
        '<table><thead><tr><th scope="col">Account</th><th scope="col">Members</th>'
        '<th scope="col">Live keys</th><th scope="col">Connections</th><th scope="col">State</th>'
        '<th scope="col">Actions</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No accounts yet: make one with <code>trackgate accounts create</code>.</p>"
    )
    facts = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>'
        for k, v in [
            ("Database", health.get("database", "?")),
            ("Redis", health.get("redis", "?")),
            ("Version", __version__),
        ]
    )
    body = (
        "<h1>Operators</h1>"
        + (notice(message) if message else "")
        + f"<h2>Instance health</h2><table><tbody>{facts}</tbody></table>"
        + "<h2>Accounts</h2>"
        + "<p>Disabling an account refuses its keys at once on every server; enabling it "
        "lets them work again.</p>" + table + people
    )
    return console_page(frame, "Admin", body)
