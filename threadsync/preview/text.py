"""Post text → segments: plain, link, @mention, #tag, and hidden spoiler ranges.

The templates escape every segment, so no markup is ever built from post text
by string concatenation here; this module only decides where the highlights
and spoilers fall.  Spoiler ranges arrive as UTF-16 offsets (what Threads'
``text_entities`` use) and are mapped back to Python string indexes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from threadsync.content import TextEntity

SegmentKind = Literal["text", "link", "mention", "tag", "spoiler"]

# As Threads links them: http(s):// or www., trailing punctuation left out.
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\"*_"
# Threads usernames: letters, digits, '.' and '_', up to 30; not inside an e-mail address.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9._]{0,28}[A-Za-z0-9_])?)")
_TAG = re.compile(r"(?<![\w#&])#(\w[\w-]{0,49})")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text drawn one way; ``href`` for links, ``children`` inside a spoiler."""

    kind: SegmentKind
    text: str
    href: str | None = None
    children: tuple[Segment, ...] = ()


def utf16_to_index(text: str, entities: Sequence[TextEntity]) -> list[tuple[int, int]]:
    """Spoiler entities (UTF-16 offset/length) as sorted, clipped Python (start, end) ranges."""
    if text.isascii():
        spans = [(e.offset, e.offset + e.length) for e in entities]
    else:
        # position in UTF-16 units at each Python index (a surrogate pair counts 2)
        units = [0]
        for ch in text:
            units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
        index_of = {u: i for i, u in enumerate(units)}
        spans = []
        for e in entities:
            start = index_of.get(e.offset)
            end = index_of.get(e.offset + e.length)
            if start is not None and end is not None:
                spans.append((start, end))
    n = len(text)
    clipped = ((max(0, a), min(n, b)) for a, b in spans)
    return sorted((a, b) for a, b in clipped if a < b)


def _href(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def _highlights(text: str) -> list[Segment]:
    """Links, mentions and tags in ``text`` (no spoilers)."""
    marks: list[tuple[int, int, Segment]] = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        if url:
            marks.append((m.start(), m.start() + len(url), Segment("link", url, _href(url))))
    for m in _MENTION.finditer(text):
        name = m.group(1)
        href = f"https://www.threads.net/@{name}"
        marks.append((m.start(), m.end(), Segment("mention", m.group(0), href)))
    for m in _TAG.finditer(text):
        marks.append((m.start(), m.end(), Segment("tag", m.group(0))))
    marks.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out: list[Segment] = []
    pos = 0
    for start, end, seg in marks:
        if start < pos:  # overlaps a mark already taken (e.g. an @ inside a URL)
            continue
        if start > pos:
            out.append(Segment("text", text[pos:start]))
        out.append(seg)
        pos = end
    if pos < len(text):
        out.append(Segment("text", text[pos:]))
    return out


def segments(text: str, entities: Sequence[TextEntity] = ()) -> list[Segment]:
    """The text as segments; each spoiler range becomes one ``spoiler`` segment."""
    spans = utf16_to_index(text, entities)
    if not spans:
        return _highlights(text)
    out: list[Segment] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        if start > pos:
            out.extend(_highlights(text[pos:start]))
        hidden = text[start:end]
        out.append(Segment("spoiler", hidden, children=tuple(_highlights(hidden))))
        pos = end
    if pos < len(text):
        out.extend(_highlights(text[pos:]))
    return out
