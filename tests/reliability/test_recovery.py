"""Recovery: a crash is not a Threads failure, and a lost state never reposts.

- A run killed again and again while a carousel's items process must not use
  up the post's containers: the next plain apply publishes it exactly once,
  and reuses the items the killed runs made.
- The push workflow may run with an old or empty state (a state commit that
  never reached the branch).  Apply then finds what is already on the account
  and adopts it instead of publishing it again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import (
    apply,
    check_exactly_once,
    cli_env,
    create_requests,
    live_posts,
    load_state,
    make_project,
    mixed_spec,
    publish_requests,
    start_cli,
    text_spec,
    write_post,
)

pytestmark = pytest.mark.slow

CAROUSEL = {
    "text": "Three pictures.",
    "media": [
        {"image": "https://example.test/media/a.png"},
        {"image": "https://example.test/media/b.png"},
        {"image": "https://example.test/media/c.png"},
    ],
}


def _items(emu: Emulator) -> list[dict[str, object]]:
    return [c for c in emu.containers() if c["is_carousel_item"]]


def _wait_until_polling_items(emu: Emulator, proc: object, seen: int, timeout: float) -> bool:
    """Wait until the run reads a carousel item's status (the items exist and process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = {str(c["id"]) for c in _items(emu)}
        reads = [
            r
            for r in emu.requests()[seen:]
            if r["method"] == "GET" and r["path"].split("?")[0].rsplit("/", 1)[-1] in items
        ]
        if len(items) == 3 and reads:
            return True
        if proc.poll() is not None:  # type: ignore[attr-defined]
            return False
        time.sleep(0.01)
    return False


def test_carousel_killed_four_times_while_its_items_process_is_published_once(
    emu: Emulator, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "p", {"c": CAROUSEL})
    emu.set_processing(image=30.0, carousel=0.05)  # the items take far longer than a run lives
    env = cli_env(emu)
    for round_ in range(4):
        seen = len(emu.requests())
        proc = start_cli(root, emu, "apply", "--yes", env=env)
        try:
            polling = _wait_until_polling_items(emu, proc, seen, timeout=20)
        finally:
            proc.kill()
            out, err = proc.communicate(timeout=10)
        assert polling, f"round {round_ + 1}: the run never waited on the items\n{out}\n{err}"

    # The killed runs made the three items once, and reused them every time since.
    assert len(_items(emu)) == 3
    entry = load_state(root)["posts"]["c"]
    assert entry["status"] == "pending"
    attempts = entry["parts"][0]["attempts"]
    assert [a.get("closed") for a in attempts] == [None]

    emu.advance(31)  # the items are ready now
    final = apply(root, emu)
    assert final.returncode == 0, final
    assert [p["media_type"] for p in live_posts(emu)] == ["CAROUSEL_ALBUM"]
    assert len(_items(emu)) == 3
    assert len(publish_requests(emu)) == 1
    assert load_state(root)["posts"]["c"]["status"] == "published"


def test_carousel_item_that_expired_while_no_run_watched_is_remade(
    emu: Emulator, tmp_path: Path
) -> None:
    """Items a killed run left are reused only while they can be; an expired one is not."""
    root = make_project(tmp_path / "p", {"c": CAROUSEL})
    emu.set_processing(image=30.0, carousel=0.05)
    seen = len(emu.requests())
    proc = start_cli(root, emu, "apply", "--yes", env=cli_env(emu))
    try:
        assert _wait_until_polling_items(emu, proc, seen, timeout=20)
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    emu.set_processing(image=0.05)
    emu.advance(25 * 3600)  # a day later: the items expired unpublished
    run = apply(root, emu)
    assert run.returncode == 0, run
    assert len(_items(emu)) == 6, "the expired items were not replaced"
    assert [p["media_type"] for p in live_posts(emu)] == ["CAROUSEL_ALBUM"]
    closed = [a.get("closed") for a in load_state(root)["posts"]["c"]["parts"][0]["attempts"]]
    assert closed == ["carousel item expired", "published"]
    assert load_state(root)["posts"]["c"]["status"] == "published"


