"""PartPublisher picking up what a stopped run or an edit left: open containers, half-made
carousels, containers Meta no longer reads."""

from __future__ import annotations

import datetime as dt

import pytest

from threadsync.api.types import Media, MediaType
from threadsync.content.models import Post
from threadsync.publisher import Interrupted, PostFailed, Ready, refused_by_threads
from threadsync.state import Attempt

from .conftest import IMAGE, Project, Rig, emu_now, image_post


def _half_made_carousel(rig: Rig, post: Post, items: int) -> Attempt:
    """What a run killed while a carousel's items processed leaves in the journal."""
    attempt = rig.journal.open_attempt(
        post.id, 0, container_id=None, text=post.parts[0].text, created_at=emu_now(rig.project.emu)
    )
    for item in post.parts[0].media[:items]:
        media = Media(MediaType.IMAGE, item.url or "")
        child = rig.api.create_container(media=media, is_carousel_item=True)
        rig.journal.add_child("c", attempt, child)
    return attempt


def carousel(names: str) -> str:
    """A carousel post file's text, one image per letter of ``names``."""
    return "text: Album\nmedia:\n" + "".join(f"  - image: '{IMAGE.format(n)}'\n" for n in names)


CAROUSEL = carousel("xyz")


def test_a_carousel_is_resumed_with_its_recorded_items(project: Project, rig: Rig) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    attempt = _half_made_carousel(rig, post, 2)
    kept = list(attempt.children)
    media_id = rig.publish(post)
    items = [c for c in project.emu.containers() if c["is_carousel_item"]]
    assert len(items) == 3  # only the missing item was made
    (album,) = [c for c in project.emu.containers() if c["media_type"] == "CAROUSEL"]
    assert album["children"][:2] == kept
    assert rig.attempts("c") == [attempt] and attempt.container_id == album["id"]
    assert ("c", "resuming the carousel's items") in project.progress
    assert media_id == project.emu.posts()[0]["id"]
    assert rig.journal.part("c", 0).child_media_ids  # the children's media ids


def test_a_carousel_whose_item_expired_is_made_again(project: Project, rig: Rig) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    old = _half_made_carousel(rig, post, 3)
    project.emu.advance(25 * 3600)
    media_id = rig.publish(post)
    assert old.closed == "carousel item expired" and not refused_by_threads(old)
    new = rig.attempts("c")[1]
    assert set(new.children).isdisjoint(old.children) and len(new.children) == 3
    assert media_id is not None


def test_an_unreadable_young_container_not_on_the_account_interrupts(
    project: Project, rig: Rig
) -> None:
    rig.with_options(find_retries=2)
    project.emu.add_fault(
        action="graph_error", method="GET", path=r"/v1\.0/1789\d+$", code=100, subcode=33
    )
    project.write({"a.yaml": image_post("Vanished", "v")})
    with pytest.raises(Interrupted, match="given up after 24 h"):
        rig.publish(rig.post("a"))
    assert project.sleeps.calls == [0.5]  # find_delay between the two listings


