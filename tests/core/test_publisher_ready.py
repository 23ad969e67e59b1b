"""Publishing reacts to readiness, never to a clock: polls after "not ready", settles only once.

The emulator's ``text`` processing time makes text containers late, as Meta's
sometimes are; sleeps are injected and move the emulator's clock.
"""

from __future__ import annotations

from threadsync.config import ApplyConfig
from threadsync.publisher import ApplyOptions, Ready

from .conftest import Project, Rig, calls, image_post, statuses

VIDEO = "https://example.test/{}.mp4"


def video_post(text: str, name: str) -> str:
    return f"text: {text}\nmedia: [{{video: '{VIDEO.format(name)}'}}]\n"


def test_a_late_text_container_is_published_as_soon_as_it_reads_finished(
    project: Project, rig: Rig
) -> None:
    rig.project.options = rig.publisher.options = ApplyOptions.from_config(ApplyConfig())
    project.emu.set_processing(text=0.3)
    project.write({"a.yaml": "text: Late\n"})
    media_id = rig.publish(rig.post("a"))
    (container,) = project.emu.containers()
    (post,) = project.emu.posts()
    assert post["id"] == media_id
    publishes = calls(project.emu, "POST", "/threads_publish")
    assert len(publishes) == 2  # "not ready", then published
    assert calls(project.emu, "GET", f"/{container['id']}")  # its status was read
    # Short polls only, and published within one poll of turning FINISHED.
    poll_max = rig.publisher.options.poll.maximum
    assert project.sleeps.calls and max(project.sleeps.calls) <= poll_max
    assert sum(project.sleeps.calls) <= 0.3 + poll_max
    assert post["created_at"] - container["ready_at"] <= poll_max + 0.2


def test_a_video_ready_long_before_its_turn_is_published_with_no_settle(
    project: Project, rig: Rig
) -> None:
    rig.with_options(settle_video=2.0)
    project.write({"a.yaml": video_post("Clip", "v")})
    post = rig.post("a")
    rig.publisher.start(post, 0, None, None)
    project.emu.advance(60)  # the posts before it took a minute
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready) and not ready.just_finished
    assert rig.publisher.publish(post, 0, ready) == project.emu.posts()[0]["id"]
    assert project.sleeps.calls == []


def test_a_video_seen_turning_finished_gets_the_settle(project: Project, rig: Rig) -> None:
    rig.with_options(settle_video=2.0)
    project.write({"a.yaml": video_post("Clip", "v")})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready) and ready.just_finished
    polls = list(project.sleeps.calls)
    assert polls and max(polls) <= 1.0  # 3 s of processing, polled
    rig.publisher.publish(post, 0, ready)
    assert project.sleeps.calls == [*polls, 2.0]


def test_a_reply_made_and_published_at_once_gets_its_settle(project: Project, rig: Rig) -> None:
    rig.with_options(settle_reply=0.25, settle_video=2.0)
    project.write({"a.yaml": "text: Root\nthread:\n  - text: Reply\n"})
    post = rig.post("a")
    root = rig.publish(post)
    assert project.sleeps.calls == []  # a root is no reply
    rig.publish(post, 1, reply_to=root)
    assert project.sleeps.calls == [0.25]


def container_requests(project: Project, container_id: str) -> tuple[int, int, int]:
    """(creates, status reads, publishes) of one container, from the emulator's log."""
    log = project.emu.requests()
    reads = sum(
        1 for r in log if r["method"] == "GET" and r["path"].split("?")[0].endswith(container_id)
    )
    publishes = sum(
        1
        for r in log
        if r["path"].split("?")[0].endswith("/threads_publish")
        and r["params"].get("creation_id") == container_id
    )
    return 1, reads, publishes


def test_apply_publishes_late_text_with_the_fewest_requests(project: Project) -> None:
    """Text 2 requests when it is ready by its turn; media 2 plus its polls."""
    project.emu.set_processing(text=0.3)
    # The picture's first poll takes half a second, as a real one might: time enough
    # for the worker to make the containers after it (sleeps here take no time).
    project.emu.add_fault(action="delay", delay=0.5, method="GET", path=r"/v1\.0/1789\d+$")
    project.write(
        {
            "a.yaml": image_post("First a picture", "a"),
            "b.yaml": "text: Then words\n",
            "c.yaml": "text: More words\n",
            "d.yaml": image_post("Another picture", "d"),
            "e.yaml": "text: A thread\nthread:\n  - text: Its reply\n",
        }
    )
    report = project.apply()
    assert statuses(report) == dict.fromkeys("abcde", "published")
    by_text = {c["params"]["text"]: c["id"] for c in project.emu.containers()}
    assert len(by_text) == len(project.emu.containers()) == 6  # one container per part
    # Text made ahead while the picture before it processed: create and publish.
    for text in ("Then words", "More words", "A thread"):
        assert container_requests(project, by_text[text]) == (1, 0, 1), text
    # Media: create, its polls, publish; one ready by its turn needs one read.
    _, reads, publishes = container_requests(project, by_text["First a picture"])
    assert reads >= 2 and publishes == 1
    assert container_requests(project, by_text["Another picture"]) == (1, 1, 1)
    # The reply could only be made in its turn: "not ready", polled, published.
    _, reads, publishes = container_requests(project, by_text["Its reply"])
    assert reads >= 1 and publishes == 2
    assert max(project.sleeps.calls) <= project.options.poll.maximum  # no fixed sleep