def _drop_state(root: Path) -> None:
    state_dir = root / ".threadsync"
    for name in ("state.json", "state.json.bak", "state.json.log"):
        (state_dir / name).unlink(missing_ok=True)


def test_apply_after_the_state_and_its_backup_are_lost_publishes_nothing_twice(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = mixed_spec()
    root = make_project(tmp_path / "p", spec.files)
    first = apply(root, emu)
    assert first.returncode == 0, first
    published = len(publish_requests(emu))
    creates = len(create_requests(emu))

    _drop_state(root)
    again = apply(root, emu, "--json")
    assert again.returncode == 0, again
    assert len(publish_requests(emu)) == published, "a post was published a second time"
    assert len(create_requests(emu)) == creates, "a container was made for a post on the account"
    assert check_exactly_once(emu, root, spec.expected) == []
    report = json.loads(again.stdout)
    assert {p["status"] for p in report["posts"]} == {"adopted"}
    assert all("already on the account" in p["detail"] for p in report["posts"])

    # And the state it rebuilt is whole: a third run has nothing to do.
    third = apply(root, emu)
    assert third.returncode == 0, third
    assert len(publish_requests(emu)) == published


def test_lost_state_with_new_posts_adopts_the_old_and_publishes_the_new(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("a1", "a2")
    root = make_project(tmp_path / "p", spec.files)
    assert apply(root, emu).returncode == 0
    _drop_state(root)
    write_post(root, "a3", {"text": "The post a3."})
    spec = text_spec("a1", "a2", "a3")
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    statuses = {p["id"]: p["status"] for p in json.loads(run.stdout)["posts"]}
    assert statuses == {"a1": "adopted", "a2": "adopted", "a3": "published"}
    assert check_exactly_once(emu, root, spec.expected) == []


def test_a_post_another_entry_claims_is_not_adopted_twice(emu: Emulator, tmp_path: Path) -> None:
    """Two ids with the same text (a daily greeting) stay two posts."""
    root = make_project(tmp_path / "p", {"d1": {"text": "Good morning!"}})
    assert apply(root, emu).returncode == 0
    write_post(root, "d2", {"text": "Good morning!"})
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    statuses = {p["id"]: p["status"] for p in json.loads(run.stdout)["posts"]}
    assert statuses == {"d2": "published"}
    assert [p["params"]["text"] for p in live_posts(emu)] == ["Good morning!"] * 2
    state = load_state(root)["posts"]
    assert state["d1"]["parts"][0]["media_id"] != state["d2"]["parts"][0]["media_id"]


def test_lookup_can_be_turned_off(emu: Emulator, tmp_path: Path) -> None:
    spec = text_spec("a1")
    root = make_project(tmp_path / "p", spec.files)
    assert apply(root, emu).returncode == 0
    _drop_state(root)
    lists = sum(1 for r in emu.requests() if r["path"].split("?")[0].endswith("/threads"))
    run = apply(root, emu, "--no-lookup")
    assert run.returncode == 0, run
    assert [p["params"]["text"] for p in live_posts(emu)] == ["The post a1."] * 2
    after = [r for r in emu.requests() if r["path"].split("?")[0].endswith("/threads")]
    assert not [r for r in after[lists:] if r["method"] == "GET"], "it listed the account"


def test_lookup_costs_nothing_when_nothing_is_new(emu: Emulator, tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", text_spec("a1").files)
    assert apply(root, emu).returncode == 0
    write_post(root, "a1", {"text": "The post a1, edited.", "on_change": "replace"})
    emu.clear_requests()
    assert apply(root, emu, "--force").returncode == 0
    listings = [
        r
        for r in emu.requests()
        if r["method"] == "GET" and r["path"].split("?")[0].endswith(("/threads", "/replies"))
    ]
    assert listings == [], "a replace is not a post the state does not know"
