"""The quota shield through the gateway, in process: what is answered from the mirror, what
passes through, how fresh it is, reading one's own writes, and the switch that turns it off."""

from __future__ import annotations

from collections.abc import Callable

from tests.shield.conftest import Shielded, today_range, without_token

CACHE = "x-trackgate-cache"


def test_a_second_read_is_a_hit_with_the_same_answer(gw: Shielded) -> None:
    first = gw.get("/me")
    assert first.status_code == 200 and first.headers[CACHE] == "miss"
    assert first.headers["age"] == "0"
    second = gw.get("/me")
    assert second.headers[CACHE] == "hit" and int(second.headers["age"]) >= 0
    assert second.content == first.content
    assert second.json() == without_token(gw.direct("GET", "/me").json())
    assert gw.user.token not in second.text


def test_reads_the_mirror_cannot_answer_pass_through(gw: Shielded) -> None:
    related = gw.get("/me?with_related_data=true")
    assert related.status_code == 200 and related.headers[CACHE] == "bypass"
    assert related.headers["age"] == "0"
    assert gw.get("/me/time_entries?before=2026-01-01").headers[CACHE] == "bypass"
    assert gw.get("/workspaces/999999/projects").status_code in (403, 404)


def test_cache_control_forces_or_relaxes_freshness(gw: Shielded) -> None:
    assert gw.get("/me/tags").headers[CACHE] == "miss"
    assert gw.get("/me/tags", **{"Cache-Control": "no-cache"}).headers[CACHE] == "bypass"
    assert gw.get("/me/tags", **{"Cache-Control": "max-age=0"}).headers[CACHE] == "miss"
    assert gw.get("/me/tags", **{"Cache-Control": "max-age=3600"}).headers[CACHE] == "hit"


def test_a_freshness_limit_of_zero_refreshes_every_read(
    shielded: Callable[..., Shielded],
) -> None:
    gw = shielded(shield_max_age=0.0)
    assert [gw.get("/me/clients").headers[CACHE] for _ in range(2)] == ["miss", "miss"]


def test_the_shield_off_is_pure_pass_through(shielded: Callable[..., Shielded]) -> None:
    gw = shielded(shield_enabled=False)
    answer = gw.get("/me")
    assert answer.status_code == 200 and CACHE not in answer.headers


def test_a_caller_reads_its_own_writes_at_once(gw: Shielded) -> None:
    assert gw.get("/me/time_entries/current").json() is None
    window = today_range()
    assert gw.get(f"/me/time_entries?{window}").json() == []
    started = gw.start("writing")
    current = gw.get("/me/time_entries/current")
    assert current.headers[CACHE] == "hit"  # patched from the answer, no refresh needed
    assert current.json() == gw.direct("GET", "/me/time_entries/current").json()
    stopped = gw.send("PATCH", f"/workspaces/{gw.wid}/time_entries/{started['id']}/stop")
    assert stopped.status_code == 200
    assert gw.get("/me/time_entries/current").json() is None
    edited = gw.send(
        "PUT", f"/workspaces/{gw.wid}/time_entries/{started['id']}", {"description": "edited"}
    )
    assert edited.status_code == 200 and edited.json()["description"] == "edited"
    single = gw.get(f"/me/time_entries/{started['id']}")
    assert single.headers[CACHE] == "hit"
    assert single.json() == gw.direct("GET", f"/me/time_entries/{started['id']}").json()
    listed = gw.get(f"/me/time_entries?{window}")
    assert listed.json() == gw.direct("GET", f"/me/time_entries?{window}").json()
    deleted = gw.send("DELETE", f"/workspaces/{gw.wid}/time_entries/{started['id']}")
    assert deleted.status_code == 200
    after = gw.get(f"/me/time_entries?{window}")
    assert after.headers.get(CACHE) == "miss", after.text
    assert after.json() == []  # refreshed: it was unsure
    assert gw.get(f"/me/time_entries/{started['id']}").status_code == 404


def test_starting_a_timer_stops_the_running_one_in_the_mirror_too(gw: Shielded) -> None:
    window = today_range()
    gw.get(f"/me/time_entries?{window}")
    gw.start("first", minutes_ago=10)
    gw.start("second")
    listed = gw.get(f"/me/time_entries?{window}").json()
    assert listed == gw.direct("GET", f"/me/time_entries?{window}").json()
    assert [e["description"] for e in listed] == ["second", "first"]
    assert listed[1]["stop"] is not None


