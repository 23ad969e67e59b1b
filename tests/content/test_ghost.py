"""``ghost: true``: a text post Threads archives after 24 hours (ref §3 ``is_ghost_post``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadsync.content.models import Part, canonical_post
from threadsync.content.rules import GHOST_EXCLUDES

from .contentkit import load, messages


def test_ghost_in_yaml_and_markdown_front_matter(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        {
            "content/a.yaml": "ghost: true\ntext: Boo, gone tomorrow\nspoilers: [gone]\n",
            "content/b.md": "---\nghost: true\nreply_control: mentioned_only\n---\nBoo\n",
            "content/c.yaml": "text: Stays\n",
        },
    )
    assert messages(project) == []
    assert {p.id: p.ghost for p in project.posts} == {"a": True, "b": True, "c": False}
    a = project.posts[0]
    assert [(e.offset, e.length) for e in a.parts[0].text_entities] == [(5, 4)]


def test_flipping_ghost_is_an_edit_and_other_hashes_stay(tmp_path: Path) -> None:
    ghost = load(tmp_path / "g", {"content/a.yaml": "ghost: true\ntext: Hello\ntopic: News\n"})
    assert [str(p) for p in ghost.problems] == [
        "content/a.yaml:3:1: topic: a ghost post (ghost: true) is text with spoilers only; "
        "remove topic, or ghost"
    ]
    ghost = load(tmp_path / "h", {"content/a.yaml": "ghost: true\ntext: Hello\n"})
    plain = load(tmp_path / "p", {"content/a.yaml": "text: Hello\n"})
    explicit = load(tmp_path / "e", {"content/a.yaml": "ghost: false\ntext: Hello\n"})
    assert ghost.posts[0].content_hash != plain.posts[0].content_hash
    # ``ghost: false`` is the default: the hash every state file already records.
    assert explicit.posts[0].content_hash == plain.posts[0].content_hash


BANNED = {
    "reply_to": "reply_to: '17890000000000001'",
    "thread": "thread: [{text: more}]",
    "media": "media: ['https://e.example/a.png']",
    "spoiler_media": "spoiler_media: true",
    "poll": "poll: [A, B]",
    "link": "link: https://e.example",
    "gif": "gif: abc123",
    "attachment": "attachment: Long text",
    "quote": "quote: '17890000000000001'",
    "topic": "topic: News",
    "countries": "countries: [US]",
    "location": "location: '110000000000001'",
}


def test_every_excluded_field_is_named() -> None:
    assert set(BANNED) == set(GHOST_EXCLUDES)


@pytest.mark.parametrize("name", sorted(BANNED))
def test_a_ghost_post_is_text_with_spoilers_only(tmp_path: Path, name: str) -> None:
    project = load(tmp_path, {"content/a.yaml": f"ghost: true\ntext: Boo\n{BANNED[name]}\n"})
    found = [m for m in messages(project) if "ghost" in m]
    assert found == [
        f"content/a.yaml:3:1: {name}: a ghost post (ghost: true) is text with spoilers only; "
        f"remove {name}, or ghost"
    ]
    assert project.posts == []


def test_the_same_fields_are_fine_without_ghost(tmp_path: Path) -> None:
    project = load(tmp_path, {"content/a.yaml": "text: Boo\ntopic: News\ncountries: [US]\n"})
    assert messages(project) == []


def test_config_defaults_do_not_make_a_ghost_post_invalid(tmp_path: Path) -> None:
    """Defaults are for every post; a ghost post can't carry them, so it goes without."""
    project = load(
        tmp_path,
        {"content/a.yaml": "ghost: true\ntext: Boo\n", "content/b.yaml": "text: Normal\n"},
        config="defaults: {topic: News, countries: [US], location: '110000000000001', "
        "reply_control: mentioned_only}\n",
    )
    assert messages(project) == []
    a, b = project.posts
    assert (a.parts[0].topic, a.parts[0].countries, a.parts[0].location) == (None, None, None)
    assert a.parts[0].reply_control == "mentioned_only"
    assert (b.parts[0].topic, b.parts[0].countries) == ("News", ["US"])


def test_the_ghost_flag_is_canonical_json_and_absent_when_false() -> None:
    part = Part(
        **dict.fromkeys(Part._fields)  # type: ignore[arg-type]
        | {"kind": "text", "text": "Boo", "media": [], "text_entities": []}
    )
    plain = json.loads(canonical_post([part], None))
    assert "ghost" not in plain
    ghost = canonical_post([part], None, ghost=True)
    assert ghost == json.dumps(
        {**plain, "ghost": True}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
