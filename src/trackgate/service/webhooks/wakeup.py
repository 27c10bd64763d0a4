"""Waking this process's delivery worker when a commit wrote events, from any thread.

Only a shortcut: the worker also looks for due deliveries on its own every moment, so events
written by other processes (or while it slept) are found all the same."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self) -> asyncio.Event:
        """Called by the worker on its loop: the event it waits on."""
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        return self._event

    def unbind(self) -> None:
        self._loop = self._event = None

    def notify(self) -> None:
        loop, event = self._loop, self._event
        if loop is None or event is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(event.set)


WAKEUP = Wakeup()
