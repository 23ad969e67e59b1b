"""Create-parameter validation, each rule from ref §3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from threadsync.emulator import Emulator
from threadsync.emulator.text import char_count

from .conftest import Graph, error_of


def rejected(graph: Graph, **params: Any) -> dict[str, Any]:
    r = graph.post("/me/threads", **params)
    assert r.status_code == 400, r.text
    return error_of(r)


def accepted(graph: Graph, **params: Any) -> str:
    r = graph.post("/me/threads", **params)
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


IMG = {"media_type": "IMAGE", "image_url": "https://example.com/a.jpg"}


def test_error_envelope_shape(graph: Graph) -> None:
    err = rejected(graph, media_type="TEXT", text="x" * 501)
    assert err["message"] == "Invalid parameter"
    assert err["type"] == "OAuthException"
    assert (err["code"], err["error_subcode"], err["is_transient"]) == (100, 4279901, False)
    assert err["error_user_title"] == "Text Too Long"
    assert len(err["fbtrace_id"]) == 11


@pytest.mark.parametrize("media_type", ["", "POLL", "text", "REPOST_FACADE"])
def test_media_type_required_and_known(graph: Graph, media_type: str) -> None:
    assert rejected(graph, media_type=media_type, text="x")["code"] == 100


def test_text_required_for_text_posts(graph: Graph) -> None:
    rejected(graph, media_type="TEXT")
    rejected(graph, media_type="TEXT", text="   ")


def test_image_and_video_need_urls(graph: Graph) -> None:
    rejected(graph, media_type="IMAGE")
    rejected(graph, media_type="VIDEO", video_url="ftp://example.com/v.mp4")
    accepted(graph, **IMG)  # text is optional on media


def test_text_limit_is_500(graph: Graph) -> None:
    accepted(graph, media_type="TEXT", text="x" * 500)
    accepted(graph, media_type="TEXT", text="日" * 500)  # CJK counts 1 each
    rejected(graph, media_type="TEXT", text="x" * 501)
    rejected(graph, **IMG, text="x" * 501)


def test_emoji_count_as_utf8_bytes(graph: Graph) -> None:
    assert char_count("😀") == 4
    assert char_count("❤️") == 6  # U+2764 U+FE0F
    assert char_count("👍🏽") == 8
    assert char_count("é") == 1
    accepted(graph, media_type="TEXT", text="😀" * 125)  # 500
    err = rejected(graph, media_type="TEXT", text="😀" * 126)  # 504
    assert "504" in err["error_user_msg"]


def test_link_limit(graph: Graph) -> None:
    five = " ".join(f"https://site{i}.example/" for i in range(5))
    accepted(graph, media_type="TEXT", text=five)
    accepted(
        graph, media_type="TEXT", text=five, link_attachment="https://site0.example"
    )  # same link
    accepted(graph, media_type="TEXT", text=five + " https://SITE1.example")  # duplicate
    err = rejected(graph, media_type="TEXT", text=five + " www.six.example")
    assert err["error_user_title"] == "THREADS_API__LINK_LIMIT_EXCEEDED"
    rejected(graph, media_type="TEXT", text=five, link_attachment="https://six.example")
    att = json.dumps({"plaintext": "p", "link_attachment_url": "https://six.example"})
    rejected(graph, media_type="TEXT", text=five, text_attachment=att)


@pytest.mark.parametrize(
    "name", ["link_attachment", "poll_attachment", "gif_attachment", "text_attachment"]
)
def test_attachments_only_on_text_posts(graph: Graph, name: str) -> None:
    values = {
        "link_attachment": "https://example.com",
        "poll_attachment": json.dumps({"option_a": "a", "option_b": "b"}),
        "gif_attachment": json.dumps({"gif_id": "abc", "provider": "GIPHY"}),
        "text_attachment": json.dumps({"plaintext": "long"}),
    }
    accepted(graph, media_type="TEXT", text="t", **{name: values[name]})
    err = rejected(graph, **IMG, **{name: values[name]})
    assert err["error_user_title"] == "Text Posts Only"


@pytest.mark.parametrize(
    "poll",
    [
        {"option_a": "a"},
        {"option_a": "a", "option_b": "b", "option_c": "c", "option_d": "d", "option_e": "e"},
        {"option_a": "a", "option_b": ""},
        {"option_a": "a", "option_b": "b" * 26},
        {"option_a": "a", "option_c": "c"},
        {"option_a": "a", "option_b": 2},
    ],
)
def test_bad_polls(graph: Graph, poll: dict[str, Any]) -> None:
    rejected(graph, media_type="TEXT", text="vote", poll_attachment=json.dumps(poll))


def test_good_polls(graph: Graph) -> None:
    four = {"option_a": "a", "option_b": "b" * 25, "option_c": "c", "option_d": "d"}
    accepted(graph, media_type="TEXT", text="vote", poll_attachment=json.dumps(four))
    rejected(graph, media_type="TEXT", text="vote", poll_attachment="{not json")
    both = {
        "poll_attachment": json.dumps({"option_a": "a", "option_b": "b"}),
        "text_attachment": json.dumps({"plaintext": "p"}),
    }
    rejected(graph, media_type="TEXT", text="vote", **both)


def test_gif_provider(graph: Graph) -> None:
    rejected(
        graph,
        media_type="TEXT",
        text="t",
        gif_attachment=json.dumps({"gif_id": "x", "provider": "TENOR"}),
    )
    rejected(graph, media_type="TEXT", text="t", gif_attachment=json.dumps({"provider": "GIPHY"}))


def test_text_attachment_rules(graph: Graph) -> None:
    styled: dict[str, Any] = {
        "plaintext": "hello world",
        "text_with_styling_info": [{"offset": 0, "length": 5, "styling_info": ["bold", "italic"]}],
    }
    accepted(graph, media_type="TEXT", text="t", text_attachment=json.dumps(styled))
    styled["text_with_styling_info"][0]["styling_info"] = ["blink"]
    rejected(graph, media_type="TEXT", text="t", text_attachment=json.dumps(styled))
    rejected(
        graph, media_type="TEXT", text="t", text_attachment=json.dumps({"plaintext": "x" * 10001})
    )
    with_link = json.dumps({"plaintext": "p", "link_attachment_url": "https://a.example"})
    rejected(
        graph,
        media_type="TEXT",
        text="t",
        link_attachment="https://b.example",
        text_attachment=with_link,
    )


@pytest.mark.parametrize("tag", ["", "a.b", "rock&roll", "x" * 51])
def test_bad_topic_tags(graph: Graph, tag: str) -> None:
    assert (
        rejected(graph, media_type="TEXT", text="t", topic_tag=tag)["error_user_title"]
        == "Invalid Topic Tag"
    )


def test_good_topic_tag(graph: Graph) -> None:
    accepted(graph, media_type="TEXT", text="t", topic_tag="x" * 50)
    accepted(graph, media_type="TEXT", text="t", topic_tag="Mondays rock")


def test_alt_text(graph: Graph) -> None:
    accepted(graph, **IMG, alt_text="a" * 1000)
    rejected(graph, **IMG, alt_text="a" * 1001)
    rejected(graph, media_type="TEXT", text="t", alt_text="no images here")


def test_spoiler_media_not_on_text(graph: Graph) -> None:
    accepted(graph, **IMG, is_spoiler_media="true")
    rejected(graph, media_type="TEXT", text="t", is_spoiler_media="true")
    rejected(graph, **IMG, is_spoiler_media="maybe")


def test_text_entities(graph: Graph) -> None:
    text = "a 😀 secret"  # the emoji is 2 UTF-16 units: "secret" starts at 5
    good = [{"entity_type": "SPOILER", "offset": 5, "length": 6}]
    accepted(graph, media_type="TEXT", text=text, text_entities=json.dumps(good))
    rejected(
        graph, media_type="TEXT", text=text, text_entities=json.dumps([{**good[0], "offset": 6}])
    )
    rejected(
        graph,
        media_type="TEXT",
        text=text,
        text_entities=json.dumps([{**good[0], "entity_type": "BOLD"}]),
    )
    eleven = [{"entity_type": "spoiler", "offset": 0, "length": 1}] * 11
    rejected(graph, media_type="TEXT", text=text, text_entities=json.dumps(eleven))


def test_country_codes(graph: Graph, emu: Emulator) -> None:
    accepted(graph, media_type="TEXT", text="t", allowlisted_country_codes="US,CA,GB")
    err = rejected(graph, media_type="TEXT", text="t", allowlisted_country_codes="US,XX")
    assert err["error_user_title"] == "THREADS_API__GEO_GATING_INVALID_COUNTRY_CODES"
    rejected(graph, media_type="TEXT", text="t", allowlisted_country_codes="us")
    emu.core.store.users[emu.user_id].is_eligible_for_geo_gating = False
    err = rejected(graph, media_type="TEXT", text="t", allowlisted_country_codes="US")
    assert err["error_user_title"] == "THREADS_API__FEATURE_NOT_AVAILABLE"


@pytest.mark.parametrize(
    "value",
    [
        "everyone",
        "accounts_you_follow",
        "mentioned_only",
        "parent_post_author_only",
        "followers_only",
    ],
)
def test_reply_control_values(graph: Graph, value: str) -> None:
    cid = accepted(graph, media_type="TEXT", text="t", reply_control=value)
    mid = graph.publish(cid)
    assert graph.get(f"/{mid}", fields="reply_audience").json()["reply_audience"] == value.upper()


def test_reply_control_unknown(graph: Graph) -> None:
    rejected(graph, media_type="TEXT", text="t", reply_control="nobody")
    rejected(graph, media_type="TEXT", text="t", reply_control="EVERYONE")


def test_targets_must_exist(graph: Graph) -> None:
    assert (
        rejected(graph, media_type="TEXT", text="t", reply_to_id="18000000000009999")[
            "error_subcode"
        ]
        == 4279908
    )
    rejected(graph, media_type="TEXT", text="t", quote_post_id="18000000000009999")
    rejected(graph, media_type="TEXT", text="t", location_id="999")
    accepted(graph, media_type="TEXT", text="t", location_id="110000000000001")


def test_carousel_item_must_be_media(graph: Graph) -> None:
    rejected(graph, media_type="TEXT", text="t", is_carousel_item="true")
    rejected(graph, media_type="CAROUSEL", is_carousel_item="true", children="1,2")


def test_ghost_post_rules(graph: Graph) -> None:
    rejected(
        graph, media_type="TEXT", text="t", is_ghost_post="true", link_attachment="https://e.com"
    )
    rejected(graph, **IMG, is_ghost_post="true")
    # Text spoilers are the only other feature (ref §3): not a topic, nor geo-gating.
    rejected(graph, media_type="TEXT", text="t", is_ghost_post="true", topic_tag="News")
    rejected(
        graph, media_type="TEXT", text="t", is_ghost_post="true", allowlisted_country_codes="US"
    )
    accepted(graph, media_type="TEXT", text="t", topic_tag="News")
    spoiler = json.dumps([{"entity_type": "SPOILER", "offset": 0, "length": 1}])
    accepted(graph, media_type="TEXT", text="t", is_ghost_post="true", text_entities=spoiler)


def test_every_parameter_is_kept(graph: Graph, emu: Emulator) -> None:
    params = {
        "media_type": "TEXT",
        "text": "all of it #tagged",
        "reply_control": "mentioned_only",
        "topic_tag": "Mondays",
        "link_attachment": "https://example.com/x",
        "enable_reply_approvals": "true",
        "crossreshare_to_ig": "true",
        "crossreshare_to_ig_dark_mode": "false",
        "location_id": "110000000000003",
        "allowlisted_country_codes": "FR",
        "some_future_param": "kept",
    }
    graph.publish(accepted(graph, **params))
    assert emu.posts()[0]["params"] == params
