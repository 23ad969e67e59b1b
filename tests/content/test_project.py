# ruff: noqa: E501  (exact expected messages read best on one line)
"""load_project: ids, order, references, threads, defaults, hashes, media URLs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadsync.config import Config, load_config
from threadsync.content import (
    MediaUrlContext,
    Problem,
    Reference,
    TextEntity,
    load_project,
)
from threadsync.content.models import MediaItem, Part, canonical_post

from .contentkit import jpeg_bytes, load, messages, mp4_bytes, png_bytes, write

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# -- files and ids -------------------------------------------------------------------------


def test_ids_come_from_paths_without_suffix(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: A",
            "content/b.yml": "text: B",
            "content/2026/12/c.md": "C",
            "content/explicit.yaml": "id: my-id\ntext: D",
        },
    )
    assert messages(project) == []
    assert sorted(p.id for p in project.posts) == ["2026/12/c", "a", "b", "my-id"]
    assert {p.path for p in project.posts} == {
        "content/a.yaml",
        "content/b.yml",
        "content/2026/12/c.md",
        "content/explicit.yaml",
    }


def test_underscore_and_dot_names_and_media_files_are_not_posts(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/post.yaml": "text: yes",
            "content/_draft-notes.md": "not a post",
            "content/.hidden.yaml": "text: [not, a, post]",
            "content/_partials/x.yaml": "not: a post",
            "content/.git/config.yaml": "nor: this",
            "content/_media/a.png": png_bytes(),
            "content/photo.png": png_bytes(),
            "content/notes.txt": "ignored",
            "content/_vars.yaml": "x: 1",
        },
    )
    assert messages(project) == []
    assert [p.id for p in project.posts] == ["post"]


def test_content_dir_can_be_the_root(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"post.yaml": "text: A post at the root", "sub/b.md": "B"},
        config="content: .\n",
    )
    assert messages(project) == []
    assert [(p.id, p.path) for p in project.posts] == [("post", "post.yaml"), ("sub/b", "sub/b.md")]


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/launch.md": "Launch!",
            "content/launch.yaml": "text: Launch again",
            "content/other.yaml": "id: launch\ntext: And again",
        },
    )
    assert messages(project) == [
        "content/launch.yaml:1:1: duplicate id 'launch': content/launch.md has the same id "
        "(set a different id: in one of them)",
        "content/other.yaml:1:5: duplicate id 'launch': content/launch.md has the same id "
        "(set a different id: in one of them)",
    ]
    assert [p.path for p in project.posts] == ["content/launch.md"]


def test_bad_explicit_id(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "id: ' padded '\ntext: x"})
    assert messages(project) == [
        "content/a.yaml:1:5: id ' padded ' has a space; an id holds only letters, digits, "
        "'-', '_', '.' and '/'"
    ]


def test_numeric_id_is_a_string(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "id: 2026\ntext: x"})
    assert [p.id for p in project.posts] == ["2026"]


def test_missing_content_dir(tmp_path: Path) -> None:
    project = load_project(tmp_path, Config(content="nope"))
    assert messages(project) == [
        "nope:1:1: content directory 'nope' does not exist; "
        "run 'threadsync init' to start a project here"
    ]


def test_missing_content_dir_named_in_config(tmp_path: Path) -> None:
    (tmp_path / "threadsync.yaml").write_text("content: posts\n")
    project = load_project(tmp_path, load_config(None, tmp_path))
    assert messages(project) == [
        "threadsync.yaml:1:1: content directory 'posts' does not exist; "
        "create it, or set content: in threadsync.yaml"
    ]


def test_unreadable_encodings(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/bom.yaml": b"\xef\xbb\xbftext: with a BOM",
            "content/utf16.yaml": "text: UTF-16 works".encode("utf-16"),
            "content/latin1.yaml": "text: caf\xe9\n".encode("latin-1"),
            "content/nul.yaml": b"text: a\x00b\n",
            "content/nul.md": b"body with a \x00 NUL",
            "content/crlf.md": b"---\r\ntopic: News\r\n---\r\nWindows\r\nlines\r\n",
        },
    )
    assert messages(project) == [
        "content/latin1.yaml:1:10: not valid UTF-8 (byte 0xE9); save the file as UTF-8",
        "content/nul.md:1:1: text contains a control character (U+0000) at character 13",
        "content/nul.yaml:1:8: invalid character U+0000: control characters are not allowed",
    ]
    texts = {p.id: p.parts[0].text for p in project.posts}
    assert texts == {"bom": "with a BOM", "utf16": "UTF-16 works", "crlf": "Windows\nlines"}


# -- order ------------------------------------------------------------------------------------


def test_posts_are_ordered_by_publish_at_then_path(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/z-now.yaml": "text: now",
            "content/a-now.yaml": "text: now too",
            "content/2027-01-01-later.yaml": "text: later\npublish_at: 2027-01-01T00:00:00Z",
            "content/past.yaml": "text: past\npublish_at: 2026-01-01T00:00:00+02:00",
            "content/2026-12-01-launch.md": "---\npublish_at: 2026-12-01T09:00:00Z\n---\nLaunch",
            "content/b-same-time.yaml": "text: b\npublish_at: 2026-12-01T10:00:00+01:00",
        },
        now=NOW,
    )
    assert messages(project) == []
    assert [p.id for p in project.posts] == [
        "past",
        "a-now",
        "z-now",
        "2026-12-01-launch",
        "b-same-time",
        "2027-01-01-later",
    ]


def test_posts_are_ordered_by_the_instant_they_go_out_across_a_dst_change(
    tmp_path: Path,
) -> None:
    # 02:30 does not exist in Berlin on 2027-03-28 (clocks go from 02:00 to 03:00):
    # it is read as 02:30+01:00, 01:30 UTC, which is after 03:10+02:00 (01:10 UTC).
    project = load(
        tmp_path,
        {
            "content/a-gap.yaml": "text: a\npublish_at: 2027-03-28 02:30:00",
            "content/b-after.yaml": "text: b\npublish_at: 2027-03-28 03:10:00",
            "content/c-utc.yaml": "text: c\npublish_at: 2027-03-28T01:20:00Z",
        },
        config="timezone: Europe/Berlin\n",
        now=NOW,
    )
    assert messages(project) == []
    assert [p.id for p in project.posts] == ["b-after", "c-utc", "a-gap"]
    instants = [p.publish_at.astimezone(UTC) for p in project.posts if p.publish_at]
    assert instants == sorted(instants)


def test_naive_publish_at_uses_the_configured_timezone(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: x\npublish_at: 2027-07-01 09:30:00"},
        config="timezone: Europe/Berlin\n",
    )
    when = project.posts[0].publish_at
    assert when is not None
    assert when.utcoffset() == dt.timedelta(hours=2)
    assert when.astimezone(UTC) == dt.datetime(2027, 7, 1, 7, 30, tzinfo=UTC)


def test_publish_at_as_quoted_iso_string(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: x\npublish_at: '2027-07-01T09:30:00Z'",
            "content/b.yaml": "text: x\npublish_at: 'next tuesday'",
        },
    )
    assert project.posts[0].publish_at == dt.datetime(2027, 7, 1, 9, 30, tzinfo=UTC)
    assert messages(project) == [
        "content/b.yaml:2:13: publish_at 'next tuesday' is not an ISO 8601 date-time; "
        "write e.g. 2027-01-01T09:00:00+01:00"
    ]


def test_drafts_are_included_and_flagged(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: x\ndraft: true", "content/b.yaml": "text: y"},
    )
    assert [(p.id, p.draft) for p in project.posts] == [("a", True), ("b", False)]
    assert [p.id for p in project.drafts] == ["a"]
    assert [p.id for p in project.publishable()] == ["b"]


# -- parts, kinds, defaults -------------------------------------------------------------------


def test_kinds_and_thread_parts(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/t.yaml": """
                text: Root
                reply_control: mentioned_only
                thread:
                  - text: Image reply
                    media: [https://example.com/a.jpg]
                  - text: Video reply
                    media: [https://example.com/a.MOV]
                  - text: Carousel reply
                    media:
                      - https://example.com/a.png
                      - video: https://example.com/stream
                        alt: A clip
                    spoiler_media: true
            """,
        },
    )
    assert messages(project) == []
    post = project.posts[0]
    assert [p.kind for p in post.parts] == ["text", "image", "video", "carousel"]
    assert post.kind == "text"
    assert post.is_thread
    assert post.parts[0].reply_control == "mentioned_only"
    assert post.parts[1].reply_control is None
    carousel = post.parts[3]
    assert carousel.spoiler_media is True
    assert [(m.kind, m.url, m.alt, m.local_path) for m in carousel.media] == [
        ("image", "https://example.com/a.png", None, None),
        ("video", "https://example.com/stream", "A clip", None),
    ]


def test_defaults_fill_every_part(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: Root
                topic: Own topic
                thread:
                  - text: Reply
                    reply_control: everyone
            """,
            "content/b.yaml": "text: B\non_change: warn",
        },
        config="""
            defaults:
              reply_control: followers_only
              topic: Default topic
              countries: [US]
              location: "123"
              on_change: replace
        """,
    )
    assert messages(project) == []
    a, b = project.posts
    assert [(p.reply_control, p.topic, p.countries, p.location) for p in a.parts] == [
        ("followers_only", "Own topic", ["US"], "123"),
        ("everyone", "Default topic", ["US"], "123"),
    ]
    assert a.on_change == "replace"
    assert b.on_change == "warn"


