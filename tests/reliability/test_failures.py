"""Failures that stop a post or the run: bad tokens, media Threads can't process, the quota."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from threadsync.emulator import Emulator

from .support import (
    Spec,
    apply,
    check_exactly_once,
    cli_env,
    commit,
    create_requests,
    live_posts,
    load_state,
    make_project,
    publish_requests,
    run_cli,
    text_spec,
    write_post,
)

PUBLISH = r"/threads_publish$"
BAD_VIDEO = "https://example.test/bad.mp4?emulator-error=INVALID_DURATION"
GOOD_VIDEO = "https://example.test/good.mp4"


# --- the token ------------------------------------------------------------------------------


def test_token_rejected_mid_apply_stops_with_the_fix_and_keeps_what_was_done(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("a", "b", "c")
    root = make_project(tmp_path / "p", spec.files)
    expired = "Error validating access token: Session has expired"
    emu.add_fault(action="graph_error", method="POST", path=PUBLISH, nth=2, code=190,
                  subcode=463, message=expired)  # fmt: skip
    run = apply(root, emu)
    assert run.returncode == 1, run
    error_lines = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, run.stderr
    assert "threadsync auth refresh" in error_lines[0]
    state = load_state(root)
    assert state["posts"]["a"]["status"] == "published"
    assert state["posts"]["a"]["parts"][0]["media_id"] == live_posts(emu)[0]["id"]
    assert state["posts"]["b"]["status"] == "pending"  # not failed: a new token resumes it
    assert len(live_posts(emu)) == 1
    emu.clear_faults()
    again = apply(root, emu)
    assert again.returncode == 0, again
    assert check_exactly_once(emu, root, spec.expected) == []


@pytest.mark.parametrize("token", ["garbage", "expired"])
def test_bad_token_at_start_names_auth_refresh(emu: Emulator, tmp_path: Path, token: str) -> None:
    """Regression: the plan step's 190 was the raw API error (fixed in 88860a3)."""
    root = make_project(tmp_path / "p", text_spec("a").files)
    value = token
    if token == "expired":  # a long-lived token issued 61 days ago
        value = emu.mint_token("long", age=dt.timedelta(days=61).total_seconds())["access_token"]
    run = apply(root, emu, env=cli_env(emu, THREADS_ACCESS_TOKEN=value))
    assert run.returncode == 1, run
    assert live_posts(emu) == []
    assert "threadsync auth refresh" in run.stderr, run.stderr


# --- media Threads cannot process -------------------------------------------------------------


def _failing_spec(video: str) -> Spec:
    spec = Spec()
    spec.add("p1-bad", {"text": "A video Threads can't process.", "media": [{"video": video}]})
    spec.add("p2-ok", {"text": "An independent post."})
    spec.add("p3-quote", {"text": "Quoting the bad video.", "quote": "p1-bad"})
    spec.add("p4-reply", {"text": "Replying to the bad video.", "reply_to": "p1-bad"})
    spec.add("p5-ok", {"text": "Another independent post."})
    return spec


