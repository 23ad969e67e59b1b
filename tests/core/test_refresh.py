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
from threadsync.refresh import listing_since, quota_notices, refresh, root_keys, token_notices
from threadsync.state import PartState, PostState, PostStatus, State

from .conftest import (
    calls,
    client,
    emu_now,
    listings,
    load_posts,
    post_on_account,
    seed_posts,
    use_quota,
)


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
    assert listings(emu, "/replies") == []  # every recorded post was among the threads


def at(when: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(when, dt.timezone.utc)


def recorded(media_id: str, when: float) -> PostState:
    return PostState(
        status="published",
        content_hash="h",
        parts=[PartState(media_id=media_id, published_at=at(when))],
    )


def test_refresh_reads_the_account_by_pages_not_one_request_a_post(emu: Emulator, api: API) -> None:
    seeded = seed_posts(emu, 250)
    api.delete(seeded[7][0])
    state = State(posts={f"p{i}": recorded(m, when) for i, (m, when) in enumerate(seeded)})
    emu.clear_requests()
    remote = refresh(api, state)
    assert remote.missing_media_ids == {seeded[7][0]}
    pages = calls(emu, "GET", "/threads")
    assert len(pages) == 4  # 100 + 100 + 50, and the empty page that ends the list
    first = pages[0]["params"]
    assert first["limit"] == "100"
    assert int(first["since"]) == int(seeded[0][1] - dt.timedelta(days=1).total_seconds())
    # One read by id: the post no listing showed, before it counts as gone.
    by_id = [r for r in emu.requests() if r["path"].split("?")[0].endswith(seeded[7][0])]
    assert len(by_id) == 1
    # The one root the threads lacked is looked for among the replies (it could be a
    # reply to another account's post): one more page.
    assert len(listings(emu, "/replies")) == 1
    assert len(emu.requests()) == 6


def test_refresh_finds_a_deleted_thread_part_among_the_replies(emu: Emulator, api: API) -> None:
    root = post_on_account(emu, "A thread")
    parts = []
    for text in ("Part two", "Part three"):
        container = api.create_container(text=text, reply_to_id=parts[-1] if parts else root)
        parts.append(api.publish_container(container))
    api.delete(parts[1])
    now = emu.now()
    entry = PostState(
        status="published",
        content_hash="h",
        parts=[PartState(media_id=m, published_at=at(now)) for m in (root, *parts)],
    )
    emu.clear_requests()
    remote = refresh(api, State(posts={"t": entry}))
    assert remote.missing_media_ids == {parts[1]}
    assert len(listings(emu, "/replies")) == 1  # read once, for the parts


def test_refresh_without_the_replies_scope_asks_for_the_rest_by_id(
    emu: Emulator, tmp_path: Path
) -> None:
    root = post_on_account(emu, "A thread")
    with client(emu) as api:
        reply = api.publish_container(api.create_container(text="Reply", reply_to_id=root))
    token = emu.mint_token(scopes=["threads_basic", "threads_content_publish"])["access_token"]
    entry = PostState(
        status="published",
        content_hash="h",
        parts=[PartState(media_id=m, published_at=at(emu.now())) for m in (root, reply)],
    )
    with client(emu, token=token) as limited:
        remote = refresh(limited, State(posts={"t": entry}))
    assert remote.missing_media_ids == frozenset()


def test_listing_since_is_a_day_before_the_oldest_recorded_post() -> None:
    old, new = 1_760_000_000.0, 1_770_000_000.0
    state = State(posts={"a": recorded("1", new), "b": recorded("2", old)})
    assert listing_since(state) == at(old) - dt.timedelta(days=1)
    assert listing_since(State()) is None  # nothing recorded: the whole account
    state.posts["c"] = published("3")  # a post recorded without a time could be anywhere
    assert listing_since(state) is None
    assert listing_since(State(posts={"a": recorded("1", 1_688_540_400.0)})) is None


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
