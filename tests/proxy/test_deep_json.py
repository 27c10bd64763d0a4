"""Deeply nested JSON is a bad request through the gateway, as it is on the service, and an
answer nested that deep is still cleaned of the credential: never a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.proxy.conftest import Gate
from tests.proxy.helpers import assert_gateway_error
from trackgate.gateway import guard

BASE = "/toggl-track/api/v9"
DEPTH = 10_000
DEEP_ARRAY = b"[" * DEPTH + b"]" * DEPTH
DEEP_FIELD = b'{"fullname": ' + b'{"a":' * DEPTH + b"1" + b"}" * DEPTH + b"}"


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_FIELD], ids=["array", "field"])
def test_deeply_nested_me_update_is_400_through_the_gateway_and_on_the_service(
    client: TestClient, gate: Gate, body: bytes
) -> None:
    assert len(body) <= guard.MAX_ME_BODY  # the depth, not the size, is what is refused
    through = client.put(f"{BASE}/me", headers=gate.headers, content=body)
    assert_gateway_error(through, 400, "bad_request")
    assert "Traceback" not in through.text
    direct = client.put("/api/v9/me", headers=gate.user.auth, content=body)
    assert direct.status_code == 400
    assert isinstance(direct.json(), str)


def test_a_deeply_nested_answer_is_cleaned_not_crashed() -> None:
    secret = "0123456789abcdef0123456789abcdef"
    nested = '{"api_token": "' + secret + '", "x": ' + "[" * DEPTH + "]" * DEPTH + "}"
    cleaned = guard.strip_tokens(nested.encode(), secret)
    assert secret.encode() not in cleaned
    shallow = json.dumps({"api_token": secret, "a": [[{"api_token": "other"}]]}).encode()
    assert json.loads(guard.strip_tokens(shallow, secret)) == {
        "api_token": guard.TOKEN_STAND_IN,
        "a": [[{"api_token": guard.TOKEN_STAND_IN}]],
    }


def test_a_deeply_nested_control_body_is_400(client: TestClient, gate: Gate) -> None:
    r = client.post("/connections", headers=gate.headers, content=DEEP_ARRAY)
    assert_gateway_error(r, 400, "bad_request")
