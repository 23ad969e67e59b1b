"""The build step's shortcut for plain-text parts gives exactly what the long way gives."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from threadsync.config import load_config
from threadsync.content import Content, building, load_project

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)

texts = st.sampled_from(
    [
        "Plain text.",
        "",
        "   ",
        "a" * 449,
        "a" * 460,
        "a" * 501,
        "bell \x07",
        "two\nlines",
        "emoji 😀",
        "{{ name }}",
        "{ not a template }",
        " ".join(f"https://{c}.x" for c in "abcdef"),
        "www.a.x www.b.x",
    ]
)
topics = st.sampled_from([None, "Topic", "", " ", "a.b", "R&D", "x" * 51, "{{ name }}"])
EXTRAS = {
    "topic": topics,
    "reply_control": st.just("mentioned_only"),
    "countries": st.just(["US"]),
    "location": st.just("123"),
    "vars": st.sampled_from([{"name": "N"}, {"post": "reserved"}]),
    "spoiler_media": st.booleans(),
    "media": st.just(["https://cdn.example/a.png"]),
    "poll": st.just(["Yes", "No"]),
    "link": st.just("https://example.org"),
    "spoilers": st.sampled_from([["Plain"], []]),
    "gif": st.just("abc123"),
    "attachment": st.just("More text."),
}


@st.composite
def parts(draw: st.DrawFn) -> dict[str, Any]:
    """Text (mostly), and none, one or two other fields: each of them on its own."""
    part: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        part["text"] = draw(texts)
    for name in draw(st.lists(st.sampled_from(sorted(EXTRAS)), max_size=2, unique=True)):
        part[name] = draw(EXTRAS[name])
    return part


posts = st.tuples(parts(), st.lists(parts(), max_size=2))
defaults = st.fixed_dictionaries(
    {},
    optional={
        "topic": st.sampled_from(["Default", "a.b"]),
        "reply_control": st.just("everyone"),
        "countries": st.just(["DE"]),
        "location": st.just("456"),
    },
)


# Each field but text, with values that pass and that fail its rules.
ALONE: dict[str, list[Any]] = {
    "topic": ["Topic", "a.b", "{{ name }}"],
    "reply_control": ["mentioned_only"],
    "countries": [["US"], ["us"]],
    "location": ["123", "x"],
    "vars": [{"name": "N"}, {"post": "reserved"}],
    "spoiler_media": [True, False],
    "media": [["https://cdn.example/a.png"]],
    "poll": [["Yes", "No"]],
    "link": ["https://example.org", "ftp://x"],
    "spoilers": [["Plain"], ["absent"]],
    "gif": ["abc123", "https://giphy.com/gifs/x"],
    "attachment": ["More text.", ""],
}


def _load(root: Path) -> Content:
    return load_project(root, load_config(None, root), now=NOW)


def _both_ways(config: dict[str, Any], posts: list[dict[str, Any]]) -> tuple[Content, Content]:
    """The project loaded with the shortcut, and without it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "threadsync.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        (root / "content").mkdir()
        for i, data in enumerate(posts):
            text = yaml.safe_dump(data, allow_unicode=True)
            (root / "content" / f"p{i}.yaml").write_text(text, encoding="utf-8")
        quick = _load(root)
        with mock.patch.object(building, "plain_part", lambda *_: None):
            slow = _load(root)
    return quick, slow


def _assert_same(quick: Content, slow: Content) -> None:
    assert [str(p) for p in quick.problems] == [str(p) for p in slow.problems]
    assert quick.posts == slow.posts
    assert [p.content_hash for p in quick.posts] == [p.content_hash for p in slow.posts]


DEFAULTS = ("topic", "reply_control", "countries", "location")


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        (name, value, where)
        for name, values in sorted(ALONE.items())
        for value in values
        for where in ("post", "thread part", "default")
        if where != "default" or name in DEFAULTS
    ],
)
def test_any_other_field_takes_the_long_way(field: str, value: Any, where: str) -> None:
    part = {"text": "Plain text."} if where == "default" else {"text": "Plain text.", field: value}
    post = part if where != "thread part" else {"text": "First.", "thread": [part]}
    config = {"defaults": {field: value}} if where == "default" else {}
    _assert_same(*_both_ways(config, [post]))


@settings(max_examples=300, deadline=None)
@given(
    defaults=defaults,
    ratio=st.sampled_from([0.5, 0.9, 1.0]),
    posts=st.lists(posts, min_size=1, max_size=3),
)
def test_the_shortcut_builds_what_the_long_way_builds(
    defaults: dict[str, Any], ratio: float, posts: list[tuple[dict[str, Any], list[Any]]]
) -> None:
    config = {"defaults": defaults, "limits": {"text_warn_ratio": ratio}, "vars": {"name": "V"}}
    files = [dict(first, thread=thread) if thread else first for first, thread in posts]
    _assert_same(*_both_ways(config, files))
