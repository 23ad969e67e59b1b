"""Reading post text the way the reference describes it.

Character count (ref §3 "text": "emojis are counted as the number of UTF-8
bytes").  The emulator's reading: every code point counts 1, except a code
point that is part of an emoji (the pictographic blocks below, plus the
joiners and modifiers that build emoji sequences: ZWJ U+200D, variation
selectors U+FE0E/U+FE0F, the keycap U+20E3 and tag characters), which counts
its UTF-8 length.  So "😀" is 4, "❤️" (U+2764 U+FE0F) is 6, "👍🏽" is 8, and a
CJK character is 1.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x200D, 0x200D),  # zero-width joiner
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x20E3, 0x20E3),  # combining keycap
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0xFE0E, 0xFE0F),  # variation selectors
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, transport, flags, skin tones, ...
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def is_emoji_code_point(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


def char_count(text: str) -> int:
    """Length as the text limit counts it (ref §3 "text")."""
    total = 0
    for ch in text:
        cp = ord(ch)
        total += len(ch.encode("utf-8")) if is_emoji_code_point(cp) else 1
    return total


def utf16_length(text: str) -> int:
    """Offsets of text_entities are UTF-16 code units (ref §3 "text_entities")."""
    return len(text.encode("utf-16-le")) // 2


_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")
_TRAILING = ".,;:!?)]}'\""


def urls_in(text: str) -> list[str]:
    """URLs in the text, in order, trailing punctuation removed."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url:
            found.append(url)
    return found


def normalize_url(url: str) -> str:
    """The form used to tell links apart: scheme and host lower-cased, no trailing slash."""
    raw = url.strip()
    if raw.lower().startswith("www."):
        raw = "http://" + raw
    parts = urlsplit(raw)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def unique_links(text: str, *extra: str | None) -> list[str]:
    """Ref §3 "Link limit": URLs in text plus link_attachment when it differs from them."""
    seen: dict[str, str] = {}
    for url in [*urls_in(text), *(e for e in extra if e)]:
        seen.setdefault(normalize_url(url), url)
    return list(seen.values())


# Ref §3 "Topic tags": an in-text tag ends at whitespace and at . & @ ! ? , ; :
_TAG = re.compile(r"(?:(?<=\s)|^)#([^\s.&@!?,;:#]+)")


def first_text_tag(text: str) -> str | None:
    """The first valid in-text tag: 1-50 characters and not a whole number."""
    for match in _TAG.finditer(text):
        tag = match.group(1)
        if not tag.isdigit() and 1 <= len(tag) <= 50:
            return tag
    return None


_MENTION = re.compile(r"(?:(?<=[^\w@])|^)@([A-Za-z0-9_.]+)")


def mentions_in(text: str) -> list[str]:
    return [m.group(1).rstrip(".").lower() for m in _MENTION.finditer(text)]


def is_http_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)
