"""Post text → segments: links, mentions, tags and spoilers (UTF-16 offsets)."""

from __future__ import annotations

from threadsync.content import TextEntity
from threadsync.content.rules import spoiler_entities
from threadsync.preview.text import segments, utf16_to_index


def kinds(text: str, entities: list[TextEntity] | None = None) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments(text, entities or [])]


def test_links_mentions_and_tags_are_marked() -> None:
    got = kinds("Hi @ann_b. See www.example.org/x, and #Python! (https://a.io/b?c=d).")
    assert got == [
        ("text", "Hi "),
        ("mention", "@ann_b"),
        ("text", ". See "),
        ("link", "www.example.org/x"),
        ("text", ", and "),
        ("tag", "#Python"),
        ("text", "! ("),
        ("link", "https://a.io/b?c=d"),
        ("text", ")."),
    ]
    link = segments("go www.example.org")[1]
    assert link.href == "https://www.example.org"


def test_email_addresses_and_mentions_inside_urls_are_not_mentions() -> None:
    assert kinds("mail bob@example.com") == [("text", "mail bob@example.com")]
    assert kinds("https://threads.net/@someone/post/1") == [
        ("link", "https://threads.net/@someone/post/1")
    ]


def test_spoilers_use_utf16_offsets_after_emoji() -> None:
    text = "🎩🎩 the butler did it, 🎩 really"
    entities, missing = spoiler_entities(text, ["butler did it, 🎩"])
    assert not missing
    assert utf16_to_index(text, entities) == [(7, 23)]
    got = kinds(text, entities)
    assert got == [("text", "🎩🎩 the "), ("spoiler", "butler did it, 🎩"), ("text", " really")]


def test_a_spoiler_keeps_its_highlights_inside() -> None:
    text = "secret: ask @bob"
    entities, _ = spoiler_entities(text, ["ask @bob"])
    spoiler = segments(text, entities)[1]
    assert spoiler.kind == "spoiler"
    assert [(c.kind, c.text) for c in spoiler.children] == [("text", "ask "), ("mention", "@bob")]


def test_entities_out_of_range_are_dropped() -> None:
    assert utf16_to_index("abc", [TextEntity(offset=5, length=2)]) == []
    assert kinds("abc", [TextEntity(offset=1, length=99)]) == [("text", "a"), ("spoiler", "bc")]