def test_on_change_defaults_to_warn(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: x"})
    assert project.posts[0].on_change == "warn"


def test_spoilers_become_utf16_text_entities(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: "🎬 Twist: Bruce Willis was dead. Twist: yes"
                spoilers: [Bruce Willis was dead, "Twist", "Twist"]
            """,
        },
    )
    assert messages(project) == []
    # 🎬 is one code point but two UTF-16 code units.
    assert project.posts[0].parts[0].text_entities == [
        TextEntity(offset=3, length=5),
        TextEntity(offset=10, length=21),
        TextEntity(offset=33, length=5),
    ]


def test_text_length_warning_does_not_fail(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: " + "a" * 451})
    assert messages(project) == [
        "content/a.yaml:1:7: warning: text is 451 of 500 characters "
        "(emoji count as their UTF-8 bytes)"
    ]
    assert project.ok
    assert len(project.posts) == 1


def test_text_warn_ratio_is_configurable(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: " + "a" * 451},
        config="limits: {text_warn_ratio: 1}\n",
    )
    assert messages(project) == []


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: x\ntopic: a.b\ncountries: [ZZ]\nlocation: here",
            "content/b.yaml": "txt: x\nreply_control: nobody",
            "content/c.md": "---\npoll: [one]\n---\n",
        },
    )
    assert messages(project) == [
        "content/a.yaml:2:8: topic may not contain '.'",
        "content/a.yaml:3:13: 'ZZ' is not an ISO 3166-1 alpha-2 country code "
        "(two letters, e.g. 'US', 'GB', 'DE')",
        "content/a.yaml:4:11: location must be a Threads location id (digits), not 'here'",
        "content/b.yaml:1:1: unknown key 'txt' in a post (did you mean 'text'?)",
        "content/b.yaml:2:16: reply_control must be one of: everyone, accounts_you_follow, "
        "mentioned_only, parent_post_author_only, followers_only; got the text 'nobody'",
        "content/c.md:2:7: a poll has 2 to 4 options, not 1",
        "content/c.md:4:1: text is empty; a post without media needs text",
    ]
    assert project.posts == []
    assert not project.ok
    assert len(project.errors) == 7 and project.warnings == []


# -- references -------------------------------------------------------------------------------


def test_references_resolve(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: A",
            "content/b.yaml": "text: B\nquote: a\nreply_to: 17890012345",
            "content/c.yaml": "text: C\nquote: https://www.threads.com/@zuck/post/C8abc-_1\n"
            "reply_to: https://threads.net/@some.one/post/XyZ?igshid=1",
            "content/d.yaml": "text: D\nthread:\n  - text: D2\n    quote: c",
        },
    )
    assert messages(project) == []
    posts = project.by_id()
    assert posts["b"].quote == Reference("post", "a")
    assert posts["b"].reply_to == Reference("media_id", "17890012345")
    assert posts["c"].quote == Reference("permalink", "https://www.threads.com/@zuck/post/C8abc-_1")
    assert posts["c"].reply_to is not None and posts["c"].reply_to.kind == "permalink"
    assert posts["d"].quote is None
    assert posts["d"].parts[1].quote == Reference("post", "c")
    assert posts["b"].depends_on() == ["a"]
    assert posts["d"].depends_on() == ["c"]
    assert posts["a"].depends_on() == [] and posts["c"].depends_on() == []
    assert str(posts["b"].quote) == "a"
    # "a" refers to nothing, and the loader told it so; a copy given a reference
    # must not keep that shortcut.
    replied = dataclasses.replace(posts["a"], reply_to=Reference("post", "d"))
    assert replied.depends_on() == ["d"]


def test_unknown_reference_suggests_an_id(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/launch-day.yaml": "text: A",
            "content/b.yaml": "text: B\nquote: launch-dya",
        },
    )
    assert messages(project) == [
        "content/b.yaml:2:8: quote 'launch-dya' is not a post of this project, a Threads media "
        "id (digits) or a threads.net permalink (did you mean 'launch-day'?)"
    ]


def test_reference_to_an_invalid_post_is_not_unknown(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: 5", "content/b.yaml": "text: B\nquote: a"},
    )
    assert [p.path for p in project.problems] == ["content/a.yaml"]


def test_referencing_a_draft_is_an_error(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: A\ndraft: true",
            "content/b.yaml": "text: B\nreply_to: a",
            "content/c.yaml": "text: C\nquote: a\ndraft: true",
        },
    )
    assert messages(project) == [
        "content/b.yaml:2:11: reply_to 'a' is a draft, which is never published"
    ]


def test_reference_scheduled_later_warns(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: A\npublish_at: 2027-01-01T00:00:00Z",
            "content/b.yaml": "text: B\nquote: a",
        },
        now=NOW,
    )
    assert messages(project) == [
        "content/b.yaml:2:8: warning: quote 'a' is scheduled later than this post; "
        "this post will wait for it"
    ]
    assert [p.id for p in project.posts] == ["b", "a"]


def test_cycles_are_errors(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: A\nquote: b",
            "content/b.yaml": "text: B\nreply_to: c",
            "content/c.yaml": "text: C\nthread:\n  - text: C2\n    quote: a",
            "content/self.yaml": "text: S\nquote: self",
            "content/ok.yaml": "text: fine\nquote: a",
        },
    )
    assert messages(project) == [
        "content/a.yaml:2:8: quote makes a cycle: a → b → c → a; posts can't quote or reply "
        "to each other in a circle",
        "content/b.yaml:2:11: reply_to makes a cycle: b → c → a → b; posts can't quote or "
        "reply to each other in a circle",
        "content/c.yaml:4:12: quote makes a cycle: c → a → b → c; posts can't quote or reply "
        "to each other in a circle",
        "content/self.yaml:2:8: quote makes a cycle: self → self; posts can't quote or reply "
        "to each other in a circle",
    ]
    assert [p.id for p in project.posts] == ["ok"]


# -- content hash --------------------------------------------------------------------------


def test_content_hash_is_stable_and_ignores_id_path_and_schedule(tmp_path: Path) -> None:
    one = load(tmp_path / "one", {"content/a.yaml": "text: Hello\ntopic: News"})
    two = load(
        tmp_path / "two",
        {
            "content/renamed.md": "---\nid: other\ntopic: News\n"
            "publish_at: 2027-01-01T00:00:00Z\ndraft: true\non_change: replace\n---\nHello\n"
        },
    )
    three = load(tmp_path / "three", {"content/a.yaml": "text: Hello!\ntopic: News"})
    h1, h2, h3 = (p.posts[0].content_hash for p in (one, two, three))
    assert h1 == h2 != h3


def test_content_hash_golden_value(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: Hello\ntopic: News"})
    assert project.posts[0].content_hash == GOLDEN_HASH


GOLDEN_HASH = "5d5b6143758fca6d0047e2c19007a7eb9f28107c381bbfc330e0617a69163119"


def test_content_hash_golden_values_cover_every_field(tmp_path: Path) -> None:
    """Golden values for posts that set every hashed field, non-ASCII text and a local file.

    They were computed before the hash was made faster; any change of the
    canonical form would re-mark every published post as edited.
    """
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: Hello ‘world’ 🎩 spoiler here\nreply_control: mentioned_only\n"
            "countries: [DE, FR]\nlocation: '123'\nspoilers: [spoiler]\nreply_to: '1789'\n",
            "content/b.yaml": 'text: Two pics "quoted" \\ back\nquote: a\nmedia:\n'
            "  - image: https://x.example/1.png\n    alt: One\n  - video: https://x.example/2.mp4\n"
            "spoiler_media: true\nthread:\n  - text: poll?\n    poll: [A, B]\n    topic: T\n"
            "  - text: link https://e.org\n    link: https://e.org\n    gif: abc123\n",
            "content/c.yaml": "text: Long one\nattachment: |\n  A long text\n  on two lines\n",
            "content/d.yaml": "text: local\nmedia:\n  - image: pic.png\n    alt: A pic\n",
            "content/pic.png": png_bytes(),
        },
        config="media: {base_url: 'https://cdn.example/{path}'}\n",
        media_url_context=MediaUrlContext(repo="o/r", sha="abc"),
    )
    assert messages(project) == []
    assert {p.id: p.content_hash for p in project.posts} == {
        "a": "a283768c6e694592a5fab4b89fb9896c17eee7a1d65e7c17dd7cf4e4e9a4e68c",
        "b": "cdb47891ad443bb0ae6965df9fc0770b416e559193c7921a2f31db064b89d95d",
        "c": "55fcd8a58525b698c50fdd292197521ff5ea9d735fba8b46080dd0972b95596b",
        "d": "b7a4764bf486922dc102c95b88298715b25d3434c0d078fd0e24238aa79b4d99",
    }


def test_content_hash_covers_what_is_sent(tmp_path: Path) -> None:
    base = "text: Hi\n"
    variants = [
        "",
        "reply_control: everyone\n",
        "quote: '123'\n",
        "reply_to: '123'\n",
        "thread: [{text: more}]\n",
        "spoilers: [Hi]\n",
        "poll: [a, b]\n",
        "countries: [US]\n",
    ]
    hashes = set()
    for i, extra in enumerate(variants):
        project = load(tmp_path / str(i), {"content/a.yaml": base + extra})
        assert messages(project) == []
        hashes.add(project.posts[0].content_hash)
    assert len(hashes) == len(variants)


def test_local_media_hash_uses_file_bytes_not_url(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "content/a.yaml": "text: Pic\nmedia: [_media/p.png]",
        "content/_media/p.png": png_bytes(),
    }
    config = "media: {base_url: 'https://cdn.example/{sha}/{path}'}\n"
    one = load(tmp_path, files, config=config, media_url_context=MediaUrlContext("o/r", "sha1"))
    two = load_project(
        tmp_path, load_config(None, tmp_path), media_url_context=MediaUrlContext("o/r", "sha2")
    )
    assert one.posts[0].parts[0].media[0].url == "https://cdn.example/sha1/content/_media/p.png"
    assert two.posts[0].parts[0].media[0].url == "https://cdn.example/sha2/content/_media/p.png"
    assert one.posts[0].content_hash == two.posts[0].content_hash
    write(tmp_path, {"content/_media/p.png": png_bytes(rgb=(1, 2, 3))})
    three = load_project(tmp_path, load_config(None, tmp_path))
    assert three.posts[0].content_hash != one.posts[0].content_hash


# -- local media ------------------------------------------------------------------------------

MEDIA_CONFIG = "media: {base_url: 'https://raw.githubusercontent.com/{repo}/{sha}/{path}'}\n"


def test_local_media_urls(tmp_path: Path) -> None:
    calls = []

    def context() -> MediaUrlContext:
        calls.append(1)
        return MediaUrlContext(repo="me/site", sha="abc123")

    project = load(
        tmp_path,
        {
            "content/posts/a.yaml": """
                text: Pics
                media:
                  - image: ../_media/p.png
                    alt: P
                  - /assets/j.jpg
                  - video: clip.mp4
            """,
            "content/_media/p.png": png_bytes(40, 30),
            "assets/j.jpg": jpeg_bytes(400, 300, app1=60000),
            "content/posts/clip.mp4": mp4_bytes(),
        },
        config=MEDIA_CONFIG,
        media_url_context=context,
    )
    assert messages(project) == []
    media = project.posts[0].parts[0].media
    assert [(m.kind, m.local_path, m.url) for m in media] == [
        (
            "image",
            "content/_media/p.png",
            "https://raw.githubusercontent.com/me/site/abc123/content/_media/p.png",
        ),
        ("image", "assets/j.jpg", "https://raw.githubusercontent.com/me/site/abc123/assets/j.jpg"),
        (
            "video",
            "content/posts/clip.mp4",
            "https://raw.githubusercontent.com/me/site/abc123/content/posts/clip.mp4",
        ),
    ]
    assert all(m.sha256 and len(m.sha256) == 64 for m in media)
    assert calls == [1]  # asked once, lazily


def test_media_context_is_not_asked_without_local_media(tmp_path: Path) -> None:
    def context() -> MediaUrlContext:
        raise AssertionError("not needed")

    project = load(tmp_path, {"content/a.yaml": "text: x"}, media_url_context=context)
    assert messages(project) == []


def test_local_media_without_context_has_no_url(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: x\nmedia: [p.png]", "content/p.png": png_bytes()},
        config=MEDIA_CONFIG,
    )
    assert messages(project) == []
    item = project.posts[0].parts[0].media[0]
    assert item.url is None and item.local_path == "content/p.png"


def test_local_media_problems(tmp_path: Path) -> None:
    big = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + (100).to_bytes(4, "big") * 2
    project = load(
        tmp_path,
        {
            "content/a.yaml": """
                text: Media problems
                media:
                  - image: gif.png
                  - image: clip.mp4
                  - video: photo.png
                  - image: wide.png
                  - image: broken.png
                  - image: big.png
                  - image: ../../outside.png
                  - image: folder.png
            """,
            "content/gif.png": b"GIF89a" + b"\x00" * 20,
            "content/clip.mp4": mp4_bytes(),
            "content/photo.png": png_bytes(),
            "content/wide.png": png_bytes(1100, 100),
            "content/broken.png": b"\x89PNG\r\n\x1a\n",
            "content/big.png": big + b"\x00" * (8 * 1024 * 1024),
            "content/folder.png/x.txt": "a directory",
        },
        config=MEDIA_CONFIG,
    )
    assert messages(project) == [
        "content/a.yaml:3:5: media file content/gif.png is a GIF file; Threads accepts JPEG or "
        "PNG images and MP4 or MOV videos",
        "content/a.yaml:4:5: media file content/clip.mp4 is an MP4 video, but the post says image",
        "content/a.yaml:5:5: media file content/photo.png is a PNG image, but the post says video",
        "content/a.yaml:6:5: image content/wide.png is 1100x100, an aspect ratio over 10:1; "
        "Threads refuses it",
        "content/a.yaml:7:5: image content/broken.png is damaged: its size can't be read",
        "content/a.yaml:8:5: image content/big.png is 8.0 MB; Threads accepts at most 8 MB",
        "content/a.yaml:9:5: media path '../../outside.png' points outside the repository",
        "content/a.yaml:10:5: media file content/folder.png is a directory",
    ]


def test_local_media_needs_base_url(tmp_path: Path) -> None:
    project = load(
        tmp_path, {"content/a.md": "![A photo](p.png)\nHello", "content/p.png": png_bytes()}
    )
    assert messages(project) == [
        "content/a.md:1:1: local media file content/p.png needs media.base_url in "
        "threadsync.yaml, e.g. https://raw.githubusercontent.com/{repo}/{sha}/{path}"
    ]


def test_unknown_sha_is_an_error_when_urls_are_wanted(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {"content/a.yaml": "text: x\nmedia: [p.png]", "content/p.png": png_bytes()},
        config=MEDIA_CONFIG,
        media_url_context=MediaUrlContext(repo="o/r", sha=None),
    )
    assert messages(project) == [
        "content/a.yaml:2:9: can't build the URL of content/p.png: {sha} is unknown "
        "(set GITHUB_SHA or commit first)"
    ]


# -- API values -----------------------------------------------------------------------------


def test_problem_str_and_dict() -> None:
    error = Problem("content/a.yaml", 3, 7, "error", "media[0].alt", "too long")
    warning = Problem("content/a.yaml", 1, 1, "warning", "text", "long")
    assert str(error) == "content/a.yaml:3:7: too long"
    assert str(warning) == "content/a.yaml:1:1: warning: long"
    assert error.to_dict() == {
        "path": "content/a.yaml",
        "line": 3,
        "col": 7,
        "severity": "error",
        "field": "media[0].alt",
        "message": "too long",
    }
    assert error.is_error and not warning.is_error


def test_problem_field_breadcrumbs(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: x\nthread:\n  - text: y\n    media:\n      - image: https://e/a.png\n        alt: 5"
        },
    )
    assert [(p.field, p.message) for p in project.problems] == [
        (
            "thread[0].media[0].alt",
            "thread[0].media[0].alt must be a string, not the number 5 "
            "(put it in quotes to make it text)",
        )
    ]


def test_posts_are_frozen(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: x"})
    post = project.posts[0]
    with pytest.raises(AttributeError):
        post.id = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        post.parts[0].text = "y"  # type: ignore[misc]
    assert project.get("a") is post and project.get("zz") is None


def test_alt_text_limit_passes_at_1000(tmp_path: Path) -> None:
    ok = "x" * 1000
    project = load(
        tmp_path,
        {
            "content/a.yaml": f"text: t\nmedia:\n  - image: https://e.x/a.png\n    alt: {ok}",
            "content/b.md": f"t\n![{ok}x](https://e.x/b.png)",
        },
    )
    assert messages(project) == [
        "content/b.md:2:1: alt text is 1001 characters; Threads allows 1000"
    ]
    assert project.posts[0].parts[0].media[0].alt == ok


_opt_text = st.none() | st.text(max_size=12)
_opt_texts = st.none() | st.lists(st.text(max_size=6), max_size=4)
_media = st.builds(
    MediaItem,
    kind=st.sampled_from(["image", "video"]),
    url=_opt_text,
    alt=_opt_text,
    local_path=_opt_text,
    sha256=_opt_text,
)
_parts = st.builds(
    Part,
    kind=st.sampled_from(["text", "image", "video", "carousel"]),
    text=st.text(max_size=40),
    media=st.lists(_media, max_size=3),
    spoiler_media=st.booleans(),
    text_entities=st.lists(
        st.builds(TextEntity, offset=st.integers(0, 10**6), length=st.integers(0, 10**6)),
        max_size=3,
    ),
    poll=_opt_texts,
    link=_opt_text,
    gif=_opt_text,
    attachment=_opt_text,
    topic=_opt_text,
    quote=st.none()
    | st.builds(
        Reference, kind=st.sampled_from(["post", "media_id", "permalink"]), value=st.text()
    ),
    reply_control=_opt_text,
    countries=_opt_texts,
    location=_opt_text,
)


def _reference_data(parts: list[Part], reply_to: Reference | None) -> dict[str, object]:
    """What the hash covers, as plain data: the definition the fast text must match."""

    def media(m: MediaItem) -> dict[str, object]:
        where = {"sha256": m.sha256} if m.local_path is not None else {"url": m.url}
        return {"kind": m.kind, "alt": m.alt, **where}

    def ref(r: Reference | None) -> dict[str, str] | None:
        return {r.kind: r.value} if r is not None else None

    return {
        "v": 1,
        "reply_to": ref(reply_to),
        "parts": [
            {
                "kind": p.kind,
                "text": p.text,
                "media": [media(m) for m in p.media],
                "spoiler_media": p.spoiler_media,
                "text_entities": [
                    {"entity_type": e.entity_type, "offset": e.offset, "length": e.length}
                    for e in p.text_entities
                ],
                "poll": p.poll,
                "link": p.link,
                "gif": p.gif,
                "attachment": p.attachment,
                "topic": p.topic,
                "quote": ref(p.quote),
                "reply_control": p.reply_control,
                "countries": p.countries,
                "location": p.location,
            }
            for p in parts
        ],
    }


def test_the_hash_covers_every_field_of_a_part() -> None:
    """A field added to Part must be added to the hash (and to the reference above)."""
    names = set(Part._fields)
    values: dict[str, object] = dict.fromkeys(names)
    values |= {"kind": "text", "text": "Hi", "media": [], "text_entities": []}
    part = Part(**values)  # type: ignore[arg-type]
    covered = _reference_data([part], None)["parts"][0]  # type: ignore[index]
    assert set(covered) == names
    assert set(json.loads(canonical_post([part], None))["parts"][0]) == names


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_parts, min_size=1, max_size=3),
    st.none() | st.builds(Reference, kind=st.just("media_id"), value=st.text()),
)
def test_the_hash_text_is_canonical_json_of_every_field(
    parts: list[Part], reply_to: Reference | None
) -> None:
    """The hand-written canonical text equals json.dumps(sort_keys) of the fields it covers."""
    expected = json.dumps(
        _reference_data(parts, reply_to),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert canonical_post(parts, reply_to) == expected


def test_a_reference_to_a_file_that_fails_to_parse_gets_no_second_error(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "text: [unclosed\n",
            "content/b.yaml": "text: Quoting a\nquote: a\n",
            "content/c.yaml": "text: Quoting nothing\nquote: nope\n",
        },
    )
    found = messages(project)
    assert [m for m in found if m.startswith("content/a.yaml")]
    assert not [m for m in found if m.startswith("content/b.yaml")]
    assert [m for m in found if m.startswith("content/c.yaml") and "'nope'" in m]


# -- a crash in one step of one file ---------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        ("loader.parse_post_yaml", RecursionError(), "the file is nested too deeply to read"),
        (
            "loader._ProjectLoader.type_check",
            KeyError("x"),
            "internal error while reading this file (KeyError: 'x'); please report it",
        ),
        (
            "building.id_problem",
            ValueError("boom"),
            "internal error while reading this file (ValueError: boom); please report it",
        ),
    ],
)
def test_a_crash_on_one_file_is_reported_against_it_and_the_rest_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, error: Exception, message: str
) -> None:
    from threadsync.content import building, loader

    module, _, name = target.partition(".")
    owner: object = {"loader": loader, "building": building}[module]
    if "." in name:
        cls, name = name.split(".")
        owner = getattr(owner, cls)
    real = getattr(owner, name)

    def flaky(*args: object, **kwargs: object) -> object:
        if "bad" in repr(args) + repr(kwargs):
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    project = load(tmp_path, {"content/good.yaml": "text: x", "content/bad.yaml": "text: bad"})
    assert messages(project) == [f"content/bad.yaml:1:1: {message}"]
    assert [p.id for p in project.posts] == ["good"]
