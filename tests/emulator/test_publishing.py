"""Containers, processing, expiry and publishing (ref §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .conftest import Graph, error_of


def status(graph: Graph, cid: str) -> dict[str, str]:
    r = graph.get(f"/{cid}", fields="status,error_message")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_text_finishes_at_once_and_publishes(graph: Graph, emu: Emulator) -> None:
    cid = graph.create(text="Hello Threads")
    assert status(graph, cid) == {"status": "FINISHED", "id": cid}
    mid = graph.publish(cid)
    assert mid != cid
    assert status(graph, cid)["status"] == "PUBLISHED"
    [post] = emu.posts()
    assert post["id"] == mid
    assert post["params"] == {"media_type": "TEXT", "text": "Hello Threads"}


def test_a_late_text_container_refuses_an_early_publish(graph: Graph, emu: Emulator) -> None:
    """``text=0.3s``: a text container not ready at once, as Meta's sometimes is (ref §3)."""
    emu.set_processing("text=0.3s")
    cid = graph.create(text="Not yet")
    assert status(graph, cid)["status"] == "IN_PROGRESS"
    err = error_of(graph.post("/me/threads_publish", creation_id=cid))
    assert (err["code"], err["error_subcode"]) == (24, 4279009)
    emu.advance(0.3)
    assert status(graph, cid)["status"] == "FINISHED"
    graph.publish(cid)
    assert [p["params"]["text"] for p in emu.posts()] == ["Not yet"]


def test_text_processing_is_set_at_start(tmp_path: Path) -> None:
    with Emulator(processing={"text": 0.3}) as emu:
        assert emu.set_processing()["text"] == 0.3
    with pytest.raises(ValueError, match="not one of text, image, video, carousel"):
        Emulator(processing="audio=1s")


def test_a_data_file_without_text_processing_keeps_its_default(tmp_path: Path) -> None:
    data = tmp_path / "emu.json"
    with Emulator(data=data, processing="image=2s"):
        pass
    saved = json.loads(data.read_text())
    del saved["processing"]["text"]  # a file an emulator without the text kind wrote
    data.write_text(json.dumps(saved))
    with Emulator(data=data) as emu:
        assert emu.set_processing() == {
            "text": 0.0,
            "image": 2.0,
            "video": 5.0,
            "carousel": 1.0,
        }


def test_container_defaults_to_id_and_status(graph: Graph) -> None:
    cid = graph.create()
    assert graph.get(f"/{cid}").json() == {"id": cid, "status": "FINISHED"}


@pytest.mark.parametrize(
    ("kind", "key", "delay"), [("IMAGE", "image_url", 1), ("VIDEO", "video_url", 5)]
)
def test_media_processing_uses_the_clock(
    graph: Graph, emu: Emulator, kind: str, key: str, delay: int
) -> None:
    cid = graph.create(media_type=kind, **{key: "https://example.com/m"})
    assert status(graph, cid)["status"] == "IN_PROGRESS"
    err = error_of(graph.post("/me/threads_publish", creation_id=cid))
    assert err == {
        **err,
        "code": 24,
        "error_subcode": 4279009,
        "message": "The requested resource does not exist",
        "is_transient": False,
    }
    assert err["error_user_title"] == "Media Not Found"
    emu.advance(delay)
    assert status(graph, cid)["status"] == "FINISHED"
    graph.publish(cid)
    assert status(graph, cid)["status"] == "PUBLISHED"


def test_set_processing_changes_new_containers(graph: Graph, emu: Emulator) -> None:
    emu.set_processing("image=0s,video=100ms")
    cid = graph.create(media_type="IMAGE", image_url="https://example.com/a.jpg")
    assert status(graph, cid)["status"] == "FINISHED"
    emu.set_processing(video=30)
    cid = graph.create(media_type="VIDEO", video_url="https://example.com/a.mp4")
    emu.advance(29)
    assert status(graph, cid)["status"] == "IN_PROGRESS"


def test_error_marker_fails_processing(graph: Graph, emu: Emulator) -> None:
    url = "https://example.com/v.mp4?emulator-error=FAILED_DOWNLOADING_VIDEO"
    cid = graph.create(media_type="VIDEO", video_url=url)
    assert status(graph, cid)["status"] == "IN_PROGRESS"
    emu.advance(5)
    assert status(graph, cid) == {
        "id": cid,
        "status": "ERROR",
        "error_message": "FAILED_DOWNLOADING_VIDEO",
    }
    assert error_of(graph.post("/me/threads_publish", creation_id=cid))["code"] == 24


