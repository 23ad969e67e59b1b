"""Markdown posts: front matter, thread parts and image lines.

Format (see "Markdown posts" in docs/writing-posts.md)::

    ---
    topic: Python          <- front matter: the post's fields, as in a YAML file
    ---
    The root post's text.   <- the body: the root part
    ![alt text](photo.png)  <- a line that is only an image: a media item
    ---                     <- a line that is exactly '---': the next thread part
    The first reply.

Each part's text is kept verbatim except that image lines are removed and blank
lines around the text are trimmed.  A front-matter ``thread:`` list may give the
other fields of the body's parts, item ``i`` going with the body's part ``i+1``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from threadsync.content.flatyaml import parse_post_yaml
from threadsync.content.problems import Loc
from threadsync.content.yamlsrc import Source

VIDEO_SUFFIXES = (".mp4", ".mov")
IMAGE_LINE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\(\s*(?P<src><[^>\n]*>|[^\s)]+)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_ESCAPE = re.compile(r"\\(.)")


class MarkdownError(Exception):
    """A fault that stops the file from being read at all."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def media_kind_of(src: str) -> str:
    path = src.split("?", 1)[0].split("#", 1)[0].lower()
    return "video" if path.endswith(VIDEO_SUFFIXES) else "image"


def trim_blank_lines(chunk: str) -> tuple[str, int]:
    """``chunk`` without its leading and trailing blank lines, and how many lines led.

    A blank line holds only whitespace.  The text between is kept verbatim,
    including the indent of its first line and the trailing spaces of its last.
    """
    first = len(chunk) - len(chunk.lstrip())  # the first non-blank character
    if first == len(chunk):
        return "", 0
    start = chunk.rfind("\n", 0, first) + 1
    end = chunk.find("\n", len(chunk.rstrip()))
    text = chunk[start:] if end < 0 else chunk[start:end]
    return text, chunk.count("\n", 0, start)


def _split_part(
    chunk: str, first_line: int
) -> tuple[str, Sequence[int], list[tuple[dict[str, Any], int, int]]]:
    """Split one part's source into (text, source line of each text line, images)."""
    if "![" not in chunk:
        text, skipped = trim_blank_lines(chunk)
        if not text:
            return "", (), []
        top = first_line + skipped
        return text, range(top, top + text.count("\n") + 1), []
    images: list[tuple[dict[str, Any], int, int]] = []
    lines: list[str] = []
    numbers: list[int] = []
    for offset, line in enumerate(chunk.split("\n")):
        stripped = line.strip()
        m = IMAGE_LINE.fullmatch(stripped) if stripped.startswith("![") else None
        if m:
            src = m.group("src")
            if src.startswith("<"):
                src = src[1:-1].strip()
            alt = m.group("alt")
            if "\\" in alt:
                alt = _ESCAPE.sub(r"\1", alt)
            item: dict[str, Any] = {media_kind_of(src): src}
            if alt.strip():
                item["alt"] = alt.strip()
            images.append((item, first_line + offset, len(line) - len(line.lstrip()) + 1))
        else:
            lines.append(line)
            numbers.append(first_line + offset)
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return "\n".join(lines[a:b]), numbers[a:b], images


_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


def parse_markdown(text: str, path: str) -> tuple[dict[str, Any], Source, list[tuple[Loc, str]]]:
    """Read a Markdown post into the same data a YAML post gives.

    Returns ``(data, source, conflicts)``.  ``conflicts`` are (loc, message) for
    fields given twice (in front matter and in the body).  Raises
    :class:`MarkdownError` or ``yaml.YAMLError`` (positions relative to the
    front matter, which starts at line 2) when the file can't be read.
    """
    source = Source(path=path, text=text)
    data: dict[str, Any] = {}
    body = text
    body_line = 1  # source line of the body's first line
    first = _SEPARATOR.match(text)
    if first is not None:
        close = _SEPARATOR.search(text, first.end())
        if close is None:
            raise MarkdownError(1, 1, "front matter is not closed: add a '---' line after it")
        front = text[first.end() + 1 : close.start()]
        source.line_offset = 1
        if front.strip():
            parsed = parse_post_yaml(front)
            source.yaml_text = front
            if parsed.data is not None and not isinstance(parsed.data, dict):
                raise MarkdownError(2, 1, "front matter must be a mapping of fields (key: value)")
            data = dict(parsed.data or {})
            source.duplicates = parsed.duplicates
        body_line = text.count("\n", 0, close.end()) + 2
        body = text[close.end() + 1 :]

    chunks: list[tuple[str, int]] = []
    pos, line = 0, body_line
    for m in _SEPARATOR.finditer(body):
        chunk = body[pos : max(pos, m.start() - 1)]
        chunks.append((chunk, line))
        line += body.count("\n", pos, m.end()) + 1
        pos = m.end() + 1
    chunks.append((body[pos:], line))

    conflicts: list[tuple[Loc, str]] = []
    _merge_part(data, (), chunks[0], source, conflicts)
    if len(chunks) > 1:
        thread = data.get("thread")
        if thread is None:
            thread = data["thread"] = []
        if isinstance(thread, list):
            for k, chunk_info in enumerate(chunks[1:]):
                if k < len(thread) and isinstance(thread[k], dict):
                    target = thread[k] = dict(thread[k])
                elif k < len(thread):
                    continue  # not a mapping: the type check reports it
                else:
                    target = {}
                    thread.append(target)
                _merge_part(target, ("thread", k), chunk_info, source, conflicts)
    return data, source, conflicts


def _merge_part(
    target: dict[str, Any],
    loc: Loc,
    chunk: tuple[str, int],
    source: Source,
    conflicts: list[tuple[Loc, str]],
) -> None:
    start = chunk[1]
    text, line_map, images = _split_part(*chunk)
    text_loc: Loc = (*loc, "text")
    if loc:
        source.overrides[loc] = (line_map[0] if line_map else start, 1)
    if text:
        if "text" in target:
            conflicts.append(
                (
                    (*loc, "text"),
                    "text is given both in the front matter and in the body; keep one",
                )
            )
        else:
            target["text"] = text
            source.overrides[text_loc] = (line_map[0], 1)
            source.line_maps[text_loc] = line_map
    elif "text" not in target:
        where = (start, 1) if start <= source.text.count("\n") + 1 else (1, 1)
        source.overrides.setdefault(text_loc, where)
    if images:
        if "media" in target:
            conflicts.append(
                (
                    (*loc, "media"),
                    "media is given both in the front matter and as images in the body; keep one",
                )
            )
        else:
            target["media"] = [item for item, _, _ in images]
            media_loc: Loc = (*loc, "media")
            source.overrides[media_loc] = (images[0][1], images[0][2])
            for j, (_, lineno, col) in enumerate(images):
                item_loc: Loc = (*loc, "media", j)
                source.overrides[item_loc] = (lineno, col)
