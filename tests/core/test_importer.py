"""importer: which posts on the account are which content posts, and the state they get."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from threadsync.api.models import ThreadsMedia
from threadsync.content.models import Post
from threadsync.importer import entry_for, match_posts, match_unknown, media_count, record
from threadsync.state import PartState, PostState, State

from .conftest import load_posts

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
IMG = "{image: 'https://example.test/%s.png'}"


def media(media_id: int, text: str | None, *, minutes: int = 0, **fields: Any) -> ThreadsMedia:
    """A post as the API lists it (``minutes`` after a fixed time)."""
    when = NOW - dt.timedelta(days=1) + dt.timedelta(minutes=minutes)
    data: dict[str, Any] = {
        "id": str(media_id),
        "text": text,
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "permalink": f"https://www.threads.net/@me/post/P{media_id}",
        "media_type": "TEXT_POST",
        **fields,
    }
    if "replied_to" in data:
        data["replied_to"] = {"id": str(data["replied_to"])}
    return ThreadsMedia.model_validate(data)


def posts(tmp_path: Path, files: dict[str, str]) -> list[Post]:
    return load_posts(tmp_path, NOW, files)


def matched(result: Any) -> dict[str, list[str | None]]:
    return {m.post_id: [x.id if x else None for x in m.media] for m in result.matched}


def test_text_and_media_count_decide_a_match(tmp_path: Path) -> None:
    content = posts(
        tmp_path,
        {
            "a.yaml": "text: Hello   world\n",
            "b.yaml": f"text: Album\nmedia: [{IMG % 1}, {IMG % 2}]\n",
            "c.yaml": f"text: Picture\nmedia: [{IMG % 3}]\n",
            "d.yaml": "text: Not on the account\n",
        },
    )
    threads = [
        media(11, "HELLO WORLD"),
        media(
            12, "Album", media_type="CAROUSEL_ALBUM", children={"data": [{"id": "1"}, {"id": "2"}]}
        ),
        media(13, "Picture"),  # a text post: the media count differs
        media(14, "Picture", media_type="IMAGE"),
        media(15, "Hello world", media_type="REPOST_FACADE"),
        media(16, "Something else"),
    ]
    result = match_posts(content, State(), threads, [])
    assert matched(result) == {"a": ["11"], "b": ["12"], "c": ["14"]}
    assert result.unmatched_posts == ["d"]
    assert result.unmatched_remote == 2  # 13 and 16; a repost is never a candidate


def test_a_carousel_listed_without_children_still_matches(tmp_path: Path) -> None:
    content = posts(
        tmp_path, {"b.yaml": f"text: Album\nmedia: [{IMG % 1}, {IMG % 2}, {IMG % 3}]\n"}
    )
    bare = media(12, "Album", media_type="CAROUSEL_ALBUM")
    assert media_count(bare) == 2
    assert matched(match_unknown(content, set(), [bare], [])) == {"b": ["12"]}


def test_thread_parts_follow_replied_to(tmp_path: Path) -> None:
    content = posts(tmp_path, {"t.yaml": "text: Root\nthread:\n  - text: Two\n  - text: Three\n"})
    threads = [media(1, "Root")]
    replies = [
        media(5, "Two", replied_to=99, minutes=1),  # the same text, under another post
        media(2, "Two", replied_to=1, minutes=2),
        media(3, "Three", replied_to=2, minutes=3),
    ]
    result = match_posts(content, State(), threads, replies)
    assert matched(result) == {"t": ["1", "2", "3"]}
    assert result.matched[0].complete


def test_a_thread_missing_a_part_is_partial(tmp_path: Path) -> None:
    content = posts(tmp_path, {"t.yaml": "text: Root\nthread:\n  - text: Two\n  - text: Three\n"})
    replies = [media(3, "Three", replied_to=2)]
    result = match_unknown(content, set(), [media(1, "Root")], replies)
    assert matched(result) == {"t": ["1", None, None]}  # nothing after a missing part
    assert not result.matched[0].complete


def test_each_account_post_is_matched_once_oldest_first(tmp_path: Path) -> None:
    content = posts(
        tmp_path,
        {"a.yaml": "text: Same\n", "b.yaml": "text: Same\n", "c.yaml": "text: Same\n"},
    )
    threads = [media(22, "Same", minutes=5), media(21, "Same", minutes=1)]
    result = match_unknown(content, set(), threads, [])
    assert matched(result) == {"a": ["21"], "b": ["22"]}
    assert result.unmatched_posts == ["c"]


def test_posts_the_state_knows_are_left_out(tmp_path: Path) -> None:
    content = posts(
        tmp_path,
        {
            "known.yaml": "text: In the state\n",
            "draft.yaml": "text: A draft\ndraft: true\n",
            "new.yaml": "text: New\n",
        },
    )
    state = State(
        posts={
            "known": PostState(
                status="published", content_hash="h", parts=[PartState(media_id="7")]
            )
        }
    )
    threads = [media(7, "New"), media(8, "In the state"), media(9, "A draft"), media(10, "New")]
    result = match_posts(content, state, threads, [])
    assert matched(result) == {"new": ["10"]}  # 7 is claimed by the state's entry
    assert result.unmatched_posts == []


def test_a_reply_root_is_looked_for_among_replies(tmp_path: Path) -> None:
    content = posts(tmp_path, {"r.yaml": "text: Answer\nreply_to: '17800000000000001'\n"})
    replies = [media(4, "Answer", replied_to=17800000000000001)]
    assert matched(match_unknown(content, set(), [media(3, "Answer")], replies)) == {"r": ["4"]}


def test_exact_mode_wants_the_same_case_kind_and_chain(tmp_path: Path) -> None:
    content = posts(
        tmp_path,
        {
            "a.yaml": "text: Hello World\n",
            "c.yaml": f"text: Picture\nmedia: [{IMG % 3}]\n",
            "t.yaml": "text: Root\nthread:\n  - text: Two\n",
        },
    )
    threads = [
        media(1, "hello world"),
        media(2, "Picture", media_type="VIDEO"),
        media(3, "Root"),
    ]
    replies = [media(4, "Two")]  # Meta did not say what it replies to
    loose = match_unknown(content, set(), threads, replies)
    assert matched(loose) == {"a": ["1"], "c": ["2"], "t": ["3", "4"]}
    exact = match_unknown(content, set(), threads, replies, exact=True)
    assert matched(exact) == {"t": ["3", None]}
    assert exact.unmatched_posts == ["a", "c"]
    spaced = [media(5, "Hello   World"), media(6, "Picture", media_type="IMAGE")]
    assert matched(match_unknown(content[:2], set(), spaced, [], exact=True)) == {
        "a": ["5"],
        "c": ["6"],
    }


def test_record_writes_published_and_pending_entries(tmp_path: Path) -> None:
    content = posts(
        tmp_path,
        {
            "a.yaml": f"text: Album\nmedia: [{IMG % 1}, {IMG % 2}]\n",
            "t.yaml": "text: Root\nthread:\n  - text: Two\n",
        },
    )
    children = {"data": [{"id": "31"}, {"id": "32"}]}
    threads = [
        media(30, "Album", media_type="CAROUSEL_ALBUM", children=children),
        media(40, "Root"),
    ]
    state = State()
    result = match_posts(content, state, threads, [])
    record(state, content, result)

    album, thread = state.posts["a"], state.posts["t"]
    assert (album.status, album.source, album.path) == ("published", "import", "content/a.yaml")
    assert album.content_hash == content[0].content_hash
    assert album.parts[0].child_media_ids == ["31", "32"]
    assert album.parts[0].permalink == "https://www.threads.net/@me/post/P30"
    assert album.parts[0].published_at == NOW - dt.timedelta(days=1)
    assert thread.status == "pending"
    assert [p.media_id for p in thread.parts] == ["40", None]
    assert thread.parts[1] == PartState()

    adopted = entry_for(content[1], result.matched[1], "adopt")
    assert (adopted.source, adopted.status) == ("adopt", "pending")
