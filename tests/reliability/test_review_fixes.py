"""Regressions found in review: each once published wrongly or recorded a post that wasn't."""

from __future__ import annotations

from pathlib import Path

from threadsync.api import API, Credentials
from threadsync.emulator import Emulator

from .support import apply, live_posts, load_state, make_project, run_cli, write_post


def _api(emu: Emulator) -> API:
    return API(Credentials.from_token(emu.token, emu.user_id), base_url=emu.url)


def _texts(emu: Emulator) -> list[str]:
    return [p["params"].get("text") for p in live_posts(emu)]


def test_unreadable_container_is_never_replaced_by_a_second_post(
    emu: Emulator, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "p", {"a": {"text": "hello world"}})
    faults = emu.core.faults
    # The publish happens but its answer is lost; the container then reads "does not
    # exist" and the account's listing lags behind.
    faults.add({"action": "drop_after", "method": "POST", "path": "threads_publish$", "times": 1})
    faults.add(
        {
            "action": "graph_error",
            "method": "GET",
            "path": r"/v1\.0/1789\d+$",
            "code": 100,
            "status": 400,
            "message": "Object does not exist",
            "times": 1,
        }
    )
    faults.add(
        {
            "action": "http_error",
            "method": "GET",
            "path": r"/threads$",
            "status": 200,
            "body": {"data": []},
            "every": True,
            "times": 4,  # apply's look-up before create, then the 3 searches for the post
        }
    )
    first = apply(root, emu)
    assert first.returncode == 1 and "cannot be read" in first.stderr
    assert _texts(emu) == ["hello world"]
    emu.clear_faults()
    second = apply(root, emu)
    assert second.returncode == 0, second.stderr
    assert _texts(emu) == ["hello world"]  # found and recorded, never posted again
    assert load_state(root)["posts"]["a"]["status"] == "published"


def test_post_edited_while_pending_publishes_the_new_text(emu: Emulator, tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"a": {"text": "original text"}})
    emu.core.faults.add(
        {
            "action": "graph_error",
            "method": "POST",
            "path": "threads_publish$",
            "code": 2,
            "transient": True,
            "status": 400,
            "times": 1,
        }
    )
    assert apply(root, emu).returncode == 1
    assert load_state(root)["posts"]["a"]["status"] == "pending"
    write_post(root, "a", {"text": "EDITED text"})
    done = apply(root, emu)
    assert done.returncode == 0, done.stderr
    assert _texts(emu) == ["EDITED text"]
    attempts = load_state(root)["posts"]["a"]["parts"][0]["attempts"]
    assert [a["closed"] for a in attempts] == ["superseded by an edit", "published"]


def test_adopting_a_thread_root_publishes_the_rest_under_it(emu: Emulator, tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"a": {"text": "Root already posted by hand.", "thread": [{"text": "Part two."}]}},
    )
    with _api(emu) as api:
        posted = api.publish_container(api.create_container(text="Root already posted by hand."))
    adopted = apply(root, emu, "--refresh")
    assert adopted.returncode == 0, adopted.stderr
    entry = load_state(root)["posts"]["a"]
    assert entry["status"] == "pending" and entry["parts"][0]["media_id"] == posted
    plan = run_cli(root, emu, "plan", "--detailed-exitcode")
    assert plan.returncode == 2 and "resume" in plan.stdout
    assert apply(root, emu).returncode == 0
    posts = {p["params"].get("text"): p for p in live_posts(emu)}
    assert sorted(posts) == ["Part two.", "Root already posted by hand."]
    assert posts["Part two."]["params"]["reply_to_id"] == posted


def test_one_post_on_the_account_is_adopted_once(emu: Emulator, tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", {"a": {"text": "Good morning"}, "b": {"text": "Good morning"}}
    )
    with _api(emu) as api:
        posted = api.publish_container(api.create_container(text="Good morning"))
    done = apply(root, emu, "--refresh")
    assert done.returncode == 0, done.stderr
    media = {k: v["parts"][0]["media_id"] for k, v in load_state(root)["posts"].items()}
    assert media["a"] == posted and media["b"] != posted
    assert _texts(emu) == ["Good morning", "Good morning"]
