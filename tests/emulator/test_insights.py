"""Media and user insights (ref §8)."""

from __future__ import annotations

from threadsync.emulator import Emulator

from .conftest import Graph, error_of


def test_media_insights_shape_and_real_counts(graph: Graph, emu: Emulator) -> None:
    root = graph.post_text("root")
    reply = graph.post_text("r", reply_to_id=root)
    graph.post_text("nested", reply_to_id=reply)
    graph.post_text("quoting", quote_post_id=root)
    body = graph.get(f"/{root}/insights", metric="views,likes,replies,reposts,quotes,shares").json()
    by_name = {m["name"]: m for m in body["data"]}
    assert list(by_name) == ["views", "likes", "replies", "reposts", "quotes", "shares"]
    likes = by_name["likes"]
    assert likes["period"] == "lifetime"
    assert likes["title"] == "Likes"
    assert likes["id"] == f"{root}/insights/likes/lifetime"
    assert isinstance(likes["values"][0]["value"], int)
    assert by_name["replies"]["values"] == [{"value": 2}]  # a root post counts every reply
    assert by_name["quotes"]["values"] == [{"value": 1}]
    again = graph.get(f"/{root}/insights", metric="likes,views").json()["data"]
    assert again[0]["values"] == likes["values"]  # deterministic
    on_reply = graph.get(f"/{reply}/insights", metric="replies").json()["data"][0]
    assert on_reply["values"] == [{"value": 1}]  # direct replies only


def test_media_insights_errors(graph: Graph, emu: Emulator) -> None:
    mid = graph.post_text("x")
    err = error_of(graph.get(f"/{mid}/insights", metric="likes,hearts"))
    assert err["code"] == 100
    assert "metric[1] must be one of the following values" in err["message"]
    assert error_of(graph.get(f"/{mid}/insights"))["code"] == 100
    repost = graph.post(f"/{mid}/repost").json()["id"]
    assert graph.get(f"/{repost}/insights", metric="likes").json() == {"data": []}
    graph.token = emu.mint_token(scopes=["threads_basic"])["access_token"]
    assert error_of(graph.get(f"/{mid}/insights", metric="likes"))["code"] == 10


def test_user_insights(graph: Graph, emu: Emulator) -> None:
    graph.post_text("see https://example.com/a")
    now = int(emu.now())
    body = graph.get(
        "/me/threads_insights",
        metric="views,likes,replies,clicks,followers_count",
        since=now - 3 * 86400,
        until=now + 10,
    ).json()
    by_name = {m["name"]: m for m in body["data"]}
    views = by_name["views"]
    assert views["period"] == "day"
    assert len(views["values"]) == 4
    assert all(
        set(v) == {"value", "end_time"} and v["end_time"].endswith("+0000") for v in views["values"]
    )
    assert set(by_name["likes"]["total_value"]) == {"value"}
    assert by_name["replies"]["total_value"] == {"value": 0}
    assert by_name["clicks"]["link_total_values"][0]["link_url"] == "https://example.com/a"
    assert by_name["followers_count"]["total_value"] == {"value": 1234}
    default = graph.get("/me/threads_insights", metric="views").json()["data"][0]
    assert 1 <= len(default["values"]) <= 2  # yesterday through today


def test_user_insights_rules(graph: Graph, emu: Emulator) -> None:
    r = graph.get("/me/threads_insights", metric="follower_demographics", breakdown="country")
    breakdowns = r.json()["data"][0]["total_value"]["breakdowns"][0]
    assert breakdowns["dimension_keys"] == ["country"]
    assert breakdowns["results"][0]["dimension_values"] == ["US"]
    assert (
        error_of(graph.get("/me/threads_insights", metric="follower_demographics"))["code"] == 100
    )
    assert (
        error_of(
            graph.get(
                "/me/threads_insights", metric="follower_demographics", breakdown="country,age"
            )
        )["code"]
        == 100
    )
    assert (
        error_of(graph.get("/me/threads_insights", metric="likes", breakdown="age"))["code"] == 100
    )
    assert (
        error_of(graph.get("/me/threads_insights", metric="likes", since=1712991599))["code"] == 100
    )
    assert error_of(graph.get("/me/threads_insights", metric="impressions"))["code"] == 100
    emu.core.store.users[emu.user_id].has_instagram = False
    err = error_of(graph.get("/me/threads_insights", metric="followers_count"))
    assert err["message"] == "THREADS_API__FEATURE_NOT_AVAILABLE"
    emu.core.store.users[emu.user_id].has_instagram = True
    emu.core.store.users[emu.user_id].follower_count = 99
    assert (
        error_of(
            graph.get("/me/threads_insights", metric="follower_demographics", breakdown="age")
        )["code"]
        == 100
    )