def test_an_unreadable_day_old_container_is_given_up(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Old\n"})
    post = rig.post("a")
    old = emu_now(project.emu) - dt.timedelta(hours=25)
    attempt = rig.journal.open_attempt("a", 0, container_id="1789999", text="Old", created_at=old)
    assert rig.publish(post) == project.emu.posts()[0]["id"]
    assert attempt.closed == "container not found"


def test_an_edit_supersedes_the_open_container_of_the_old_text(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Old words\n"})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready)
    project.write({"a.yaml": "text: New words\n"})
    edited = project.posts()["a"]
    rig.publisher.supersede(edited, 0)
    assert ready.attempt.closed == "superseded by an edit"
    rig.journal.begin(edited.id, edited.content_hash, edited.path, 1)
    rig.publish(edited)
    assert [p["params"]["text"] for p in project.emu.posts()] == ["New words"]


def test_an_edit_after_the_old_text_went_out_records_the_old_post(
    project: Project, rig: Rig
) -> None:
    project.write({"a.yaml": "text: Went out\n"})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready)
    published = rig.api.publish_container(ready.container_id)  # the answer never reached us
    rig.publisher.supersede(post, 0)
    assert rig.journal.part("a", 0).media_id == published
    rig.publisher.supersede(post, 0)  # a published part has nothing to retire
    assert ready.attempt.closed == "published"


def test_an_expired_container_is_closed_and_made_again(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: A day late\n"})
    post = rig.post("a")
    old = rig.api.create_container(text="A day late")
    attempt = rig.journal.open_attempt(
        "a", 0, container_id=old, text="A day late", created_at=emu_now(project.emu)
    )
    project.emu.advance(25 * 3600)
    media_id = rig.publish(post)
    assert attempt.closed == "expired" and not refused_by_threads(attempt)
    assert project.emu.posts()[0]["container_id"] != old
    assert project.emu.posts()[0]["id"] == media_id


def test_a_published_container_not_listed_yet_interrupts(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Not listed\n"})
    post = rig.post("a")
    ready = rig.publisher.prepare(post, 0, None, None)
    assert isinstance(ready, Ready)
    rig.api.publish_container(ready.container_id)
    empty = {"action": "http_error", "method": "GET", "status": 200, "body": {"data": []}}
    project.emu.add_fault(path="/threads$", every=True, **empty)
    with pytest.raises(Interrupted, match="not listed on the account yet"):
        rig.publisher.prepare(post, 0, None, None)
    with pytest.raises(Interrupted, match="not listed on the account yet"):
        rig.publisher.supersede(post, 0)
    assert ready.attempt.closed is None
    assert len(project.emu.posts()) == 1


def test_supersede_retires_what_a_killed_run_left(project: Project, rig: Rig) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    when = emu_now(project.emu)
    half = rig.journal.open_attempt("c", 0, container_id=None, text="Album", created_at=when)
    gone = rig.journal.open_attempt("c", 0, container_id="1789999", text="Album", created_at=when)
    project.emu.add_fault(
        action="graph_error", method="GET", path="/1789999$", code=100, every=True
    )
    project.emu.advance(25 * 3600)  # the unreadable container is past its lifetime
    rig.publisher.supersede(post, 0)
    assert half.closed == "carousel never assembled"
    assert gone.closed == "container not found"


def test_a_carousel_with_fewer_items_now_starts_again(project: Project, rig: Rig) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    old = _half_made_carousel(rig, post, 3)
    project.write({"c.yaml": carousel("xy")})
    shorter = project.posts()["c"]
    rig.journal.begin("c", shorter.content_hash, shorter.path, 1)
    assert rig.publish(shorter) is not None
    assert old.closed == "carousel changed"
    (album,) = [p for p in project.emu.posts() if p["media_type"] == "CAROUSEL_ALBUM"]
    assert len(album["children"]) == 2


@pytest.mark.parametrize(
    ("fault", "closed"),
    [
        ({"action": "graph_error", "code": 100}, "carousel item not found"),
        (
            {"action": "http_error", "status": 200, "body": {"id": "1", "status": "ERROR"}},
            "error: ERROR",
        ),
    ],
)
def test_a_recorded_carousel_item_that_is_unusable_is_replaced(
    project: Project, rig: Rig, fault: dict[str, object], closed: str
) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    old = _half_made_carousel(rig, post, 1)
    project.emu.add_fault(method="GET", path=f"/{old.children[0]}$", **fault)
    assert rig.publish(post) is not None
    assert old.closed == closed
    assert rig.attempts("c")[1].closed == "published"


@pytest.mark.parametrize(
    ("message", "raised"),
    [("INVALID_IMAGE_FORMAT", PostFailed), ("FAILED_DOWNLOADING_VIDEO", Interrupted)],
)
def test_a_carousel_item_that_fails_processing(
    project: Project, rig: Rig, message: str, raised: type[Exception]
) -> None:
    bad = f"https://example.test/b.png?emulator-error={message}"
    items = f"  - image: '{IMAGE.format('ok')}'\n  - image: '{bad}'\n"
    project.write({"c.yaml": "text: Album\nmedia:\n" + items})
    with pytest.raises(raised, match=message):
        rig.publish(rig.post("c"))
    assert rig.attempts("c")[0].closed == f"error: {message}"
    assert project.emu.posts() == []


def _published_but_unreadable(project: Project, rig: Rig, text: str) -> tuple[Attempt, str]:
    """A container published by a run whose answer was lost, whose status Meta won't read."""
    container = rig.api.create_container(text=text)
    attempt = rig.journal.open_attempt(
        "a", 0, container_id=container, text=text, created_at=emu_now(project.emu)
    )
    media_id = rig.api.publish_container(container)
    project.emu.add_fault(
        action="graph_error", method="GET", path=f"/{container}$", code=100, every=True
    )
    return attempt, media_id


def test_an_unreadable_container_that_was_published_is_found(project: Project, rig: Rig) -> None:
    project.write({"a.yaml": "text: Out already\n"})
    post = rig.post("a")
    attempt, media_id = _published_but_unreadable(project, rig, "Out already")
    assert rig.publish(post) == media_id
    assert attempt.closed == "published"
    assert len(project.emu.containers()) == 1


def test_supersede_records_an_unreadable_container_that_went_out(
    project: Project, rig: Rig
) -> None:
    project.write({"a.yaml": "text: Went out\n"})
    post = rig.post("a")
    attempt, media_id = _published_but_unreadable(project, rig, "Went out")
    rig.publisher.supersede(post, 0)
    assert rig.journal.part("a", 0).media_id == media_id and attempt.closed == "published"


def test_a_carousel_item_that_expires_while_waited_for(project: Project, rig: Rig) -> None:
    project.write({"c.yaml": CAROUSEL})
    post = rig.post("c")
    expired = {"id": "1", "status": "EXPIRED"}
    project.emu.add_fault(
        action="http_error", method="GET", path=r"/v1\.0/1789\d+$", status=200, body=expired
    )
    with pytest.raises(Interrupted, match="a carousel item expired; run apply again"):
        rig.publish(post)
    assert rig.attempts("c")[0].closed == "carousel item expired"


def test_a_carousel_item_still_processing_at_the_deadline(project: Project, rig: Rig) -> None:
    rig.with_options(container_timeout=1e-6)
    project.write({"c.yaml": CAROUSEL})
    with pytest.raises(Interrupted, match="run apply again"):
        rig.publish(rig.post("c"))
    assert rig.attempts("c")[0].closed is None and len(rig.attempts("c")[0].children) == 3