def test_permanent_media_error_fails_that_post_and_skips_what_depends_on_it(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = _failing_spec(BAD_VIDEO)
    root = make_project(tmp_path / "p", spec.files)
    run = apply(root, emu, "--json")
    assert run.returncode == 1, run
    report = {p["id"]: p for p in json.loads(run.stdout)["posts"]}
    assert report["p1-bad"]["status"] == "failed"
    assert "INVALID_DURATION" in report["p1-bad"]["detail"]
    assert report["p2-ok"]["status"] == report["p5-ok"]["status"] == "published"
    assert report["p3-quote"]["status"] == report["p4-reply"]["status"] == "skipped"
    state = load_state(root)["posts"]
    assert state["p1-bad"]["status"] == "failed"
    assert "INVALID_DURATION" in state["p1-bad"]["error"]
    assert {"p3-quote", "p4-reply"}.isdisjoint(
        k for k, v in state.items() if v["status"] == "published"
    )
    texts = sorted(p["params"]["text"] for p in live_posts(emu))
    assert texts == ["An independent post.", "Another independent post."]

    # A plain rerun leaves the failed post alone, and says why.
    creates = len(create_requests(emu))
    rerun = apply(root, emu)
    assert rerun.returncode == 0, rerun
    assert len(create_requests(emu)) == creates, "a plain rerun retried the failed post"
    assert "p1-bad: failed" in rerun.stdout and "--retry-failed" in rerun.stdout

    # --retry-failed tries it again (a new container), and it fails again.
    retried = apply(root, emu, "--retry-failed")
    assert retried.returncode == 1, retried
    bad = [r for r in create_requests(emu) if "bad.mp4" in r["params"].get("video_url", "")]
    assert len(bad) == 2
    assert len(live_posts(emu)) == 2

    # Editing it retries it; what depends on it goes out after it.
    write_post(root, "p1-bad", {**spec.files["p1-bad"], "media": [{"video": GOOD_VIDEO}]})
    commit(root, "fix the video")
    fixed = apply(root, emu)
    assert fixed.returncode == 0, fixed
    fixed_spec = _failing_spec(GOOD_VIDEO)
    assert check_exactly_once(emu, root, fixed_spec.expected, in_order=False) == []
    posts = {p["params"]["text"]: p for p in live_posts(emu)}
    video_id = posts["A video Threads can't process."]["id"]
    assert posts["Replying to the bad video."]["reply_to"] == video_id
    assert posts["Quoting the bad video."]["quote_of"] == video_id


def test_edited_post_is_retried_after_it_used_up_its_containers(
    emu: Emulator, tmp_path: Path
) -> None:
    """Regression: max_containers counted attempts across runs (fixed in 88860a3)."""
    flaky = "https://example.test/v.mp4?emulator-error=FAILED_DOWNLOADING_VIDEO"
    spec = Spec()
    spec.add("v", {"text": "A video.", "media": [{"video": flaky}]})
    root = make_project(tmp_path / "p", spec.files)
    first = apply(root, emu)
    assert first.returncode == 1, first
    assert "gave up after 3 containers" in load_state(root)["posts"]["v"]["error"]
    write_post(root, "v", {"text": "A video.", "media": [{"video": GOOD_VIDEO}]})
    commit(root, "another video")
    creates = len(create_requests(emu))
    second = apply(root, emu)
    assert len(create_requests(emu)) > creates, "the edited post was not tried at all"
    assert second.returncode == 0, second
    assert len(live_posts(emu)) == 1


# --- the 24 h quota ---------------------------------------------------------------------------


def _use_quota(emu: Emulator, kind: str, count: int) -> None:
    """Count ``count`` publishes of ``kind`` against the emulator's rolling 24 h quota.

    The emulator has no admin endpoint to set quota usage, so this goes to its
    store (what a publish of that kind records).
    """
    for _ in range(count):
        emu.core.store.count_quota(emu.user_id, kind)


def test_quota_publishes_what_fits_in_order_and_defers_the_rest(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("p1", "p2")
    spec.add("p3", {"text": "A thread that fits.", "thread": [{"text": "Its reply."}]})
    for post_id in ("p4", "p5"):
        spec.add(post_id, {"text": f"The post {post_id}."})
    root = make_project(tmp_path / "p", spec.files)
    _use_quota(emu, "post", 247)  # 3 of 250 left: p1, p2 and p3's root
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    report = json.loads(run.stdout)
    statuses = [(p["id"], p["status"]) for p in report["posts"]]
    assert statuses == [
        ("p1", "published"),
        ("p2", "published"),
        ("p3", "published"),
        ("p4", "deferred"),
        ("p5", "deferred"),
    ]
    assert [p["params"]["text"] for p in live_posts(emu)] == [
        "The post p1.",
        "The post p2.",
        "A thread that fits.",
        "Its reply.",
    ]
    assert len(create_requests(emu)) == 4, "containers were made for deferred posts"
    state = load_state(root)["posts"]
    assert "p4" not in state and "p5" not in state

    emu.advance(dt.timedelta(hours=24, minutes=1).total_seconds())  # the window rolls on
    later = apply(root, emu)
    assert later.returncode == 0, later
    assert check_exactly_once(emu, root, spec.expected) == []


def test_quota_never_starts_a_thread_whose_replies_do_not_fit(
    emu: Emulator, tmp_path: Path
) -> None:
    spec = text_spec("p1")
    spec.add("p2", {"text": "Thread root.", "thread": [{"text": "One."}, {"text": "Two."}]})
    spec.add("p3", {"text": "After the thread."})
    root = make_project(tmp_path / "p", spec.files)
    _use_quota(emu, "reply", 999)  # 1 reply left; the thread needs 2
    run = apply(root, emu, "--json")
    assert run.returncode == 0, run
    report = json.loads(run.stdout)
    statuses = [(p["id"], p["status"]) for p in report["posts"]]
    assert statuses == [("p1", "published"), ("p2", "deferred"), ("p3", "deferred")]
    assert [p["params"]["text"] for p in live_posts(emu)] == ["The post p1."]
    assert len(publish_requests(emu)) == 1
    assert "deferred" in run_cli(root, emu, "apply", "--yes").stdout


def test_quota_refusal_at_publish_defers_instead_of_failing(emu: Emulator, tmp_path: Path) -> None:
    """Regression: a code 9 refusal marked the post failed for good (fixed in 88860a3)."""
    spec = text_spec("a", "b")
    root = make_project(tmp_path / "p", spec.files)
    _use_quota(emu, "post", 250)
    emu.add_fault(action="graph_error", method="GET", path="threads_publishing_limit",
                  every=True, code=2, status=503, times=12)  # fmt: skip
    first = apply(root, emu)
    assert live_posts(emu) == []
    statuses = {k: v["status"] for k, v in load_state(root)["posts"].items()}
    emu.clear_faults()
    emu.advance(dt.timedelta(hours=24, minutes=1).total_seconds())
    second = apply(root, emu)  # no --retry-failed: nothing was wrong with the posts
    assert "failed" not in statuses.values(), (statuses, str(first))
    assert second.returncode == 0, second
    assert check_exactly_once(emu, root, spec.expected) == []
