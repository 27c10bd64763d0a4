"""A user's preferences: Toggl's defaults overlaid with what clients stored, for all clients
(``/me/preferences``) or one (``/me/preferences/{client}``). Values are stored as sent
(JSON), bounded in size; keys are plain names, as Toggl's are."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.orm import Session

from trackgate.service.errors import BadRequest
from trackgate.storage.models import User, UserPreferences
from trackgate.storage.types import utcnow

KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
CLIENT = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_BYTES = 16_384
DEFAULTS: dict[str, Any] = {
    "date_format": "MM/DD/YYYY",
    "timeofday_format": "h:mm A",
    "duration_format": "improved",
    "record_timeline": False,
    "send_product_emails": False,
    "send_weekly_report": False,
    "send_timer_notifications": False,
    "send_added_to_project_notification": False,
    "send_daily_project_invites": False,
    "send_system_message_notification": False,
    "send_product_release_notification": False,
    "hide_sidebar_right": False,
    "keyboard_shortcuts_share_time_entries": False,
    "is_goals_view_expanded": False,
    "is_goals_view_shown": False,
    "is_summary_total_view_visible": False,
    "pomodoro_enabled": False,
    "reminder_enabled": False,
}


def client_name(raw: str) -> str:
    if not CLIENT.fullmatch(raw):
        raise BadRequest("Invalid client name")
    return raw


def read(session: Session, user: User, client: str = "") -> dict[str, Any]:
    stored = session.get(UserPreferences, (user.id, client))
    body = {**DEFAULTS, "pg_time_zone_name": user.timezone}
    if client:
        shared = session.get(UserPreferences, (user.id, ""))
        body.update(shared.data if shared else {})
    body.update(stored.data if stored else {})
    return body


def write(session: Session, user_id: int, changes: Any, client: str = "") -> None:
    """Merge ``changes`` (an object of plain keys) into what the user stored before."""
    if not isinstance(changes, dict):
        raise BadRequest("Preferences must be a JSON object")
    for key in changes:
        if not KEY.fullmatch(key):
            raise BadRequest(f"Invalid preference name: {key[:64]!r}")
    stored = session.get(UserPreferences, (user_id, client))
    if stored is None:
        stored = UserPreferences(user_id=user_id, client=client, data={})
        session.add(stored)
    merged = {**stored.data, **changes}
    try:
        text = json.dumps(merged, ensure_ascii=False, allow_nan=False)
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise BadRequest("Preferences must be valid Unicode") from exc
    except ValueError as exc:  # NaN or Infinity: no JSON a database keeps
        raise BadRequest("Preferences must hold finite numbers") from exc
    if "\\u0000" in text:  # how json spells NUL
        raise BadRequest("Preferences must not contain NUL characters")
    if size > MAX_BYTES:
        raise BadRequest(f"Preferences must not exceed {MAX_BYTES} bytes")
    stored.data = merged
    stored.at = utcnow()
    session.flush()
