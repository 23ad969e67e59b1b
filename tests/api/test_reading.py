"""Read calls: method, path and parameters sent; documented responses parsed into models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import responses

from threadsync.api import (
    API,
    ThreadsInvalidParameter,
    ThreadsMedia,
    ThreadsResponseError,
)
from threadsync.api.reading import (
    LOCATION_FIELDS,
    MEDIA_FIELDS,
    PROFILE_FIELDS,
    PUBLIC_PROFILE_FIELDS,
    REPLY_FIELDS,
)

from .support import V1, assert_authorized, form, path, query

PAGE = {"data": [{"id": "1"}], "paging": {"cursors": {"before": "B", "after": "A"}}}
SINCE = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
UNIX = str(int(SINCE.timestamp()))


def one_get(rsps: responses.RequestsMock, url_path: str, body: Any = None) -> None:
    rsps.get(f"{V1}/{url_path}", json=PAGE if body is None else body)


def sent(rsps: responses.RequestsMock) -> dict[str, str]:
    call = rsps.calls[-1]
    assert call.request.method == "GET"
    assert_authorized(call)
    assert call.request.body is None
    return query(call)


@pytest.mark.parametrize(
    ("call", "url_path", "params"),
    [
        (lambda a: a.account(), "me", {"fields": PROFILE_FIELDS}),
        (lambda a: a.account("55", fields="id"), "55", {"fields": "id"}),
        (lambda a: a.container("c1"), "c1", {"fields": MEDIA_FIELDS}),
        (lambda a: a.thread("t1"), "t1", {"fields": MEDIA_FIELDS}),
        (
            lambda a: a.threads(SINCE, dt.date(2024, 8, 1), 50, after="A"),
            "1789/threads",
            {
                "fields": MEDIA_FIELDS,
                "since": UNIX,
                "until": "2024-08-01",
                "limit": "50",
                "after": "A",
            },
        ),
        (
            lambda a: a.replies("t1", reverse=False, before="B"),
            "t1/replies",
            {"fields": REPLY_FIELDS, "reverse": "false", "before": "B"},
        ),
        (
            lambda a: a.conversation("t1", None, "A"),
            "t1/conversation",
            {"fields": REPLY_FIELDS, "after": "A"},
        ),
        (
            lambda a: a.pending_replies("t1", approval_status="ignored", reverse=True),
            "t1/pending_replies",
            {"fields": REPLY_FIELDS, "approval_status": "ignored", "reverse": "true"},
        ),
        (
            lambda a: a.user_replies(limit=10),
            "1789/replies",
            {"fields": REPLY_FIELDS, "limit": "10"},
        ),
        (
            lambda a: a.mentions(since="2024-07-01"),
            "1789/mentions",
            {"fields": MEDIA_FIELDS, "since": "2024-07-01"},
        ),
        (
            lambda a: a.insights("t1"),
            "t1/insights",
            {"metric": "views,likes,replies,reposts,quotes,shares"},
        ),
        (
            lambda a: a.insights("t1", metrics=["likes"]),
            "t1/insights",
            {"metric": "likes"},
        ),
        (
            lambda a: a.user_insights(["views", "likes"], SINCE, SINCE),
            "1789/threads_insights",
            {"metric": "views,likes", "since": UNIX, "until": UNIX},
        ),
        (
            lambda a: a.user_insights("follower_demographics", breakdown="country"),
            "1789/threads_insights",
            {"metric": "follower_demographics", "breakdown": "country"},
        ),
        (
            lambda a: a.publishing_limit(),
            "1789/threads_publishing_limit",
            {
                "fields": "quota_usage,config,reply_quota_usage,reply_config,delete_quota_usage,"
                "delete_config,location_search_quota_usage,location_search_config"
            },
        ),
        (
            lambda a: a.keyword_search(
                "cats", search_type="RECENT", search_mode="TAG", media_type="IMAGE", limit=5
            ),
            "keyword_search",
            {
                "q": "cats",
                "search_type": "RECENT",
                "search_mode": "TAG",
                "media_type": "IMAGE",
                "limit": "5",
                "fields": MEDIA_FIELDS,
            },
        ),
        (
            lambda a: a.profile_lookup("meta"),
            "profile_lookup",
            {"username": "meta", "fields": PUBLIC_PROFILE_FIELDS},
        ),
        (
            lambda a: a.profile_posts("meta", limit=3),
            "profile_posts",
            {"username": "meta", "limit": "3", "fields": MEDIA_FIELDS},
        ),
        (
            lambda a: a.location_search("Menlo Park"),
            "location_search",
            {"q": "Menlo Park", "fields": LOCATION_FIELDS},
        ),
        (
            lambda a: a.location_search(latitude=37.48, longitude=-122.15),
            "location_search",
            {"latitude": "37.48", "longitude": "-122.15", "fields": LOCATION_FIELDS},
        ),
        (lambda a: a.location("loc1"), "loc1", {"fields": LOCATION_FIELDS}),
    ],
)
def test_read_calls_send_the_documented_request(
    rsps: responses.RequestsMock,
    api: API,
    call: Any,
    url_path: str,
    params: dict[str, str],
) -> None:
    one_get(rsps, url_path)
    assert call(api) == PAGE
    assert path(rsps.calls[0]) == f"/v1.0/{url_path}"
    assert sent(rsps) == params


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.insights("t1", metrics=["impressions"]), "impressions"),
        (lambda a: a.user_insights([]), "none given"),
        (lambda a: a.user_insights("follower_demographics"), "needs a breakdown"),
        (lambda a: a.user_insights("views", breakdown="height"), "breakdown"),
        (lambda a: a.threads(before="B", after="A"), "together"),
        (lambda a: a.pending_replies("t1", approval_status="approved"), "approval_status"),
        (lambda a: a.location_search(), "query"),
    ],
)
def test_read_arguments_are_checked(
    rsps: responses.RequestsMock, api: API, call: Any, message: str
) -> None:
    with pytest.raises(ThreadsInvalidParameter, match=message):
        call(api)


def test_debug_token_sends_the_input_token_in_the_body(
    rsps: responses.RequestsMock, api: API
) -> None:
    body = {
        "data": {
            "type": "USER",
            "application": "threadsync",
            "data_access_expires_at": 1730000000,
            "expires_at": 0,
            "is_valid": True,
            "issued_at": 1720000000,
            "scopes": ["threads_basic"],
            "user_id": "1789",
        }
    }
    rsps.get(f"{V1}/debug_token", json=body)
    rsps.get(f"{V1}/debug_token", json=body)
    info = api.get_token_info()
    assert rsps.calls[0].request.method == "GET"
    assert query(rsps.calls[0]) == {}
    assert form(rsps.calls[0]) == {"input_token": api.credentials.access_token}
    assert_authorized(rsps.calls[0])
    assert info.is_valid and info.user_id == "1789" and info.scopes == ["threads_basic"]
    assert info.expires_at is None  # 0 means "never"
    assert info.issued_at == dt.datetime.fromtimestamp(1720000000, dt.timezone.utc)
    api.debug_token("OTHERtokenVALUE123")
    assert form(rsps.calls[1]) == {"input_token": "OTHERtokenVALUE123"}


MEDIA = {
    "id": 1234567,
    "media_product_type": "THREADS",
    "media_type": "TEXT_POST",
    "permalink": "https://www.threads.net/@u/post/abcdefg",
    "owner": {"id": "1234567"},
    "username": "u",
    "text": "hello",
    "topic_tag": "Mondays",
    "timestamp": "2023-10-09T23:18:27+0000",
    "shortcode": "abcdefg",
    "is_quote_post": False,
    "children": {"data": [{"id": "11"}, {"id": "12"}]},
    "brand_new_field": {"x": 1},
}


def test_get_media_parses_documented_and_unknown_fields(
    rsps: responses.RequestsMock, api: API
) -> None:
    one_get(rsps, "1234567", MEDIA)
    media = api.get_media("1234567")
    assert media.id == "1234567"  # numeric id becomes a string
    assert media.media_type == "TEXT_POST"
    assert media.timestamp == dt.datetime(2023, 10, 9, 23, 18, 27, tzinfo=dt.timezone.utc)
    assert [c.id for c in media.children] == ["11", "12"]
    assert media.owner is not None and media.owner.id == "1234567"
    assert media.model_extra == {"brand_new_field": {"x": 1}}


@pytest.mark.parametrize("kind", ["CAROUSEL_ALBUM", "REPOST_FACADE", "AUDIO", "SOMETHING_NEW"])
def test_media_types_are_open(kind: str) -> None:
    media = ThreadsMedia.model_validate({"id": "1", "media_type": kind, "timestamp": "garbage"})
    assert media.media_type == kind and media.timestamp is None
    assert media.is_repost == (kind == "REPOST_FACADE")


def test_typed_profile_limit_insights_and_location(rsps: responses.RequestsMock, api: API) -> None:
    one_get(rsps, "me", {"id": "1789", "username": "u", "is_verified": False})
    limit = {
        "data": [
            {
                "quota_usage": 3,
                "config": {"quota_total": 250, "quota_duration": 86400},
                "reply_quota_usage": 1,
                "reply_config": {"quota_total": 1000, "quota_duration": 86400},
                "delete_quota_usage": 0,
                "delete_config": {"quota_total": 100, "quota_duration": 86400},
                "location_search_quota_usage": 2,
                "location_search_config": {"quota_total": 500, "quota_duration": 86400},
            }
        ]
    }
    one_get(rsps, "1789/threads_publishing_limit", limit)
    insights = {
        "data": [
            {"name": "likes", "period": "lifetime", "values": [{"value": 100}], "id": "t/i"},
            {
                "name": "views",
                "period": "day",
                "values": [
                    {"value": 10, "end_time": "2024-07-12T08:00:00+0000"},
                    {"value": 5, "end_time": "2024-07-13T08:00:00+0000"},
                ],
            },
            {"name": "followers_count", "period": "day", "total_value": {"value": 7}},
        ]
    }
    one_get(rsps, "t1/insights", insights)
    one_get(rsps, "1789/threads_insights", insights)
    one_get(rsps, "profile_lookup", {"username": "meta", "follower_count": 5000})
    one_get(rsps, "loc1", {"id": 77, "name": "Menlo Park", "latitude": 37.48})
    one_get(rsps, "location_search", {"data": [{"id": "77", "name": "Menlo Park"}]})

    assert api.get_account().username == "u"
    quota = api.get_publishing_limit()
    assert quota.posts_remaining == 247 and quota.replies_remaining == 999
    assert quota.deletes_remaining == 100 and quota.location_searches_remaining == 498
    metrics = api.get_insights("t1")
    assert [m.total for m in metrics] == [100, 15, 7]
    assert metrics[1].values[0].end_time == dt.datetime(2024, 7, 12, 8, tzinfo=dt.timezone.utc)
    assert len(api.get_user_insights("views")) == 3
    assert api.get_public_profile("meta").follower_count == 5000
    assert api.get_location("loc1").id == "77"
    assert [loc.name for loc in api.search_locations("Menlo")] == ["Menlo Park"]


def test_unexpected_shapes_become_response_errors(rsps: responses.RequestsMock, api: API) -> None:
    one_get(rsps, "c1", {"media_type": "TEXT_POST"})  # no id
    one_get(rsps, "t1/insights", {"nothing": []})
    with pytest.raises(ThreadsResponseError, match="id"):
        api.get_media("c1")
    with pytest.raises(ThreadsResponseError, match="data"):
        api.get_insights("t1")


def test_empty_publishing_limit_is_all_unknown(rsps: responses.RequestsMock, api: API) -> None:
    one_get(rsps, "1789/threads_publishing_limit", {"data": []})
    assert api.get_publishing_limit().posts_remaining is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "../../x"}, "id"),
        ({"id": "12\n34"}, "id"),
        ({"id": "1", "children": {"data": [{"id": "2"}, {"id": "x/y"}]}}, "children.1.id"),
        ({"id": "1", "quoted_post": {"id": ""}}, "quoted_post.id"),
        ({"id": "1", "owner": {"id": "1" * 33}}, "owner.id"),
    ],
)
def test_a_media_id_that_is_not_digits_is_refused_naming_the_field(
    rsps: responses.RequestsMock, api: API, body: dict[str, Any], field: str
) -> None:
    one_get(rsps, "1", body)
    with pytest.raises(ThreadsResponseError) as info:
        api.get_media("1")
    message = str(info.value)
    assert message.startswith(f"unexpected ThreadsMedia response: {field}: ")
    assert "is not a Threads id" in message
    assert "\n" not in message


def test_a_listing_with_a_bad_id_is_refused(rsps: responses.RequestsMock, api: API) -> None:
    one_get(rsps, "1789/threads", {"data": [{"id": "1"}, {"id": "../../x", "text": "hi"}]})
    with pytest.raises(ThreadsResponseError, match=r"ThreadsMedia response: id: '\.\./\.\./x'"):
        list(api.iter_threads())


def test_an_account_id_that_is_not_digits_is_refused(
    rsps: responses.RequestsMock, api: API
) -> None:
    one_get(rsps, "me", {"id": "me/../../1", "username": "u"})
    with pytest.raises(ThreadsResponseError, match=r"ThreadsUser response: id: "):
        api.get_account()
