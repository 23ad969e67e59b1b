"""Reads, lists, pagination, replies, search, delete and repost (ref §6, §7)."""

from __future__ import annotations

import json
import re

import pytest

from threadsync.emulator import Emulator

from .conftest import Graph, error_of

ALL_MEDIA_FIELDS = (
    "id,media_product_type,media_type,media_url,permalink,owner,username,text,timestamp,shortcode,"
    "thumbnail_url,children,is_quote_post,quoted_post,reposted_post,alt_text,link_attachment_url,"
    "gif_url,poll_attachment,topic_tag,has_replies,is_reply,is_reply_owned_by_me,root_post,"
    "replied_to,hide_status,reply_audience,is_spoiler_media,text_entities,text_attachment,"
    "location_id,location,allowlisted_country_codes,is_verified,profile_picture_url"
)


def other_account(graph: Graph, emu: Emulator, name: str = "friend") -> Graph:
    other = Graph(emu, graph.session)
    other.token = emu.mint_token(username=name)["access_token"]
    return other


def test_profile_fields(graph: Graph, emu: Emulator) -> None:
    fields = (
        "id,username,name,threads_profile_picture_url,threads_biography,is_verified,"
        "is_eligible_for_geo_gating,recently_searched_keywords"
    )
    body = graph.get("/me", fields=fields).json()
    assert set(body) == set(fields.split(","))
    assert body["is_verified"] is False


def test_single_media_every_field(graph: Graph, emu: Emulator) -> None:
    poll = json.dumps({"option_a": "yes", "option_b": "no"})
    mid = graph.post_text(
        "Hello https://example.com #Mondays",
        poll_attachment=poll,
        location_id="110000000000001",
        allowlisted_country_codes="US,CA",
        text_entities=json.dumps([{"entity_type": "SPOILER", "offset": 0, "length": 5}]),
    )
    body = graph.get(f"/{mid}", fields=ALL_MEDIA_FIELDS).json()
    assert body["media_product_type"] == "THREADS"
    assert body["media_type"] == "TEXT_POST"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", body["timestamp"])
    assert body["permalink"] == f"https://www.threads.net/@emulator_user/post/{body['shortcode']}"
    assert body["owner"] == {"id": emu.user_id}
    assert body["username"] == "emulator_user"
    assert body["topic_tag"] == "Mondays"  # the first in-text tag
    assert body["link_attachment_url"] == "https://example.com"
    assert body["poll_attachment"]["option_a"] == "yes"
    assert body["poll_attachment"]["total_votes"] == 0
    assert "option_c" not in body["poll_attachment"]
    assert body["location"] == {"id": "110000000000001"}
    assert body["allowlisted_country_codes"] == ["US", "CA"]
    assert body["text_entities"] == {"data": [{"entity_type": "SPOILER", "offset": 0, "length": 5}]}
    assert (
        body["is_quote_post"] is False
        and body["is_reply"] is False
        and body["has_replies"] is False
    )
    assert body["hide_status"] == "NOT_HUSHED"
    for absent in ("media_url", "children", "quoted_post", "root_post", "alt_text", "gif_url"):
        assert absent not in body


def test_image_video_gif_and_nested_selection(graph: Graph, emu: Emulator) -> None:
    emu.set_processing(image=0, video=0)
    img = graph.publish(
        graph.create(media_type="IMAGE", image_url="https://e.com/i.jpg", alt_text="a cat")
    )
    vid = graph.publish(graph.create(media_type="VIDEO", video_url="https://e.com/v.mp4"))
    gif = graph.post_text("gif", gif_attachment=json.dumps({"gif_id": "abc", "provider": "GIPHY"}))
    assert graph.get(f"/{img}", fields="media_url,alt_text").json() == {
        "id": img,
        "media_url": "https://e.com/i.jpg",
        "alt_text": "a cat",
    }
    assert "thumbnail_url" in graph.get(f"/{vid}", fields="thumbnail_url").json()
    assert graph.get(f"/{gif}", fields="gif_url").json()["gif_url"].endswith("/abc/giphy.gif")
    poll = graph.post_text(
        "p", poll_attachment=json.dumps({"option_a": "a", "option_b": "b", "option_c": "c"})
    )
    body = graph.get(f"/{poll}", fields="poll_attachment{option_c,total_votes}").json()
    assert body["poll_attachment"] == {"option_c": "c", "total_votes": 0}
    assert error_of(graph.get(f"/{poll}", fields="poll_attachment{option_z}"))["code"] == 100


