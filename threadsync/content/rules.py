"""The rules Threads enforces on a post, checked offline.

Each check returns ``(loc, severity, message)`` tuples, ``loc`` relative to the
part.  The numbers come from Meta's Threads API documentation on publishing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from threadsync.content.models import Reference, TextEntity

TEXT_LIMIT = 500
LINK_LIMIT = 5
CAROUSEL_MAX = 20
ALT_LIMIT = 1000
POLL_OPTION_LIMIT = 25
ATTACHMENT_LIMIT = 10_000
TOPIC_LIMIT = 50
SPOILER_LIMIT = 10

Issue = tuple[tuple[str | int, ...], str, str]  # (loc, severity, message)

# Characters counted as their UTF-8 bytes: pictographic symbols (emoji and
# the symbol blocks they come from) and the invisible parts of emoji sequences
# (zero-width joiner, variation selectors, keycap, tags).  The set is a little
# wider than Unicode's emoji list on purpose: counting too much only warns early.
_EMOJI = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328"
    "\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d"
    "\u3297\u3299\u200d\u20e3\ufe0e\ufe0f\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)


def threads_length(text: str) -> int:
    """The length Threads counts for ``text``.

    Every character (Unicode code point) counts 1, except emoji, which Meta's
    docs say "are counted as the number of UTF-8 bytes": an emoji code point
    counts its UTF-8 length (2-4), and so do the joiners and variation selectors
    inside emoji sequences.  So ``"hi"`` is 2, ``"😀"`` is 4, ``"❤️"`` (U+2764
    U+FE0F) is 6, and a flag such as ``"🇫🇷"`` is 8.
    """
    if text.isascii():
        return len(text)
    extra = 0
    for ch in _EMOJI.findall(text):
        extra += len(ch.encode("utf-8")) - 1
    return len(text) + extra


_URL = re.compile(r"(?i)(?:https?://|www\.)[^\s<>\"'`]+")
_URL_BODY = re.compile(r"[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\"*_"


def _url_starts(scan: str) -> list[int]:
    """Where ``http://``, ``https://`` and ``www.`` begin in lower-cased ``scan``."""
    starts: list[int] = []
    i = scan.find("://")
    while i >= 0:
        if i >= 5 and scan.startswith("https", i - 5):
            starts.append(i - 5)
        elif i >= 4 and scan.startswith("http", i - 4):
            starts.append(i - 4)
        i = scan.find("://", i + 3)
    i = scan.find("www.")
    while i >= 0:
        starts.append(i)
        i = scan.find("www.", i + 4)
    starts.sort()
    return starts


def extract_urls(text: str) -> list[str]:
    """URLs in ``text`` as Threads would link them: ``http(s)://...`` or ``www....``.

    A URL starts a word (``xhttp://`` and ``a@www.b`` are not URLs), trailing
    punctuation is not part of it, and each URL is listed once, in order.
    """
    spans: list[tuple[int, int]] = []
    if text.isascii():
        scan = text.lower()  # same length, so positions hold for ``text``
        if "://" not in scan and "www." not in scan:
            return []
        end = 0
        for start in _url_starts(scan):
            if start < end:
                continue  # inside the URL before (https://www.…)
            m = _URL_BODY.match(scan, start)
            if m is not None:
                end = m.end()
                spans.append((start, end))
    else:
        spans = [m.span() for m in _URL.finditer(text)]
    seen: list[str] = []
    for start, stop in spans:
        if start and (text[start - 1].isalnum() or text[start - 1] in "@._"):
            continue
        url = text[start:stop].rstrip(_TRAILING)
        if url and not url.endswith("://") and url not in seen:
            seen.append(url)
    return seen


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def spoiler_entities(text: str, spoilers: list[str]) -> tuple[list[TextEntity], list[int]]:
    """Text entities for ``spoilers``; returns (entities, indexes not found).

    Each spoiler hides its first occurrence that does not overlap one already
    hidden, so listing the same words twice hides two occurrences.
    """
    taken: list[tuple[int, int]] = []
    missing: list[int] = []
    for i, s in enumerate(spoilers):
        start = 0
        found = -1
        while s:
            pos = text.find(s, start)
            if pos < 0:
                break
            end = pos + len(s)
            if all(end <= a or pos >= b for a, b in taken):
                found = pos
                break
            start = pos + 1
        if found < 0:
            missing.append(i)
        else:
            taken.append((found, found + len(s)))
    entities = [
        TextEntity(offset=utf16_len(text[:a]), length=utf16_len(text[a:b]))
        for a, b in sorted(taken)
    ]
    return entities, missing


PERMALINK = re.compile(
    r"^https://(?:www\.)?threads\.(?:net|com)/@[A-Za-z0-9._]+/post/[A-Za-z0-9_-]+/?(?:\?[^\s#]*)?$"
)


