"""What a live import shows on stderr while it runs: the request it makes, and a bar counting
down a wait for Toggl's quota to reset (nothing at all with ``--json``)."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn


class ProgressView:
    """``enabled``: a live bar (a terminal); ``announce``: otherwise a line per wait."""

    def __init__(self, enabled: bool, announce: bool = False) -> None:
        self.enabled = enabled
        self.announce = announce
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not enabled,
        )
        self.task = self.progress.add_task("Importing from Toggl", total=None)
        self.requests = 0

    def __enter__(self) -> ProgressView:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def step(self, what: str) -> None:
        self.requests += 1
        self.progress.update(
            self.task, description=f"Importing from Toggl: {what}", total=None, completed=0
        )

    def wait(self, reason: str, seconds: float) -> None:
        self.progress.update(self.task, description=reason, total=seconds, completed=0)
        if self.announce and not self.enabled:
            sys.stderr.write(f"trackgate: {reason}: {seconds:.0f} s\n")
            sys.stderr.flush()

    def sleep(self, seconds: float) -> None:
        """Sleeps, moving the bar a second at a time."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(1.0, left))
            self.progress.update(self.task, completed=seconds - max(0.0, end - time.monotonic()))
