"""The pieces composed answers are made of: an object's members as written, query values
read as the upstream reads them (or not at all), and the range a kept listing proves."""

from __future__ import annotations

import json

import pytest

from tests.shield.test_rules import _entry
from trackgate.shield import queries
from trackgate.shield.answers_entries import listing
from trackgate.shield.keep import Span, entry_span, items_of, kind_of
from trackgate.shield.rawobject import join_object, member, members, value_text
from trackgate.shield.views import ALL_TIME, Coverage, Held, View


def test_members_keep_each_member_as_written() -> None:
    text = '{ "a" : 1,"b:{": "x\\",}", "c":{"d":[1,{"e":2}]} ,"é":null}'
    found = members(text)
    assert found is not None and [key for key, _ in found] == ["a", "b:{", "c", "é"]
    assert value_text(found, "b:{") == '"x\\",}"' and value_text(found, "c") == '{"d":[1,{"e":2}]}'
    assert value_text(found, "missing") is None
    composed = join_object([*found[1:], member("z", '"ü"')])
    assert json.loads(composed) == {"b:{": 'x",}', "c": {"d": [1, {"e": 2}]}, "é": None, "z": "ü"}
    assert members("{}") == [] and members("[1]") is None and members('{"a"}') is None


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("a=1&b=", {"a": "1", "b": ""}),
        ("name=caf%C3%A9+bar", {"name": "café bar"}),
        ("a=1&a=2", None),
        ("a=%zz", None),
        ("a=1;b=2", None),
        ("a=%ff", None),
    ],
)
def test_queries_are_read_once_or_not_at_all(raw: str, parsed: dict[str, str] | None) -> None:
    assert queries.parse(raw) == parsed


def test_flags_counts_and_ids_the_upstream_might_read_otherwise_are_unsure() -> None:
    assert queries.flag({"a": "true"}, "a") is True and queries.flag({"a": "0"}, "a") is False
    assert queries.tristate({"a": "both"}, "a") is None
    assert queries.count({"p": "500"}, "p", 1, 200) == 200
    assert queries.ids({"c": "4,5"}, "c") == [4, 5]
    for call in (
        lambda: queries.flag({"a": "TRUE"}, "a"),
        lambda: queries.count({"p": "0"}, "p", 1),
        lambda: queries.count({"p": "+5"}, "p", 1),
        lambda: queries.ids({"c": "[4]"}, "c"),
        lambda: queries.descending({"sort_order": "down"}),
    ):
        with pytest.raises(queries.Unsure):
            call()


def test_a_kept_listing_proves_the_range_whatever_the_dates_mean() -> None:
    utc = View({"me": [Held(1, '{"timezone": "UTC"}')]})
    paris = View({"me": [Held(1, '{"timezone": "Europe/Paris"}')]})
    assert entry_span({"start_date": "1970-01-02", "end_date": "1970-01-03"}, utc) == Span(
        86400.0, 172800.0
    )
    # Paris's midnight is an hour earlier: only what both readings list is proven
    assert entry_span({"start_date": "1970-01-02", "end_date": "1970-01-03"}, paris) == Span(
        86400.0, 169200.0
    )
    assert entry_span({"before": "1970-01-03T00:00:00Z"}, utc) == Span(ALL_TIME, 172800.0)
    assert entry_span({"since": "5"}, utc) is None and entry_span({}, utc) is None
    assert entry_span({"start_date": "1970-01-02T00:00:00"}, utc) is None  # no offset


def test_what_a_passed_through_answer_holds() -> None:
    assert kind_of("/api/v9/me/time_entries?before=2026-01-01") == "time_entries"
    assert kind_of("/api/v9/me/time_entries?meta=true") is None
    assert kind_of("/api/v9/workspaces/3/tasks?page=2") == "tasks"
    assert kind_of("/api/v9/workspaces/3/users") is None
    envelope = b'{"data":[{"id":1,"name":"a"}],"page":1,"total_count":1}'
    assert items_of("/api/v9/workspaces/3/tasks", envelope) == [
        ('{"id":1,"name":"a"}', {"id": 1, "name": "a"})
    ]
    assert items_of("/api/v9/me/time_entries/current", b"null") == []
    assert items_of("/api/v9/me/tags", b'"no"') is None


def test_before_and_end_date_alone_need_every_entry_held() -> None:
    read = listing({"before": "1970-01-03T00:00:00Z"}, 0.0)
    assert read is not None
    assert not read.viable(Coverage(500.0, 2000.0)) and read.viable(Coverage(ALL_TIME, 2000.0))
    entries = [_entry(1, 1000.0, 1000.0), _entry(2, 300000.0, 300000.0)]
    view = View({"time_entries": entries}, Coverage(ALL_TIME, 2000.0))
    assert [e["id"] for e in json.loads(read.answer(view) or b"")] == [1]


def test_a_range_older_than_what_is_held_spends_no_refresh() -> None:
    older = listing({"start_date": "1970-01-01T00:00:00Z"}, 0.0)
    inside = listing({"start_date": "1970-01-01T00:10:00Z"}, 0.0)
    assert older is not None and inside is not None
    assert not older.viable(Coverage(500.0, 2000.0)) and inside.viable(Coverage(500.0, 2000.0))
    assert older.viable(Coverage())  # nothing held yet: the first fill decides