def classify_reference(value: str, content_ids: set[str] | dict[str, object]) -> Reference | None:
    """What ``value`` (of ``quote:``/``reply_to:``) names, or ``None`` if nothing valid.

    A content id wins over a Threads id of the same spelling.
    """
    if value in content_ids:
        return Reference("post", value)
    if value.isascii() and value.isdigit():
        return Reference("media_id", value)
    if PERMALINK.match(value):
        return Reference("permalink", value)
    return None


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → short name, from the package's ``data/countries.yaml``."""
    from importlib import resources  # here: only a post with countries needs it

    from threadsync.content.yamlsrc import parse_yaml

    text = resources.files("threadsync.content").joinpath("data/countries.yaml").read_text("utf-8")
    data = parse_yaml(text).data
    return {str(k): str(v) for k, v in data.items()}


_COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB"}


def check_country(code: str) -> str | None:
    """An error message for a bad country code, or ``None``."""
    names = country_names()
    if code in names:
        return None
    upper = code.upper()
    if upper in names:
        return f"country code {code!r} must be upper case: {upper!r} ({names[upper]})"
    if upper in _COUNTRY_HINTS:
        right = _COUNTRY_HINTS[upper]
        return (
            f"{code!r} is not an ISO 3166-1 country code; did you mean {right!r} ({names[right]})?"
        )
    return (
        f"{code!r} is not an ISO 3166-1 alpha-2 country code (two letters, e.g. 'US', 'GB', 'DE')"
    )


_GIPHY_ID = re.compile(r"^[A-Za-z0-9]+$")
_GIPHY_URL = re.compile(
    r"giphy\.com/(?:gifs/(?:[^/?#]*-)?|media/(?:v1\.[^/]+/)?|embed/)([A-Za-z0-9]+)"
)


def check_gif(gif: str) -> str | None:
    if _GIPHY_ID.match(gif):
        return None
    m = _GIPHY_URL.search(gif)
    if m:
        return f"gif must be a GIPHY id, not a URL: use {m.group(1)!r}"
    return f"gif {gif!r} is not a GIPHY id (letters and digits, e.g. 'xT9IgG50Fb7Mi0prBC')"


def check_topic(topic: str) -> str | None:
    n = len(topic)
    if n < 1 or not topic.strip():
        return "topic is empty; give 1-50 characters or leave it out"
    if n > TOPIC_LIMIT:
        return f"topic is {n} characters; Threads allows {TOPIC_LIMIT}"
    bad = [c for c in "&." if c in topic]
    if bad:
        return f"topic may not contain {' or '.join(repr(c) for c in bad)}"
    return None


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_character(text: str) -> str | None:
    """A message if ``text`` holds a control character or a lone surrogate."""
    m = _BAD_CHARS.search(text)
    if m is None:
        return None
    ch = m.group(0)
    what = "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a control character"
    return f"contains {what} (U+{ord(ch):04X}) at character {m.start() + 1}"


def plain_text_ok(text: str, warn_at: float) -> bool:
    """ASCII text no rule objects to: no control character, not empty, under
    ``warn_at`` characters (at most the limit), too few ``://`` and ``www.`` to
    reach the link limit."""
    return (
        text.isascii()
        and (text.isprintable() or _BAD_CHARS.search(text) is None)
        and len(text) <= warn_at
        and not text.isspace()
        and text != ""
        and text.count("://") + text.lower().count("www.") <= LINK_LIMIT
    )


def topic_ok(topic: str) -> bool:
    """A topic no rule objects to."""
    return (
        0 < len(topic) <= TOPIC_LIMIT
        and "." not in topic
        and "&" not in topic
        and not topic.isspace()
    )


