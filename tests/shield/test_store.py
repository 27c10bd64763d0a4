"""The mirror's store on its own: upserts keep the newer ``at``, and changes merged apart from
a listing are placed where the listing would put them."""

from __future__ import annotations

import json

from tests.shield.conftest import Shielded
from trackgate.shield import store
from trackgate.shield.rules import TAGS


def test_an_upsert_keeps_the_newer_at_and_places_by_the_listing_rule(gw: Shielded) -> None:
    def tag(tid: int, name: str, at: str) -> store.Item:
        text = f'{{"id":{tid},"workspace_id":1,"name":"{name}","at":"{at}"}}'
        return text, json.loads(text)

    cid = gw.connection_id
    with gw.runtime.db.write() as session:
        store.replace_kind(session, cid, TAGS, [tag(2, "b", "2024-01-02T00:00:00Z")], 1.0)
        store.merge_objects(session, cid, TAGS, [tag(1, "C", "2024-01-03T00:00:00Z")])
        store.merge_objects(session, cid, TAGS, [tag(1, "old", "2024-01-01T00:00:00Z")])
        store.renumber(session, cid, TAGS)
        assert store.in_listing_order(session, cid, TAGS)
        held = store.held(session, cid, [TAGS])[TAGS]
    assert [(h.object_id, h.value["name"]) for h in sorted(held, key=lambda h: h.position)] == [
        (2, "b"),
        (1, "C"),
    ]
