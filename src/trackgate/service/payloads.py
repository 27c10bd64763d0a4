"""Request bodies, validated at the boundary. Legacy aliases (``wid``, ``pid``, ``tid``,
``uid``) fold into their long names; ``model_fields_set`` tells a PUT what was sent.

Numbers are bounded to what the columns hold and text may not carry NUL or lone surrogates (no
database stores them), so a hostile value is a 400 here rather than a database error later.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


def _clean_text(text: str) -> str:
    """Text a database can store: no NUL, and no lone surrogates (JSON's ``"\\ud800"``)."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode") from exc
    return text


Id = Annotated[StrictInt, Field(ge=-INT64_MAX, le=INT64_MAX)]
"""An object id: any 64-bit value (unknown ones are answered 404 or 400 by the domain)."""
Int64 = Annotated[StrictInt, Field(ge=-INT64_MAX, le=INT64_MAX)]
Int32 = Annotated[StrictInt, Field(ge=-INT32_MAX, le=INT32_MAX)]
Text = Annotated[str, AfterValidator(_clean_text)]
Name = Annotated[Text, StringConstraints(max_length=255)]

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
    workspace_id: Id | None = None
    project_id: Id | None = None
    task_id: Id | None = None
    user_id: Id | None = None
    billable: StrictBool | None = None
    description: Text | None = None
    start: Text | None = None
    stop: Text | None = None
    duration: Int64 | None = None
    created_with: Name | None = None
    tags: list[Text] | None = None
    tag_ids: list[Id] | None = None
    tag_action: Literal["add", "delete"] | None = None
    duronly: StrictBool | None = None


class PatchOp(BaseModel):
    model_config = ConfigDict(extra="ignore")

    op: Literal["add", "remove", "replace"]
    path: str
    value: Any = None