def test_processing_marker_sets_one_containers_delay(graph: Graph, emu: Emulator) -> None:
    cid = graph.create(
        media_type="IMAGE", image_url="https://example.com/a.jpg?emulator-processing=60s"
    )
    emu.advance(59)
    assert status(graph, cid)["status"] == "IN_PROGRESS"
    emu.advance(1)
    assert status(graph, cid)["status"] == "FINISHED"


def test_container_expires_after_24_hours(graph: Graph, emu: Emulator) -> None:
    cid = graph.create()
    emu.advance(86400)
    assert status(graph, cid)["status"] == "EXPIRED"
    assert error_of(graph.post("/me/threads_publish", creation_id=cid))["error_subcode"] == 4279009


def test_publish_twice_never_makes_a_second_post(graph: Graph, emu: Emulator) -> None:
    cid = graph.create()
    graph.publish(cid)
    r = graph.post("/me/threads_publish", creation_id=cid)
    assert r.status_code == 400
    assert error_of(r)["error_user_title"] == "Media Already Published"
    assert len(emu.posts()) == 1


def test_publish_unknown_or_missing_creation_id(graph: Graph) -> None:
    assert (
        error_of(graph.post("/me/threads_publish", creation_id="17890000000000999"))["code"] == 24
    )
    assert error_of(graph.post("/me/threads_publish"))["code"] == 100


def test_another_users_container_cannot_be_published(graph: Graph, emu: Emulator) -> None:
    cid = graph.create()
    graph.token = emu.mint_token(username="intruder")["access_token"]
    assert error_of(graph.post("/me/threads_publish", creation_id=cid))["code"] == 24
    assert error_of(graph.get(f"/{cid}"))["error_subcode"] == 33


def test_carousel(graph: Graph, emu: Emulator) -> None:
    a = graph.create(
        media_type="IMAGE", is_carousel_item="true", image_url="https://example.com/1.jpg"
    )
    b = graph.create(
        media_type="VIDEO", is_carousel_item="true", video_url="https://example.com/2.mp4"
    )
    err = error_of(graph.post("/me/threads", media_type="CAROUSEL", children=f"{a},{b}"))
    assert err["error_subcode"] == 4279004  # children must be FINISHED
    emu.advance(5)
    parent = graph.create(media_type="CAROUSEL", children=f"{a},{b}", text="two things")
    assert status(graph, parent)["status"] == "IN_PROGRESS"  # carousel processing: 1 s
    emu.advance(1)
    mid = graph.publish(parent)
    body = graph.get(f"/{mid}", fields="media_type,children{id,media_type,media_url}").json()
    assert body["media_type"] == "CAROUSEL_ALBUM"
    kids = body["children"]["data"]
    assert [k["media_type"] for k in kids] == ["IMAGE", "VIDEO"]
    assert kids[0]["media_url"] == "https://example.com/1.jpg"
    assert status(graph, a)["status"] == "PUBLISHED"
    assert emu.posts()[0]["children"][1]["params"]["video_url"] == "https://example.com/2.mp4"
    assert graph.get("/me/threads_publishing_limit").json()["data"][0]["quota_usage"] == 1


def test_carousel_item_cannot_be_published_alone(graph: Graph) -> None:
    cid = graph.finished_item()
    assert error_of(graph.post("/me/threads_publish", creation_id=cid))["code"] == 100


@pytest.mark.parametrize("count", [1, 21])
def test_carousel_child_count(graph: Graph, emu: Emulator, count: int) -> None:
    children = [
        graph.create(media_type="IMAGE", is_carousel_item="true", image_url="https://e.com/x.jpg")
        for _ in range(count)
    ]
    emu.advance(5)
    err = error_of(graph.post("/me/threads", media_type="CAROUSEL", children=",".join(children)))
    assert err["error_user_title"] == "Invalid Carousel"


def test_carousel_of_twenty(graph: Graph, emu: Emulator) -> None:
    children = [
        graph.create(media_type="IMAGE", is_carousel_item="true", image_url="https://e.com/x.jpg")
        for _ in range(20)
    ]
    emu.advance(5)
    assert (
        graph.post("/me/threads", media_type="CAROUSEL", children=",".join(children)).status_code
        == 200
    )


