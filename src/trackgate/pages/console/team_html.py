"""The people page as HTML: the account's people, the invitation form and its one-time
link, "Sign out everywhere"; and the operators' list of every person."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from trackgate.pages.console.html import Frame, console_page, hidden_csrf, notice, post_form


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    operator: bool
    sessions: int


def _invite_panel(url: str) -> str:
    return (
        '<section class="ok" aria-labelledby="invite-title">'
        '<h2 id="invite-title">Sign-up link</h2>'
        "<p>Copy it now: it is shown this once.</p>"
        '<div class="copyrow">'
        f'<code class="secret" id="invite-link" data-testid="invite-link">{escape(url)}</code>'
        '<button type="button" data-copy="invite-link">Copy</button>'
        '<span id="invite-link-status" role="status"></span></div></section>'
    )


def _invite_form(frame: Frame, roles: tuple[str, ...]) -> str:
    options = "".join(
        f'<option value="{r}"{" selected" if r == "member" else ""}>{r}</option>' for r in roles
    )
    return (
        "<h2>Invite someone</h2>"
        '<form method="post" action="/console/people/invite" class="inline">'
        + hidden_csrf(frame.csrf)
        + '<label for="invite-email">Email</label>'
        '<input type="email" id="invite-email" name="email" autocomplete="off" required> '
        '<label for="invite-role">Role</label>'
        f'<select id="invite-role" name="role">{options}</select> '
        '<button type="submit">Invite</button></form>'
    )


def people_page(
    frame: Frame,
    people: list[tuple[str, str]],
    roles: tuple[str, ...],
    *,
    invite_url: str | None,
    message: str | None,
    error: str | None,
) -> str:
    rows = "".join(
        f"<tr><td>{escape(email)}</td><td>{escape(role)}</td></tr>" for email, role in people
    )
    listing = (
        '<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        if rows
        else "<p>Nobody belongs to this account yet.</p>"
    )
    account = (
        f"<h1>People of {escape(frame.account_name or '')}</h1>"
        + listing
        + (_invite_form(frame, roles) if roles and frame.account_id else "")
        if frame.account_id
        else "<h1>People</h1><p>You do not belong to any gateway account yet.</p>"
    )
    body = (
        (notice(message) if message else "")
        + (notice(error, error=True) if error else "")
        + (_invite_panel(invite_url) if invite_url else "")
        + account
        + "<h2>Your sessions</h2><p>Signed in on another computer, or lost one? This ends "
        "every session of yours at once, this one too.</p>"
        + post_form("/console/signout-everywhere", frame.csrf, "Sign out everywhere")
    )
    return console_page(frame, "People", body, script=invite_url is not None)


def everyone_section(frame: Frame, people: list[Person]) -> str:
    """For the admin page: every person, and signing one out everywhere."""
    rows = "".join(
        f'<tr data-member-id="{escape(p.id)}"><td>{escape(p.email)}</td>'
        f"<td>{'operator' if p.operator else ''}</td><td>{p.sessions}</td><td>"
        + post_form(
            f"/console/admin/people/{p.id}/signout",
            frame.csrf,
            "Sign out everywhere",
            css="danger",
        )
        + "</td></tr>"
        for p in people
    )
    return (
        "<h2>People</h2><p>Signing a person out everywhere ends every session of theirs at "
        "once, on every server.</p>"
        '<table><thead><tr><th scope="col">Email</th><th scope="col">Operator</th>'
        '<th scope="col">Open sessions</th><th scope="col">Actions</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
