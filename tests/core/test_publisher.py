"""PartPublisher: one part from container to media id, exactly once, against the emulator."""

from __future__ import annotations

import json

import pytest

from threadsync.publisher import (
    NOT_READY,
    Interrupted,
    PostFailed,
    QuotaExhausted,
    Ready,
    refused_by_threads,
)

from .conftest import Project, Rig, calls, emu_now, image_post, listings

NOT_READY_FAULT = {"action": "graph_error", "code": 24, "subcode": 4279009, "status": 400}


def test_text_is_published_without_a_status_read(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Plain\n"})
    post = rig.post("a")
    media_id = rig.publish(post)
    (container,) = project.emu.containers()
    assert calls(project.emu, "GET", f"/{container['id']}") == []
    assert project.sleeps.calls == []
    part = rig.journal.part("a", 0)
    assert part.media_id == media_id == project.emu.posts()[0]["id"]
    assert part.attempts[0].closed == "published"
    assert part.permalink == project.emu.posts()[0]["permalink"]


def test_media_is_polled_until_finished(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": image_post("Pic", "a")})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready)
    polls = calls(project.emu, "GET", f"/{ready.container_id}")
    # 3 s of processing, waited for on the poll schedule (real time passing may spare the last).
    waits = project.sleeps.calls
    assert len(waits) >= 3 and waits == [0.5, 0.75, 1.0, 1.0][: len(waits)]
    assert len(polls) == len(project.sleeps.calls) + 1
    assert rig.attempts("a")[0].container_id == ready.container_id  # journalled first
    assert rig.publisher.publish(post, 0, ready) == project.emu.posts()[0]["id"]


def test_media_not_ready_is_retried_on_the_same_container(project: Project, rig: Rig) -> None:
    project.emu.add_fault(
        method="POST", path="threads_publish$", every=True, times=2, **NOT_READY_FAULT
    )
    project.write({"a.yaml": "text: Early\n"})
    media_id = rig.publish(rig.post("a"))
    publishes = calls(project.emu, "POST", "/threads_publish")
    assert len(publishes) == 3
    assert len({r["params"]["creation_id"] for r in publishes}) == 1
    (container,) = project.emu.containers()
    # Each refusal is followed by a short wait and a status read (FINISHED here: the
    # refusal is Meta's race), then a publish; the waits grow on the poll schedule.
    assert len(calls(project.emu, "GET", f"/{container['id']}")) == 2
    assert project.sleeps.calls == [0.5, 0.75]
    assert media_id == project.emu.posts()[0]["id"]


def test_media_never_ready_closes_the_container_as_a_refusal(project: Project, rig: Rig) -> None:
    project.emu.add_fault(method="POST", path="threads_publish$", every=True, **NOT_READY_FAULT)
    project.write({"a.yaml": "text: Never ready\n"})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready)
    assert rig.publisher.publish(post, 0, ready) is None
    attempt = rig.attempts("a")[0]
    assert attempt.closed == NOT_READY and refused_by_threads(attempt)
    retries = project.options.not_ready_retries
    assert len(calls(project.emu, "POST", "/threads_publish")) == 1 + retries
    assert len(calls(project.emu, "GET", f"/{ready.container_id}")) == retries
    assert max(project.sleeps.calls) <= project.options.poll.maximum


@pytest.mark.parametrize("thread", [False, True])
def test_a_lost_publish_answer_is_found_never_published_twice(
    project: Project, rig: Rig, thread: bool
) -> None:
    project.write({"a.yaml": "text: Root\nthread:\n  - text: Lost answer\n"})
    post = rig.post("a")
    index = 1 if thread else 0
    root = rig.publish(post) if thread else None
    project.emu.add_fault(action="drop_after", method="POST", path="threads_publish$")
    media_id = rig.publish(post, index, reply_to=root)
    texts = [p["params"]["text"] for p in project.emu.posts()]
    assert texts == (["Root", "Lost answer"] if thread else ["Root"])
    assert media_id == project.emu.posts()[-1]["id"]
    assert len(calls(project.emu, "POST", "/threads_publish")) == index + 1
    listing = "/replies" if thread else "/threads"
    assert len(listings(project.emu, listing)) == 1
    part = rig.journal.part("a", index)
    assert part.media_id == media_id and part.attempts[0].closed == "published"


def test_a_publish_lost_before_it_was_made_is_sent_again(project: Project, rig: Rig) -> None:
    project.emu.add_fault(action="drop_before", method="POST", path="threads_publish$")
    project.write({"a.yaml": "text: Once\n"})
    media_id = rig.publish(rig.post("a"))
    assert [p["id"] for p in project.emu.posts()] == [media_id]
    assert len(calls(project.emu, "POST", "/threads_publish")) == 2


def test_only_threads_refusals_count_toward_max_containers(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Many tries\n"})
    post = rig.post("a")
    when = emu_now(project.emu)
    for reason in ("expired", "carousel never assembled", "container not found"):
        attempt = rig.journal.open_attempt("a", 0, container_id="1", text=None, created_at=when)
        rig.journal.close_attempt("a", 0, attempt, reason)
    assert rig.publish(post) is not None  # a killed run's leftovers do not use up the budget

    project.write({"b.yaml": "text: Refused thrice\n"})
    post = rig.post("b")
    for reason in ("error: INVALID_IMAGE_FORMAT", "error: UNKNOWN", NOT_READY):
        attempt = rig.journal.open_attempt("b", 0, container_id="1", text=None, created_at=when)
        rig.journal.close_attempt("b", 0, attempt, reason)
    with pytest.raises(PostFailed, match="gave up after 3 containers"):
        rig.publish(post)
    assert [p["params"]["text"] for p in project.emu.posts()] == ["Many tries"]


def test_a_transient_container_error_gets_a_new_container(project: Project, rig: Rig) -> None:
    body = {"id": "1", "status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"}
    project.emu.add_fault(
        action="http_error", method="GET", path=r"/v1\.0/1789\d+$", status=200, body=body
    )
    project.write({"a.yaml": image_post("Flaky", "f")})
    media_id = rig.publish(rig.post("a"))
    first, second = rig.attempts("a")
    assert first.closed == "error: FAILED_DOWNLOADING_VIDEO" and refused_by_threads(first)
    assert second.closed == "published" and media_id is not None
    assert len(project.emu.containers()) == 2


def test_a_media_error_fails_the_post(project: Project, rig: Rig) -> None:
    bad = "https://example.test/v.mp4?emulator-error=INVALID_DURATION"
    project.write({"a.yaml": f"text: Bad\nmedia: [{{video: '{bad}'}}]\n"})
    with pytest.raises(PostFailed, match="INVALID_DURATION"):
        rig.publish(rig.post("a"))
    assert project.emu.posts() == []


def test_quota_exceeded_at_publish_is_quota_exhausted(project: Project, rig: Rig) -> None:
    project.emu.add_fault(action="graph_error", method="POST", path="threads_publish$", code=9)
    project.write({"a.yaml": "text: Over quota\n"})
    with pytest.raises(QuotaExhausted):
        rig.publish(rig.post("a"))
    assert rig.attempts("a")[0].closed is None  # the container is kept for the next run


def test_a_rate_limit_waits_as_long_as_threads_asks(project: Project, rig: Rig) -> None:
    project.emu.add_fault(
        action="graph_error", method="POST", path="threads_publish$", code=4, retry_after=7
    )
    project.write({"a.yaml": "text: Slow down\n"})
    assert rig.publish(rig.post("a")) is not None
    assert project.sleeps.calls == [7]


def test_a_container_still_processing_at_the_deadline_interrupts(
    project: Project, rig: Rig
) -> None:
    rig.with_options(container_timeout=1e-6)
    project.write({"a.yaml": image_post("Slow", "s")})
    with pytest.raises(Interrupted, match="run apply again to keep waiting"):
        rig.publish(rig.post("a"))
    assert rig.attempts("a")[0].closed is None  # the next run keeps waiting for it


def test_a_publish_that_never_answers_stops_after_the_retries(project: Project, rig: Rig) -> None:
    project.emu.add_fault(action="drop_before", method="POST", path="threads_publish$", every=True)
    project.write({"a.yaml": "text: No answer\n"})
    with pytest.raises(Interrupted, match="no answer to 2 publishes"):
        rig.publish(rig.post("a"))
    assert project.emu.posts() == []
    assert rig.attempts("a")[0].closed is None


def test_every_part_option_reaches_the_container(project: Project, rig: Rig) -> None:
    project.write(
        {
            "a.yaml": """
            text: Vote, then read the spoiler
            spoilers: [the spoiler]
            poll: [Yes, No]
            topic: Releases
            reply_control: accounts_you_follow
            countries: [US, DE]
            location: "110000000000001"
            """,
            "b.yaml": "text: See this\nlink: https://example.test/page\n",
        }
    )
    rig.publish(rig.post("a"))
    rig.publish(rig.post("b"))
    first, second = (c["params"] for c in project.emu.containers())
    assert json.loads(first["poll_attachment"]) == {"option_a": "Yes", "option_b": "No"}
    assert first["topic_tag"] == "Releases"
    assert first["reply_control"] == "accounts_you_follow"
    assert first["allowlisted_country_codes"] == "US,DE"
    assert first["location_id"] == "110000000000001"
    spoiler = {"entity_type": "SPOILER", "offset": 16, "length": 11}
    assert json.loads(first["text_entities"]) == [spoiler]  # "the spoiler" in the text
    assert second["link_attachment"] == "https://example.test/page"


def test_containers_closing_for_other_reasons_stop_the_run(project: Project, rig: Rig) -> None:
    rig.with_options(max_containers=2)
    expired = {"id": "1", "status": "EXPIRED"}
    project.emu.add_fault(
        action="http_error",
        method="GET",
        path=r"/v1\.0/1789\d+$",
        status=200,
        body=expired,
        every=True,
    )
    project.write({"a.yaml": image_post("Keeps expiring", "i")})
    with pytest.raises(Interrupted, match="2 containers of a closed in this run without a refusal"):
        rig.publish(rig.post("a"))
    assert [a.closed for a in rig.attempts("a")] == ["expired", "expired"]


def test_start_makes_a_container_only_once(project: Project, rig: Rig) -> None:
    project.write(
        {"a.yaml": image_post("Started early", "i", ", alt: A picture") + "spoiler_media: true\n"}
    )
    post = rig.post("a")
    rig.publisher.start(post, 0, None, None)
    rig.publisher.start(post, 0, None, None)
    (container,) = project.emu.containers()
    assert container["params"]["alt_text"] == "A picture"
    assert container["params"]["is_spoiler_media"] == "true"
    assert rig.publish(post) == project.emu.posts()[0]["id"]
    assert len(project.emu.containers()) == 1


def test_a_post_whose_link_cannot_be_read_is_still_published(project: Project, rig: Rig) -> None:
    project.emu.add_fault(
        action="graph_error", method="GET", path=r"/v1\.0/1800\d+$", code=2, every=True
    )
    project.write(
        {
            "a.yaml": "text: No link\ngif: GIPHY123\n",
            "b.yaml": "text: Long\nattachment: More text\n",
        }
    )
    assert rig.publish(rig.post("a")) is not None
    assert rig.publish(rig.post("b")) is not None
    assert rig.journal.part("a", 0).permalink is None
    gif, attachment = (c["params"] for c in project.emu.containers())
    assert "GIPHY123" in gif["gif_attachment"]
    assert "More text" in attachment["text_attachment"]
