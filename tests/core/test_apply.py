"""Applier: a plan run against the in-process emulator, every step recorded in the state."""

from __future__ import annotations

import pytest

from threadsync.apply import OUTCOMES
from threadsync.plan import Action
from threadsync.refresh import refresh

from .conftest import (
    Project,
    calls,
    client,
    image_post,
    live,
    post_on_account,
    statuses,
    use_quota,
)

BAD_VIDEO = "https://example.test/v.mp4?emulator-error=INVALID_DURATION"


def test_create_replace_and_delete_publish_in_order_and_record_state(project: Project) -> None:
    project.write(
        {
            "a.yaml": "text: First\n",
            "b.yaml": "text: Edited later\non_change: replace\n",
            "c.yaml": "text: Goes away\n",
            "d.yaml": "text: Root\nthread:\n  - text: Second part\n",
        }
    )
    first = project.apply()
    assert statuses(first) == dict.fromkeys("abcd", "published")
    texts = [p["params"]["text"] for p in project.emu.posts()]
    assert texts == ["First", "Edited later", "Goes away", "Root", "Second part"]
    state = project.state()
    old_b, old_c = state.posts["b"].media_id, state.posts["c"].media_id
    root, reply = live(project.emu)["Root"], live(project.emu)["Second part"]
    assert reply["reply_to"] == root["id"]
    assert state.posts["d"].media_ids == [root["id"], reply["id"]]
    assert state.posts["a"].permalink == live(project.emu)["First"]["permalink"]

    project.write({"b.yaml": "text: Edited now\non_change: replace\n", "c.yaml": ""})
    plan = project.plan(prune=True)
    assert [(c.id, c.action) for c in plan.changes] == [("c", Action.DELETE), ("b", Action.REPLACE)]
    project.emu.clear_requests()
    second = project.apply(plan)

    assert statuses(second) == {"c": "deleted", "b": "published"}
    assert second.ok and second.data["summary"] == {
        **dict.fromkeys(OUTCOMES, 0),
        "deleted": 1,
        "published": 1,
    }
    on_account = live(project.emu)
    assert set(on_account) == {"First", "Edited now", "Root", "Second part"}
    state = project.state()
    assert "c" not in state.posts
    assert state.posts["b"].media_id == on_account["Edited now"]["id"] != old_b
    assert state.posts["b"].content_hash == project.posts()["b"].content_hash
    # The replaced post is deleted before its new text is published.
    order = [(r["method"], r["path"].split("?")[0]) for r in project.emu.requests()]
    deleted_b = order.index(("DELETE", f"/v1.0/{old_b}"))
    assert order.index(("DELETE", f"/v1.0/{old_c}")) < deleted_b
    first_publish = next(i for i, o in enumerate(order) if o[1].endswith("/threads_publish"))
    assert deleted_b < first_publish


def test_move_forget_and_adopt_change_only_the_state(project: Project) -> None:
    project.write({"d.yaml": "text: Renamed later\n", "e.yaml": "text: Forgotten later\n"})
    project.apply()
    before = project.state()
    elsewhere = post_on_account(project.emu, "Posted by hand")

    project.write({"d.yaml": "", "d2.yaml": "text: Renamed later\n", "e.yaml": ""})
    project.write({"x.yaml": "text: posted   by HAND\n"})
    with client(project.emu) as api:
        remote = refresh(api, before)
    plan = project.plan(remote=remote)
    assert {(c.id, c.action) for c in plan.changes} == {
        ("d2", Action.MOVE),
        ("e", Action.FORGET),
        ("x", Action.ADOPT),
    }
    project.emu.clear_requests()
    report = project.apply(plan)

    assert statuses(report) == {"d2": "moved", "e": "forgotten", "x": "adopted"}
    assert calls(project.emu, "POST", "/threads") == []
    assert calls(project.emu, "POST", "/threads_publish") == []
    assert calls(project.emu, "DELETE", "") == []
    state = project.state()
    assert set(state.posts) == {"d2", "x"}
    assert state.posts["d2"].media_id == before.posts["d"].media_id
    assert state.posts["d2"].path == "content/d2.yaml"
    assert "Forgotten later" in live(project.emu)  # forget leaves it on Threads
    adopted = state.posts["x"]
    assert (adopted.source, adopted.status, adopted.media_id) == ("adopt", "published", elsewhere)
    assert adopted.permalink == live(project.emu)["Posted by hand"]["permalink"]


