from fastapi.testclient import TestClient

from tests.conftest import Person


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert len(r.headers["x-request-id"]) == 32


def test_me_round_trip(client: TestClient, user: Person) -> None:
    r = client.get("/api/v9/me", headers=user.auth)
    assert r.status_code == 200, r.text
    assert r.json()["api_token"] == user.token
    assert r.json()["default_workspace_id"] == user.workspace_id