def test_other_users_post_has_no_owner(graph: Graph, emu: Emulator) -> None:
    mid = other_account(graph, emu).post_text("theirs")
    body = graph.get(f"/{mid}", fields="owner,username").json()
    assert body == {"id": mid, "username": "friend"}


def test_threads_list_fields_default_and_order(graph: Graph) -> None:
    ids = [graph.post_text(f"post {i}") for i in range(3)]
    body = graph.get("/me/threads").json()
    assert body["data"] == [{"id": i} for i in reversed(ids)]
    assert set(body["paging"]["cursors"]) == {"before", "after"}
    assert "next" not in body["paging"]


def test_pagination(graph: Graph) -> None:
    ids = list(reversed([graph.post_text(f"p{i}") for i in range(7)]))
    first = graph.get("/me/threads", limit=3).json()
    assert [d["id"] for d in first["data"]] == ids[:3]
    second = graph.get("/me/threads", limit=3, after=first["paging"]["cursors"]["after"]).json()
    assert [d["id"] for d in second["data"]] == ids[3:6]
    third = graph.get("/me/threads", limit=3, after=second["paging"]["cursors"]["after"]).json()
    assert [d["id"] for d in third["data"]] == ids[6:]
    empty = graph.get("/me/threads", limit=3, after=third["paging"]["cursors"]["after"]).json()
    assert empty == {"data": []}
    back = graph.get("/me/threads", limit=3, before=second["paging"]["cursors"]["before"]).json()
    assert [d["id"] for d in back["data"]] == ids[:3]


def test_pagination_errors_and_limits(graph: Graph) -> None:
    for i in range(3):
        graph.post_text(f"p{i}")
    assert error_of(graph.get("/me/threads", before="x", after="y"))["code"] == 100
    assert error_of(graph.get("/me/threads", after="!!notacursor"))["code"] == 100
    assert error_of(graph.get("/me/threads", limit="0"))["code"] == 100
    assert error_of(graph.get("/me/threads", limit="ten"))["code"] == 100
    assert len(graph.get("/me/threads", limit="1000").json()["data"]) == 3  # capped at 100


def test_since_until(graph: Graph, emu: Emulator) -> None:
    old = graph.post_text("old")
    emu.advance(86400)
    cut = int(emu.now())
    new = graph.post_text("new")
    assert [d["id"] for d in graph.get("/me/threads", since=cut).json()["data"]] == [new]
    assert [d["id"] for d in graph.get("/me/threads", until=cut).json()["data"]] == [old]
    assert error_of(graph.get("/me/threads", since=1600000000))["code"] == 100
    assert error_of(graph.get("/me/threads", since=cut, until=cut - 10))["code"] == 100
    assert error_of(graph.get("/me/threads", since="yesterday-ish"))["code"] == 100
    assert graph.get("/me/threads", since="2023-10-15").status_code == 200


def test_threads_include_reposts_exclude_replies(graph: Graph, emu: Emulator) -> None:
    theirs = other_account(graph, emu).post_text("worth sharing")
    mine = graph.post_text("mine")
    graph.post_text("a reply", reply_to_id=mine)
    r = graph.post(f"/{theirs}/repost")
    assert r.status_code == 200
    repost = r.json()["id"]
    data = graph.get("/me/threads", fields="id,media_type,reposted_post").json()["data"]
    assert data == [
        {"id": repost, "media_type": "REPOST_FACADE", "reposted_post": {"id": theirs}},
        {"id": mine, "media_type": "TEXT_POST"},
    ]
    assert error_of(graph.post(f"/{theirs}/repost"))["code"] == 100  # once only
    assert error_of(graph.post(f"/{repost}/repost"))["code"] == 100