def test_tags_named_on_the_fly_show_up_in_the_tag_list(gw: Shielded) -> None:
    assert gw.get("/me/tags").json() == []
    gw.get("/me/time_entries/current")
    gw.start("tagged", tags=["deep-work"])
    tags = gw.get("/me/tags")
    assert [t["name"] for t in tags.json()] == ["deep-work"]
    assert tags.json() == gw.direct("GET", "/me/tags").json()


def test_catalog_writes_are_read_back_at_once(gw: Shielded) -> None:
    assert gw.get(f"/workspaces/{gw.wid}/projects").json() == []
    made = gw.send("POST", f"/workspaces/{gw.wid}/projects", {"name": "Apollo", "active": True})
    assert made.status_code == 200
    pid = made.json()["id"]
    for path in ("/me/projects", f"/workspaces/{gw.wid}/projects"):
        assert gw.get(path).json() == gw.direct("GET", path).json() != []
    archived = gw.send("PUT", f"/workspaces/{gw.wid}/projects/{pid}", {"active": False})
    assert archived.status_code == 200
    assert gw.get("/me/projects").json() == []  # active ones only
    everything = gw.get("/me/projects?include_archived=true").json()
    assert everything == gw.direct("GET", "/me/projects?include_archived=true").json()
    single = gw.get(f"/workspaces/{gw.wid}/projects/{pid}")
    assert single.json() == gw.direct("GET", f"/workspaces/{gw.wid}/projects/{pid}").json()
    assert single.json()["active"] is False


def test_a_change_made_elsewhere_shows_once_the_copy_is_too_old(gw: Shielded) -> None:
    assert gw.get("/me/time_entries/current").json() is None
    gw.start("elsewhere", via="direct")
    late = gw.get("/me/time_entries/current")
    assert late.headers[CACHE] == "hit" and late.json() is None  # within the limit: late
    fresh = gw.get("/me/time_entries/current", **{"Cache-Control": "max-age=0"})
    assert fresh.headers[CACHE] == "miss"
    assert fresh.json() == gw.direct("GET", "/me/time_entries/current").json()
    assert fresh.json()["description"] == "elsewhere"


def test_deletions_elsewhere_come_back_through_since(gw: Shielded) -> None:
    window = today_range()
    entry = gw.start("doomed", via="direct")
    gw.direct("PATCH", f"/workspaces/{gw.wid}/time_entries/{entry['id']}/stop")
    assert len(gw.get(f"/me/time_entries?{window}").json()) == 1
    removed = gw.direct("DELETE", f"/workspaces/{gw.wid}/time_entries/{entry['id']}")
    assert removed.status_code == 200
    fresh = gw.get(f"/me/time_entries?{window}", **{"Cache-Control": "max-age=0"})
    assert fresh.json() == [] == gw.direct("GET", f"/me/time_entries?{window}").json()
    assert gw.get(f"/me/time_entries/{entry['id']}").status_code == 404


def test_deleting_a_connection_deletes_its_mirror(gw: Shielded) -> None:
    from sqlalchemy import func, select

    from trackgate.storage.models import ShieldKind, ShieldMirror, ShieldObject

    gw.get("/me")
    gw.get("/me/time_entries/current")

    def held() -> int:
        with gw.runtime.db.read() as session:
            return sum(
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.connection_id == gw.connection_id)
                )
                or 0
                for model in (ShieldMirror, ShieldKind, ShieldObject)
            )

    assert held() >= 3
    deleted = gw.client.delete(f"/connections/{gw.connection_id}", headers=gw.account.bearer)
    assert deleted.status_code == 200
    assert held() == 0


def test_odd_reads_answer_as_the_upstream_does(gw: Shielded) -> None:
    gw.get("/me/time_entries/current")  # fills the mirror
    for path in (
        "/me/time_entries?start_date=2026-11-30&end_date=2026-11-01",
        "/me/time_entries?start_date=2026-11-01T00:00:00",
        "/me/time_entries?start_date=yesterday",
        "/me/time_entries?since=1&before=2",
        "/me/time_entries/999999",
        f"/workspaces/{gw.wid}/projects/999999",
        "/workspaces/999999",
        "/workspaces/999999/clients",
    ):
        shielded, direct = gw.get(path), gw.direct("GET", path)
        assert shielded.status_code == direct.status_code != 200, path
        assert shielded.json() == direct.json(), path
