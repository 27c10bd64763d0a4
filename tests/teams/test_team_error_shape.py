"""The team endpoints' errors are Toggl's too: a JSON string, never a 500 (see
``tests/service/test_error_shape.py``, whose world and checks this reuses)."""

from __future__ import annotations

import pytest

from tests.service.test_error_shape import (
    HUGE,
    Case,
    World,
    world,  # noqa: F401 (the fixture)
)
from tests.service.test_error_shape import test_error_shape as check_error_shape

CASES = [
    Case("GET", "/organizations/abc", 400),
    Case("GET", f"/organizations/{HUGE}", 400),
    Case("PUT", "/organizations/987654321", 403, json={"name": "x"}),
    Case("POST", "/organizations", 400, json={"name": "a\x00b", "workspace_name": "w"}),
    Case("POST", "/organizations", 400, content=b'{"name": "\\ud800", "workspace_name": "w"}'),
    Case("POST", "/organizations", 400, content=b"{]"),
    Case("POST", "/organizations/987654321/invitations", 403, json={"emails": ["a@b.co"]}),
    Case("POST", "/organizations/invitations/%00/accept", 404),
    Case("POST", "/organizations/invitations/" + "a" * 32 + "/reject", 404),
    Case("GET", "/workspaces?since=later", 400),
    Case("GET", "/workspaces/{other}/statistics", 403),
    Case("GET", "/workspaces/{other}/workspace_users", 403),
    Case("PUT", "/workspaces/{wid}/workspace_users/987654321", 404, json={}),
    Case(
        "PUT", "/workspaces/{wid}/workspace_users/1", 400, json={"working_hours_in_minutes": HUGE}
    ),
    Case("DELETE", "/workspaces/{wid}/workspace_users/987654321", 404),
    Case("GET", "/workspaces/{wid}/project_users?project_ids=a", 400),
    Case("POST", "/workspaces/{wid}/project_users", 400, json={"project_id": HUGE, "user_id": 1}),
    Case("POST", "/workspaces/{wid}/project_users", 400, json={"project_id": 1, "user_id": 1}),
    Case("DELETE", "/workspaces/{wid}/project_users/987654321", 404),
    Case("PATCH", "/workspaces/{wid}/projects/1,2", 400, json={"op": "replace"}),
    Case("PATCH", "/workspaces/{wid}/projects/1", 400, json=[{"op": "x", "path": "/color"}]),
    Case("GET", "/me/projects/paginated?per_page=-1", 400),
    Case("POST", "/me/preferences", 400, json=["not", "an", "object"]),
    Case("POST", "/me/preferences", 400, content=b'{"date_format": "\\ud800"}'),
    Case("POST", "/me/preferences", 400, content=b'{"date_format": "a\\u0000b"}'),
    Case("POST", "/me/preferences", 400, content=b'{"description": NaN}'),
    Case("POST", "/me/preferences", 400, content=b'{"zoom": 1e999999}'),
    Case("GET", "/me/preferences/%00", 400),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_team_error_shape(world: World, case: Case) -> None:  # noqa: F811
    check_error_shape(world, case)
