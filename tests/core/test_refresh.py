"""refresh: what plan learns from the API (drift, adoptable posts, quota, token expiry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from threadsync.api import API
from threadsync.api.types import Media, MediaType
from threadsync.diff import make_plan
from threadsync.emulator import Emulator
from threadsync.refresh import quota_notices, refresh, root_keys, token_notices
from threadsync.state import PartState, PostState, PostStatus, State

from .conftest import client, emu_now, load_posts, post_on_account, use_quota


@pytest.fixture
def api(emu: Emulator) -> Iterator[API]:
    with client(emu) as made:
        yield made


def published(*media_ids: str | None, status: PostStatus = "published") -> PostState:
    return PostState(
        status=status,
        content_hash="h",
        parts=[PartState(media_id=m) for m in media_ids],
    )


def test_refresh_finds_recorded_posts_that_are_gone(emu: Emulator, api: API) -> None:
    kept, deleted = post_on_account(emu, "Still here"), post_on_account(emu, "Deleted by hand")
    api.delete(deleted)
    state = State(
        posts={
            "kept": published(kept),
            "deleted": published(deleted),
            "never": published("18000000000999999"),
            "half": published(None, status="pending"),
            "empty": published(),
            "failed": published("18000000000999998", status="failed"),
        }
    )
    remote = refresh(api, state)
    assert remote.missing_media_ids == {deleted, "18000000000999999"}
    asked = [r["path"].split("?")[0] for r in emu.requests() if r["method"] == "GET"]
    assert "/v1.0/18000000000999998" not in asked  # only published posts are checked


def test_refresh_keys_the_account_posts_no_entry_claims(emu: Emulator, api: API) -> None:
    known = post_on_account(emu, "Known already")
    plain = post_on_account(emu, "Hello   World")
    image = api.create_container(
        text="With a picture", media=Media(MediaType.IMAGE, "https://example.test/p.png")
    )
    emu.advance(60)
    pic = api.publish_container(image)
    items = [
        api.create_container(
            media=Media(MediaType.IMAGE, f"https://example.test/{n}.png"), is_carousel_item=True
        )
        for n in "xy"
    ]
    emu.advance(60)
    carousel = api.create_carousel_container(items, text="Two pictures")
    textless = api.create_container(media=Media(MediaType.IMAGE, "https://example.test/q.png"))
    emu.advance(60)
    album = api.publish_container(carousel)
    api.publish_container(textless)
    api.repost(plain)
    remote = refresh(api, State(posts={"k": published(known)}))
    assert dict(remote.by_key) == {
        ("hello world", 0): plain,
        ("with a picture", 1): pic,
        ("two pictures", 2): album,
    }
    assert remote.missing_media_ids == frozenset()


def test_root_keys_are_the_roots_text_and_media_count(tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)
    posts = load_posts(
        tmp_path,
        now,
        {
            "a.yaml": "text: Hello  WORLD\nthread:\n  - text: ignored\n",
            "b.yaml": "text: Two\nmedia: [{image: 'https://example.test/1.png'},"
            " {image: 'https://example.test/2.png'}]\n",
        },
    )
    assert root_keys(posts) == {"a": ("hello world", 0), "b": ("two", 2)}


THREE = {"a.yaml": "text: One\n", "b.yaml": "text: Two\n", "c.yaml": "text: Three\n"}


def test_quota_notices_say_when_the_posts_do_not_fit(
    emu: Emulator, api: API, tmp_path: Path
) -> None:
    posts = load_posts(tmp_path, emu_now(emu), THREE)
    plan = make_plan(posts, State(), emu_now(emu))
    assert quota_notices(api, plan, posts, State()) == []
    use_quota(emu, "post", 248)
    (notice,) = quota_notices(api, plan, posts, State())
    assert notice.id is None
    assert notice.message == (
        "the plan publishes 3 posts but only 2 remain in the 24 h quota; apply publishes "
        "what fits and defers the rest"
    )


def test_quota_notices_count_only_the_replies_still_to_publish(
    emu: Emulator, api: API, tmp_path: Path
) -> None:
    files = {"t.yaml": "text: Root\nthread:\n  - text: Two\n  - text: Three\n  - text: Four\n"}
    posts = load_posts(tmp_path, emu_now(emu), files)
    use_quota(emu, "reply", 998)
    plan = make_plan(posts, State(), emu_now(emu))
    (notice,) = quota_notices(api, plan, posts, State())
    assert "publishes 3 replies but only 2 remain in the 24 h reply quota" in notice.message
    # Two parts already out: the root and one reply; two replies remain, and they fit.
    half = published("18000000000000001", "18000000000000002", None, None, status="pending")
    half.content_hash = posts[0].content_hash
    state = State(posts={"t": half})
    resumed = make_plan(posts, state, emu_now(emu))
    assert [c.id for c in resumed.to_publish()] == ["t"]
    assert quota_notices(api, resumed, posts, state) == []


def test_an_unreadable_quota_is_a_notice(emu: Emulator, api: API, tmp_path: Path) -> None:
    emu.add_fault(action="graph_error", path="threads_publishing_limit", code=10)
    posts = load_posts(tmp_path, emu_now(emu), THREE)
    plan = make_plan(posts, State(), emu_now(emu))
    (notice,) = quota_notices(api, plan, posts, State())
    assert notice.message.startswith("could not read the publishing quota: ")


def test_token_notices(emu: Emulator, api: API) -> None:
    expires = api.get_token_info().expires_at
    assert expires is not None
    assert token_notices(api, expires - dt.timedelta(days=30)) == []
    (soon,) = token_notices(api, expires - dt.timedelta(days=3, hours=1))
    assert soon.message == (
        f"the access token expires in 3 day(s) ({expires:%Y-%m-%d}); run 'threadsync auth refresh'"
    )
    (gone,) = token_notices(api, expires + dt.timedelta(seconds=1))
    assert "has expired; run 'threadsync auth refresh'" in gone.message
    assert token_notices(api, expires - dt.timedelta(days=20), days=30) != []


def test_no_token_notice_when_the_token_cannot_be_read(emu: Emulator, api: API) -> None:
    emu.add_fault(action="graph_error", path="debug_token", code=190)
    assert token_notices(api, emu_now(emu)) == []


def test_no_token_notice_for_a_token_that_never_expires(emu: Emulator, api: API) -> None:
    body = {"data": {"is_valid": True, "type": "USER"}}
    emu.add_fault(action="http_error", path="debug_token", status=200, body=body)
    assert token_notices(api, emu_now(emu)) == []
