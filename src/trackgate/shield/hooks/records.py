"""The shield's subscriptions as rows: made, found, sealed, heard."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trackgate.crypto import Keyring
from trackgate.shield.hooks import COVERED, LIVE_SECONDS, REPLAY_WINDOW_SECONDS
from trackgate.storage.models import ShieldHook, ShieldHookEvent, ShieldKind, ShieldMirror


def secret_context(hook_id: str) -> str:
    return f"shield_hooks.secret:{hook_id}"


def new_hook_id() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class HookRef:
    """What unsubscribing needs of a hook."""

    workspace_id: int
    subscription_id: int


def hooks_of(session: Session, connection_id: str) -> list[ShieldHook]:
    query = select(ShieldHook).where(ShieldHook.connection_id == connection_id)
    return list(session.scalars(query))


def refs_of(session: Session, connection_id: str) -> list[HookRef]:
    return [
        HookRef(h.workspace_id, h.subscription_id)
        for h in hooks_of(session, connection_id)
        if h.subscription_id is not None
    ]


def seal(keyring: Keyring, hook: ShieldHook, secret: str) -> None:
    hook.secret_ciphertext = keyring.encrypt(secret, secret_context(hook.id))


def secret_of(keyring: Keyring, hook: ShieldHook) -> str | None:
    if hook.secret_ciphertext is None:
        return None
    return keyring.decrypt(hook.secret_ciphertext, secret_context(hook.id))


def first_receipt(session: Session, hook_id: str, event_id: int, now: float) -> bool:
    """Record an event id; False when it was received before (a replay)."""
    if session.get(ShieldHookEvent, (hook_id, event_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ShieldHookEvent(hook_id=hook_id, event_id=event_id, received_at=now))
    except IntegrityError:
        return False  # received meanwhile by another process
    return True


def forget_old_events(session: Session, now: float) -> None:
    session.execute(
        delete(ShieldHookEvent).where(ShieldHookEvent.received_at < now - REPLAY_WINDOW_SECONDS)
    )


def heard(session: Session, hook: ShieldHook, now: float) -> None:
    """A delivery arrived: after a silence longer than the live limit the mirror may have
    missed changes, so the covered kinds are marked dirty (one refresh); then they stay
    fresh while every subscription of the connection has been heard lately."""
    if hook.heard_at is None or now - hook.heard_at > LIVE_SECONDS:
        session.query(ShieldKind).filter(
            ShieldKind.connection_id == hook.connection_id, ShieldKind.kind.in_(COVERED)
        ).update({ShieldKind.dirty_at: now}, synchronize_session=False)
    hook.heard_at = now
    session.flush()
    hooks = hooks_of(session, hook.connection_id)
    live = [h.heard_at for h in hooks if h.validated_at is not None and h.heard_at is not None]
    until = min(live) + LIVE_SECONDS if len(live) == len(hooks) and live else None
    session.query(ShieldKind).filter(
        ShieldKind.connection_id == hook.connection_id, ShieldKind.kind.in_(COVERED)
    ).update({ShieldKind.events_until: until}, synchronize_session=False)
    session.query(ShieldMirror).filter(ShieldMirror.connection_id == hook.connection_id).update(
        {ShieldMirror.version: ShieldMirror.version + 1}, synchronize_session=False
    )