def test_quota_publishes_what_fits_and_defers_the_rest(project: Project) -> None:
    use_quota(project.emu, "post", 249)
    project.write({"a.yaml": "text: One\n", "b.yaml": "text: Two\n", "c.yaml": "text: Three\n"})
    report = project.apply()
    assert statuses(report) == {"a": "published", "b": "deferred", "c": "deferred"}
    assert "24 h publishing quota" in report.results[1].detail
    assert report.ok  # deferring is not a failure
    assert list(live(project.emu)) == ["One"]
    assert set(project.state().posts) == {"a"}


def test_a_thread_whose_replies_do_not_fit_is_never_started(project: Project) -> None:
    use_quota(project.emu, "reply", 999)
    project.write(
        {
            "a.yaml": "text: Single\n",
            "b.yaml": "text: Root\nthread:\n  - text: Two\n  - text: Three\n",
            "c.yaml": "text: After\n",
        }
    )
    report = project.apply()
    assert statuses(report) == {"a": "published", "b": "deferred", "c": "deferred"}
    made = {c["params"].get("text") for c in project.emu.containers()}
    assert made == {"Single"}  # not even the root of b was created
    assert set(project.state().posts) == {"a"}


def test_a_deferred_replace_keeps_the_old_post(project: Project) -> None:
    project.write({"b.yaml": "text: Old text\non_change: replace\n"})
    project.apply()
    old = project.state().posts["b"].media_id
    use_quota(project.emu, "post", 249)  # with the old post's: all 250 of the 24 h quota
    project.write({"b.yaml": "text: New text\non_change: replace\n"})
    project.emu.clear_requests()
    report = project.apply()
    assert statuses(report) == {"b": "deferred"}
    assert calls(project.emu, "DELETE", "") == []
    assert list(live(project.emu)) == ["Old text"]
    assert project.state().posts["b"].media_id == old


def test_quota_read_without_reply_scope_falls_back_to_the_post_quota(project: Project) -> None:
    token = project.emu.mint_token(scopes=["threads_basic", "threads_content_publish"])
    use_quota(project.emu, "post", 250)
    project.write({"a.yaml": "text: Waits\n"})
    report = project.apply(token=token["access_token"])
    assert statuses(report) == {"a": "deferred"}
    limits = calls(project.emu, "GET", "/threads_publishing_limit")
    assert [r["params"]["fields"] for r in limits][-1] == "quota_usage,config"


def test_an_unreadable_quota_is_not_a_reason_to_stop(project: Project) -> None:
    project.emu.add_fault(action="http_error", path="threads_publishing_limit", status=400)
    project.write({"a.yaml": "text: Goes anyway\n"})
    report = project.apply()
    assert statuses(report) == {"a": "published"}
    assert any("could not read the publishing quota" in m for _, m in project.progress)


def test_a_failed_post_skips_its_dependants_and_the_rest_go_on(project: Project) -> None:
    project.write(
        {
            "a.yaml": f"text: Bad video\nmedia: [{{video: '{BAD_VIDEO}'}}]\n",
            "b.yaml": "text: Replies to a\nreply_to: a\n",
            "c.yaml": "text: Unrelated\n",
        }
    )
    report = project.apply()
    assert statuses(report) == {"a": "failed", "b": "skipped", "c": "published"}
    assert report.results[1].data == {
        "id": "b",
        "action": "create",
        "status": "skipped",
        "detail": "depends on a, which failed",
    }
    assert not report.ok
    assert list(live(project.emu)) == ["Unrelated"]
    state = project.state()
    assert state.posts["a"].status == "failed"
    assert "INVALID_DURATION" in (state.posts["a"].error or "")
    assert "b" not in state.posts


