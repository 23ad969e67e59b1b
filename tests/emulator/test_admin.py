"""Admin endpoints under /__emulator__/ and the request log."""

from __future__ import annotations

import requests

from threadsync.emulator import DEFAULT_APP_ID, Emulator
from threadsync.emulator.admin import is_loopback

from .conftest import Graph


def admin(emu: Emulator, method: str, action: str, **kwargs: object) -> requests.Response:
    return requests.request(method, f"{emu.url}/__emulator__/{action}", timeout=5, **kwargs)  # type: ignore[arg-type]


def test_info(emu: Emulator) -> None:
    info = admin(emu, "GET", "").json()
    assert info["user_id"] == emu.user_id
    assert info["access_token"] == emu.token
    assert info["app_id"] == DEFAULT_APP_ID
    assert info["processing"] == {"text": 0.0, "image": 1.0, "video": 5.0, "carousel": 1.0}


def test_posts_and_containers(graph: Graph, emu: Emulator) -> None:
    cid = graph.create(text="listed", topic_tag="Admin")
    mid = graph.publish(cid)
    posts = admin(emu, "GET", "posts").json()["data"]
    assert posts[0]["id"] == mid
    assert posts[0]["params"] == {"media_type": "TEXT", "text": "listed", "topic_tag": "Admin"}
    assert posts[0]["permalink"].startswith("https://www.threads.net/@emulator_user/post/")
    containers = admin(emu, "GET", "containers").json()["data"]
    assert containers[0]["id"] == cid and containers[0]["status"] == "PUBLISHED"
    assert containers[0]["published_post"] == mid


def test_reset(graph: Graph, emu: Emulator) -> None:
    graph.post_text("gone soon")
    emu.advance(1000)
    emu.add_fault(path="x", action="delay")
    assert admin(emu, "POST", "reset").json() == {"success": True}
    assert emu.posts() == [] and emu.faults() == [] and emu.requests() == []
    assert graph.get("/me").status_code == 200  # the printed token still works


def test_clock(emu: Emulator) -> None:
    before = admin(emu, "GET", "clock").json()["now"]
    after = admin(emu, "POST", "clock/advance", json={"seconds": 3600}).json()["now"]
    assert 3600 <= after - before < 3610
    assert admin(emu, "POST", "clock/advance", json={"seconds": -1}).status_code == 400


def test_tokens(graph: Graph, emu: Emulator) -> None:
    body = admin(emu, "POST", "tokens", json={"kind": "short", "age": 1800}).json()
    assert body["kind"] == "short"
    assert body["expires_at"] - body["issued_at"] == 3600
    assert graph.get("/me", token=body["access_token"]).status_code == 200
    old = admin(emu, "POST", "tokens", json={"kind": "short", "age": 4000}).json()["access_token"]
    assert graph.get("/me", token=old).status_code == 400
    assert admin(emu, "POST", "tokens", json={"kind": "forever"}).status_code == 400
    other = admin(
        emu, "POST", "tokens", json={"username": "bob", "scopes": ["threads_basic"]}
    ).json()
    assert (
        graph.get("/me", token=other["access_token"], fields="username").json()["username"] == "bob"
    )


def test_users(emu: Emulator) -> None:
    user = admin(emu, "POST", "users", json={"username": "carol", "follower_count": 5}).json()
    assert user["username"] == "carol" and user["follower_count"] == 5


def test_processing(graph: Graph, emu: Emulator) -> None:
    assert admin(emu, "POST", "processing", json={"image": "0s", "video": 2}).json()["video"] == 2.0
    assert admin(emu, "POST", "processing", data={"spec": "carousel=3s"}).json()["carousel"] == 3.0
    assert admin(emu, "POST", "processing", json={"text": "300ms"}).json()["text"] == 0.3
    assert admin(emu, "GET", "processing").json() == {
        "text": 0.3,
        "image": 0.0,
        "video": 2.0,
        "carousel": 3.0,
    }
    assert admin(emu, "POST", "processing", json={"audio": 1}).status_code == 400
    cid = graph.create(media_type="IMAGE", image_url="https://e.com/a.jpg")
    assert graph.get(f"/{cid}", fields="status").json()["status"] == "FINISHED"


def test_unknown_admin_action(emu: Emulator) -> None:
    assert admin(emu, "GET", "nothing-here").status_code == 404
    assert (
        admin(
            emu, "POST", "faults", data=b"[1]", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )


def test_loopback_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.9.10")
    assert not is_loopback("192.0.2.1") and not is_loopback("10.0.0.1")


def test_request_log_redacts_secrets(graph: Graph, emu: Emulator) -> None:
    graph.get("/me", token=None, access_token=emu.token)
    graph.get("/me")  # Bearer
    requests.post(
        f"{emu.url}/oauth/access_token",
        timeout=5,
        data={
            "client_id": DEFAULT_APP_ID,
            "client_secret": "s3cret-value",
            "code": "AQsecretcode",
            "grant_type": "authorization_code",
            "redirect_uri": "https://x.example/",
        },
    )
    requests.get(
        f"{emu.url}/access_token",
        timeout=5,
        params={
            "grant_type": "th_exchange_token",
            "client_secret": "s3cret-value",
            "access_token": emu.token,
        },
    )
    log = admin(emu, "GET", "requests").json()["data"]
    text = repr(log)
    for secret in (emu.token, "s3cret-value", "AQsecretcode"):
        assert secret not in text
    assert log[0]["params"]["access_token"] == "[REDACTED]"
    assert "access_token=[REDACTED]" in log[0]["path"]
    assert log[1]["headers"]["authorization"] == "Bearer [REDACTED]"
    assert (
        log[2]["params"]["client_secret"] == "[REDACTED]"
        and log[2]["params"]["code"] == "[REDACTED]"
    )
    assert [e["status"] for e in log] == [200, 200, 400, 400]
    assert emu.requests() == log
    assert admin(emu, "DELETE", "requests").json() == {"success": True}
    assert emu.requests() == []
