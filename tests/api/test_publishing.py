"""Containers, carousels, publishing exactly once, waiting, and the other write calls."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from threadsync.api import (
    API,
    ContainerExpired,
    ContainerFailed,
    ContainerStatus,
    ContainerWaitTimeout,
    Media,
    MediaNotReady,
    MediaType,
    PollSchedule,
    PublishingError,
    PublishingStatus,
    PublishOutcomeUnknown,
    RateLimited,
    ReplyControl,
    ThreadsInvalidParameter,
    UnexpectedId,
)

from .support import V1, FakeTime, assert_authorized, form, path, query

THREADS = f"{V1}/1789/threads"
PUBLISH = f"{V1}/1789/threads_publish"


def create(
    rsps: responses.RequestsMock, api: API, *args: object, **kwargs: object
) -> dict[str, str]:
    """Run create_container against a mock and return the form body it sent."""
    rsps.post(THREADS, json={"id": "11"})
    assert api.create_container(*args, **kwargs) == "11"  # type: ignore[arg-type]
    call = rsps.calls[-1]
    assert_authorized(call)
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert query(call) == {}  # every POST parameter is in the body
    return form(call)


def test_text_container_sends_form_body_without_reply_control(
    rsps: responses.RequestsMock, api: API
) -> None:
    assert create(rsps, api, "Hello & welcome") == {"media_type": "TEXT", "text": "Hello & welcome"}


def test_image_video_and_carousel_item(rsps: responses.RequestsMock, api: API) -> None:
    image = Media(type=MediaType.IMAGE, url="https://cdn.example/a.jpg")
    assert create(rsps, api, media=image, is_carousel_item=True, alt_text="a cat") == {
        "media_type": "IMAGE",
        "image_url": "https://cdn.example/a.jpg",
        "is_carousel_item": "true",
        "alt_text": "a cat",
    }
    video = Media(type=MediaType.VIDEO, url="https://cdn.example/v.mp4")
    sent = create(rsps, api, "caption", video, ReplyControl.FOLLOWERS_ONLY, "r9")
    assert sent == {
        "media_type": "VIDEO",
        "video_url": "https://cdn.example/v.mp4",
        "text": "caption",
        "reply_control": "followers_only",
        "reply_to_id": "r9",
    }


def test_every_extra_option_is_encoded(rsps: responses.RequestsMock, api: API) -> None:
    sent = create(
        rsps,
        api,
        "Which one?",
        reply_control="parent_post_author_only",
        quote_post_id="q1",
        poll_options=["Tea", "Coffee", "Both"],
        topic_tag="Mondays",
        text_entities=[(0, 5), {"offset": 6, "length": 3}],
        location_id="loc1",
        allowlisted_country_codes=["us", "CA"],
        auto_publish_text=False,
        enable_reply_approvals=True,
        is_ghost_post=False,
    )
    assert sent["reply_control"] == "parent_post_author_only"
    assert sent["quote_post_id"] == "q1"
    assert json.loads(sent["poll_attachment"]) == {
        "option_a": "Tea",
        "option_b": "Coffee",
        "option_c": "Both",
    }
    assert sent["topic_tag"] == "Mondays"
    assert json.loads(sent["text_entities"]) == [
        {"entity_type": "SPOILER", "offset": 0, "length": 5},
        {"entity_type": "SPOILER", "offset": 6, "length": 3},
    ]
    assert sent["location_id"] == "loc1"
    assert sent["allowlisted_country_codes"] == "US,CA"
    assert sent["auto_publish_text"] == "false"
    assert sent["enable_reply_approvals"] == "true"
    assert sent["is_ghost_post"] == "false"


def test_text_only_attachments(rsps: responses.RequestsMock, api: API) -> None:
    sent = create(
        rsps,
        api,
        "Read more",
        link_attachment="https://example.com/post",
        text_attachment={"plaintext": "long " * 100, "text_with_styling_info": []},
    )
    assert sent["link_attachment"] == "https://example.com/post"
    assert json.loads(sent["text_attachment"])["plaintext"].startswith("long long")
    sent = create(rsps, api, "gif!", gif_attachment="g123", text_attachment="more text")
    assert json.loads(sent["gif_attachment"]) == {"gif_id": "g123", "provider": "GIPHY"}
    assert json.loads(sent["text_attachment"]) == {"plaintext": "more text"}


def test_spoiler_media(rsps: responses.RequestsMock, api: API) -> None:
    image = Media(MediaType.IMAGE, "https://cdn.example/a.jpg")
    sent = create(rsps, api, media=image, is_spoiler_media=True)
    assert sent["is_spoiler_media"] == "true"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "text, media"),
        ({"text": "x", "poll_options": ["only one"]}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "b", "c", "d", "e"]}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "b" * 26]}, "1 to 25"),
        ({"text": "x", "poll_options": ["a", ""]}, "1 to 25"),
        ({"text": "x", "topic_tag": "a.b"}, "topic_tag"),
        ({"text": "x", "topic_tag": "t" * 51}, "topic_tag"),
        ({"text": "x", "alt_text": "no alt on text"}, "alt_text"),
        ({"text": "x", "is_spoiler_media": True}, "is_spoiler_media"),
        ({"text": "x", "text_entities": [(0, 1)] * 11}, "at most 10"),
        ({"text": "x", "text_entities": [(-1, 1)]}, "offset"),
        ({"text": "x", "text_attachment": "y" * 10_001}, "10000"),
        ({"text": "x", "text_attachment": {"link_attachment_url": "u"}}, "plaintext"),
        ({"text": "x", "text_attachment": "y", "poll_options": ["a", "b"]}, "poll"),
        (
            {
                "text": "x",
                "link_attachment": "https://a",
                "text_attachment": {"plaintext": "y", "link_attachment_url": "https://b"},
            },
            "already has a link",
        ),
        ({"text": "x", "gif_attachment": {"provider": "GIPHY"}}, "gif_id"),
        ({"text": "x", "allowlisted_country_codes": ["USA"]}, "country"),
        ({"text": "x", "reply_control": "friends"}, "reply_control"),
        ({"text": "x", "is_ghost_post": True, "reply_to_id": "1"}, "ghost"),
        ({"text": "x", "is_carousel_item": True}, "carousel item"),
        ({"media": Media(MediaType.IMAGE, "u"), "link_attachment": "https://a"}, "text-only"),
        ({"media": Media(MediaType.IMAGE, "u"), "poll_options": ["a", "b"]}, "text-only"),
        ({"media": Media(MediaType.IMAGE, "u"), "alt_text": "a" * 1001}, "alt_text"),
        ({"media": Media(MediaType.CAROUSEL, "u")}, "carousel"),
    ],
)
def test_invalid_container_parameters_are_refused_before_sending(
    rsps: responses.RequestsMock, api: API, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ThreadsInvalidParameter, match=message):
        api.create_container(**kwargs)  # type: ignore[arg-type]
    assert len(rsps.calls) == 0


def test_container_creation_is_retried(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.post(THREADS, body=requests.ConnectionError("reset"))
    rsps.post(THREADS, json={"error": {"message": "down", "code": 2}}, status=500)
    rsps.post(THREADS, json={"id": "17"})
    assert api.create_container("hi") == "17"
    assert fake_time.sleeps == [0.5, 1.0]


def test_auto_publish_text_is_sent_once(rsps: responses.RequestsMock, api: API) -> None:
    rsps.post(THREADS, body=requests.ReadTimeout("lost"))
    with pytest.raises(PublishOutcomeUnknown) as info:
        api.create_container("now", auto_publish_text=True)
    assert info.value.container_id is None
    assert len(rsps.calls) == 1


def finished(cid: str) -> ContainerStatus:
    return ContainerStatus(cid, PublishingStatus.FINISHED)


def test_carousel_takes_ids_and_finished_statuses(rsps: responses.RequestsMock, api: API) -> None:
    rsps.post(THREADS, json={"id": "31"})
    children = [finished("a"), "b", *[str(i) for i in range(18)]]
    result = api.create_carousel_container(children, "album", topic_tag="Pets")
    assert result == "31"
    sent = form(rsps.calls[0])
    assert sent["media_type"] == "CAROUSEL"
    assert sent["children"].split(",")[:3] == ["a", "b", "0"]
    assert len(sent["children"].split(",")) == 20
    assert sent["text"] == "album" and "reply_control" not in sent


@pytest.mark.parametrize("count", [0, 1, 21])
def test_carousel_size_is_2_to_20(rsps: responses.RequestsMock, api: API, count: int) -> None:
    with pytest.raises(ThreadsInvalidParameter, match="2 to 20"):
        api.create_carousel_container([str(i) for i in range(count)])


def test_carousel_children_must_be_finished(rsps: responses.RequestsMock, api: API) -> None:
    pending = ContainerStatus("b", PublishingStatus.IN_PROGRESS)
    with pytest.raises(ThreadsInvalidParameter, match="b is IN_PROGRESS"):
        api.create_carousel_container([finished("a"), pending])


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"id": "c1", "status": "FINISHED"}, PublishingStatus.FINISHED, None),
        (
            {"id": "c1", "status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"},
            PublishingStatus.ERROR,
            PublishingError.FAILED_DOWNLOADING_VIDEO,
        ),
        (
            {"id": "c1", "status": "ERROR", "error_message": "Media download has failed."},
            PublishingStatus.ERROR,
            PublishingError.UNKNOWN,
        ),
    ],
)
def test_container_status_tolerates_free_text(
    rsps: responses.RequestsMock,
    api: API,
    body: dict[str, str],
    status: PublishingStatus,
    error: PublishingError | None,
) -> None:
    rsps.get(f"{V1}/c1", json=body)
    result = api.container_status("c1")
    assert (result.id, result.status, result.error) == ("c1", status, error)
    assert result.error_message == body.get("error_message")
    assert query(rsps.calls[0]) == {"fields": "id,status,error_message"}
    assert_authorized(rsps.calls[0])


def test_publish_is_sent_once_and_returns_the_id(rsps: responses.RequestsMock, api: API) -> None:
    rsps.post(PUBLISH, json={"id": "21"})
    assert api.publish_container("c1") == "21"
    call = rsps.calls[0]
    assert_authorized(call)
    assert path(call) == "/v1.0/1789/threads_publish"
    assert form(call) == {"creation_id": "c1"} and query(call) == {}


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.ConnectionError("connection dropped")},
        {"body": requests.ReadTimeout("read timed out")},
        {"json": {"error": {"message": "fail", "code": 2, "is_transient": True}}, "status": 500},
        {"json": {"error": {"message": "no permission", "code": 10}}, "status": 500},
        {"body": "<html>503</html>", "status": 503},
        {"json": {}, "status": 200},
    ],
)
def test_ambiguous_publish_failure_is_not_retried(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime, failure: dict[str, object]
) -> None:
    rsps.post(PUBLISH, **failure)  # type: ignore[arg-type]
    with pytest.raises(PublishOutcomeUnknown) as info:
        api.publish_container("c1")
    assert info.value.container_id == "c1"
    assert "container_status('c1')" in str(info.value)
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


def test_definite_publish_refusals_raise_mapped_errors_once(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    not_ready = {
        "error": {
            "message": "The requested resource does not exist",
            "code": 24,
            "error_subcode": 4279009,
            "is_transient": False,
        }
    }
    rsps.post(PUBLISH, json=not_ready, status=400)
    with pytest.raises(MediaNotReady):
        api.publish_container("c1")
    rsps.post(PUBLISH, json={"error": {"message": "limit", "code": 4}}, status=400)
    with pytest.raises(RateLimited):
        api.publish_container("c1")
    assert len(rsps.calls) == 2
    assert fake_time.sleeps == []


def status_body(status: str, message: str | None = None) -> dict[str, str]:
    body = {"id": "c1", "status": status}
    if message:
        body["error_message"] = message
    return body


def test_wait_until_finished_polls_on_a_growing_capped_schedule(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    for _ in range(5):
        rsps.get(f"{V1}/c1", json=status_body("IN_PROGRESS"))
    rsps.get(f"{V1}/c1", json=status_body("FINISHED"))
    schedule = PollSchedule(initial=0.5, multiplier=2.0, maximum=3.0)
    result = api.wait_until_finished("c1", timeout=60, schedule=schedule)
    assert result.status is PublishingStatus.FINISHED
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_wait_returns_at_once_when_finished(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.get(f"{V1}/c1", json=status_body("FINISHED"))
    api.wait_until_finished("c1")
    assert fake_time.sleeps == []


def test_wait_returns_published_for_the_caller_to_judge(
    rsps: responses.RequestsMock, api: API
) -> None:
    rsps.get(f"{V1}/c1", json=status_body("PUBLISHED"))
    assert api.wait_until_finished("c1").status is PublishingStatus.PUBLISHED


def test_wait_raises_on_error_with_the_raw_message(rsps: responses.RequestsMock, api: API) -> None:
    rsps.get(f"{V1}/c1", json=status_body("ERROR", "Video too long for us"))
    with pytest.raises(ContainerFailed, match="Video too long for us") as info:
        api.wait_until_finished("c1")
    assert info.value.error_message == "Video too long for us"
    assert info.value.status is not None and info.value.status.error is PublishingError.UNKNOWN


def test_wait_raises_on_expired(rsps: responses.RequestsMock, api: API) -> None:
    rsps.get(f"{V1}/c1", json=status_body("EXPIRED"))
    with pytest.raises(ContainerExpired):
        api.wait_until_finished("c1")


def test_wait_times_out_on_the_injected_clock(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime
) -> None:
    rsps.get(f"{V1}/c1", json=status_body("IN_PROGRESS"))
    schedule = PollSchedule(initial=1.0, multiplier=2.0, maximum=4.0)
    with pytest.raises(ContainerWaitTimeout, match="still IN_PROGRESS after 10s"):
        api.wait_until_finished("c1", timeout=10, schedule=schedule)
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 3.0]
    assert sum(fake_time.sleeps) == 10.0
    assert len(rsps.calls) == 5


def test_manage_reply_and_pending_reply_send_lowercase_booleans(
    rsps: responses.RequestsMock, api: API
) -> None:
    rsps.post(f"{V1}/r1/manage_reply", json={"success": True})
    rsps.post(f"{V1}/r1/manage_reply", json={"success": True})
    rsps.post(f"{V1}/r2/manage_pending_reply", json={"success": True})
    rsps.post(f"{V1}/r2/manage_pending_reply", json={"success": True})
    assert api.manage_reply("r1", True) == {"success": True}
    api.manage_reply("r1", hide=False)
    api.manage_pending_reply("r2", approve=True)
    api.manage_pending_reply("r2", approve=False)
    sent = [form(c) for c in rsps.calls]
    assert sent == [{"hide": "true"}, {"hide": "false"}, {"approve": "true"}, {"approve": "false"}]
    for call in rsps.calls:
        assert_authorized(call)


def test_delete_and_repost(rsps: responses.RequestsMock, api: API) -> None:
    rsps.delete(f"{V1}/p1", json={"success": True, "deleted_id": "p1"})
    rsps.post(f"{V1}/p2/repost", json={"id": "41"})
    assert api.delete("p1") == {"success": True, "deleted_id": "p1"}
    assert api.repost("p2") == "41"
    assert [c.request.method for c in rsps.calls] == ["DELETE", "POST"]
    for call in rsps.calls:
        assert_authorized(call)


# -- ids are checked before anyone records them -----------------------------------------------

BAD_IDS = [
    "../../x",
    "12\n34",
    "1234\n",
    " 12",
    "1" * 33,
    "abc",
    "\u0661\u0662",  # Arabic-Indic digits: str.isdigit() says yes
    "-12",
    True,
    1.5,
    {"id": "12"},
]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
@pytest.mark.parametrize(
    ("what", "url", "call"),
    [
        ("create_container", THREADS, lambda api: api.create_container("hi")),
        (
            "create_carousel_container",
            THREADS,
            lambda api: api.create_carousel_container(["11", "12"]),
        ),
        ("repost", f"{V1}/22/repost", lambda api: api.repost("22")),
    ],
)
def test_a_container_id_that_is_not_digits_is_an_error_naming_the_field(
    rsps: responses.RequestsMock, api: API, what: str, url: str, call: object, bad: object
) -> None:
    rsps.post(url, json={"id": bad})
    with pytest.raises(UnexpectedId) as info:
        call(api)  # type: ignore[operator]
    message = str(info.value)
    assert message.startswith(f"{what}: id: ")
    assert "is not a Threads id (a string of 1 to 32 digits); the response is not used" in message
    assert "\n" not in message
    assert info.value.body == {"id": bad}


def test_ids_sent_as_numbers_or_32_digits_are_accepted(
    rsps: responses.RequestsMock, api: API
) -> None:
    rsps.post(THREADS, json={"id": 17890000000000001})
    assert api.create_container("hi") == "17890000000000001"
    rsps.post(THREADS, json={"id": "9" * 32})
    assert api.create_container("hi") == "9" * 32


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_a_publish_answered_with_a_bad_id_may_have_published(
    rsps: responses.RequestsMock, api: API, fake_time: FakeTime, bad: object
) -> None:
    """The post may be live: it is the ambiguous outcome, never an id to record."""
    rsps.post(PUBLISH, json={"id": bad})
    with pytest.raises(PublishOutcomeUnknown) as info:
        api.publish_container("11")
    assert info.value.container_id == "11"
    assert "is not a Threads id" in str(info.value)
    assert "container_status('11')" in str(info.value)
    assert len(rsps.calls) == 1


def test_an_auto_published_text_answered_with_a_bad_id_may_have_published(
    rsps: responses.RequestsMock, api: API
) -> None:
    rsps.post(THREADS, json={"id": "../../x"})
    with pytest.raises(PublishOutcomeUnknown) as info:
        api.create_container("hi", auto_publish_text=True)
    assert info.value.container_id is None
    assert "is not a Threads id" in str(info.value)