def test_replies_conversation_and_reverse(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("root")
    r1 = graph.post_text("r1", reply_to_id=root)
    emu.advance(1)
    r2 = graph.post_text("r2", reply_to_id=root)
    emu.advance(1)
    nested = graph.post_text("nested", reply_to_id=r1)
    replies = graph.get(f"/{root}/replies").json()["data"]
    assert [d["id"] for d in replies] == [r2, r1]  # reverse=true by default
    replies = graph.get(f"/{root}/replies", reverse="false").json()["data"]
    assert [d["id"] for d in replies] == [r1, r2]
    conv = graph.get(
        f"/{root}/conversation", reverse="false", fields="id,root_post,replied_to"
    ).json()["data"]
    assert [d["id"] for d in conv] == [r1, r2, nested]
    assert conv[2]["root_post"] == {"id": root} and conv[2]["replied_to"] == {"id": r1}
    assert graph.get(f"/{root}", fields="has_replies").json()["has_replies"] is True
    mine = graph.get("/me/replies", fields="id,is_reply_owned_by_me").json()["data"]
    assert [d["id"] for d in mine] == [nested, r2, r1]
    assert mine[0]["is_reply_owned_by_me"] is True


def test_manage_reply_hide_unhide(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("root")
    friend = other_account(graph, emu)
    reply = friend.post_text("rude", reply_to_id=root)
    nested = friend.post_text("ruder", reply_to_id=reply)
    assert graph.post(f"/{reply}/manage_reply", hide="true").json() == {"success": True}
    assert graph.get(f"/{reply}", fields="hide_status").json()["hide_status"] == "HIDDEN"
    assert graph.get(f"/{nested}", fields="hide_status").json()["hide_status"] == "HIDDEN"
    assert graph.post(f"/{reply}/manage_reply", hide="false").json() == {"success": True}
    assert graph.get(f"/{reply}", fields="hide_status").json()["hide_status"] == "UNHUSHED"
    assert (
        error_of(graph.post(f"/{nested}/manage_reply", hide="true"))["code"] == 100
    )  # top-level only
    assert error_of(graph.post(f"/{root}/manage_reply", hide="true"))["code"] == 100  # not a reply
    assert (
        error_of(friend.post(f"/{reply}/manage_reply", hide="true"))["code"] == 10
    )  # not their root
    assert error_of(graph.post(f"/{reply}/manage_reply"))["code"] == 100


def test_pending_replies(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("approve first", enable_reply_approvals="true")
    friend = other_account(graph, emu)
    reply = friend.post_text("let me in", reply_to_id=root)
    assert graph.get(f"/{root}/replies").json()["data"] == []
    pending = graph.get(f"/{root}/pending_replies", fields="id,reply_approval_status").json()[
        "data"
    ]
    assert pending == [{"id": reply, "reply_approval_status": "pending"}]
    assert graph.post(f"/{reply}/manage_pending_reply", approve="false").json() == {"success": True}
    assert (
        graph.get(f"/{root}/pending_replies", approval_status="ignored").json()["data"][0]["id"]
        == reply
    )
    assert graph.post(f"/{reply}/manage_pending_reply", approve="true").json() == {"success": True}
    assert [d["id"] for d in graph.get(f"/{root}/replies").json()["data"]] == [reply]
    assert error_of(graph.post(f"/{reply}/manage_pending_reply", approve="true"))["code"] == 100
    assert error_of(graph.get(f"/{root}/pending_replies", approval_status="maybe"))["code"] == 100


def test_mentions(graph: Graph, emu: Emulator) -> None:
    friend = other_account(graph, emu)
    mention = friend.post_text("hey @emulator_user look")
    friend.post_text("no mention here")
    data = graph.get("/me/mentions", fields="id,username,text").json()["data"]
    assert data == [{"id": mention, "username": "friend", "text": "hey @emulator_user look"}]


def test_keyword_search(graph: Graph, emu: Emulator) -> None:
    a = graph.post_text("Python tips #coding")
    graph.post_text("nothing relevant")
    other_account(graph, emu).post_text("python by someone else")
    data = graph.get("/keyword_search", q="python", fields="id,media_type,owner,text").json()[
        "data"
    ]
    assert data == [{"id": a, "media_type": "TEXT", "text": "Python tips #coding"}]  # never owner
    tag = graph.get("/keyword_search", q="#coding", search_mode="TAG").json()["data"]
    assert tag == [{"id": a}]
    assert graph.get("/keyword_search", q="python", media_type="IMAGE").json()["data"] == []
    assert error_of(graph.get("/keyword_search"))["code"] == 100
    assert error_of(graph.get("/keyword_search", q="x", search_type="BEST"))["code"] == 100
    recent = graph.get("/me", fields="recently_searched_keywords").json()[
        "recently_searched_keywords"
    ]
    assert recent[0]["query"] == "python" and recent[0]["timestamp"] > 10**12  # milliseconds


def test_profile_lookup_and_posts(graph: Graph, emu: Emulator) -> None:
    friend = other_account(graph, emu, "famous")
    mid = friend.post_text("hello fans")
    body = graph.get("/profile_lookup", username="famous").json()
    assert body["username"] == "famous"
    assert {
        "name",
        "profile_picture_url",
        "biography",
        "is_verified",
        "follower_count",
        "likes_count",
        "quotes_count",
        "replies_count",
        "reposts_count",
        "views_count",
    } <= set(body)
    posts = graph.get("/profile_posts", username="famous", fields="id,owner,text").json()["data"]
    assert posts == [{"id": mid, "text": "hello fans"}]
    assert friend.token is not None
    emu.core.store.users[emu.core.store.tokens[friend.token].user_id].follower_count = 10
    assert error_of(graph.get("/profile_lookup", username="famous"))["code"] == 100
    assert error_of(graph.get("/profile_lookup", username="nobody"))["code"] == 100


def test_location_search_and_object(graph: Graph) -> None:
    data = graph.get("/location_search", q="menlo").json()["data"]
    assert data[0]["name"] == "Menlo Park"
    assert set(data[0]) == {
        "id",
        "name",
        "address",
        "city",
        "country",
        "latitude",
        "longitude",
        "postal_code",
    }
    near = graph.get(
        "/location_search", latitude="51.5", longitude="-0.08", fields="id,name"
    ).json()["data"]
    assert near == [{"id": "110000000000003", "name": "Tower of London"}]
    assert graph.get("/110000000000004", fields="name,city").json() == {
        "id": "110000000000004",
        "name": "Eiffel Tower",
        "city": "Paris",
    }
    assert error_of(graph.get("/location_search"))["code"] == 100
    usage = graph.get("/me/threads_publishing_limit", fields="location_search_quota_usage").json()
    assert usage["data"][0]["location_search_quota_usage"] == 2


def test_delete(graph: Graph, emu: Emulator) -> None:
    mid = graph.post_text("oops")
    r = graph.delete(f"/{mid}")
    assert r.json() == {"success": True, "deleted_id": mid}
    assert error_of(graph.get(f"/{mid}"))["error_subcode"] == 33
    assert graph.get("/me/threads").json()["data"] == []
    assert error_of(graph.delete(f"/{mid}"))["error_subcode"] == 33
    theirs = other_account(graph, emu).post_text("not yours")
    assert error_of(graph.delete(f"/{theirs}"))["code"] == 10
    usage = graph.get("/me/threads_publishing_limit", fields="delete_quota_usage").json()
    assert usage["data"][0]["delete_quota_usage"] == 1
    assert emu.posts()[0]["deleted"] is True


def test_delete_needs_scope(graph: Graph, emu: Emulator) -> None:
    mid = graph.post_text("keep")
    graph.token = emu.mint_token(scopes=["threads_basic"])["access_token"]
    assert error_of(graph.delete(f"/{mid}"))["code"] == 10


@pytest.mark.parametrize("edge", ["replies", "conversation"])
def test_reply_reads_need_read_replies(graph: Graph, emu: Emulator, edge: str) -> None:
    mid = graph.post_text("x")
    graph.token = emu.mint_token(scopes=["threads_basic"])["access_token"]
    assert error_of(graph.get(f"/{mid}/{edge}"))["code"] == 10
