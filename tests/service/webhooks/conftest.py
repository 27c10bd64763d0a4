"""In-process service with webhooks whose callbacks may be on loopback, and a receiver."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Person, make_user
from tests.service.webhooks.receiver import Receiver, receiving
from trackgate.app import create_app
from trackgate.config import Settings
from trackgate.runtime import Runtime, build_runtime

API = "/webhooks/api/v1"


@pytest.fixture
def hooks_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_allow_private=True)


@pytest.fixture
def hooks_runtime(hooks_settings: Settings) -> Iterator[Runtime]:
    rt = build_runtime(hooks_settings)
    yield rt
    rt.close()


@pytest.fixture
def hooks(hooks_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(hooks_runtime), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def owner(hooks_runtime: Runtime) -> Person:
    return make_user(hooks_runtime, fullname="Hook Owner")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


def subscribe(
    client: TestClient, person: Person, url: str, filters: Any = None, **extra: Any
) -> dict[str, Any]:
    body = {
        "url_callback": url,
        "event_filters": filters or [{"entity": "*", "action": "*"}],
        "description": extra.pop("description", f"hook for {url}"),
        "enabled": True,
        **extra,
    }
    r = client.post(f"{API}/subscriptions/{person.workspace_id}", json=body, headers=person.auth)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def validate(client: TestClient, person: Person, sub: dict[str, Any], receiver: Receiver) -> None:
    """Asynchronous validation, with the code the PING carried."""
    r = client.post(
        f"{API}/ping/{person.workspace_id}/{sub['subscription_id']}", headers=person.auth
    )
    assert r.status_code == 200, r.text
    code = receiver.received[-1].json["validation_code"]
    r = client.get(
        f"{API}/validate/{person.workspace_id}/{sub['subscription_id']}/{code}",
        headers=person.auth,
    )
    assert r.status_code == 200, r.text
