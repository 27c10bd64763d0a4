"""Request bodies, validated at the boundary. Legacy aliases (``wid``, ``pid``, ``tid``,
``uid``) fold into their long names; ``model_fields_set`` tells a PUT what was sent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, model_validator

ALIASES = {
    "wid": "workspace_id",
    "pid": "project_id",
    "tid": "task_id",
    "uid": "user_id",
    "cid": "client_id",
}


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _fold_aliases(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for short, long in ALIASES.items():
                if short in data and long in cls.model_fields:
                    value = data.pop(short)
                    data.setdefault(long, value)
        return data

    def sent(self, name: str) -> bool:
        return name in self.model_fields_set


class TimeEntryPayload(Payload):
    workspace_id: StrictInt | None = None
    project_id: StrictInt | None = None
    task_id: StrictInt | None = None
    user_id: StrictInt | None = None
    billable: StrictBool | None = None
    description: str | None = None
    start: str | None = None
    stop: str | None = None
    duration: StrictInt | None = None
    created_with: str | None = None
    tags: list[str] | None = None
    tag_ids: list[StrictInt] | None = None
    tag_action: Literal["add", "delete"] | None = None
    duronly: StrictBool | None = None


class PatchOp(BaseModel):
    model_config = ConfigDict(extra="ignore")

    op: Literal["add", "remove", "replace"]
    path: str
    value: Any = None