@pytest.mark.parametrize("when", ["at the start", "during the run"])
def test_an_expired_token_aborts_naming_auth_refresh(project: Project, when: str) -> None:
    token = project.emu.token
    if when == "at the start":
        token = project.emu.mint_token(age=61 * 86400)["access_token"]
    else:
        project.emu.add_fault(action="graph_error", path="threads_publishing_limit", code=190)
    project.write({"a.yaml": "text: Never\n"})
    report = project.apply(token=token)
    assert report.aborted is not None
    assert "threadsync auth refresh" in report.aborted
    assert token not in report.aborted
    assert project.emu.posts() == []


def test_a_token_without_publish_scope_aborts_naming_the_scopes(project: Project) -> None:
    token = project.emu.mint_token(scopes=["threads_basic"])["access_token"]
    project.write({"a.yaml": "text: Never\n"})
    report = project.apply(token=token)
    assert "threads_content_publish" in (report.aborted or "")
    assert project.emu.posts() == []


def test_a_rate_limited_publish_interrupts_and_stops_the_run(project: Project) -> None:
    project.with_options(rate_limit_retries=1)
    project.emu.add_fault(
        action="graph_error", method="POST", path="threads_publish$", code=4, every=True
    )
    project.write({"a.yaml": "text: Limited\n", "b.yaml": "text: Not reached\n"})
    report = project.apply()
    assert statuses(report) == {"a": "interrupted"}
    assert (report.aborted or "").startswith("stopped at a:")
    assert project.sleeps.calls == [project.options.rate_limit_delay]
    state = project.state()
    assert state.posts["a"].status == "pending"  # resumed by the next run
    assert state.posts["a"].parts[0].attempts[0].closed is None
    # b's container was made ahead and is recorded, for the next run to publish.
    assert state.posts["b"].status == "pending" and state.posts["b"].media_id is None
    assert project.emu.posts() == []


def test_media_posts_are_prepared_by_workers_once_each(project: Project) -> None:
    project.with_options(workers=3)
    images = {f"{n}.yaml": image_post(f"Image {n}", n) for n in "abc"}
    project.write({**images, "d.yaml": image_post("Reply to c", "d") + "reply_to: c\n"})
    report = project.apply()
    assert statuses(report) == dict.fromkeys("abcd", "published")
    assert len(calls(project.emu, "POST", "/threads")) == 4  # one container per post
    assert live(project.emu)["Reply to c"]["reply_to"] == live(project.emu)["Image c"]["id"]
    assert [p["params"]["text"] for p in project.emu.posts()] == [
        "Image a",
        "Image b",
        "Image c",
        "Reply to c",
    ]


def test_a_delete_of_a_post_already_gone_is_recorded_and_a_refused_one_stops(
    project: Project,
) -> None:
    project.write({"a.yaml": "text: Gone by hand\n", "b.yaml": "text: Stays\n"})
    project.apply()
    with client(project.emu) as api:
        api.delete(project.state().posts["a"].media_id or "")
    project.write({"a.yaml": ""})
    report = project.apply(project.plan(prune=True))
    assert statuses(report) == {"a": "deleted"}
    assert "a" not in project.state().posts

    stays = project.state().posts["b"].media_id
    project.emu.add_fault(action="http_error", method="DELETE", status=400, every=True)
    project.write({"b.yaml": ""})
    report = project.apply(project.plan(prune=True))
    assert f"deleting b ({stays}) failed" in (report.aborted or "")
    assert project.state().posts["b"].media_id == stays