def check_text_part(
    *,
    text: str,
    media_count: int,
    poll: list[str] | None,
    link: str | None,
    gif: str | None,
    attachment: str | None,
    spoiler_media: bool,
    spoilers: list[str] | None,
    topic: str | None,
    countries: list[str] | None,
    location: str | None,
    warn_ratio: float,
) -> list[Issue]:
    """Every per-part rule except media files and references."""
    if (
        media_count == 0
        and poll is None
        and link is None
        and gif is None
        and attachment is None
        and spoilers is None
        and countries is None
        and location is None
        and not spoiler_media
        and plain_text_ok(text, TEXT_LIMIT * min(warn_ratio, 1.0))
        and (topic is None or topic_ok(topic))
    ):
        return []  # most parts: plain text and nothing else set, which no rule objects to
    issues: list[Issue] = []
    if not (text.isascii() and text.isprintable()) and _BAD_CHARS.search(text):
        issues.append((("text",), "error", f"text {bad_character(text)}"))
    if attachment is not None or link is not None:
        for name, value in (("attachment", attachment), ("link", link)):
            if value and _BAD_CHARS.search(value):
                issues.append(((name,), "error", f"{name} {bad_character(value)}"))
    n = len(text) if text.isascii() else threads_length(text)
    if n > TEXT_LIMIT:
        issues.append(
            (
                ("text",),
                "error",
                f"text is {n} characters; Threads allows {TEXT_LIMIT} "
                "(emoji count as their UTF-8 bytes)",
            )
        )
    elif n > TEXT_LIMIT * warn_ratio:
        issues.append(
            (
                ("text",),
                "warning",
                f"text is {n} of {TEXT_LIMIT} characters (emoji count as their UTF-8 bytes)",
            )
        )
    if media_count == 0 and not text.strip():
        issues.append((("text",), "error", "text is empty; a post without media needs text"))
    if media_count > CAROUSEL_MAX:
        issues.append(
            (
                ("media",),
                "error",
                f"{media_count} media items; a carousel holds 2 to {CAROUSEL_MAX}",
            )
        )
    if media_count:
        text_only: tuple[tuple[str, object], ...] = (
            ("poll", poll),
            ("link", link),
            ("gif", gif),
            ("attachment", attachment),
        )
        for name, given in text_only:
            if given is not None:
                issues.append(
                    ((name,), "error", f"{name} is only allowed on text posts (this one has media)")
                )
    elif spoiler_media:
        issues.append(
            (("spoiler_media",), "error", "spoiler_media needs media; this is a text post")
        )
    if poll is not None:
        if not 2 <= len(poll) <= 4:
            issues.append((("poll",), "error", f"a poll has 2 to 4 options, not {len(poll)}"))
        for i, option in enumerate(poll):
            size = threads_length(option)
            if not option.strip():
                issues.append((("poll", i), "error", "poll option is empty"))
            elif size > POLL_OPTION_LIMIT:
                issues.append(
                    (
                        ("poll", i),
                        "error",
                        f"poll option is {size} characters; the limit is {POLL_OPTION_LIMIT}",
                    )
                )
        if attachment is not None:
            issues.append(
                (("attachment",), "error", "attachment is not allowed together with a poll")
            )
    if link is not None and not re.match(r"(?i)^https?://\S+$", link):
        issues.append((("link",), "error", f"link must be an http(s) URL, not {link!r}"))
        link = None
    # Every URL starts with "://" or "www.", so when there are too few of those
    # to pass the limit, the links need not be found at all (most posts).
    if text.count("://") + text.lower().count("www.") + (link is not None) > LINK_LIMIT:
        urls = extract_urls(text)
        if link is not None and link not in urls:
            urls.append(link)
        if len(urls) > LINK_LIMIT:
            issues.append(
                (
                    ("text",),
                    "error",
                    f"{len(urls)} different links (text and link); Threads allows {LINK_LIMIT}",
                )
            )
    if gif is not None:
        msg = check_gif(gif)
        if msg:
            issues.append((("gif",), "error", msg))
    if attachment is not None:
        size = len(attachment)
        if size > ATTACHMENT_LIMIT:
            issues.append(
                (
                    ("attachment",),
                    "error",
                    f"attachment is {size} characters; the limit is {ATTACHMENT_LIMIT:,}",
                )
            )
        elif not attachment.strip():
            issues.append((("attachment",), "error", "attachment is empty"))
    if spoilers:
        if len(spoilers) > SPOILER_LIMIT:
            issues.append(
                (
                    ("spoilers",),
                    "error",
                    f"{len(spoilers)} spoilers; Threads allows {SPOILER_LIMIT}",
                )
            )
        _, missing = spoiler_entities(text, spoilers)
        for i in missing:
            what = "is empty" if not spoilers[i] else "is not in the text"
            if spoilers[i] and text.count(spoilers[i]):
                what = "has no occurrence left that isn't already hidden"
            issues.append((("spoilers", i), "error", f"spoiler {spoilers[i]!r} {what}"))
    if topic is not None and (
        not 0 < len(topic) <= TOPIC_LIMIT or "." in topic or "&" in topic or topic.isspace()
    ):
        msg = check_topic(topic)
        if msg:
            issues.append((("topic",), "error", msg))
    if countries is not None:
        if not countries:
            issues.append(
                (("countries",), "error", "countries is empty; list at least one or leave it out")
            )
        for i, code in enumerate(countries):
            msg = check_country(code)
            if msg:
                issues.append((("countries", i), "error", msg))
    if location is not None and not (location.isascii() and location.isdigit()):
        issues.append(
            (
                ("location",),
                "error",
                f"location must be a Threads location id (digits), not {location!r}",
            )
        )
    return issues


# ref §3 ``is_ghost_post``: text only, never a reply, and text spoilers are the only
# other feature.  A thread's later parts would be replies to it, so no thread either.
GHOST_EXCLUDES = (
    "reply_to",
    "thread",
    "media",
    "spoiler_media",
    "poll",
    "link",
    "gif",
    "attachment",
    "quote",
    "topic",
    "countries",
    "location",
)


def ghost_issues(given: Mapping[str, object]) -> list[Issue]:
    """What a ``ghost: true`` post sets that Threads refuses on a ghost post.

    ``given`` maps a post's fields to their values (``None`` when not set).
    """
    return [
        (
            (name,),
            "error",
            f"{name}: a ghost post (ghost: true) is text with spoilers only; "
            f"remove {name}, or ghost",
        )
        for name in GHOST_EXCLUDES
        if given.get(name) not in (None, False, [])
    ]