def test_carousel_children_must_be_items_of_this_user(graph: Graph, emu: Emulator) -> None:
    own = graph.finished_item()
    not_item = graph.create(media_type="IMAGE", image_url="https://e.com/x.jpg")
    emu.advance(5)
    assert (
        error_of(graph.post("/me/threads", media_type="CAROUSEL", children=f"{own},{not_item}"))[
            "code"
        ]
        == 100
    )
    other = Graph(emu, graph.session)
    other.token = emu.mint_token(username="other_user")["access_token"]
    theirs = other.finished_item()
    assert (
        error_of(graph.post("/me/threads", media_type="CAROUSEL", children=f"{own},{theirs}"))[
            "code"
        ]
        == 100
    )
    assert (
        error_of(graph.post("/me/threads", media_type="CAROUSEL", children=f"{own},{own}"))["code"]
        == 100
    )


def test_reply_publishes_as_a_reply(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("root")
    cid = graph.create(media_type="VIDEO", video_url="https://e.com/v.mp4", reply_to_id=root)
    emu.advance(5)
    reply = graph.publish(cid)
    body = graph.get(f"/{reply}", fields="is_reply,replied_to,root_post").json()
    assert body == {
        "id": reply,
        "is_reply": True,
        "replied_to": {"id": root},
        "root_post": {"id": root},
    }
    threads = graph.get("/me/threads").json()["data"]
    assert [t["id"] for t in threads] == [root]  # replies are not top-level posts
    limit = graph.get("/me/threads_publishing_limit", fields="quota_usage,reply_quota_usage").json()
    assert limit["data"][0] == {"quota_usage": 1, "reply_quota_usage": 1}


def test_reply_to_a_deleted_post_fails_at_publish(graph: Graph) -> None:
    root = graph.post_text("root")
    cid = graph.create(reply_to_id=root)
    assert graph.delete(f"/{root}").status_code == 200
    assert error_of(graph.post("/me/threads_publish", creation_id=cid))["code"] == 100


def test_reply_to_someone_elses_post_needs_a_scope(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("mine")
    other = Graph(emu, graph.session)
    other.token = emu.mint_token(
        username="stranger", scopes=["threads_basic", "threads_content_publish"]
    )["access_token"]
    assert (
        error_of(other.post("/me/threads", media_type="TEXT", text="hi", reply_to_id=root))["code"]
        == 10
    )
    other.token = emu.mint_token(username="stranger")["access_token"]  # has manage_mentions
    other.post_text("hi", reply_to_id=root)


def test_quote_post(graph: Graph) -> None:
    original = graph.post_text("original")
    quote = graph.post_text("look", quote_post_id=original)
    body = graph.get(f"/{quote}", fields="is_quote_post,quoted_post{id,text}").json()
    assert body["is_quote_post"] is True
    assert body["quoted_post"] == {"id": original, "text": "original"}


def test_auto_publish_text_returns_the_post_id(graph: Graph, emu: Emulator) -> None:
    r = graph.post("/me/threads", media_type="TEXT", text="now", auto_publish_text="true")
    [post] = emu.posts()
    assert r.json()["id"] == post["id"]
    assert (
        error_of(
            graph.post(
                "/me/threads",
                media_type="IMAGE",
                image_url="https://e.com/a.jpg",
                auto_publish_text="true",
            )
        )["code"]
        == 100
    )


def test_ghost_post(graph: Graph, emu: Emulator) -> None:
    mid = graph.post_text("boo", is_ghost_post="true")
    body = graph.get(f"/{mid}", fields="ghost_post_status,ghost_post_expiration_timestamp").json()
    assert body["ghost_post_status"] == "active"
    assert [p["id"] for p in graph.get("/me/ghost_posts").json()["data"]] == [mid]
    emu.advance(86400)
    assert (
        graph.get(f"/{mid}", fields="ghost_post_status").json()["ghost_post_status"] == "archived"
    )
    assert graph.get("/me/threads").json()["data"] == []
    root = graph.post_text("root")
    assert (
        error_of(
            graph.post(
                "/me/threads", media_type="TEXT", text="x", is_ghost_post="true", reply_to_id=root
            )
        )["code"]
        == 100
    )