def test_a_refused_container_fails_only_its_post(project: Project) -> None:
    project.emu.add_fault(
        action="graph_error", method="POST", path="/threads$", code=100, subcode=2207052
    )
    project.write({"a.yaml": "text: Refused\n", "b.yaml": "text: Fine\n"})
    report = project.apply()
    assert statuses(report) == {"a": "failed", "b": "published"}
    assert report.results[0].detail.startswith("Threads refused it:")
    assert project.state().posts["a"].status == "failed"


def test_a_quota_refusal_at_publish_defers_this_post_and_the_rest(project: Project) -> None:
    project.emu.add_fault(
        action="graph_error", method="POST", path="threads_publish$", code=9, every=True
    )
    project.write({"a.yaml": "text: One\n", "b.yaml": "text: Two\n"})
    report = project.apply()
    assert statuses(report) == {"a": "deferred", "b": "deferred"}
    assert project.emu.posts() == []


def test_a_server_that_keeps_failing_aborts_with_nothing_lost(project: Project) -> None:
    project.emu.add_fault(action="http_error", method="GET", path="/me$", status=503, every=True)
    project.write({"a.yaml": "text: Later\n"})
    report = project.apply()
    assert (report.aborted or "").endswith("everything done before is recorded, run apply again")
    assert project.sleeps.calls  # the client retried (with the injected sleep) first
    assert project.emu.posts() == []


def test_a_stopped_run_resumes_and_an_edit_retires_the_old_container(project: Project) -> None:
    project.with_options(rate_limit_retries=0, workers=2)
    project.emu.add_fault(
        action="graph_error", method="POST", path="threads_publish$", code=4, times=1
    )
    project.write({"a.yaml": image_post("Old a", "a"), "b.yaml": image_post("Image b", "b")})
    first = project.apply()
    assert statuses(first) == {"a": "interrupted"} and project.emu.posts() == []
    old = project.state().posts["a"].parts[0].attempts[0]
    assert old.closed is None and old.container_id is not None

    project.write({"a.yaml": image_post("New a", "a")})
    second = project.apply()
    assert statuses(second) == {"a": "published", "b": "published"}
    assert [p["params"]["text"] for p in project.emu.posts()] == ["New a", "Image b"]
    attempts = project.state().posts["a"].parts[0].attempts
    assert (attempts[0].container_id, attempts[0].closed) == (
        old.container_id,
        "superseded by an edit",
    )
    made_for_b = [c for c in project.emu.containers() if c["params"].get("text") == "Image b"]
    assert len(made_for_b) == 1  # a container the stopped run made is used, not made again


def test_a_delete_without_the_delete_scope_names_it(project: Project) -> None:
    project.write({"a.yaml": "text: Stays up\n"})
    project.apply()
    scopes = ["threads_basic", "threads_content_publish", "threads_manage_replies"]
    token = project.emu.mint_token(scopes=scopes)["access_token"]
    project.write({"a.yaml": ""})
    report = project.apply(project.plan(prune=True), token=token)
    assert "threads_delete" in (report.aborted or "")
    assert live(project.emu).keys() == {"Stays up"}
    assert project.state().posts["a"].media_id is not None


def test_a_thread_part_threads_keeps_refusing_fails_its_post_and_the_rest_go_on(
    project: Project,
) -> None:
    """A part's containers are made in the run that fails them: the refusals still count."""
    flaky = "https://example.test/v.mp4?emulator-error=FAILED_DOWNLOADING_VIDEO"
    part = f"  - text: Flaky\n    media: [{{video: '{flaky}'}}]\n"
    project.write({"a.yaml": "text: Root\nthread:\n" + part, "b.yaml": "text: After\n"})
    report = project.apply()
    assert report.aborted is None
    assert statuses(report) == {"a": "failed", "b": "published"}
    assert report.results[0].detail.startswith("gave up after 3 containers (error: FAILED_")
    attempts = project.state().posts["a"].parts[1].attempts
    assert [a.closed for a in attempts] == ["error: FAILED_DOWNLOADING_VIDEO"] * 3
