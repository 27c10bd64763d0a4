"""What an import did, as ``--json`` prints it: a count per kind, the people it named."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "organizations",
    "workspaces",
    "clients",
    "projects",
    "tags",
    "tasks",
    "project_users",
    "time_entries",
)


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    users: dict[str, bool] = field(default_factory=dict)  # e-mail -> created by this import
    skipped: list[dict[str, Any]] = field(default_factory=list)  # bad rows left out
    upstream_requests: int | None = None

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def person(self, email: str, created: bool) -> None:
        self.users[email] = self.users.get(email, False) or created

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.counts)
        if self.upstream_requests is not None:
            body["upstream_requests"] = self.upstream_requests
        body["users"] = [{"email": e, "created": c} for e, c in self.users.items()]
        if self.skipped:
            body["skipped"] = self.skipped
        return body
