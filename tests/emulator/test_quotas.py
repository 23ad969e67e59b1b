"""Rolling 24 h quotas and threads_publishing_limit (ref §4)."""

from __future__ import annotations

from typing import Any

from threadsync.emulator import Emulator

from .conftest import Graph, error_of


def limit(graph: Graph, fields: str | None = None) -> dict[str, object]:
    params: dict[str, Any] = {"fields": fields} if fields else {}
    body = graph.get("/me/threads_publishing_limit", **params).json()
    assert len(body["data"]) == 1
    return dict(body["data"][0])


def test_default_and_all_fields(graph: Graph) -> None:
    assert limit(graph) == {"quota_usage": 0}
    every = (
        "quota_usage,config,reply_quota_usage,reply_config,delete_quota_usage,delete_config,"
        "location_search_quota_usage,location_search_config"
    )
    assert limit(graph, every) == {
        "quota_usage": 0,
        "config": {"quota_total": 250, "quota_duration": 86400},
        "reply_quota_usage": 0,
        "reply_config": {"quota_total": 1000, "quota_duration": 86400},
        "delete_quota_usage": 0,
        "delete_config": {"quota_total": 100, "quota_duration": 86400},
        "location_search_quota_usage": 0,
        "location_search_config": {"quota_total": 500, "quota_duration": 86400},
    }
    assert (
        error_of(graph.get("/me/threads_publishing_limit", fields="search_quota_usage"))["code"]
        == 100
    )


def test_limit_fields_need_their_scopes(graph: Graph, emu: Emulator) -> None:
    publish = ["threads_basic", "threads_content_publish"]
    graph.token = emu.mint_token(scopes=publish)["access_token"]
    assert limit(graph, "quota_usage,config")["quota_usage"] == 0
    assert error_of(graph.get("/me/threads_publishing_limit", fields="reply_config"))["code"] == 10
    assert (
        error_of(graph.get("/me/threads_publishing_limit", fields="delete_quota_usage"))["code"]
        == 10
    )
    graph.token = emu.mint_token(scopes=[*publish, "threads_manage_replies"])["access_token"]
    assert limit(graph, "reply_config")["reply_config"] == {
        "quota_total": 1000,
        "quota_duration": 86400,
    }


def test_250_posts_then_the_quota_error(graph: Graph, emu: Emulator) -> None:
    for _ in range(200):  # earlier posts of the day, then 50 real ones (keeps the test fast)
        emu.core.store.count_quota(emu.user_id, "post")
    for i in range(50):
        graph.post("/me/threads", media_type="TEXT", text=f"post {i}", auto_publish_text="true")
    assert limit(graph)["quota_usage"] == 250
    cid = graph.create(text="one too many")  # creating is fine: the limit is enforced at publish
    r = graph.post("/me/threads_publish", creation_id=cid)
    assert r.status_code == 400
    err = error_of(r)
    assert (err["code"], err["error_subcode"], err["is_transient"]) == (9, 4279911, False)
    assert len(emu.posts()) == 50
    graph.post_text("a reply still fits", reply_to_id=emu.posts()[0]["id"])  # separate quota
    emu.advance(86400)  # rolling window; the waiting container has expired meanwhile
    assert graph.get(f"/{cid}", fields="status").json()["status"] == "EXPIRED"
    graph.post_text("the next day")
    assert limit(graph)["quota_usage"] == 1


def test_replies_quota(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("root")
    for _ in range(999):
        emu.core.store.count_quota(emu.user_id, "reply")
    graph.post_text("reply 1000", reply_to_id=root)
    err = error_of(
        graph.post("/me/threads_publish", creation_id=graph.create(text="1001", reply_to_id=root))
    )
    assert (err["code"], err["error_subcode"]) == (9, 4279912)
    assert limit(graph, "reply_quota_usage")["reply_quota_usage"] == 1000


def test_deletes_quota(graph: Graph, emu: Emulator) -> None:
    a, b = graph.post_text("a"), graph.post_text("b")
    for _ in range(99):
        emu.core.store.count_quota(emu.user_id, "delete")
    assert graph.delete(f"/{a}").status_code == 200
    err = error_of(graph.delete(f"/{b}"))
    assert (err["code"], err["error_subcode"]) == (9, 4279913)
    assert graph.get(f"/{b}").status_code == 200  # not deleted
    emu.advance(86401)
    assert graph.delete(f"/{b}").status_code == 200


def test_carousel_counts_once(graph: Graph, emu: Emulator) -> None:
    kids = [graph.finished_item() for _ in range(3)]
    parent = graph.create(media_type="CAROUSEL", children=",".join(kids))
    emu.advance(5)
    graph.publish(parent)
    assert limit(graph)["quota_usage"] == 1
