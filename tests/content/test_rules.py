"""The Threads rules, one by one, passing and failing."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadsync.content import rules
from threadsync.content.models import Reference, TextEntity
from threadsync.content.rules import (
    check_country,
    check_gif,
    check_text_part,
    check_topic,
    classify_reference,
    country_names,
    extract_urls,
    spoiler_entities,
    threads_length,
)


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("hello", 5),
        ("héllo wörld", 11),  # accented letters count 1
        ("日本語", 3),  # so do CJK characters
        ("😀", 4),  # an emoji counts its UTF-8 bytes
        ("hi 👋", 7),
        ("❤️", 6),  # U+2764 (3 bytes) + variation selector U+FE0F (3 bytes)
        ("🇫🇷", 8),  # two regional indicators
        ("👍🏽", 8),  # emoji + skin tone modifier
        ("👨‍👩‍👧", 18),  # three emoji joined by two zero-width joiners
        ("1️⃣", 7),  # digit + VS16 + combining keycap
    ],
)
def test_threads_length(text: str, length: int) -> None:
    assert threads_length(text) == length


def test_extract_urls() -> None:
    text = (
        "See https://example.com/a, and (https://example.com/b). Also www.example.org! "
        "Again https://example.com/a and HTTP://EXAMPLE.COM/C"
    )
    assert extract_urls(text) == [
        "https://example.com/a",
        "https://example.com/b",
        "www.example.org",
        "HTTP://EXAMPLE.COM/C",
    ]
    assert extract_urls("no links here") == []


def test_spoiler_entities() -> None:
    entities, missing = spoiler_entities("a b a b", ["a", "a", "a", "b", "zz", ""])
    assert entities == [TextEntity(0, 1), TextEntity(2, 1), TextEntity(4, 1)]
    assert missing == [2, 4, 5]
    assert TextEntity(3, 2).to_dict() == {"entity_type": "SPOILER", "offset": 3, "length": 2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("intro", Reference("post", "intro")),
        ("17890012345", Reference("media_id", "17890012345")),
        (
            "https://www.threads.net/@user.name/post/Cabc_1-2",
            Reference("permalink", "https://www.threads.net/@user.name/post/Cabc_1-2"),
        ),
        (
            "https://threads.com/@u/post/X/",
            Reference("permalink", "https://threads.com/@u/post/X/"),
        ),
        ("http://www.threads.net/@u/post/X", None),
        ("https://www.threads.net/@u", None),
        ("https://twitter.com/u/status/1", None),
        ("١٢٣", None),  # non-ASCII digits are not an id
        ("unknown-id", None),
    ],
)
def test_classify_reference(value: str, expected: Reference | None) -> None:
    assert classify_reference(value, {"intro"}) == expected


def test_content_id_wins_over_media_id() -> None:
    assert classify_reference("2026", {"2026"}) == Reference("post", "2026")


def test_countries() -> None:
    names = country_names()
    assert len(names) == 249
    assert names["NO"] == "Norway" and names["GB"] == "United Kingdom"
    assert check_country("US") is None
    assert (
        check_country("us")
        == "country code 'us' must be upper case: 'US' (United States of America)"
    )
    assert (
        check_country("UK")
        == "'UK' is not an ISO 3166-1 country code; did you mean 'GB' (United Kingdom)?"
    )
    assert check_country("USA") is not None


def test_gif() -> None:
    assert check_gif("xT9IgG50Fb7Mi0prBC") is None
    assert check_gif("https://media.giphy.com/media/xT9IgG50Fb7Mi0prBC/giphy.gif") == (
        "gif must be a GIPHY id, not a URL: use 'xT9IgG50Fb7Mi0prBC'"
    )
    assert check_gif("not an id") == (
        "gif 'not an id' is not a GIPHY id (letters and digits, e.g. 'xT9IgG50Fb7Mi0prBC')"
    )


def test_topic() -> None:
    assert check_topic("Book Club") is None
    assert check_topic("x" * 50) is None
    assert check_topic("x" * 51) == "topic is 51 characters; Threads allows 50"
    assert check_topic("") == "topic is empty; give 1-50 characters or leave it out"
    assert check_topic("a.b") == "topic may not contain '.'"
    assert check_topic("R&D") == "topic may not contain '&'"


def part(**kwargs: object) -> list[tuple[tuple[str | int, ...], str, str]]:
    values: dict[str, object] = {
        "text": "Hello",
        "media_count": 0,
        "poll": None,
        "link": None,
        "gif": None,
        "attachment": None,
        "spoiler_media": False,
        "spoilers": None,
        "topic": None,
        "countries": None,
        "location": None,
        "warn_ratio": 0.9,
    }
    values.update(kwargs)
    return check_text_part(**values)  # type: ignore[arg-type]


def test_valid_parts() -> None:
    assert part() == []
    assert part(text="a" * 450) == []
    assert part(text="😀" * 125, warn_ratio=1) == []  # exactly 500
    assert part(poll=["a", "b", "c", "d"], link="https://e.x", gif="abc", topic="T") == []
    assert part(media_count=2, spoiler_media=True, text="") == []
    assert part(media_count=20) == []
    assert part(attachment="x" * 10_000) == []
    assert part(countries=["US", "CA"], location="1234") == []
    assert part(text="https://a.x https://a.x", link="https://a.x") == []


def test_text_rules() -> None:
    assert part(text="a" * 501) == [
        (
            ("text",),
            "error",
            "text is 501 characters; Threads allows 500 (emoji count as their UTF-8 bytes)",
        )
    ]
    assert part(text="a" * 451) == [
        (("text",), "warning", "text is 451 of 500 characters (emoji count as their UTF-8 bytes)")
    ]
    assert part(text="a" * 400, warn_ratio=0.5)[0][1] == "warning"
    assert part(text="  ") == [
        (("text",), "error", "text is empty; a post without media needs text")
    ]
    assert part(text="a\x07b") == [
        (("text",), "error", "text contains a control character (U+0007) at character 2")
    ]


def test_link_limit_counts_unique_urls_and_the_link() -> None:
    five = " ".join(f"https://{c}.x" for c in "abcde")
    assert part(text=five) == []
    assert part(text=five + " https://a.x") == []
    assert part(text=five, link="https://a.x") == []
    assert part(text=five, link="https://f.x") == [
        (("text",), "error", "6 different links (text and link); Threads allows 5")
    ]
    assert part(link="ftp://x") == [
        (("link",), "error", "link must be an http(s) URL, not 'ftp://x'")
    ]
    # Links without a scheme, in any case, count too.
    six = " ".join(f"{w}.{c}.x" for w, c in zip(["www", "WWW", "Www"] * 2, "abcdef", strict=True))
    assert part(text=six) == [
        (("text",), "error", "6 different links (text and link); Threads allows 5")
    ]
    assert part(text=" ".join(six.split()[:5]), link="https://f.x")[0][2].startswith("6 differ")


def test_text_only_attachments() -> None:
    assert part(media_count=1, poll=["a", "b"], link="https://x.y", gif="g", attachment="t") == [
        (("poll",), "error", "poll is only allowed on text posts (this one has media)"),
        (("link",), "error", "link is only allowed on text posts (this one has media)"),
        (("gif",), "error", "gif is only allowed on text posts (this one has media)"),
        (("attachment",), "error", "attachment is only allowed on text posts (this one has media)"),
        (("attachment",), "error", "attachment is not allowed together with a poll"),
    ]
    assert part(spoiler_media=True) == [
        (("spoiler_media",), "error", "spoiler_media needs media; this is a text post")
    ]


def test_carousel_limit() -> None:
    assert part(media_count=21) == [
        (("media",), "error", "21 media items; a carousel holds 2 to 20")
    ]


def test_poll_rules() -> None:
    assert part(poll=["a"]) == [(("poll",), "error", "a poll has 2 to 4 options, not 1")]
    assert part(poll=list("abcde")) == [(("poll",), "error", "a poll has 2 to 4 options, not 5")]
    assert part(poll=["a", " "]) == [(("poll", 1), "error", "poll option is empty")]
    assert part(poll=["a", "x" * 26]) == [
        (("poll", 1), "error", "poll option is 26 characters; the limit is 25")
    ]
    assert part(poll=["a", "x" * 25]) == []
    assert part(poll=["a", "b"], attachment="t") == [
        (("attachment",), "error", "attachment is not allowed together with a poll")
    ]


def test_attachment_rules() -> None:
    assert part(attachment="x" * 10_001) == [
        (("attachment",), "error", "attachment is 10001 characters; the limit is 10,000")
    ]
    assert part(attachment=" ") == [(("attachment",), "error", "attachment is empty")]


def test_spoiler_rules() -> None:
    assert part(text="a b", spoilers=["a", "b"]) == []
    assert part(text="abcdefghijk", spoilers=list("abcdefghijk")) == [
        (("spoilers",), "error", "11 spoilers; Threads allows 10")
    ]
    assert part(text="a", spoilers=["a", "a", "z", ""]) == [
        (("spoilers", 1), "error", "spoiler 'a' has no occurrence left that isn't already hidden"),
        (("spoilers", 2), "error", "spoiler 'z' is not in the text"),
        (("spoilers", 3), "error", "spoiler '' is empty"),
    ]


def test_other_fields() -> None:
    assert part(countries=[]) == [
        (("countries",), "error", "countries is empty; list at least one or leave it out")
    ]
    assert part(location="Berlin") == [
        (("location",), "error", "location must be a Threads location id (digits), not 'Berlin'")
    ]
    assert part(topic="a&b")[0][0] == ("topic",)
    assert part(gif="https://giphy.com/gifs/x-abc")[0][0] == ("gif",)


# Text made of what the rules look at: spaces, links, control characters, emoji.
_URLS = st.builds(
    "{}{}.x ".format,
    st.sampled_from(["https://", "http://", "www.", "WWW.", "Www.", "https://www."]),
    st.text("abc", min_size=1, max_size=3),
)
_TEXT_PIECES = st.one_of(
    st.sampled_from([*"aZ. \n\t\x1f\x07", "😀", "é", "a" * 120, "\ud800"]), _URLS
)


@settings(max_examples=500, deadline=None)
@given(
    text=st.lists(_TEXT_PIECES, max_size=12).map("".join),
    topic=st.sampled_from([None, "", " ", "Python", "a.b", "R&D", "x" * 50, "x" * 51]),
    warn_ratio=st.sampled_from([0.1, 0.5, 0.9, 1.0]),
    media_count=st.sampled_from([0, 0, 0, 1]),
    spoiler_media=st.sampled_from([False, False, True]),
    extra=st.sampled_from([{}, {}, {}, {"poll": ["a", "b"]}, {"link": "https://l.x"}]),
)
def test_the_plain_text_shortcut_agrees_with_every_rule(
    text: str,
    topic: str | None,
    warn_ratio: float,
    media_count: int,
    spoiler_media: bool,
    extra: dict[str, object],
) -> None:
    values = {
        "text": text,
        "topic": topic,
        "warn_ratio": warn_ratio,
        "media_count": media_count,
        "spoiler_media": spoiler_media,
        **extra,
    }
    quick = part(**values)
    with mock.patch.object(rules, "plain_text_ok", lambda *_: False):
        assert part(**values) == quick


@pytest.mark.parametrize("count", [4, 5, 6, 7])
@pytest.mark.parametrize("scheme", ["https://", "www.", "WWW.", "https://www."])
def test_the_plain_text_shortcut_counts_links(count: int, scheme: str) -> None:
    text = " ".join(f"{scheme}{name}.x" for name in "abcdefg"[:count])
    quick = part(text=text, topic=None)
    with mock.patch.object(rules, "plain_text_ok", lambda *_: False):
        assert part(text=text, topic=None) == quick
    assert (quick != []) == (count > rules.LINK_LIMIT)
