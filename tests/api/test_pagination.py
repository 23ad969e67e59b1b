"""Iterators walk every page and stop on a missing, repeated or useless cursor."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from threadsync.api import API
from threadsync.api.pagination import iter_pages, next_cursor

from .support import V1, assert_authorized, query


def page(ids: list[str], after: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": [{"id": i, "media_type": "TEXT_POST"} for i in ids]}
    if after is not None:
        body["paging"] = {"cursors": {"before": "x", "after": after}}
    return body


@pytest.mark.parametrize(
    ("call", "url_path", "fixed"),
    [
        (lambda a: a.iter_threads(limit=2), "1789/threads", {"limit": "2"}),
        (lambda a: a.iter_replies("t1", reverse=False), "t1/replies", {"reverse": "false"}),
        (lambda a: a.iter_conversation("t1"), "t1/conversation", {}),
        (lambda a: a.iter_mentions(), "1789/mentions", {}),
        (lambda a: a.iter_user_replies(), "1789/replies", {}),
        (
            lambda a: a.iter_pending_replies("t1", approval_status="pending"),
            "t1/pending_replies",
            {"approval_status": "pending"},
        ),
        (lambda a: a.iter_profile_posts("meta"), "profile_posts", {"username": "meta"}),
        (
            lambda a: a.iter_keyword_search("cats", search_mode="TAG"),
            "keyword_search",
            {"q": "cats", "search_mode": "TAG"},
        ),
    ],
)
def test_iterators_follow_after_cursors_until_the_end(
    rsps: responses.RequestsMock, api: API, call: Any, url_path: str, fixed: dict[str, str]
) -> None:
    url = f"{V1}/{url_path}"
    rsps.get(url, json=page(["1", "2"], "A"))
    rsps.get(url, json=page(["3"], "B"))
    rsps.get(url, json=page(["4"], None))
    assert [m.id for m in call(api)] == ["1", "2", "3", "4"]
    sent = [query(c) for c in rsps.calls]
    assert [q.get("after") for q in sent] == [None, "A", "B"]
    for q in sent:
        assert fixed.items() <= q.items()
    for c in rsps.calls:
        assert_authorized(c)


def test_repeated_cursor_stops_the_walk(rsps: responses.RequestsMock, api: API) -> None:
    url = f"{V1}/1789/threads"
    rsps.get(url, json=page(["1"], "A"))
    rsps.get(url, json=page(["2"], "B"))
    rsps.get(url, json=page(["3"], "A"))  # a cursor seen before: stop, do not loop
    assert [m.id for m in api.iter_threads()] == ["1", "2", "3"]
    assert len(rsps.calls) == 3


def test_empty_page_stops_the_walk(rsps: responses.RequestsMock, api: API) -> None:
    url = f"{V1}/1789/mentions"
    rsps.get(url, json=page(["1"], "A"))
    rsps.get(url, json=page([], "B"))
    assert [m.id for m in api.iter_mentions()] == ["1"]
    assert len(rsps.calls) == 2


def test_iterators_are_lazy(rsps: responses.RequestsMock, api: API) -> None:
    iterator = api.iter_threads()
    assert len(rsps.calls) == 0
    rsps.get(f"{V1}/1789/threads", json=page(["1"], "A"))
    assert next(iterator).id == "1"
    assert len(rsps.calls) == 1


def test_next_cursor_tolerates_odd_shapes() -> None:
    assert next_cursor({}) is None
    assert next_cursor({"paging": "x"}) is None
    assert next_cursor({"paging": {"cursors": {"after": ""}}}) is None
    assert next_cursor({"paging": {"cursors": {"after": 5}}}) == "5"


def test_iter_pages_starts_from_a_given_cursor() -> None:
    asked: list[str | None] = []

    def fetch(after: str | None) -> dict[str, Any]:
        asked.append(after)
        return page(["x"], None)

    assert len(list(iter_pages(fetch, after="START"))) == 1
    assert asked == ["START"]
